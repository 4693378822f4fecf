"""The login initiation, the tool's JWKS and its keys at rest."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from django.http import HttpRequest

from microcert.core.models import Event
from microcert.lms import keys, selectors, services
from microcert.lms.lti import STATE_SALT, state_cookie_name
from microcert.lms.models import LtiPlatform, LtiToolKey

from .conftest import login_params

pytestmark = pytest.mark.django_db


def test_login_redirects_to_the_platform_with_state_and_nonce(client, platform, registration):
    response = client.get("/lti/login/", login_params(platform, "lan"))

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == platform.auth_url
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert query["scope"] == "openid"
    assert query["response_type"] == "id_token"
    assert query["response_mode"] == "form_post"
    assert query["prompt"] == "none"
    assert query["client_id"] == platform.client_id
    assert query["redirect_uri"] == "http://testserver/lti/launch/"
    assert query["login_hint"] == "lan"
    assert query["lti_message_hint"] == "resource-link-77"
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    # The state travels in a signed, HTTP-only cookie bound to /lti/.
    cookie = response.cookies[state_cookie_name(query["state"])]
    assert cookie["httponly"] and cookie["path"] == "/lti/"
    request = HttpRequest()
    request.COOKIES = {cookie.key: cookie.value}
    value = request.get_signed_cookie(cookie.key, salt=STATE_SALT)
    assert query["nonce"] in value
    assert response["Cache-Control"].startswith("max-age=0")


def test_login_over_https_sets_a_cross_site_cookie(client, platform, registration):
    response = client.post("/lti/login/", login_params(platform, "lan"), secure=True)
    [cookie] = response.cookies.values()
    assert cookie["secure"] and cookie["samesite"] == "None"
    assert "https://testserver/lti/launch/" in response["Location"].replace("%3A", ":").replace(
        "%2F", "/"
    )


def test_two_logins_keep_two_states(client, platform, registration):
    client.get("/lti/login/", login_params(platform, "lan"))
    client.get("/lti/login/", login_params(platform, "lan"))
    assert len([c for c in client.cookies if c.startswith("lti1p3-")]) == 2


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"iss": ""}, 400, "issuer and a login hint"),
        ({"login_hint": ""}, 400, "issuer and a login hint"),
        ({"iss": "https://unknown.example"}, 403, "not registered"),
        ({"client_id": "someone-else"}, 403, "not registered"),
        ({"lti_deployment_id": "deployment-9"}, 403, "deployment"),
    ],
)
def test_login_refusals(client, platform, registration, change, status, message):
    response = client.get("/lti/login/", login_params(platform, "lan") | change)
    assert response.status_code == status
    assert message in response.content.decode()
    assert not response.cookies


def test_login_without_client_id_needs_a_single_registration(client, platform, registration):
    params = login_params(platform, "lan")
    del params["client_id"]
    assert client.get("/lti/login/", params).status_code == 302
    LtiPlatform.objects.create(
        name="Second registration",
        organisation=registration.organisation,
        issuer=registration.issuer,
        client_id="another-client",
        auth_login_url=registration.auth_login_url,
        auth_token_url=registration.auth_token_url,
        key_set_url=registration.key_set_url,
    )
    response = client.get("/lti/login/", params)
    assert response.status_code == 400
    assert "client ID" in response.content.decode()


def test_jwks_publishes_the_public_half_only(client, db):
    response = client.get("/lti/jwks.json")
    assert response.status_code == 200
    [jwk] = response.json()["keys"]
    assert jwk["kty"] == "RSA" and jwk["alg"] == "RS256" and jwk["use"] == "sig"
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(jwk)
    key = LtiToolKey.objects.get()
    assert jwk["kid"] == key.kid
    # A second request does not make another key.
    assert client.get("/lti/jwks.json").json()["keys"] == [jwk]
    assert Event.objects.filter(verb="lti.tool_key_created").count() == 1


def test_the_private_key_is_stored_encrypted_and_signs_what_the_jwks_verifies(client, db):
    key = services.tool_key_ensure()
    stored = bytes(key.encrypted_private_key)
    assert b"PRIVATE KEY" not in stored
    assert repr(key) == f"<LtiToolKey {key.pk} {key.kid}>"
    pem = keys.private_key_pem(key)
    token = jwt.encode({"sub": "x"}, pem, algorithm="RS256", headers={"kid": key.kid})
    [jwk] = client.get("/lti/jwks.json").json()["keys"]
    assert jwt.decode(token, jwt.PyJWK(jwk), algorithms=["RS256"]) == {"sub": "x"}


def test_rotation_keeps_the_retired_key_published_for_a_while(client, db):
    from datetime import timedelta

    from django.utils import timezone

    first = services.tool_key_ensure()
    second = services.tool_key_rotate(actor=None)
    kids = [k["kid"] for k in client.get("/lti/jwks.json").json()["keys"]]
    assert kids == [second.kid, first.kid]
    assert selectors.active_tool_key() == second
    later = timezone.now() + selectors.RETIRED_KEY_PUBLISHED + timedelta(minutes=1)
    assert list(selectors.published_tool_keys(later)) == [second]
    assert Event.objects.filter(verb="lti.tool_key_rotated").count() == 1


def test_a_key_bound_to_another_kid_does_not_decrypt(db):
    from microcert.credentials.keystore import KeyDecryptionError

    key = services.tool_key_ensure()
    other = services.tool_key_rotate(actor=None)
    other.encrypted_private_key = key.encrypted_private_key
    with pytest.raises(KeyDecryptionError):
        keys.private_key_pem(other)
