"""Staff pages of the registration, the key command, and housekeeping."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from microcert.core.models import Event
from microcert.lms import services
from microcert.lms.models import LtiDeployment, LtiLaunch, LtiPlatform, LtiToolKey

from .conftest import post_token, start_login

pytestmark = pytest.mark.django_db


def test_staff_register_a_platform_and_see_what_to_give_it(admin_client, organisation):
    response = admin_client.get("/en/admin/lms/ltiplatform/add/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "https://microcert.test/lti/login/" in page
    assert "https://microcert.test/lti/launch/" in page
    assert "https://microcert.test/lti/jwks.json" in page

    response = admin_client.post(
        "/en/admin/lms/ltiplatform/add/",
        {
            "name": "UT Canvas",
            "organisation": organisation.pk,
            "is_active": "on",
            "issuer": "https://canvas.instructure.com",
            "client_id": "10000000000042",
            "auth_login_url": "https://sso.canvaslms.com/api/lti/authorize_redirect",
            "auth_token_url": "https://sso.canvaslms.com/login/oauth2/token",
            "auth_audience": "",
            "key_set_url": "https://sso.canvaslms.com/api/lti/security/jwks",
            "key_set": "",
            "deployments-TOTAL_FORMS": "1",
            "deployments-INITIAL_FORMS": "0",
            "deployments-0-deployment_id": "42:8865aa05b4b79b64a91a86042e43af5ea8ae79eb",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    platform = LtiPlatform.objects.get(client_id="10000000000042")
    assert LtiDeployment.objects.get(platform=platform).deployment_id.startswith("42:")
    assert Event.objects.filter(verb="admin.created", object_type="lms.ltiplatform").exists()


def test_a_platform_needs_a_keyset(admin_client, organisation):
    response = admin_client.post(
        "/en/admin/lms/ltiplatform/add/",
        {
            "name": "No keys",
            "organisation": organisation.pk,
            "issuer": "https://lms.example",
            "client_id": "abc",
            "auth_login_url": "https://lms.example/auth",
            "auth_token_url": "https://lms.example/token",
            "key_set": '{"not": "a keyset"}',
            "deployments-TOTAL_FORMS": "0",
            "deployments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert not LtiPlatform.objects.exists()


def test_the_key_pages_show_no_secret_and_rotation_goes_through_the_service(admin_client):
    key = services.tool_key_ensure()
    page = admin_client.get(f"/en/admin/lms/ltitoolkey/{key.pk}/change/").content.decode()
    assert key.kid in page
    assert "encrypted_private_key" not in page
    assert "PRIVATE KEY" not in page
    listing = admin_client.get("/en/admin/lms/ltitoolkey/").content.decode()
    assert "Rotate the tool key" in listing

    response = admin_client.post("/en/admin/lms/ltitoolkey/rotate/")
    assert response.status_code == 302
    assert LtiToolKey.objects.filter(is_active=True).exclude(pk=key.pk).count() == 1
    assert Event.objects.filter(verb="lti.tool_key_rotated").count() == 1
    assert admin_client.get("/en/admin/lms/ltitoolkey/rotate/").status_code == 405


def test_launches_and_results_are_read_only(admin_client):
    assert admin_client.get("/en/admin/lms/ltilaunch/add/").status_code == 403
    assert admin_client.get("/en/admin/lms/lmsresult/add/").status_code == 403
    assert admin_client.get("/en/admin/lms/ltilaunch/").status_code == 200
    assert admin_client.get("/en/admin/lms/lmsresult/").status_code == 200


def test_the_key_command(db):
    out = StringIO()
    call_command("lti_tool_key", stdout=out)
    first = LtiToolKey.objects.get()
    assert f"active key: {first.kid}" in out.getvalue()
    out = StringIO()
    call_command("lti_tool_key", "--rotate", "--purge", stdout=out)
    assert LtiToolKey.objects.count() == 2
    assert "launches forgotten: 0" in out.getvalue()
    assert "PRIVATE" not in out.getvalue()


def test_expired_launches_are_purged_but_live_nonces_kept(client, platform, registration):
    login = start_login(client, platform)
    token = platform.sign(platform.claims(nonce=login.nonce, spec=None))
    assert post_token(client, login, token).status_code == 200
    assert services.launches_purge() == 0
    later = timezone.now() + datetime.timedelta(hours=1)
    assert services.launches_purge(now=later) == 1
    assert not LtiLaunch.objects.exists()


def test_a_token_valid_for_days_is_refused(client, platform, registration):
    login = start_login(client, platform)
    token = platform.sign(platform.claims(nonce=login.nonce, expires_in=3 * 24 * 3600))
    response = post_token(client, login, token)
    assert response.status_code == 403
    assert "valid for too long" in response.content.decode()
