"""Reads other pages rely on: ``classrooms_of`` for a partner's page, ``sessions_for_offering``
for an offering's page, and the public summary of one classroom."""

import datetime

import pytest
from django.utils import timezone

from microcert.classrooms import selectors, services

from .factories import classroom, hours_ago

pytestmark = pytest.mark.django_db


def add(world, room=None, **fields):
    values = {"classroom": room or world.room, "kind": "camera", "vendor": "Vistacam"}
    values.update(fields)
    return services.equipment_add(actor=None, **values)


def record(world, room=None, **fields):
    values = {
        "classroom": room or world.room,
        "kind": "training",
        "title": "Training",
        "starts_at": hours_ago(5),
        "duration_minutes": 90,
        "actor": None,
    }
    values.update(fields)
    return services.session_record(**values)


def test_classrooms_of_lists_the_public_classrooms_hosted_or_sponsored(world):
    private = classroom(world.hust, slug="private", is_public=False)
    sponsored = classroom(world.other, slug="sponsored", sponsor=world.enterprise)
    assert list(selectors.classrooms_of(world.hust)) == [world.room]
    assert private not in selectors.classrooms_of(world.hust)
    assert list(selectors.classrooms_of(world.enterprise)) == [sponsored]
    assert list(selectors.classrooms_of(world.centre)) == [world.room]
    assert not selectors.classrooms_of(world.other).filter(slug="hust-room").exists()


def test_cards_counts_do_not_multiply_each_other(world):
    for n in range(3):
        add(world, serial=f"S-{n}")
    retired = add(world, serial="OLD")
    services.equipment_update(equipment=retired, status="retired", actor=None)
    for n in range(2):
        record(world, title=f"Training {n}")
    record(world, title="Next", status="scheduled", starts_at=hours_ago(-30))
    [card] = selectors.classrooms_of(world.hust)
    assert (card.equipment_count, card.sessions_held) == (3, 2)


def test_the_summary_counts_equipment_by_type_and_status_without_retired_items(world):
    add(world, serial="C1")
    add(world, serial="C2", status="under_repair")
    add(world, kind="pc", vendor="Northbridge", serial="P1")
    old = add(world, kind="pc", vendor="Northbridge", serial="P0")
    services.equipment_update(equipment=old, status="retired", actor=None)
    summary = selectors.classroom_summary(world.room)
    rows = {row.kind: row.counts for row in summary.equipment}
    assert rows == {
        "camera": {"in_service": 1, "under_repair": 1},
        "pc": {"in_service": 1, "under_repair": 0},
    }
    assert summary.equipment_total == 3


def test_the_summary_totals_held_sessions_and_lists_recent_and_upcoming(world):
    first = record(world, title="First", starts_at=hours_ago(50), participants=10)
    second = record(world, title="Second", starts_at=hours_ago(5), participants=20)
    cancelled = record(world, title="Dropped", status="scheduled", starts_at=hours_ago(-10))
    services.session_update(session=cancelled, status="cancelled", actor=None)
    coming = record(world, title="Coming", status="scheduled", starts_at=hours_ago(-20))
    summary = selectors.classroom_summary(world.room)
    assert summary.recent == [second, first]
    assert summary.upcoming == [coming]
    assert (summary.sessions_held, summary.hours_held, summary.participants) == (2, 3.0, 30)


def test_sessions_for_offering_are_those_of_public_classrooms_not_cancelled(world, offerings):
    offering = offerings["hust"]
    held = record(world, offering=offering, title="Lecture")
    private = classroom(world.hust, slug="private", is_public=False)
    record(world, room=private, offering=offering, title="Hidden")
    dropped = record(
        world, offering=offering, title="Dropped", status="scheduled", starts_at=hours_ago(-5)
    )
    services.session_update(session=dropped, status="cancelled", actor=None)
    record(world, title="Unrelated")
    assert list(selectors.sessions_for_offering(offering)) == [held]


def test_the_offering_picker_holds_what_the_host_runs_or_awards(world, offerings):
    picked = set(selectors.offerings_for_sessions(world.room))
    assert picked == {offerings["hust"], offerings["other"]}
    hust = offerings["hust"]
    hust.status = "cancelled"
    hust.save()
    assert hust not in selectors.offerings_for_sessions(world.room)
    # A session keeps showing the offering it already serves.
    assert hust in selectors.offerings_for_sessions(world.room, also=hust)


def test_the_offering_picker_leaves_out_runs_long_over(world, offerings):
    hust = offerings["hust"]
    hust.starts_on = timezone.localdate() - datetime.timedelta(days=500)
    hust.ends_on = hust.starts_on + datetime.timedelta(days=30)
    hust.save()
    assert hust not in selectors.offerings_for_sessions(world.room)


def test_classroom_managers_are_the_host_admins_and_programme_managers(world):
    assert set(selectors.classroom_managers(world.room)) == {world.admin, world.manager}


def test_classrooms_for_staff(world):
    private = classroom(world.hust, slug="private", is_public=False)
    elsewhere = classroom(world.other, slug="elsewhere")
    assert set(selectors.classrooms_for_staff(world.teacher)) == {world.room, private}
    assert set(selectors.classrooms_for_staff(world.admin)) == {world.room, private}
    assert set(selectors.classrooms_for_staff(world.manager)) == {world.room, private, elsewhere}
    assert not selectors.classrooms_for_staff(world.stranger).exists()
    assert not selectors.classrooms_for_staff(world.assessor).exists()


def test_warranty_alerts_list_ended_and_ending_warranties_of_items_in_use(world):
    today = timezone.localdate()
    ended = add(world, serial="E", warranty_until=today - datetime.timedelta(days=1))
    ending = add(world, serial="S", warranty_until=today + datetime.timedelta(days=30))
    add(world, serial="V", warranty_until=today + datetime.timedelta(days=400))
    add(world, serial="N")
    retired = add(world, serial="R", warranty_until=today - datetime.timedelta(days=9))
    services.equipment_update(equipment=retired, status="retired", actor=None)
    assert selectors.warranty_alerts(world.room, today) == [ended, ending]


def test_equipment_of_counts_open_tickets_per_item(world):
    item = add(world, serial="A")
    add(world, serial="B")
    services.ticket_open(classroom=world.room, title="One", equipment=item, actor=None)
    done = services.ticket_open(classroom=world.room, title="Two", equipment=item, actor=None)
    services.ticket_set_status(ticket=done, status="closed", note="Duplicate", actor=None)
    counts = {i.serial: i.open_tickets for i in selectors.equipment_of(world.room)}
    assert counts == {"A": 1, "B": 0}
