"""The event log: written with every change, in its transaction, and never rewritten."""

import pytest
from django.db import DatabaseError, connection, transaction

from microcert.accounts.services import user_create
from microcert.core.models import AppendOnlyError, Event
from microcert.core.selectors import events_for
from microcert.core.services import event_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return user_create(email="ada@example.org", legal_name="Ada Lovelace")


def test_an_event_records_actor_verb_object_and_details(person):
    with transaction.atomic():
        event = event_record(
            actor=person, verb="thing.done", target=person, details={"x": 1}, reason="because"
        )
    event.refresh_from_db()
    assert (event.actor, event.actor_label, event.verb) == (person, "ada@example.org", "thing.done")
    assert (event.object_type, event.object_id) == ("accounts.user", str(person.pk))
    assert event.details == {"x": 1} and event.reason == "because"
    assert event in events_for(person)


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_a_programming_error(person):
    with pytest.raises(RuntimeError):
        event_record(actor=None, verb="thing.done", target=person)


def test_an_anonymous_actor_is_stored_as_nobody(person):
    from django.contrib.auth.models import AnonymousUser

    with transaction.atomic():
        event = event_record(actor=AnonymousUser(), verb="thing.done", target=person)
    assert event.actor is None and event.actor_label == ""


def test_events_cannot_be_changed_or_deleted_through_the_orm(person):
    event = Event.objects.filter(object_id=str(person.pk)).first()
    event.verb = "forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_the_database_refuses_to_rewrite_an_event_even_with_raw_sql(person):
    event = Event.objects.filter(object_id=str(person.pk)).first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_event SET verb = %s WHERE id = %s", ["forged", event.pk])
    assert Event.objects.get(pk=event.pk).verb == "person.created"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row DELETE trigger is PostgreSQL's")
def test_postgresql_refuses_to_delete_an_event_with_raw_sql(person):
    event = Event.objects.filter(object_id=str(person.pk)).first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_event WHERE id = %s", [event.pk])
    assert Event.objects.filter(pk=event.pk).exists()


def test_a_failed_change_leaves_no_event_behind(person):
    before = Event.objects.count()
    with pytest.raises(ValueError), transaction.atomic():
        event_record(actor=person, verb="thing.done", target=person)
        raise ValueError("the change itself failed")
    assert Event.objects.count() == before
