"""Reads of the LTI tool: registrations, published keys, mappings."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from microcert.catalog.models import MicroCredential, SpecificationVersion
from microcert.learning.models import Submission

from .models import LmsResult, LtiPlatform, LtiResourceLink, LtiToolKey

# A retired key stays in the JWKS this long, so assertions signed just before a rotation (and
# platforms that cache our keyset) keep verifying.
RETIRED_KEY_PUBLISHED = datetime.timedelta(days=2)


class AmbiguousPlatform(Exception):
    """Several registrations share the issuer and the login named no client ID."""


def platform_by_client(issuer: str, client_id: str) -> LtiPlatform | None:
    return LtiPlatform.objects.filter(issuer=issuer, client_id=client_id, is_active=True).first()


def platform_for_login(issuer: str, client_id: str = "") -> LtiPlatform | None:
    """The registration a login initiation names. ``client_id`` is optional in LTI 1.3; when it
    is missing the issuer must have a single active registration."""
    if client_id:
        return platform_by_client(issuer, client_id)
    platforms = list(LtiPlatform.objects.filter(issuer=issuer, is_active=True)[:2])
    if len(platforms) > 1:
        raise AmbiguousPlatform(issuer)
    return platforms[0] if platforms else None


def active_tool_key() -> LtiToolKey | None:
    return LtiToolKey.objects.filter(is_active=True).first()


def published_tool_keys(now: datetime.datetime | None = None) -> QuerySet[LtiToolKey]:
    now = now or timezone.now()
    return LtiToolKey.objects.filter(
        Q(is_active=True) | Q(retired_at__gt=now - RETIRED_KEY_PUBLISHED)
    ).order_by("-is_active", "-created_at")


def tool_jwks() -> dict:
    """The tool's public keys as a JWKS document, the active key first."""
    return {"keys": [dict(key.public_jwk) for key in published_tool_keys()]}


def resource_link(platform: LtiPlatform, resource_link_id: str) -> LtiResourceLink | None:
    return (
        LtiResourceLink.objects.filter(platform=platform, resource_link_id=resource_link_id)
        .select_related("micro_credential", "version")
        .first()
    )


def micro_credential_by_slug(slug: str) -> MicroCredential | None:
    return MicroCredential.objects.filter(slug=slug).first()


def version_for(link: LtiResourceLink, person) -> SpecificationVersion | None:
    """The specification version a result of ``link`` counts for: the pinned one, else the
    version of the person's open (draft) attempt at the micro-credential, else the published
    one (the learning service then says there is no open attempt)."""
    if link.version_id:
        return link.version
    draft = (
        Submission.objects.filter(
            teacher=person,
            version__micro_credential_id=link.micro_credential_id,
            status=Submission.Status.DRAFT,
        )
        .select_related("version")
        .order_by("-created_at")
        .first()
    )
    if draft is not None:
        return draft.version
    return SpecificationVersion.objects.filter(
        micro_credential_id=link.micro_credential_id,
        status=SpecificationVersion.Status.PUBLISHED,
    ).first()


def last_recorded_result(platform: LtiPlatform, lineitem: str, sub: str) -> LmsResult | None:
    """The latest result of this line item and user that was recorded as evidence."""
    return (
        LmsResult.objects.filter(
            platform=platform,
            lineitem=lineitem,
            sub=sub,
            evidence__isnull=False,
        )
        .select_related("evidence")
        .order_by("-created_at", "-id")
        .first()
    )
