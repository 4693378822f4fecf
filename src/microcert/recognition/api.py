"""Recognition as a REST API: schemes, inclusion applications and decisions, a teacher's PD
ledger and an institution's compliance. Mounted under ``/api/v1/recognition/``.

Thin like the learning API: parse (``api_schemas``), authorise (``permissions.py``, through
``request.user.has_perm``), call a service or a selector, render. The same refusal rules:

* what the caller may not see answers 404, exactly like what does not exist: an application
  they neither made nor review, another person's ledger;
* what they may see but not do answers 403, as does what their role does not allow (deciding
  one's own application, applying for an organisation one does not act for);
* a refusal by the workflow (``RecognitionError``) answers 409 when the application's present
  state does not allow the step (deciding before the applicant resubmitted, resubmitting
  what was not returned, a version already before the scheme), and 400 when the request's
  content is what is wrong (an approval without an equivalence, a rejection without reasons);
* something named in the request that does not exist (a scheme, a version, an organisation)
  answers 404.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError

from microcert.accounts.models import User
from microcert.catalog.models import SpecificationVersion
from microcert.core.api_paging import PageParams, paged
from microcert.core.api_types import IsoDate
from microcert.network.models import Organisation

from . import endorsement, selectors, services, units
from .api_schemas import (
    ApplicationDetailOut,
    ApplicationIn,
    ApplicationPage,
    CompliancePage,
    DecisionIn,
    DecisionOut,
    ErrorOut,
    InvalidOut,
    LedgerOut,
    ResubmitIn,
    SchemePage,
    WithdrawIn,
)
from .forms import FIRST_DAY, LAST_DAY
from .models import InclusionApplication, InclusionDecision, RecognitionScheme, Unit
from .permissions import compliance_schemes, may_apply_with
from .services import RecognitionError

router = Router(tags=["recognition"])

# --- Refusals ---------------------------------------------------------------------------------


def _responses(ok: dict[int, Any], *errors: int) -> dict[int, Any]:
    documented: dict[int, Any] = dict(ok)
    for code in sorted({401, *errors}):
        documented[code] = ErrorOut
    documented[422] = InvalidOut
    return documented


@contextmanager
def _refusals(status: int | Callable[[], int] = 409) -> Iterator[None]:
    """The workflow's refusal as an HTTP error; ``status`` may be asked after the failed step
    (rolled back) to tell a state conflict (409) from a bad request (400)."""
    try:
        yield
    except RecognitionError as error:
        code = status() if callable(status) else status
        raise HttpError(code, " ".join(error.messages)) from error


def _not_found(what: str) -> HttpError:
    return HttpError(404, _("There is no %(what)s with this identifier.") % {"what": what})


def _allowed(request: HttpRequest, perm: str, obj: Any = None, message: str = "") -> None:
    if not request.user.has_perm(f"recognition.{perm}", obj):
        raise HttpError(403, message or _("You are not allowed to do this."))


# --- Rendering --------------------------------------------------------------------------------


def _number(value) -> float | None:
    return float(value) if value is not None else None


def _organisation(organisation: Organisation) -> dict:
    return {"uuid": organisation.uuid, "slug": organisation.slug, "name": organisation.name}


def _person(person) -> dict:
    return {"uuid": person.uuid, "name": str(person), "email": person.email}


def _scheme_ref(scheme: RecognitionScheme) -> dict:
    return {"uuid": scheme.uuid, "slug": scheme.slug, "title": scheme.title, "unit": scheme.unit}


def _scheme(scheme: RecognitionScheme) -> dict:
    start, end = services.period_of(scheme, timezone.localdate())
    return {
        **_scheme_ref(scheme),
        "description": scheme.description,
        "authority": _organisation(scheme.authority.organisation),
        "country": scheme.country.code,
        "staff_categories": scheme.staff_categories,
        "unit_label": str(Unit(scheme.unit).label),
        "requirement": float(scheme.requirement),
        "requirement_hours": float(selectors.requirement_hours(scheme)),
        "period_years": scheme.period_years,
        "current_period": {"start": start, "end": end},
        "hours_per_ects": float(scheme.hours_per_ects),
        "hours_per_cpd_unit": float(scheme.hours_per_cpd_unit),
    }


def _decision(decision: InclusionDecision, scheme: RecognitionScheme) -> dict:
    hours = (
        units.to_hours(decision.equivalence, scheme.unit, scheme)
        if decision.equivalence is not None
        else None
    )
    return {
        "uuid": decision.uuid,
        "number": decision.number,
        "outcome": decision.outcome,
        "equivalence": _number(decision.equivalence),
        "equivalence_hours": _number(hours),
        "valid_from": decision.valid_from,
        "valid_until": decision.valid_until,
        "conditions": decision.conditions,
        "reasons": decision.reasons,
        "decided_by": _person(decision.decided_by) if decision.decided_by else None,
        "decided_at": decision.decided_at,
        "endorsement": endorsement.endorsement_url(decision) if decision.endorsement else None,
    }


def _version(version: SpecificationVersion) -> dict:
    return {
        "uuid": version.uuid,
        "micro_credential": version.micro_credential.slug,
        "number": version.number,
        "title": version.title,
        "status": version.status,
        "workload_hours": float(version.workload_hours),
    }


def _application(application: InclusionApplication) -> dict:
    scheme = application.scheme
    latest = selectors.application_decisions(application).first()
    return {
        "uuid": application.uuid,
        "status": application.status,
        "scheme": _scheme_ref(scheme),
        "authority": _organisation(scheme.authority.organisation),
        "version": _version(application.version),
        "applicant": _organisation(application.applicant),
        "submitted_by": _person(application.submitted_by) if application.submitted_by else None,
        "submitted_at": application.submitted_at,
        "motivation": application.motivation,
        "decision": _decision(latest, scheme) if latest else None,
    }


def _application_detail(application: InclusionApplication) -> dict:
    application = selectors.applications().get(pk=application.pk)
    outcomes = selectors.version_outcomes(application.version)
    return {
        **_application(application),
        "decisions": [
            _decision(d, application.scheme) for d in selectors.application_decisions(application)
        ],
        "outcomes": {
            "issued": outcomes.issued,
            "active": outcomes.active,
            "suspended": outcomes.suspended,
            "revoked": outcomes.revoked,
            "holders": outcomes.holders,
        },
    }


# --- Schemes ----------------------------------------------------------------------------------


@router.get(
    "/schemes",
    response=_responses({200: SchemePage}),
    summary="Recognition schemes",
)
def scheme_list(
    request: HttpRequest,
    page: Query[PageParams],
    country: str | None = Query(None, min_length=2, max_length=2, description="ISO 3166-1."),
) -> dict:
    """Active schemes that count professional development, with their unit, requirement
    and current period, by country."""
    schemes = selectors.schemes_open().order_by("country", "slug")
    if country:
        schemes = schemes.filter(country=country.upper())
    return paged(schemes, page, _scheme)


# --- Applications -----------------------------------------------------------------------------


def _visible_application(request: HttpRequest, application_id: UUID) -> InclusionApplication:
    application = selectors.applications().filter(uuid=application_id).first()
    if application is None or not request.user.has_perm(
        "recognition.view_application", application
    ):
        raise _not_found(_("application"))
    return application


@router.get(
    "/applications",
    response=_responses({200: ApplicationPage}),
    summary="Applications I made or review",
)
def application_list(
    request: HttpRequest,
    page: Query[PageParams],
    status: str | None = Query(
        None,
        pattern="^(submitted|changes_requested|approved|rejected|withdrawn)$",
        description="Only applications in this state.",
    ),
    role: str | None = Query(
        None,
        pattern="^(applicant|reviewer)$",
        description="applicant: those made for an organisation I act for; reviewer: those to "
        "my authority's schemes. Default: both.",
    ),
) -> dict:
    """Applications the caller made (for an organisation they act for) or reviews (for their
    authority), the newest first."""
    if role == "applicant":
        found = selectors.applications_of_applicants(request.user)
    elif role == "reviewer":
        found = selectors.applications_to_review(request.user)
    else:
        found = selectors.applications_visible_to(request.user)
    if status:
        found = found.filter(status=status)
    return paged(found, page, _application)


@router.post(
    "/applications",
    response=_responses({201: ApplicationDetailOut}, 400, 403, 404, 409),
    summary="Submit a micro-credential for recognition",
)
def application_create(request: HttpRequest, data: ApplicationIn) -> Status:
    """Asks a scheme to count a published specification version, on behalf of an
    organisation the caller acts for: the programme owner for any micro-credential of the
    programme, another institution for one it is an awarding body of. 409 if the version is
    already before the scheme, is not published, or the scheme takes no applications."""
    applicant = Organisation.objects.filter(slug=data.applicant).first()
    if applicant is None:
        raise _not_found(_("organisation"))
    _allowed(
        request,
        "apply_for",
        applicant,
        _("Only the organisation's admins (or the programme's managers) apply for it."),
    )
    scheme = RecognitionScheme.objects.filter(slug=data.scheme).first()
    if scheme is None:
        raise _not_found(_("scheme"))
    version = (
        SpecificationVersion.objects.select_related("micro_credential")
        .filter(uuid=data.version)
        .first()
    )
    if version is None:
        raise _not_found(_("specification version"))
    if not may_apply_with(applicant, version):
        raise HttpError(
            403,
            _("%(organisation)s is not an awarding body of this micro-credential.")
            % {"organisation": applicant.name},
        )
    with _refusals(409):
        application = services.application_submit(
            scheme=scheme,
            version=version,
            applicant=applicant,
            actor=request.user,
            motivation=data.motivation,
        )
    return Status(201, _application_detail(application))


@router.get(
    "/applications/{uuid:application_id}",
    response=_responses({200: ApplicationDetailOut}, 404),
    summary="An application with its decisions",
)
def application_get(request: HttpRequest, application_id: UUID) -> dict:
    """The application, every decision on it (the one in force first) and the version's
    credentials so far; for the applicant and the scheme's reviewers."""
    return _application_detail(_visible_application(request, application_id))


@router.post(
    "/applications/{uuid:application_id}/resubmit",
    response=_responses({200: ApplicationDetailOut}, 400, 403, 404, 409),
    summary="Resubmit an application returned for changes",
)
def application_resubmit(request: HttpRequest, application_id: UUID, data: ResubmitIn) -> dict:
    """Puts an application the authority returned for changes before it again, with a new
    motivation (empty keeps the old one); 409 unless it was returned."""
    application = _visible_application(request, application_id)
    _allowed(request, "resubmit_application", application, _("Only the applicant resubmits."))
    with _refusals(409):
        services.application_resubmit(
            application=application, actor=request.user, motivation=data.motivation
        )
    return _application_detail(application)


@router.post(
    "/applications/{uuid:application_id}/withdraw",
    response=_responses({200: ApplicationDetailOut}, 400, 403, 404, 409),
    summary="Withdraw an application",
)
def application_withdraw(request: HttpRequest, application_id: UUID, data: WithdrawIn) -> dict:
    """The applicant takes back an application the authority has not approved; 409 once it
    was approved, rejected or withdrawn."""
    application = _visible_application(request, application_id)
    _allowed(request, "withdraw_application", application, _("Only the applicant withdraws."))
    with _refusals(409):
        services.application_withdraw(
            application=application, actor=request.user, reason=data.reason
        )
    application.refresh_from_db()
    return _application_detail(application)


def _decidable(application: InclusionApplication) -> Callable[[], int]:
    """400 when the application could be decided (so the content was wrong), else 409."""

    def status() -> int:
        fresh = InclusionApplication.objects.get(pk=application.pk)
        open_ = (InclusionApplication.Status.SUBMITTED, InclusionApplication.Status.APPROVED)
        return 400 if fresh.status in open_ else 409

    return status


@router.post(
    "/applications/{uuid:application_id}/decisions",
    response=_responses({201: DecisionOut}, 400, 403, 404, 409),
    summary="Decide on an application",
)
def application_decide(request: HttpRequest, application_id: UUID, data: DecisionIn) -> Status:
    """Records the authority's decision: approve with an equivalence (in the scheme's unit)
    and a validity window, ask for changes, or reject, with reasons. An approved application
    can be decided again: the new decision supersedes the one in force. An approval is
    signed as an Open Badges EndorsementCredential by the authority. For the scheme's
    reviewers (403 for the applicant); 409 while the applicant has not resubmitted, or when
    the application is closed."""
    application = _visible_application(request, application_id)
    _allowed(
        request,
        "decide_application",
        application,
        _("Only the reviewers of the scheme's authority decide."),
    )
    with _refusals(_decidable(application)):
        decision = services.application_decide(
            application=application,
            actor=request.user,
            outcome=data.outcome,
            equivalence=data.equivalence,
            valid_from=data.valid_from,
            valid_until=data.valid_until,
            conditions=data.conditions,
            reasons=data.reasons,
            endorse=endorsement.build_and_sign,
        )
    return Status(201, _decision(decision, application.scheme))


# --- The PD ledger ----------------------------------------------------------------------------


def _ledger(person) -> dict:
    schemes = []
    for item in selectors.pd_transcript(person):
        scheme = item.scheme
        schemes.append(
            {
                "scheme": _scheme_ref(scheme),
                "authority": _organisation(scheme.authority.organisation),
                "periods": [
                    {
                        "start": period.start,
                        "end": period.end,
                        "is_current": period.is_current,
                        "amount": float(period.amount),
                        "hours": float(period.hours),
                        "requirement": float(period.requirement),
                        "requirement_hours": float(period.required_hours),
                        "met": period.met,
                        "missing": float(period.missing),
                        "missing_hours": float(period.missing_hours),
                        "entries": [
                            {
                                "credential": {
                                    "uuid": entry.credential.uuid,
                                    "id": str(
                                        entry.credential.document.get(
                                            "id", f"urn:uuid:{entry.credential.uuid}"
                                        )
                                    ),
                                    "title": entry.credential.specification_version.title
                                    if entry.credential.specification_version
                                    else "",
                                    "status": entry.credential.status,
                                },
                                "awarded_on": entry.awarded_on,
                                "amount": float(entry.amount),
                                "hours": float(entry.hours),
                                "decision": entry.decision.uuid,
                                "decision_number": entry.decision.number,
                                "application": entry.decision.application.uuid,
                            }
                            for entry in period.entries
                        ],
                    }
                    for period in item.periods
                ],
            }
        )
    return {"person": _person(person), "schemes": schemes}


@router.get(
    "/people/{uuid:person_id}/ledger",
    response=_responses({200: LedgerOut}, 404),
    summary="A teacher's recognised PD",
)
def ledger_get(request: HttpRequest, person_id: UUID) -> dict:
    """Per scheme that applies to the teacher and per period (the newest first, the current
    one always): each credential that counts, what it counts for and under which decision,
    against the requirement. For the teacher, their institution's admins and programme
    managers; the caller's own UUID is in ``/api/v1/me``."""
    person = User.objects.filter(uuid=person_id).first()
    if person is None or not request.user.has_perm("recognition.view_ledger", person):
        raise _not_found(_("person"))
    return _ledger(person)


# --- Compliance -------------------------------------------------------------------------------


@router.get(
    "/organisations/{slug:organisation}/compliance",
    response=_responses({200: CompliancePage}, 400, 403, 404),
    summary="An institution's teachers against a scheme's requirement",
)
def compliance_get(
    request: HttpRequest,
    organisation: str,
    page: Query[PageParams],
    scheme: str = Query(..., max_length=80, description="The scheme's slug."),
    on: IsoDate | None = Query(  # noqa: B008 - django-ninja's way to declare it
        None, description="A day in the period asked for; default: today."
    ),
) -> dict:
    """Each teacher of the institution in one period of the scheme: the credentials counted,
    what they add up to, whether the requirement is met and what is missing. For the
    institution's admins, programme managers and the reviewers of an authority of its
    country (their authority's schemes only)."""
    found = Organisation.objects.filter(slug=organisation).first()
    if found is None:
        raise _not_found(_("institution"))
    _allowed(
        request,
        "view_compliance",
        found,
        _("Only the institution's admins, programme managers and its authorities follow it."),
    )
    chosen = next((s for s in compliance_schemes(request.user, found) if s.slug == scheme), None)
    if chosen is None:
        raise _not_found(_("scheme that applies to this institution"))
    if on is not None and not FIRST_DAY <= on <= LAST_DAY:
        raise HttpError(
            400,
            _("Choose a day between %(first)s and %(last)s.")
            % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
        )
    result = selectors.compliance(found, chosen, on or timezone.localdate())
    return {
        "organisation": _organisation(found),
        "scheme": _scheme_ref(chosen),
        "period": {"start": result.start, "end": result.end},
        "requirement": float(result.requirement),
        "requirement_hours": float(result.required_hours),
        "met": result.met,
        **paged(
            result.rows,
            page,
            lambda row: {
                "teacher": _person(row.teacher),
                "credentials": row.credentials,
                "amount": float(row.amount),
                "hours": float(row.hours),
                "met": row.met,
                "missing": float(row.missing),
                "missing_hours": float(row.missing_hours),
            },
        ),
    }
