"""The registry's writes: what they store, the event each records, and what they refuse
(with a message, storing nothing)."""

import datetime

import pytest
from django.utils import timezone

from microcert.classrooms import services
from microcert.classrooms.models import (
    Equipment,
    MaintenanceTicket,
    SmartClassroom,
    UsageSession,
)
from microcert.classrooms.services import ClassroomError
from microcert.core.models import Event
from microcert.network.models import Organisation
from microcert.network.tests.factories import OrganisationFactory

from .factories import classroom, hours_ago

pytestmark = pytest.mark.django_db


def events(verb: str, target) -> list[Event]:
    return list(
        Event.objects.filter(
            verb=verb, object_type=target._meta.label_lower, object_id=str(target.pk)
        ).order_by("id")
    )


# --- Classrooms -------------------------------------------------------------------------------


def test_classroom_create_stores_every_language_and_records_an_event(world):
    room = classroom(
        world.hust,
        slug="second",
        name={"en": "Studio", "vi": "Phòng học", "zh-hans": "演播室", "fr": "Studio"},
        sponsor=world.enterprise,
        time_zone="Asia/Ho_Chi_Minh",
    )
    assert (room.name_en, room.name_vi, room.name_zh_hans) == ("Studio", "Phòng học", "演播室")
    assert room.sponsor == world.enterprise
    [event] = events("classroom.created", room)
    assert event.details["host"] == "hust"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"launched_on": datetime.date(2024, 11, 1)}, "launched before it was installed"),
        ({"installed_on": None, "status": "installing"}, "installation date before the launch"),
        ({"launched_on": None}, "in service has a launch date"),
        ({"status": "planned", "launched_on": None}, "no longer planned"),
        ({"capacity": 0}, "at least one person"),
        ({"time_zone": "Mars/Olympus"}, "Unknown time zone"),
        ({"phase": "phase_9"}, "Unknown phase"),
    ],
)
def test_classroom_create_refuses_inconsistent_facts(world, changes, message):
    with pytest.raises(ClassroomError, match=message):
        classroom(world.hust, slug="bad", **changes)
    assert not SmartClassroom.objects.filter(slug="bad").exists()


def test_dates_of_installation_and_launch_cannot_be_in_the_future(world):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ClassroomError, match="cannot be in the future"):
        classroom(
            world.hust, slug="soon", status="installing", installed_on=tomorrow, launched_on=None
        )


def test_the_host_is_a_member_university(world):
    outsider = OrganisationFactory(slug="outsider")  # an HEI without a membership
    with pytest.raises(ClassroomError, match="not an active member"):
        classroom(outsider, slug="x")
    with pytest.raises(ClassroomError, match="hosted by a higher-education institution"):
        classroom(world.enterprise, slug="y")


def test_the_sponsor_is_an_enterprise_or_international_organisation_not_the_host(world):
    with pytest.raises(ClassroomError, match="enterprise or an international"):
        classroom(world.hust, slug="x", sponsor=world.other)
    ministry = OrganisationFactory(slug="ministry", kind=Organisation.Kind.MINISTRY)
    with pytest.raises(ClassroomError, match="enterprise or an international"):
        classroom(world.hust, slug="y", sponsor=ministry)


def test_a_slug_is_taken_once(world):
    with pytest.raises(ClassroomError, match="already has this slug"):
        classroom(world.hust, slug="hust-room")


def test_classroom_update_checks_the_result_and_records_what_changed(world):
    services.classroom_update(classroom=world.room, status="closed", is_public=False, actor=None)
    world.room.refresh_from_db()
    assert (world.room.status, world.room.is_public) == ("closed", False)
    [event] = events("classroom.updated", world.room)
    assert event.details["fields"] == ["is_public", "status"]
    with pytest.raises(ClassroomError, match="launched before"):
        services.classroom_update(
            classroom=world.room, launched_on=datetime.date(2020, 1, 1), actor=None
        )
    with pytest.raises(ClassroomError, match="cannot be changed here"):
        services.classroom_update(classroom=world.room, host=world.other, actor=None)


# --- Equipment --------------------------------------------------------------------------------


def add(world, **fields) -> Equipment:
    values = {"classroom": world.room, "kind": "camera", "vendor": "Vistacam", "actor": None}
    values.update(fields)
    return services.equipment_add(**values)


def test_equipment_add_normalises_text_and_records_the_warranty_state(world):
    item = add(world, vendor="  Vistacam   Ltd ", model=" PTZ ", serial=" AB-1 ", label="rear")
    assert (item.vendor, item.model, item.serial, item.label) == (
        "Vistacam Ltd",
        "PTZ",
        "AB-1",
        "rear",
    )
    [event] = events("equipment.added", item)
    assert event.details["warranty"] == "none"


def test_a_warranty_in_the_past_is_accepted_and_flagged(world):
    item = add(world, serial="OLD-1", warranty_until=datetime.date(2020, 1, 1))
    assert item.pk
    assert events("equipment.added", item)[0].details["warranty"] == "expired"


def test_the_same_serial_of_the_same_vendor_is_refused_across_classrooms(world):
    add(world, serial="AB-1")
    other_room = classroom(world.other, slug="other-room")
    with pytest.raises(ClassroomError, match="already in the inventory of"):
        add(world, classroom=other_room, vendor="vistacam", serial="ab-1")
    assert Equipment.objects.count() == 1


def test_equipment_needs_a_vendor_and_a_known_type(world):
    with pytest.raises(ClassroomError, match="vendor is required"):
        add(world, vendor="   ")
    with pytest.raises(ClassroomError, match="Unknown equipment type"):
        add(world, kind="hologram")
    assert not Equipment.objects.exists()


def test_no_equipment_is_added_to_a_closed_classroom_nor_as_retired(world):
    with pytest.raises(ClassroomError, match="in service or under repair"):
        add(world, status="retired")
    services.classroom_update(classroom=world.room, status="closed", actor=None)
    with pytest.raises(ClassroomError, match="closed"):
        add(world)


def test_equipment_update_records_the_fields_changed(world):
    item = add(world, serial="AB-1")
    services.equipment_update(
        equipment=item, status="under_repair", notes="At the vendor", actor=world.admin
    )
    item.refresh_from_db()
    assert item.status == "under_repair"
    [event] = events("equipment.updated", item)
    assert event.details["fields"] == ["notes", "status"]
    assert event.actor == world.admin


def test_equipment_update_without_changes_records_nothing(world):
    item = add(world, serial="AB-1")
    services.equipment_update(equipment=item, serial="AB-1", actor=None)
    assert not events("equipment.updated", item)


def test_an_item_with_an_open_ticket_is_not_retired(world):
    item = add(world, serial="AB-1")
    ticket = services.ticket_open(classroom=world.room, title="Dead", equipment=item, actor=None)
    with pytest.raises(ClassroomError, match="open ticket"):
        services.equipment_update(equipment=item, status="retired", actor=None)
    services.ticket_set_status(ticket=ticket, status="closed", note="Replaced", actor=None)
    services.equipment_update(equipment=item, status="retired", actor=None)
    item.refresh_from_db()
    assert item.status == "retired"


def test_equipment_update_refuses_a_serial_taken_by_another_item(world):
    add(world, serial="AB-1")
    second = add(world, serial="AB-2")
    with pytest.raises(ClassroomError, match="already in the inventory"):
        services.equipment_update(equipment=second, serial="ab-1", actor=None)
    second.refresh_from_db()
    assert second.serial == "AB-2"


# --- Tickets ----------------------------------------------------------------------------------


def test_a_teacher_opens_a_ticket_about_an_item(world):
    item = add(world, serial="AB-1")
    ticket = services.ticket_open(
        classroom=world.room,
        title="No picture",
        equipment=item,
        priority="high",
        actor=world.teacher,
    )
    assert (ticket.status, ticket.opened_by, ticket.priority) == ("open", world.teacher, "high")
    assert events("ticket.opened", ticket)[0].actor == world.teacher
    item.refresh_from_db()
    assert item.status == "in_service"  # only when asked


def test_opening_a_ticket_can_take_the_item_out_of_service(world):
    item = add(world, serial="AB-1")
    services.ticket_open(
        classroom=world.room,
        title="Broken",
        equipment=item,
        mark_under_repair=True,
        actor=world.admin,
    )
    item.refresh_from_db()
    assert item.status == "under_repair"


def test_tickets_are_refused_for_planned_or_closed_classrooms(world):
    planned = classroom(
        world.hust, slug="planned", status="planned", installed_on=None, launched_on=None
    )
    with pytest.raises(ClassroomError, match="being installed or in service"):
        services.ticket_open(classroom=planned, title="x", actor=None)
    services.classroom_update(classroom=world.room, status="closed", actor=None)
    with pytest.raises(ClassroomError, match="being installed or in service"):
        services.ticket_open(classroom=world.room, title="x", actor=None)
    assert not MaintenanceTicket.objects.exists()


def test_a_ticket_is_about_an_item_of_its_own_classroom_that_is_not_retired(world):
    other_room = classroom(world.other, slug="other-room")
    foreign = add(world, classroom=other_room, serial="F-1")
    with pytest.raises(ClassroomError, match="not in this classroom"):
        services.ticket_open(classroom=world.room, title="x", equipment=foreign, actor=None)
    retired = add(world, serial="R-1")
    services.equipment_update(equipment=retired, status="retired", actor=None)
    with pytest.raises(ClassroomError, match="retired"):
        services.ticket_open(classroom=world.room, title="x", equipment=retired, actor=None)


def test_a_ticket_needs_a_title_and_a_known_priority(world):
    with pytest.raises(ClassroomError, match="title is required"):
        services.ticket_open(classroom=world.room, title="  ", actor=None)
    with pytest.raises(ClassroomError, match="Unknown priority"):
        services.ticket_open(classroom=world.room, title="x", priority="whenever", actor=None)


def test_a_ticket_cannot_be_dated_in_the_future(world):
    with pytest.raises(ClassroomError, match="future"):
        services.ticket_open(
            classroom=world.room,
            title="x",
            at=timezone.now() + datetime.timedelta(hours=1),
            actor=None,
        )


def _ticket(world, **fields) -> MaintenanceTicket:
    return services.ticket_open(classroom=world.room, title="Echo", actor=world.teacher, **fields)


def test_a_ticket_goes_from_open_to_resolved_to_closed_with_its_times(world):
    ticket = _ticket(world)
    services.ticket_set_status(ticket=ticket, status="in_progress", actor=world.admin)
    services.ticket_set_status(
        ticket=ticket, status="resolved", note="Recalibrated", actor=world.admin
    )
    services.ticket_set_status(ticket=ticket, status="closed", actor=world.admin)
    ticket.refresh_from_db()
    assert ticket.status == "closed"
    assert ticket.resolution == "Recalibrated"
    assert ticket.opened_at <= ticket.started_at <= ticket.resolved_at <= ticket.closed_at
    moves = [e.details["to"] for e in Event.objects.filter(verb="ticket.status_changed")]
    assert sorted(moves) == ["closed", "in_progress", "resolved"]


def test_resolving_needs_the_resolution(world):
    ticket = _ticket(world)
    with pytest.raises(ClassroomError, match="Describe the resolution"):
        services.ticket_set_status(ticket=ticket, status="resolved", actor=world.admin)
    ticket.refresh_from_db()
    assert ticket.status == "open"


def test_closing_an_unresolved_ticket_needs_a_reason(world):
    ticket = _ticket(world)
    with pytest.raises(ClassroomError, match="closed without a resolution"):
        services.ticket_set_status(ticket=ticket, status="closed", actor=world.admin)
    services.ticket_set_status(ticket=ticket, status="closed", note="Duplicate", actor=world.admin)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolution) == ("closed", "Duplicate")


def test_a_closed_ticket_is_reopened_only_with_a_reason(world):
    ticket = _ticket(world)
    services.ticket_set_status(ticket=ticket, status="resolved", note="Fixed", actor=world.admin)
    services.ticket_set_status(ticket=ticket, status="closed", actor=world.admin)
    with pytest.raises(ClassroomError, match="why the ticket is reopened"):
        services.ticket_set_status(ticket=ticket, status="open", actor=world.admin)
    ticket.refresh_from_db()
    assert ticket.status == "closed"

    services.ticket_set_status(
        ticket=ticket, status="open", note="The echo came back", actor=world.admin
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolution, ticket.resolved_at, ticket.closed_at) == (
        "open",
        "",
        None,
        None,
    )
    [event] = events("ticket.reopened", ticket)
    assert (event.reason, event.details["previous_resolution"]) == ("The echo came back", "Fixed")


def test_a_ticket_moves_only_along_the_allowed_transitions(world):
    ticket = _ticket(world)
    with pytest.raises(ClassroomError, match="already open"):
        services.ticket_set_status(ticket=ticket, status="open", actor=world.admin)
    services.ticket_set_status(ticket=ticket, status="closed", note="Duplicate", actor=world.admin)
    with pytest.raises(ClassroomError, match="cannot become resolved"):
        services.ticket_set_status(ticket=ticket, status="resolved", note="x", actor=world.admin)
    with pytest.raises(ClassroomError, match="Unknown status"):
        services.ticket_set_status(ticket=ticket, status="done", actor=world.admin)


def test_a_status_change_cannot_precede_the_opening(world):
    ticket = _ticket(world, at=hours_ago(2))
    with pytest.raises(ClassroomError, match="before the ticket was opened"):
        services.ticket_set_status(
            ticket=ticket, status="in_progress", at=hours_ago(3), actor=world.admin
        )


def test_resolving_can_put_the_equipment_back_in_service(world):
    item = add(world, serial="AB-1", status="under_repair")
    ticket = _ticket(world, equipment=item)
    services.ticket_set_status(
        ticket=ticket,
        status="resolved",
        note="Replaced the board",
        equipment_back_in_service=True,
        actor=world.admin,
    )
    item.refresh_from_db()
    assert item.status == "in_service"
    assert events("equipment.updated", item)[0].details["status"] == {
        "from": "under_repair",
        "to": "in_service",
    }


def test_a_ticket_is_assigned_only_to_someone_who_manages_the_classroom(world):
    ticket = _ticket(world)
    services.ticket_assign(ticket=ticket, assignee=world.manager, actor=world.admin)
    ticket.refresh_from_db()
    assert ticket.assignee == world.manager
    for outsider in (world.teacher, world.other_admin):
        with pytest.raises(ClassroomError, match="does not manage this classroom"):
            services.ticket_assign(ticket=ticket, assignee=outsider, actor=world.admin)
    services.ticket_assign(ticket=ticket, assignee=None, actor=world.admin)
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert [e.details["to"] for e in events("ticket.assigned", ticket)] == [
        world.manager.email,
        None,
    ]


def test_a_closed_ticket_is_not_assigned(world):
    ticket = _ticket(world)
    services.ticket_set_status(ticket=ticket, status="closed", note="Duplicate", actor=world.admin)
    with pytest.raises(ClassroomError, match="Reopen the ticket"):
        services.ticket_assign(ticket=ticket, assignee=world.admin, actor=world.admin)


# --- Sessions ---------------------------------------------------------------------------------


def record(world, **fields) -> UsageSession:
    values = {
        "classroom": world.room,
        "kind": "recorded_lecture",
        "title": "Lecture 1",
        "starts_at": hours_ago(3),
        "duration_minutes": 60,
        "actor": world.admin,
    }
    values.update(fields)
    return services.session_record(**values)


def test_a_held_session_is_recorded_with_its_event(world):
    session = record(world, participants=25, recording_url="HTTPS://video.example/Lecture-1")
    assert session.recorded_by == world.admin
    assert session.recording_url == "https://video.example/Lecture-1"
    [event] = events("session.recorded", session)
    assert event.details["status"] == "held"


def test_a_session_marked_held_cannot_end_in_the_future(world):
    with pytest.raises(ClassroomError, match="must have ended"):
        record(world, starts_at=hours_ago(0.5), duration_minutes=60)
    assert not UsageSession.objects.exists()


def test_a_scheduled_session_is_in_the_future(world):
    with pytest.raises(ClassroomError, match="mark a past one as held"):
        record(world, status="scheduled", starts_at=hours_ago(1))
    future = record(world, status="scheduled", starts_at=hours_ago(-48), participants=30)
    assert future.status == "scheduled"


def test_sessions_are_not_recorded_before_the_installation_or_in_a_planned_classroom(world):
    with pytest.raises(ClassroomError, match="installed on 2024-11-25"):
        record(world, starts_at=datetime.datetime(2024, 11, 1, 9, tzinfo=datetime.UTC))
    planned = classroom(
        world.hust, slug="planned", status="planned", installed_on=None, launched_on=None
    )
    with pytest.raises(ClassroomError, match="only planned"):
        record(world, classroom=planned)


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "ftp://files.example/a.mp4", "not a link", "//video.example"]
)
def test_a_recording_link_must_be_http_or_https(world, link):
    with pytest.raises(ClassroomError, match="https:// or http://"):
        record(world, recording_url=link)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"duration_minutes": 0}, "between 1 and 1440 minutes"),
        ({"participants": -3}, "between 0 and"),
        ({"title": ""}, "title is required"),
        ({"kind": "party"}, "Unknown kind"),
        ({"language": "de"}, "languages listed"),
        ({"status": "cancelled"}, "held or scheduled"),
        ({"starts_at": datetime.datetime(2025, 1, 1, 9)}, "time zone"),
    ],
)
def test_session_record_refuses_bad_values(world, fields, message):
    with pytest.raises(ClassroomError, match=message):
        record(world, **fields)
    assert not UsageSession.objects.exists()


def test_a_session_serves_offerings_its_host_runs_or_awards(world, offerings):
    session = record(world, offering=offerings["hust"])
    assert session.offering == offerings["hust"]
    assert record(world, title="For the other run", offering=offerings["other"]).pk


def test_a_session_cannot_serve_an_unrelated_or_cancelled_or_finished_offering(world, offerings):
    with pytest.raises(ClassroomError, match="cannot serve that offering"):
        record(world, offering=offerings["unrelated"])
    hust = offerings["hust"]
    hust.status = "cancelled"
    hust.save()
    with pytest.raises(ClassroomError, match="cannot serve that offering"):
        record(world, offering=hust)
    hust.status = "open"
    hust.ends_on = timezone.localdate() - datetime.timedelta(days=2)
    hust.starts_on = hust.ends_on - datetime.timedelta(days=30)
    hust.save()
    with pytest.raises(ClassroomError, match="cannot serve that offering"):
        record(world, offering=hust)


def test_a_session_serves_an_offering_at_most_a_year_before_it_starts(world, offerings):
    hust = offerings["hust"]
    hust.starts_on = timezone.localdate() + datetime.timedelta(days=400)
    hust.ends_on = hust.starts_on + datetime.timedelta(days=30)
    hust.save()
    with pytest.raises(ClassroomError, match="at most a year before its start"):
        record(world, offering=hust)


def test_a_scheduled_session_is_marked_held_only_once_it_has_ended(world):
    session = record(world, status="scheduled", starts_at=hours_ago(-24))
    with pytest.raises(ClassroomError, match="must have ended"):
        services.session_update(session=session, status="held", actor=world.admin)
    services.session_update(
        session=session,
        status="held",
        starts_at=hours_ago(2),
        participants=18,
        recording_url="https://video.example/x",
        actor=world.admin,
    )
    session.refresh_from_db()
    assert (session.status, session.participants) == ("held", 18)
    [event] = events("session.updated", session)
    assert event.details["status"] == {"from": "scheduled", "to": "held"}


def test_a_session_can_be_cancelled(world):
    session = record(world, status="scheduled", starts_at=hours_ago(-24))
    services.session_update(session=session, status="cancelled", actor=world.admin)
    session.refresh_from_db()
    assert session.status == "cancelled"


def test_session_update_refuses_fields_it_does_not_own(world):
    session = record(world)
    with pytest.raises(ClassroomError, match="cannot be changed here"):
        services.session_update(session=session, classroom=world.room, actor=None)


def test_the_local_day_of_a_session_is_the_classroom_s(world):
    hanoi = classroom(world.hust, slug="hanoi", time_zone="Asia/Ho_Chi_Minh")
    # 20:00 UTC on 24 November is 03:00 on the 25th in Hanoi: the day it was installed.
    late = datetime.datetime(2024, 11, 24, 20, 0, tzinfo=datetime.UTC)
    assert record(world, classroom=hanoi, starts_at=late).pk
    with pytest.raises(ClassroomError, match="installed on"):
        record(world, starts_at=late)  # in UTC it is still the 24th
