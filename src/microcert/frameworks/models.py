"""Competency frameworks: framework → areas → competences, proficiency levels, descriptors.

Every item carries a stable UUID and URI; credentials align to these URIs and CASE packages
use them as identifiers.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from microcert.core.models import TimeStampedModel


class FrameworkItem(TimeStampedModel):
    """Identity shared by all framework items: set on creation, never changed."""

    uuid = models.UUIDField(_("UUID"), unique=True, editable=False)
    uri = models.URLField(_("URI"), max_length=500, unique=True, editable=False)

    class Meta:
        abstract = True


class CompetencyFramework(FrameworkItem):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    slug = models.SlugField(_("slug"), max_length=80)
    version = models.CharField(_("version"), max_length=40)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    publisher = models.CharField(_("publisher"), max_length=255, blank=True)
    official_source_url = models.URLField(_("official source"), max_length=500, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PUBLISHED
    )

    class Meta:
        ordering = ["slug", "-version"]
        verbose_name = _("competency framework")
        verbose_name_plural = _("competency frameworks")
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="frameworks_slug_version")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"


class ProficiencyLevel(FrameworkItem):
    framework = models.ForeignKey(
        CompetencyFramework,
        verbose_name=_("framework"),
        on_delete=models.CASCADE,
        related_name="levels",
    )
    code = models.CharField(_("code"), max_length=20)
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["framework", "position"]
        verbose_name = _("proficiency level")
        verbose_name_plural = _("proficiency levels")
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="frameworks_level_code"),
            models.UniqueConstraint(fields=["framework", "position"], name="frameworks_level_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Area(FrameworkItem):
    framework = models.ForeignKey(
        CompetencyFramework,
        verbose_name=_("framework"),
        on_delete=models.CASCADE,
        related_name="areas",
    )
    code = models.CharField(_("code"), max_length=20)
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["framework", "position"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="frameworks_area_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Competence(FrameworkItem):
    framework = models.ForeignKey(
        CompetencyFramework,
        verbose_name=_("framework"),
        on_delete=models.CASCADE,
        related_name="competences",
    )
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.CASCADE, related_name="competences"
    )
    code = models.CharField(_("code"), max_length=20)
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    # Set when the competence is one cell of an aspect-by-level matrix (the UNESCO frameworks).
    level = models.ForeignKey(
        ProficiencyLevel,
        verbose_name=_("level"),
        null=True,
        blank=True,
        # RESTRICT, not PROTECT: a level in use cannot be deleted on its own, but deleting the
        # whole framework (which cascades to the competences too) is allowed.
        on_delete=models.RESTRICT,
        related_name="cell_competences",
    )

    class Meta:
        ordering = ["framework", "area__position", "position"]
        verbose_name = _("competence")
        verbose_name_plural = _("competences")
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="frameworks_competence_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class LevelDescriptor(FrameworkItem):
    """What a person at one proficiency level does for one competence."""

    competence = models.ForeignKey(
        Competence,
        verbose_name=_("competence"),
        on_delete=models.CASCADE,
        related_name="descriptors",
    )
    level = models.ForeignKey(
        ProficiencyLevel,
        verbose_name=_("level"),
        on_delete=models.CASCADE,
        related_name="descriptors",
    )
    text = models.TextField(_("descriptor"))

    class Meta:
        ordering = ["competence", "level__position"]
        verbose_name = _("level descriptor")
        verbose_name_plural = _("level descriptors")
        constraints = [
            models.UniqueConstraint(fields=["competence", "level"], name="frameworks_descriptor")
        ]

    def __str__(self) -> str:
        return f"{self.competence.code} @ {self.level.code}"
