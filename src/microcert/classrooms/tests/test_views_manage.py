"""The management pages: inventory with warranty warnings, adding and editing equipment,
tickets and their status, and recording sessions with an offering picker. For the host's
admins and the programme's managers; bad input gets messages and stores nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from microcert.classrooms import services
from microcert.classrooms.models import Equipment, MaintenanceTicket, UsageSession
from microcert.core.models import Event

from .factories import classroom

pytestmark = pytest.mark.django_db


def url(name: str, room, *args) -> str:
    return reverse(f"classrooms:{name}", args=[room.slug, *args])


def item_form(**overrides) -> dict:
    data = {
        "kind": "camera",
        "label": "Rear camera",
        "vendor": "Vistacam",
        "model": "PTZ-20X",
        "serial": "VC20-001",
        "warranty_until": "2029-11-30",
        "status": "in_service",
        "notes": "",
    }
    data.update(overrides)
    return data


# --- Who ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["manage", "equipment_new", "manage_tickets", "manage_sessions", "session_new"]
)
def test_management_pages_are_for_managers_only(client, world, name):
    assert client.get(url(name, world.room)).status_code == 302  # to sign in
    for person in (world.teacher, world.other_admin, world.stranger):
        client.force_login(person)
        assert client.get(url(name, world.room)).status_code == 403
    private = classroom(world.hust, slug="private", is_public=False)
    client.force_login(world.other_admin)
    assert client.get(url(name, private)).status_code == 404
    for person in (world.admin, world.manager):
        client.force_login(person)
        assert client.get(url(name, world.room)).status_code == 200


def test_outsiders_change_nothing(client, world):
    client.force_login(world.teacher)
    assert client.post(url("equipment_new", world.room), item_form()).status_code == 403
    assert not Equipment.objects.exists()


# --- Inventory -----------------------------------------------------------------------------------


def test_the_inventory_shows_serials_and_warns_about_warranties(client, world):
    today = timezone.localdate()
    services.equipment_add(
        classroom=world.room,
        kind="camera",
        vendor="Vistacam",
        serial="ENDED-1",
        warranty_until=today - datetime.timedelta(days=3),
        actor=None,
    )
    services.equipment_add(
        classroom=world.room,
        kind="pc",
        vendor="Northbridge",
        serial="SOON-1",
        warranty_until=today + datetime.timedelta(days=20),
        actor=None,
    )
    services.equipment_add(
        classroom=world.room,
        kind="network",
        vendor="Meshlink",
        serial="FINE-1",
        warranty_until=today + datetime.timedelta(days=900),
        actor=None,
    )
    client.force_login(world.admin)
    page = client.get(url("manage", world.room))
    assert [a.serial for a in page.context["alerts"]] == ["ENDED-1", "SOON-1"]
    text = page.text
    assert "ENDED-1" in text and "FINE-1" in text
    assert "2 warranties need attention" in text
    assert "Expired" in text and "Ends soon" in text


def test_adding_equipment(client, world):
    client.force_login(world.admin)
    response = client.post(url("equipment_new", world.room), item_form())
    assert response.status_code == 302
    item = Equipment.objects.get()
    assert (item.classroom, item.serial, item.label) == (world.room, "VC20-001", "Rear camera")
    assert Event.objects.filter(verb="equipment.added", actor=world.admin).exists()


def test_an_ended_warranty_is_accepted_with_a_warning(client, world):
    client.force_login(world.admin)
    response = client.post(
        url("equipment_new", world.room), item_form(warranty_until="2020-01-31"), follow=True
    )
    assert Equipment.objects.count() == 1
    assert "Its warranty ended on 2020-01-31" in response.text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"vendor": ""}, "This field is required."),
        ({"kind": "hologram"}, "Select a valid choice."),
        ({"warranty_until": "31/12/2029"}, "Enter a date as YYYY-MM-DD."),
        ({"warranty_until": "0001-01-01"}, "Enter a date between"),
        ({"status": "retired"}, "Select a valid choice."),
        ({"serial": "x" * 81}, "at most 80 characters"),
    ],
)
def test_bad_equipment_input_is_refused_with_a_message(client, world, overrides, message):
    client.force_login(world.admin)
    response = client.post(url("equipment_new", world.room), item_form(**overrides))
    assert response.status_code == 400
    assert message in response.text
    assert not Equipment.objects.exists()


def test_a_duplicate_serial_is_refused_with_the_classroom_that_holds_it(client, world):
    services.equipment_add(
        classroom=world.room, kind="camera", vendor="Vistacam", serial="VC20-001", actor=None
    )
    client.force_login(world.manager)
    response = client.post(url("equipment_new", world.room), item_form(serial="vc20-001"))
    assert response.status_code == 400
    assert "already in the inventory of" in response.text
    assert Equipment.objects.count() == 1


def test_editing_and_retiring_equipment(client, world):
    item = services.equipment_add(
        classroom=world.room, kind="camera", vendor="Vistacam", serial="VC20-001", actor=None
    )
    client.force_login(world.admin)
    edit = url("equipment_edit", world.room, item.uuid)
    page = client.get(edit)
    assert page.status_code == 200 and 'value="VC20-001"' in page.text
    services.ticket_open(classroom=world.room, title="Broken", equipment=item, actor=None)
    refused = client.post(edit, item_form(status="retired"))
    assert refused.status_code == 400 and "open ticket" in refused.text
    item.refresh_from_db()
    assert item.status == "in_service"
    assert client.post(edit, item_form(status="under_repair")).status_code == 302
    item.refresh_from_db()
    assert item.status == "under_repair"


def test_equipment_of_another_classroom_is_not_found(client, world):
    elsewhere = classroom(world.hust, slug="second")
    item = services.equipment_add(classroom=elsewhere, kind="pc", vendor="N", actor=None)
    client.force_login(world.admin)
    assert client.get(url("equipment_edit", world.room, item.uuid)).status_code == 404


# --- Tickets -----------------------------------------------------------------------------------


@pytest.fixture
def ticket(world) -> MaintenanceTicket:
    return services.ticket_open(classroom=world.room, title="Echo in the back", actor=world.teacher)


def test_the_tickets_list_filters_by_status(client, world, ticket):
    done = services.ticket_open(classroom=world.room, title="Old flicker", actor=world.teacher)
    services.ticket_set_status(ticket=done, status="closed", note="Gone", actor=None)
    client.force_login(world.admin)
    assert list(client.get(url("manage_tickets", world.room)).context["tickets"]) == [ticket]
    closed = client.get(url("manage_tickets", world.room), {"status": "closed"})
    assert list(closed.context["tickets"]) == [done]
    everything = client.get(url("manage_tickets", world.room), {"status": "all"})
    assert len(everything.context["tickets"]) == 2
    # An unknown filter falls back on the open tickets.
    odd = client.get(url("manage_tickets", world.room), {"status": "<b>"})
    assert odd.status_code == 200 and odd.context["status"] == "open"


def test_a_manager_moves_a_ticket_on_and_its_history_shows_it(client, world, ticket):
    client.force_login(world.admin)
    page_url = url("manage_ticket", world.room, ticket.uuid)
    assert (
        client.post(page_url, {"action": "assign", "assignee": str(world.admin.uuid)}).status_code
        == 302
    )
    assert client.post(page_url, {"action": "status", "status": "in_progress"}).status_code == 302
    response = client.post(
        page_url, {"action": "status", "status": "resolved", "note": "Firmware updated"}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee, ticket.resolution) == (
        "resolved",
        world.admin,
        "Firmware updated",
    )
    page = client.get(page_url)
    assert "Firmware updated" in page.text
    assert f"Assigned it to {world.admin}." in page.text  # a name, not an address
    assert [e.verb for e in page.context["history"]] == [
        "ticket.opened",
        "ticket.assigned",
        "ticket.status_changed",
        "ticket.status_changed",
    ]


def test_status_changes_are_refused_with_messages(client, world, ticket):
    client.force_login(world.admin)
    page_url = url("manage_ticket", world.room, ticket.uuid)
    no_note = client.post(page_url, {"action": "status", "status": "resolved"})
    assert no_note.status_code == 400 and "Describe the resolution" in no_note.text
    bogus = client.post(page_url, {"action": "status", "status": "open"})
    assert bogus.status_code == 400 and "Choose one of the statuses listed." in bogus.text
    stranger = client.post(page_url, {"action": "assign", "assignee": str(world.teacher.uuid)})
    assert stranger.status_code == 400 and "Choose one of the people listed." in stranger.text
    unknown = client.post(page_url, {"action": "delete"}, follow=True)
    assert "not recognised" in unknown.text
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == ("open", None)


def test_reopening_a_closed_ticket_needs_a_reason(client, world, ticket):
    services.ticket_set_status(ticket=ticket, status="closed", note="Duplicate", actor=None)
    client.force_login(world.manager)
    page_url = url("manage_ticket", world.room, ticket.uuid)
    refused = client.post(page_url, {"action": "status", "status": "open"})
    assert refused.status_code == 400 and "Say why the ticket is reopened" in refused.text
    client.post(page_url, {"action": "status", "status": "open", "note": "Not a duplicate"})
    ticket.refresh_from_db()
    assert ticket.status == "open"
    assert client.post(page_url, {"action": "assign"}).status_code == 302


def test_a_teacher_cannot_reach_the_management_of_their_own_ticket(client, world, ticket):
    client.force_login(world.teacher)
    page_url = url("manage_ticket", world.room, ticket.uuid)
    assert client.get(page_url).status_code == 403
    assert (
        client.post(page_url, {"action": "status", "status": "closed", "note": "x"}).status_code
        == 403
    )
    ticket.refresh_from_db()
    assert ticket.status == "open"


# --- Sessions ----------------------------------------------------------------------------------


def session_form(**overrides) -> dict:
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    data = {
        "kind": "recorded_lecture",
        "status": "held",
        "title": "Module 1: collaborative tasks",
        "language": "vi",
        "starts_on": yesterday.isoformat(),
        "starts_time": "14:00",
        "duration_minutes": "55",
        "participants": "12",
        "recording_url": "https://video.example/module-1",
        "offering": "",
    }
    data.update(overrides)
    return data


def test_recording_a_session_for_an_offering(client, world, offerings):
    client.force_login(world.admin)
    form = client.get(url("session_new", world.room))
    picker = set(form.context["form"].fields["offering"].queryset)
    assert picker == {offerings["hust"], offerings["other"]}
    response = client.post(
        url("session_new", world.room), session_form(offering=str(offerings["hust"].uuid))
    )
    assert response.status_code == 302
    session = UsageSession.objects.get()
    assert (session.offering, session.language, session.recorded_by) == (
        offerings["hust"],
        "vi",
        world.admin,
    )
    listing = client.get(url("manage_sessions", world.room)).text
    assert (
        "Module 1: collaborative tasks" in listing and "https://video.example/module-1" in listing
    )


def test_ticket_times_are_shown_in_the_classroom_s_local_time(client, world):
    room = classroom(world.hust, slug="hanoi", time_zone="Asia/Ho_Chi_Minh")
    opened = datetime.datetime(2026, 1, 5, 23, 30, tzinfo=datetime.UTC)  # 06:30 on the 6th
    ticket = services.ticket_open(classroom=room, title="Flicker", at=opened, actor=None)
    client.force_login(world.admin)
    page = client.get(url("manage_ticket", room, ticket.uuid)).text
    assert "Jan. 6, 2026, 6:30 a.m." in page


def test_session_times_are_the_classroom_s_local_time(client, world):
    room = classroom(world.hust, slug="hanoi", time_zone="Asia/Ho_Chi_Minh")
    client.force_login(world.admin)
    client.post(url("session_new", room), session_form(starts_on="2025-03-20", starts_time="14:00"))
    session = UsageSession.objects.get()
    assert session.starts_at == datetime.datetime(2025, 3, 20, 7, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"recording_url": "javascript:alert(1)"}, "https:// or http://"),
        ({"duration_minutes": "0"}, "greater than or equal to 1"),
        ({"participants": "-1"}, "greater than or equal to 0"),
        ({"starts_time": "25:00"}, "Enter a time as HH:MM."),
        ({"title": ""}, "This field is required."),
        ({"offering": "00000000-0000-0000-0000-000000000000"}, "Choose one of the offerings"),
        ({"starts_on": "2023-01-01"}, "installed on 2024-11-25"),
        ({"status": "cancelled"}, "held or scheduled"),
    ],
)
def test_bad_session_input_is_refused_with_a_message(client, world, overrides, message):
    client.force_login(world.admin)
    response = client.post(url("session_new", world.room), session_form(**overrides))
    assert response.status_code == 400
    assert message in response.text
    assert not UsageSession.objects.exists()


def test_a_held_session_cannot_end_in_the_future(client, world):
    client.force_login(world.admin)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(url("session_new", world.room), session_form(starts_on=tomorrow))
    assert response.status_code == 400
    assert "must have ended" in response.text
    scheduled = client.post(
        url("session_new", world.room), session_form(starts_on=tomorrow, status="scheduled")
    )
    assert scheduled.status_code == 302
    assert UsageSession.objects.get().status == "scheduled"


def test_an_offering_outside_the_picker_is_refused(client, world, offerings):
    client.force_login(world.admin)
    response = client.post(
        url("session_new", world.room), session_form(offering=str(offerings["unrelated"].uuid))
    )
    assert response.status_code == 400
    assert not UsageSession.objects.exists()


def test_editing_a_session_adds_its_recording_afterwards(client, world):
    session = services.session_record(
        classroom=world.room,
        kind="training",
        title="Training",
        language="en",
        starts_at=timezone.now() - datetime.timedelta(days=2),
        duration_minutes=60,
        actor=world.admin,
    )
    client.force_login(world.manager)
    edit = url("session_edit", world.room, session.uuid)
    page = client.get(edit)
    assert page.status_code == 200
    initial = page.context["form"].initial
    data = session_form(**{k: v for k, v in initial.items() if v is not None})
    data.update(
        starts_on=initial["starts_on"].isoformat(),
        starts_time=initial["starts_time"].strftime("%H:%M"),
        offering="",
        recording_url="https://video.example/training",
    )
    assert client.post(edit, data).status_code == 302
    session.refresh_from_db()
    assert session.recording_url == "https://video.example/training"
    assert Event.objects.filter(verb="session.updated", actor=world.manager).exists()
