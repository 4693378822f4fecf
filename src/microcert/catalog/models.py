"""What can be earned: micro-credential specifications (versioned), pathways and offerings.

A specification version holds the EU standard elements of a micro-credential (Council
Recommendation 2022/C 243/02, Annex I) as fields. Two of the eleven mandatory elements belong to
each issued credential rather than to the specification: the identification of the learner and
the date of issue; they are filled in when a credential is issued.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from microcert.core.models import PublicIdModel
from microcert.frameworks.models import Competence, ProficiencyLevel
from microcert.network.models import Organisation


class AchievementKind(models.TextChoices):
    MICRO_CREDENTIAL = "micro_credential", _("Micro-credential")
    CERTIFICATE = "certificate", _("Certificate (stacked)")


class AssessmentType(models.TextChoices):
    EVIDENCE_PORTFOLIO = "evidence_portfolio", _("Portfolio of evidence from teaching practice")
    PRACTICAL_DEMONSTRATION = "practical_demonstration", _("Practical demonstration")
    WRITTEN_TEST = "written_test", _("Written test")
    ORAL_EXAMINATION = "oral_examination", _("Oral examination")
    MIXED = "mixed", _("Mixed assessment")


class ParticipationForm(models.TextChoices):
    ONLINE = "online", _("Online")
    ONSITE = "onsite", _("On-site")
    BLENDED = "blended", _("Blended")


class QualityAssurance(models.TextChoices):
    INTERNAL = "internal", _("Internal quality assurance")
    EXTERNAL = "external", _("External quality assurance")
    INTERNAL_AND_EXTERNAL = "internal_and_external", _("Internal and external quality assurance")


class Supervision(models.TextChoices):
    UNSUPERVISED_NO_ID = "unsupervised_no_id", _("Unsupervised, no identity verification")
    SUPERVISED_NO_ID = "supervised_no_id", _("Supervised, no identity verification")
    SUPERVISED_WITH_ID = "supervised_with_id", _("Supervised with identity verification")


class Grading(models.TextChoices):
    PASS_FAIL = "pass_fail", _("Pass or fail")
    PROFICIENCY_LEVEL = "proficiency_level", _("Proficiency level achieved")


class Stackability(models.TextChoices):
    STANDALONE = "standalone", _("Stand-alone")
    STACKABLE = "stackable", _("Stackable towards a larger credential")


class MicroCredential(PublicIdModel):
    """The lasting identity of a micro-credential across all its versions."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=AchievementKind.choices,
        default=AchievementKind.MICRO_CREDENTIAL,
    )

    class Meta:
        ordering = ["slug"]
        verbose_name = _("micro-credential")
        verbose_name_plural = _("micro-credentials")

    def __str__(self) -> str:
        return self.slug


class SpecificationVersion(PublicIdModel):
    """One version of a micro-credential's specification. Published versions never change:
    an edit makes a new draft version, and issued credentials pin the version they used."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    micro_credential = models.ForeignKey(
        MicroCredential,
        verbose_name=_("micro-credential"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    # EU standard elements (mandatory)
    title = models.CharField(_("title"), max_length=255)
    issuer_country = CountryField(_("country of the issuer"))
    issuer_region = models.CharField(_("region of the issuer"), max_length=120, blank=True)
    awarding_bodies = models.ManyToManyField(
        Organisation,
        through="AwardingBody",
        verbose_name=_("awarding bodies"),
        related_name="awarded_specifications",
    )
    workload_hours = models.DecimalField(
        _("notional workload (hours)"),
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(1)],
    )
    ects = models.DecimalField(
        _("ECTS credits"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    eqf_level = models.PositiveSmallIntegerField(
        _("EQF level"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(8)],
    )
    assessment_type = models.CharField(
        _("type of assessment"), max_length=30, choices=AssessmentType.choices
    )
    participation_form = models.CharField(
        _("form of participation"), max_length=10, choices=ParticipationForm.choices
    )
    quality_assurance = models.CharField(
        _("type of quality assurance"), max_length=30, choices=QualityAssurance.choices
    )
    quality_assurance_description = models.TextField(_("quality assurance"), blank=True)

    # EU standard elements (optional)
    prerequisites = models.TextField(_("prerequisites"), blank=True)
    supervision = models.CharField(
        _("supervision and identity verification"),
        max_length=30,
        choices=Supervision.choices,
        default=Supervision.UNSUPERVISED_NO_ID,
    )
    grading = models.CharField(
        _("grade"), max_length=20, choices=Grading.choices, default=Grading.PASS_FAIL
    )
    stackability = models.CharField(
        _("integration and stackability"),
        max_length=12,
        choices=Stackability.choices,
        default=Stackability.STACKABLE,
    )
    further_information = models.TextField(_("further information"), blank=True)

    # Presentation and rules of the programme
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    max_attempts = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=3, validators=[MinValueValidator(1)]
    )
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        null=True,
        blank=True,
        help_text=_("Empty: the credential does not expire."),
    )

    class Meta:
        ordering = ["micro_credential", "-number"]
        verbose_name = _("specification version")
        verbose_name_plural = _("specification versions")
        constraints = [
            models.UniqueConstraint(
                fields=["micro_credential", "number"], name="catalog_version_number"
            ),
            models.UniqueConstraint(
                fields=["micro_credential"],
                condition=Q(status="published"),
                name="catalog_one_published_version",
            ),
            models.UniqueConstraint(
                fields=["micro_credential"],
                condition=Q(status="draft"),
                name="catalog_one_draft_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def ects_display(self):
        """ECTS without trailing zeros (1, 0.8, 1.25)."""
        return self.ects.normalize() if self.ects is not None else None


class AwardingBody(models.Model):
    version = models.ForeignKey(SpecificationVersion, on_delete=models.CASCADE)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("awarding body")
        verbose_name_plural = _("awarding bodies")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "organisation"], name="catalog_awarding_body"
            )
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class LearningOutcome(models.Model):
    version = models.ForeignKey(
        SpecificationVersion, on_delete=models.CASCADE, related_name="outcomes"
    )
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(_("learning outcome"))

    class Meta:
        ordering = ["position"]
        verbose_name = _("learning outcome")
        verbose_name_plural = _("learning outcomes")

    def __str__(self) -> str:
        return self.text[:80]


class CompetenceAlignment(models.Model):
    """The competence a specification develops, and the proficiency level it certifies."""

    version = models.ForeignKey(
        SpecificationVersion, on_delete=models.CASCADE, related_name="alignments"
    )
    competence = models.ForeignKey(
        Competence, verbose_name=_("competence"), on_delete=models.PROTECT, related_name="+"
    )
    target_level = models.ForeignKey(
        ProficiencyLevel,
        verbose_name=_("target level"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("competence alignment")
        verbose_name_plural = _("competence alignments")
        constraints = [
            models.UniqueConstraint(fields=["version", "competence"], name="catalog_alignment")
        ]

    def __str__(self) -> str:
        return f"{self.competence.code} @ {self.target_level.code}"


class EvidenceRequirement(models.Model):
    class Kind(models.TextChoices):
        FILE = "file", _("File")
        LINK = "link", _("Link")
        REFLECTION = "reflection", _("Written reflection")

    version = models.ForeignKey(
        SpecificationVersion, on_delete=models.CASCADE, related_name="evidence_requirements"
    )
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["position"]
        verbose_name = _("evidence requirement")
        verbose_name_plural = _("evidence requirements")

    def __str__(self) -> str:
        return self.title


class RubricCriterion(models.Model):
    """One row of the public rubric; assessors score each criterion on its levels."""

    version = models.ForeignKey(
        SpecificationVersion, on_delete=models.CASCADE, related_name="rubric"
    )
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("criterion"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)

    class Meta:
        ordering = ["position"]
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")

    def __str__(self) -> str:
        return self.title


class RubricLevel(models.Model):
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.CASCADE, related_name="levels")
    position = models.PositiveSmallIntegerField(default=0)
    score = models.PositiveSmallIntegerField(_("score"))
    label = models.CharField(_("label"), max_length=120)
    descriptor = models.TextField(_("descriptor"), blank=True)
    passing = models.BooleanField(_("meets the standard"), default=False)

    class Meta:
        ordering = ["position"]
        verbose_name = _("rubric level")
        verbose_name_plural = _("rubric levels")
        constraints = [
            models.UniqueConstraint(fields=["criterion", "score"], name="catalog_rubric_score")
        ]

    def __str__(self) -> str:
        return f"{self.score} {self.label}"


class Pathway(PublicIdModel):
    """N-of-M stacking: holding ``required_count`` of the member micro-credentials earns the
    certificate."""

    class RevocationPolicy(models.TextChoices):
        FLAG = "flag", _("Flag the certificate for review")
        REVOKE = "revoke", _("Revoke the certificate")

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    required_count = models.PositiveSmallIntegerField(
        _("micro-credentials required"), validators=[MinValueValidator(1)]
    )
    members = models.ManyToManyField(
        MicroCredential,
        through="PathwayMember",
        verbose_name=_("micro-credentials"),
        related_name="pathways",
    )
    certificate = models.OneToOneField(
        MicroCredential,
        verbose_name=_("certificate"),
        on_delete=models.PROTECT,
        related_name="certificate_of",
    )
    revocation_policy = models.CharField(
        _("when a part is revoked"),
        max_length=10,
        choices=RevocationPolicy.choices,
        default=RevocationPolicy.FLAG,
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("pathway")
        verbose_name_plural = _("pathways")

    def __str__(self) -> str:
        return self.title


class PathwayMember(models.Model):
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE)
    micro_credential = models.ForeignKey(MicroCredential, on_delete=models.PROTECT)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["pathway", "micro_credential"], name="catalog_pathway_member"
            )
        ]

    def __str__(self) -> str:
        return str(self.micro_credential)


class Offering(PublicIdModel):
    """A run of a micro-credential: dates, language, mode and capacity."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open for enrolment")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    version = models.ForeignKey(
        SpecificationVersion,
        verbose_name=_("specification version"),
        on_delete=models.PROTECT,
        related_name="offerings",
    )
    host = models.ForeignKey(
        Organisation, verbose_name=_("host"), on_delete=models.PROTECT, related_name="offerings"
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    mode = models.CharField(_("mode"), max_length=10, choices=ParticipationForm.choices)
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("offering")
        verbose_name_plural = _("offerings")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="catalog_offering_dates"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="catalog_offering_capacity"),
        ]

    def __str__(self) -> str:
        return f"{self.version.title} · {self.starts_on:%Y-%m-%d} · {self.language}"
