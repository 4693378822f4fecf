"""The Smart Classroom API: public reads without credentials, the rest for those allowed, and
every refusal a 4xx with a JSON ``detail``."""

import datetime

import pytest
from django.utils import timezone

from microcert.accounts import services as account_services
from microcert.classrooms import services
from microcert.classrooms.models import MaintenanceTicket, UsageSession

from .factories import classroom, hours_ago

pytestmark = pytest.mark.django_db

BASE = "/api/v1/classrooms"


class Api:
    def __init__(self, client, person=None) -> None:
        self.client = client
        self.headers = {}
        if person is not None:
            _token, secret = account_services.personal_token_create(
                person=person, name="test", actor=None
            )
            self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path: str, **params):
        return self.client.get(BASE + path, params, headers=self.headers)

    def post(self, path: str, body: dict):
        return self.client.post(
            BASE + path, body, content_type="application/json", headers=self.headers
        )


@pytest.fixture
def camera(world):
    return services.equipment_add(
        classroom=world.room,
        kind="camera",
        vendor="Vistacam",
        serial="VC-1",
        label="Rear camera",
        actor=None,
    )


def test_anyone_lists_and_reads_public_classrooms(client, world, camera, offerings):
    classroom(world.hust, slug="private", is_public=False)
    mongolian = classroom(world.other, slug="ulaanbaatar")
    services.session_record(
        classroom=world.room,
        kind="recorded_lecture",
        title="Lecture",
        starts_at=hours_ago(3),
        duration_minutes=50,
        offering=offerings["hust"],
        recording_url="https://v.example/x",
        actor=None,
    )
    anyone = Api(client)
    listing = anyone.get("")
    assert listing.status_code == 200
    assert {c["slug"] for c in listing.json()["items"]} == {"hust-room", "ulaanbaatar"}
    assert [c["slug"] for c in anyone.get("", country="mn").json()["items"]] == [mongolian.slug]
    assert [c["slug"] for c in anyone.get("", host="hust").json()["items"]] == ["hust-room"]

    detail = anyone.get("/hust-room")
    assert detail.status_code == 200
    body = detail.json()
    assert body["sponsor"]["slug"] == "centre"
    assert body["equipment"] == [{"kind": "camera", "in_service": 1, "under_repair": 0}]
    [session] = body["recent_sessions"]
    assert session["offering"]["uuid"] == str(offerings["hust"].uuid)
    assert "VC-1" not in detail.text and "recording_url" not in session


def test_a_private_or_unknown_classroom_is_not_found_publicly(client, world):
    classroom(world.hust, slug="private", is_public=False)
    for slug in ("private", "nowhere"):
        response = Api(client).get(f"/{slug}")
        assert response.status_code == 404
        assert "detail" in response.json()
    # Not even for its own manager: the public read shows public classrooms only.
    assert Api(client, world.admin).get("/private").status_code == 404


def test_list_parameters_are_checked(client, world):
    assert Api(client).get("", country="Viet Nam").status_code == 422
    assert Api(client).get("", limit=0).status_code == 422


def test_the_inventory_is_for_managers(client, world, camera):
    assert Api(client).get("/hust-room/equipment").status_code == 401
    for person in (world.teacher, world.other_admin):
        response = Api(client, person).get("/hust-room/equipment")
        assert response.status_code == 403 and response.json()["detail"]
    response = Api(client, world.admin).get("/hust-room/equipment")
    assert response.status_code == 200
    [item] = response.json()
    assert (item["serial"], item["warranty"], item["open_tickets"]) == ("VC-1", "none", 0)
    private = classroom(world.hust, slug="private", is_public=False)
    assert Api(client, world.other_admin).get(f"/{private.slug}/equipment").status_code == 404


def test_a_teacher_opens_a_ticket_and_reads_only_their_own(client, world, camera):
    teacher = Api(client, world.teacher)
    response = teacher.post(
        "/hust-room/tickets",
        {"title": "No picture", "equipment": str(camera.uuid), "priority": "high"},
    )
    assert response.status_code == 201
    created = response.json()
    assert (created["status"], created["equipment"]["label"]) == ("open", "Rear camera")
    services.ticket_open(classroom=world.room, title="Someone else's", actor=world.teacher2)
    assert [t["title"] for t in teacher.get("/hust-room/tickets").json()["items"]] == ["No picture"]
    assert teacher.get(f"/hust-room/tickets/{created['uuid']}").status_code == 200
    others = Api(client, world.teacher2).get(f"/hust-room/tickets/{created['uuid']}")
    assert others.status_code == 404
    managers = Api(client, world.manager).get("/hust-room/tickets")
    assert managers.json()["count"] == 2


def test_ticket_refusals(client, world, camera):
    other_room = classroom(world.other, slug="elsewhere")
    foreign = services.equipment_add(classroom=other_room, kind="pc", vendor="N", actor=None)
    teacher = Api(client, world.teacher)
    wrong_item = teacher.post("/hust-room/tickets", {"title": "x", "equipment": str(foreign.uuid)})
    assert wrong_item.status_code == 400 and wrong_item.json()["detail"]
    assert teacher.post("/hust-room/tickets", {"title": ""}).status_code == 422
    assert (
        Api(client, world.other_teacher).post("/hust-room/tickets", {"title": "x"}).status_code
        == 403
    )
    assert Api(client).post("/hust-room/tickets", {"title": "x"}).status_code == 401
    services.classroom_update(classroom=world.room, status="closed", actor=None)
    closed = teacher.post("/hust-room/tickets", {"title": "x"})
    assert closed.status_code == 409 and "in service" in closed.json()["detail"]
    assert not MaintenanceTicket.objects.exists()


def test_managers_change_a_ticket_s_status(client, world):
    ticket = services.ticket_open(classroom=world.room, title="Echo", actor=world.teacher)
    path = f"/hust-room/tickets/{ticket.uuid}/status"
    assert (
        Api(client, world.teacher).post(path, {"status": "closed", "note": "x"}).status_code == 403
    )
    admin = Api(client, world.admin)
    no_note = admin.post(path, {"status": "resolved"})
    assert no_note.status_code == 400 and "resolution" in no_note.json()["detail"]
    resolved = admin.post(path, {"status": "resolved", "note": "Recalibrated"})
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    again = admin.post(path, {"status": "resolved", "note": "Again"})
    assert again.status_code == 409
    assert admin.post(path, {"status": "done"}).status_code == 422


def test_managers_record_and_list_sessions(client, world, offerings):
    admin = Api(client, world.admin)
    start = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    response = admin.post(
        "/hust-room/sessions",
        {
            "kind": "recorded_lecture",
            "title": "Bài giảng 1",
            "language": "vi",
            "starts_at": start,
            "duration_minutes": 45,
            "participants": 10,
            "recording_url": "https://video.example/1",
            "offering": str(offerings["hust"].uuid),
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["recorded_by"]["uuid"] == str(world.admin.uuid)
    listing = admin.get("/hust-room/sessions")
    assert listing.json()["items"][0]["recording_url"] == "https://video.example/1"
    assert Api(client, world.teacher).get("/hust-room/sessions").status_code == 403


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"starts_at": "2030-01-01T09:00:00+07:00"}, 400, "must have ended"),
        ({"recording_url": "javascript:alert(1)"}, 400, "https://"),
        ({"starts_at": "2025-01-01T09:00:00"}, 400, "time zone"),
        ({"offering": "00000000-0000-0000-0000-000000000000"}, 404, "offering"),
        ({"duration_minutes": 0}, 422, None),
        ({"status": "cancelled"}, 422, None),
    ],
)
def test_session_refusals(client, world, body, status, words):
    payload = {
        "kind": "training",
        "title": "Training",
        "duration_minutes": 30,
        "starts_at": hours_ago(5).isoformat(),
    }
    payload.update(body)
    response = Api(client, world.admin).post("/hust-room/sessions", payload)
    assert response.status_code == status
    if words:
        assert words in response.json()["detail"]
    assert not UsageSession.objects.exists()


def test_a_planned_classroom_records_no_session(client, world):
    classroom(world.hust, slug="planned", status="planned", installed_on=None, launched_on=None)
    response = Api(client, world.admin).post(
        "/planned/sessions",
        {
            "kind": "training",
            "title": "T",
            "duration_minutes": 30,
            "starts_at": hours_ago(5).isoformat(),
        },
    )
    assert response.status_code == 409


def test_the_operations_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/classrooms/{slug}/tickets/{ticket_id}/status" in paths
    assert paths["/api/v1/classrooms"]["get"].get("security") in (None, [], [{}])
