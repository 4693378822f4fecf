"""The registry of Smart Classrooms the programme equips at partner universities.

A classroom is hosted by a member institution and may be sponsored by an enterprise or an
international organisation. It holds an inventory of equipment, maintenance tickets about it,
and a log of the sessions it served (recorded lectures, broadcasts, trainings), each possibly
linked to the catalogue offering it served.

Invariants that belong to one row are database constraints; those that span rows (an
equipment item of the ticket's own classroom, a sponsor of the right kind) live in
``services.py``.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from microcert.catalog.models import Offering
from microcert.core.models import PublicIdModel
from microcert.network.models import Organisation

# Within this many days before its end a warranty is shown as running out.
WARRANTY_WARNING_DAYS = 90
# A session lasts at most a day; longer events are recorded one day at a time.
MAX_SESSION_MINUTES = 24 * 60


class SmartClassroom(PublicIdModel):
    class Phase(models.TextChoices):
        PILOT = "pilot", _("Pilot")
        PHASE_1 = "phase_1", _("Phase 1")
        PHASE_2 = "phase_2", _("Phase 2")
        PHASE_3 = "phase_3", _("Phase 3")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        INSTALLING = "installing", _("Being installed")
        IN_SERVICE = "in_service", _("In service")
        CLOSED = "closed", _("Closed")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    host = models.ForeignKey(
        Organisation,
        verbose_name=_("host institution"),
        on_delete=models.PROTECT,
        related_name="hosted_classrooms",
    )
    sponsor = models.ForeignKey(
        Organisation,
        verbose_name=_("sponsor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sponsored_classrooms",
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    building = models.CharField(_("building"), max_length=200, blank=True)
    room = models.CharField(_("room"), max_length=60, blank=True)
    phase = models.CharField(_("phase"), max_length=12, choices=Phase.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    launched_on = models.DateField(_("launched on"), null=True, blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("seats"), null=True, blank=True, help_text=_("How many people it seats.")
    )
    # Sessions are entered and shown in the classroom's own local time.
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", help_text=_("e.g. Asia/Ho_Chi_Minh")
    )
    is_public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Shown to everyone in the registry (serials and tickets never are)."),
    )

    class Meta:
        ordering = ["host__country", "host__name", "name"]
        verbose_name = _("Smart Classroom")
        verbose_name_plural = _("Smart Classrooms")
        constraints = [
            models.CheckConstraint(
                condition=Q(launched_on__isnull=True)
                | Q(installed_on__isnull=False, launched_on__gte=F("installed_on")),
                name="classrooms_launched_after_installed",
            ),
            models.CheckConstraint(
                condition=~Q(status="in_service") | Q(launched_on__isnull=False),
                name="classrooms_in_service_launched",
            ),
            models.CheckConstraint(
                condition=~Q(status="planned") | Q(installed_on__isnull=True),
                name="classrooms_planned_not_installed",
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="classrooms_capacity_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    def local_day(self, moment: datetime.datetime) -> datetime.date:
        """The calendar day of ``moment`` in the classroom's time zone."""
        return moment.astimezone(self.zone).date()


class Equipment(PublicIdModel):
    class Kind(models.TextChoices):
        INTERACTIVE_DISPLAY = "interactive_display", _("Interactive display")
        CAMERA = "camera", _("Camera")
        MICROPHONE_ARRAY = "microphone_array", _("Microphone array")
        LECTURE_CAPTURE = "lecture_capture", _("Lecture capture")
        PC = "pc", _("Computer")
        NETWORK = "network", _("Network")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        IN_SERVICE = "in_service", _("In service")
        UNDER_REPAIR = "under_repair", _("Under repair")
        RETIRED = "retired", _("Retired")

    classroom = models.ForeignKey(
        SmartClassroom,
        verbose_name=_("classroom"),
        on_delete=models.PROTECT,
        related_name="equipment",
    )
    kind = models.CharField(_("type"), max_length=24, choices=Kind.choices)
    # What people in the room call it ("rear camera"): tells two identical items apart
    # without showing serials to those who may not see them.
    label = models.CharField(
        _("label"),
        max_length=80,
        blank=True,
        help_text=_("How people in the room call it, e.g. “rear camera”."),
    )
    vendor = models.CharField(_("vendor"), max_length=100)
    model = models.CharField(_("model"), max_length=120, blank=True)
    serial = models.CharField(
        _("serial number"),
        max_length=80,
        blank=True,
        help_text=_("Unique for each vendor."),
    )
    warranty_until = models.DateField(_("warranty until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.IN_SERVICE
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["classroom", "kind", "vendor", "model", "pk"]
        verbose_name = _("equipment item")
        verbose_name_plural = _("equipment")
        constraints = [
            # One physical device: the same serial from the same vendor, however it is typed.
            models.UniqueConstraint(
                Lower("vendor"),
                Lower("serial"),
                condition=~Q(serial=""),
                name="classrooms_serial_unique_per_vendor",
            ),
            models.CheckConstraint(condition=~Q(vendor=""), name="classrooms_equipment_has_vendor"),
        ]

    def __str__(self) -> str:
        name = " ".join(part for part in (self.vendor, self.model) if part)
        return f"{self.label} · {name}" if self.label else name

    @property
    def public_name(self) -> str:
        """Its type and label, for people who may not see vendors' serials."""
        kind = self.get_kind_display()
        return f"{kind} · {self.label}" if self.label else str(kind)

    def warranty_state(self, today: datetime.date) -> str:
        """``"none"`` (not recorded), ``"expired"``, ``"expiring"`` (within
        ``WARRANTY_WARNING_DAYS``) or ``"valid"``."""
        if self.warranty_until is None:
            return "none"
        if self.warranty_until < today:
            return "expired"
        if (self.warranty_until - today).days <= WARRANTY_WARNING_DAYS:
            return "expiring"
        return "valid"


class MaintenanceTicket(PublicIdModel):
    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    classroom = models.ForeignKey(
        SmartClassroom,
        verbose_name=_("classroom"),
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    equipment = models.ForeignKey(
        Equipment,
        verbose_name=_("equipment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolution = models.TextField(_("resolution"), blank=True)
    opened_at = models.DateTimeField(_("opened at"))
    started_at = models.DateTimeField(_("work started at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("maintenance ticket")
        verbose_name_plural = _("maintenance tickets")
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="classrooms_ticket_has_title"),
            # A resolved or closed ticket says how; an open one carries no end times.
            models.CheckConstraint(
                condition=~Q(status__in=["resolved", "closed"]) | ~Q(resolution=""),
                name="classrooms_ticket_resolution_noted",
            ),
            models.CheckConstraint(
                condition=~Q(status="resolved") | Q(resolved_at__isnull=False),
                name="classrooms_ticket_resolved_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="classrooms_ticket_closed_at",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["open", "in_progress"])
                | Q(resolved_at__isnull=True, closed_at__isnull=True),
                name="classrooms_ticket_open_has_no_end",
            ),
            models.CheckConstraint(
                condition=(Q(started_at__isnull=True) | Q(started_at__gte=F("opened_at")))
                & (Q(resolved_at__isnull=True) | Q(resolved_at__gte=F("opened_at")))
                & (Q(closed_at__isnull=True) | Q(closed_at__gte=F("opened_at"))),
                name="classrooms_ticket_times_in_order",
            ),
        ]
        indexes = [models.Index(fields=["classroom", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.IN_PROGRESS)


class UsageSession(PublicIdModel):
    class Kind(models.TextChoices):
        RECORDED_LECTURE = "recorded_lecture", _("Recorded lecture")
        LIVE_BROADCAST = "live_broadcast", _("Live broadcast")
        TRAINING = "training", _("Training")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    classroom = models.ForeignKey(
        SmartClassroom,
        verbose_name=_("classroom"),
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.HELD
    )
    # Written by the operator in the language the session was held in (``language``), so
    # pages can mark it up for screen readers; not a translated field.
    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    participants = models.PositiveIntegerField(
        _("participants"),
        default=0,
        help_text=_("In the room and online; for a scheduled session, those expected."),
    )
    recording_url = models.URLField(_("recording link"), max_length=500, blank=True)
    offering = models.ForeignKey(
        Offering,
        verbose_name=_("offering served"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="classroom_sessions",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("usage session")
        verbose_name_plural = _("usage sessions")
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="classrooms_session_has_title"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=MAX_SESSION_MINUTES),
                name="classrooms_session_duration",
            ),
            models.CheckConstraint(
                condition=Q(participants__gte=0), name="classrooms_session_participants"
            ),
            # Only web links: a javascript: or file: address must never reach a page.
            models.CheckConstraint(
                condition=Q(recording_url="")
                | Q(recording_url__startswith="https://")
                | Q(recording_url__startswith="http://"),
                name="classrooms_session_recording_http",
            ),
        ]
        indexes = [models.Index(fields=["classroom", "status", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.title} · {self.starts_at:%Y-%m-%d}"

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)
