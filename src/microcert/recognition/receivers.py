"""Keeping the PD ledger current when a credential changes on the floor below."""

from django.dispatch import receiver

from microcert.credentials.models import IssuedCredential
from microcert.credentials.signals import credential_changed

from .services import ledger_recompute


@receiver(credential_changed, dispatch_uid="recognition.ledger")
def recompute_ledger(sender, credential, change, **kwargs) -> None:
    ledger_recompute(credentials=IssuedCredential.objects.filter(pk=credential.pk))
