"""National recognition: authorities, their schemes, inclusion decisions and the PD ledger.

A scheme counts professional development in one unit (clock hours, 45-minute lessons, ...)
and requires an amount per period. An authority includes a micro-credential (a specification
version) in a scheme with an equivalence; each change of mind is a new decision that
supersedes the previous one. The ledger is derived data: one row per (scheme, credential)
that counts, recomputed whenever a credential, a decision or a person changes.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from microcert.catalog.models import SpecificationVersion
from microcert.core.models import PublicIdModel
from microcert.credentials.models import IssuedCredential
from microcert.network.models import Organisation


class Unit(models.TextChoices):
    CLOCK_HOUR = "hour", _("clock hour")
    LESSON_45 = "lesson45", _("lesson of 45 minutes (tiết)")
    STANDARD_HOUR_50 = "standard50", _("standard hour of 50 minutes")
    ECTS = "ects", _("ECTS credit")
    CEU = "ceu", _("continuing education unit (CEU)")
    CPD_UNIT = "cpd_unit", _("CPD unit")


class StaffCategory(models.TextChoices):
    SCHOOL_TEACHER = "school_teacher", _("School teachers")
    UNIVERSITY_LECTURER = "university_lecturer", _("University lecturers")


class Authority(PublicIdModel):
    """An education authority (a ministry) that recognises professional development."""

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="authority",
    )

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")

    def __str__(self) -> str:
        return str(self.organisation)


class RecognitionScheme(PublicIdModel):
    authority = models.ForeignKey(
        Authority, verbose_name=_("authority"), on_delete=models.PROTECT, related_name="schemes"
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    country = CountryField(_("country"))
    staff_categories = models.JSONField(_("staff categories"), default=list)
    unit = models.CharField(_("unit"), max_length=12, choices=Unit.choices)
    requirement = models.DecimalField(
        _("required per period"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    period_years = models.PositiveSmallIntegerField(
        _("period (years)"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    # The first period starts on this date; later ones follow every ``period_years``.
    periods_start_on = models.DateField(_("first period starts on"))
    hours_per_ects = models.DecimalField(
        _("hours per ECTS credit"), max_digits=5, decimal_places=2, default=Decimal("25")
    )
    hours_per_cpd_unit = models.DecimalField(
        _("hours per CPD unit"), max_digits=5, decimal_places=2, default=Decimal("1")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["country", "slug"]
        verbose_name = _("recognition scheme")
        verbose_name_plural = _("recognition schemes")
        constraints = [
            models.CheckConstraint(
                condition=Q(requirement__gte=0), name="recognition_requirement_positive"
            ),
            models.CheckConstraint(
                condition=Q(hours_per_ects__gt=0, hours_per_cpd_unit__gt=0),
                name="recognition_conversions_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class InclusionApplication(PublicIdModel):
    """A request that a scheme count a micro-credential, and its state."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    scheme = models.ForeignKey(
        RecognitionScheme,
        verbose_name=_("scheme"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    version = models.ForeignKey(
        SpecificationVersion,
        verbose_name=_("specification version"),
        on_delete=models.PROTECT,
        related_name="inclusion_applications",
    )
    applicant = models.ForeignKey(
        Organisation,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="inclusion_applications",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    motivation = models.TextField(_("motivation"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("inclusion application")
        verbose_name_plural = _("inclusion applications")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "version"],
                condition=~Q(status__in=["withdrawn", "rejected"]),
                name="recognition_one_live_application",
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} → {self.scheme}"


class InclusionDecision(PublicIdModel):
    """One decision on an application. Decisions are never edited: a change is a new decision
    with the next number, and the latest one is in force."""

    class Outcome(models.TextChoices):
        APPROVE = "approve", _("Approve")
        REQUEST_CHANGES = "request_changes", _("Ask for changes")
        REJECT = "reject", _("Reject")

    application = models.ForeignKey(
        InclusionApplication, on_delete=models.PROTECT, related_name="decisions"
    )
    number = models.PositiveSmallIntegerField(_("decision number"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    equivalence = models.DecimalField(
        _("recognised per credential"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("In the scheme's unit, e.g. 8 lessons."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    reasons = models.TextField(_("reasons"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"))
    # The Open Badges 3.0 EndorsementCredential the authority signed for an approval.
    endorsement = models.JSONField(_("endorsement credential"), null=True, blank=True)

    class Meta:
        ordering = ["application", "-number"]
        verbose_name = _("inclusion decision")
        verbose_name_plural = _("inclusion decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "number"], name="recognition_decision_number"
            ),
            models.CheckConstraint(
                condition=~Q(outcome="approve") | Q(equivalence__gt=0, valid_from__isnull=False),
                name="recognition_approval_has_terms",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="recognition_decision_window",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} #{self.number} {self.outcome}"


class LedgerEntry(models.Model):
    """What one credential counts for one person under one scheme (derived, recomputable).

    The grouping fields are copied in so national reports over millions of rows need no joins.
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ledger_entries"
    )
    scheme = models.ForeignKey(
        RecognitionScheme, on_delete=models.CASCADE, related_name="ledger_entries"
    )
    credential = models.ForeignKey(
        IssuedCredential, on_delete=models.CASCADE, related_name="ledger_entries"
    )
    decision = models.ForeignKey(
        InclusionDecision, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    awarded_on = models.DateField(_("awarded on"))
    period_start = models.DateField(_("period starts"))
    amount = models.DecimalField(_("recognised"), max_digits=8, decimal_places=2)
    hours = models.DecimalField(_("clock hours"), max_digits=8, decimal_places=2)
    organisation = models.ForeignKey(
        Organisation, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    province = models.CharField(_("region or province"), max_length=120, blank=True)
    staff_category = models.CharField(
        _("staff category"), max_length=24, choices=StaffCategory.choices
    )
    area = models.CharField(_("competence area"), max_length=40, blank=True)
    level = models.CharField(_("proficiency level"), max_length=20, blank=True)

    class Meta:
        ordering = ["period_start", "awarded_on"]
        verbose_name = _("PD ledger entry")
        verbose_name_plural = _("PD ledger entries")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "credential"], name="recognition_ledger_once")
        ]
        indexes = [
            models.Index(fields=["scheme", "period_start", "organisation"]),
            models.Index(fields=["person", "scheme", "period_start"]),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.scheme_id} {self.amount}"
