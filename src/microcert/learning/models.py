"""The teacher's journey: self-assessment, PD plan, enrolment, evidence, review and award.

Rows hold data and the invariants of one row; the workflows live in ``services.py``.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from microcert.catalog.models import (
    EvidenceRequirement,
    MicroCredential,
    Offering,
    RubricCriterion,
    RubricLevel,
    SpecificationVersion,
)
from microcert.core.models import PublicIdModel, TimeStampedModel
from microcert.credentials.models import IssuedCredential
from microcert.frameworks.models import Competence, CompetencyFramework, ProficiencyLevel
from microcert.network.models import Organisation

# --- Self-assessment --------------------------------------------------------------------------


class SelfAssessment(PublicIdModel):
    """One sitting of a self-assessment against a framework: one answer per competence."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="self_assessments",
    )
    framework = models.ForeignKey(
        CompetencyFramework,
        verbose_name=_("framework"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.IN_PROGRESS
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "framework"],
                condition=Q(status="in_progress"),
                name="learning_one_open_self_assessment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.framework.slug} · {self.created_at:%Y-%m-%d}"


class SelfAssessmentAnswer(TimeStampedModel):
    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="answers")
    competence = models.ForeignKey(
        Competence, verbose_name=_("competence"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.ForeignKey(
        ProficiencyLevel, verbose_name=_("level"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["competence__area__position", "competence__position"]
        verbose_name = _("self-assessment answer")
        verbose_name_plural = _("self-assessment answers")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "competence"], name="learning_one_answer_per_competence"
            )
        ]

    def __str__(self) -> str:
        return f"{self.competence.code}: {self.level.code}"


# --- PD plan ----------------------------------------------------------------------------------


class PlanDeadline(models.Model):
    """The day of the year by which teachers of a country submit their PD plan."""

    country = CountryField(_("country"), unique=True)
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    day = models.PositiveSmallIntegerField(
        _("day"), validators=[MinValueValidator(1), MaxValueValidator(31)]
    )

    class Meta:
        ordering = ["country"]
        verbose_name = _("PD plan deadline")
        verbose_name_plural = _("PD plan deadlines")

    def __str__(self) -> str:
        return f"{self.country.code}: {self.day:02d}/{self.month:02d}"


class PDPlan(PublicIdModel):
    """A teacher's professional-development plan for one year, approved by their institution."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for approval")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned for changes")

    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        on_delete=models.CASCADE,
        related_name="pd_plans",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="pd_plans",
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    deadline = models.DateField(_("submit by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("PD plan")
        verbose_name_plural = _("PD plans")
        constraints = [
            models.UniqueConstraint(
                fields=["teacher", "organisation", "year"], name="learning_one_plan_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.teacher} · {self.year}"

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class PDPlanItem(TimeStampedModel):
    plan = models.ForeignKey(PDPlan, on_delete=models.CASCADE, related_name="items")
    micro_credential = models.ForeignKey(
        MicroCredential,
        verbose_name=_("micro-credential"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    planned_hours = models.DecimalField(
        _("planned hours"),
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(0)],
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("planned micro-credential")
        verbose_name_plural = _("planned micro-credentials")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "micro_credential"], name="learning_plan_item_once"
            ),
            models.CheckConstraint(
                condition=Q(planned_hours__gte=0), name="learning_plan_hours_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.micro_credential} · {self.planned_hours} h"


# --- Enrolment --------------------------------------------------------------------------------


class Enrolment(PublicIdModel):
    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        WAITLISTED = "waitlisted", _("On the waiting list")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        COMPLETED = "completed", _("Completed")

    offering = models.ForeignKey(
        Offering, verbose_name=_("offering"), on_delete=models.PROTECT, related_name="enrolments"
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        on_delete=models.CASCADE,
        related_name="enrolments",
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    # Order on the waiting list: the time the person joined it.
    waitlisted_at = models.DateTimeField(_("on the waiting list since"), null=True, blank=True)
    enrolled_at = models.DateTimeField(_("enrolled at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["offering", "teacher"], name="learning_enrol_once")
        ]

    def __str__(self) -> str:
        return f"{self.teacher} · {self.offering}"


# --- Assessment -------------------------------------------------------------------------------


class AssessmentPolicy(models.Model):
    """How a specification version is assessed, beyond its rubric."""

    version = models.OneToOneField(
        SpecificationVersion,
        verbose_name=_("specification version"),
        on_delete=models.CASCADE,
        related_name="assessment_policy",
    )
    second_review = models.BooleanField(
        _("second blind review"),
        default=False,
        help_text=_("Two assessors review independently; a moderator decides if they disagree."),
    )
    allow_same_institution = models.BooleanField(
        _("assessors may review teachers of their own institution"), default=False
    )
    knowledge_check_pass_mark = models.PositiveSmallIntegerField(
        _("knowledge check pass mark (%)"),
        default=70,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("assessment policy")
        verbose_name_plural = _("assessment policies")

    def __str__(self) -> str:
        return str(self.version)


class KnowledgeQuestion(models.Model):
    """A multiple-choice question of a specification's auto-graded knowledge check."""

    version = models.ForeignKey(
        SpecificationVersion, on_delete=models.CASCADE, related_name="knowledge_questions"
    )
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(_("question"))

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("knowledge-check question")
        verbose_name_plural = _("knowledge-check questions")

    def __str__(self) -> str:
        return self.text[:80]


class KnowledgeChoice(models.Model):
    question = models.ForeignKey(
        KnowledgeQuestion, on_delete=models.CASCADE, related_name="choices"
    )
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("answer"), max_length=500)
    is_correct = models.BooleanField(_("correct"), default=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("answer choice")
        verbose_name_plural = _("answer choices")

    def __str__(self) -> str:
        return self.text[:80]


class Submission(PublicIdModel):
    """One attempt at the assessment of a specification: evidence, reflection, reviews."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Waiting for an assessor")
        IN_REVIEW = "in_review", _("In review")
        RESUBMIT = "resubmit", _("Resubmission requested")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Not passed")

    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.PROTECT, related_name="submissions"
    )
    # Denormalised from the enrolment so queues and permission checks need no joins.
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        on_delete=models.CASCADE,
        related_name="submissions",
    )
    version = models.ForeignKey(
        SpecificationVersion,
        verbose_name=_("specification version"),
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    attempt = models.PositiveSmallIntegerField(_("attempt"), validators=[MinValueValidator(1)])
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    reflection = models.TextField(_("written reflection"), blank=True)
    knowledge_answers = models.JSONField(_("knowledge-check answers"), default=dict, blank=True)
    knowledge_score = models.PositiveSmallIntegerField(
        _("knowledge-check score (%)"), null=True, blank=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    credential = models.OneToOneField(
        IssuedCredential,
        verbose_name=_("credential"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submission",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "attempt"], name="learning_attempt_once"),
            # At most one attempt of an enrolment is open at a time.
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(status__in=["draft", "submitted", "in_review"]),
                name="learning_one_open_attempt",
            ),
            # A pass awards the credential: an enrolment passes once, whatever races.
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(status="passed"),
                name="learning_one_pass_per_enrolment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.teacher} · {self.version} · #{self.attempt}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


def _evidence_path(item: "EvidenceItem", filename: str) -> str:
    # Never the uploaded name: it may carry anything. The original is kept in a field.
    return f"evidence/{item.submission.uuid}/{item.uuid}"


class EvidenceItem(PublicIdModel):
    class Source(models.TextChoices):
        TEACHER = "teacher", _("Submitted by the teacher")
        LMS = "lms", _("Reported by a learning platform")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="evidence")
    requirement = models.ForeignKey(
        EvidenceRequirement,
        verbose_name=_("requirement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.TEACHER
    )
    title = models.CharField(_("title"), max_length=255, blank=True)
    file = models.FileField(_("file"), upload_to=_evidence_path, blank=True, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("type"), max_length=120, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["requirement__position", "created_at"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.title or self.original_name or self.url


class Review(PublicIdModel):
    """An assessor's assignment to a submission and, once done, their judgement."""

    class Role(models.TextChoices):
        FIRST = "first", _("Review")
        SECOND = "second", _("Second blind review")
        MODERATION = "moderation", _("Moderation")

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Decision(models.TextChoices):
        PASS = "pass", _("Pass")
        RESUBMIT = "resubmit", _("Resubmit")
        FAIL = "fail", _("Fail")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="reviews")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessor"),
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.FIRST)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ASSIGNED
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    feedback = models.TextField(_("feedback"), blank=True)
    to_fix = models.TextField(_("what to fix"), blank=True)
    score = models.PositiveSmallIntegerField(_("weighted score (%)"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "assessor"], name="learning_review_once_per_assessor"
            ),
            models.UniqueConstraint(
                fields=["submission", "role"],
                condition=~Q(status="withdrawn"),
                name="learning_one_review_per_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} · {self.submission}"


class CriterionScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        RubricCriterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.ForeignKey(
        RubricLevel, verbose_name=_("level"), on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["criterion__position"]
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="learning_score_once")
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.level.score}"
