"""Pages for an authority's reviewers: the applications to their schemes and the decision.

The review page shows what the authority decides on: the EU standard elements of the
specification version, its competences, its public rubric and its quality assurance, what it
has led to so far (its credentials by status), and every decision made before. A decision is
a new, numbered record (``application_decide``); an approval is signed as an Open Badges
EndorsementCredential by the authority.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods

from .. import endorsement, selectors, services, units
from ..forms import DecisionForm
from ..models import InclusionApplication, InclusionDecision, Unit
from ..services import RecognitionError

STATUS_FILTERS = ("waiting", "all", *InclusionApplication.Status.values)


def unit_symbol(unit: str) -> str:
    """The short name of a unit, for columns and totals: "h", "tiết", "ECTS"."""
    symbols = {
        Unit.CLOCK_HOUR: pgettext("unit symbol", "h"),
        Unit.LESSON_45: pgettext("unit symbol", "tiết"),
        Unit.STANDARD_HOUR_50: pgettext("unit symbol", "std. h (50 min)"),
        Unit.ECTS: pgettext("unit symbol", "ECTS"),
        Unit.CEU: pgettext("unit symbol", "CEU"),
        Unit.CPD_UNIT: pgettext("unit symbol", "CPD units"),
    }
    return symbols.get(unit, unit)


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("recognition.view_review_queue"):
        raise PermissionDenied
    shown = request.GET.get("status", "waiting")
    if shown not in STATUS_FILTERS:
        shown = "waiting"
    applications = selectors.applications_to_review(request.user)
    waiting = applications.filter(status=InclusionApplication.Status.SUBMITTED).count()
    if shown == "waiting":
        applications = applications.filter(status=InclusionApplication.Status.SUBMITTED)
    elif shown != "all":
        applications = applications.filter(status=shown)
    return render(
        request,
        "recognition/authority/queue.html",
        {
            "applications": applications,
            "shown": shown,
            "waiting": waiting,
            "statuses": InclusionApplication.Status.choices,
        },
    )


def _application(request: HttpRequest, uuid) -> InclusionApplication:
    application = selectors.applications().filter(uuid=uuid).first()
    if application is None or not request.user.has_perm(
        "recognition.view_application", application
    ):
        raise Http404
    if not request.user.has_perm("recognition.decide_application", application):
        raise PermissionDenied
    return application


def _decision_initial(decision: InclusionDecision | None) -> dict:
    """A new decision on an approved application starts from the terms in force."""
    if decision is None or decision.outcome != InclusionDecision.Outcome.APPROVE:
        return {"valid_from": timezone.localdate()}
    return {
        "equivalence": decision.equivalence,
        "valid_from": decision.valid_from,
        "valid_until": decision.valid_until,
        "conditions": decision.conditions,
    }


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, uuid) -> HttpResponse:
    application = _application(request, uuid)
    scheme = application.scheme
    decisions = list(selectors.application_decisions(application))
    current = decisions[0] if decisions else None
    decidable = application.status in (
        InclusionApplication.Status.SUBMITTED,
        InclusionApplication.Status.APPROVED,
    )
    unit_label = str(Unit(scheme.unit).label)
    form = DecisionForm(
        request.POST if request.method == "POST" else None,
        initial=_decision_initial(current),
        unit_label=unit_label,
    )
    if request.method == "POST":
        if not decidable:
            messages.info(request, _("This application cannot be decided now."))
            return redirect("recognition:review", uuid=application.uuid)
        if form.is_valid():
            data = form.cleaned_data
            try:
                decision = services.application_decide(
                    application=application,
                    actor=request.user,
                    outcome=data["outcome"],
                    equivalence=data.get("equivalence"),
                    valid_from=data.get("valid_from"),
                    valid_until=data.get("valid_until"),
                    conditions=data.get("conditions") or "",
                    reasons=data.get("reasons") or "",
                    endorse=endorsement.build_and_sign,
                )
            except RecognitionError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _done(decision))
                return redirect("recognition:review", uuid=application.uuid)
    version = selectors.version_for_review(application.version_id)
    minutes = units.minutes_per(scheme.unit, scheme)
    return render(
        request,
        "recognition/authority/review.html",
        {
            "application": application,
            "scheme": scheme,
            "version": version,
            "outcomes": selectors.version_outcomes(version),
            "decision": current,
            "history": selectors.application_history(application),
            "form": form,
            "decidable": decidable,
            "unit_label": unit_label,
            "unit": unit_symbol(scheme.unit),
            "unit_minutes": minutes,
            "requirement_hours": selectors.requirement_hours(scheme),
            "workload_in_unit": units.convert(
                Decimal(version.workload_hours), Unit.CLOCK_HOUR, scheme.unit, scheme
            ),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _done(decision: InclusionDecision) -> str:
    if decision.outcome == InclusionDecision.Outcome.APPROVE:
        return _("Approved: %(equivalence)s. Decision %(number)s is in force.") % {
            "equivalence": endorsement.equivalence_text(decision),
            "number": decision.number,
        }
    if decision.outcome == InclusionDecision.Outcome.REQUEST_CHANGES:
        return _("The applicant is asked for changes.")
    return _("The application is rejected.")


urlpatterns: list = [
    path("authority/applications/", review_queue, name="review_queue"),
    path("authority/applications/<uuid:uuid>/", review, name="review"),
]
