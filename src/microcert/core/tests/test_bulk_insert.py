"""``bulk_insert`` stores rows as ``bulk_create`` would (through ``COPY`` on PostgreSQL)."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.test.utils import CaptureQueriesContext

from microcert.accounts.models import User
from microcert.accounts.services import user_create
from microcert.core.bulk_insert import bulk_insert
from microcert.core.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return user_create(email="ada@example.org", legal_name="Ada Lovelace")


def test_rows_come_back_stored_with_ids_defaults_and_related_ids(person):
    events = [
        Event(actor=person, verb="thing.done", object_type="x", object_id=str(n), details={"n": n})
        for n in range(5)
    ]
    with transaction.atomic():
        stored = bulk_insert(Event, events)
    assert stored == events
    assert all(event.pk and not event._state.adding for event in events)
    assert len({event.pk for event in events}) == 5
    for event in events:
        fresh = Event.objects.get(pk=event.pk)
        assert fresh.actor_id == person.pk and fresh.details == event.details
        # auto_now_add filled in on the instance and in the row alike
        assert fresh.occurred_at == event.occurred_at is not None


def test_the_ids_come_from_the_table_so_later_saves_do_not_collide(person):
    with transaction.atomic():
        bulk_insert(Event, [Event(verb="a", object_type="x", object_id="1") for _ in range(3)])
        highest = Event.objects.aggregate(Max("pk"))["pk__max"]
        later = Event.objects.create(verb="b", object_type="x", object_id="2")
    assert later.pk > highest


def test_on_postgresql_the_rows_travel_through_copy(person):
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's; elsewhere bulk_insert is bulk_create")
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        bulk_insert(Event, [Event(verb="a", object_type="x", object_id=str(n)) for n in range(50)])
    statements = " ".join(query["sql"] for query in queries.captured_queries)
    assert "INSERT" not in statements.upper()
    assert Event.objects.filter(verb="a").count() == 50


def test_a_broken_constraint_is_djangos_integrity_error_and_stores_nothing(person):
    users = [User(email=f"new{n}@example.org", password="!") for n in range(3)]
    users.append(User(email="ada@example.org", password="!"))  # taken
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_insert(User, users)
    assert not User.objects.filter(email__startswith="new").exists()


def test_rows_that_are_already_stored_are_refused(person):
    with pytest.raises(ValueError, match="has an id already"):
        bulk_insert(User, [person])


def test_nothing_to_insert_is_nothing_done():
    assert bulk_insert(Event, []) == []
