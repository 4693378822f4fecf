"""Pages for the teacher: dashboard, self-assessment, PD plan, offerings, evidence.

Thin: parse, authorise with the rules (``learning.*`` permissions on the object), call a
service or selector, render. Someone else's object is "not found"; an object the person may
see but not change (an assessor on a teacher's page) is "forbidden". A ``LearningError`` from
a service is shown as a message or a form error, never as a server error.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from microcert.catalog.models import Offering, SpecificationVersion
from microcert.credentials import selectors as credential_selectors
from microcert.credentials import sharing
from microcert.credentials.models import IssuedCredential
from microcert.frameworks.models import LevelDescriptor

from .. import charts, selectors, services, uploads
from ..forms import (
    PlanCreateForm,
    PlanItemForm,
    PlanItemRemoveForm,
    SelfAssessmentForm,
    SelfAssessmentStartForm,
    SubmissionForm,
    competence_field_name,
    file_field_name,
    plannable_micro_credentials,
    url_field_name,
)
from ..models import (
    Enrolment,
    EvidenceItem,
    PDPlan,
    SelfAssessment,
    Submission,
)
from ..services import LearningError

M = TypeVar("M", bound=Model)
TEMPLATES = "learning/teacher"
TREND_POINTS = 8

# --- helpers ----------------------------------------------------------------------------------


def _owned(request: HttpRequest, obj: M | None, view_perm: str, change_perm: str = "") -> M:
    """The object if this person may see it (404 otherwise) and, when asked, change it (403)."""
    if obj is None or not request.user.has_perm(view_perm, obj):
        raise Http404
    if change_perm and not request.user.has_perm(change_perm, obj):
        raise PermissionDenied
    return obj


def _error_text(error: LearningError) -> str:
    return " ".join(error.messages)


def _level_label(profile: selectors.Profile, score: float | None) -> str:
    level = profile.level_at(score)
    return f"{level.code} ({score:.1f})" if level and score is not None else ""


def _latest_completed(person) -> SelfAssessment | None:
    # Not ``selectors.latest_self_assessment``: ordering by "-status" puts an unfinished one
    # first ("in_progress" sorts after "completed"), and the dashboard wants a result.
    return (
        SelfAssessment.objects.filter(person=person, status=SelfAssessment.Status.COMPLETED)
        .select_related("framework")
        .order_by("-completed_at", "-created_at")
        .first()
    )


def _scale(profile: selectors.Profile) -> list[str]:
    return [level.code for level in profile.levels]


def _area_points(profile: selectors.Profile) -> list[charts.Point]:
    return [
        charts.Point(f"{a.area.code} {a.area.name}", a.score, _level_label(profile, a.score))
        for a in profile.areas
    ]


def _radar(profile: selectors.Profile, *, compact: bool = False, chart_id: str = "radar") -> str:
    return charts.radar_chart(
        _area_points(profile),
        scale=_scale(profile),
        title=_("Self-assessment by area: %(framework)s")
        % {"framework": profile.assessment.framework.title},
        chart_id=chart_id,
        missing=_("not answered"),
        compact=compact,
    )


def _new_to(teacher, suggestions: list[selectors.Suggestion]) -> list[selectors.Suggestion]:
    """Leave out what the teacher already holds or is enrolled in."""
    held = set(
        credential_selectors.credentials_of(teacher)
        .filter(status=IssuedCredential.Status.ACTIVE, specification_version__isnull=False)
        .values_list("specification_version__micro_credential_id", flat=True)
    )
    taking = set(
        Enrolment.objects.filter(
            teacher=teacher,
            status__in=[Enrolment.Status.ENROLLED, Enrolment.Status.WAITLISTED],
        ).values_list("offering__version__micro_credential_id", flat=True)
    )
    return [s for s in suggestions if s.version.micro_credential_id not in held | taking]


# --- dashboard --------------------------------------------------------------------------------


@dataclass
class EnrolmentRow:
    enrolment: Enrolment
    waiting_position: int | None
    submissions: list[Submission]
    latest: Submission | None
    can_withdraw: bool
    # What the next step on the evidence is: "start", "continue", "retry" or "".
    next_step: str = ""
    max_attempts: int = 1


def _enrolment_rows(teacher) -> list[EnrolmentRow]:
    rows = []
    for enrolment in selectors.enrolments_of(teacher):
        submissions = list(enrolment.submissions.all())
        latest = submissions[-1] if submissions else None
        active = enrolment.status == Enrolment.Status.ENROLLED
        step = ""
        if active and latest is None:
            step = "start"
        elif active and latest.status == Submission.Status.DRAFT:
            step = "continue"
        elif active and latest.status == Submission.Status.RESUBMIT:
            step = "retry"
        rows.append(
            EnrolmentRow(
                enrolment=enrolment,
                waiting_position=selectors.waiting_position(enrolment),
                submissions=submissions,
                latest=latest,
                can_withdraw=enrolment.status
                in (Enrolment.Status.ENROLLED, Enrolment.Status.WAITLISTED)
                and not any(
                    s.status in (Submission.Status.SUBMITTED, Submission.Status.IN_REVIEW)
                    for s in submissions
                ),
                next_step=step,
                max_attempts=enrolment.offering.version.max_attempts,
            )
        )
    return rows


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    completed = _latest_completed(user)
    profile = selectors.self_assessment_profile(completed) if completed else None
    unfinished = (
        SelfAssessment.objects.filter(person=user, status=SelfAssessment.Status.IN_PROGRESS)
        .select_related("framework")
        .first()
    )
    year = timezone.localdate().year
    # This year's plan and next year's, which is often being written already.
    plans = list(selectors.plans_of(user).filter(year__gte=year, year__lte=year + 1))
    credentials = [
        {"credential": c, "title": sharing.title(c)}
        for c in credential_selectors.credentials_of(user)
    ]
    return render(
        request,
        f"{TEMPLATES}/dashboard.html",
        {
            "profile": profile,
            "radar": _radar(profile, compact=True, chart_id="dashboard-radar") if profile else "",
            "area_rows": [
                {"area": a, "label": getattr(profile.level_at(a.score), "code", "")}
                for a in profile.areas
            ]
            if profile
            else [],
            "overall": _level_label(profile, profile.overall) if profile else "",
            "unfinished": unfinished,
            "year": year,
            "plans": [
                {"plan": p, "hours": sum(i.planned_hours for i in p.items.all())} for p in plans
            ],
            "is_teacher": user.has_perm("learning.enrol"),
            "rows": _enrolment_rows(user),
            "credentials": credentials,
            "suggestions": _new_to(user, selectors.suggestions(profile, limit=8))[:4]
            if profile
            else [],
        },
    )


# --- self-assessment --------------------------------------------------------------------------


@login_required
def self_assessments(request: HttpRequest) -> HttpResponse:
    frameworks = selectors.self_assessment_frameworks()
    if request.method == "POST":
        form = SelfAssessmentStartForm(request.POST, frameworks=frameworks)
        if form.is_valid():
            try:
                assessment = services.self_assessment_start(
                    person=request.user, framework=form.cleaned_data["framework"]
                )
            except LearningError as error:
                messages.error(request, _error_text(error))
            else:
                return redirect("learning:self_assessment", uuid=assessment.uuid)
        else:
            messages.error(request, _("Choose one of the frameworks listed."))
        return redirect("learning:self_assessments")
    unfinished = {
        a.framework_id: a
        for a in SelfAssessment.objects.filter(
            person=request.user, status=SelfAssessment.Status.IN_PROGRESS
        )
    }
    rows = []
    for framework in frameworks:
        history = selectors.self_assessment_history(request.user, framework)
        sittings = [
            {
                "profile": p,
                "overall": _level_label(p, p.overall),
            }
            for p in reversed(history)
        ]
        trend = ""
        if history:
            shown = history[-TREND_POINTS:]
            trend = charts.trend_chart(
                [
                    charts.Point(
                        f"{p.assessment.completed_at:%Y-%m-%d}",
                        p.overall,
                        _level_label(p, p.overall),
                    )
                    for p in shown
                ],
                scale=_scale(shown[-1]),
                title=_("Your overall result over time: %(framework)s")
                % {"framework": framework.title},
                chart_id=f"trend-{framework.slug}",
            )
        rows.append(
            {
                "framework": framework,
                "unfinished": unfinished.get(framework.pk),
                "sittings": sittings,
                "trend": trend,
            }
        )
    return render(request, f"{TEMPLATES}/self_assessments.html", {"rows": rows})


@dataclass
class LevelOption:
    code: str
    name: str
    text: str
    checked: bool
    input_id: str


@dataclass
class Item:
    competence: object
    field_name: str
    options: list[LevelOption]
    answered: bool
    missing: bool = False
    errors: list[str] = field(default_factory=list)


def _items(
    assessment: SelfAssessment, form: SelfAssessmentForm, missing: Sequence[str]
) -> list[dict]:
    """Competences grouped by area, each with one option per level labelled by the level
    descriptor of that competence (or the level's general description)."""
    levels = list(assessment.framework.levels.order_by("position"))
    descriptors = {
        (d.competence_id, d.level_id): d.text
        for d in LevelDescriptor.objects.filter(competence__in=form.competences)
    }
    saved = {a.competence_id: a.level.code for a in assessment.answers.select_related("level")}
    areas: dict[int, dict] = {}
    for competence in form.competences:
        name = competence_field_name(competence)
        chosen = form.data.get(name) if form.is_bound else None
        chosen = chosen or saved.get(competence.pk)
        options = [
            LevelOption(
                code=level.code,
                name=level.name,
                text=descriptors.get((competence.pk, level.pk)) or level.description,
                checked=chosen == level.code,
                input_id=f"{name}-{level.code}",
            )
            for level in levels
        ]
        area = areas.setdefault(competence.area_id, {"area": competence.area, "items": []})
        area["items"].append(
            Item(
                competence=competence,
                field_name=name,
                options=options,
                answered=any(o.checked for o in options),
                missing=competence.code in missing,
                errors=list(form.errors.get(name, [])) if form.is_bound else [],
            )
        )
    for area in areas.values():
        area["answered"] = sum(1 for i in area["items"] if i.answered)
    return list(areas.values())


@login_required
def self_assessment(request: HttpRequest, uuid: UUID) -> HttpResponse:
    assessment = _owned(
        request,
        SelfAssessment.objects.select_related("framework").filter(uuid=uuid).first(),
        "learning.view_self_assessment",
        "learning.take_self_assessment",
    )
    if assessment.status == SelfAssessment.Status.COMPLETED:
        return redirect("learning:profile", uuid=assessment.uuid)
    competences = list(services.assessable_competences(assessment.framework))
    levels = list(assessment.framework.levels.order_by("position"))
    form = SelfAssessmentForm(request.POST or None, competences=competences, levels=levels)
    missing: list[str] = []
    status = 200
    if request.method == "POST":
        finish = request.POST.get("action") == "finish"
        if not form.is_valid():
            messages.error(request, _("Some answers could not be read; choose a level again."))
            status = 400
        else:
            answers = form.answers()
            completing = False
            try:
                if answers:
                    services.self_assessment_answer(
                        assessment=assessment, answers=answers, actor=request.user
                    )
                if finish:
                    completing = True
                    services.self_assessment_complete(assessment=assessment, actor=request.user)
            except LearningError as error:
                status = 400
                answered = set(assessment.answers.values_list("competence_id", flat=True))
                missing = [c.code for c in competences if c.pk not in answered]
                if not (completing and missing):
                    messages.error(request, _error_text(error))
                    missing = []
                # Otherwise the page lists what is missing, next to each item.
            else:
                if finish:
                    messages.success(request, _("Your self-assessment is complete."))
                    return redirect("learning:profile", uuid=assessment.uuid)
                if answers:
                    messages.success(
                        request,
                        _("Your answers are saved. Come back any time to continue."),
                    )
                else:
                    messages.info(request, _("Nothing to save yet: choose a level first."))
                return redirect("learning:self_assessment", uuid=assessment.uuid)
    areas = _items(assessment, form, missing)
    answered = sum(a["answered"] for a in areas)
    return render(
        request,
        f"{TEMPLATES}/self_assessment.html",
        {
            "assessment": assessment,
            "areas": areas,
            "answered": answered,
            "total": len(competences),
            "missing": missing,
            "levels": levels,
        },
        status=status,
    )


@login_required
def profile(request: HttpRequest, uuid: UUID) -> HttpResponse:
    assessment = _owned(
        request,
        SelfAssessment.objects.select_related("framework").filter(uuid=uuid).first(),
        "learning.view_self_assessment",
    )
    result = selectors.self_assessment_profile(assessment)
    scale = _scale(result)
    bars = charts.bar_chart(
        [
            charts.Group(
                f"{a.area.code} {a.area.name}",
                [
                    charts.Point(
                        f"{c.competence.code} {c.competence.name}",
                        c.level.position if c.level else None,
                        c.level.code if c.level else "",
                    )
                    for c in a.competences
                ],
            )
            for a in result.areas
        ],
        scale=scale,
        title=_("Self-assessment by competence: %(framework)s")
        % {"framework": assessment.framework.title},
        chart_id="bars",
        missing=_("not answered"),
    )
    return render(
        request,
        f"{TEMPLATES}/profile.html",
        {
            "assessment": assessment,
            "profile": result,
            "radar": _radar(result),
            # Area codes only, drawn large: what a phone shows in place of the full radar.
            "radar_narrow": _radar(result, compact=True, chart_id="radar-narrow"),
            "bars": bars,
            "area_rows": [
                {
                    "area": a,
                    "label": _level_label(result, a.score),
                    "level": result.level_at(a.score),
                }
                for a in result.areas
            ],
            "overall": _level_label(result, result.overall),
            "overall_level": result.level_at(result.overall),
            "suggestions": _new_to(request.user, selectors.suggestions(result, limit=8))[:4],
        },
    )


# --- PD plan ----------------------------------------------------------------------------------


def _published_titles() -> dict[int, SpecificationVersion]:
    return {
        v.micro_credential_id: v
        for v in SpecificationVersion.objects.filter(
            status=SpecificationVersion.Status.PUBLISHED
        ).select_related("micro_credential")
    }


def _year_to_plan(teacher, organisations) -> int:
    """This year, unless its plan exists or is overdue: then next year."""
    today = timezone.localdate()
    organisation = organisations.first()
    if organisation is None:
        return today.year
    if (
        PDPlan.objects.filter(teacher=teacher, organisation=organisation, year=today.year).exists()
        or services.plan_deadline(organisation, today.year) < today
    ):
        return today.year + 1
    return today.year


@login_required
def plans(request: HttpRequest) -> HttpResponse:
    organisations = selectors.teacher_organisations(request.user)
    form = PlanCreateForm(
        request.POST or None,
        organisations=organisations,
        initial={"year": _year_to_plan(request.user, organisations)},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                plan = services.pd_plan_create(
                    teacher=request.user,
                    organisation=form.cleaned_data["organisation"],
                    year=form.cleaned_data["year"],
                    actor=request.user,
                )
            except LearningError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Your plan for %(year)s is started. Add the micro-credentials you plan.")
                    % {"year": plan.year},
                )
                return redirect("learning:plan", uuid=plan.uuid)
        status = 400
    rows = [
        {"plan": p, "hours": sum(i.planned_hours for i in p.items.all())}
        for p in selectors.plans_of(request.user)
    ]
    return render(
        request,
        f"{TEMPLATES}/plans.html",
        {"rows": rows, "form": form, "can_create": bool(len(form.fields["organisation"].queryset))},
        status=status,
    )


@login_required
def plan(request: HttpRequest, uuid: UUID) -> HttpResponse:
    pd_plan = _owned(
        request,
        PDPlan.objects.select_related("organisation", "decided_by").filter(uuid=uuid).first(),
        "learning.view_plan",
        "learning.change_plan",
    )
    versions = _published_titles()
    titles = {pk: v.title for pk, v in versions.items()}
    planned = {i.micro_credential_id for i in pd_plan.items.all()}
    choices = plannable_micro_credentials().exclude(pk__in=planned)
    labelled = {
        pk: _("%(title)s · %(hours)s h") % {"title": v.title, "hours": f"{v.workload_hours:g}"}
        for pk, v in versions.items()
    }
    action = request.POST.get("action") if request.method == "POST" else None
    add_form = PlanItemForm(
        request.POST if action == "add" else None, choices=choices, titles=labelled
    )
    status = 200
    if action is not None:
        try:
            if action == "add" or action == "change":
                item_form = (
                    add_form
                    if action == "add"
                    else PlanItemForm(
                        request.POST,
                        choices=plannable_micro_credentials().filter(pk__in=planned),
                        titles=labelled,
                    )
                )
                if not item_form.is_valid():
                    errors = [e for errs in item_form.errors.values() for e in errs]
                    raise LearningError(" ".join(errors))
                services.pd_plan_set_item(
                    plan=pd_plan,
                    micro_credential=item_form.cleaned_data["micro_credential"],
                    planned_hours=item_form.cleaned_data["planned_hours"],
                    note=item_form.cleaned_data["note"],
                    actor=request.user,
                )
                message = _("The plan is saved.")
            elif action == "remove":
                remove_form = PlanItemRemoveForm(request.POST)
                if not remove_form.is_valid():
                    raise LearningError(_("That micro-credential is not in the plan."))
                services.pd_plan_remove_item(
                    plan=pd_plan,
                    micro_credential=remove_form.cleaned_data["micro_credential"],
                    actor=request.user,
                )
                message = _("The micro-credential is removed from the plan.")
            elif action == "submit":
                services.pd_plan_submit(plan=pd_plan, actor=request.user)
                message = _("Your plan is submitted to %(organisation)s for approval.") % {
                    "organisation": pd_plan.organisation.name
                }
            else:
                raise LearningError(_("That action is not possible here."))
        except LearningError as error:
            messages.error(request, _error_text(error))
            status = 400
        else:
            messages.success(request, message)
            return redirect("learning:plan", uuid=pd_plan.uuid)
        pd_plan.refresh_from_db()
    items = [
        {
            "item": item,
            "title": titles.get(item.micro_credential_id, item.micro_credential.slug),
            "version": versions.get(item.micro_credential_id),
        }
        for item in pd_plan.items.select_related("micro_credential")
    ]
    return render(
        request,
        f"{TEMPLATES}/plan.html",
        {
            "plan": pd_plan,
            "items": items,
            "hours": sum(i["item"].planned_hours for i in items),
            "add_form": add_form if pd_plan.is_editable else None,
            "late": pd_plan.status == PDPlan.Status.DRAFT
            and timezone.localdate() > pd_plan.deadline,
        },
        status=status,
    )


# --- offerings and enrolment ------------------------------------------------------------------


@login_required
def offerings(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    mine = {
        e.offering_id: e
        for e in Enrolment.objects.filter(teacher=request.user).exclude(
            status=Enrolment.Status.WITHDRAWN
        )
    }
    rows = [
        {
            "offering": o,
            "places_left": max(o.capacity - o.taken, 0),
            "enrolment": mine.get(o.pk),
        }
        for o in selectors.open_offerings().filter(ends_on__gte=today)
    ]
    return render(
        request,
        f"{TEMPLATES}/offerings.html",
        {"rows": rows, "can_enrol": request.user.has_perm("learning.enrol")},
    )


@login_required
@require_POST
def enrol(request: HttpRequest, uuid: UUID) -> HttpResponse:
    offering = Offering.objects.select_related("version").filter(uuid=uuid).first()
    if offering is None:
        raise Http404
    if not request.user.has_perm("learning.enrol"):
        raise PermissionDenied
    try:
        enrolment = services.enrolment_create(
            offering=offering, teacher=request.user, actor=request.user
        )
    except LearningError as error:
        messages.error(request, _error_text(error))
        return redirect("learning:offerings")
    if enrolment.status == Enrolment.Status.WAITLISTED:
        messages.info(
            request,
            _(
                "“%(title)s” is full: you are number %(position)s on the waiting list. You will "
                "get an e-mail when a place is yours."
            )
            % {"title": offering.version.title, "position": selectors.waiting_position(enrolment)},
        )
    else:
        messages.success(
            request, _("You are enrolled in “%(title)s”.") % {"title": offering.version.title}
        )
    return redirect(reverse("learning:dashboard") + "#enrolments")


@login_required
@require_POST
def withdraw(request: HttpRequest, uuid: UUID) -> HttpResponse:
    enrolment = _owned(
        request,
        Enrolment.objects.select_related("offering__version").filter(uuid=uuid).first(),
        "learning.view_enrolment",
        "learning.withdraw_enrolment",
    )
    try:
        services.enrolment_withdraw(enrolment=enrolment, actor=request.user)
    except LearningError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("You have withdrawn from “%(title)s”.") % {"title": enrolment.offering.version.title},
        )
    return redirect(reverse("learning:dashboard") + "#enrolments")


# --- submission and evidence ------------------------------------------------------------------


@login_required
@require_POST
def submission_start(request: HttpRequest, uuid: UUID) -> HttpResponse:
    enrolment = _owned(
        request,
        Enrolment.objects.filter(uuid=uuid).first(),
        "learning.view_enrolment",
    )
    try:
        submission = services.submission_start(enrolment=enrolment, actor=request.user)
    except LearningError as error:
        messages.error(request, _error_text(error))
        return redirect(reverse("learning:dashboard") + "#enrolments")
    return redirect("learning:submission", uuid=submission.uuid)


def _accepted() -> tuple[str, str]:
    """The ``accept`` attribute and the readable list of the file types taken."""
    extensions = sorted(set(uploads.ACCEPTED.values()))
    accept = ",".join([f".{e}" for e in extensions] + sorted(uploads.ACCEPTED))
    return accept, ", ".join(e.upper() for e in extensions)


def _submission_form(submission: Submission, data=None, files=None) -> SubmissionForm:
    return SubmissionForm(
        data,
        files,
        submission=submission,
        requirements=list(submission.version.evidence_requirements.all()),
        questions=list(submission.version.knowledge_questions.all()),
        accept=_accepted()[0],
    )


def _save_submission(request: HttpRequest, submission: Submission, form: SubmissionForm):
    """Save everything the form holds; return the errors as (field or None, message) and the
    link fields that were saved (to empty them on the page shown again)."""
    errors: list[tuple[str | None, str]] = []
    saved_links: list[str] = []
    reflection = form.cleaned_data.get("reflection") if "reflection" in form.fields else None
    try:
        services.submission_save_draft(
            submission=submission,
            actor=request.user,
            reflection=reflection,
            knowledge_answers=form.knowledge_answers(),
        )
    except LearningError as error:
        errors.append((None, _error_text(error)))
        return errors, saved_links
    for requirement, upload in form.chosen_files():
        try:
            services.evidence_add_file(
                submission=submission, requirement=requirement, upload=upload, actor=request.user
            )
        except LearningError as error:
            errors.append(
                (
                    file_field_name(requirement),
                    _("%(file)s was not added: %(reason)s")
                    % {"file": upload.name, "reason": _error_text(error)},
                )
            )
    for requirement, url, title in form.links():
        try:
            services.evidence_add_link(
                submission=submission,
                requirement=requirement,
                url=url,
                title=title,
                actor=request.user,
            )
        except LearningError as error:
            errors.append((url_field_name(requirement), _error_text(error)))
        else:
            saved_links.append(requirement)
    return errors, saved_links


@login_required
@never_cache
def submission(request: HttpRequest, uuid: UUID) -> HttpResponse:
    attempt = _owned(
        request,
        selectors.submission_detail(uuid),
        "learning.view_submission",
        "learning.change_submission",
    )
    status = 200
    form = _submission_form(attempt)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if not attempt.is_editable:
            messages.error(
                request,
                _("This submission is %(status)s and can no longer be changed.")
                % {"status": attempt.get_status_display().lower()},
            )
            return redirect("learning:submission", uuid=attempt.uuid)
        form = _submission_form(attempt, request.POST, request.FILES)
        errors: list[tuple[str | None, str]] = []
        saved_links: list = []
        if form.is_valid():
            errors, saved_links = _save_submission(request, attempt, form)
            if not errors and action == "submit":
                try:
                    services.submission_submit(submission=attempt, actor=request.user)
                except LearningError as error:
                    errors.append((None, _error_text(error)))
                else:
                    messages.success(
                        request,
                        _(
                            "Your evidence is submitted. An assessor reviews it against the "
                            "public rubric; you will get an e-mail with the decision."
                        ),
                    )
                    return redirect("learning:submission", uuid=attempt.uuid)
            if not errors:
                messages.success(request, _("Your draft is saved."))
                return redirect("learning:submission", uuid=attempt.uuid)
        else:
            errors = [(None, _("Some of what you entered needs a look; see the notes below."))]
        # Show the page again with what was typed, the evidence now held and every error.
        data = request.POST.copy()
        for requirement in saved_links:
            data[url_field_name(requirement)] = ""
        attempt = selectors.submission_detail(attempt.uuid)
        shown = _submission_form(attempt, data)
        shown.is_valid()
        for name, text in errors:
            if name is None or name.startswith("file-"):
                messages.error(request, text)
            if name is not None:
                shown.add_error(name, text)
        if any(name and name.startswith("file-") for name, _m in errors):
            messages.info(request, _("Choose a file again to add it: a refused file is not kept."))
        form = shown
        status = 400
    accepted_types = _accepted()[1]
    later = attempt.enrolment.submissions.filter(attempt__gt=attempt.attempt).first()
    return render(
        request,
        f"{TEMPLATES}/submission.html",
        {
            "submission": attempt,
            "form": form,
            "blocks": form.blocks(),
            "unattached": form.unattached(),
            "questions": form.question_fields(),
            "missing": services.missing_evidence(attempt) if attempt.is_editable else [],
            "min_reflection": services.MIN_REFLECTION_CHARACTERS,
            "reviews": selectors.reviews_visible_to(attempt, request.user),
            "accepted_types": accepted_types,
            "max_size": filesizeformat(settings.EVIDENCE_MAX_UPLOAD_BYTES),
            "later": later,
            "can_retry": attempt.status == Submission.Status.RESUBMIT
            and later is None
            and attempt.enrolment.status == Enrolment.Status.ENROLLED,
        },
        status=status,
    )


@login_required
def evidence_file(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """An evidence file, for those who may see it; always a download, never rendered."""
    item = _owned(
        request,
        EvidenceItem.objects.select_related("submission").filter(uuid=uuid).first(),
        "learning.view_evidence",
    )
    if not item.file:
        raise Http404
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    extension = uploads.ACCEPTED.get(item.content_type, "bin")
    name = item.original_name or f"{item.uuid}.{extension}"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type=item.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def evidence_remove(request: HttpRequest, uuid: UUID) -> HttpResponse:
    item = _owned(
        request,
        EvidenceItem.objects.select_related("submission").filter(uuid=uuid).first(),
        "learning.view_evidence",
    )
    if not request.user.has_perm("learning.change_submission", item.submission):
        raise PermissionDenied
    try:
        services.evidence_remove(item=item, actor=request.user)
    except LearningError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("“%(item)s” is removed.") % {"item": item})
    return redirect("learning:submission", uuid=item.submission.uuid)


urlpatterns: list = [
    path("learn/", dashboard, name="dashboard"),
    path("learn/self-assessment/", self_assessments, name="self_assessments"),
    path("learn/self-assessment/<uuid:uuid>/", self_assessment, name="self_assessment"),
    path("learn/self-assessment/<uuid:uuid>/profile/", profile, name="profile"),
    path("learn/plans/", plans, name="plans"),
    path("learn/plans/<uuid:uuid>/", plan, name="plan"),
    path("learn/offerings/", offerings, name="offerings"),
    path("learn/offerings/<uuid:uuid>/enrol/", enrol, name="enrol"),
    path("learn/enrolments/<uuid:uuid>/withdraw/", withdraw, name="withdraw"),
    path("learn/enrolments/<uuid:uuid>/submit/", submission_start, name="submission_start"),
    path("learn/submissions/<uuid:uuid>/", submission, name="submission"),
    path("learn/evidence/<uuid:uuid>/", evidence_file, name="evidence_file"),
    path("learn/evidence/<uuid:uuid>/remove/", evidence_remove, name="evidence_remove"),
]
