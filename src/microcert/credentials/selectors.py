"""Reads of the credentials app used by pages, the API and other apps."""

from django.db.models import QuerySet

from .models import ApiToken, IssuedCredential, Issuer, StatusList


def issuer_of(organisation) -> Issuer | None:
    return Issuer.objects.filter(organisation=organisation).first()


def credentials_of(recipient) -> QuerySet[IssuedCredential]:
    """A learner's credentials, newest first, with what their list pages show."""
    return (
        IssuedCredential.objects.filter(recipient=recipient)
        .select_related(
            "issuer__organisation", "specification_version__micro_credential", "pathway"
        )
        .order_by("-valid_from", "-id")
    )


def credential_by_uuid(public_id) -> IssuedCredential | None:
    return (
        IssuedCredential.objects.filter(uuid=public_id)
        .select_related(
            "issuer__organisation",
            "recipient",
            "specification_version__micro_credential",
            "pathway",
        )
        .prefetch_related("components")
        .first()
    )


def credentials_issued_by(organisation) -> QuerySet[IssuedCredential]:
    return (
        IssuedCredential.objects.filter(issuer__organisation=organisation)
        .select_related("recipient", "specification_version")
        .order_by("-valid_from", "-id")
    )


def status_list_by_uuid(public_id) -> StatusList | None:
    return StatusList.objects.filter(uuid=public_id).select_related("issuer").first()


def api_token_by_hash(digest: str) -> ApiToken | None:
    return (
        ApiToken.objects.filter(token_hash=digest, revoked_at__isnull=True)
        .select_related("organisation")
        .first()
    )
