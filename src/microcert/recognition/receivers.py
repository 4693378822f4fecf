"""Keeping the PD ledger current when a credential or a teacher's place changes below."""

from django.dispatch import receiver

from microcert.accounts.roles import Role
from microcert.credentials.models import IssuedCredential
from microcert.credentials.signals import credential_changed
from microcert.network.signals import affiliation_changed

from .services import ledger_recompute, ledger_recompute_person


@receiver(credential_changed, dispatch_uid="recognition.ledger")
def recompute_ledger(sender, credential, change, **kwargs) -> None:
    ledger_recompute(credentials=IssuedCredential.objects.filter(pk=credential.pk))


@receiver(affiliation_changed, dispatch_uid="recognition.ledger.affiliation")
def regroup_ledger(sender, affiliation, change, **kwargs) -> None:
    # Only a teaching role decides the home institution, its country and staff category.
    if affiliation.role == Role.TEACHER:
        ledger_recompute_person(affiliation.person)
