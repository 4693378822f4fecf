"""Pages for the assessor (the review queue, the review form, evidence files) and for the
programme manager who assigns submissions nobody could take.

Thin: parse, authorise (``rules.py``), call a service or selector, render. A service's
``LearningError`` is shown on the page, never turned into a server error.
"""

import uuid as uuid_module

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from microcert.catalog.models import EvidenceRequirement

from .. import selectors, services
from ..models import AssessmentPolicy, EvidenceItem, Review, Submission
from ..review_forms import AssignForm, ReviewForm
from ..services import LearningError


def _require(request: HttpRequest, perm: str, obj=None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


# --- the queue ----------------------------------------------------------------------------


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    _require(request, "learning.view_queue")
    return render(
        request,
        "learning/assessor/queue.html",
        {
            "assigned": list(selectors.review_queue(request.user)),
            "completed": list(selectors.reviews_done_by(request.user)),
        },
    )


# --- one review ---------------------------------------------------------------------------


def _earlier_attempts(submission: Submission) -> list[dict]:
    """The decided earlier attempts of the same enrolment, each with the review that decided
    it: the assessor of a resubmission checks that what was asked for was done."""
    earlier = (
        Submission.objects.filter(
            enrolment_id=submission.enrolment_id,
            attempt__lt=submission.attempt,
            status__in=[
                Submission.Status.RESUBMIT,
                Submission.Status.PASSED,
                Submission.Status.FAILED,
            ],
        )
        .prefetch_related("reviews")
        .order_by("attempt")
    )
    rows = []
    for attempt in earlier:
        completed = [r for r in attempt.reviews.all() if r.status == Review.Status.COMPLETED]
        final = max(completed, key=lambda r: r.completed_at) if completed else None
        rows.append({"submission": attempt, "review": final})
    return rows


def _evidence_groups(submission: Submission) -> tuple[list[dict], list[EvidenceItem]]:
    """The evidence by requirement, in the specification's order; items tied to no
    requirement (reported by a learning platform) come apart."""
    items = list(submission.evidence.all())
    groups = [
        {
            "requirement": requirement,
            "items": [i for i in items if i.requirement_id == requirement.pk],
        }
        for requirement in submission.version.evidence_requirements.all()
    ]
    known = {r.pk for r in submission.version.evidence_requirements.all()}
    others = [i for i in items if i.requirement_id not in known]
    for item in items:
        # Only a web address becomes a link: a learning platform's report is not checked.
        item.web_link = item.url if _is_web_address(item.url) else ""
    return groups, others


def _is_web_address(url: str) -> bool:
    scheme, _sep, rest = (url or "").partition("://")
    return scheme.lower() in ("http", "https") and bool(rest)


def _decided_message(submission: Submission) -> str:
    name = submission.teacher.get_full_name()
    if submission.status == Submission.Status.PASSED:
        return _("Your review is recorded: %(teacher)s passed and the credential was issued.") % {
            "teacher": name
        }
    if submission.status == Submission.Status.RESUBMIT:
        return _("Your review is recorded: %(teacher)s is asked to resubmit.") % {"teacher": name}
    if submission.status == Submission.Status.FAILED:
        return _("Your review is recorded: the attempt of %(teacher)s did not pass.") % {
            "teacher": name
        }
    return _("Your review is recorded; another assessor now reviews the submission.")


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    review = get_object_or_404(Review.objects.select_related("submission"), uuid=uuid)
    _require(request, "learning.complete_review", review)
    submission = selectors.submission_detail(review.submission.uuid)
    if submission is None:  # pragma: no cover - the review holds the submission
        raise Http404
    # The review as loaded with the submission: its scores are prefetched there.
    review = next(r for r in submission.reviews.all() if r.pk == review.pk)
    criteria = list(submission.version.rubric.all())
    visible = selectors.reviews_visible_to(submission, request.user)
    earlier = [r for r in visible if r.pk != review.pk]
    form = None
    status = 200
    if review.status == Review.Status.ASSIGNED:
        form = ReviewForm(request.POST if request.method == "POST" else None, criteria=criteria)
        if request.method == "POST":
            if form.is_valid():
                try:
                    services.review_complete(
                        review=review,
                        actor=request.user,
                        scores=form.scores(),
                        decision=form.cleaned_data["decision"],
                        feedback=form.cleaned_data["feedback"],
                        to_fix=form.cleaned_data["to_fix"],
                        comments=form.comments(),
                    )
                except LearningError as error:
                    review.refresh_from_db(fields=["status"])
                    if review.status != Review.Status.ASSIGNED:
                        # Sent twice, or decided in another tab: the first answer stands.
                        messages.info(request, _("This review has already been completed."))
                        return redirect("learning:review", uuid=review.uuid)
                    form.add_error(None, error)
                else:
                    submission.refresh_from_db(fields=["status"])
                    messages.success(request, _decided_message(submission))
                    return redirect("learning:queue")
            status = 400
    elif request.method == "POST":
        if review.status == Review.Status.WITHDRAWN:
            messages.info(request, _("This review was given to another assessor."))
        else:
            messages.info(request, _("This review has already been completed."))
        return redirect("learning:review", uuid=review.uuid)
    groups, other_evidence = _evidence_groups(submission)
    policy = AssessmentPolicy.objects.filter(version=submission.version).first()
    kinds = {g["requirement"].kind for g in groups}
    return render(
        request,
        "learning/assessor/review.html",
        {
            "review": review,
            "submission": submission,
            "form": form,
            "rows": form.rows(earlier if review.role == Review.Role.MODERATION else ())
            if form
            else None,
            "criteria": criteria,
            "earlier_reviews": earlier,
            "earlier_attempts": _earlier_attempts(submission),
            "evidence_groups": groups,
            "other_evidence": other_evidence,
            "policy": policy or AssessmentPolicy(version=submission.version),
            "has_reflection_requirement": EvidenceRequirement.Kind.REFLECTION in kinds,
            "level_columns": max((len(c.levels.all()) for c in criteria), default=1),
            "last_attempt": submission.attempt >= submission.version.max_attempts,
            "problems": form.problems() if form and form.errors else [],
        },
        status=status,
    )


@login_required
@require_GET
def review_evidence(
    request: HttpRequest, uuid: uuid_module.UUID, item: uuid_module.UUID
) -> FileResponse:
    """An evidence file, always as a download: whatever it holds is never shown inline."""
    review = get_object_or_404(Review, uuid=uuid)
    evidence = get_object_or_404(
        EvidenceItem.objects.select_related("submission"),
        uuid=item,
        submission_id=review.submission_id,
    )
    _require(request, "learning.view_evidence", evidence)
    if not evidence.file:
        raise Http404
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name or evidence.file.name.rsplit("/", 1)[-1],
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- assigning by hand --------------------------------------------------------------------


def _assign_rows(bound: AssignForm | None = None) -> list[dict]:
    rows = []
    for submission in selectors.awaiting_assessor():
        assessors = services.eligible_assessors(submission)
        if bound is not None and bound.data.get("submission") == str(submission.uuid):
            form = bound
        else:
            form = AssignForm(initial={"submission": submission.uuid}, assessors=assessors)
        rows.append({"submission": submission, "assessors": assessors, "form": form})
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def unassigned(request: HttpRequest) -> HttpResponse:
    _require(request, "learning.assign_reviewer")
    if request.method != "POST":
        return render(request, "learning/assessor/unassigned.html", {"rows": _assign_rows()})
    chosen = request.POST.get("submission")
    submission = (
        selectors.awaiting_assessor().filter(uuid=chosen).first() if _is_uuid(chosen) else None
    )
    if submission is None:
        messages.info(request, _("That submission is no longer waiting for an assessor."))
        return redirect("learning:unassigned")
    assessors = services.eligible_assessors(submission)
    form = AssignForm(request.POST, assessors=assessors)
    if form.is_valid():
        assessor = next(a for a in assessors if str(a.uuid) == form.cleaned_data["assessor"])
        try:
            services.review_assign(submission=submission, assessor=assessor, actor=request.user)
        except LearningError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(assessor)s now reviews the submission of %(teacher)s.")
                % {
                    "assessor": assessor.get_full_name(),
                    "teacher": submission.teacher.get_full_name(),
                },
            )
            return redirect("learning:unassigned")
    return render(
        request, "learning/assessor/unassigned.html", {"rows": _assign_rows(form)}, status=400
    )


def _is_uuid(value: str | None) -> bool:
    try:
        uuid_module.UUID(str(value))
    except ValueError:
        return False
    return True


urlpatterns: list = [
    path("review/", queue, name="queue"),
    path("review/unassigned/", unassigned, name="unassigned"),
    path("review/<uuid:uuid>/", review, name="review"),
    path("review/<uuid:uuid>/evidence/<uuid:item>/", review_evidence, name="review_evidence"),
]
