"""Personal API tokens: made once, kept only as a hash, refused when expired or revoked."""

import datetime
import hashlib
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from microcert.accounts import services
from microcert.accounts.models import PersonalToken
from microcert.core.models import Event

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def token_events(verb: str, token: PersonalToken) -> list[Event]:
    return list(
        Event.objects.filter(
            verb=verb, object_type="accounts.personaltoken", object_id=str(token.pk)
        )
    )


def test_a_token_is_returned_once_in_clear_and_stored_only_as_its_sha256():
    person = UserFactory()

    token, plain = services.personal_token_create(
        person=person, name="grading script", actor=person
    )

    assert plain.startswith("mct_") and len(plain) > 40
    assert token.token_hash == hashlib.sha256(plain.encode()).hexdigest()
    stored = PersonalToken.objects.values_list(flat=True)
    assert all(plain not in str(value) for value in stored)
    assert plain not in str(Event.objects.values_list("details", flat=True)[::1])
    assert services.personal_token_authenticate(plain) == person


def test_creating_a_token_records_an_event_with_its_name_and_person():
    person = UserFactory()

    token, _plain = services.personal_token_create(person=person, name="LMS sync", actor=person)

    (event,) = token_events("personal_token.created", token)
    assert event.actor == person
    assert event.details["name"] == "LMS sync"
    assert event.details["person"] == str(person.uuid)


def test_two_tokens_are_never_the_same():
    person = UserFactory()
    plains = {services.personal_token_create(person=person, name="t", actor=None)[1] for _ in "ab"}
    assert len(plains) == 2


@pytest.mark.parametrize(
    ("name", "expires_in"),
    [
        ("", None),
        ("   ", None),
        ("x" * 121, None),
        ("yesterday", datetime.timedelta(days=-1)),
        ("now", datetime.timedelta(0)),
    ],
)
def test_a_token_needs_a_name_and_a_future_expiry(name, expires_in):
    person = UserFactory()
    expires_at = timezone.now() + expires_in if expires_in is not None else None

    with pytest.raises(ValidationError):
        services.personal_token_create(person=person, name=name, expires_at=expires_at, actor=None)
    assert not PersonalToken.objects.exists()


def test_a_naive_expiry_is_refused():
    with pytest.raises(ValidationError):
        services.personal_token_create(
            person=UserFactory(),
            name="naive",
            expires_at=datetime.datetime(2099, 1, 1),  # a naive datetime on purpose
            actor=None,
        )


def test_a_deactivated_person_gets_no_token_and_their_tokens_stop_working():
    person = UserFactory()
    _token, plain = services.personal_token_create(person=person, name="t", actor=None)
    person.is_active = False
    person.save()

    assert services.personal_token_authenticate(plain) is None
    with pytest.raises(ValidationError):
        services.personal_token_create(person=person, name="another", actor=None)


def test_an_expired_token_is_refused():
    person = UserFactory()
    token, plain = services.personal_token_create(
        person=person, name="t", expires_at=timezone.now() + datetime.timedelta(hours=1), actor=None
    )
    assert services.personal_token_authenticate(plain) == person

    PersonalToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert services.personal_token_authenticate(plain) is None


def test_a_revoked_token_is_refused_and_revoking_twice_records_one_event():
    person = UserFactory()
    token, plain = services.personal_token_create(person=person, name="t", actor=person)

    services.personal_token_revoke(token=token, actor=person, reason="laptop lost")
    services.personal_token_revoke(token=token, actor=person)

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert services.personal_token_authenticate(plain) is None
    (event,) = token_events("personal_token.revoked", token)
    assert event.reason == "laptop lost"


@pytest.mark.parametrize("presented", ["", "mct_", "mct_" + "A" * 43, "x" * 10_000, "ünïcode"])
def test_unknown_or_odd_tokens_authenticate_nobody(presented):
    person = UserFactory()
    services.personal_token_create(person=person, name="t", actor=None)
    assert services.personal_token_authenticate(presented) is None


def test_last_used_is_written_at_most_once_a_minute():
    person = UserFactory()
    token, plain = services.personal_token_create(person=person, name="t", actor=None)

    services.personal_token_authenticate(plain)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None

    services.personal_token_authenticate(plain)
    token.refresh_from_db()
    assert token.last_used_at == first

    PersonalToken.objects.filter(pk=token.pk).update(
        last_used_at=first - datetime.timedelta(minutes=2)
    )
    services.personal_token_authenticate(plain)
    token.refresh_from_db()
    assert token.last_used_at > first - datetime.timedelta(minutes=2)


def test_the_command_prints_a_working_token_as_its_last_line():
    person = UserFactory(email="lan@example.org")
    out = StringIO()

    call_command(
        "create_personal_token",
        "LAN@example.org",
        "--name",
        "my scripts",
        "--days",
        "30",
        stdout=out,
    )

    plain = out.getvalue().strip().splitlines()[-1]
    assert services.personal_token_authenticate(plain) == person
    token = PersonalToken.objects.get(person=person)
    assert token.name == "my scripts"
    remaining = token.expires_at - timezone.now()
    assert datetime.timedelta(days=29) < remaining <= datetime.timedelta(days=30)


@pytest.mark.parametrize(
    "arguments",
    [
        ["nobody@example.org", "--name", "t"],
        ["lan@example.org", "--name", "  "],
        ["lan@example.org", "--name", "t", "--days", "0"],
    ],
)
def test_the_command_explains_what_is_wrong(arguments):
    UserFactory(email="lan@example.org")
    with pytest.raises(CommandError):
        call_command("create_personal_token", *arguments, stdout=StringIO())
    assert not PersonalToken.objects.exists()
