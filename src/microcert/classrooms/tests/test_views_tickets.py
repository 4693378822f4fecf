"""Teachers of the host institution report problems and follow the tickets they opened;
nobody else reads them."""

import pytest
from django.urls import reverse

from microcert.classrooms import services
from microcert.classrooms.models import Equipment, MaintenanceTicket

from .factories import classroom

pytestmark = pytest.mark.django_db


def url(name: str, room, *args) -> str:
    return reverse(f"classrooms:{name}", args=[room.slug, *args])


@pytest.fixture
def camera(world) -> Equipment:
    return services.equipment_add(
        classroom=world.room,
        kind="camera",
        label="Rear camera",
        vendor="Vistacam",
        serial="VC-SECRET-1",
        actor=None,
    )


def test_a_teacher_reports_a_problem_about_an_item(client, world, camera):
    client.force_login(world.teacher)
    form = client.get(url("ticket_new", world.room))
    assert form.status_code == 200
    assert "Rear camera" in form.text
    assert "VC-SECRET-1" not in form.text  # teachers pick by type and label, not serial
    assert "mark_under_repair" not in form.text

    response = client.post(
        url("ticket_new", world.room),
        {
            "title": "No picture",
            "equipment": str(camera.uuid),
            "priority": "high",
            "description": "Black screen since Monday.",
            "mark_under_repair": "on",
        },
    )
    ticket = MaintenanceTicket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("ticket", world.room, ticket.uuid)
    assert (ticket.opened_by, ticket.equipment, ticket.priority) == (world.teacher, camera, "high")
    camera.refresh_from_db()
    assert camera.status == "in_service"  # a teacher cannot take it out of service
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Black screen since Monday." in page.text
    assert "No picture" in client.get(url("my_tickets", world.room)).text


def test_bad_input_is_refused_with_messages_and_stores_nothing(client, world, camera):
    client.force_login(world.teacher)
    other_room = classroom(world.other, slug="elsewhere")
    foreign = services.equipment_add(
        classroom=other_room, kind="pc", vendor="Northbridge", actor=None
    )
    response = client.post(
        url("ticket_new", world.room),
        {"title": "", "equipment": str(foreign.uuid), "priority": "whenever"},
    )
    assert response.status_code == 400
    assert "Choose one of the items listed." in response.text
    assert "This field is required." in response.text
    assert "Nothing was saved" in response.text
    assert not MaintenanceTicket.objects.exists()


def test_a_closed_classroom_takes_no_ticket_and_says_why(client, world):
    services.classroom_update(classroom=world.room, status="closed", actor=None)
    client.force_login(world.teacher)
    response = client.post(url("ticket_new", world.room), {"title": "x", "priority": "low"})
    assert response.status_code == 400
    assert "being installed or in service" in response.text
    assert not MaintenanceTicket.objects.exists()


def test_only_the_host_s_teachers_and_managers_report_problems(client, world):
    assert client.get(url("ticket_new", world.room)).status_code == 302  # sign in first
    for outsider in (world.other_teacher, world.stranger, world.assessor):
        client.force_login(outsider)
        assert client.get(url("ticket_new", world.room)).status_code == 403
        assert client.post(url("ticket_new", world.room), {"title": "x"}).status_code == 403
        assert client.get(url("my_tickets", world.room)).status_code == 403
    private = classroom(world.hust, slug="private", is_public=False)
    client.force_login(world.other_teacher)
    assert client.get(url("ticket_new", private)).status_code == 404
    assert not MaintenanceTicket.objects.exists()


def test_a_teacher_sees_only_the_tickets_they_opened(client, world):
    mine = services.ticket_open(classroom=world.room, title="Mine", actor=world.teacher)
    theirs = services.ticket_open(classroom=world.room, title="Theirs", actor=world.teacher2)
    client.force_login(world.teacher)
    listing = client.get(url("my_tickets", world.room)).text
    assert "Mine" in listing and "Theirs" not in listing
    assert client.get(url("ticket", world.room, theirs.uuid)).status_code == 404
    assert client.get(url("ticket", world.room, mine.uuid)).status_code == 200


def test_a_manager_reporting_a_problem_can_take_the_item_out_of_service(client, world, camera):
    client.force_login(world.admin)
    response = client.post(
        url("ticket_new", world.room),
        {
            "title": "Dead",
            "equipment": str(camera.uuid),
            "priority": "urgent",
            "mark_under_repair": "on",
        },
    )
    ticket = MaintenanceTicket.objects.get()
    assert response["Location"] == url("manage_ticket", world.room, ticket.uuid)
    camera.refresh_from_db()
    assert camera.status == "under_repair"
    # A manager following the teachers' address is sent to the management page.
    assert client.get(url("ticket", world.room, ticket.uuid))["Location"] == url(
        "manage_ticket", world.room, ticket.uuid
    )
