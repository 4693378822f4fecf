"""Pages for institution admins: share a good-practice case for their organisation, follow
its review and resubmit it when the editors ask for changes.

An admin of a member organisation (an active membership of the network) submits for it; an
admin sees every case of the organisations they administer. Other signed-in people get 403;
another organisation's case answers 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from .. import selectors, services
from ..forms import CaseForm
from ..models import Case
from ..services import NewsError


def _case_arguments(form: CaseForm) -> dict:
    data = form.cleaned_data
    return {
        "title": form.translations("title"),
        "summary": form.translations("summary"),
        "body": form.translations("body"),
        "competences": data.get("competences") or [],
        "award": data["award"],
        "award_year": data.get("award_year"),
        "comment": data.get("comment", ""),
    }


@login_required
@require_http_methods(["GET", "POST"])
def case_submit(request: HttpRequest) -> HttpResponse:
    organisations = selectors.submitting_organisations(request.user)
    if not organisations.exists():
        raise PermissionDenied
    form = CaseForm(request.POST if request.method == "POST" else None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data["organisation"]
        if not request.user.has_perm("news.submit_case", organisation):
            raise PermissionDenied
        try:
            case = services.case_submit(
                organisation=organisation, actor=request.user, **_case_arguments(form)
            )
        except NewsError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "Thank you. The programme's editors will review the case before it is "
                    "published."
                ),
            )
            return redirect("news:my_case", uuid=case.uuid)
    return render(
        request,
        "news/case_form.html",
        {"form": form, "case": None},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_safe
def my_cases(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("news.view_own_cases"):
        raise PermissionDenied
    return render(
        request,
        "news/my_cases.html",
        {
            "cases": selectors.cases_of_submitter(request.user),
            "may_submit": selectors.submitting_organisations(request.user).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_case(request: HttpRequest, uuid) -> HttpResponse:
    case = selectors.cases_of_submitter(request.user).filter(uuid=uuid).first()
    if case is None:
        raise Http404
    may_resubmit = request.user.has_perm("news.resubmit_case", case)
    form = None
    if case.status == Case.Status.CHANGES_REQUESTED and may_resubmit:
        initial = {
            "organisation": case.organisation,
            "competences": list(case.competences.all()),
            "award": case.award if case.award != Case.Award.WINNER else Case.Award.NOMINEE,
            "award_year": case.award_year,
            **CaseForm.initial_translations(case, CaseForm.translated),
        }
        form = CaseForm(
            request.POST if request.method == "POST" else None,
            organisations=selectors.submitting_organisations(request.user).filter(
                pk=case.organisation_id
            ),
            initial=initial,
        )
    if request.method == "POST":
        if not may_resubmit:
            raise PermissionDenied
        if form is None:
            messages.info(request, _("This case is not waiting for changes."))
            return redirect("news:my_case", uuid=case.uuid)
        if form.is_valid():
            try:
                services.case_resubmit(case=case, actor=request.user, **_case_arguments(form))
            except NewsError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The case is sent back to the editors."))
                return redirect("news:my_case", uuid=case.uuid)
    return render(
        request,
        "news/my_case.html",
        {"case": case, "form": form, "history": selectors.case_history(case)},
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )


urlpatterns = [
    path("cases/submit/", case_submit, name="case_submit"),
    path("cases/mine/", my_cases, name="my_cases"),
    path("cases/mine/<uuid:uuid>/", my_case, name="my_case"),
]
