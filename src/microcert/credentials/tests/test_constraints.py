"""The database, not only the services, refuses a second award and a reused status entry:
each duplicate below is written straight through the ORM, past every service check."""

import pytest
from django.db import IntegrityError, transaction

from microcert.credentials.models import IssuedCredential

pytestmark = pytest.mark.django_db


def _copy(credential: IssuedCredential, **changes) -> IssuedCredential:
    """An unsaved row like ``credential`` (a new public id), with ``changes`` applied."""
    row = IssuedCredential(
        issuer=credential.issuer,
        signing_key=credential.signing_key,
        recipient=credential.recipient,
        specification_version=credential.specification_version,
        document=credential.document,
        valid_from=credential.valid_from,
    )
    for name, value in changes.items():
        setattr(row, name, value)
    return row


def _refused(row: IssuedCredential) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


def test_a_revocation_entry_is_never_given_twice(world):
    first = world.issue()
    _refused(
        _copy(first, revocation_list=first.revocation_list, revocation_index=first.revocation_index)
    )


def test_a_suspension_entry_is_never_given_twice(world):
    world.allow_suspension(world.centre)
    first = world.issue()
    assert first.suspension_list is not None
    _refused(
        _copy(first, suspension_list=first.suspension_list, suspension_index=first.suspension_index)
    )


@pytest.mark.parametrize("purpose", ["revocation", "suspension"])
def test_a_status_entry_is_a_list_and_an_index_together(world, purpose):
    world.allow_suspension(world.centre)
    first = world.issue()
    status_list = getattr(first, f"{purpose}_list")
    # NULLs never collide in a unique constraint, so half an entry would dodge it.
    _refused(_copy(first, **{f"{purpose}_list": status_list}))
    _refused(_copy(first, **{f"{purpose}_index": 7}))


def test_an_idempotency_key_issues_once_per_issuer(world):
    first = world.issue(idempotency_key="submission:abc")
    _refused(_copy(first, idempotency_key="submission:abc"))
    # Without a key nothing is claimed: two keyless rows are fine.
    _copy(first).save()
    _copy(first).save()


def test_a_pathway_certificate_is_earned_once(world):
    for version in world.members()[: world.pathway.required_count]:
        world.issue(version.micro_credential.slug)
    certificate = IssuedCredential.objects.get(recipient=world.lan, pathway=world.pathway)
    _refused(_copy(certificate, pathway=world.pathway))
    # Once revoked it may be earned again.
    IssuedCredential.objects.filter(pk=certificate.pk).update(status="revoked")
    _copy(certificate, pathway=world.pathway).save()


def test_a_submission_holds_one_credential_and_a_credential_one_submission(world):
    from microcert.learning.models import Submission
    from microcert.learning.tests.builders import enrol

    credential = world.issue()
    first = Submission.objects.create(
        enrolment=enrol(world.hung),
        teacher=world.hung,
        version=credential.specification_version,
        attempt=1,
        status="failed",
        credential=credential,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(
            enrolment=first.enrolment,
            teacher=world.hung,
            version=first.version,
            attempt=2,
            status="failed",
            credential=credential,
        )


def test_an_enrolment_passes_once(world):
    from microcert.learning.models import Submission
    from microcert.learning.tests.builders import enrol

    enrolment = enrol(world.hung)
    common = {"enrolment": enrolment, "teacher": world.hung, "version": enrolment.offering.version}
    Submission.objects.create(attempt=1, status="passed", **common)
    Submission.objects.create(attempt=2, status="failed", **common)
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(attempt=3, status="passed", **common)
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(attempt=1, status="failed", **common)
