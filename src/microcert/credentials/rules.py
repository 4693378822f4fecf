"""Object-level permissions of the credentials pages. Anything not granted here is denied.

Checked with ``user.has_perm("<perm>", obj)`` through django-rules' permission backend.
Who manages an organisation's credentials: its institution admins, and the programme managers
of that organisation (programme managers hold their role at the programme owner, so they
manage the credentials the programme owner issues).
"""

import rules

from microcert.accounts.roles import Role
from microcert.network import selectors as network_selectors

from .models import BulkJob, IssuedCredential


def _manages(user, organisation) -> bool:
    if organisation is None or not getattr(user, "is_authenticated", False):
        return False
    return network_selectors.has_role(
        user, Role.INSTITUTION_ADMIN, organisation
    ) or network_selectors.has_role(user, Role.PROGRAMME_MANAGER, organisation)


@rules.predicate
def manages_organisation(user, organisation) -> bool:
    return _manages(user, organisation)


@rules.predicate
def manages_issuer_of(user, credential: IssuedCredential | None) -> bool:
    return credential is not None and _manages(user, credential.issuer.organisation)


@rules.predicate
def is_recipient(user, credential: IssuedCredential | None) -> bool:
    return (
        credential is not None
        and getattr(user, "is_authenticated", False)
        and credential.recipient_id is not None
        and credential.recipient_id == user.pk
    )


@rules.predicate
def is_public(user, credential: IssuedCredential | None) -> bool:
    return credential is not None and credential.is_public


@rules.predicate
def manages_job(user, job: BulkJob | None) -> bool:
    return job is not None and _manages(user, job.issuer.organisation)


# The page of a credential, its JSON and its verification: public unless the holder hid it.
rules.add_perm("credentials.view_credential", is_public | is_recipient | manages_issuer_of)
# The printable certificate renders on demand: for the holder and the issuer's managers.
rules.add_perm("credentials.download_certificate", is_recipient | manages_issuer_of)
# Sharing choices (public or private, sending to a wallet) belong to the holder alone.
rules.add_perm("credentials.hold_credential", is_recipient)
# Issuer work: lists, status changes, bulk jobs.
rules.add_perm("credentials.manage_organisation_credentials", manages_organisation)
rules.add_perm("credentials.change_credential_status", manages_issuer_of)
rules.add_perm("credentials.view_bulk_job", manages_job)
