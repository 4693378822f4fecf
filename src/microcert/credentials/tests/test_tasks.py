"""The credentials tasks run twice give the same result: bulk jobs and status lists."""

import pytest

from microcert.credentials import bulk, services, statuslist
from microcert.credentials.models import BulkJob, IssuedCredential, StatusList
from microcert.credentials.tasks import publish_status_lists, run_bulk_job

pytestmark = pytest.mark.django_db

COLLABORATIVE = "organise-and-facilitate-online-collaborative-learning"


def _issue_job(world) -> BulkJob:
    rows = [
        {
            "line": line,
            "values": {"email": person.email, "specification": COLLABORATIVE},
            "fields": 2,
            "expected": 2,
        }
        for line, person in enumerate([world.lan, world.hung], start=2)
    ]
    return bulk.bulk_job_create(
        kind="issue", issuer=world.centre, actor=world.lan, file_name="c.csv", rows=rows
    )


def test_a_bulk_job_run_twice_issues_once(world):
    job = _issue_job(world)
    first = run_bulk_job.apply(args=[job.pk]).get()
    assert (first["state"], first["succeeded"], first["skipped"]) == ("done", 2, 0)
    assert run_bulk_job.apply(args=[job.pk]).get() == first  # a finished job is left alone
    assert IssuedCredential.objects.filter(issuer=world.centre).count() == 2


def test_a_bulk_job_resumed_after_a_lost_worker_skips_what_was_issued(world):
    job = _issue_job(world)
    world.issue(  # what a killed worker had stored, under the row's key
        recipient=world.lan,
        idempotency_key=bulk.issue_key(world.centre, COLLABORATIVE, world.lan.email, ""),
    )
    BulkJob.objects.filter(pk=job.pk).update(state=BulkJob.State.RUNNING, processed=1)
    outcome = run_bulk_job.apply(args=[job.pk]).get()
    assert (outcome["processed"], outcome["succeeded"], outcome["skipped"]) == (2, 1, 1)
    assert IssuedCredential.objects.filter(issuer=world.centre).count() == 2


def _signed_bits(status_list: StatusList) -> bytes:
    status_list.refresh_from_db()
    return statuslist.decode(status_list.signed_credential["credentialSubject"]["encodedList"])


def test_status_lists_are_published_once_after_revocations_without_signing(world):
    credential = world.issue()
    status_list = credential.revocation_list
    services.credential_revoke(credential=credential, actor=None, reason="Void", publish=False)
    status_list.refresh_from_db()
    assert services.status_list_is_stale(status_list)
    assert not statuslist.get_bit(_signed_bits(status_list), credential.revocation_index)

    assert publish_status_lists.apply(args=[world.centre.pk]).get() == 1
    assert statuslist.get_bit(_signed_bits(status_list), credential.revocation_index)
    signed = status_list.signed_credential
    assert publish_status_lists.apply(args=[world.centre.pk]).get() == 0
    assert publish_status_lists.apply().get() == 0
    status_list.refresh_from_db()
    assert status_list.signed_credential == signed  # not signed again


def test_a_single_revocation_still_publishes_at_once(world):
    credential = world.issue()
    services.credential_revoke(credential=credential, actor=None, reason="Void")
    assert statuslist.get_bit(_signed_bits(credential.revocation_list), credential.revocation_index)
    assert publish_status_lists.apply().get() == 0


def test_a_bulk_revocation_publishes_each_list_once(world):
    credentials = [world.issue(recipient=world.lan), world.issue(recipient=world.hung)]
    rows = [
        {"line": n, "values": {"credential": str(c.uuid)}, "fields": 1, "expected": 1}
        for n, c in enumerate(credentials, start=2)
    ]
    job = bulk.bulk_job_create(
        kind="revoke",
        issuer=world.centre,
        actor=world.lan,
        file_name="r.csv",
        rows=rows,
        reason="Void",
    )
    outcome = run_bulk_job.apply(args=[job.pk]).get()
    assert outcome["succeeded"] == 2
    status_list = credentials[0].revocation_list
    for credential in credentials:
        assert statuslist.get_bit(_signed_bits(status_list), credential.revocation_index)
    assert not services.status_list_is_stale(status_list)
