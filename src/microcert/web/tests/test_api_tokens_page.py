"""People make and revoke their own REST API tokens; the secret is shown once."""

import pytest
from django.urls import reverse

from microcert.accounts import services
from microcert.accounts.models import PersonalToken, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def lan(demo_people):
    return User.objects.get(email="lan.pham@hust.example")


@pytest.fixture
def demo_people(db):
    from microcert.demo.services import demo_load

    demo_load(credentials=False)


def test_a_new_token_is_shown_once_and_works_against_the_api(client, lan):
    client.force_login(lan)
    response = client.post(
        reverse("web:api_tokens"), {"action": "create", "name": "grading script", "days": "30"}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = response.context["new_token"]
    assert token in response.content.decode()
    assert client.get(reverse("web:api_tokens")).content.decode().count(token) == 0

    me = client.__class__().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.status_code == 200
    assert me.json()["email"] == lan.email


def test_revoking_stops_the_token(client, lan):
    token, secret = services.personal_token_create(person=lan, name="sync", actor=lan)
    client.force_login(lan)
    client.post(reverse("web:api_tokens"), {"action": "revoke", "token": token.pk})
    assert PersonalToken.objects.get(pk=token.pk).revoked_at is not None
    refused = client.__class__().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert refused.status_code == 401


def test_nobody_revokes_someone_elses_token(client, lan):
    token, _secret = services.personal_token_create(person=lan, name="sync", actor=lan)
    client.force_login(User.objects.get(email="hung.le@hust.example"))
    for value in (token.pk, "x", ""):
        response = client.post(reverse("web:api_tokens"), {"action": "revoke", "token": value})
        assert response.status_code == 404
    assert PersonalToken.objects.get(pk=token.pk).revoked_at is None


def test_a_token_needs_a_name_and_a_known_validity(client, lan):
    client.force_login(lan)
    response = client.post(
        reverse("web:api_tokens"), {"action": "create", "name": " ", "days": "7"}
    )
    assert response.status_code == 400
    assert not PersonalToken.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("web:api_tokens"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
