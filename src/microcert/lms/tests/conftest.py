"""Fixtures of the LTI tests: a real platform over HTTP, its registration, a teacher with an
open submission, and a browser that goes through login → platform → launch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings

from microcert.accounts.models import User
from microcert.catalog.models import SpecificationVersion
from microcert.learning import services as learning_services
from microcert.learning.models import Submission
from microcert.lms import services
from microcert.lms.models import LtiDeployment, LtiPlatform
from microcert.network.models import Organisation

from .platform import AutoPostForm, Platform

SPEC = "organise-and-facilitate-online-collaborative-learning"
LAUNCH_URL = "http://testserver/lti/launch/"
LOCMEM_EMAIL = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(scope="session")
def running_platform():
    platform = Platform().start()
    yield platform
    platform.stop()


@pytest.fixture
def platform(running_platform: Platform) -> Platform:
    running_platform.reset()
    cache.clear()
    yield running_platform
    cache.clear()


def register(platform: Platform, organisation: Organisation, client: Client) -> LtiPlatform:
    """Both halves of a registration: the platform in our admin, the tool in the platform
    (which fetches the tool's JWKS, here through the test client: the thread serving the
    platform cannot see this test's uncommitted rows)."""
    registration = LtiPlatform.objects.create(
        name="HUST Moodle",
        organisation=organisation,
        issuer=platform.issuer,
        client_id=platform.client_id,
        auth_login_url=platform.auth_url,
        auth_token_url=platform.token_url,
        key_set_url=platform.jwks_url,
    )
    LtiDeployment.objects.create(platform=registration, deployment_id=platform.deployment_id)
    services.tool_key_ensure()
    platform.tool_jwks = client.get("/lti/jwks.json").json()
    platform.redirect_uris.add(LAUNCH_URL)
    return registration


@pytest.fixture
def organisation(db) -> Organisation:
    return Organisation.objects.create(
        slug="hust-test",
        kind=Organisation.Kind.HEI,
        name="Hanoi University of Science and Technology",
        country="VN",
        subregion="south_eastern_asia",
    )


@pytest.fixture
def registration(platform: Platform, organisation: Organisation, client: Client) -> LtiPlatform:
    return register(platform, organisation, client)


@dataclass
class World:
    lan: User
    version: SpecificationVersion
    submission: Submission
    registration: LtiPlatform


def _load_demo_world() -> int:
    """The demo data; Lan enrolled in the HUST offering with a draft submission (its id)."""
    from microcert.demo.services import demo_load

    demo_load(credentials=False)
    lan = User.objects.get(email="lan.pham@hust.example")
    # Pages follow the person's language; the assertions read English.
    lan.preferred_language = "en"
    lan.save(update_fields=["preferred_language"])
    version = SpecificationVersion.objects.get(
        micro_credential__slug=SPEC, status=SpecificationVersion.Status.PUBLISHED
    )
    offering = version.offerings.order_by("starts_on").first()
    enrolment = learning_services.enrolment_create(offering=offering, teacher=lan, actor=lan)
    return learning_services.submission_start(enrolment=enrolment, actor=lan).pk


def _world(submission_id: int, platform: Platform, client: Client) -> World:
    submission = Submission.objects.select_related("teacher", "version").get(pk=submission_id)
    registration = register(platform, Organisation.objects.get(slug="hust"), client)
    return World(
        lan=submission.teacher,
        version=submission.version,
        submission=submission,
        registration=registration,
    )


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """The demo world, loaded once per test module inside a transaction that is rolled back
    at the end of the module; each test runs in a savepoint inside it (as Django's
    ``TestCase.setUpTestData`` does)."""
    with (
        django_db_blocker.unblock(),
        override_settings(EMAIL_BACKEND=LOCMEM_EMAIL),
        transaction.atomic(),
    ):
        yield _load_demo_world()
        transaction.set_rollback(True)


@pytest.fixture
def world(demo_world: int, db, platform: Platform, client: Client) -> World:
    return _world(demo_world, platform, client)


@pytest.fixture
def live_world(transactional_db, settings, platform: Platform, client: Client) -> World:
    """The same world for tests whose other threads must see it: committed, then flushed."""
    settings.EMAIL_BACKEND = LOCMEM_EMAIL
    return _world(_load_demo_world(), platform, client)


def login_params(platform: Platform, login_hint: str) -> dict[str, str]:
    return {
        "iss": platform.issuer,
        "login_hint": login_hint,
        "target_link_uri": LAUNCH_URL,
        "lti_message_hint": "resource-link-77",
        "client_id": platform.client_id,
        "lti_deployment_id": platform.deployment_id,
    }


@dataclass
class Login:
    """The tool's redirect to the platform: its state and nonce."""

    location: str
    state: str
    nonce: str


def start_login(client: Client, platform: Platform, login_hint: str = "lan") -> Login:
    response = client.post("/lti/login/", login_params(platform, login_hint))
    assert response.status_code == 302, response.content
    query = {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}
    return Login(location=response["Location"], state=query["state"], nonce=query["nonce"])


def platform_form(login: Login) -> AutoPostForm:
    """What the browser gets from the platform's authentication endpoint, over HTTP."""
    page = requests.get(login.location, timeout=5)
    assert page.status_code == 200, page.text
    return AutoPostForm(page.text)


def launch(client: Client, platform: Platform, login_hint: str = "lan", **claims: Any):
    """A whole launch as the browser makes it: login → platform → launch."""
    platform.prepare(login_hint, **claims)
    login = start_login(client, platform, login_hint)
    form = platform_form(login)
    assert form.action == LAUNCH_URL
    return client.post(urlsplit(form.action).path, form.fields)


def post_token(client: Client, login: Login, token: str, state: str | None = None):
    return client.post("/lti/launch/", {"id_token": token, "state": state or login.state})
