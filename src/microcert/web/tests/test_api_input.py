"""What the REST API refuses before any operation runs: a NUL character, which no text column
of PostgreSQL can store, answers 422 naming where it was, in the query, the JSON body (keys
included) and form fields, and changes nothing."""

import json

import pytest
from django.test import Client

from microcert.accounts import services as account_services
from microcert.learning.models import SelfAssessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> Client:
    person = account_services.user_create(email="nul@example.org", legal_name="Nul Tester")
    _token, secret = account_services.personal_token_create(person=person, name="t", actor=None)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_a_nul_character_in_a_query_value_is_refused_with_its_place(api):
    response = api.get("/api/v1/offerings", {"micro_credential": "ai\x00literacy"})
    assert response.status_code == 422
    (problem,) = response.json()["detail"]
    assert problem["loc"] == ["query", "micro_credential"] and "NUL" in problem["msg"]


def test_a_nul_character_in_a_json_body_is_refused_and_nothing_is_made(api):
    response = api.post(
        "/api/v1/self-assessments",
        json.dumps({"framework": "digcompedu\u0000"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "framework"]
    assert not SelfAssessment.objects.exists()


def test_a_nul_character_in_a_key_or_a_nested_list_is_found_too(api):
    body = {"framework": "digcompedu", "notes": [{"ok": "fine"}, {"k\u0000": "x"}]}
    response = api.post("/api/v1/self-assessments", json.dumps(body), "application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "notes", 1]


def test_ordinary_text_in_every_script_passes_through(api):
    response = api.get("/api/v1/offerings", {"micro_credential": "Tổ chức học tập 协作 été"})
    assert response.status_code == 200
