"""Two-factor sign-in: a person turns on a TOTP app; from then on the password alone does not
open the account, a current code does, and a recovery code works once."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse

from microcert.accounts import services

PASSWORD = "a-Long-passphrase-42"
pytestmark = pytest.mark.django_db


@pytest.fixture
def assessor():
    return services.user_create(
        email="assessor@uni.example",
        legal_name="Nguyễn Văn Bình",
        password=PASSWORD,
        email_verified=True,
    )


def _code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def _sign_in(client):
    return client.post(
        reverse("account_login"), {"login": "assessor@uni.example", "password": PASSWORD}
    )


def _turn_on_totp(client) -> str:
    # Changing how one signs in asks for the password again, even just after signing in.
    assert client.get(reverse("mfa_activate_totp")).status_code == 302
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    refused = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert refused.status_code == 200 and refused.context["form"].errors
    assert not Authenticator.objects.exists()
    assert client.post(reverse("mfa_activate_totp"), {"code": _code(secret)}).status_code == 302
    return secret


def test_with_totp_on_the_password_alone_does_not_sign_in(client, assessor):
    _sign_in(client)
    secret = _turn_on_totp(client)
    client.logout()

    response = _sign_in(client)

    assert response.status_code == 302
    assert response["Location"].endswith(reverse("mfa_authenticate"))
    assert client.get(reverse("learning:dashboard")).status_code == 302  # not signed in yet
    wrong = client.post(reverse("mfa_authenticate"), {"code": "123456"})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    assert client.post(reverse("mfa_authenticate"), {"code": _code(secret)}).status_code == 302
    assert client.get(reverse("learning:dashboard")).status_code == 200


def test_a_recovery_code_opens_the_account_once(client, assessor):
    _sign_in(client)
    _turn_on_totp(client)
    codes = client.get(reverse("mfa_view_recovery_codes")).context["unused_codes"]
    client.logout()

    _sign_in(client)
    assert client.post(reverse("mfa_authenticate"), {"code": codes[0]}).status_code == 302
    client.logout()
    _sign_in(client)
    again = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert again.status_code == 200 and again.context["form"].errors


def test_the_two_factor_pages_need_a_signed_in_person(client):
    response = client.get(reverse("mfa_index"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
