"""Acceptance: parallel issuers never share a status list entry (PostgreSQL, real processes)."""

import multiprocessing
import traceback

import pytest
from django.db import connection, connections

from microcert.credentials import services
from microcert.credentials.models import IssuedCredential, StatusList

WORKERS = 8
CREDENTIALS_EACH = 500

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks across processes need PostgreSQL"
    ),
]


def _issue_many(worker: int, issuer_pk: int, recipient_pk: int, version_pk: int, errors) -> None:
    from microcert.accounts.models import User
    from microcert.catalog.models import SpecificationVersion
    from microcert.credentials.models import Issuer

    try:
        issuer = Issuer.objects.get(pk=issuer_pk)
        recipient = User.objects.get(pk=recipient_pk)
        version = SpecificationVersion.objects.get(pk=version_pk)
        for n in range(CREDENTIALS_EACH):
            services.credential_issue(
                issuer=issuer,
                recipient=recipient,
                version=version,
                actor=None,
                idempotency_key=f"worker-{worker}-{n}",
            )
    except Exception:
        errors.put(f"worker {worker}: {traceback.format_exc()}")
    finally:
        connections.close_all()


def test_eight_parallel_issuers_of_500_credentials_get_4000_distinct_status_indices(world):
    version = world.version("design-ai-enhanced-learning-activities")  # in no pathway
    context = multiprocessing.get_context("fork")
    errors = context.Queue()
    # Children open their own connections; none may inherit the parent's socket.
    connections.close_all()
    workers = [
        context.Process(
            target=_issue_many, args=(n, world.centre.pk, world.lan.pk, version.pk, errors)
        )
        for n in range(WORKERS)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=900)

    failures = []
    while not errors.empty():
        failures.append(errors.get())
    assert failures == []
    assert [p.exitcode for p in workers] == [0] * WORKERS

    issued = IssuedCredential.objects.filter(issuer=world.centre)
    assert issued.count() == WORKERS * CREDENTIALS_EACH
    indices = list(issued.values_list("revocation_index", flat=True))
    assert len(set(indices)) == WORKERS * CREDENTIALS_EACH
    in_documents = {
        int(c["credentialStatus"]["statusListIndex"])
        for c in issued.values_list("document", flat=True)
    }
    assert in_documents == set(indices)
    status_list = StatusList.objects.get(issuer=world.centre, purpose="revocation")
    assert status_list.allocated == WORKERS * CREDENTIALS_EACH
