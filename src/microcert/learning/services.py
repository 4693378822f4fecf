"""Writes of the teacher's journey. Each is one transaction and records its event.

Views and the API authorise (see ``rules.py``); these functions keep the workflow's own rules:
what state allows what, capacity, attempts, conflict of interest, and that a pass awards once.
"""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from microcert.accounts import services as account_services
from microcert.accounts.models import User
from microcert.accounts.roles import Role
from microcert.catalog.models import (
    EvidenceRequirement,
    MicroCredential,
    Offering,
    RubricCriterion,
    RubricLevel,
    SpecificationVersion,
)
from microcert.core.services import event_record
from microcert.credentials import services as credential_services
from microcert.credentials.models import IssuedCredential
from microcert.credentials.openbadges import Evidence
from microcert.frameworks.models import Competence, CompetencyFramework, ProficiencyLevel
from microcert.network import selectors as network_selectors
from microcert.network import services as network_services
from microcert.network.models import Affiliation, Organisation

from . import notifications, uploads
from .models import (
    AssessmentPolicy,
    CriterionScore,
    Enrolment,
    EvidenceItem,
    PDPlan,
    PDPlanItem,
    PlanDeadline,
    Review,
    SelfAssessment,
    SelfAssessmentAnswer,
    Submission,
)
from .roster import MAX_ROSTER_ROWS, NewTeacher, row_problems

# A written reflection shorter than this is not yet a reflection.
MIN_REFLECTION_CHARACTERS = 200


class LearningError(ValidationError):
    """The step cannot be taken as asked; the message says why."""


def _now() -> datetime.datetime:
    return timezone.now()


# --- Self-assessment --------------------------------------------------------------------------


def assessable_competences(framework: CompetencyFramework):
    """The items of a self-assessment: competences that are not themselves one level's cell."""
    return (
        Competence.objects.filter(framework=framework, level__isnull=True)
        .select_related("area")
        .order_by("area__position", "position")
    )


@transaction.atomic
def self_assessment_start(*, person, framework: CompetencyFramework) -> SelfAssessment:
    """Open a self-assessment, or return the one the person left unfinished."""
    if not assessable_competences(framework).exists() or framework.levels.count() < 2:
        raise LearningError(
            _("%(framework)s has no competences to assess yourself against.")
            % {"framework": framework.title}
        )
    existing = SelfAssessment.objects.filter(
        person=person, framework=framework, status=SelfAssessment.Status.IN_PROGRESS
    ).first()
    if existing:
        return existing
    assessment = SelfAssessment.objects.create(person=person, framework=framework)
    event_record(actor=person, verb="self_assessment.started", target=assessment)
    return assessment


@transaction.atomic
def self_assessment_answer(
    *, assessment: SelfAssessment, answers: Mapping[str, str], actor
) -> SelfAssessment:
    """Record answers given as ``{competence code: level code}``, in any order and number.

    Answers can be changed until the assessment is completed; nothing is saved if any answer
    is invalid.
    """
    assessment = SelfAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != SelfAssessment.Status.IN_PROGRESS:
        raise LearningError(_("This self-assessment is completed; start a new one to change it."))
    if not answers:
        raise LearningError(_("No answers were given."))
    competences = {c.code: c for c in assessable_competences(assessment.framework)}
    levels = {lv.code: lv for lv in assessment.framework.levels.all()}
    resolved: list[tuple[Competence, ProficiencyLevel]] = []
    for code, level_code in answers.items():
        competence = competences.get(str(code))
        if competence is None:
            raise LearningError(
                _("%(code)s is not a competence of %(framework)s.")
                % {"code": str(code)[:20], "framework": assessment.framework.title}
            )
        level = levels.get(str(level_code))
        if level is None:
            raise LearningError(
                _("%(level)s is not a level of %(framework)s.")
                % {"level": str(level_code)[:20], "framework": assessment.framework.title}
            )
        resolved.append((competence, level))
    for competence, level in resolved:
        SelfAssessmentAnswer.objects.update_or_create(
            assessment=assessment, competence=competence, defaults={"level": level}
        )
    assessment.save(update_fields=["updated_at"])
    return assessment


@transaction.atomic
def self_assessment_complete(*, assessment: SelfAssessment, actor) -> SelfAssessment:
    """Close the self-assessment once every competence has an answer."""
    assessment = SelfAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != SelfAssessment.Status.IN_PROGRESS:
        raise LearningError(_("This self-assessment is already completed."))
    answered = set(assessment.answers.values_list("competence_id", flat=True))
    missing = [c.code for c in assessable_competences(assessment.framework) if c.pk not in answered]
    if missing:
        raise LearningError(
            _("Answer every competence before finishing; still open: %(codes)s.")
            % {"codes": ", ".join(missing)}
        )
    assessment.status = SelfAssessment.Status.COMPLETED
    assessment.completed_at = _now()
    assessment.save(update_fields=["status", "completed_at", "updated_at"])
    event_record(
        actor=actor,
        verb="self_assessment.completed",
        target=assessment,
        details={
            a.competence.code: a.level.code
            for a in assessment.answers.select_related("competence", "level")
        },
    )
    return assessment


# --- PD plan ----------------------------------------------------------------------------------


def plan_deadline(organisation: Organisation, year: int) -> datetime.date:
    """The day a plan for ``year`` is due at ``organisation``: its country's rule, or the
    platform's default."""
    rule = PlanDeadline.objects.filter(country=organisation.country).first()
    if rule:
        month, day = rule.month, rule.day
    else:
        month, day = (int(part) for part in settings.PD_PLAN_DEFAULT_DEADLINE.split("-"))
    try:
        return datetime.date(year, month, day)
    except ValueError:  # 29 February in a common year
        return datetime.date(year, month, day - 1)


def _require_teacher_at(person, organisation: Organisation) -> None:
    if not network_selectors.has_role(person, Role.TEACHER, organisation):
        raise LearningError(
            _("You are not a teacher at %(organisation)s.") % {"organisation": organisation.name}
        )


@transaction.atomic
def pd_plan_create(*, teacher, organisation: Organisation, year: int, actor) -> PDPlan:
    """Start the teacher's plan for ``year`` at their institution (one per year)."""
    _require_teacher_at(teacher, organisation)
    if not 2000 <= year <= 2100:
        raise LearningError(_("Choose a year between 2000 and 2100."))
    if PDPlan.objects.filter(teacher=teacher, organisation=organisation, year=year).exists():
        raise LearningError(_("You already have a plan for %(year)s.") % {"year": year})
    plan = PDPlan.objects.create(
        teacher=teacher,
        organisation=organisation,
        year=year,
        deadline=plan_deadline(organisation, year),
    )
    event_record(actor=actor, verb="pd_plan.created", target=plan, details={"year": year})
    return plan


def _editable_plan(plan: PDPlan) -> PDPlan:
    plan = PDPlan.objects.select_for_update().get(pk=plan.pk)
    if not plan.is_editable:
        raise LearningError(
            _("This plan is %(status)s and cannot be changed.")
            % {"status": plan.get_status_display().lower()}
        )
    return plan


def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise LearningError(_("Planned hours must be a number.")) from None
    if not hours.is_finite() or hours < 0 or hours > 1000:
        raise LearningError(_("Planned hours must be between 0 and 1000."))
    return hours.quantize(Decimal("0.1"))


@transaction.atomic
def pd_plan_set_item(
    *, plan: PDPlan, micro_credential: MicroCredential, planned_hours, note: str = "", actor
) -> PDPlanItem:
    """Add a micro-credential to the plan, or change its planned hours."""
    plan = _editable_plan(plan)
    if not micro_credential.versions.filter(status=SpecificationVersion.Status.PUBLISHED).exists():
        raise LearningError(_("Only micro-credentials in the published catalogue can be planned."))
    item, _created = PDPlanItem.objects.update_or_create(
        plan=plan,
        micro_credential=micro_credential,
        defaults={"planned_hours": _hours(planned_hours), "note": (note or "").strip()[:300]},
    )
    event_record(
        actor=actor,
        verb="pd_plan.item_set",
        target=plan,
        details={"micro_credential": micro_credential.slug, "hours": str(item.planned_hours)},
    )
    return item


@transaction.atomic
def pd_plan_remove_item(*, plan: PDPlan, micro_credential: MicroCredential, actor) -> None:
    plan = _editable_plan(plan)
    deleted, _rows = PDPlanItem.objects.filter(
        plan=plan, micro_credential=micro_credential
    ).delete()
    if not deleted:
        raise LearningError(_("That micro-credential is not in the plan."))
    event_record(
        actor=actor,
        verb="pd_plan.item_removed",
        target=plan,
        details={"micro_credential": micro_credential.slug},
    )


@transaction.atomic
def pd_plan_submit(*, plan: PDPlan, actor, today: datetime.date | None = None) -> PDPlan:
    """Send the plan to the institution. A first submission must meet the deadline; a plan
    returned for changes may come back after it."""
    plan = _editable_plan(plan)
    today = today or timezone.localdate()
    if not plan.items.exists():
        raise LearningError(_("Add at least one micro-credential before submitting the plan."))
    if plan.status == PDPlan.Status.DRAFT and today > plan.deadline:
        raise LearningError(
            _("Plans for %(year)s were due by %(deadline)s; ask your institution to accept it.")
            % {"year": plan.year, "deadline": date_format(plan.deadline, "DATE_FORMAT")}
        )
    plan.status = PDPlan.Status.SUBMITTED
    plan.submitted_at = _now()
    plan.save(update_fields=["status", "submitted_at", "updated_at"])
    event_record(
        actor=actor,
        verb="pd_plan.submitted",
        target=plan,
        details={"hours": str(sum(i.planned_hours for i in plan.items.all()))},
    )
    return plan


def _decide_plan(plan: PDPlan, *, status: str, actor, comment: str, verb: str) -> PDPlan:
    plan = PDPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PDPlan.Status.SUBMITTED:
        raise LearningError(_("Only a submitted plan can be approved or returned."))
    plan.status = status
    plan.decided_at = _now()
    plan.decided_by = actor
    plan.comment = comment
    plan.save(update_fields=["status", "decided_at", "decided_by", "comment", "updated_at"])
    event_record(actor=actor, verb=verb, target=plan, reason=comment)
    transaction.on_commit(lambda: notifications.plan_decided(plan))
    return plan


@transaction.atomic
def pd_plan_approve(*, plan: PDPlan, actor, comment: str = "") -> PDPlan:
    return _decide_plan(
        plan,
        status=PDPlan.Status.APPROVED,
        actor=actor,
        comment=(comment or "").strip(),
        verb="pd_plan.approved",
    )


@transaction.atomic
def pd_plan_return(*, plan: PDPlan, actor, comment: str) -> PDPlan:
    comment = (comment or "").strip()
    if not comment:
        raise LearningError(_("Say what should change when returning a plan."))
    return _decide_plan(
        plan, status=PDPlan.Status.RETURNED, actor=actor, comment=comment, verb="pd_plan.returned"
    )


# --- Enrolment --------------------------------------------------------------------------------


@transaction.atomic
def enrolment_create(
    *, offering: Offering, teacher, actor, today: datetime.date | None = None
) -> Enrolment:
    """Enrol in an offering, or join its waiting list when it is full."""
    offering = Offering.objects.select_for_update().get(pk=offering.pk)
    today = today or timezone.localdate()
    if not network_selectors.has_role(teacher, Role.TEACHER):
        raise LearningError(_("Only teachers of a partner institution can enrol."))
    if offering.status != Offering.Status.OPEN:
        raise LearningError(
            _("This offering is %(status)s.") % {"status": offering.get_status_display().lower()}
        )
    if today > offering.ends_on:
        raise LearningError(_("This offering has ended."))
    enrolment = Enrolment.objects.filter(offering=offering, teacher=teacher).first()
    if enrolment and enrolment.status != Enrolment.Status.WITHDRAWN:
        raise LearningError(
            _("You are already %(status)s.") % {"status": enrolment.get_status_display().lower()}
        )
    taken = offering.enrolments.filter(status=Enrolment.Status.ENROLLED).count()
    now = _now()
    status = Enrolment.Status.ENROLLED if taken < offering.capacity else Enrolment.Status.WAITLISTED
    fields = {
        "status": status,
        "enrolled_at": now if status == Enrolment.Status.ENROLLED else None,
        "waitlisted_at": now if status == Enrolment.Status.WAITLISTED else None,
        "withdrawn_at": None,
    }
    if enrolment is None:
        enrolment = Enrolment.objects.create(offering=offering, teacher=teacher, **fields)
    else:
        for name, value in fields.items():
            setattr(enrolment, name, value)
        enrolment.save()
    event_record(
        actor=actor,
        verb="enrolment.waitlisted"
        if status == Enrolment.Status.WAITLISTED
        else "enrolment.created",
        target=enrolment,
        details={"offering": str(offering.uuid)},
    )
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, enrolment: Enrolment, actor) -> Enrolment:
    """Leave an offering; the first person waiting takes the freed place."""
    Offering.objects.select_for_update().get(pk=enrolment.offering_id)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status not in (Enrolment.Status.ENROLLED, Enrolment.Status.WAITLISTED):
        raise LearningError(
            _("You cannot withdraw: the enrolment is %(status)s.")
            % {"status": enrolment.get_status_display().lower()}
        )
    if enrolment.submissions.filter(
        status__in=[Submission.Status.SUBMITTED, Submission.Status.IN_REVIEW]
    ).exists():
        raise LearningError(_("Your submission is being reviewed; wait for the decision."))
    freed_place = enrolment.status == Enrolment.Status.ENROLLED
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.withdrawn_at = _now()
    enrolment.save(update_fields=["status", "withdrawn_at", "updated_at"])
    enrolment.submissions.filter(status=Submission.Status.DRAFT).delete()
    event_record(actor=actor, verb="enrolment.withdrawn", target=enrolment)
    if freed_place:
        promoted = (
            Enrolment.objects.select_for_update()
            .filter(offering_id=enrolment.offering_id, status=Enrolment.Status.WAITLISTED)
            .order_by("waitlisted_at", "id")
            .first()
        )
        if promoted:
            promoted.status = Enrolment.Status.ENROLLED
            promoted.enrolled_at = _now()
            promoted.save(update_fields=["status", "enrolled_at", "updated_at"])
            event_record(actor=None, verb="enrolment.promoted", target=promoted)
            transaction.on_commit(lambda: notifications.enrolment_promoted(promoted))
    return enrolment


# --- Submission and evidence ------------------------------------------------------------------


def _policy(version: SpecificationVersion) -> AssessmentPolicy:
    policy = AssessmentPolicy.objects.filter(version=version).first()
    return policy or AssessmentPolicy(version=version)


@transaction.atomic
def submission_start(*, enrolment: Enrolment, actor) -> Submission:
    """Open the next attempt. A resubmission starts from the previous attempt's evidence."""
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status != Enrolment.Status.ENROLLED:
        raise LearningError(_("Only an active enrolment can submit evidence."))
    version = enrolment.offering.version
    attempts = list(enrolment.submissions.order_by("attempt"))
    previous = attempts[-1] if attempts else None
    if previous and previous.status in (
        Submission.Status.DRAFT,
        Submission.Status.SUBMITTED,
        Submission.Status.IN_REVIEW,
    ):
        return previous
    if previous and previous.status == Submission.Status.PASSED:
        raise LearningError(_("You have already passed this micro-credential."))
    if len(attempts) >= version.max_attempts or (
        previous and previous.status == Submission.Status.FAILED
    ):
        raise LearningError(
            _("No attempts are left: %(version)s allows %(count)s.")
            % {"version": version.title, "count": version.max_attempts}
        )
    submission = Submission.objects.create(
        enrolment=enrolment,
        teacher=enrolment.teacher,
        version=version,
        attempt=len(attempts) + 1,
        reflection=previous.reflection if previous else "",
    )
    if previous:
        for item in previous.evidence.all():
            EvidenceItem.objects.create(
                submission=submission,
                requirement=item.requirement,
                source=item.source,
                title=item.title,
                file=item.file.name if item.file else "",
                original_name=item.original_name,
                content_type=item.content_type,
                size=item.size,
                sha256=item.sha256,
                url=item.url,
                details=item.details,
            )
    event_record(
        actor=actor,
        verb="submission.started",
        target=submission,
        details={"attempt": len(attempts) + 1},
    )
    return submission


def _editable_submission(submission: Submission) -> Submission:
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if not submission.is_editable:
        raise LearningError(
            _("This submission is %(status)s and can no longer be changed.")
            % {"status": submission.get_status_display().lower()}
        )
    return submission


def _requirement_of(submission: Submission, requirement: EvidenceRequirement, kind: str):
    if requirement.version_id != submission.version_id:
        raise LearningError(_("That evidence requirement belongs to another specification."))
    if requirement.kind != kind:
        raise LearningError(
            _("“%(title)s” asks for %(kind)s.")
            % {"title": requirement.title, "kind": requirement.get_kind_display().lower()}
        )


def _knowledge_answers(version: SpecificationVersion, answers: Mapping) -> dict[str, int]:
    questions = {q.pk: q for q in version.knowledge_questions.prefetch_related("choices")}
    cleaned: dict[str, int] = {}
    for question_id, choice_id in answers.items():
        try:
            question = questions[int(question_id)]
            choice = int(choice_id)
        except (KeyError, TypeError, ValueError):
            raise LearningError(_("An answer names a question of another assessment.")) from None
        if choice not in {c.pk for c in question.choices.all()}:
            raise LearningError(_("An answer is not one of the question's choices."))
        cleaned[str(question.pk)] = choice
    return cleaned


@transaction.atomic
def submission_save_draft(
    *,
    submission: Submission,
    actor,
    reflection: str | None = None,
    knowledge_answers: Mapping | None = None,
) -> Submission:
    """Save the written reflection and knowledge-check answers; nothing is sent yet."""
    submission = _editable_submission(submission)
    fields = ["updated_at"]
    if reflection is not None:
        if len(reflection) > 20000:
            raise LearningError(_("The reflection is longer than 20,000 characters."))
        submission.reflection = reflection.strip()
        fields.append("reflection")
    if knowledge_answers is not None:
        submission.knowledge_answers = _knowledge_answers(submission.version, knowledge_answers)
        fields.append("knowledge_answers")
    submission.save(update_fields=fields)
    return submission


@transaction.atomic
def evidence_add_file(
    *, submission: Submission, requirement: EvidenceRequirement, upload: UploadedFile, actor
) -> EvidenceItem:
    """Attach a file after checking its size and its real type."""
    submission = _editable_submission(submission)
    _requirement_of(submission, requirement, EvidenceRequirement.Kind.FILE)
    if submission.evidence.filter(file__gt="").count() >= 20:
        raise LearningError(_("A submission holds at most 20 files."))
    try:
        inspected = uploads.inspect(upload)
    except uploads.UploadRefused as refused:
        raise LearningError(str(refused)) from None
    original = (upload.name or "").rsplit("/", 1)[-1][:255]
    item = EvidenceItem(
        submission=submission,
        requirement=requirement,
        title=requirement.title,
        original_name=original,
        content_type=inspected.content_type,
        size=inspected.size,
        sha256=inspected.sha256,
    )
    item.file.save(f"{item.uuid}.{inspected.extension}", upload, save=False)
    try:
        item.save()
        event_record(
            actor=actor,
            verb="evidence.file_added",
            target=submission,
            details={
                "evidence": str(item.uuid),
                "type": inspected.content_type,
                "sha256": item.sha256,
            },
        )
    except BaseException:
        # The row is not kept, so neither are its bytes.
        item.file.storage.delete(item.file.name)
        raise
    return item


@transaction.atomic
def evidence_add_link(
    *,
    submission: Submission,
    requirement: EvidenceRequirement,
    url: str,
    actor,
    title: str = "",
) -> EvidenceItem:
    """Attach a link (a video, an LMS page): web addresses only."""
    submission = _editable_submission(submission)
    _requirement_of(submission, requirement, EvidenceRequirement.Kind.LINK)
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise LearningError(_("Give a web address starting with https:// or http://.")) from None
    if len(url) > 1000:
        raise LearningError(_("The link is longer than 1,000 characters."))
    item = EvidenceItem.objects.create(
        submission=submission,
        requirement=requirement,
        title=(title or "").strip()[:255] or requirement.title,
        url=url,
    )
    event_record(
        actor=actor,
        verb="evidence.link_added",
        target=submission,
        details={"evidence": str(item.uuid), "url": url},
    )
    return item


@transaction.atomic
def evidence_remove(*, item: EvidenceItem, actor) -> None:
    submission = _editable_submission(item.submission)
    event_record(
        actor=actor,
        verb="evidence.removed",
        target=submission,
        details={"evidence": str(item.uuid)},
    )
    # The stored file stays: an earlier attempt may point to it, and evidence is kept for audit.
    item.delete()


@transaction.atomic
def evidence_record_from_lms(
    *,
    teacher,
    version: SpecificationVersion,
    url: str,
    title: str,
    source_id: str,
    details: Mapping,
    actor=None,
    requirement: EvidenceRequirement | None = None,
) -> EvidenceItem:
    """Record a completion reported by a partner's learning platform as evidence of the
    teacher's open attempt at ``version``, counting for ``requirement`` when one is named.
    Reporting the same ``source_id`` again updates the item instead of adding another; the
    same result again changes nothing."""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise LearningError(_("The learning platform gave no usable web address.")) from None
    if len(url) > 1000:
        raise LearningError(_("The link is longer than 1,000 characters."))
    if requirement is not None and requirement.version_id != version.pk:
        raise LearningError(_("That evidence requirement belongs to another specification."))
    submission = (
        Submission.objects.select_for_update()
        .filter(teacher=teacher, version=version, status=Submission.Status.DRAFT)
        .first()
    )
    if submission is None:
        raise LearningError(
            _("There is no open submission for %(version)s to attach the result to.")
            % {"version": version.title}
        )
    values = {
        "requirement": requirement,
        "title": title[:255],
        "url": url,
        "details": {**dict(details), "source_id": source_id},
    }
    item = EvidenceItem.objects.filter(
        submission=submission, source=EvidenceItem.Source.LMS, details__source_id=source_id
    ).first()
    if item is not None and all(getattr(item, k) == v for k, v in values.items()):
        return item
    created = item is None
    item = item or EvidenceItem(submission=submission, source=EvidenceItem.Source.LMS)
    for name, value in values.items():
        setattr(item, name, value)
    item.save()
    event_record(
        actor=actor,
        verb="evidence.lms_recorded" if created else "evidence.lms_updated",
        target=submission,
        details={"evidence": str(item.uuid), "source_id": source_id},
    )
    return item


def missing_evidence(submission: Submission) -> list[str]:
    """What the specification asks for that the submission does not hold yet."""
    missing = []
    items = list(submission.evidence.all())
    for requirement in submission.version.evidence_requirements.all():
        if requirement.kind == EvidenceRequirement.Kind.REFLECTION:
            if len(submission.reflection) < MIN_REFLECTION_CHARACTERS:
                missing.append(requirement.title)
        elif not any(i.requirement_id == requirement.pk and (i.file or i.url) for i in items):
            missing.append(requirement.title)
    return missing


def _knowledge_score(submission: Submission) -> int | None:
    questions = list(submission.version.knowledge_questions.prefetch_related("choices"))
    if not questions:
        return None
    correct = 0
    for question in questions:
        chosen = submission.knowledge_answers.get(str(question.pk))
        if any(c.pk == chosen and c.is_correct for c in question.choices.all()):
            correct += 1
    return round(100 * correct / len(questions))


@transaction.atomic
def submission_submit(*, submission: Submission, actor) -> Submission:
    """Send the attempt for review, after checking it holds everything asked for."""
    submission = _editable_submission(submission)
    if submission.enrolment.status != Enrolment.Status.ENROLLED:
        raise LearningError(_("Only an active enrolment can submit evidence."))
    missing = missing_evidence(submission)
    if missing:
        raise LearningError(
            _("Still missing: %(items)s. A reflection needs at least %(count)s characters.")
            % {"items": "; ".join(missing), "count": MIN_REFLECTION_CHARACTERS}
        )
    questions = submission.version.knowledge_questions.count()
    if questions and len(submission.knowledge_answers) < questions:
        raise LearningError(_("Answer every question of the knowledge check."))
    submission.knowledge_score = _knowledge_score(submission)
    submission.status = Submission.Status.SUBMITTED
    submission.submitted_at = _now()
    submission.save(update_fields=["status", "submitted_at", "knowledge_score", "updated_at"])
    event_record(
        actor=actor,
        verb="submission.submitted",
        target=submission,
        details={"attempt": submission.attempt, "knowledge_score": submission.knowledge_score},
    )
    _assign_next(submission, Review.Role.FIRST, actor=actor)
    return submission


# --- Review -----------------------------------------------------------------------------------


def has_conflict_of_interest(assessor, submission: Submission) -> bool:
    """An assessor may not judge their own work, nor (unless the policy allows it) that of a
    teacher of an institution where they hold an active role."""
    if assessor.pk == submission.teacher_id:
        return True
    if _policy(submission.version).allow_same_institution:
        return False
    theirs = set(
        Affiliation.objects.filter(person=submission.teacher, is_active=True).values_list(
            "organisation_id", flat=True
        )
    )
    mine = set(
        Affiliation.objects.filter(person=assessor, is_active=True).values_list(
            "organisation_id", flat=True
        )
    )
    return bool(theirs & mine)


def eligible_assessors(submission: Submission):
    """Assessors who may take the submission, the least busy first."""
    from microcert.accounts.models import User

    already = submission.reviews.values_list("assessor_id", flat=True)
    candidates = (
        User.objects.filter(
            is_active=True,
            affiliations__role=Role.ASSESSOR,
            affiliations__is_active=True,
        )
        .exclude(pk__in=already)
        .exclude(pk=submission.teacher_id)
        .annotate(open_reviews=Count("reviews", filter=Q(reviews__status=Review.Status.ASSIGNED)))
        .distinct()
        .order_by("open_reviews", "id")
    )
    return [a for a in candidates if not has_conflict_of_interest(a, submission)]


def _assign_next(submission: Submission, role: str, *, actor) -> Review | None:
    candidates = eligible_assessors(submission)
    if not candidates:
        # Nobody may take it yet: it waits for a programme manager to assign someone.
        event_record(actor=actor, verb="submission.awaiting_assessor", target=submission)
        return None
    return _assign(submission, candidates[0], role, actor=actor)


def _assign(submission: Submission, assessor, role: str, *, actor) -> Review:
    review = Review.objects.create(submission=submission, assessor=assessor, role=role)
    if submission.status == Submission.Status.SUBMITTED:
        submission.status = Submission.Status.IN_REVIEW
        submission.save(update_fields=["status", "updated_at"])
    event_record(
        actor=actor,
        verb="review.assigned",
        target=submission,
        details={"review": str(review.uuid), "assessor": str(assessor.uuid), "role": role},
    )
    transaction.on_commit(lambda: notifications.review_assigned(review))
    return review


def next_review_role(submission: Submission) -> str | None:
    """The review the submission needs next, from those completed so far (None: none)."""
    done = {r.role: r.decision for r in submission.reviews.filter(status=Review.Status.COMPLETED)}
    if Review.Role.FIRST not in done:
        return Review.Role.FIRST
    if not _policy(submission.version).second_review or Review.Role.MODERATION in done:
        return None
    if Review.Role.SECOND not in done:
        return Review.Role.SECOND
    if done[Review.Role.SECOND] != done[Review.Role.FIRST]:
        return Review.Role.MODERATION
    return None


@transaction.atomic
def review_assign(*, submission: Submission, assessor, actor, role: str | None = None) -> Review:
    """Assign an assessor by hand (a programme manager's choice) to the review the submission
    needs next, replacing whoever holds it now, and keeping every rule. A ``role`` given must
    be that next review."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status not in (Submission.Status.SUBMITTED, Submission.Status.IN_REVIEW):
        raise LearningError(_("Only a submitted attempt can be assigned to an assessor."))
    needed = next_review_role(submission)
    if needed is None:
        raise LearningError(_("This submission needs no further review."))
    if role is not None and role != needed:
        raise LearningError(
            _("This submission needs a %(role)s now.") % {"role": Review.Role(needed).label.lower()}
        )
    role = needed
    if not network_selectors.has_role(assessor, Role.ASSESSOR):
        raise LearningError(_("%(person)s is not an assessor.") % {"person": assessor})
    if has_conflict_of_interest(assessor, submission):
        raise LearningError(
            _("%(person)s has a conflict of interest with this teacher.") % {"person": assessor}
        )
    if submission.reviews.filter(assessor=assessor).exists():
        raise LearningError(
            _("%(person)s has already been assigned to this submission.") % {"person": assessor}
        )
    submission.reviews.filter(role=role, status=Review.Status.ASSIGNED).update(
        status=Review.Status.WITHDRAWN, updated_at=_now()
    )
    try:
        with transaction.atomic():
            return _assign(submission, assessor, role, actor=actor)
    except IntegrityError:
        raise LearningError(_("That review has already been given.")) from None


def _clean_scores(
    submission: Submission, scores: Mapping
) -> list[tuple[RubricCriterion, RubricLevel]]:
    criteria = {c.pk: c for c in submission.version.rubric.prefetch_related("levels")}
    cleaned = {}
    for criterion_id, level_id in scores.items():
        try:
            criterion = criteria[int(criterion_id)]
            level = next(lv for lv in criterion.levels.all() if lv.pk == int(level_id))
        except (KeyError, StopIteration, TypeError, ValueError):
            raise LearningError(
                _("A score names a criterion or level of another rubric.")
            ) from None
        cleaned[criterion.pk] = (criterion, level)
    unscored = [c.title for pk, c in criteria.items() if pk not in cleaned]
    if unscored:
        raise LearningError(
            _("Score every criterion of the rubric; not yet scored: %(criteria)s.")
            % {"criteria": "; ".join(unscored)}
        )
    return list(cleaned.values())


def _weighted_score(scored: list[tuple[RubricCriterion, RubricLevel]]) -> int:
    total = sum(c.weight for c, _level in scored) or 1
    reached = 0.0
    for criterion, level in scored:
        top = max(lv.score for lv in criterion.levels.all()) or 1
        reached += criterion.weight * level.score / top
    return round(100 * reached / total)


@transaction.atomic
def review_complete(
    *,
    review: Review,
    actor,
    scores: Mapping,
    decision: str,
    feedback: str,
    to_fix: str = "",
    comments: Mapping | None = None,
) -> Review:
    """Record an assessor's judgement and move the submission on.

    A pass needs every criterion at a level that meets the standard (and a passed knowledge
    check). The submission row is locked, so a pass sent twice awards once.
    """
    submission = Submission.objects.select_for_update().get(pk=review.submission_id)
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.assessor_id != getattr(actor, "pk", None):
        raise LearningError(_("This review is assigned to someone else."))
    if review.status != Review.Status.ASSIGNED or submission.status != Submission.Status.IN_REVIEW:
        raise LearningError(_("This review has already been completed."))
    if decision not in Review.Decision.values:
        raise LearningError(_("Choose pass, resubmit or fail."))
    feedback = (feedback or "").strip()
    to_fix = (to_fix or "").strip()
    if not feedback:
        raise LearningError(_("Write feedback for the teacher."))
    if decision == Review.Decision.RESUBMIT and not to_fix:
        raise LearningError(_("Say what the teacher should fix before resubmitting."))
    scored = _clean_scores(submission, scores)
    if decision == Review.Decision.PASS:
        below = [c.title for c, level in scored if not level.passing]
        if below:
            raise LearningError(
                _("A pass needs every criterion to meet the standard; below it: %(criteria)s.")
                % {"criteria": "; ".join(below)}
            )
        mark = _policy(submission.version).knowledge_check_pass_mark
        if submission.knowledge_score is not None and submission.knowledge_score < mark:
            raise LearningError(
                _("The knowledge check scored %(score)s%%, below the pass mark of %(mark)s%%.")
                % {"score": submission.knowledge_score, "mark": mark}
            )
    comments = comments or {}
    for criterion, level in scored:
        CriterionScore.objects.create(
            review=review,
            criterion=criterion,
            level=level,
            comment=str(comments.get(str(criterion.pk), comments.get(criterion.pk, "")))[:5000],
        )
    review.status = Review.Status.COMPLETED
    review.decision = decision
    review.feedback = feedback[:20000]
    review.to_fix = to_fix[:20000]
    review.score = _weighted_score(scored)
    review.completed_at = _now()
    review.save()
    event_record(
        actor=actor,
        verb="review.completed",
        target=submission,
        details={
            "review": str(review.uuid),
            "role": review.role,
            "decision": decision,
            "score": review.score,
        },
    )
    _after_review(submission, review, actor=actor)
    return review


def _after_review(submission: Submission, review: Review, *, actor) -> None:
    policy = _policy(submission.version)
    if review.role == Review.Role.FIRST and policy.second_review:
        _assign_next(submission, Review.Role.SECOND, actor=actor)
        return
    if review.role == Review.Role.SECOND:
        first = submission.reviews.get(role=Review.Role.FIRST, status=Review.Status.COMPLETED)
        if first.decision != review.decision:
            _assign_next(submission, Review.Role.MODERATION, actor=actor)
            return
    _finalise(submission, review.decision, actor=actor)


def _finalise(submission: Submission, decision: str, *, actor) -> None:
    submission.decided_at = _now()
    if decision == Review.Decision.PASS:
        submission.status = Submission.Status.PASSED
        submission.credential = _award(submission, actor=actor)
        Enrolment.objects.filter(pk=submission.enrolment_id).update(
            status=Enrolment.Status.COMPLETED, updated_at=_now()
        )
    elif (
        decision == Review.Decision.RESUBMIT
        and submission.attempt < submission.version.max_attempts
    ):
        submission.status = Submission.Status.RESUBMIT
    else:
        submission.status = Submission.Status.FAILED
    submission.save(update_fields=["status", "decided_at", "credential", "updated_at"])
    event_record(
        actor=actor,
        verb=f"submission.{submission.status}",
        target=submission,
        details={"attempt": submission.attempt, "decision": decision},
    )
    transaction.on_commit(lambda: notifications.submission_decided(submission))


def _awarding_issuer(submission: Submission, actor):
    host = submission.enrolment.offering.host
    if submission.version.awarding_bodies.filter(pk=host.pk).exists():
        organisation = host
    else:
        organisation = network_selectors.programme_owner() or host
    return credential_services.issuer_ensure(organisation=organisation, actor=actor)


def _evidence_summary(submission: Submission) -> list[Evidence]:
    reviews = submission.reviews.filter(status=Review.Status.COMPLETED).prefetch_related(
        "scores__criterion", "scores__level"
    )
    final = list(reviews)[-1]
    lines = [f"{s.criterion.title}: {s.level.label}" for s in final.scores.all()]
    if submission.knowledge_score is not None:
        lines.append(_("Knowledge check: %(score)s%%") % {"score": submission.knowledge_score})
    summary = Evidence(
        url=f"urn:uuid:{submission.uuid}",
        name=_("Assessment against the public rubric (attempt %(attempt)s)")
        % {"attempt": submission.attempt},
        narrative="; ".join(lines),
        genre="Assessment",
    )
    items = [
        Evidence(
            url=f"urn:uuid:{item.uuid}",
            name=item.title or item.original_name or item.url,
            narrative=item.requirement.get_kind_display() if item.requirement else "",
            genre="LMS" if item.source == EvidenceItem.Source.LMS else "Portfolio",
        )
        for item in submission.evidence.select_related("requirement")
    ]
    return [summary, *items]


def _award(submission: Submission, *, actor) -> IssuedCredential:
    """Issue the credential once: the idempotency key is the submission itself. The
    recognitions in force today travel inside it as the authorities' signed endorsements."""
    from microcert.recognition import selectors as recognition_selectors

    version = submission.version
    results = {
        alignment.competence_id: alignment.target_level
        for alignment in version.alignments.select_related("target_level")
    }
    # The evidence is written in the language the teacher reads, like the credential itself.
    with translation.override(submission.teacher.preferred_language or "en"):
        evidence = _evidence_summary(submission)
    return credential_services.credential_issue(
        issuer=_awarding_issuer(submission, actor),
        recipient=submission.teacher,
        version=version,
        actor=actor,
        results=results,
        evidence=evidence,
        idempotency_key=f"submission:{submission.uuid}",
        endorsements=recognition_selectors.endorsements_in_force(version, on=timezone.localdate()),
    )


# --- An institution's teachers ----------------------------------------------------------------


@dataclass(frozen=True)
class TeachersAdded:
    created: list[User]
    attached: list[User]
    already: list[User]


@transaction.atomic
def teachers_add(
    *, organisation: Organisation, people: Sequence[NewTeacher], actor
) -> TeachersAdded:
    """Make each person a teacher of ``organisation``: a new account, invited by mail to
    choose a password, or the existing person with that e-mail address. All or nothing: one
    bad row refuses the whole list, naming each problem by its row."""
    if organisation.kind != Organisation.Kind.HEI:
        raise LearningError(_("Teachers are added to higher-education institutions."))
    if not people:
        raise LearningError(_("Name at least one person."))
    if len(people) > MAX_ROSTER_ROWS:
        raise LearningError(_("At most %(count)s people at once.") % {"count": MAX_ROSTER_ROWS})
    problems: list[str] = []
    seen: set[str] = set()
    for number, row in enumerate(people, start=1):
        found = row_problems(row)
        email = row.email.strip().lower()
        if email in seen:
            found.append(_("“%(email)s” is listed twice.") % {"email": email})
        seen.add(email)
        problems += [
            _("Row %(number)s: %(problem)s") % {"number": number, "problem": p} for p in found
        ]
    if problems:
        raise LearningError(problems[:50])
    created: list[User] = []
    attached: list[User] = []
    already: list[User] = []
    for row in people:
        email = row.email.strip().lower()
        person = (
            User.objects.filter(emailaddress__email__iexact=email).first()
            or User.objects.filter(email__iexact=email).first()
        )
        if person is None:
            # The admin vouches for the address, and only its owner can use the link it gets.
            person = account_services.user_create(
                email=email,
                legal_name=row.legal_name.strip(),
                preferred_language=row.language,
                email_verified=True,
                actor=actor,
            )
            created.append(person)
        elif Affiliation.objects.filter(
            person=person, organisation=organisation, role=Role.TEACHER, is_active=True
        ).exists():
            already.append(person)
            continue
        else:
            attached.append(person)
        network_services.affiliation_grant(
            person=person, organisation=organisation, role=Role.TEACHER, actor=actor
        )
    event_record(
        actor=actor,
        verb="teachers.added",
        target=organisation,
        details={"created": len(created), "attached": len(attached), "already": len(already)},
    )
    for person in created:
        transaction.on_commit(
            lambda person=person: notifications.teacher_invited(person, organisation)
        )
    for person in attached:
        transaction.on_commit(
            lambda person=person: notifications.teacher_added(person, organisation)
        )
    return TeachersAdded(created=created, attached=attached, already=already)
