"""The partner network: organisations, their membership, agreements and people's roles."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from microcert.accounts.roles import Role
from microcert.core.models import PublicIdModel, TimeStampedModel


class SubRegion(models.TextChoices):
    """UN M49 sub-regions, used to group partners and reports."""

    NORTHERN_AFRICA = "northern_africa", _("Northern Africa")
    SUB_SAHARAN_AFRICA = "sub_saharan_africa", _("Sub-Saharan Africa")
    LATIN_AMERICA_CARIBBEAN = "latin_america_caribbean", _("Latin America and the Caribbean")
    NORTHERN_AMERICA = "northern_america", _("Northern America")
    CENTRAL_ASIA = "central_asia", _("Central Asia")
    EASTERN_ASIA = "eastern_asia", _("Eastern Asia")
    SOUTH_EASTERN_ASIA = "south_eastern_asia", _("South-eastern Asia")
    SOUTHERN_ASIA = "southern_asia", _("Southern Asia")
    WESTERN_ASIA = "western_asia", _("Western Asia")
    EUROPE = "europe", _("Europe")
    OCEANIA = "oceania", _("Oceania")


class Organisation(PublicIdModel):
    class Kind(models.TextChoices):
        HEI = "hei", _("Higher-education institution")
        MINISTRY = "ministry", _("Ministry or education authority")
        INTERNATIONAL = "international", _("International organisation")
        ENTERPRISE = "enterprise", _("Enterprise")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    description = models.TextField(_("description"), blank=True)
    country = CountryField(_("country"))
    subregion = models.CharField(_("sub-region"), max_length=30, choices=SubRegion.choices)
    city = models.CharField(_("city"), max_length=120, blank=True)
    website = models.URLField(_("website"), blank=True)
    is_programme_owner = models.BooleanField(
        _("runs the programme"),
        default=False,
        help_text=_("The Centre that runs the programme and the partner network."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["is_programme_owner"],
                condition=Q(is_programme_owner=True),
                name="network_single_programme_owner",
            )
        ]

    def __str__(self) -> str:
        return self.short_name or self.name


class Membership(TimeStampedModel):
    """An organisation's place in the partner network."""

    class Kind(models.TextChoices):
        PARTNER_HEI = "partner_hei", _("Partner institution")
        NATIONAL_CENTRE = "national_centre", _("National Centre")
        ENTERPRISE_PARTNER = "enterprise_partner", _("Enterprise partner")
        INTERNATIONAL = "international", _("International organisation partner")

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        ENDED = "ended", _("Ended")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.APPLIED
    )
    since = models.DateField(_("member since"), null=True, blank=True)
    until = models.DateField(_("member until"), null=True, blank=True)

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(status__in=["applied", "active", "suspended"]),
                name="network_one_open_membership",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.get_kind_display()} ({self.get_status_display()})"


class Agreement(PublicIdModel):
    """A memorandum of understanding or cooperation agreement between organisations."""

    class Kind(models.TextChoices):
        MOU = "mou", _("Memorandum of understanding")
        COOPERATION = "cooperation", _("Cooperation agreement")
        NATIONAL_CENTRE = "national_centre", _("National Centre agreement")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")
        IN_FORCE = "in_force", _("In force")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MOU)
    title = models.CharField(_("title"), max_length=255)
    summary = models.TextField(_("summary"), blank=True)
    parties = models.ManyToManyField(
        Organisation, verbose_name=_("parties"), related_name="agreements"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    effective_from = models.DateField(_("in force from"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    class Meta:
        ordering = ["-signed_on", "reference"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(effective_from__isnull=True)
                | Q(expires_on__gt=models.F("effective_from")),
                name="network_agreement_expires_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class CooperationItem(TimeStampedModel):
    """One thing an agreement commits its parties to do."""

    class Kind(models.TextChoices):
        NETWORK_ACCESSION = "network_accession", _("Joining the partner network")
        PROGRAMME_CODEVELOPMENT = "programme_codevelopment", _("Co-developing a programme")
        PD_RECOGNITION = "pd_recognition", _("Recognition as professional development")
        SMART_CLASSROOM = "smart_classroom", _("Smart Classroom")
        VISIT_DIALOGUE = "visit_dialogue", _("Visits and policy dialogue")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="items"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["agreement", "position", "id"]
        verbose_name = _("cooperation item")
        verbose_name_plural = _("cooperation items")

    def __str__(self) -> str:
        return self.title


class Affiliation(TimeStampedModel):
    """A role a person holds in an organisation: teacher, assessor, admin, manager, reviewer."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="affiliations",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="affiliations",
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["organisation__name", "role"]
        verbose_name = _("role in an organisation")
        verbose_name_plural = _("roles in organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation", "role"], name="network_unique_affiliation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()} · {self.organisation}"
