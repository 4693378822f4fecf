"""Reads of recognition used by more than one caller."""

import datetime

from django.db.models import OuterRef, Q, QuerySet, Subquery

from microcert.catalog.models import SpecificationVersion

from .models import InclusionApplication, InclusionDecision


def decisions_in_force(version: SpecificationVersion, *, on: datetime.date) -> QuerySet:
    """The approving decisions that recognise ``version`` on the day ``on``: the latest
    decision of each approved application to an active scheme, whose window contains ``on``."""
    latest = (
        InclusionDecision.objects.filter(application=OuterRef("application"))
        .order_by("-number")
        .values("number")[:1]
    )
    return (
        InclusionDecision.objects.filter(
            application__version=version,
            application__status=InclusionApplication.Status.APPROVED,
            application__scheme__is_active=True,
            outcome=InclusionDecision.Outcome.APPROVE,
            number=Subquery(latest),
            valid_from__lte=on,
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .select_related("application__scheme__authority__organisation")
        .order_by("application__scheme__country", "application__scheme__slug")
    )


def endorsements_in_force(version: SpecificationVersion, on: datetime.date) -> list[dict]:
    """The signed EndorsementCredentials of the decisions in force for ``version`` on ``on``,
    to carry inside the Achievement of a credential awarded that day."""
    return [
        decision.endorsement
        for decision in decisions_in_force(version, on=on)
        if decision.endorsement
    ]
