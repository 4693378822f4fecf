"""The partner network: organisations, their membership, agreements and people's roles."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
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

    OPEN_STATUSES = (Status.PLANNED, Status.IN_PROGRESS)

    def is_overdue_on(self, day: datetime.date) -> bool:
        """Due before ``day`` and neither done nor cancelled."""
        return self.due_on is not None and self.due_on < day and self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_overdue_on(timezone.localdate())


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


# --- Accession: an institution applies to join the network --------------------------------


class AccessionApplication(PublicIdModel):
    """An institution's application to join the partner network, from the public form or the
    API. It names an organisation already on the platform, or describes a new one (the
    ``proposed_*`` fields), which the approval creates."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        INFORMATION_REQUESTED = "information_requested", _("More information requested")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accession_applications",
        help_text=_("The organisation applying; for a new one, set when it is approved."),
    )
    proposed_name = models.CharField(_("name of the new institution"), max_length=255, blank=True)
    proposed_short_name = models.CharField(_("short name"), max_length=40, blank=True)
    proposed_kind = models.CharField(
        _("kind of institution"), max_length=20, choices=Organisation.Kind.choices, blank=True
    )
    proposed_country = CountryField(_("country"), blank=True)
    proposed_subregion = models.CharField(
        _("sub-region"), max_length=30, choices=SubRegion.choices, blank=True
    )
    proposed_city = models.CharField(_("city"), max_length=120, blank=True)
    proposed_website = models.URLField(_("website"), blank=True)
    membership_kind = models.CharField(
        _("membership asked for"), max_length=24, choices=Membership.Kind.choices
    )
    motivation = models.TextField(_("motivation"))
    intended_cooperation = models.JSONField(
        _("intended cooperation"),
        default=list,
        blank=True,
        help_text=_("Codes of the kinds of cooperation item the institution intends."),
    )
    language = models.CharField(
        _("language of correspondence"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.SUBMITTED
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    membership = models.ForeignKey(
        Membership,
        verbose_name=_("membership"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    admin_account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("institution admin"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    OPEN_STATUSES = (Status.SUBMITTED, Status.INFORMATION_REQUESTED)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("accession application")
        verbose_name_plural = _("accession applications")
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | ~Q(proposed_name=""),
                name="network_accession_names_an_organisation",
            ),
            # An approval leaves the organisation, membership and admin it made behind.
            models.CheckConstraint(
                condition=~Q(status="approved")
                | Q(organisation__isnull=False, membership__isnull=False),
                name="network_accession_approved_has_membership",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_name} · {self.get_status_display()}"

    @property
    def organisation_name(self) -> str:
        if self.organisation_id is not None:
            return self.organisation.name
        return self.proposed_name

    @property
    def is_new_organisation(self) -> bool:
        return bool(self.proposed_name)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def country(self):
        return self.organisation.country if self.organisation_id else self.proposed_country

    def primary_contact(self) -> "AccessionContact | None":
        return next((c for c in self.contacts.all() if c.is_primary), None)

    def cooperation_labels(self) -> list[str]:
        labels = dict(CooperationItem.Kind.choices)
        return [str(labels[code]) for code in self.intended_cooperation if code in labels]


class AccessionContact(models.Model):
    """A person the network office may write to about an application; one is the primary."""

    application = models.ForeignKey(
        AccessionApplication,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="contacts",
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    position = models.CharField(_("job title"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(is_primary=True),
                name="network_accession_one_primary_contact",
            ),
            models.UniqueConstraint(
                fields=["application", "email"], name="network_accession_contact_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class AccessionMessage(models.Model):
    """One message of the thread between the network office and the applicant; requests for
    information, answers and the decision's reasons all live here."""

    class Kind(models.TextChoices):
        INFORMATION_REQUEST = "information_request", _("Request for more information")
        REPLY = "reply", _("Answer from the applicant")
        APPROVAL = "approval", _("Approval")
        DECLINE = "decline", _("Reasons for declining")
        WITHDRAWAL = "withdrawal", _("Withdrawal")

    FROM_APPLICANT = (Kind.REPLY, Kind.WITHDRAWAL)

    application = models.ForeignKey(
        AccessionApplication,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="messages",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    body = models.TextField(_("message"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty when the applicant wrote it through their private link."),
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.created_at:%Y-%m-%d}"

    @property
    def from_applicant(self) -> bool:
        return self.kind in self.FROM_APPLICANT


class AccessionAccessKey(models.Model):
    """The SHA-256 of a private status link sent to the applicant. Only the hash is kept, so a
    leaked database does not open anyone's application; every mail carries a fresh link and
    the earlier ones keep working."""

    application = models.ForeignKey(
        AccessionApplication, on_delete=models.CASCADE, related_name="access_keys"
    )
    key_hash = models.CharField(_("SHA-256 of the key"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("status link")
        verbose_name_plural = _("status links")

    def __str__(self) -> str:
        return f"{self.application_id} · {self.created_at:%Y-%m-%d}"


# --- National Centres and positions -----------------------------------------------------------


class NationalCentre(TimeStampedModel):
    """A member institution designated, under an agreement, as the network's National Centre
    for its country, from one day to another (the last day included; open-ended if empty).

    At most one is in force per country on any day: the service refuses overlaps, the
    database refuses a second open-ended designation everywhere and any overlap on
    PostgreSQL (an exclusion constraint) and SQLite (a trigger), see migration 0003.
    """

    country = CountryField(_("country"))
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="national_centre_designations",
    )
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("designating agreement"),
        on_delete=models.PROTECT,
        related_name="national_centre_designations",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    end_reason = models.TextField(_("why it ended"), blank=True)

    class Meta:
        ordering = ["country", "-starts_on"]
        verbose_name = _("National Centre")
        verbose_name_plural = _("National Centres")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="network_national_centre_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["country"],
                condition=Q(ends_on__isnull=True),
                name="network_one_open_national_centre_per_country",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country.name} · {self.organisation}"

    def in_force_on(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class NetworkPosition(TimeStampedModel):
    """Who holds one of the network's rotating positions in a year: the presidency, the
    secretariat (secretary-general and deputies) and the regional coordinators."""

    class Kind(models.TextChoices):
        PRESIDENCY = "presidency", _("Presidency")
        SECRETARY_GENERAL = "secretary_general", _("Secretary-general")
        DEPUTY_SECRETARY_GENERAL = "deputy_secretary_general", _("Deputy secretary-general")
        REGIONAL_COORDINATOR = "regional_coordinator", _("Regional coordinator")

    # One holder a year; deputies and coordinators (one per sub-region) may be several.
    SINGLE_HOLDER = (Kind.PRESIDENCY, Kind.SECRETARY_GENERAL)

    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("network position"), max_length=30, choices=Kind.choices)
    subregion = models.CharField(
        _("sub-region"),
        max_length=30,
        choices=SubRegion.choices,
        blank=True,
        help_text=_("Only for regional coordinators."),
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="network_positions",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="network_positions",
    )

    class Meta:
        ordering = ["-year", "kind", "subregion", "id"]
        verbose_name = _("network position")
        verbose_name_plural = _("network positions")
        constraints = [
            models.UniqueConstraint(
                fields=["year"],
                condition=Q(kind="presidency"),
                name="network_one_presidency_a_year",
            ),
            models.UniqueConstraint(
                fields=["year"],
                condition=Q(kind="secretary_general"),
                name="network_one_secretary_general_a_year",
            ),
            models.UniqueConstraint(
                fields=["year", "subregion"],
                condition=Q(kind="regional_coordinator"),
                name="network_one_coordinator_per_subregion_a_year",
            ),
            models.UniqueConstraint(
                fields=["year", "kind", "organisation"],
                condition=Q(kind="deputy_secretary_general"),
                name="network_deputy_once_a_year",
            ),
            models.CheckConstraint(
                condition=(Q(kind="regional_coordinator") & ~Q(subregion=""))
                | (~Q(kind="regional_coordinator") & Q(subregion="")),
                name="network_position_subregion_for_coordinators_only",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1990) & Q(year__lte=2200),
                name="network_position_year_plausible",
            ),
        ]

    def __str__(self) -> str:
        label = self.get_kind_display()
        if self.subregion:
            label = f"{label} ({self.get_subregion_display()})"
        return f"{self.year} · {label} · {self.organisation}"


# --- Agreement documents ----------------------------------------------------------------------


def _agreement_document_path(document: "AgreementDocument", filename: str) -> str:
    # Never the uploaded name: it may carry anything. The original is kept in a field.
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"agreements/{document.agreement.uuid}/{document.uuid}.{extension}"


class AgreementDocument(PublicIdModel):
    """A file of an agreement: a draft, the signed copy, an annex. Stored under MEDIA_ROOT,
    outside the web root, and served only through a permission-checked view."""

    class Kind(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED_COPY = "signed_copy", _("Signed copy")
        ANNEX = "annex", _("Annex")

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=255)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    file = models.FileField(_("file"), upload_to=_agreement_document_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("type"), max_length=120)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["agreement", "kind", "-created_at"]
        verbose_name = _("agreement document")
        verbose_name_plural = _("agreement documents")

    def __str__(self) -> str:
        return self.title
