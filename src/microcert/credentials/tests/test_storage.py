"""How issued credentials are stored and looked up: the index the idempotency checks search,
how a cohort's signed documents reach the database, and documents only the json module can
encode."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from microcert.core.bulk_insert import bulk_insert
from microcert.credentials import services
from microcert.credentials.models import IssuedCredential
from microcert.credentials.tests.test_cohort import COLLABORATIVE, teachers


def _only_index_left(cursor, table: str, index: str) -> None:
    """Drop (inside the test's transaction) every index of ``table`` but its primary key and
    ``index``: on a nearly empty table PostgreSQL's planner picks among equally cheap indexes
    at random, so the question "can this query use ``index``?" is asked with no other."""
    cursor.execute(
        "SELECT i.relname, c.conname FROM pg_index x"
        " JOIN pg_class i ON i.oid = x.indexrelid"
        " LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid"
        " WHERE x.indrelid = %s::regclass AND NOT x.indisprimary AND i.relname <> %s",
        [table, index],
    )
    for index_name, constraint in cursor.fetchall():
        if constraint:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{constraint}"')
        else:
            cursor.execute(f'DROP INDEX "{index_name}"')


def _plan(queryset, index: str) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _only_index_left(cursor, queryset.model._meta.db_table, index)
            cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would be scanned
        cursor.execute(
            ("EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ") + sql, params
        )
        return " ".join(str(row) for row in cursor.fetchall())


def test_idempotency_lookups_search_the_partial_unique_index(world):
    lookup = services._with_keys(world.centre, ["cohort:a", "cohort:b"])
    assert "credentials_idempotency" in _plan(lookup, "credentials_idempotency")


def _cohort(world, count: int, batch_key: str):
    return services.credential_issue_cohort(
        issuer=world.centre,
        version=world.version(COLLABORATIVE),
        awards=[services.CohortAward(recipient=p) for p in teachers(count, batch_key)],
        actor=None,
        batch_key=batch_key,
    )


def _unstored_copy(credential: IssuedCredential, n: int, document: dict) -> IssuedCredential:
    return IssuedCredential(
        uuid=uuid.uuid4(),
        issuer=credential.issuer,
        signing_key=credential.signing_key,
        recipient=credential.recipient,
        specification_version=credential.specification_version,
        document=document,
        language=credential.language,
        valid_from=credential.valid_from,
        revocation_list=credential.revocation_list,
        revocation_index=credential.revocation_index + 1000 + n,
        idempotency_key=f"copy:{n}",
    )


def test_on_postgresql_a_cohorts_credentials_are_copied_not_inserted(world):
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's; SQLite inserts (one statement per batch)")
    with CaptureQueriesContext(connection) as queries:
        outcome = _cohort(world, 3, "copied")
    assert len(outcome.issued) == 3
    statements = [q["sql"] for q in queries.captured_queries]
    assert not [
        sql for sql in statements if '"credentials_issuedcredential"' in sql and "INSERT" in sql
    ]
    assert (
        IssuedCredential.objects.filter(pk__in=[c.pk for c in outcome.issued.values()]).count() == 3
    )


def test_bulk_created_documents_are_inserted_as_values_not_through_unnest(world):
    if connection.vendor != "postgresql":
        pytest.skip("UNNEST is how Django bulk-inserts on PostgreSQL")
    stored = next(iter(_cohort(world, 1, "values").issued.values()))
    # psycopg escapes a document inside an UNNEST array quote by quote (slow for 13 KB).
    with CaptureQueriesContext(connection) as queries:
        IssuedCredential.objects.bulk_create(
            [_unstored_copy(stored, n, stored.document) for n in range(2)]
        )
    inserts = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('INSERT INTO "credentials_issuedcredential"')
    ]
    assert inserts
    assert not any("UNNEST" in sql for sql in inserts)


def test_a_document_orjson_cannot_encode_is_stored_through_the_json_module(world):
    stored = next(iter(_cohort(world, 1, "bigint").issued.values()))
    document = {**stored.document, "beyond64bits": 2**70}
    copy = _unstored_copy(stored, 0, document)
    copy.save()
    assert IssuedCredential.objects.get(pk=copy.pk).document == document
    assert bulk_insert(IssuedCredential, [_unstored_copy(stored, 1, document)])[0].pk
