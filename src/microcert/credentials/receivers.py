"""Keep the verifier's cache of our own DID documents true to the key records.

Any saved or deleted key (rotation, the admin, a repair by hand) clears the cached DID
document of its issuer at once and again once the transaction commits, so a reader that
cached the old document in between does not keep it. The local-memory cache is per process:
other processes learn of the change when their copy runs out
(``CREDENTIALS_OWN_DID_CACHE_SECONDS``) or, for a new key, on the first proof that names it.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import verification
from .models import Issuer, IssuerKey


def _forget(issuer_id: int) -> None:
    slug = Issuer.objects.filter(pk=issuer_id).values_list("organisation__slug", flat=True).first()
    if slug is None:
        return
    verification.own_did_forget(slug)
    transaction.on_commit(lambda: verification.own_did_forget(slug))


@receiver(post_save, sender=IssuerKey, dispatch_uid="credentials.key_saved")
@receiver(post_delete, sender=IssuerKey, dispatch_uid="credentials.key_deleted")
def issuer_key_changed(sender, instance: IssuerKey, **kwargs) -> None:
    _forget(instance.issuer_id)


@receiver(post_save, sender=Issuer, dispatch_uid="credentials.issuer_saved")
def issuer_changed(sender, instance: Issuer, **kwargs) -> None:
    _forget(instance.pk)
