"""Reads of the public site that join several apps: the catalogue with what recognises each
micro-credential, and the partner directory with each partner's programmes.

Each read costs a fixed number of queries whatever the size of the catalogue or the network;
the filters of the catalogue then work on these rows in memory (a catalogue holds hundreds of
micro-credentials, not millions)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.translation import get_language_info

from microcert.catalog.models import (
    AchievementKind,
    CompetenceAlignment,
    Offering,
    ParticipationForm,
    SpecificationVersion,
)
from microcert.network.models import Membership, Organisation
from microcert.recognition import services as recognition_services
from microcert.recognition.models import InclusionDecision

# Offerings a visitor can still join or follow: not cancelled and not over.
LIVE_OFFERING_STATUSES = (Offering.Status.PLANNED, Offering.Status.OPEN, Offering.Status.CLOSED)


def _live_offerings(on: datetime.date) -> QuerySet[Offering]:
    return (
        Offering.objects.filter(status__in=LIVE_OFFERING_STATUSES, ends_on__gte=on)
        .select_related("host")
        .order_by("starts_on", "pk")
    )


# --- recognition -----------------------------------------------------------------------------


def recognitions_in_force(
    versions: Iterable[SpecificationVersion], *, on: datetime.date
) -> dict[int, list[InclusionDecision]]:
    """The approving decisions in force on ``on`` for each of ``versions``, by version id, in
    one query.

    The rule is the one of ``recognition.selectors.decisions_in_force`` (the newest approval of
    a live application to an active scheme that had started by ``on``, if its window still
    holds ``on``), applied to many versions at once; a test keeps the two in step."""
    version_ids = [version.pk for version in versions]
    if not version_ids:
        return {}
    governing = (
        InclusionDecision.objects.filter(
            application=OuterRef("application"),
            outcome=InclusionDecision.Outcome.APPROVE,
            valid_from__lte=on,
        )
        .order_by("-number")
        .values("number")[:1]
    )
    decisions = (
        InclusionDecision.objects.filter(
            application__version_id__in=version_ids,
            application__status__in=recognition_services.LIVE_STATUSES,
            application__scheme__is_active=True,
            outcome=InclusionDecision.Outcome.APPROVE,
            number=Subquery(governing),
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .select_related("application__scheme__authority__organisation")
        .order_by("application__scheme__country", "application__scheme__slug")
    )
    by_version: dict[int, list[InclusionDecision]] = defaultdict(list)
    for decision in decisions:
        by_version[decision.application.version_id].append(decision)
    return dict(by_version)


# --- the catalogue ---------------------------------------------------------------------------


@dataclass
class CatalogueEntry:
    """One published micro-credential as the catalogue shows and filters it."""

    version: SpecificationVersion
    alignments: list[CompetenceAlignment]
    offerings: list[Offering]
    recognitions: list[InclusionDecision]
    languages: frozenset[str] = field(default_factory=frozenset)
    modes: frozenset[str] = field(default_factory=frozenset)

    @property
    def slug(self) -> str:
        return self.version.micro_credential.slug

    @property
    def mode_labels(self) -> list[str]:
        return [str(label) for value, label in ParticipationForm.choices if value in self.modes]

    @property
    def language_names(self) -> list[tuple[str, str]]:
        """(code, name in its own language) of each language, in the site's order."""
        return [
            (code, get_language_info(code)["name_local"])
            for code, _name in settings.LANGUAGES
            if code in self.languages
        ]

    @property
    def next_offering(self) -> Offering | None:
        return self.offerings[0] if self.offerings else None

    @property
    def authorities(self) -> list[Organisation]:
        """The authorities that recognise it, each once."""
        seen: dict[int, Organisation] = {}
        for decision in self.recognitions:
            organisation = decision.application.scheme.authority.organisation
            seen.setdefault(organisation.pk, organisation)
        return list(seen.values())


def catalogue_entries(
    *, on: datetime.date, kind: str = AchievementKind.MICRO_CREDENTIAL
) -> list[CatalogueEntry]:
    """Every published specification of ``kind`` with its competences, live offerings and
    recognitions in force on ``on``: five queries, however many there are.

    A micro-credential is offered in a language or a mode when its specification says so or
    when one of its live offerings runs in it."""
    versions = list(
        SpecificationVersion.objects.filter(
            status=SpecificationVersion.Status.PUBLISHED, micro_credential__kind=kind
        )
        .select_related("micro_credential")
        .prefetch_related(
            "awarding_bodies",
            Prefetch(
                "alignments",
                queryset=CompetenceAlignment.objects.select_related(
                    "competence__framework", "competence__area", "target_level"
                ),
            ),
            Prefetch("offerings", queryset=_live_offerings(on), to_attr="live_offerings"),
        )
    )
    recognitions = recognitions_in_force(versions, on=on)
    entries = []
    for version in versions:
        offerings = version.live_offerings
        languages = {code for code in (version.languages or []) if isinstance(code, str)}
        languages.update(offering.language for offering in offerings)
        modes = {version.participation_form, *(offering.mode for offering in offerings)}
        entries.append(
            CatalogueEntry(
                version=version,
                alignments=list(version.alignments.all()),
                offerings=offerings,
                recognitions=recognitions.get(version.pk, []),
                languages=frozenset(languages),
                modes=frozenset(modes),
            )
        )
    entries.sort(key=lambda entry: entry.version.title.casefold())
    return entries


def published_micro_credential_ids() -> set[int]:
    """Micro-credentials and certificates with a published version, hence a public page."""
    return set(
        SpecificationVersion.objects.filter(
            status=SpecificationVersion.Status.PUBLISHED
        ).values_list("micro_credential_id", flat=True)
    )


# --- the partner directory -------------------------------------------------------------------


def _published_awarded() -> Q:
    return Q(awarded_specifications__status=SpecificationVersion.Status.PUBLISHED)


def public_partners() -> QuerySet[Organisation]:
    """Organisations with an active membership of the network, each with its active
    memberships and the number of published micro-credentials it awards, in two queries."""
    return (
        Organisation.objects.filter(memberships__status=Membership.Status.ACTIVE)
        .annotate(
            programme_count=Count(
                "awarded_specifications", filter=_published_awarded(), distinct=True
            )
        )
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(status=Membership.Status.ACTIVE),
                to_attr="active_memberships",
            )
        )
        .order_by("name")
    )


def public_organisation_ids() -> set[int]:
    """The organisations that have a public page: active partners and the programme's owner."""
    return set(
        Organisation.objects.filter(
            Q(memberships__status=Membership.Status.ACTIVE) | Q(is_programme_owner=True)
        ).values_list("pk", flat=True)
    )


def public_organisation(slug: str) -> Organisation | None:
    """A partner with an active membership, or the programme's owner; None for anyone else (a
    ministry, a former or applying member), whose page is not public."""
    return (
        Organisation.objects.filter(
            Q(memberships__status=Membership.Status.ACTIVE) | Q(is_programme_owner=True),
            slug=slug,
        )
        .distinct()
        .first()
    )


@dataclass
class PartnerProgrammes:
    """What a partner does in the programme: what it awards and what it hosts."""

    memberships: list[Membership]
    awarded: list[SpecificationVersion]
    co_awarded: list[SpecificationVersion]
    offerings: list[Offering]


def partner_programmes(organisation: Organisation, *, on: datetime.date) -> PartnerProgrammes:
    """The partner's memberships (active and past), the published specifications it awards
    (first awarding body) or co-awards, and the live offerings it hosts: four queries."""
    memberships = list(
        organisation.memberships.filter(
            status__in=[Membership.Status.ACTIVE, Membership.Status.ENDED]
        ).order_by("-since")
    )
    versions = list(
        SpecificationVersion.objects.filter(
            status=SpecificationVersion.Status.PUBLISHED, awarding_bodies=organisation
        )
        .select_related("micro_credential")
        .prefetch_related("awardingbody_set")
        .order_by("title")
    )
    awarded, co_awarded = [], []
    for version in versions:
        first = min(version.awardingbody_set.all(), key=lambda body: body.position)
        (awarded if first.organisation_id == organisation.pk else co_awarded).append(version)
    offerings = list(
        _live_offerings(on)
        .filter(host=organisation, version__status=SpecificationVersion.Status.PUBLISHED)
        .select_related("version__micro_credential")
    )
    return PartnerProgrammes(
        memberships=memberships, awarded=awarded, co_awarded=co_awarded, offerings=offerings
    )
