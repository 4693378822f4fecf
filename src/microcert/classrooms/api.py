"""Smart Classrooms as a REST API, mounted under ``/api/v1/classrooms/``.

Thin like the pages: parse (``api_schemas``), authorise (``rules.py``, through
``request.user.has_perm``), call a service or a selector, render. Refusals:

* the list and a classroom's summary are public (no credentials needed) and show public
  classrooms only, whoever asks;
* a classroom the caller may not see answers 404, exactly like one that does not exist, and
  so does a ticket they neither opened nor manage;
* what they see but their role does not allow answers 403 (a teacher reading the inventory);
* a step the present state does not allow answers 409 (a ticket in a closed classroom, a
  closed ticket closed again); content the services refuse answers 400 (a held session that
  ends in the future, a recording link that is not http or https).
"""

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError

from microcert.catalog.models import Offering
from microcert.core.api_paging import PageParams, paged
from microcert.network.models import Organisation

from . import selectors, services
from .api_schemas import (
    ClassroomDetailOut,
    ClassroomPage,
    EquipmentOut,
    ErrorOut,
    InvalidOut,
    TicketIn,
    TicketOut,
    TicketPage,
    TicketStatusIn,
    UsageSessionIn,
    UsageSessionOut,
    UsageSessionPage,
)
from .models import Equipment, MaintenanceTicket, SmartClassroom, UsageSession
from .services import TICKET_TRANSITIONS, TICKETS_ACCEPTED_IN, ClassroomError

router = Router(tags=["classrooms"])

SLUG = r"^[-a-zA-Z0-9_]+$"

# --- Refusals ---------------------------------------------------------------------------------


def _responses(ok: dict[int, Any], *errors: int, public: bool = False) -> dict[int, Any]:
    documented: dict[int, Any] = dict(ok)
    for code in sorted({*errors, *(() if public else (401,))}):
        documented[code] = ErrorOut
    documented[422] = InvalidOut
    return documented


def _refused(error: ClassroomError, status: int = 400) -> HttpError:
    return HttpError(status, " ".join(error.messages))


def _not_found(what: str) -> HttpError:
    return HttpError(404, _("There is no %(what)s with this identifier.") % {"what": what})


def _classroom(request: HttpRequest, slug: str, perm: str | None = None) -> SmartClassroom:
    """404 for a classroom the caller may not see; 403 when ``perm`` is not theirs."""
    classroom = selectors.classroom_by_slug(slug)
    if classroom is None or not request.user.has_perm("classrooms.see_classroom", classroom):
        raise _not_found(_("classroom"))
    if perm and not request.user.has_perm(f"classrooms.{perm}", classroom):
        raise HttpError(403, _("Your role does not allow this for this classroom."))
    return classroom


# --- Rendering --------------------------------------------------------------------------------


def _organisation(organisation: Organisation | None) -> dict | None:
    if organisation is None:
        return None
    return {
        "uuid": organisation.uuid,
        "slug": organisation.slug,
        "name": organisation.name,
        "country": organisation.country.code,
    }


def _person(person) -> dict | None:
    return {"uuid": person.uuid, "name": str(person)} if person is not None else None


def _offering(offering: Offering | None) -> dict | None:
    if offering is None:
        return None
    return {
        "uuid": offering.uuid,
        "micro_credential": offering.version.micro_credential.slug,
        "title": offering.version.title,
        "host": offering.host.slug,
        "starts_on": offering.starts_on,
        "ends_on": offering.ends_on,
        "language": offering.language,
    }


def _classroom_out(classroom: SmartClassroom) -> dict:
    return {
        "uuid": classroom.uuid,
        "slug": classroom.slug,
        "name": classroom.name,
        "description": classroom.description,
        "host": _organisation(classroom.host),
        "sponsor": _organisation(classroom.sponsor),
        "building": classroom.building,
        "room": classroom.room,
        "phase": classroom.phase,
        "status": classroom.status,
        "installed_on": classroom.installed_on,
        "launched_on": classroom.launched_on,
        "capacity": classroom.capacity,
        "time_zone": classroom.time_zone,
        "equipment_count": classroom.equipment_count,
        "sessions_held": classroom.sessions_held,
    }


def _public_session(session: UsageSession) -> dict:
    return {
        "uuid": session.uuid,
        "kind": session.kind,
        "status": session.status,
        "title": session.title,
        "language": session.language,
        "starts_at": session.starts_at,
        "duration_minutes": session.duration_minutes,
        "participants": session.participants,
        "offering": _offering(session.offering),
    }


def _session(session: UsageSession) -> dict:
    return {
        **_public_session(session),
        "recording_url": session.recording_url,
        "recorded_by": _person(session.recorded_by),
    }


def _equipment(item: Equipment) -> dict:
    return {
        "uuid": item.uuid,
        "kind": item.kind,
        "label": item.label,
        "vendor": item.vendor,
        "model": item.model,
        "serial": item.serial,
        "warranty_until": item.warranty_until,
        "warranty": item.warranty_state(timezone.localdate()),
        "status": item.status,
        "notes": item.notes,
        "open_tickets": item.open_tickets,
    }


def _ticket(ticket: MaintenanceTicket) -> dict:
    item = ticket.equipment
    return {
        "uuid": ticket.uuid,
        "title": ticket.title,
        "description": ticket.description,
        "priority": ticket.priority,
        "status": ticket.status,
        "equipment": (
            {"uuid": item.uuid, "kind": item.kind, "label": item.label, "status": item.status}
            if item
            else None
        ),
        "opened_by": _person(ticket.opened_by),
        "assignee": _person(ticket.assignee),
        "resolution": ticket.resolution,
        "opened_at": ticket.opened_at,
        "started_at": ticket.started_at,
        "resolved_at": ticket.resolved_at,
        "closed_at": ticket.closed_at,
    }


# --- Public -----------------------------------------------------------------------------------


@router.get(
    "",
    auth=None,
    response=_responses({200: ClassroomPage}, public=True),
    summary="Public Smart Classrooms",
)
def classroom_list(
    request: HttpRequest,
    page: Query[PageParams],
    country: str | None = Query(
        None, min_length=2, max_length=2, description="The host's country (ISO 3166-1)."
    ),
    host: str | None = Query(None, max_length=80, pattern=SLUG, description="The host's slug."),
) -> dict:
    """The public classrooms by country and host, with their sponsor, phase, dates and
    counts. No credentials needed."""
    classrooms = selectors.public_classrooms()
    if country:
        classrooms = classrooms.filter(host__country=country.upper())
    if host:
        classrooms = classrooms.filter(host__slug=host)
    return paged(classrooms, page, _classroom_out)


@router.get(
    "/{slug}",
    auth=None,
    response=_responses({200: ClassroomDetailOut}, 404, public=True),
    summary="A public Smart Classroom",
)
def classroom_get(request: HttpRequest, slug: str) -> dict:
    """A public classroom's summary: equipment counted by type and status, the use made of
    it, recent and coming sessions with the offerings they serve. Never serials or tickets."""
    classroom = selectors.classroom_by_slug(slug)
    if classroom is None or not classroom.is_public:
        raise _not_found(_("classroom"))
    summary = selectors.classroom_summary(classroom)
    return {
        **_classroom_out(classroom),
        "equipment": [
            {"kind": row.kind, **{status: row.counts[status] for status, _ in summary.statuses}}
            for row in summary.equipment
        ],
        "hours_held": summary.hours_held,
        "participants": summary.participants,
        "recent_sessions": [_public_session(s) for s in summary.recent],
        "upcoming_sessions": [_public_session(s) for s in summary.upcoming],
    }


# --- Equipment --------------------------------------------------------------------------------


@router.get(
    "/{slug}/equipment",
    response=_responses({200: list[EquipmentOut]}, 403, 404),
    summary="A classroom's equipment inventory",
)
def equipment_list(request: HttpRequest, slug: str) -> list[dict]:
    """Every item with its serial, warranty (``expiring`` within 90 days) and open tickets;
    for the host institution's admins and the programme's managers."""
    classroom = _classroom(request, slug, "manage_classroom")
    return [_equipment(item) for item in selectors.equipment_of(classroom)]


# --- Tickets ----------------------------------------------------------------------------------


def _visible_ticket(request: HttpRequest, classroom: SmartClassroom, uuid: UUID):
    ticket = selectors.tickets_of(classroom).filter(uuid=uuid).first()
    if ticket is None or not request.user.has_perm("classrooms.see_ticket", ticket):
        raise _not_found(_("ticket"))
    return ticket


@router.get(
    "/{slug}/tickets",
    response=_responses({200: TicketPage}, 403, 404),
    summary="Tickets of a classroom",
)
def ticket_list(
    request: HttpRequest,
    slug: str,
    page: Query[PageParams],
    status: str | None = Query(
        None, pattern="^(open|in_progress|resolved|closed)$", description="Only this status."
    ),
) -> dict:
    """Every ticket for the classroom's managers; a teacher of the host institution gets
    the tickets they opened. The newest first."""
    classroom = _classroom(request, slug, "open_ticket")
    if request.user.has_perm("classrooms.manage_classroom", classroom):
        tickets = selectors.tickets_of(classroom)
    else:
        tickets = selectors.tickets_opened_by(request.user, classroom)
    if status:
        tickets = tickets.filter(status=status)
    return paged(tickets, page, _ticket)


@router.post(
    "/{slug}/tickets",
    response=_responses({201: TicketOut}, 400, 403, 404, 409),
    summary="Open a ticket",
)
def ticket_create(request: HttpRequest, slug: str, data: TicketIn) -> Status:
    """Report a problem with the classroom, optionally about one of its items; for its
    managers and the host institution's teachers. 409 unless the classroom is being
    installed or in service."""
    classroom = _classroom(request, slug, "open_ticket")
    if classroom.status not in TICKETS_ACCEPTED_IN:
        raise HttpError(409, _("Tickets are opened for classrooms being installed or in service."))
    equipment = None
    if data.equipment is not None:
        equipment = classroom.equipment.filter(uuid=data.equipment).first()
        if equipment is None:
            raise HttpError(400, _("This equipment is not in this classroom."))
    try:
        ticket = services.ticket_open(
            classroom=classroom,
            title=data.title,
            description=data.description,
            priority=data.priority,
            equipment=equipment,
            actor=request.user,
        )
    except ClassroomError as error:
        raise _refused(error) from error
    return Status(201, _ticket(selectors.tickets_of(classroom).get(pk=ticket.pk)))


@router.get(
    "/{slug}/tickets/{uuid:ticket_id}",
    response=_responses({200: TicketOut}, 403, 404),
    summary="A ticket",
)
def ticket_get(request: HttpRequest, slug: str, ticket_id: UUID) -> dict:
    """For the classroom's managers and whoever opened it."""
    classroom = _classroom(request, slug)
    return _ticket(_visible_ticket(request, classroom, ticket_id))


@router.post(
    "/{slug}/tickets/{uuid:ticket_id}/status",
    response=_responses({200: TicketOut}, 400, 403, 404, 409),
    summary="Change a ticket's status",
)
def ticket_status(request: HttpRequest, slug: str, ticket_id: UUID, data: TicketStatusIn) -> dict:
    """Start, resolve (with the resolution as ``note``), close or reopen (with the reason as
    ``note``) a ticket; for the classroom's managers. 409 when the ticket's present status
    does not lead to the one asked for."""
    classroom = _classroom(request, slug)
    ticket = _visible_ticket(request, classroom, ticket_id)
    if not request.user.has_perm("classrooms.handle_ticket", ticket):
        raise HttpError(403, _("Only the classroom's managers change a ticket's status."))
    if data.status not in TICKET_TRANSITIONS[ticket.status]:
        raise HttpError(
            409,
            _("A ticket that is %(old)s cannot become %(new)s.")
            % {
                "old": MaintenanceTicket.Status(ticket.status).label.lower(),
                "new": MaintenanceTicket.Status(data.status).label.lower(),
            },
        )
    try:
        services.ticket_set_status(
            ticket=ticket,
            status=data.status,
            note=data.note,
            equipment_back_in_service=data.equipment_back_in_service,
            actor=request.user,
        )
    except ClassroomError as error:
        raise _refused(error) from error
    return _ticket(selectors.tickets_of(classroom).get(pk=ticket.pk))


# --- Sessions ---------------------------------------------------------------------------------


@router.get(
    "/{slug}/sessions",
    response=_responses({200: UsageSessionPage}, 403, 404),
    summary="Usage sessions of a classroom",
)
def session_list(
    request: HttpRequest,
    slug: str,
    page: Query[PageParams],
    status: str | None = Query(
        None, pattern="^(scheduled|held|cancelled)$", description="Only this status."
    ),
) -> dict:
    """Every session with its recording link and who recorded it, the latest first; for the
    classroom's managers."""
    classroom = _classroom(request, slug, "manage_classroom")
    sessions = selectors.sessions_of(classroom)
    if status:
        sessions = sessions.filter(status=status)
    return paged(sessions, page, _session)


@router.post(
    "/{slug}/sessions",
    response=_responses({201: UsageSessionOut}, 400, 403, 404, 409),
    summary="Record a usage session",
)
def session_create(request: HttpRequest, slug: str, data: UsageSessionIn) -> Status:
    """Log a session the classroom held (it must have ended) or will hold (scheduled, in the
    future), optionally linked to an offering the host runs or awards. 409 for a classroom
    that is only planned."""
    classroom = _classroom(request, slug, "record_session")
    if classroom.status == SmartClassroom.Status.PLANNED:
        raise HttpError(409, _("This classroom is only planned; it has served no session yet."))
    offering = None
    if data.offering is not None:
        offering = (
            Offering.objects.select_related("version", "host").filter(uuid=data.offering).first()
        )
        if offering is None:
            raise _not_found(_("offering"))
    try:
        session = services.session_record(
            classroom=classroom,
            kind=data.kind,
            status=data.status,
            title=data.title,
            language=data.language,
            starts_at=data.starts_at,
            duration_minutes=data.duration_minutes,
            participants=data.participants,
            recording_url=data.recording_url,
            offering=offering,
            actor=request.user,
        )
    except ClassroomError as error:
        raise _refused(error) from error
    return Status(201, _session(selectors.sessions_of(classroom).get(pk=session.pk)))
