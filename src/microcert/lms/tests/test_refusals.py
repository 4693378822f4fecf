"""Launches that must be refused: a clear 4xx page, never a 500, and nothing recorded."""

from __future__ import annotations

import base64
import json

import jwt
import pytest

from microcert.learning.models import EvidenceItem
from microcert.lms.models import LmsResult, LtiIdentity, LtiLaunch, LtiResourceLink

from .conftest import platform_form, post_token, start_login
from .platform import CLAIM, new_rsa_key

pytestmark = pytest.mark.django_db


def _nothing_recorded() -> None:
    assert not LtiLaunch.objects.exists()
    assert not LtiIdentity.objects.exists()
    assert not LtiResourceLink.objects.exists()
    assert not LmsResult.objects.exists()
    assert not EvidenceItem.objects.filter(source="lms").exists()


def _refused(response, status: int = 403) -> str:
    assert response.status_code == status, response.content
    page = response.content.decode()
    assert "This launch could not be accepted" in page
    assert "Nothing was recorded" in page
    return page


def test_a_replayed_id_token_is_refused(client, platform, world):
    lineitem = platform.lineitem("quiz-3")
    platform.set_result(lineitem, "moodle-user-42", resultScore=20, resultMaximum=20)
    platform.prepare("lan", lineitem=lineitem)
    login = start_login(client, platform)
    # What an eavesdropper would have taken as well.
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    form = platform_form(login)
    assert client.post("/lti/launch/", form.fields).status_code == 200
    assert EvidenceItem.objects.filter(source="lms").count() == 1

    # The same post again, with the same signed state cookie: the nonce is spent.
    for name, value in cookies.items():
        client.cookies[name] = value
    page = _refused(client.post("/lti/launch/", form.fields))
    assert "already been used" in page
    assert "replay" in page
    # A fresh login does not make the old token valid: its nonce answers another login.
    fresh = start_login(client, platform)
    page = _refused(post_token(client, fresh, form.fields["id_token"]))
    assert "does not answer this login" in page
    assert LtiLaunch.objects.count() == 1
    assert EvidenceItem.objects.filter(source="lms").count() == 1
    assert len(platform.seen.result_requests) == 1


def test_an_expired_token_is_refused(client, platform, registration):
    login = start_login(client, platform)
    token = platform.sign(platform.claims(nonce=login.nonce, issued_ago=900, expires_in=600))
    page = _refused(post_token(client, login, token))
    assert "expired" in page
    _nothing_recorded()


def test_a_token_dated_in_the_future_is_refused(client, platform, registration):
    login = start_login(client, platform)
    token = platform.sign(platform.claims(nonce=login.nonce, issued_ago=-600))
    assert "dated in the future" in _refused(post_token(client, login, token))
    _nothing_recorded()


@pytest.mark.parametrize(
    ("aud", "extra"),
    [
        ("another-tool", {}),
        (["another-tool", "microcert-tool-7"], {}),  # several audiences and no azp
        ("microcert-tool-7", {"azp": "another-tool"}),
    ],
)
def test_a_token_for_another_audience_is_refused(client, platform, registration, aud, extra):
    login = start_login(client, platform)
    token = platform.sign(platform.claims(nonce=login.nonce, aud=aud, **extra))
    assert "meant for another tool" in _refused(post_token(client, login, token))
    _nothing_recorded()


def test_a_token_from_another_issuer_is_refused(client, platform, registration):
    login = start_login(client, platform)
    token = platform.sign(platform.claims(nonce=login.nonce, iss="https://evil.example"))
    assert "another platform" in _refused(post_token(client, login, token))
    _nothing_recorded()


def test_a_token_signed_with_another_key_is_refused(client, platform, registration):
    login = start_login(client, platform)
    # Same kid as the platform's key, but not its key.
    token = platform.sign(platform.claims(nonce=login.nonce), key=new_rsa_key())
    assert "signature does not verify" in _refused(post_token(client, login, token))
    _nothing_recorded()


def test_a_token_signed_with_an_unpublished_key_is_refused(client, platform, registration):
    login = start_login(client, platform)
    token = platform.sign(platform.claims(nonce=login.nonce), key=new_rsa_key(), kid="other")
    assert "key the platform does not publish" in _refused(post_token(client, login, token))
    _nothing_recorded()


def test_a_tampered_claim_is_refused(client, platform, registration):
    login = start_login(client, platform)
    token = platform.sign(platform.claims(nonce=login.nonce, email="someone@hust.example"))
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["email"] = "lan.pham@hust.example"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    page = _refused(post_token(client, login, f"{header}.{forged}.{signature}"))
    assert "signature does not verify" in page
    _nothing_recorded()


def test_an_unknown_deployment_is_refused(client, platform, registration):
    login = start_login(client, platform)
    token = platform.sign(platform.claims(nonce=login.nonce, deployment_id="deployment-9"))
    assert "deployment" in _refused(post_token(client, login, token))
    _nothing_recorded()


def test_a_state_that_is_not_the_logins_is_refused(client, platform, registration):
    login = start_login(client, platform)
    token = platform.sign(platform.claims(nonce=login.nonce))
    _refused(post_token(client, login, token, state="state-of-someone-else"))
    # No state cookie at all: a launch this browser did not start (or a blocked cookie).
    client.cookies.clear()
    page = _refused(post_token(client, login, token))
    assert "new window" in page
    _nothing_recorded()


def test_a_forged_state_cookie_is_refused(client, platform, registration):
    from microcert.lms.lti import state_cookie_name

    login = start_login(client, platform)
    name = state_cookie_name(login.state)
    client.cookies[name] = "eyJzIjoiZm9yZ2VkIn0:1tYxyz:forged-signature"
    token = platform.sign(platform.claims(nonce="my-nonce"))
    assert "altered" in _refused(post_token(client, login, token))
    _nothing_recorded()


@pytest.mark.parametrize(
    ("algorithm", "key"),
    [("HS256", "microcert-tool-7-shared-secret-of-32+bytes"), ("none", None)],
)
def test_tokens_not_signed_with_rs256_are_refused(client, platform, registration, algorithm, key):
    login = start_login(client, platform)
    token = jwt.encode(
        platform.claims(nonce=login.nonce),
        key,
        algorithm=algorithm,
        headers={"kid": platform.kid},
    )
    assert "RS256" in _refused(post_token(client, login, token))
    _nothing_recorded()


@pytest.mark.parametrize(
    ("claims", "status", "message"),
    [
        ({"message_type": "LtiDeepLinkingRequest"}, 400, "resource link launches"),
        ({CLAIM + "version": "1.1"}, 400, "LTI 1.3.0"),
        ({CLAIM + "resource_link": {"title": "no id"}}, 400, "no resource link"),
        ({CLAIM + "roles": None}, 400, "no roles"),
    ],
)
def test_launches_that_are_not_resource_link_launches_are_refused(
    client, platform, registration, claims, status, message
):
    login = start_login(client, platform)
    token = platform.sign(platform.claims(nonce=login.nonce, **claims))
    assert message in _refused(post_token(client, login, token), status)
    _nothing_recorded()


def test_a_token_without_a_nonce_or_expiry_is_refused(client, platform, registration):
    login = start_login(client, platform)
    claims = platform.claims(nonce=login.nonce)
    del claims["exp"]
    assert "“exp”" in _refused(post_token(client, login, platform.sign(claims)))
    _nothing_recorded()


@pytest.mark.parametrize("token", ["", "not-a-jwt", "a.b.c"])
def test_garbage_is_refused_with_a_4xx(client, platform, registration, token):
    login = start_login(client, platform)
    response = post_token(client, login, token)
    assert response.status_code in (400, 403)
    _nothing_recorded()


def test_a_deactivated_platform_is_refused(client, platform, registration):
    login = start_login(client, platform)
    registration.is_active = False
    registration.save()
    token = platform.sign(platform.claims(nonce=login.nonce))
    assert "not registered" in _refused(post_token(client, login, token))


def test_a_launch_is_a_post(client, platform, registration):
    assert client.get("/lti/launch/").status_code == 405


def test_a_platform_whose_keyset_cannot_be_fetched_is_refused_with_502(
    client, platform, registration
):
    registration.key_set_url = "http://127.0.0.1:9/jwks.json"
    registration.save()
    login = start_login(client, platform)
    token = platform.sign(platform.claims(nonce=login.nonce))
    response = post_token(client, login, token)
    assert response.status_code == 502
    assert "could not be fetched" in response.content.decode()


def test_a_fixed_keyset_serves_closed_networks(client, platform, registration):
    registration.key_set_url = ""
    registration.key_set = platform.jwks()
    registration.save()
    login = start_login(client, platform)
    token = platform.sign(platform.claims(nonce=login.nonce, spec=None))
    response = post_token(client, login, token)
    assert response.status_code == 200
    assert LtiLaunch.objects.count() == 1


def test_a_full_launch_through_the_platform_still_refuses_an_expired_token(
    client, platform, registration
):
    # The platform's clock is an hour behind: what it signs arrives expired.
    platform.prepare("lan", issued_ago=3600, expires_in=300)
    login = start_login(client, platform)
    form = platform_form(login)
    assert form.fields["state"] == login.state
    assert "expired" in _refused(client.post("/lti/launch/", form.fields))
    _nothing_recorded()


def test_odd_characters_in_state_and_nonce_are_refused_not_crashed(client, platform, registration):
    login = start_login(client, platform)
    token = platform.sign(platform.claims(nonce="nonce-ñ-😀"))
    _refused(post_token(client, login, token))
    _refused(post_token(client, login, token, state="état-😀"))
    _nothing_recorded()


@pytest.mark.parametrize(
    "key_set",
    [
        {"keys": [{"kty": "RSA", "kid": "platform-key-2026", "n": "!!!", "e": "AQAB"}]},
        {"keys": [{"kty": "EC", "kid": "platform-key-2026", "crv": "P-256"}]},
        {"keys": "not a list"},
        ["not", "an", "object"],
    ],
)
def test_a_broken_fixed_keyset_refuses_with_a_4xx(client, platform, registration, key_set):
    registration.key_set = key_set
    registration.save()
    login = start_login(client, platform)
    token = platform.sign(platform.claims(nonce=login.nonce))
    assert post_token(client, login, token).status_code == 403
    _nothing_recorded()
