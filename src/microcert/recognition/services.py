"""Writes of recognition: schemes, inclusion applications and decisions, and the PD ledger.

Each write is one transaction with its event. The ledger is derived: ``ledger_recompute``
rebuilds the rows of the credentials it is given, and every change that can alter what a
credential counts for (its status, a decision) calls it for exactly the credentials affected.
"""

import datetime
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microcert.accounts.roles import Role
from microcert.catalog.models import SpecificationVersion
from microcert.core.services import event_record
from microcert.credentials.models import IssuedCredential
from microcert.network.models import Affiliation, Organisation

from . import units
from .models import (
    Authority,
    InclusionApplication,
    InclusionDecision,
    LedgerEntry,
    RecognitionScheme,
    StaffCategory,
    Unit,
)


class RecognitionError(ValidationError):
    """The step cannot be taken as asked; the message says why."""


# --- Periods and people -----------------------------------------------------------------------


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def period_of(scheme: RecognitionScheme, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The period of ``scheme`` that contains ``day``: (first day, last day)."""
    step = scheme.period_years
    start = scheme.periods_start_on
    offset = (day.year - start.year) // step * step
    begin = _add_years(start, offset)
    while begin > day:
        begin = _add_years(begin, -step)
    while _add_years(begin, step) <= day:
        begin = _add_years(begin, step)
    return begin, _add_years(begin, step) - datetime.timedelta(days=1)


def home_institution(person) -> Organisation | None:
    """Where the person teaches: their oldest active teacher role."""
    affiliation = (
        Affiliation.objects.filter(person=person, role=Role.TEACHER, is_active=True)
        .select_related("organisation")
        .order_by("created_at", "pk")
        .first()
    )
    return affiliation.organisation if affiliation else None


def staff_category_of(organisation: Organisation) -> str:
    """Teachers of a higher-education institution are lecturers; others teach at school."""
    if organisation.kind == Organisation.Kind.HEI:
        return StaffCategory.UNIVERSITY_LECTURER
    return StaffCategory.SCHOOL_TEACHER


# --- Authorities and schemes ------------------------------------------------------------------


@transaction.atomic
def authority_ensure(*, organisation: Organisation, actor) -> Authority:
    existing = Authority.objects.filter(organisation=organisation).first()
    if existing:
        return existing
    if organisation.kind != Organisation.Kind.MINISTRY:
        raise RecognitionError(_("Only a ministry or education authority can recognise PD."))
    authority = Authority.objects.create(organisation=organisation)
    event_record(actor=actor, verb="authority.created", target=authority)
    return authority


def _decimal(value, what: str, *, positive: bool = False) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise RecognitionError(_("%(what)s must be a number.") % {"what": what}) from None
    if not number.is_finite() or number > 100000:
        raise RecognitionError(_("%(what)s must be a number.") % {"what": what})
    # Judged after rounding to what is stored: 0.001 would be kept as 0.00.
    number = number.quantize(Decimal("0.01"))
    if number < 0 or (positive and number == 0):
        raise RecognitionError(
            _("%(what)s must be a positive number.") % {"what": what}
            if positive
            else _("%(what)s cannot be negative.") % {"what": what}
        )
    return number


@transaction.atomic
def scheme_create(
    *,
    authority: Authority,
    slug: str,
    title: str,
    country: str,
    staff_categories: Iterable[str],
    unit: str,
    requirement,
    period_years: int,
    periods_start_on: datetime.date,
    actor,
    hours_per_ects=Decimal("25"),
    hours_per_cpd_unit=Decimal("1"),
    description: str = "",
    translations: dict[str, dict[str, str]] | None = None,
) -> RecognitionScheme:
    categories = sorted(set(staff_categories))
    if not categories or any(c not in StaffCategory.values for c in categories):
        raise RecognitionError(_("Choose the staff categories the scheme applies to."))
    if unit not in Unit.values:
        raise RecognitionError(_("Unknown unit: %(unit)s.") % {"unit": unit})
    if not 1 <= int(period_years) <= 10:
        raise RecognitionError(_("A period lasts between 1 and 10 years."))
    scheme = RecognitionScheme(
        authority=authority,
        slug=slug,
        title=title,
        description=description,
        country=country,
        staff_categories=categories,
        unit=unit,
        requirement=_decimal(requirement, _("The requirement")),
        period_years=int(period_years),
        periods_start_on=periods_start_on,
        hours_per_ects=_decimal(hours_per_ects, _("Hours per ECTS credit"), positive=True),
        hours_per_cpd_unit=_decimal(hours_per_cpd_unit, _("Hours per CPD unit"), positive=True),
    )
    for field, texts in (translations or {}).items():
        for language, text in texts.items():
            setattr(scheme, f"{field}_{language.replace('-', '_')}", text)
    scheme.full_clean()
    scheme.save()
    event_record(actor=actor, verb="scheme.created", target=scheme)
    return scheme


# --- Inclusion --------------------------------------------------------------------------------


def current_decision(application: InclusionApplication) -> InclusionDecision | None:
    return application.decisions.order_by("-number").first()


@transaction.atomic
def application_submit(
    *,
    scheme: RecognitionScheme,
    version: SpecificationVersion,
    applicant: Organisation,
    actor,
    motivation: str = "",
) -> InclusionApplication:
    """Ask ``scheme`` to count ``version``; one live application per pair."""
    if not scheme.is_active:
        raise RecognitionError(_("This scheme no longer takes applications."))
    if version.status != SpecificationVersion.Status.PUBLISHED:
        raise RecognitionError(_("Only a published specification version can be submitted."))
    if (
        InclusionApplication.objects.filter(scheme=scheme, version=version)
        .exclude(
            status__in=[InclusionApplication.Status.WITHDRAWN, InclusionApplication.Status.REJECTED]
        )
        .exists()
    ):
        raise RecognitionError(_("This version is already before the scheme."))
    application = InclusionApplication.objects.create(
        scheme=scheme,
        version=version,
        applicant=applicant,
        submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
        motivation=(motivation or "").strip()[:10000],
        submitted_at=timezone.now(),
    )
    event_record(
        actor=actor,
        verb="inclusion.submitted",
        target=application,
        details={"scheme": scheme.slug, "version": str(version.uuid)},
    )
    return application


@transaction.atomic
def application_resubmit(
    *, application: InclusionApplication, actor, motivation: str
) -> InclusionApplication:
    application = InclusionApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != InclusionApplication.Status.CHANGES_REQUESTED:
        raise RecognitionError(_("Only an application returned for changes can be resubmitted."))
    application.status = InclusionApplication.Status.SUBMITTED
    application.motivation = (motivation or "").strip()[:10000] or application.motivation
    application.submitted_at = timezone.now()
    application.save(update_fields=["status", "motivation", "submitted_at", "updated_at"])
    event_record(actor=actor, verb="inclusion.resubmitted", target=application)
    return application


@transaction.atomic
def application_withdraw(
    *, application: InclusionApplication, actor, reason: str = ""
) -> InclusionApplication:
    """The applicant takes back an application the authority has not approved. Once an
    approval exists, teachers' PD hours rest on it: only the authority ends it (a new decision
    with an end date, or a rejection)."""
    application = InclusionApplication.objects.select_for_update().get(pk=application.pk)
    if application.status not in (
        InclusionApplication.Status.SUBMITTED,
        InclusionApplication.Status.CHANGES_REQUESTED,
    ):
        raise RecognitionError(
            _("This application is %(status)s: it can no longer be withdrawn.")
            % {"status": application.get_status_display().lower()}
        )
    if application.decisions.filter(outcome=InclusionDecision.Outcome.APPROVE).exists():
        raise RecognitionError(
            _(
                "The authority has approved this application before: teachers' hours rest on "
                "that approval, so only the authority can end it."
            )
        )
    application.status = InclusionApplication.Status.WITHDRAWN
    application.save(update_fields=["status", "updated_at"])
    event_record(
        actor=actor,
        verb="inclusion.withdrawn",
        target=application,
        reason=(reason or "").strip()[:2000],
    )
    return application


_OUTCOME_STATUS = {
    InclusionDecision.Outcome.APPROVE: InclusionApplication.Status.APPROVED,
    InclusionDecision.Outcome.REQUEST_CHANGES: InclusionApplication.Status.CHANGES_REQUESTED,
    InclusionDecision.Outcome.REJECT: InclusionApplication.Status.REJECTED,
}


@transaction.atomic
def application_decide(
    *,
    application: InclusionApplication,
    actor,
    outcome: str,
    equivalence=None,
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    conditions: str = "",
    reasons: str = "",
    endorse: Callable[[InclusionDecision], dict] | None = None,
) -> InclusionDecision:
    """Record the authority's decision. An approved application can be decided again (a new
    equivalence or window): the new decision supersedes the old one and the ledger of exactly
    the teachers holding that version is recomputed. ``endorse`` signs the approval as an
    Open Badges EndorsementCredential."""
    application = InclusionApplication.objects.select_for_update().get(pk=application.pk)
    if outcome not in InclusionDecision.Outcome.values:
        raise RecognitionError(_("Choose approve, ask for changes or reject."))
    if application.status in (
        InclusionApplication.Status.WITHDRAWN,
        InclusionApplication.Status.REJECTED,
    ):
        raise RecognitionError(
            _("This application is %(status)s.")
            % {"status": application.get_status_display().lower()}
        )
    if application.status == InclusionApplication.Status.CHANGES_REQUESTED:
        raise RecognitionError(_("The applicant has not resubmitted yet."))
    reasons = (reasons or "").strip()
    conditions = (conditions or "").strip()
    if outcome == InclusionDecision.Outcome.APPROVE:
        amount = _decimal(equivalence, _("The equivalence"), positive=True)
        if valid_from is None:
            raise RecognitionError(_("Say from when the recognition is valid."))
        if valid_until is not None and valid_until < valid_from:
            raise RecognitionError(_("The recognition cannot end before it starts."))
    else:
        amount = None
        valid_from = valid_until = None
        if not reasons:
            raise RecognitionError(_("Give the reasons, so the applicant knows what to do."))
    previous = current_decision(application)
    decision = InclusionDecision.objects.create(
        application=application,
        number=(previous.number + 1) if previous else 1,
        outcome=outcome,
        equivalence=amount,
        valid_from=valid_from,
        valid_until=valid_until,
        conditions=conditions[:10000],
        reasons=reasons[:10000],
        decided_by=actor if getattr(actor, "is_authenticated", False) else None,
        decided_at=timezone.now(),
    )
    if outcome == InclusionDecision.Outcome.APPROVE and endorse is not None:
        decision.endorsement = endorse(decision)
        decision.save(update_fields=["endorsement"])
    application.status = _OUTCOME_STATUS[outcome]
    application.save(update_fields=["status", "updated_at"])
    event_record(
        actor=actor,
        verb=f"inclusion.{outcome}",
        target=application,
        reason=reasons,
        details={
            "decision": decision.number,
            "equivalence": str(amount) if amount is not None else None,
            "valid_from": valid_from.isoformat() if valid_from else None,
            "valid_until": valid_until.isoformat() if valid_until else None,
            "supersedes": previous.number if previous else None,
        },
    )
    ledger_recompute(
        credentials=IssuedCredential.objects.filter(specification_version=application.version)
    )
    return decision


# --- Ledger -----------------------------------------------------------------------------------


# Applications whose approvals can still be in force: an approved one, and one the authority
# has since asked to change (its earlier approval stands until a new decision replaces it).
LIVE_STATUSES = (
    InclusionApplication.Status.APPROVED,
    InclusionApplication.Status.CHANGES_REQUESTED,
    InclusionApplication.Status.SUBMITTED,
)


def decision_governing(
    approvals: list[InclusionDecision], day: datetime.date
) -> InclusionDecision | None:
    """Of one application's approving decisions (newest first), the one in force on ``day``:
    the newest that had started by then. It counts the day only if its window still holds it,
    so a later decision that ends recognition is not undone by an older open-ended one."""
    for decision in approvals:
        if decision.valid_from <= day:
            if decision.valid_until is None or day <= decision.valid_until:
                return decision
            return None
    return None


def _approvals_by_version(version_ids: set[int]) -> dict[int, list[list[InclusionDecision]]]:
    """For each version, per live application to an active scheme, its approving decisions
    newest first."""
    found: dict[int, dict[int, list[InclusionDecision]]] = {}
    decisions = (
        InclusionDecision.objects.filter(
            application__version_id__in=version_ids,
            application__status__in=LIVE_STATUSES,
            application__scheme__is_active=True,
            outcome=InclusionDecision.Outcome.APPROVE,
        )
        .select_related("application__scheme")
        .order_by("application_id", "-number")
    )
    for decision in decisions:
        application = decision.application
        found.setdefault(application.version_id, {}).setdefault(application.pk, []).append(decision)
    return {version: list(per_app.values()) for version, per_app in found.items()}


def _area_and_level(version: SpecificationVersion) -> tuple[str, str]:
    alignment = (
        version.alignments.select_related("competence__area", "target_level")
        .order_by("position", "pk")
        .first()
    )
    if alignment is None:
        return "", ""
    area = alignment.competence.area
    return f"{alignment.competence.framework.slug}:{area.code}", alignment.target_level.code


def ledger_recompute(*, credentials) -> int:
    """Rebuild the ledger rows of ``credentials``; returns how many rows they now have.

    A credential counts under a scheme when it is active, its holder teaches in the scheme's
    country in one of its staff categories, and an approval of its specification version is
    in force on the date of award (``decision_governing``).
    """
    credentials = list(
        credentials.filter(recipient__isnull=False).select_related(
            "recipient", "specification_version"
        )
        if hasattr(credentials, "filter")
        else credentials
    )
    if not credentials:
        return 0
    LedgerEntry.objects.filter(credential__in=[c.pk for c in credentials]).delete()
    approvals = _approvals_by_version({c.specification_version_id for c in credentials})
    homes: dict[int, Organisation | None] = {}
    groups: dict[int, tuple[str, str]] = {}
    rows = []
    for credential in credentials:
        if credential.status != IssuedCredential.Status.ACTIVE or credential.recipient is None:
            continue
        person = credential.recipient
        if person.pk not in homes:
            homes[person.pk] = home_institution(person)
        home = homes[person.pk]
        if home is None:
            continue
        category = staff_category_of(home)
        awarded_on = timezone.localdate(credential.valid_from)
        for per_application in approvals.get(credential.specification_version_id, []):
            decision = decision_governing(per_application, awarded_on)
            if decision is None:
                continue
            scheme = decision.application.scheme
            if scheme.country != home.country or category not in scheme.staff_categories:
                continue
            version_id = credential.specification_version_id
            if version_id not in groups:
                groups[version_id] = _area_and_level(credential.specification_version)
            area, level = groups[version_id]
            rows.append(
                LedgerEntry(
                    person=person,
                    scheme=scheme,
                    credential=credential,
                    decision=decision,
                    awarded_on=awarded_on,
                    period_start=period_of(scheme, awarded_on)[0],
                    amount=decision.equivalence,
                    hours=units.to_hours(decision.equivalence, scheme.unit, scheme),
                    organisation=home,
                    province=home.city,
                    staff_category=category,
                    area=area,
                    level=level,
                )
            )
    LedgerEntry.objects.bulk_create(rows)
    return len(rows)


def ledger_recompute_person(person) -> int:
    """After a change of a person's institution: all their credentials again."""
    return ledger_recompute(credentials=IssuedCredential.objects.filter(recipient=person))
