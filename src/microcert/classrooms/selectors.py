"""Reads of the Smart Classroom registry, for its pages and API and for other pages.

For other apps' pages:

* ``classrooms_of(organisation)``: the public classrooms an organisation hosts or sponsors,
  ready for the ``classrooms/_cards.html`` partial;
* ``sessions_for_offering(offering)``: the sessions public classrooms held or scheduled for
  an offering (never cancelled ones).
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from microcert.accounts.models import User
from microcert.accounts.roles import Role
from microcert.catalog.models import Offering
from microcert.core.models import Event
from microcert.core.selectors import events_for
from microcert.network import selectors as network_selectors
from microcert.network.models import Organisation

from .models import Equipment, MaintenanceTicket, SmartClassroom, UsageSession
from .rules import manages_programme

OPEN_TICKET_STATUSES = [MaintenanceTicket.Status.OPEN, MaintenanceTicket.Status.IN_PROGRESS]
OPEN_TICKETS = Q(status__in=OPEN_TICKET_STATUSES)


def _count(model, condition: Q) -> Coalesce:
    """A correlated count per classroom; counting joins instead would multiply each other."""
    subquery = (
        model.objects.filter(condition, classroom=OuterRef("pk"))
        .order_by()
        .values("classroom")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(subquery, output_field=IntegerField()), Value(0))


def _with_counts(classrooms: QuerySet[SmartClassroom]) -> QuerySet[SmartClassroom]:
    """Host and sponsor joined; ``equipment_count`` (not retired), ``sessions_held``."""
    return classrooms.select_related("host", "sponsor").annotate(
        equipment_count=_count(Equipment, ~Q(status=Equipment.Status.RETIRED)),
        sessions_held=_count(UsageSession, Q(status=UsageSession.Status.HELD)),
    )


def public_classrooms() -> QuerySet[SmartClassroom]:
    """Every public classroom, with the counts its card shows, by country and host."""
    return _with_counts(SmartClassroom.objects.filter(is_public=True)).order_by(
        "host__country", "host__name", "name"
    )


def classrooms_of(organisation: Organisation) -> QuerySet[SmartClassroom]:
    """The public classrooms ``organisation`` hosts or sponsors (for its partner page)."""
    return public_classrooms().filter(Q(host=organisation) | Q(sponsor=organisation))


def classrooms_for_staff(user: User) -> QuerySet[SmartClassroom]:
    """Public or not, the classrooms the user manages or teaches at the host of."""
    if not getattr(user, "is_authenticated", False):
        return SmartClassroom.objects.none()
    if manages_programme(user):
        found = SmartClassroom.objects.all()
    else:
        hosts = network_selectors.organisation_ids_where(
            user, Role.INSTITUTION_ADMIN
        ) | network_selectors.organisation_ids_where(user, Role.TEACHER)
        found = SmartClassroom.objects.filter(host_id__in=hosts)
    return _with_counts(found).order_by("host__name", "name")


def classroom_by_slug(slug: str) -> SmartClassroom | None:
    return _with_counts(SmartClassroom.objects.filter(slug=slug)).first()


def filter_choices() -> tuple[list[tuple[str, str]], list[Organisation]]:
    """The countries and host institutions that have public classrooms, for the filters."""
    hosts = list(
        Organisation.objects.filter(hosted_classrooms__is_public=True).distinct().order_by("name")
    )
    countries = sorted({(h.country.code, h.country.name) for h in hosts}, key=lambda c: c[1])
    return countries, hosts


# --- One classroom's summary ------------------------------------------------------------------


@dataclass
class EquipmentRow:
    kind: str
    label: str
    counts: dict[str, int] = field(default_factory=dict)
    # (status label, count) in the order of ``Summary.statuses``, for tables.
    cells: list[tuple[str, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Summary:
    """What anyone may know about a classroom's use and equipment."""

    equipment: list[EquipmentRow]
    statuses: list[tuple[str, str]]
    recent: list[UsageSession]
    upcoming: list[UsageSession]
    sessions_held: int
    hours_held: float
    participants: int

    @property
    def equipment_total(self) -> int:
        return sum(row.total for row in self.equipment)


def _sessions_with_offerings(classroom: SmartClassroom) -> QuerySet[UsageSession]:
    return classroom.sessions.select_related(
        "offering", "offering__version", "offering__host"
    ).order_by("-starts_at", "-pk")


def classroom_summary(classroom: SmartClassroom, *, recent: int = 6) -> Summary:
    """Equipment counted by type and status (retired items are not shown), totals and the
    latest held and next scheduled sessions with the offerings they serve."""
    statuses = [
        (Equipment.Status.IN_SERVICE.value, str(Equipment.Status.IN_SERVICE.label)),
        (Equipment.Status.UNDER_REPAIR.value, str(Equipment.Status.UNDER_REPAIR.label)),
    ]
    counts = Counter(
        classroom.equipment.exclude(status=Equipment.Status.RETIRED)
        .values_list("kind", "status")
        .order_by()
    )
    rows = []
    for kind, label in Equipment.Kind.choices:
        row = EquipmentRow(kind=kind, label=str(label))
        for status, status_label in statuses:
            row.counts[status] = counts.get((kind, status), 0)
            row.cells.append((status_label, row.counts[status]))
        if row.total:
            rows.append(row)
    held = classroom.sessions.filter(status=UsageSession.Status.HELD)
    totals = held.aggregate(
        n=Count("pk"), minutes=Sum("duration_minutes"), people=Sum("participants")
    )
    now = timezone.now()
    return Summary(
        equipment=rows,
        statuses=statuses,
        recent=list(_sessions_with_offerings(classroom).filter(status="held")[:recent]),
        upcoming=list(
            _sessions_with_offerings(classroom)
            .filter(status=UsageSession.Status.SCHEDULED, starts_at__gte=now)
            .order_by("starts_at", "pk")[:recent]
        ),
        sessions_held=totals["n"] or 0,
        hours_held=round((totals["minutes"] or 0) / 60, 1),
        participants=totals["people"] or 0,
    )


def sessions_for_offering(offering: Offering) -> QuerySet[UsageSession]:
    """Sessions in public classrooms that served (or will serve) ``offering``, the latest
    first, with their classroom and its host; cancelled ones are left out."""
    return (
        UsageSession.objects.filter(offering=offering, classroom__is_public=True)
        .exclude(status=UsageSession.Status.CANCELLED)
        .select_related("classroom", "classroom__host")
        .order_by("-starts_at", "-pk")
    )


# --- Management -------------------------------------------------------------------------------


KIND_ORDER = Case(
    *[When(kind=kind, then=Value(i)) for i, kind in enumerate(Equipment.Kind.values)],
    output_field=IntegerField(),
)


def equipment_of(classroom: SmartClassroom, *, retired: bool = True) -> QuerySet[Equipment]:
    """The inventory, by type in the order of ``Equipment.Kind`` (retired items last);
    ``open_tickets`` counts each item's open or in-progress tickets."""
    open_tickets = Q(tickets__status__in=OPEN_TICKET_STATUSES)
    items = classroom.equipment.annotate(open_tickets=Count("tickets", filter=open_tickets))
    if not retired:
        items = items.exclude(status=Equipment.Status.RETIRED)
    retired_last = Case(
        When(status=Equipment.Status.RETIRED, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return items.order_by(retired_last, KIND_ORDER, "label", "vendor", "model", "pk")


def warranty_alerts(classroom: SmartClassroom, today: datetime.date) -> list[Equipment]:
    """Items not retired whose warranty has ended or is running out, the soonest first."""
    return [
        item
        for item in equipment_of(classroom, retired=False).order_by("warranty_until")
        if item.warranty_state(today) in ("expired", "expiring")
    ]


def tickets_of(classroom: SmartClassroom, status: str | None = None) -> QuerySet:
    tickets = classroom.tickets.select_related("equipment", "opened_by", "assignee")
    if status == "open":
        tickets = tickets.filter(OPEN_TICKETS)
    elif status:
        tickets = tickets.filter(status=status)
    return tickets.order_by("-opened_at", "-pk")


def ticket_history(ticket: MaintenanceTicket) -> list[Event]:
    """What happened to the ticket, in order: ``when`` is when it happened (given for
    what was recorded afterwards), and a status change carries the new status's label as
    ``status_label``."""
    events = list(events_for(ticket).select_related("actor").order_by("occurred_at", "id"))
    labels = dict(MaintenanceTicket.Status.choices)
    emails = {e.details.get("to") for e in events if e.verb == "ticket.assigned"} - {None}
    names = {p.email: str(p) for p in User.objects.filter(email__in=emails)}
    for event in events:
        if event.verb == "ticket.assigned":
            to = event.details.get("to")
            event.assignee_name = names.get(to, to) if to else ""
        happened = event.details.get("at")
        event.when = datetime.datetime.fromisoformat(happened) if happened else event.occurred_at
        to = event.details.get("to") if event.verb != "ticket.assigned" else None
        event.status_label = labels.get(to, "")
        event.status_code = to if to in labels else ""
    return sorted(events, key=lambda e: e.when)


def tickets_opened_by(user: User, classroom: SmartClassroom) -> QuerySet[MaintenanceTicket]:
    return tickets_of(classroom).filter(opened_by=user)


def ticket_counts(classroom: SmartClassroom) -> dict[str, int]:
    counts = dict(classroom.tickets.values_list("status").annotate(n=Count("pk")).order_by())
    return {status: counts.get(status, 0) for status in MaintenanceTicket.Status.values}


def sessions_of(classroom: SmartClassroom) -> QuerySet[UsageSession]:
    return _sessions_with_offerings(classroom).select_related("recorded_by")


def offerings_for_sessions(
    classroom: SmartClassroom,
    today: datetime.date | None = None,
    also: Offering | None = None,
) -> QuerySet[Offering]:
    """The offering picker: offerings the host runs or whose micro-credential it awards,
    not cancelled, that ended at most a year ago and start within a year and a half (the
    service checks the session's own day); ``also`` keeps a session's present offering."""
    today = today or timezone.localdate()
    sensible = Q(
        Q(host=classroom.host) | Q(version__awarding_bodies=classroom.host),
        ends_on__gte=today - datetime.timedelta(days=365),
        starts_on__lte=today + datetime.timedelta(days=548),
    ) & ~Q(status=Offering.Status.CANCELLED)
    if also is not None:
        sensible |= Q(pk=also.pk)
    return (
        Offering.objects.filter(sensible)
        .select_related("version", "host")
        .distinct()
        .order_by("starts_on", "pk")
    )


def classroom_managers(classroom: SmartClassroom) -> list[User]:
    """The people who manage the classroom, by name: its host's admins and the programme's
    managers. A ticket is assigned only to one of them (anyone else could not see it)."""
    host_admins = Q(
        affiliations__role=Role.INSTITUTION_ADMIN,
        affiliations__organisation=classroom.host,
        affiliations__is_active=True,
    )
    managers = Q(
        affiliations__role=Role.PROGRAMME_MANAGER,
        affiliations__organisation__is_programme_owner=True,
        affiliations__is_active=True,
    )
    return list(
        User.objects.filter(host_admins | managers, is_active=True)
        .distinct()
        .order_by("legal_name", "email")
    )
