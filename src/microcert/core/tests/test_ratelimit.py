"""Rate limits: a client over its budget gets 429 with Retry-After and nothing runs; other
clients, other doors and the next window are not affected."""

from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.urls import reverse

from microcert.core import ratelimit
from microcert.core.ratelimit import Rule, client_address

pytestmark = pytest.mark.django_db


class Clock:
    """The limiter's clock, held ten seconds into a window (windows are fixed: with the real
    clock a test whose requests straddle a minute's end would find its count reset)."""

    def __init__(self) -> None:
        self.now = 1_800_000_010.0  # 1,800,000,000 is a multiple of 60 and of 3,600

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    held = Clock()
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=held.time))
    return held


@pytest.fixture
def limits(settings, clock):
    cache.clear()
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {
        "verify": {"methods": ["POST"], "path": r"^/(credentials/verify|verify/)", "rate": "3/m"},
        "api": {"path": r"^/api/", "rate": "2/m", "per": "user"},
        "sign-in": {"methods": ["POST"], "path": r"^/accounts/login/", "rate": "2/m"},
    }
    yield settings
    cache.clear()


def test_the_verification_api_answers_429_in_json_after_the_budget(client, limits):
    answers = [
        client.post("/credentials/verify", "{}", content_type="application/json") for _ in range(4)
    ]
    assert all(a.status_code != 429 for a in answers[:3])
    refused = answers[3]
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("Too many requests")
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_the_verification_page_counts_under_every_language_prefix(client, limits):
    for language in ("en", "vi", "fr"):
        client.post(f"/{language}/verify/", {"credential": "{}"})
    refused = client.post("/zh-hans/verify/", {"credential": "{}"})
    assert refused.status_code == 429
    assert refused["Content-Type"].startswith("text/plain")


def test_another_address_has_its_own_budget(client, limits):
    for _ in range(3):
        client.post("/credentials/verify", "{}", content_type="application/json")
    other = client.post(
        "/credentials/verify", "{}", content_type="application/json", REMOTE_ADDR="192.0.2.7"
    )
    assert other.status_code != 429


def test_signing_in_is_limited_before_any_password_is_checked(client, limits):
    for _ in range(2):
        client.post(reverse("account_login"), {"login": "x@example.org", "password": "wrong"})
    assert (
        client.post(reverse("account_login"), {"login": "x@example.org", "password": "w"})
    ).status_code == 429


def test_the_next_window_has_a_fresh_budget(client, limits, clock):
    for _ in range(3):
        client.post(reverse("account_login"), {"login": "x@example.org", "password": "wrong"})
    refused = client.post(reverse("account_login"), {"login": "x@example.org", "password": "w"})
    assert refused.status_code == 429 and refused["Retry-After"] == "50"
    clock.now += 50
    again = client.post(reverse("account_login"), {"login": "x@example.org", "password": "w"})
    assert again.status_code == 200


def test_reading_pages_is_not_counted_by_a_post_only_rule(client, limits):
    for _ in range(5):
        assert client.get("/en/verify/").status_code == 200


def test_a_forwarded_address_is_trusted_only_behind_the_configured_proxies(rf, settings):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.2", REMOTE_ADDR="10.0.0.1")
    settings.TRUSTED_PROXIES = 0
    assert client_address(request) == "10.0.0.1"  # a client could have written the header
    settings.TRUSTED_PROXIES = 1
    assert client_address(request) == "198.51.100.2"
    settings.TRUSTED_PROXIES = 2
    assert client_address(request) == "203.0.113.9"


@pytest.mark.parametrize("rate", ["60", "60/d", "x/m", ""])
def test_a_malformed_budget_is_a_configuration_error(rate):
    with pytest.raises(ValueError, match="60/m"):
        Rule.parse("broken", {"path": "^/", "rate": rate})


def test_the_api_counts_per_signed_in_person(client, limits):
    from microcert.accounts import services

    ana, ben = (
        services.user_create(email=f"{n}@uni.example", legal_name=n, password="pw-Long-42")
        for n in ("ana", "ben")
    )
    client.force_login(ana)
    assert [client.get("/api/v1/plans").status_code for _ in range(3)][-1] == 429
    client.force_login(ben)
    assert client.get("/api/v1/plans").status_code == 200
