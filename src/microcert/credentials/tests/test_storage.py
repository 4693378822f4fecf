"""How issued credentials are stored and looked up: the index the idempotency checks search,
and the form of the bulk insert of signed documents."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from microcert.credentials import services
from microcert.credentials.tests.test_cohort import COLLABORATIVE, teachers


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would be scanned
        cursor.execute(
            ("EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ") + sql, params
        )
        return " ".join(str(row) for row in cursor.fetchall())


def test_idempotency_lookups_search_the_partial_unique_index(world):
    lookup = services._with_keys(world.centre, ["cohort:a", "cohort:b"])
    assert "credentials_idempotency" in _plan(lookup)


def test_a_cohorts_documents_are_inserted_as_values_not_through_unnest(world):
    # psycopg escapes a document inside an UNNEST array quote by quote (slow for 13 KB).
    with CaptureQueriesContext(connection) as queries:
        outcome = services.credential_issue_cohort(
            issuer=world.centre,
            version=world.version(COLLABORATIVE),
            awards=[services.CohortAward(recipient=p) for p in teachers(3)],
            actor=None,
            batch_key="storage",
        )
    assert len(outcome.issued) == 3
    inserts = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('INSERT INTO "credentials_issuedcredential"')
    ]
    assert inserts
    assert not any("UNNEST" in sql for sql in inserts)
