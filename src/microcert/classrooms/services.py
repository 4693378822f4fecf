"""Writes of the Smart Classroom registry: classrooms, equipment, tickets and sessions.

Every write is one transaction with its event. A refusal raises ``ClassroomError`` whose
message says what to change; nothing is stored then. Times of past events (``at``) may be
given to record what happened earlier (imports, the demo); they are never in the future.
"""

import datetime
import re
import zoneinfo
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from microcert.accounts.models import User
from microcert.catalog.models import Offering
from microcert.core.i18n import Translations, set_translations
from microcert.core.services import event_record
from microcert.network.models import Membership, Organisation

from . import selectors
from .models import (
    MAX_SESSION_MINUTES,
    Equipment,
    MaintenanceTicket,
    SmartClassroom,
    UsageSession,
)

# How long before an offering starts a session may already serve it (lectures are often
# recorded ahead of an online run).
OFFERING_PREPARATION_DAYS = 365
MAX_PARTICIPANTS = 100_000
MAX_TEXT = 10_000
SPONSOR_KINDS = (Organisation.Kind.ENTERPRISE, Organisation.Kind.INTERNATIONAL)


class ClassroomError(ValidationError):
    """The step cannot be taken as asked; the message says why."""


def _text(value: str | None, *, limit: int, what: str, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ClassroomError(_("%(what)s is required.") % {"what": what})
    if len(text) > limit:
        raise ClassroomError(
            _("%(what)s is too long (%(limit)s characters at most).")
            % {"what": what, "limit": limit}
        )
    return text


def _one_line(value: str | None, *, limit: int, what: str, required: bool = False) -> str:
    return re.sub(r"\s+", " ", _text(value, limit=limit, what=what, required=required))


def _moment(at: datetime.datetime | None) -> datetime.datetime:
    now = timezone.now()
    if at is None:
        return now
    if timezone.is_naive(at):
        raise ClassroomError(_("A time must say its time zone."))
    if at > now:
        raise ClassroomError(_("This cannot be recorded as having happened in the future."))
    return at


def _fresh(classroom: SmartClassroom) -> SmartClassroom:
    """The classroom as stored now: its status and dates decide what may be added to it."""
    return SmartClassroom.objects.select_related("host").get(pk=classroom.pk)


def _when(at: datetime.datetime | None, moment: datetime.datetime) -> dict[str, str]:
    """For an event recorded after the fact, when it actually happened."""
    return {"at": moment.isoformat()} if at is not None else {}


def _full_clean(instance: Any, *, constraints: bool = True) -> None:
    """The model's own checks (lengths, formats), refused as a ``ClassroomError``."""
    try:
        instance.full_clean(validate_constraints=constraints)
    except ValidationError as error:
        raise ClassroomError(error.messages) from None


def _signed_in(actor: Any) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


# --- Classrooms -------------------------------------------------------------------------------


def check_classroom(classroom: SmartClassroom, today: datetime.date) -> None:
    """Refuse what the database would, with words an operator can act on, and what it
    cannot see: the kinds of the host and sponsor, dates in the future."""
    host = classroom.host
    if host.kind != Organisation.Kind.HEI:
        raise ClassroomError(_("A Smart Classroom is hosted by a higher-education institution."))
    if not host.memberships.filter(status=Membership.Status.ACTIVE).exists():
        raise ClassroomError(
            _("%(host)s is not an active member of the partner network.") % {"host": host}
        )
    sponsor = classroom.sponsor
    if sponsor is not None:
        if sponsor.pk == host.pk:
            raise ClassroomError(_("The host cannot also be the sponsor."))
        if sponsor.kind not in SPONSOR_KINDS:
            raise ClassroomError(_("A sponsor is an enterprise or an international organisation."))
    installed, launched = classroom.installed_on, classroom.launched_on
    for day, what in ((installed, _("The installation")), (launched, _("The launch"))):
        if day is not None and day > today:
            raise ClassroomError(
                _("%(what)s date cannot be in the future; record it once it has happened.")
                % {"what": what}
            )
    if launched is not None and installed is None:
        raise ClassroomError(_("Record the installation date before the launch date."))
    if launched is not None and launched < installed:
        raise ClassroomError(_("A classroom cannot be launched before it was installed."))
    status = classroom.status
    if status not in SmartClassroom.Status.values:
        raise ClassroomError(_("Unknown status: %(status)s.") % {"status": status})
    if classroom.phase not in SmartClassroom.Phase.values:
        raise ClassroomError(_("Unknown phase: %(phase)s.") % {"phase": classroom.phase})
    if status == SmartClassroom.Status.IN_SERVICE and launched is None:
        raise ClassroomError(_("A classroom in service has a launch date."))
    if status == SmartClassroom.Status.PLANNED and installed is not None:
        raise ClassroomError(_("An installed classroom is no longer planned."))
    if classroom.capacity is not None and classroom.capacity < 1:
        raise ClassroomError(_("A classroom seats at least one person."))
    if classroom.time_zone not in _time_zones():
        raise ClassroomError(
            _("Unknown time zone: %(zone)s (use a name such as Asia/Ho_Chi_Minh).")
            % {"zone": classroom.time_zone}
        )


def _time_zones() -> set[str]:
    return zoneinfo.available_timezones() | {"UTC"}


@transaction.atomic
def classroom_create(
    *,
    slug: str,
    host: Organisation,
    name: Translations | str,
    phase: str,
    actor: Any,
    sponsor: Organisation | None = None,
    description: Translations | str = "",
    building: str = "",
    room: str = "",
    status: str = SmartClassroom.Status.PLANNED,
    installed_on: datetime.date | None = None,
    launched_on: datetime.date | None = None,
    capacity: int | None = None,
    time_zone: str = "UTC",
    is_public: bool = False,
) -> SmartClassroom:
    if SmartClassroom.objects.filter(slug=slug).exists():
        raise ClassroomError(_("Another classroom already has this slug."))
    classroom = SmartClassroom(
        slug=slug,
        host=host,
        sponsor=sponsor,
        building=_one_line(building, limit=200, what=_("The building")),
        room=_one_line(room, limit=60, what=_("The room")),
        phase=phase,
        status=status,
        installed_on=installed_on,
        launched_on=launched_on,
        capacity=capacity,
        time_zone=time_zone,
        is_public=is_public,
    )
    set_translations(classroom, "name", name)
    set_translations(classroom, "description", description)
    check_classroom(classroom, timezone.localdate())
    _full_clean(classroom)
    classroom.save()
    event_record(
        actor=actor,
        verb="classroom.created",
        target=classroom,
        details={"host": host.slug, "sponsor": sponsor.slug if sponsor else None, "slug": slug},
    )
    return classroom


UPDATABLE_CLASSROOM_FIELDS = (
    "sponsor",
    "building",
    "room",
    "phase",
    "status",
    "installed_on",
    "launched_on",
    "capacity",
    "time_zone",
    "is_public",
)


@transaction.atomic
def classroom_update(*, classroom: SmartClassroom, actor: Any, **changes: Any) -> SmartClassroom:
    """Change the facts of a classroom (``UPDATABLE_CLASSROOM_FIELDS``), and its ``name`` or
    ``description`` given as {language: text}."""
    unknown = set(changes) - {*UPDATABLE_CLASSROOM_FIELDS, "name", "description"}
    if unknown:
        raise ClassroomError(_("These cannot be changed here: %s.") % ", ".join(sorted(unknown)))
    locked = SmartClassroom.objects.select_for_update().get(pk=classroom.pk)
    before = {f: getattr(locked, f) for f in UPDATABLE_CLASSROOM_FIELDS}
    for field in ("name", "description"):
        if field in changes:
            set_translations(locked, field, changes.pop(field))
    for field, value in changes.items():
        if field in ("building", "room"):
            value = _one_line(value, limit=200 if field == "building" else 60, what=field)
        setattr(locked, field, value)
    check_classroom(locked, timezone.localdate())
    _full_clean(locked)
    locked.save()
    changed = sorted(f for f in UPDATABLE_CLASSROOM_FIELDS if getattr(locked, f) != before[f])
    event_record(
        actor=actor,
        verb="classroom.updated",
        target=locked,
        details={"fields": changed, "status": locked.status},
    )
    return locked


# --- Equipment --------------------------------------------------------------------------------


def _serial_taken(vendor: str, serial: str, *, besides: int | None = None) -> Equipment | None:
    if not serial:
        return None
    found = Equipment.objects.annotate(v=Lower("vendor"), s=Lower("serial")).filter(
        v=vendor.lower(), s=serial.lower()
    )
    if besides is not None:
        found = found.exclude(pk=besides)
    return found.select_related("classroom").first()


def check_equipment(equipment: Equipment) -> None:
    if equipment.kind not in Equipment.Kind.values:
        raise ClassroomError(_("Unknown equipment type: %(kind)s.") % {"kind": equipment.kind})
    if equipment.status not in Equipment.Status.values:
        raise ClassroomError(_("Unknown status: %(status)s.") % {"status": equipment.status})
    other = _serial_taken(equipment.vendor, equipment.serial, besides=equipment.pk)
    if other is not None:
        raise ClassroomError(
            _("%(vendor)s serial %(serial)s is already in the inventory of %(classroom)s.")
            % {"vendor": other.vendor, "serial": other.serial, "classroom": other.classroom}
        )


def _save_equipment(equipment: Equipment) -> None:
    _full_clean(equipment, constraints=False)
    try:
        with transaction.atomic():
            equipment.save()
    except IntegrityError:
        # Someone saved the same serial at the same moment.
        raise ClassroomError(
            _("%(vendor)s serial %(serial)s is already in the inventory.")
            % {"vendor": equipment.vendor, "serial": equipment.serial}
        ) from None


@transaction.atomic
def equipment_add(
    *,
    classroom: SmartClassroom,
    kind: str,
    vendor: str,
    actor: Any,
    label: str = "",
    model: str = "",
    serial: str = "",
    warranty_until: datetime.date | None = None,
    status: str = Equipment.Status.IN_SERVICE,
    notes: str = "",
) -> Equipment:
    """Add an item to the inventory. A warranty that has already ended is accepted (old
    equipment moved in keeps running) and flagged in the event; pages warn about it."""
    classroom = _fresh(classroom)
    if classroom.status == SmartClassroom.Status.CLOSED:
        raise ClassroomError(_("This classroom is closed; no equipment can be added to it."))
    if status == Equipment.Status.RETIRED:
        raise ClassroomError(_("Add equipment that is in service or under repair."))
    equipment = Equipment(
        classroom=classroom,
        kind=kind,
        label=_one_line(label, limit=80, what=_("The label")),
        vendor=_one_line(vendor, limit=100, what=_("The vendor"), required=True),
        model=_one_line(model, limit=120, what=_("The model")),
        serial=_one_line(serial, limit=80, what=_("The serial number")),
        warranty_until=warranty_until,
        status=status,
        notes=_text(notes, limit=MAX_TEXT, what=_("The notes")),
    )
    check_equipment(equipment)
    _save_equipment(equipment)
    today = timezone.localdate()
    event_record(
        actor=actor,
        verb="equipment.added",
        target=equipment,
        details={
            "classroom": classroom.slug,
            "kind": kind,
            "status": status,
            "warranty": equipment.warranty_state(today),
        },
    )
    return equipment


EDITABLE_EQUIPMENT_FIELDS = (
    "kind",
    "label",
    "vendor",
    "model",
    "serial",
    "warranty_until",
    "status",
    "notes",
)


@transaction.atomic
def equipment_update(
    *, equipment: Equipment, actor: Any, reason: str = "", **changes: Any
) -> Equipment:
    """Correct or update an item (``EDITABLE_EQUIPMENT_FIELDS``). An item with an open
    ticket is not retired: the ticket is resolved or closed first."""
    unknown = set(changes) - set(EDITABLE_EQUIPMENT_FIELDS)
    if unknown:
        raise ClassroomError(_("These cannot be changed here: %s.") % ", ".join(sorted(unknown)))
    locked = Equipment.objects.select_for_update().select_related("classroom").get(pk=equipment.pk)
    before = {f: getattr(locked, f) for f in EDITABLE_EQUIPMENT_FIELDS}
    cleaners = {
        "vendor": lambda v: _one_line(v, limit=100, what=_("The vendor"), required=True),
        "label": lambda v: _one_line(v, limit=80, what=_("The label")),
        "model": lambda v: _one_line(v, limit=120, what=_("The model")),
        "serial": lambda v: _one_line(v, limit=80, what=_("The serial number")),
        "notes": lambda v: _text(v, limit=MAX_TEXT, what=_("The notes")),
    }
    for field, value in changes.items():
        setattr(locked, field, cleaners[field](value) if field in cleaners else value)
    if (
        locked.status == Equipment.Status.RETIRED
        and before["status"] != Equipment.Status.RETIRED
        and locked.tickets.filter(status__in=OPEN_TICKET_STATUSES).exists()
    ):
        raise ClassroomError(
            _("This item has an open ticket; resolve or close it before retiring the item.")
        )
    check_equipment(locked)
    _save_equipment(locked)
    changed = sorted(f for f in EDITABLE_EQUIPMENT_FIELDS if getattr(locked, f) != before[f])
    if changed:
        event_record(
            actor=actor,
            verb="equipment.updated",
            target=locked,
            reason=_text(reason, limit=MAX_TEXT, what=_("The reason")),
            details={
                "fields": changed,
                "status": {"from": before["status"], "to": locked.status},
                "warranty": locked.warranty_state(timezone.localdate()),
            },
        )
    return locked


def _equipment_set_status(equipment: Equipment, status: str, actor: Any, why: str) -> None:
    if equipment.status == status:
        return
    old = equipment.status
    equipment.status = status
    equipment.save(update_fields=["status", "updated_at"])
    event_record(
        actor=actor,
        verb="equipment.updated",
        target=equipment,
        reason=why,
        details={"fields": ["status"], "status": {"from": old, "to": status}},
    )


# --- Maintenance tickets ----------------------------------------------------------------------

OPEN_TICKET_STATUSES = (MaintenanceTicket.Status.OPEN, MaintenanceTicket.Status.IN_PROGRESS)
TICKETS_ACCEPTED_IN = (SmartClassroom.Status.INSTALLING, SmartClassroom.Status.IN_SERVICE)

# Which status may follow which; moving a resolved or closed ticket back needs a reason.
TICKET_TRANSITIONS: dict[str, set[str]] = {
    MaintenanceTicket.Status.OPEN: {"in_progress", "resolved", "closed"},
    MaintenanceTicket.Status.IN_PROGRESS: {"open", "resolved", "closed"},
    MaintenanceTicket.Status.RESOLVED: {"closed", "open", "in_progress"},
    MaintenanceTicket.Status.CLOSED: {"open", "in_progress"},
}


@transaction.atomic
def ticket_open(
    *,
    classroom: SmartClassroom,
    title: str,
    actor: Any,
    description: str = "",
    priority: str = MaintenanceTicket.Priority.NORMAL,
    equipment: Equipment | None = None,
    mark_under_repair: bool = False,
    at: datetime.datetime | None = None,
) -> MaintenanceTicket:
    """Report a problem. ``mark_under_repair`` takes the item out of service at once (for
    the classroom's managers to choose; the pages do not offer it to teachers)."""
    classroom = _fresh(classroom)
    if classroom.status not in TICKETS_ACCEPTED_IN:
        raise ClassroomError(_("Tickets are opened for classrooms being installed or in service."))
    if priority not in MaintenanceTicket.Priority.values:
        raise ClassroomError(_("Unknown priority: %(priority)s.") % {"priority": priority})
    if equipment is not None:
        equipment = Equipment.objects.get(pk=equipment.pk)
        if equipment.classroom_id != classroom.pk:
            raise ClassroomError(_("This equipment is not in this classroom."))
        if equipment.status == Equipment.Status.RETIRED:
            raise ClassroomError(_("This equipment is retired; it gets no new tickets."))
    opened_at = _moment(at)
    ticket = MaintenanceTicket.objects.create(
        classroom=classroom,
        equipment=equipment,
        opened_by=_signed_in(actor),
        title=_one_line(title, limit=200, what=_("The title"), required=True),
        description=_text(description, limit=MAX_TEXT, what=_("The description")),
        priority=priority,
        opened_at=opened_at,
    )
    event_record(
        actor=actor,
        verb="ticket.opened",
        target=ticket,
        details={
            "classroom": classroom.slug,
            "equipment": str(equipment.uuid) if equipment else None,
            "priority": priority,
            **_when(at, opened_at),
        },
    )
    if equipment is not None and mark_under_repair:
        _equipment_set_status(
            equipment, Equipment.Status.UNDER_REPAIR, actor, _("Ticket: %s") % ticket.title
        )
    return ticket


@transaction.atomic
def ticket_assign(
    *,
    ticket: MaintenanceTicket,
    assignee: User | None,
    actor: Any,
    at: datetime.datetime | None = None,
) -> MaintenanceTicket:
    """Give the ticket to one of the classroom's managers, or to nobody."""
    moment = _moment(at)
    locked = MaintenanceTicket.objects.select_for_update().get(pk=ticket.pk)
    if not locked.is_open:
        raise ClassroomError(_("Reopen the ticket before assigning it."))
    if assignee is not None and assignee not in selectors.classroom_managers(locked.classroom):
        raise ClassroomError(
            _("%(person)s does not manage this classroom and could not see the ticket.")
            % {"person": assignee}
        )
    if locked.assignee_id == (assignee.pk if assignee else None):
        return locked
    previous = locked.assignee
    locked.assignee = assignee
    locked.save(update_fields=["assignee", "updated_at"])
    event_record(
        actor=actor,
        verb="ticket.assigned",
        target=locked,
        details={
            "from": previous.email if previous else None,
            "to": assignee.email if assignee else None,
            **_when(at, moment),
        },
    )
    return locked


@transaction.atomic
def ticket_set_status(
    *,
    ticket: MaintenanceTicket,
    status: str,
    actor: Any,
    note: str = "",
    equipment_back_in_service: bool = False,
    at: datetime.datetime | None = None,
) -> MaintenanceTicket:
    """Move a ticket on. Resolving needs the resolution (``note``); closing needs one unless
    the ticket was resolved; reopening a resolved or closed ticket needs a reason (``note``).
    ``equipment_back_in_service`` returns the ticket's equipment to service on resolving or
    closing."""
    locked = MaintenanceTicket.objects.select_for_update().get(pk=ticket.pk)
    old = locked.status
    if status not in MaintenanceTicket.Status.values:
        raise ClassroomError(_("Unknown status: %(status)s.") % {"status": status})
    if status == old:
        raise ClassroomError(
            _("The ticket is already %(status)s.")
            % {"status": MaintenanceTicket.Status(status).label.lower()}
        )
    if status not in TICKET_TRANSITIONS[old]:
        raise ClassroomError(
            _("A ticket that is %(old)s cannot become %(new)s.")
            % {
                "old": MaintenanceTicket.Status(old).label.lower(),
                "new": MaintenanceTicket.Status(status).label.lower(),
            }
        )
    note = _text(note, limit=MAX_TEXT, what=_("The note"))
    moment = _moment(at)
    if moment < locked.opened_at:
        raise ClassroomError(_("This cannot be recorded before the ticket was opened."))
    reopening = old in ("resolved", "closed") and status in OPEN_TICKET_STATUSES
    details: dict[str, Any] = {"from": old, "to": status, **_when(at, moment)}
    if reopening:
        if not note:
            raise ClassroomError(_("Say why the ticket is reopened."))
        details["previous_resolution"] = locked.resolution
        locked.resolution = ""
        locked.resolved_at = None
        locked.closed_at = None
    if status == MaintenanceTicket.Status.IN_PROGRESS and locked.started_at is None:
        locked.started_at = moment
    if status == MaintenanceTicket.Status.RESOLVED:
        if not note:
            raise ClassroomError(_("Describe the resolution: what was done, or why nothing was."))
        locked.resolution = note
        locked.resolved_at = moment
    if status == MaintenanceTicket.Status.CLOSED:
        if not note and not locked.resolution:
            raise ClassroomError(_("Say why the ticket is closed without a resolution."))
        if not locked.resolution:
            locked.resolution = note
        locked.closed_at = moment
    locked.status = status
    locked.save()
    event_record(
        actor=actor,
        verb="ticket.reopened" if reopening else "ticket.status_changed",
        target=locked,
        reason=note,
        details=details,
    )
    equipment = locked.equipment
    if (
        equipment_back_in_service
        and equipment is not None
        and status in (MaintenanceTicket.Status.RESOLVED, MaintenanceTicket.Status.CLOSED)
        and equipment.status == Equipment.Status.UNDER_REPAIR
    ):
        _equipment_set_status(
            equipment, Equipment.Status.IN_SERVICE, actor, _("Ticket: %s") % locked.title
        )
    return locked


# --- Usage sessions ---------------------------------------------------------------------------

_URL = URLValidator(schemes=["http", "https"])


def _recording_url(value: str | None) -> str:
    text = (value or "").strip()
    if not text:
        return ""
    if len(text) > 500:
        raise ClassroomError(_("The recording link is too long (500 characters at most)."))
    try:
        _URL(text)
    except ValidationError:
        raise ClassroomError(
            _("The recording link must be a web address starting with https:// or http://.")
        ) from None
    # The scheme in lower case, as the database constraint expects.
    parts = urlsplit(text)
    return urlunsplit(parts._replace(scheme=parts.scheme.lower()))


def offering_serves(classroom: SmartClassroom, offering: Offering, day: datetime.date) -> bool:
    """A session on ``day`` in ``classroom`` may serve ``offering`` when the offering is
    hosted by the classroom's host or is of a micro-credential the host awards, is not
    cancelled, and ``day`` falls before its end and not more than a year before its start."""
    if offering.status == Offering.Status.CANCELLED:
        return False
    if day > offering.ends_on:
        return False
    if day < offering.starts_on - datetime.timedelta(days=OFFERING_PREPARATION_DAYS):
        return False
    return (
        offering.host_id == classroom.host_id
        or offering.version.awarding_bodies.filter(pk=classroom.host_id).exists()
    )


def _check_session(session: UsageSession, classroom: SmartClassroom) -> None:
    now = timezone.now()
    if session.kind not in UsageSession.Kind.values:
        raise ClassroomError(_("Unknown kind of session: %(kind)s.") % {"kind": session.kind})
    if session.status not in UsageSession.Status.values:
        raise ClassroomError(_("Unknown status: %(status)s.") % {"status": session.status})
    if session.language not in dict(settings.LANGUAGES):
        raise ClassroomError(_("Choose one of the languages listed."))
    if timezone.is_naive(session.starts_at):
        raise ClassroomError(_("A time must say its time zone."))
    if not 1 <= int(session.duration_minutes) <= MAX_SESSION_MINUTES:
        raise ClassroomError(
            _("A session lasts between 1 and %(most)s minutes.") % {"most": MAX_SESSION_MINUTES}
        )
    if not 0 <= int(session.participants) <= MAX_PARTICIPANTS:
        raise ClassroomError(
            _("The number of participants is between 0 and %(most)s.") % {"most": MAX_PARTICIPANTS}
        )
    if classroom.installed_on is None:
        raise ClassroomError(_("Sessions are recorded once the classroom is installed."))
    day = classroom.local_day(session.starts_at)
    if day < classroom.installed_on:
        raise ClassroomError(
            _("The classroom was installed on %(day)s; a session cannot be earlier.")
            % {"day": classroom.installed_on.isoformat()}
        )
    if session.status == UsageSession.Status.HELD and session.ends_at > now:
        raise ClassroomError(
            _(
                "A session marked held must have ended: this one ends in the future. "
                "Record it as scheduled and mark it held afterwards."
            )
        )
    if session.status == UsageSession.Status.SCHEDULED:
        if session.starts_at <= now:
            raise ClassroomError(
                _("A scheduled session starts in the future; mark a past one as held.")
            )
        if classroom.status == SmartClassroom.Status.CLOSED:
            raise ClassroomError(_("This classroom is closed; nothing can be scheduled in it."))
    offering = session.offering
    if offering is not None and not offering_serves(classroom, offering, day):
        raise ClassroomError(
            _(
                "This session cannot serve that offering: an offering served is run or awarded "
                "by the host institution, not cancelled, and the session falls before its end "
                "and at most a year before its start."
            )
        )


@transaction.atomic
def session_record(
    *,
    classroom: SmartClassroom,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    duration_minutes: int,
    actor: Any,
    status: str = UsageSession.Status.HELD,
    language: str = "en",
    participants: int = 0,
    recording_url: str = "",
    offering: Offering | None = None,
) -> UsageSession:
    """Log a session the classroom served (``held``) or will serve (``scheduled``)."""
    classroom = _fresh(classroom)
    if classroom.status == SmartClassroom.Status.PLANNED:
        raise ClassroomError(_("This classroom is only planned; it has served no session yet."))
    if status == UsageSession.Status.CANCELLED:
        raise ClassroomError(_("Record a session as held or scheduled."))
    session = UsageSession(
        classroom=classroom,
        kind=kind,
        status=status,
        title=_one_line(title, limit=200, what=_("The title"), required=True),
        language=language,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        participants=participants,
        recording_url=_recording_url(recording_url),
        offering=offering,
        recorded_by=_signed_in(actor),
    )
    _check_session(session, classroom)
    _full_clean(session, constraints=False)
    session.save()
    event_record(
        actor=actor,
        verb="session.recorded",
        target=session,
        details={
            "classroom": classroom.slug,
            "kind": kind,
            "status": status,
            "offering": str(offering.uuid) if offering else None,
        },
    )
    return session


EDITABLE_SESSION_FIELDS = (
    "kind",
    "status",
    "title",
    "language",
    "starts_at",
    "duration_minutes",
    "participants",
    "recording_url",
    "offering",
)


@transaction.atomic
def session_update(*, session: UsageSession, actor: Any, **changes: Any) -> UsageSession:
    """Correct a session, add its recording link afterwards, mark a scheduled session held
    once it has ended, or cancel it. The result is checked like a new record."""
    unknown = set(changes) - set(EDITABLE_SESSION_FIELDS)
    if unknown:
        raise ClassroomError(_("These cannot be changed here: %s.") % ", ".join(sorted(unknown)))
    locked = UsageSession.objects.select_for_update().select_related("classroom").get(pk=session.pk)
    before = {f: getattr(locked, f) for f in EDITABLE_SESSION_FIELDS}
    for field, value in changes.items():
        if field == "title":
            value = _one_line(value, limit=200, what=_("The title"), required=True)
        elif field == "recording_url":
            value = _recording_url(value)
        setattr(locked, field, value)
    if locked.status != UsageSession.Status.CANCELLED:
        _check_session(locked, locked.classroom)
    _full_clean(locked, constraints=False)
    locked.save()
    changed = sorted(f for f in EDITABLE_SESSION_FIELDS if getattr(locked, f) != before[f])
    if changed:
        event_record(
            actor=actor,
            verb="session.updated",
            target=locked,
            details={"fields": changed, "status": {"from": before["status"], "to": locked.status}},
        )
    return locked
