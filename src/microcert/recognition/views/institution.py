"""Pages for institutions and the Centre: asking an authority to recognise a micro-credential,
following the application, and the compliance of an institution's teachers with the schemes
that apply to them.

Who applies: an institution's admins for their institution (for the micro-credentials it is
an awarding body of) and the programme managers for the Centre (for any of the programme's).
Who follows compliance: the institution's admins, the programme's managers, and the reviewers
of an authority of the institution's country.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from microcert.catalog.models import SpecificationVersion
from microcert.network.models import Organisation

from .. import selectors, services
from ..forms import FIRST_DAY, LAST_DAY, ApplicationForm, ResubmitForm, WithdrawForm
from ..models import InclusionApplication, InclusionDecision
from ..permissions import applicant_organisations, compliance_schemes
from ..services import RecognitionError
from .authority import unit_symbol

WITHDRAWABLE = (
    InclusionApplication.Status.SUBMITTED,
    InclusionApplication.Status.CHANGES_REQUESTED,
)


def _published_versions(organisations: list[Organisation]) -> QuerySet[SpecificationVersion]:
    """Published versions any of ``organisations`` may apply with."""
    versions = SpecificationVersion.objects.filter(
        status=SpecificationVersion.Status.PUBLISHED
    ).order_by("title", "pk")
    if any(o.is_programme_owner for o in organisations):
        return versions
    return versions.filter(awarding_bodies__in=organisations).distinct()


def _applicant_application(request: HttpRequest, uuid) -> InclusionApplication:
    application = selectors.applications().filter(uuid=uuid).first()
    if application is None or not request.user.has_perm(
        "recognition.view_application", application
    ):
        raise Http404
    return application


@login_required
@require_GET
def application_list(request: HttpRequest) -> HttpResponse:
    organisations = applicant_organisations(request.user)
    if not organisations:
        raise PermissionDenied
    return render(
        request,
        "recognition/institution/applications.html",
        {
            "organisations": organisations,
            "applications": selectors.applications_of_applicants(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_new(request: HttpRequest) -> HttpResponse:
    organisations = applicant_organisations(request.user)
    if not organisations:
        raise PermissionDenied
    options = {
        "organisations": organisations,
        "schemes": selectors.schemes_open().order_by("country", "title"),
        "versions": _published_versions(organisations),
    }
    initial = {}
    if request.method == "GET":
        for field in ("scheme", "version"):
            if request.GET.get(field):
                initial[field] = request.GET[field]
    form = ApplicationForm(
        request.POST if request.method == "POST" else None, initial=initial, **options
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not request.user.has_perm("recognition.apply_for", data["applicant"]):
            raise PermissionDenied
        try:
            application = services.application_submit(
                scheme=data["scheme"],
                version=data["version"],
                applicant=data["applicant"],
                actor=request.user,
                motivation=data["motivation"],
            )
        except RecognitionError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("“%(title)s” is submitted to %(scheme)s.")
                % {"title": application.version.title, "scheme": application.scheme.title},
            )
            return redirect("recognition:application", uuid=application.uuid)
    return render(
        request,
        "recognition/institution/application_new.html",
        {"form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_detail(request: HttpRequest, uuid) -> HttpResponse:
    application = _applicant_application(request, uuid)
    may_resubmit = request.user.has_perm("recognition.resubmit_application", application)
    form = None
    if application.status == InclusionApplication.Status.CHANGES_REQUESTED and may_resubmit:
        form = ResubmitForm(
            request.POST if request.method == "POST" else None,
            initial={"motivation": application.motivation},
        )
    if request.method == "POST":
        if not may_resubmit:
            raise PermissionDenied
        if form is None:
            messages.info(request, _("This application is not waiting for changes."))
            return redirect("recognition:application", uuid=application.uuid)
        if form.is_valid():
            try:
                services.application_resubmit(
                    application=application,
                    actor=request.user,
                    motivation=form.cleaned_data["motivation"],
                )
            except RecognitionError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The application is submitted again."))
                return redirect("recognition:application", uuid=application.uuid)
    decisions = list(selectors.application_decisions(application))
    # Offered only where the service would accept it: never once an approval exists.
    may_withdraw = (
        request.user.has_perm("recognition.withdraw_application", application)
        and application.status in WITHDRAWABLE
        and not any(d.outcome == InclusionDecision.Outcome.APPROVE for d in decisions)
    )
    return render(
        request,
        "recognition/institution/application.html",
        {
            "application": application,
            "decision": decisions[0] if decisions else None,
            "history": selectors.application_history(application),
            "form": form,
            "may_review": request.user.has_perm("recognition.decide_application", application),
            "withdraw_form": WithdrawForm() if may_withdraw else None,
            "unit": unit_symbol(application.scheme.unit),
        },
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def application_withdraw(request: HttpRequest, uuid) -> HttpResponse:
    application = _applicant_application(request, uuid)
    if not request.user.has_perm("recognition.withdraw_application", application):
        raise PermissionDenied
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The reason is too long (2,000 characters at most)."))
    else:
        try:
            services.application_withdraw(
                application=application, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except RecognitionError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The application is withdrawn."))
    return redirect("recognition:application", uuid=application.uuid)


# --- Compliance -------------------------------------------------------------------------------


def _organisation(request: HttpRequest, slug: str) -> Organisation:
    organisation = get_object_or_404(Organisation, slug=slug)
    if not request.user.has_perm("recognition.view_compliance", organisation):
        raise PermissionDenied
    return organisation


def _day(request: HttpRequest) -> datetime.date:
    """The day whose period is asked for with ``?period=YYYY-MM-DD``; today otherwise."""
    try:
        day = datetime.date.fromisoformat(request.GET.get("period", ""))
    except ValueError:
        return timezone.localdate()
    return day if FIRST_DAY <= day <= LAST_DAY else timezone.localdate()


@login_required
@require_GET
def compliance_home(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug)
    today = timezone.localdate()
    rows = []
    for scheme in compliance_schemes(request.user, organisation):
        found = selectors.compliance(organisation, scheme, today)
        rows.append({"scheme": scheme, "compliance": found, "unit": unit_symbol(scheme.unit)})
    return render(
        request,
        "recognition/institution/compliance_home.html",
        {"organisation": organisation, "rows": rows},
    )


@login_required
@require_GET
def compliance(request: HttpRequest, slug: str, scheme: str) -> HttpResponse:
    organisation = _organisation(request, slug)
    found = next(
        (s for s in compliance_schemes(request.user, organisation) if s.slug == scheme), None
    )
    if found is None:
        raise Http404
    today = timezone.localdate()
    day = _day(request)
    result = selectors.compliance(organisation, found, day)
    periods = selectors.recent_periods(found, today=today, count=6)
    if (result.start, result.end) not in periods:
        periods = sorted({*periods, (result.start, result.end)}, reverse=True)
    return render(
        request,
        "recognition/institution/compliance.html",
        {
            "organisation": organisation,
            "scheme": found,
            "compliance": result,
            "periods": periods,
            "is_current": result.start <= today <= result.end,
            "recognised": selectors.recognised_versions(found, on=min(today, result.end)),
            "unit": unit_symbol(found.unit),
        },
    )


urlpatterns: list = [
    path("recognition/applications/", application_list, name="applications"),
    path("recognition/applications/new/", application_new, name="application_new"),
    path("recognition/applications/<uuid:uuid>/", application_detail, name="application"),
    path(
        "recognition/applications/<uuid:uuid>/withdraw/",
        application_withdraw,
        name="application_withdraw",
    ),
    path("institution/<slug:slug>/pd/", compliance_home, name="compliance_home"),
    path("institution/<slug:slug>/pd/<slug:scheme>/", compliance, name="compliance"),
]
