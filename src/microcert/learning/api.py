"""The teacher's journey as a REST API: self-assessment, PD plan, enrolment, evidence, review.

Thin on purpose: parse (the schemas in ``api_schemas``), authorise (``rules.py``, through
``request.user.has_perm``), call a service or a selector, render. Authentication is the API's
(``microcert.web.api``): by the time an operation runs, ``request.user`` is the caller.

Who may see what, and the status codes of a refusal:

* an object the caller may not see answers 404, exactly like one that does not exist, so
  nobody learns what others hold; one they may see but not act on answers 403, as does an
  operation their role does not allow (a teacher approving a plan, a non-assessor's queue);
* a refusal by the workflow (``LearningError``) answers 409 when the resource's present state
  does not allow the step (submitting twice, changing a submitted plan, completing a completed
  review, an attempt still missing evidence), and 400 when the request's content is what is
  wrong (an unknown competence code, hours out of range, a link that is no web address);
* something named in the request that does not exist (a framework, an offering, an evidence
  requirement) answers 404.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from uuid import UUID

from django.db.models import Count, F, Model, Q, QuerySet
from django.http import FileResponse, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Body, File, Form, Query, Router, Status, UploadedFile
from ninja.errors import HttpError

from microcert.accounts.models import User
from microcert.catalog.models import EvidenceRequirement, MicroCredential, Offering
from microcert.core.api_paging import PageParams, paged
from microcert.frameworks.models import CompetencyFramework
from microcert.network.models import Organisation

from . import selectors, services
from .api_schemas import (
    Code,
    EnrolmentIn,
    EnrolmentOut,
    EnrolmentPage,
    ErrorOut,
    EvidenceLinkIn,
    EvidenceOut,
    FrameworkPage,
    InvalidOut,
    OfferingPage,
    PlanDecisionIn,
    PlanIn,
    PlanItemIn,
    PlanItemOut,
    PlanOut,
    PlanPage,
    QueueSubmissionPage,
    ReviewAssignIn,
    ReviewCompleteIn,
    ReviewDetailOut,
    ReviewOut,
    ReviewPage,
    SelfAssessmentDetailOut,
    SelfAssessmentIn,
    SelfAssessmentPage,
    SubmissionDraftIn,
    SubmissionOut,
    SuggestionOut,
    TeacherProgressPage,
    TeachersAddedOut,
    TeachersIn,
)
from .models import (
    Enrolment,
    EvidenceItem,
    PDPlan,
    PDPlanItem,
    Review,
    SelfAssessment,
    Submission,
)
from .roster import NewTeacher
from .services import LearningError

router = Router()

T = TypeVar("T")

# --- Refusals ---------------------------------------------------------------------------------


def _responses(ok: dict[int, Any], *errors: int) -> dict[int, Any]:
    """The documented responses of an operation: its successes, 401 (every operation needs a
    caller), the refusals it can give, and 422 for a request that does not fit its schema."""
    documented: dict[int, Any] = dict(ok)
    for code in sorted({401, *errors}):
        documented[code] = ErrorOut
    documented[422] = InvalidOut
    return documented


def _message(error: LearningError) -> str:
    return " ".join(error.messages)


@contextmanager
def _refusals(status: int | Callable[[], int] = 409) -> Iterator[None]:
    """Turn the workflow's refusal into an HTTP error. ``status`` may be a function, asked
    after the failed (and rolled back) step, that tells a state conflict (409) from a bad
    request (400) by looking at the resource as it now is."""
    try:
        yield
    except LearningError as error:
        code = status() if callable(status) else status
        raise HttpError(code, _message(error)) from error


def _conflict_unless(allowed: Callable[[], bool]) -> Callable[[], int]:
    """409 when the resource's state does not allow the step, else 400."""
    return lambda: 400 if allowed() else 409


def _not_found(what: str) -> HttpError:
    return HttpError(404, _("There is no %(what)s with this identifier.") % {"what": what})


def _visible(request: HttpRequest, obj: T | None, perm: str, what: str) -> T:
    """``obj`` if the caller may see it; otherwise the same 404 as when it does not exist."""
    if obj is None or not request.user.has_perm(f"learning.{perm}", obj):
        raise _not_found(what)
    return obj


def _allowed(request: HttpRequest, perm: str, obj: Any = None, message: str = "") -> None:
    if not request.user.has_perm(f"learning.{perm}", obj):
        raise HttpError(403, message or _("You are not allowed to do this."))


def _fresh(model: type[Model], pk: int) -> Any:
    return model.objects.get(pk=pk)


# --- Rendering --------------------------------------------------------------------------------


def _organisation(organisation: Organisation) -> dict:
    return {"uuid": organisation.uuid, "slug": organisation.slug, "name": organisation.name}


def _person(person) -> dict:
    return {"uuid": person.uuid, "name": str(person), "email": person.email}


def _level(level) -> dict:
    return {"code": level.code, "name": level.name, "position": level.position}


def _framework(framework: CompetencyFramework) -> dict:
    return {
        "uuid": framework.uuid,
        "slug": framework.slug,
        "version": framework.version,
        "title": framework.title,
        "uri": framework.uri,
        "levels": [_level(lv) for lv in framework.levels.order_by("position")],
        "competences": getattr(framework, "items", None)
        or services.assessable_competences(framework).count(),
    }


def _assessment(assessment: SelfAssessment, totals: dict[int, int] | None = None) -> dict:
    totals = totals if totals is not None else {}
    if assessment.framework_id not in totals:
        totals[assessment.framework_id] = services.assessable_competences(
            assessment.framework
        ).count()
    answered = getattr(assessment, "answered", None)
    return {
        "uuid": assessment.uuid,
        "framework": assessment.framework.slug,
        "framework_version": assessment.framework.version,
        "status": assessment.status,
        "created_at": assessment.created_at,
        "completed_at": assessment.completed_at,
        "answered": answered if answered is not None else assessment.answers.count(),
        "total": totals[assessment.framework_id],
    }


def _assessment_detail(assessment: SelfAssessment) -> dict:
    profile = selectors.self_assessment_profile(assessment)

    def code(level) -> str | None:
        return level.code if level else None

    return {
        **_assessment(assessment),
        "answered": profile.answered,
        "total": profile.total,
        "levels": [_level(lv) for lv in profile.levels],
        "profile": {
            "overall": profile.overall,
            "level": code(profile.level_at(profile.overall)),
            "answered": profile.answered,
            "total": profile.total,
            "areas": [
                {
                    "code": area.area.code,
                    "name": area.area.name,
                    "mean": area.score,
                    "level": code(profile.level_at(area.score)),
                    "competences": [
                        {
                            "code": c.competence.code,
                            "name": c.competence.name,
                            "level": code(c.level),
                        }
                        for c in area.competences
                    ],
                }
                for area in profile.areas
            ],
        },
    }


def _plan_item(item: PDPlanItem) -> dict:
    version = item.micro_credential.versions.filter(status="published").first()
    return {
        "micro_credential": item.micro_credential.slug,
        "title": version.title if version else item.micro_credential.slug,
        "planned_hours": float(item.planned_hours),
        "note": item.note,
    }


def _plan(plan: PDPlan) -> dict:
    items = list(plan.items.all())
    return {
        "uuid": plan.uuid,
        "year": plan.year,
        "status": plan.status,
        "teacher": _person(plan.teacher),
        "organisation": _organisation(plan.organisation),
        "deadline": plan.deadline,
        "submitted_at": plan.submitted_at,
        "decided_at": plan.decided_at,
        "decided_by": _person(plan.decided_by) if plan.decided_by else None,
        "comment": plan.comment,
        "planned_hours": float(sum(i.planned_hours for i in items)),
        "items": [_plan_item(i) for i in items],
    }


def _plans() -> QuerySet[PDPlan]:
    return PDPlan.objects.select_related("teacher", "organisation", "decided_by").prefetch_related(
        "items__micro_credential"
    )


def _offering(offering: Offering) -> dict:
    taken = getattr(offering, "taken", None)
    waiting = getattr(offering, "waiting", None)
    if taken is None or waiting is None:
        counts = offering.enrolments.aggregate(
            taken=Count("pk", filter=Q(status=Enrolment.Status.ENROLLED)),
            waiting=Count("pk", filter=Q(status=Enrolment.Status.WAITLISTED)),
        )
        taken, waiting = counts["taken"], counts["waiting"]
    return {
        "uuid": offering.uuid,
        "micro_credential": offering.version.micro_credential.slug,
        "version": offering.version.uuid,
        "title": offering.version.title,
        "host": _organisation(offering.host),
        "starts_on": offering.starts_on,
        "ends_on": offering.ends_on,
        "language": offering.language,
        "mode": offering.mode,
        "status": offering.status,
        "capacity": offering.capacity,
        "places_left": max(offering.capacity - taken, 0),
        "waiting": waiting,
    }


def _enrolment(enrolment: Enrolment) -> dict:
    return {
        "uuid": enrolment.uuid,
        "status": enrolment.status,
        "offering": _offering(enrolment.offering),
        "enrolled_at": enrolment.enrolled_at,
        "waitlisted_at": enrolment.waitlisted_at,
        "withdrawn_at": enrolment.withdrawn_at,
        "waiting_position": selectors.waiting_position(enrolment),
        "submissions": [
            {"uuid": s.uuid, "attempt": s.attempt, "status": s.status}
            for s in sorted(enrolment.submissions.all(), key=lambda s: s.attempt)
        ],
    }


def _enrolments() -> QuerySet[Enrolment]:
    return Enrolment.objects.select_related(
        "offering__version__micro_credential", "offering__host"
    ).prefetch_related("submissions")


def _requirement(requirement: EvidenceRequirement) -> dict:
    return {
        "id": requirement.pk,
        "kind": requirement.kind,
        "title": requirement.title,
        "description": requirement.description,
    }


def _evidence(item: EvidenceItem) -> dict:
    return {
        "uuid": item.uuid,
        "requirement": item.requirement_id,
        "source": item.source,
        "title": item.title,
        "file_name": item.original_name,
        "content_type": item.content_type,
        "size": item.size,
        "sha256": item.sha256,
        "url": item.url,
        "has_file": bool(item.file),
        "created_at": item.created_at,
    }


def _review_result(review: Review) -> dict:
    return {
        "uuid": review.uuid,
        "role": review.role,
        "decision": review.decision,
        "feedback": review.feedback,
        "to_fix": review.to_fix,
        "score": review.score,
        "completed_at": review.completed_at,
        "scores": [
            {"criterion": s.criterion_id, "level": s.level_id, "comment": s.comment}
            for s in review.scores.all()
        ],
    }


def _credential(credential) -> dict | None:
    if credential is None:
        return None
    return {
        "uuid": credential.uuid,
        "id": str(credential.document.get("id", f"urn:uuid:{credential.uuid}")),
        "status": credential.status,
        "valid_from": credential.valid_from,
    }


def _submission(submission: Submission, user) -> dict:
    version = submission.version
    return {
        "uuid": submission.uuid,
        "enrolment": submission.enrolment.uuid,
        "micro_credential": version.micro_credential.slug,
        "version": version.uuid,
        "title": version.title,
        "attempt": submission.attempt,
        "status": submission.status,
        "reflection": submission.reflection,
        "reflection_min_characters": services.MIN_REFLECTION_CHARACTERS,
        "knowledge_answers": submission.knowledge_answers or {},
        "knowledge_score": submission.knowledge_score,
        "knowledge_questions": [
            {
                "id": q.pk,
                "text": q.text,
                "choices": [{"id": c.pk, "text": c.text} for c in q.choices.all()],
            }
            for q in version.knowledge_questions.all()
        ],
        "requirements": [_requirement(r) for r in version.evidence_requirements.all()],
        "evidence": [_evidence(i) for i in submission.evidence.all()],
        "missing": services.missing_evidence(submission),
        "submitted_at": submission.submitted_at,
        "decided_at": submission.decided_at,
        "reviews": [_review_result(r) for r in selectors.reviews_visible_to(submission, user)],
        "credential": _credential(submission.credential),
    }


def _queue_submission(submission: Submission) -> dict:
    return {
        "uuid": submission.uuid,
        "micro_credential": submission.version.micro_credential.slug,
        "title": submission.version.title,
        "attempt": submission.attempt,
        "status": submission.status,
        "submitted_at": submission.submitted_at,
    }


def _review(review: Review) -> dict:
    return {
        "uuid": review.uuid,
        "role": review.role,
        "status": review.status,
        "assigned_at": review.created_at,
        "submission": _queue_submission(review.submission),
    }


def _reviews() -> QuerySet[Review]:
    return Review.objects.select_related("submission__version__micro_credential")


def _review_detail(review: Review, user) -> dict:
    submission = selectors.submission_detail(review.submission.uuid)
    if submission is None:  # deleted in the meantime
        raise _not_found(_("review"))
    version = submission.version
    others = [r for r in selectors.reviews_visible_to(submission, user) if r.pk != review.pk]
    return {
        **_review_result(review),
        "status": review.status,
        "assigned_at": review.created_at,
        "submission": {
            **_queue_submission(submission),
            "reflection": submission.reflection,
            "knowledge_score": submission.knowledge_score,
            "requirements": [_requirement(r) for r in version.evidence_requirements.all()],
            "evidence": [_evidence(i) for i in submission.evidence.all()],
            "rubric": [
                {
                    "id": c.pk,
                    "position": c.position,
                    "title": c.title,
                    "description": c.description,
                    "weight": c.weight,
                    "levels": [
                        {
                            "id": lv.pk,
                            "position": lv.position,
                            "score": lv.score,
                            "label": lv.label,
                            "descriptor": lv.descriptor,
                            "passing": lv.passing,
                        }
                        for lv in c.levels.all()
                    ],
                }
                for c in version.rubric.all()
            ],
            "other_reviews": [_review_result(r) for r in others],
        },
    }


# --- Self-assessment --------------------------------------------------------------------------


@router.get(
    "/frameworks",
    response=_responses({200: FrameworkPage}),
    summary="Frameworks available for self-assessment",
    tags=["self-assessment"],
)
def framework_list(request: HttpRequest, page: Query[PageParams]) -> dict:
    """Published frameworks with competences to assess oneself against, with their levels."""
    frameworks = selectors.self_assessment_frameworks()
    return paged(frameworks, page, _framework)


@router.get(
    "/self-assessments",
    response=_responses({200: SelfAssessmentPage}),
    summary="My self-assessments",
    tags=["self-assessment"],
)
def self_assessment_list(request: HttpRequest, page: Query[PageParams]) -> dict:
    """The caller's self-assessments, the newest first."""
    assessments = (
        SelfAssessment.objects.filter(person=request.user)
        .select_related("framework")
        .annotate(answered=Count("answers"))
        .order_by("-created_at", "-pk")
    )
    totals: dict[int, int] = {}
    return paged(assessments, page, lambda a: _assessment(a, totals))


@router.post(
    "/self-assessments",
    response=_responses({200: SelfAssessmentDetailOut, 201: SelfAssessmentDetailOut}, 400, 404),
    summary="Start a self-assessment, or resume the open one",
    tags=["self-assessment"],
)
def self_assessment_create(request: HttpRequest, data: SelfAssessmentIn) -> Status:
    """Opens a self-assessment against the framework (201), or returns the one the caller left
    unfinished (200)."""
    frameworks = selectors.self_assessment_frameworks().filter(slug=data.framework)
    if data.version:
        frameworks = frameworks.filter(version=data.version)
    framework = frameworks.order_by(F("published_on").desc(nulls_last=True), "-pk").first()
    if framework is None:
        raise _not_found(_("framework open for self-assessment"))
    resumed = SelfAssessment.objects.filter(
        person=request.user, framework=framework, status=SelfAssessment.Status.IN_PROGRESS
    ).exists()
    with _refusals(400):
        assessment = services.self_assessment_start(person=request.user, framework=framework)
    return Status(200 if resumed else 201, _assessment_detail(assessment))


def _self_assessment(request: HttpRequest, assessment_id: UUID, perm: str) -> SelfAssessment:
    assessment = (
        SelfAssessment.objects.select_related("framework").filter(uuid=assessment_id).first()
    )
    return _visible(request, assessment, perm, _("self-assessment"))


@router.get(
    "/self-assessments/{uuid:assessment_id}",
    response=_responses({200: SelfAssessmentDetailOut}, 404),
    summary="A self-assessment with its answers and profile",
    tags=["self-assessment"],
)
def self_assessment_get(request: HttpRequest, assessment_id: UUID) -> dict:
    """Every competence with the level chosen (or null), the mean per area and overall, and
    the level each mean reaches."""
    return _assessment_detail(_self_assessment(request, assessment_id, "view_self_assessment"))


@router.put(
    "/self-assessments/{uuid:assessment_id}/answers",
    response=_responses({200: SelfAssessmentDetailOut}, 400, 404, 409),
    summary="Record answers",
    tags=["self-assessment"],
)
def self_assessment_answer(
    request: HttpRequest,
    assessment_id: UUID,
    answers: dict[Code, Code] = Body(  # noqa: B008 - django-ninja's way to declare the body
        ..., description="{competence code: level code}", examples=[{"1.1": "B1", "2.3": "A2"}]
    ),
) -> dict:
    """Records the answers given, as ``{competence code: level code}``, in any order and
    number; competences not named keep their answer. Nothing is saved if one is invalid."""
    assessment = _self_assessment(request, assessment_id, "view_self_assessment")
    _allowed(request, "take_self_assessment", assessment)
    with _refusals(
        _conflict_unless(
            lambda: (
                _fresh(SelfAssessment, assessment.pk).status == SelfAssessment.Status.IN_PROGRESS
            )
        )
    ):
        services.self_assessment_answer(assessment=assessment, answers=answers, actor=request.user)
    return _assessment_detail(assessment)


@router.post(
    "/self-assessments/{uuid:assessment_id}/complete",
    response=_responses({200: SelfAssessmentDetailOut}, 404, 409),
    summary="Finish a self-assessment",
    tags=["self-assessment"],
)
def self_assessment_complete(request: HttpRequest, assessment_id: UUID) -> dict:
    """Closes the self-assessment once every competence has an answer (409 until then)."""
    assessment = _self_assessment(request, assessment_id, "view_self_assessment")
    _allowed(request, "take_self_assessment", assessment)
    with _refusals(409):
        assessment = services.self_assessment_complete(assessment=assessment, actor=request.user)
    return _assessment_detail(assessment)


@router.get(
    "/self-assessments/{uuid:assessment_id}/suggestions",
    response=_responses({200: list[SuggestionOut]}, 404),
    summary="Micro-credentials suggested by a self-assessment",
    tags=["self-assessment"],
)
def self_assessment_suggestions(
    request: HttpRequest,
    assessment_id: UUID,
    limit: int = Query(4, ge=1, le=20),
) -> list[dict]:
    """Published micro-credentials certifying a level above the caller's own answer in their
    weakest competences, the weakest first."""
    assessment = _self_assessment(request, assessment_id, "view_self_assessment")
    profile = selectors.self_assessment_profile(assessment)
    return [
        {
            "micro_credential": s.version.micro_credential.slug,
            "version": s.version.uuid,
            "title": s.version.title,
            "competence": s.competence.code,
            "current_level": s.current.code,
            "target_level": s.target.code,
        }
        for s in selectors.suggestions(profile, limit=limit)
    ]


# --- PD plans ---------------------------------------------------------------------------------


def _plan_of(request: HttpRequest, plan_id: UUID) -> PDPlan:
    return _visible(request, _plans().filter(uuid=plan_id).first(), "view_plan", _("PD plan"))


def _render_plan(plan: PDPlan) -> dict:
    return _plan(_plans().get(pk=plan.pk))


@router.get(
    "/plans",
    response=_responses({200: PlanPage}),
    summary="My PD plans",
    tags=["plans"],
)
def plan_list(
    request: HttpRequest,
    page: Query[PageParams],
    year: int | None = Query(None, ge=2000, le=2100),
) -> dict:
    """The caller's professional-development plans, the latest year first."""
    plans = _plans().filter(teacher=request.user).order_by("-year", "-pk")
    if year is not None:
        plans = plans.filter(year=year)
    return paged(plans, page, _plan)


@router.post(
    "/plans",
    response=_responses({201: PlanOut}, 400, 403, 404, 409),
    summary="Start a PD plan",
    tags=["plans"],
)
def plan_create(request: HttpRequest, data: PlanIn) -> Status:
    """Starts the caller's plan for a year at an institution where they teach (one per year;
    409 if it exists)."""
    # Planning, like enrolling, is for teachers of a partner institution.
    _allowed(request, "enrol", None, _("Only teachers of a partner institution plan PD here."))
    organisation = Organisation.objects.filter(slug=data.organisation).first()
    if organisation is None:
        raise _not_found(_("institution"))

    def state() -> int:
        exists = PDPlan.objects.filter(
            teacher=request.user, organisation=organisation, year=data.year
        ).exists()
        return 409 if exists else 400

    with _refusals(state):
        plan = services.pd_plan_create(
            teacher=request.user, organisation=organisation, year=data.year, actor=request.user
        )
    return Status(201, _render_plan(plan))


@router.get(
    "/plans/{uuid:plan_id}",
    response=_responses({200: PlanOut}, 404),
    summary="A PD plan",
    tags=["plans"],
)
def plan_get(request: HttpRequest, plan_id: UUID) -> dict:
    """The plan with its micro-credentials and hours; its teacher, the admins of its
    institution and programme managers may read it."""
    return _plan(_plan_of(request, plan_id))


def _editable(plan: PDPlan) -> Callable[[], int]:
    return _conflict_unless(lambda: _fresh(PDPlan, plan.pk).is_editable)


def _micro_credential(slug: str) -> MicroCredential:
    micro_credential = MicroCredential.objects.filter(slug=slug).first()
    if micro_credential is None:
        raise _not_found(_("micro-credential"))
    return micro_credential


@router.put(
    "/plans/{uuid:plan_id}/items/{slug:micro_credential}",
    response=_responses({200: PlanItemOut}, 400, 403, 404, 409),
    summary="Plan a micro-credential, or change its hours",
    tags=["plans"],
)
def plan_item_put(
    request: HttpRequest, plan_id: UUID, micro_credential: str, data: PlanItemIn
) -> dict:
    """Adds the micro-credential (by slug) to the plan with the hours planned, or changes
    them. Only a draft or returned plan can change (409 otherwise)."""
    plan = _plan_of(request, plan_id)
    _allowed(request, "change_plan", plan)
    target = _micro_credential(micro_credential)
    with _refusals(_editable(plan)):
        item = services.pd_plan_set_item(
            plan=plan,
            micro_credential=target,
            planned_hours=data.planned_hours,
            note=data.note,
            actor=request.user,
        )
    return _plan_item(item)


@router.delete(
    "/plans/{uuid:plan_id}/items/{slug:micro_credential}",
    response=_responses({204: None}, 403, 404, 409),
    summary="Take a micro-credential out of a plan",
    tags=["plans"],
)
def plan_item_delete(request: HttpRequest, plan_id: UUID, micro_credential: str) -> Status:
    """Removes the micro-credential from a draft or returned plan."""
    plan = _plan_of(request, plan_id)
    _allowed(request, "change_plan", plan)
    target = _micro_credential(micro_credential)

    def state() -> int:
        if not _fresh(PDPlan, plan.pk).is_editable:
            return 409
        return 404  # the only other refusal: it is not in the plan

    with _refusals(state):
        services.pd_plan_remove_item(plan=plan, micro_credential=target, actor=request.user)
    return Status(204, None)


@router.post(
    "/plans/{uuid:plan_id}/submit",
    response=_responses({200: PlanOut}, 403, 404, 409),
    summary="Send a plan to the institution",
    tags=["plans"],
)
def plan_submit(request: HttpRequest, plan_id: UUID) -> dict:
    """Submits the plan for approval: it needs at least one micro-credential, and a first
    submission must meet the deadline (409 otherwise)."""
    plan = _plan_of(request, plan_id)
    _allowed(request, "change_plan", plan)
    with _refusals(409):
        plan = services.pd_plan_submit(plan=plan, actor=request.user)
    return _render_plan(plan)


def _decide(request: HttpRequest, plan_id: UUID, decide: Callable[[PDPlan], PDPlan]) -> dict:
    plan = _plan_of(request, plan_id)
    _allowed(
        request,
        "decide_plan",
        plan,
        _("Only an admin of the plan's institution can approve or return it."),
    )
    with _refusals(
        _conflict_unless(lambda: _fresh(PDPlan, plan.pk).status == PDPlan.Status.SUBMITTED)
    ):
        plan = decide(plan)
    return _render_plan(plan)


@router.post(
    "/plans/{uuid:plan_id}/approve",
    response=_responses({200: PlanOut}, 403, 404, 409),
    summary="Approve a submitted plan",
    tags=["plans", "institutions"],
)
def plan_approve(
    request: HttpRequest,
    plan_id: UUID,
    data: PlanDecisionIn | None = Body(None),  # noqa: B008 - django-ninja's way to declare a body
) -> dict:
    """For admins of the plan's institution; the body, with a comment, is optional."""
    comment = data.comment if data else ""
    return _decide(
        request,
        plan_id,
        lambda plan: services.pd_plan_approve(plan=plan, actor=request.user, comment=comment),
    )


@router.post(
    "/plans/{uuid:plan_id}/return",
    response=_responses({200: PlanOut}, 400, 403, 404, 409),
    summary="Return a submitted plan for changes",
    tags=["plans", "institutions"],
)
def plan_return(request: HttpRequest, plan_id: UUID, data: PlanDecisionIn) -> dict:
    """For admins of the plan's institution; the comment says what should change (400
    without one)."""
    return _decide(
        request,
        plan_id,
        lambda plan: services.pd_plan_return(plan=plan, actor=request.user, comment=data.comment),
    )


# --- Offerings and enrolments -----------------------------------------------------------------


@router.get(
    "/offerings",
    response=_responses({200: OfferingPage}),
    summary="Offerings open for enrolment",
    tags=["enrolments"],
)
def offering_list(
    request: HttpRequest,
    page: Query[PageParams],
    micro_credential: str | None = Query(None, max_length=100),
    language: str | None = Query(None, max_length=10),
) -> dict:
    """Open offerings of published micro-credentials, the soonest first, with the places
    left and how many are waiting."""
    offerings = selectors.open_offerings()
    if micro_credential:
        offerings = offerings.filter(version__micro_credential__slug=micro_credential)
    if language:
        offerings = offerings.filter(language=language)
    return paged(offerings, page, _offering)


@router.get(
    "/enrolments",
    response=_responses({200: EnrolmentPage}),
    summary="My enrolments",
    tags=["enrolments"],
)
def enrolment_list(request: HttpRequest, page: Query[PageParams]) -> dict:
    """The caller's enrolments with their attempts, the newest first."""
    enrolments = _enrolments().filter(teacher=request.user).order_by("-created_at", "-pk")
    return paged(enrolments, page, _enrolment)


@router.post(
    "/enrolments",
    response=_responses({201: EnrolmentOut}, 403, 404, 409),
    summary="Enrol in an offering",
    tags=["enrolments"],
)
def enrolment_create(request: HttpRequest, data: EnrolmentIn) -> Status:
    """Enrols the caller, or puts them on the waiting list when the offering is full
    (``status`` says which). 409 if already enrolled or the offering is not open."""
    _allowed(request, "enrol", None, _("Only teachers of a partner institution can enrol."))
    offering = Offering.objects.filter(uuid=data.offering).first()
    if offering is None:
        raise _not_found(_("offering"))
    with _refusals(409):
        enrolment = services.enrolment_create(
            offering=offering, teacher=request.user, actor=request.user
        )
    return Status(201, _enrolment(_enrolments().get(pk=enrolment.pk)))


def _enrolment_of(request: HttpRequest, enrolment_id: UUID) -> Enrolment:
    enrolment = _enrolments().filter(uuid=enrolment_id).first()
    return _visible(request, enrolment, "view_enrolment", _("enrolment"))


@router.get(
    "/enrolments/{uuid:enrolment_id}",
    response=_responses({200: EnrolmentOut}, 404),
    summary="An enrolment",
    tags=["enrolments"],
)
def enrolment_get(request: HttpRequest, enrolment_id: UUID) -> dict:
    """The enrolment, its place on the waiting list and its attempts."""
    return _enrolment(_enrolment_of(request, enrolment_id))


@router.post(
    "/enrolments/{uuid:enrolment_id}/withdraw",
    response=_responses({200: EnrolmentOut}, 403, 404, 409),
    summary="Withdraw from an offering",
    tags=["enrolments"],
)
def enrolment_withdraw(request: HttpRequest, enrolment_id: UUID) -> dict:
    """Leaves the offering (a draft attempt is discarded); the first person waiting takes the
    place. 409 while a submission is being reviewed."""
    enrolment = _enrolment_of(request, enrolment_id)
    _allowed(request, "withdraw_enrolment", enrolment)
    with _refusals(409):
        services.enrolment_withdraw(enrolment=enrolment, actor=request.user)
    return _enrolment(_enrolments().get(pk=enrolment.pk))


# --- Submissions and evidence -----------------------------------------------------------------


def _submission_of(request: HttpRequest, submission_id: UUID, *, change: bool) -> Submission:
    submission = _visible(
        request,
        selectors.submission_detail(submission_id),
        "view_submission",
        _("submission"),
    )
    if change:
        _allowed(request, "change_submission", submission)
    return submission


def _render_submission(request: HttpRequest, submission: Submission) -> dict:
    fresh = selectors.submission_detail(submission.uuid)
    if fresh is None:
        raise _not_found(_("submission"))
    return _submission(fresh, request.user)


def _draft(submission: Submission) -> Callable[[], int]:
    return _conflict_unless(lambda: _fresh(Submission, submission.pk).is_editable)


@router.post(
    "/enrolments/{uuid:enrolment_id}/submissions",
    response=_responses({200: SubmissionOut, 201: SubmissionOut}, 403, 404, 409),
    summary="Start an attempt, or resume the open one",
    tags=["submissions"],
)
def submission_start(request: HttpRequest, enrolment_id: UUID) -> Status:
    """Opens the next attempt of an active enrolment (201), starting from the previous
    attempt's evidence after a request to resubmit, or returns the open one (200). 409 when
    no attempt is left or the enrolment is not active."""
    enrolment = _enrolment_of(request, enrolment_id)
    # Working on an enrolment's attempts is its teacher's (the owner rule of submissions).
    _allowed(request, "change_submission", enrolment)
    before = set(enrolment.submissions.values_list("pk", flat=True))
    with _refusals(409):
        submission = services.submission_start(enrolment=enrolment, actor=request.user)
    status = 200 if submission.pk in before else 201
    return Status(status, _render_submission(request, submission))


@router.get(
    "/submissions/{uuid:submission_id}",
    response=_responses({200: SubmissionOut}, 404),
    summary="An attempt with its evidence",
    tags=["submissions", "reviews"],
)
def submission_get(request: HttpRequest, submission_id: UUID) -> dict:
    """The attempt, what its specification asks for, the evidence given, what is still
    missing and the reviews the caller may read. Its teacher, its assessors and programme
    managers may read it."""
    return _submission(_submission_of(request, submission_id, change=False), request.user)


@router.patch(
    "/submissions/{uuid:submission_id}",
    response=_responses({200: SubmissionOut}, 400, 403, 404, 409),
    summary="Save the draft's reflection and knowledge-check answers",
    tags=["submissions"],
)
def submission_save_draft(
    request: HttpRequest, submission_id: UUID, data: SubmissionDraftIn
) -> dict:
    """Fields left out are not changed. Only a draft can change (409 otherwise)."""
    submission = _submission_of(request, submission_id, change=True)
    with _refusals(_draft(submission)):
        services.submission_save_draft(
            submission=submission,
            actor=request.user,
            reflection=data.reflection,
            knowledge_answers=data.knowledge_answers,
        )
    return _render_submission(request, submission)


def _requirement_of(requirement_id: int) -> EvidenceRequirement:
    requirement = EvidenceRequirement.objects.filter(pk=requirement_id).first()
    if requirement is None:
        raise _not_found(_("evidence requirement"))
    return requirement


@router.post(
    "/submissions/{uuid:submission_id}/evidence/files",
    response=_responses({201: EvidenceOut}, 400, 403, 404, 409),
    summary="Attach a file",
    tags=["submissions"],
)
def evidence_add_file(
    request: HttpRequest,
    submission_id: UUID,
    requirement: int = Form(..., description="The evidence requirement's id."),
    file: UploadedFile = File(..., description="PDF, an image or an office document."),  # noqa: B008
) -> Status:
    """Sent as ``multipart/form-data``. The file's type is judged by its content, not its
    name; PDF, PNG, JPEG, GIF, WebP and Word, Excel, PowerPoint and OpenDocument files are
    accepted, up to the platform's size limit (400 otherwise)."""
    submission = _submission_of(request, submission_id, change=True)
    target = _requirement_of(requirement)
    with _refusals(_draft(submission)):
        item = services.evidence_add_file(
            submission=submission, requirement=target, upload=file, actor=request.user
        )
    return Status(201, _evidence(item))


@router.post(
    "/submissions/{uuid:submission_id}/evidence/links",
    response=_responses({201: EvidenceOut}, 400, 403, 404, 409),
    summary="Attach a link",
    tags=["submissions"],
)
def evidence_add_link(request: HttpRequest, submission_id: UUID, data: EvidenceLinkIn) -> Status:
    """A web address (http or https) answering a link requirement, e.g. a video."""
    submission = _submission_of(request, submission_id, change=True)
    target = _requirement_of(data.requirement)
    with _refusals(_draft(submission)):
        item = services.evidence_add_link(
            submission=submission,
            requirement=target,
            url=data.url,
            title=data.title,
            actor=request.user,
        )
    return Status(201, _evidence(item))


@router.delete(
    "/submissions/{uuid:submission_id}/evidence/{uuid:evidence_id}",
    response=_responses({204: None}, 403, 404, 409),
    summary="Remove evidence from a draft",
    tags=["submissions"],
)
def evidence_remove(request: HttpRequest, submission_id: UUID, evidence_id: UUID) -> Status:
    submission = _submission_of(request, submission_id, change=True)
    item = submission.evidence.filter(uuid=evidence_id).first()
    if item is None:
        raise _not_found(_("evidence"))
    with _refusals(409):
        services.evidence_remove(item=item, actor=request.user)
    return Status(204, None)


@router.get(
    "/evidence/{uuid:evidence_id}/file",
    response=_responses({}, 404),
    summary="Download an evidence file",
    tags=["submissions", "reviews"],
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file as uploaded, with the type found in its content.",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def evidence_file(request: HttpRequest, evidence_id: UUID) -> FileResponse:
    """For the submission's teacher, its assessors and programme managers."""
    item = EvidenceItem.objects.select_related("submission").filter(uuid=evidence_id).first()
    item = _visible(request, item, "view_evidence", _("evidence"))
    if not item.file:
        raise HttpError(404, _("This evidence is a link, not a file."))
    try:
        handle = item.file.open("rb")
    except OSError:
        raise HttpError(404, _("The stored file is missing.")) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=item.original_name or item.file.name.rsplit("/", 1)[-1],
        content_type=item.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


@router.post(
    "/submissions/{uuid:submission_id}/submit",
    response=_responses({200: SubmissionOut}, 403, 404, 409),
    summary="Send an attempt for review",
    tags=["submissions"],
)
def submission_submit(request: HttpRequest, submission_id: UUID) -> dict:
    """Checks that the attempt holds every piece of evidence asked for, a reflection of the
    minimum length and every knowledge-check answer (409 saying what is missing otherwise),
    then assigns an assessor when one is free of conflicts of interest."""
    submission = _submission_of(request, submission_id, change=True)
    with _refusals(409):
        services.submission_submit(submission=submission, actor=request.user)
    return _render_submission(request, submission)


# --- Reviews ----------------------------------------------------------------------------------


@router.get(
    "/submissions/awaiting-assessor",
    response=_responses({200: QueueSubmissionPage}, 403),
    summary="Attempts waiting for an assessor",
    tags=["reviews"],
)
def submission_awaiting_assessor(request: HttpRequest, page: Query[PageParams]) -> dict:
    """Submitted attempts nobody could take yet, for programme managers to assign."""
    _allowed(request, "assign_reviewer", None, _("Only programme managers assign assessors."))
    waiting = selectors.awaiting_assessor().select_related("version__micro_credential")
    return paged(waiting, page, _queue_submission)


@router.post(
    "/submissions/{uuid:submission_id}/reviews",
    response=_responses({201: ReviewOut}, 400, 403, 404, 409),
    summary="Assign an assessor",
    tags=["reviews"],
)
def review_assign(request: HttpRequest, submission_id: UUID, data: ReviewAssignIn) -> Status:
    """For programme managers. An open assignment in the same role is withdrawn; conflicts of
    interest are refused (400)."""
    submission = _submission_of(request, submission_id, change=False)
    _allowed(request, "assign_reviewer", submission, _("Only programme managers assign assessors."))
    assessor = User.objects.filter(uuid=data.assessor, is_active=True).first()
    if assessor is None:
        raise _not_found(_("assessor"))
    open_states = (Submission.Status.SUBMITTED, Submission.Status.IN_REVIEW)
    with _refusals(
        _conflict_unless(lambda: _fresh(Submission, submission.pk).status in open_states)
    ):
        review = services.review_assign(
            submission=submission, assessor=assessor, role=data.role, actor=request.user
        )
    return Status(201, _review(_reviews().get(pk=review.pk)))


@router.get(
    "/reviews",
    response=_responses({200: ReviewPage}, 403),
    summary="My review queue",
    tags=["reviews"],
)
def review_list(
    request: HttpRequest,
    page: Query[PageParams],
    status: str = Query(
        "assigned", pattern="^(assigned|completed)$", description="assigned or completed"
    ),
) -> dict:
    """The caller's assigned reviews, the oldest submission first; ``status=completed`` lists
    the reviews they have done, the latest first."""
    _allowed(request, "view_queue", None, _("Only assessors have a review queue."))
    if status == Review.Status.COMPLETED:
        reviews = (
            _reviews().filter(assessor=request.user, status=status).order_by("-completed_at", "-pk")
        )
    else:
        reviews = selectors.review_queue(request.user).select_related(
            "submission__version__micro_credential"
        )
    return paged(reviews, page, _review)


def _review_of(request: HttpRequest, review_id: UUID) -> Review:
    review = _reviews().filter(uuid=review_id).first()
    # A review is read by its assessor, and by the programme managers who assign them.
    if review is None or not (
        request.user.has_perm("learning.complete_review", review)
        or request.user.has_perm("learning.assign_reviewer", review.submission)
    ):
        raise _not_found(_("review"))
    return review


@router.get(
    "/reviews/{uuid:review_id}",
    response=_responses({200: ReviewDetailOut}, 404),
    summary="A review with the attempt to judge",
    tags=["reviews"],
)
def review_get(request: HttpRequest, review_id: UUID) -> dict:
    """The attempt's reflection, evidence (metadata; files through
    ``/evidence/{uuid}/file``), the public rubric with its criteria and levels, and, for a
    moderator, the reviews to moderate. A second reviewer does not see the first review."""
    return _review_detail(_review_of(request, review_id), request.user)


@router.post(
    "/reviews/{uuid:review_id}/complete",
    response=_responses({200: ReviewDetailOut}, 400, 403, 404, 409),
    summary="Complete a review",
    tags=["reviews"],
)
def review_complete(request: HttpRequest, review_id: UUID, data: ReviewCompleteIn) -> dict:
    """Scores every rubric criterion (``{criterion id: level id}``) and decides. A pass needs
    every criterion at a passing level and awards the credential once; resubmit needs
    ``to_fix``. 409 if the review is already completed."""
    review = _review_of(request, review_id)
    _allowed(request, "complete_review", review, _("This review is assigned to someone else."))

    def open_now() -> bool:
        fresh = Review.objects.select_related("submission").get(pk=review.pk)
        return (
            fresh.status == Review.Status.ASSIGNED
            and fresh.submission.status == Submission.Status.IN_REVIEW
        )

    with _refusals(_conflict_unless(open_now)):
        services.review_complete(
            review=review,
            actor=request.user,
            scores=data.scores,
            decision=data.decision,
            feedback=data.feedback,
            to_fix=data.to_fix,
            comments=data.comments,
        )
    return _review_detail(_reviews().get(pk=review.pk), request.user)


# --- Institutions -----------------------------------------------------------------------------


def _organisation_of(request: HttpRequest, slug: str) -> Organisation:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise _not_found(_("institution"))
    _allowed(
        request,
        "view_organisation_progress",
        organisation,
        _("Only the institution's admins and programme managers follow its teachers."),
    )
    return organisation


@router.get(
    "/organisations/{slug:organisation}/progress",
    response=_responses({200: TeacherProgressPage}, 403, 404),
    summary="Teachers' progress at an institution",
    tags=["institutions"],
)
def organisation_progress(
    request: HttpRequest,
    organisation: str,
    page: Query[PageParams],
    year: int | None = Query(None, ge=2000, le=2100, description="Default: this year."),
) -> dict:
    """Each teacher: the year's plan, active enrolments, attempts in review and credentials.
    For the institution's admins and programme managers."""
    found = _organisation_of(request, organisation)
    rows = selectors.organisation_progress(found, year or timezone.localdate().year)
    return paged(
        rows,
        page,
        lambda row: {
            "teacher": _person(row.teacher),
            "plan": {
                "uuid": row.plan.uuid,
                "status": row.plan.status,
                "planned_hours": float(sum(i.planned_hours for i in row.plan.items.all())),
            }
            if row.plan
            else None,
            "enrolments": row.enrolments,
            "in_review": row.in_review,
            "credentials": row.credentials,
        },
    )


@router.get(
    "/organisations/{slug:organisation}/plans-to-decide",
    response=_responses({200: PlanPage}, 403, 404),
    summary="Plans waiting for an institution's decision",
    tags=["institutions"],
)
def organisation_plans_to_decide(
    request: HttpRequest, organisation: str, page: Query[PageParams]
) -> dict:
    """Submitted plans of the institution's teachers, the oldest first."""
    found = _organisation_of(request, organisation)
    plans = selectors.plans_to_decide(found).select_related("organisation", "decided_by")
    return paged(plans, page, _plan)


@router.post(
    "/organisations/{slug:organisation}/teachers",
    response=_responses({201: TeachersAddedOut}, 400, 403, 404),
    summary="Add teachers to an institution",
    tags=["institutions"],
)
def organisation_teachers_add(request: HttpRequest, organisation: str, data: TeachersIn) -> Status:
    """New people get an account and a mail to choose a password; people who have an account
    are found by e-mail. All or nothing: 400 names each bad row and adds nobody."""
    found = _organisation_of(request, organisation)
    _allowed(
        request,
        "add_teachers",
        found,
        _("Only the institution's admins and programme managers add its teachers."),
    )
    people = [
        NewTeacher(email=row.email, legal_name=row.name, language=row.language)
        for row in data.people
    ]
    with _refusals(400):
        added = services.teachers_add(organisation=found, people=people, actor=request.user)
    return Status(
        201,
        {
            "created": [_person(p) for p in added.created],
            "attached": [_person(p) for p in added.attached],
            "already": [_person(p) for p in added.already],
        },
    )
