"""Reads of recognition used by more than one caller."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from microcert.accounts.models import User
from microcert.accounts.roles import Role
from microcert.catalog.models import SpecificationVersion
from microcert.core.selectors import events_for
from microcert.credentials.models import IssuedCredential
from microcert.network import selectors as network_selectors
from microcert.network.models import Organisation

from . import services, units
from .models import (
    InclusionApplication,
    InclusionDecision,
    LedgerEntry,
    RecognitionScheme,
)


def decisions_in_force(version: SpecificationVersion, *, on: datetime.date) -> QuerySet:
    """The approving decisions that recognise ``version`` on the day ``on``, one per live
    application to an active scheme: the newest approval that had started by ``on``, if its
    window still holds ``on`` (the rule of ``services.decision_governing``)."""
    governing = (
        InclusionDecision.objects.filter(
            application=OuterRef("application"),
            outcome=InclusionDecision.Outcome.APPROVE,
            valid_from__lte=on,
        )
        .order_by("-number")
        .values("number")[:1]
    )
    return (
        InclusionDecision.objects.filter(
            application__version=version,
            application__status__in=services.LIVE_STATUSES,
            application__scheme__is_active=True,
            outcome=InclusionDecision.Outcome.APPROVE,
            number=Subquery(governing),
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


# --- Pages and API: applications, transcripts, compliance -------------------------------------


def schemes_open() -> QuerySet[RecognitionScheme]:
    """Active schemes that take applications, with their authorities."""
    return RecognitionScheme.objects.filter(is_active=True).select_related(
        "authority__organisation"
    )


def applications() -> QuerySet[InclusionApplication]:
    return InclusionApplication.objects.select_related(
        "scheme__authority__organisation",
        "version__micro_credential",
        "applicant",
        "submitted_by",
    )


def applications_of_applicants(user) -> QuerySet[InclusionApplication]:
    """Applications made on behalf of the organisations the user acts for, newest first."""
    ids: set[int] = set()
    for role in (Role.INSTITUTION_ADMIN, Role.PROGRAMME_MANAGER):
        ids |= network_selectors.organisation_ids_where(user, role)
    return applications().filter(applicant_id__in=ids).order_by("-submitted_at", "-pk")


def applications_to_review(user) -> QuerySet[InclusionApplication]:
    """Applications to the schemes of the authorities the user reviews for, the ones
    waiting for a decision first, oldest first among them."""
    ids = network_selectors.organisation_ids_where(user, Role.AUTHORITY_REVIEWER)
    waiting = Case(
        When(status=InclusionApplication.Status.SUBMITTED, then=Value(0)),
        default=Value(1),
    )
    return (
        applications()
        .filter(scheme__authority__organisation_id__in=ids)
        .annotate(waiting=waiting)
        .order_by("waiting", "submitted_at", "pk")
    )


def applications_visible_to(user) -> QuerySet[InclusionApplication]:
    ids = set(applications_of_applicants(user).values_list("pk", flat=True)) | set(
        applications_to_review(user).values_list("pk", flat=True)
    )
    return applications().filter(pk__in=ids).order_by("-submitted_at", "-pk")


def application_decisions(application: InclusionApplication) -> QuerySet[InclusionDecision]:
    """Every decision on the application, the one in force (the latest) first."""
    return application.decisions.select_related("decided_by").order_by("-number")


@dataclass(frozen=True)
class HistoryItem:
    at: datetime.datetime
    verb: str  # submitted, resubmitted, approve, request_changes, reject
    who: str
    decision: InclusionDecision | None = None
    note: str = ""


def application_history(application: InclusionApplication) -> list[HistoryItem]:
    """What happened to an application, oldest first: each submission, each decision and a
    withdrawal."""
    items = [
        HistoryItem(
            at=event.occurred_at,
            verb=event.verb.removeprefix("inclusion."),
            who=str(event.actor) if event.actor_id and event.actor else event.actor_label,
            note=event.reason,
        )
        for event in events_for(application)
        .filter(verb__in=["inclusion.submitted", "inclusion.resubmitted", "inclusion.withdrawn"])
        .select_related("actor")
    ]
    items += [
        HistoryItem(
            at=decision.decided_at,
            verb=decision.outcome,
            who=str(decision.decided_by) if decision.decided_by else "",
            decision=decision,
        )
        for decision in application_decisions(application)
    ]
    return sorted(items, key=lambda item: item.at)


@dataclass(frozen=True)
class VersionOutcomes:
    """What a specification version has led to so far: its credentials by status."""

    issued: int
    active: int
    suspended: int
    revoked: int
    holders: int
    first_issued: datetime.datetime | None
    last_issued: datetime.datetime | None


def version_outcomes(version: SpecificationVersion) -> VersionOutcomes:
    found = IssuedCredential.objects.filter(specification_version=version).aggregate(
        issued=Count("pk"),
        active=Count("pk", filter=Q(status=IssuedCredential.Status.ACTIVE)),
        suspended=Count("pk", filter=Q(status=IssuedCredential.Status.SUSPENDED)),
        revoked=Count("pk", filter=Q(status=IssuedCredential.Status.REVOKED)),
        holders=Count("recipient", distinct=True),
        first_issued=Min("valid_from"),
        last_issued=Max("valid_from"),
    )
    return VersionOutcomes(**found)


def version_for_review(version_id: int) -> SpecificationVersion:
    """A specification version with everything its review page shows."""
    return (
        SpecificationVersion.objects.select_related("micro_credential")
        .prefetch_related(
            "outcomes",
            "awarding_bodies",
            "alignments__competence__framework",
            "alignments__target_level",
            "evidence_requirements",
            "rubric__levels",
        )
        .get(pk=version_id)
    )


# --- Periods, transcripts and compliance ------------------------------------------------------


def _person_schemes(person) -> list[RecognitionScheme]:
    """The schemes that count the person's PD where they teach, and any scheme that already
    counts some of it."""
    home = services.home_institution(person)
    found = {s.pk: s for s in schemes_for_organisation(home)} if home is not None else {}
    for scheme in RecognitionScheme.objects.filter(ledger_entries__person=person).distinct():
        found.setdefault(scheme.pk, scheme)
    return sorted(found.values(), key=lambda s: (s.country.code, s.slug))


def requirement_hours(scheme: RecognitionScheme) -> Decimal:
    return units.to_hours(scheme.requirement, scheme.unit, scheme)


@dataclass
class TranscriptPeriod:
    start: datetime.date
    end: datetime.date
    entries: list[LedgerEntry]
    amount: Decimal
    hours: Decimal
    requirement: Decimal
    required_hours: Decimal
    is_current: bool

    @property
    def met(self) -> bool:
        return self.amount >= self.requirement

    @property
    def missing(self) -> Decimal:
        return max(self.requirement - self.amount, Decimal("0.00"))

    @property
    def missing_hours(self) -> Decimal:
        return max(self.required_hours - self.hours, Decimal("0.00"))


@dataclass
class TranscriptScheme:
    scheme: RecognitionScheme
    periods: list[TranscriptPeriod]


def _ledger_entries() -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.select_related(
        "credential__specification_version__micro_credential",
        "credential__issuer__organisation",
        "decision__application",
    )


def pd_transcript(person, *, today: datetime.date | None = None) -> list[TranscriptScheme]:
    """Per scheme that applies to the person, per period (newest first, the current one
    always shown): each credential counted, the totals and the requirement."""
    today = today or timezone.localdate()
    result = []
    for scheme in _person_schemes(person):
        entries = list(_ledger_entries().filter(person=person, scheme=scheme))
        current = services.period_of(scheme, today)[0]
        starts = sorted({e.period_start for e in entries} | {current}, reverse=True)
        needed = requirement_hours(scheme)
        periods = []
        for start in starts:
            counted = [e for e in entries if e.period_start == start]
            periods.append(
                TranscriptPeriod(
                    start=start,
                    end=services.period_of(scheme, start)[1],
                    entries=counted,
                    amount=sum((e.amount for e in counted), Decimal("0.00")),
                    hours=sum((e.hours for e in counted), Decimal("0.00")),
                    requirement=scheme.requirement,
                    required_hours=needed,
                    is_current=start == current,
                )
            )
        result.append(TranscriptScheme(scheme=scheme, periods=periods))
    return result


def schemes_for_organisation(organisation: Organisation) -> list[RecognitionScheme]:
    """Active schemes that count the PD of this institution's teachers."""
    category = services.staff_category_of(organisation)
    return [
        scheme
        for scheme in schemes_open().filter(country=organisation.country)
        if category in scheme.staff_categories
    ]


def recent_periods(
    scheme: RecognitionScheme, *, today: datetime.date | None = None, count: int = 4
) -> list[tuple[datetime.date, datetime.date]]:
    """The current period of the scheme and the ones before it (not before the first)."""
    today = today or timezone.localdate()
    start = services.period_of(scheme, max(today, scheme.periods_start_on))[0]
    periods = []
    while len(periods) < count and start >= scheme.periods_start_on:
        periods.append(services.period_of(scheme, start))
        start = services.period_of(scheme, start - datetime.timedelta(days=1))[0]
    return periods


@dataclass
class ComplianceRow:
    teacher: Any
    amount: Decimal
    hours: Decimal
    credentials: int
    requirement: Decimal
    required_hours: Decimal

    @property
    def met(self) -> bool:
        return self.amount >= self.requirement

    @property
    def missing(self) -> Decimal:
        return max(self.requirement - self.amount, Decimal("0.00"))

    @property
    def missing_hours(self) -> Decimal:
        return max(self.required_hours - self.hours, Decimal("0.00"))


@dataclass
class Compliance:
    organisation: Organisation
    scheme: RecognitionScheme
    start: datetime.date
    end: datetime.date
    requirement: Decimal
    required_hours: Decimal
    rows: list[ComplianceRow]

    @property
    def met(self) -> int:
        return sum(1 for row in self.rows if row.met)


def compliance(
    organisation: Organisation, scheme: RecognitionScheme, day: datetime.date
) -> Compliance:
    """Each teacher of the institution in the period of ``scheme`` that contains ``day``:
    what is counted for them (wherever they earned it), against the requirement."""
    start, end = services.period_of(scheme, day)
    teachers = list(
        User.objects.filter(
            affiliations__organisation=organisation,
            affiliations__role=Role.TEACHER,
            affiliations__is_active=True,
        )
        .distinct()
        .order_by("legal_name", "email")
    )
    totals = {
        row["person"]: row
        for row in LedgerEntry.objects.filter(
            scheme=scheme, period_start=start, person__in=[t.pk for t in teachers]
        )
        .values("person")
        .annotate(amount=Sum("amount"), hours=Sum("hours"), credentials=Count("pk"))
    }
    needed = requirement_hours(scheme)
    zero = Decimal("0.00")
    rows = [
        ComplianceRow(
            teacher=teacher,
            amount=totals.get(teacher.pk, {}).get("amount") or zero,
            hours=totals.get(teacher.pk, {}).get("hours") or zero,
            credentials=totals.get(teacher.pk, {}).get("credentials") or 0,
            requirement=scheme.requirement,
            required_hours=needed,
        )
        for teacher in teachers
    ]
    return Compliance(
        organisation=organisation,
        scheme=scheme,
        start=start,
        end=end,
        requirement=scheme.requirement,
        required_hours=needed,
        rows=rows,
    )


def recognised_versions(scheme: RecognitionScheme, *, on: datetime.date) -> list[InclusionDecision]:
    """The micro-credentials the scheme counts on ``on``, with the decision in force:
    what a teacher who misses hours can still earn."""
    latest = (
        InclusionDecision.objects.filter(application=OuterRef("application"))
        .order_by("-number")
        .values("number")[:1]
    )
    return list(
        InclusionDecision.objects.filter(
            application__scheme=scheme,
            application__status=InclusionApplication.Status.APPROVED,
            outcome=InclusionDecision.Outcome.APPROVE,
            number=Subquery(latest),
            valid_from__lte=on,
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .select_related("application__version__micro_credential")
        .order_by("application__version__title")
    )
