"""The database keeps the registry's one-row invariants even when the services are bypassed
(raw creates, the admin, a bug): dates in order, counts that cannot be negative, one serial
per vendor, tickets whose status and times agree, recording links that are web links."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from microcert.classrooms.models import (
    Equipment,
    MaintenanceTicket,
    SmartClassroom,
    UsageSession,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 1, 10)


def refused(make) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def _classroom(world, **fields) -> SmartClassroom:
    values = {"slug": "raw", "host": world.hust, "name_en": "Raw", "phase": "pilot"}
    values.update(fields)
    return SmartClassroom.objects.create(**values)


def test_a_classroom_cannot_be_launched_before_it_was_installed(world):
    refused(lambda: _classroom(world, installed_on=DAY, launched_on=DAY - datetime.timedelta(1)))


def test_a_classroom_cannot_be_launched_without_an_installation_date(world):
    refused(lambda: _classroom(world, launched_on=DAY))


def test_a_classroom_in_service_has_a_launch_date(world):
    refused(lambda: _classroom(world, status="in_service", installed_on=DAY))


def test_a_planned_classroom_has_no_installation_date(world):
    refused(lambda: _classroom(world, status="planned", installed_on=DAY))


def test_a_classroom_seats_at_least_one_person(world):
    refused(lambda: _classroom(world, capacity=0))


def test_launch_on_the_installation_day_is_allowed(world):
    room = _classroom(world, status="in_service", installed_on=DAY, launched_on=DAY)
    assert room.pk


def test_a_serial_is_unique_per_vendor_whatever_its_case(world):
    Equipment.objects.create(classroom=world.room, kind="camera", vendor="Vistacam", serial="AB-1")
    refused(
        lambda: Equipment.objects.create(
            classroom=world.room, kind="camera", vendor="VISTACAM", serial="ab-1"
        )
    )


def test_the_same_serial_from_another_vendor_and_blank_serials_are_allowed(world):
    Equipment.objects.create(classroom=world.room, kind="pc", vendor="Northbridge", serial="X1")
    Equipment.objects.create(classroom=world.room, kind="pc", vendor="Southbridge", serial="X1")
    Equipment.objects.create(classroom=world.room, kind="other", vendor="Cables Co")
    Equipment.objects.create(classroom=world.room, kind="other", vendor="Cables Co")
    assert world.room.equipment.count() == 4


def test_equipment_names_its_vendor(world):
    refused(lambda: Equipment.objects.create(classroom=world.room, kind="pc", vendor=""))


def _ticket(world, **fields) -> MaintenanceTicket:
    values = {"classroom": world.room, "title": "Broken", "opened_at": timezone.now()}
    values.update(fields)
    return MaintenanceTicket.objects.create(**values)


def test_a_resolved_or_closed_ticket_says_how(world):
    now = timezone.now()
    refused(lambda: _ticket(world, status="resolved", resolved_at=now))
    refused(lambda: _ticket(world, status="closed", closed_at=now))


def test_a_resolved_ticket_has_its_time_and_a_closed_one_too(world):
    refused(lambda: _ticket(world, status="resolved", resolution="Fixed"))
    refused(lambda: _ticket(world, status="closed", resolution="Duplicate"))


def test_an_open_ticket_carries_no_end_time(world):
    refused(lambda: _ticket(world, status="open", resolved_at=timezone.now()))
    refused(lambda: _ticket(world, status="in_progress", closed_at=timezone.now()))


def test_ticket_times_do_not_precede_its_opening(world):
    opened = timezone.now()
    earlier = opened - datetime.timedelta(hours=1)
    refused(lambda: _ticket(world, opened_at=opened, started_at=earlier, status="in_progress"))
    refused(
        lambda: _ticket(
            world, opened_at=opened, status="resolved", resolution="x", resolved_at=earlier
        )
    )


def test_a_ticket_has_a_title(world):
    refused(lambda: _ticket(world, title=""))


def _session(world, **fields) -> UsageSession:
    values = {
        "classroom": world.room,
        "kind": "training",
        "title": "Training",
        "starts_at": timezone.now() - datetime.timedelta(days=1),
        "duration_minutes": 60,
    }
    values.update(fields)
    return UsageSession.objects.create(**values)


def test_a_session_lasts_between_a_minute_and_a_day(world):
    refused(lambda: _session(world, duration_minutes=0))
    refused(lambda: _session(world, duration_minutes=24 * 60 + 1))
    assert _session(world, duration_minutes=24 * 60).pk


def test_a_session_counts_no_negative_participants(world):
    refused(lambda: _session(world, participants=-1))


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "ftp://files.example/a.mp4", "file:///etc/passwd"]
)
def test_a_recording_link_is_a_web_link(world, link):
    refused(lambda: _session(world, recording_url=link))


def test_a_web_recording_link_is_stored(world):
    assert _session(world, recording_url="https://video.example/lecture-1").pk


def test_warranty_state_is_judged_against_the_day(world):
    item = Equipment(warranty_until=DAY)
    assert item.warranty_state(DAY + datetime.timedelta(days=1)) == "expired"
    assert item.warranty_state(DAY) == "expiring"
    assert item.warranty_state(DAY - datetime.timedelta(days=90)) == "expiring"
    assert item.warranty_state(DAY - datetime.timedelta(days=91)) == "valid"
    assert Equipment(warranty_until=None).warranty_state(DAY) == "none"
