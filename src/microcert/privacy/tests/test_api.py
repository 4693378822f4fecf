"""The privacy API: the caller's own export and erasure, with the usual refusals."""

import io
import json
import zipfile

import pytest

from microcert.accounts import services as account_services
from microcert.accounts.models import User
from microcert.core.models import Event
from microcert.privacy.models import ErasureRequest

from .builders import LAN_EMAIL, PASSWORD

API = "/api/v1/privacy"


@pytest.fixture
def lan(db) -> User:
    from microcert.demo.services import demo_load

    demo_load(credentials=False)
    for person in User.objects.all():
        person.set_password(PASSWORD)
        person.save(update_fields=["password"])
    return User.objects.get(email=LAN_EMAIL)


def _bearer(person: User) -> dict[str, str]:
    _token, secret = account_services.personal_token_create(
        person=person, name="privacy test", actor=person
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _erasure(client, auth: dict, **body):
    return client.post(f"{API}/erasure", json.dumps(body), content_type="application/json", **auth)


def test_without_credentials_the_answer_is_401(client, lan):
    assert client.get(f"{API}/export").status_code == 401
    response = _erasure(client, {}, email=LAN_EMAIL, password=PASSWORD)
    assert response.status_code == 401 and "detail" in response.json()


def test_the_export_is_the_callers_own_archive(client, lan):
    response = client.get(f"{API}/export", **_bearer(lan))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert json.loads(archive.read("profile.json"))["email"] == LAN_EMAIL
    assert Event.objects.filter(verb="person.exported", actor=lan).exists()


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"email": "someone@else.example", "password": PASSWORD}, 400),
        ({"email": LAN_EMAIL, "password": "not-it"}, 400),
        ({"email": LAN_EMAIL}, 422),
        ({"email": LAN_EMAIL, "password": PASSWORD, "revoke_credentials": "perhaps"}, 422),
    ],
)
def test_bad_input_changes_nothing(client, lan, body, status):
    response = _erasure(client, _bearer(lan), **body)
    assert response.status_code == status and response.json()["detail"]
    lan.refresh_from_db()
    assert lan.is_active and not ErasureRequest.objects.exists()


def test_too_many_wrong_passwords_answer_429(client, lan):
    auth = _bearer(lan)
    for _attempt in range(5):
        assert _erasure(client, auth, email=LAN_EMAIL, password="guess").status_code == 400
    response = _erasure(client, auth, email=LAN_EMAIL, password=PASSWORD)
    assert response.status_code == 429
    lan.refresh_from_db()
    assert lan.is_active


def test_the_caller_is_erased_and_their_token_stops_working(
    client, lan, django_capture_on_commit_callbacks
):
    auth = _bearer(lan)
    with django_capture_on_commit_callbacks(execute=True):
        response = _erasure(client, auth, email=LAN_EMAIL, password=PASSWORD, note="Bye")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "done" and body["blockers"] == [] and body["carried_out_at"]
    request = ErasureRequest.objects.get(uuid=body["request"])
    assert request.channel == "api" and request.reason.endswith("Bye")
    assert client.get(f"{API}/export", **auth).status_code == 401


def test_a_blocked_erasure_is_kept_and_answers_202(client, lan):
    manager = User.objects.get(email="manager@centre.example")
    response = _erasure(client, _bearer(manager), email=manager.email, password=PASSWORD)
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending" and body["carried_out_at"] is None
    assert any("last programme manager" in blocker for blocker in body["blockers"])
    manager.refresh_from_db()
    assert manager.is_active
