"""Pages for the institution: its teachers' progress in a year and the PD plans to decide.

An institution admin follows their own institution's teachers (programme managers may look at
any institution) without reading the teachers' evidence; only the admin decides plans.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from microcert.catalog.models import SpecificationVersion
from microcert.network.models import Organisation

from .. import selectors, services
from ..forms import RosterUploadForm, TeacherAddForm
from ..models import PDPlan
from ..review_forms import PlanDecisionForm
from ..roster import NewTeacher, parse_roster
from ..services import LearningError

FIRST_YEAR, LAST_YEAR = 2000, 2100


def _organisation(request: HttpRequest, slug: str) -> Organisation:
    organisation = get_object_or_404(Organisation, slug=slug)
    if not request.user.has_perm("learning.view_organisation_progress", organisation):
        raise PermissionDenied
    return organisation


def _year(request: HttpRequest) -> int:
    """The year asked for with ``?year=``, or this year when it is missing or no year."""
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except (TypeError, ValueError):
        return this_year
    return year if FIRST_YEAR <= year <= LAST_YEAR else this_year


def _planned_hours(plan: PDPlan | None) -> Decimal | None:
    if plan is None:
        return None
    return sum((item.planned_hours for item in plan.items.all()), Decimal("0"))


@login_required
@require_GET
def institution_home(request: HttpRequest) -> HttpResponse:
    organisations = list(selectors.administered_organisations(request.user).order_by("name"))
    if not organisations:
        raise PermissionDenied
    waiting = {
        organisation.pk: selectors.plans_to_decide(organisation).count()
        for organisation in organisations
    }
    return render(
        request,
        "learning/institution/home.html",
        {"rows": [(o, waiting[o.pk]) for o in organisations]},
    )


@login_required
@require_GET
def organisation_progress(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug)
    year = _year(request)
    progress = selectors.organisation_progress(organisation, year)
    rows = [{"row": row, "hours": _planned_hours(row.plan)} for row in progress]
    plans = [row.plan for row in progress if row.plan]
    summary = {
        "teachers": len(progress),
        "plans": len(plans),
        "approved": sum(1 for p in plans if p.status == PDPlan.Status.APPROVED),
        "to_decide": sum(1 for p in plans if p.status == PDPlan.Status.SUBMITTED),
        "hours": sum((r["hours"] for r in rows if r["hours"] is not None), Decimal("0")),
        "credentials": sum(row.credentials for row in progress),
    }
    this_year = timezone.localdate().year
    return render(
        request,
        "learning/institution/progress.html",
        {
            "organisation": organisation,
            "year": year,
            "previous_year": year - 1 if year > FIRST_YEAR else None,
            "next_year": year + 1 if year < LAST_YEAR else None,
            "this_year": this_year,
            "years": range(this_year - 3, this_year + 2),
            "rows": rows,
            "summary": summary,
        },
    )


def _report_added(request: HttpRequest, added: services.TeachersAdded) -> None:
    if added.created:
        messages.success(
            request,
            ngettext(
                "%(count)s new account was created; the person got a mail to choose a password.",
                "%(count)s new accounts were created; each person got a mail to choose a password.",
                len(added.created),
            )
            % {"count": len(added.created)},
        )
    if added.attached:
        messages.success(
            request,
            ngettext(
                "%(count)s person who already had an account now teaches here.",
                "%(count)s people who already had an account now teach here.",
                len(added.attached),
            )
            % {"count": len(added.attached)},
        )
    if added.already:
        messages.info(
            request,
            ngettext(
                "%(count)s was a teacher here already.",
                "%(count)s were teachers here already.",
                len(added.already),
            )
            % {"count": len(added.already)},
        )


@login_required
@require_http_methods(["GET", "POST"])
def teachers_add(request: HttpRequest, slug: str) -> HttpResponse:
    """Add one teacher, or a whole list from a CSV file (all or nothing)."""
    organisation = _organisation(request, slug)
    if not request.user.has_perm("learning.add_teachers", organisation):
        raise PermissionDenied
    one = TeacherAddForm(
        request.POST if request.POST.get("action") == "one" else None,
        initial={"language": request.LANGUAGE_CODE},
    )
    many = RosterUploadForm(
        request.POST if request.POST.get("action") == "many" else None,
        request.FILES if request.POST.get("action") == "many" else None,
    )
    if request.method == "POST":
        bound = one if one.is_bound else many if many.is_bound else None
        if bound is None:
            messages.error(request, _("Choose whether to add one person or a list."))
        elif bound.is_valid():
            try:
                if bound is one:
                    people = [
                        NewTeacher(
                            email=one.cleaned_data["email"],
                            legal_name=one.cleaned_data["legal_name"],
                            language=one.cleaned_data["language"],
                        )
                    ]
                else:
                    upload = many.cleaned_data["roster"]
                    people = parse_roster(upload.read(upload.size + 1))
                added = services.teachers_add(
                    organisation=organisation, people=people, actor=request.user
                )
            except ValidationError as error:
                for message in error.messages:
                    bound.add_error(None, message)
            else:
                _report_added(request, added)
                return redirect("learning:organisation_progress", slug=organisation.slug)
    # A refused post (bad input, or neither form) answers 400 with the page and its messages.
    refused = request.method == "POST"
    return render(
        request,
        "learning/institution/teachers_add.html",
        {"organisation": organisation, "one": one, "many": many},
        status=400 if refused else 200,
    )


def _titles(plans: list[PDPlan]) -> None:
    """Give each planned item the title of its micro-credential's published version."""
    ids = {item.micro_credential_id for plan in plans for item in plan.items.all()}
    titles = {
        v.micro_credential_id: v.title
        for v in SpecificationVersion.objects.filter(
            micro_credential_id__in=ids, status=SpecificationVersion.Status.PUBLISHED
        ).order_by("number")
    }
    for plan in plans:
        for item in plan.items.all():
            item.title = titles.get(item.micro_credential_id) or item.micro_credential.slug


def _plan_rows(
    request: HttpRequest, organisation: Organisation, bound: PlanDecisionForm | None = None
) -> list[dict]:
    rows = []
    plans = list(selectors.plans_to_decide(organisation))
    _titles(plans)
    for plan in plans:
        if bound is not None and bound.data.get("plan") == str(plan.uuid):
            form = bound
        else:
            form = PlanDecisionForm(initial={"plan": plan.uuid})
        rows.append(
            {
                "plan": plan,
                "hours": _planned_hours(plan),
                "late": plan.submitted_at is not None
                and timezone.localdate(plan.submitted_at) > plan.deadline,
                "form": form,
                "may_decide": request.user.has_perm("learning.decide_plan", plan),
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def organisation_plans(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug)
    if request.method != "POST":
        return render(
            request,
            "learning/institution/plans.html",
            {"organisation": organisation, "rows": _plan_rows(request, organisation)},
        )
    form = PlanDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or return a plan."))
        return redirect("learning:organisation_plans", slug=organisation.slug)
    plan = PDPlan.objects.filter(uuid=form.cleaned_data["plan"], organisation=organisation).first()
    if plan is None:
        raise Http404
    if not request.user.has_perm("learning.decide_plan", plan):
        raise PermissionDenied
    name = plan.teacher.get_full_name()
    try:
        if form.cleaned_data["action"] == PlanDecisionForm.APPROVE:
            services.pd_plan_approve(
                plan=plan, actor=request.user, comment=form.cleaned_data["comment"]
            )
            done = _("The plan of %(teacher)s for %(year)s is approved.")
        else:
            services.pd_plan_return(
                plan=plan, actor=request.user, comment=form.cleaned_data["comment"]
            )
            done = _("The plan of %(teacher)s for %(year)s was returned for changes.")
    except LearningError as error:
        plan.refresh_from_db(fields=["status"])
        if plan.status != PDPlan.Status.SUBMITTED:
            messages.info(request, _("That plan has already been decided."))
            return redirect("learning:organisation_plans", slug=organisation.slug)
        form.add_error("comment", error)
        return render(
            request,
            "learning/institution/plans.html",
            {"organisation": organisation, "rows": _plan_rows(request, organisation, form)},
            status=400,
        )
    messages.success(request, done % {"teacher": name, "year": plan.year})
    return redirect("learning:organisation_plans", slug=organisation.slug)


urlpatterns: list = [
    path("institution/", institution_home, name="institution_home"),
    path("institution/<slug:slug>/teachers/add/", teachers_add, name="teachers_add"),
    path("institution/<slug:slug>/teachers/", organisation_progress, name="organisation_progress"),
    path("institution/<slug:slug>/plans/", organisation_plans, name="organisation_plans"),
]
