"""Managing a classroom: the equipment inventory (with warranty warnings), its tickets and
their status, and the log of usage sessions. For the host institution's admins and the
programme's managers; others get 404 for a classroom they may not see and 403 otherwise."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import selectors, services
from ..forms import AssignForm, EquipmentForm, SessionForm, TicketStatusForm
from ..models import Equipment, MaintenanceTicket, SmartClassroom, UsageSession
from ..services import TICKET_TRANSITIONS, ClassroomError
from . import classroom_for


def _managed(request: HttpRequest, slug: str) -> SmartClassroom:
    return classroom_for(request, slug, "manage_classroom")


@login_required
@require_GET
def manage_home(request: HttpRequest, slug: str) -> HttpResponse:
    classroom = _managed(request, slug)
    today = timezone.localdate()
    equipment = list(selectors.equipment_of(classroom))
    for item in equipment:
        item.warranty = item.warranty_state(today)
        item.flagged = item.status != Equipment.Status.RETIRED and item.warranty in (
            "expired",
            "expiring",
        )
    return render(
        request,
        "classrooms/manage/home.html",
        {
            "classroom": classroom,
            "equipment": equipment,
            "alerts": selectors.warranty_alerts(classroom, today),
            "ticket_counts": selectors.ticket_counts(classroom),
            "open_tickets": selectors.tickets_of(classroom, "open")[:5],
            "sessions": selectors.sessions_of(classroom)[:5],
            "today": today,
        },
    )


def _equipment_form(
    request: HttpRequest, classroom: SmartClassroom, item: Equipment | None
) -> HttpResponse:
    initial = None
    if item is not None:
        initial = {f: getattr(item, f) for f in services.EDITABLE_EQUIPMENT_FIELDS}
    form = EquipmentForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        adding=item is None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            if item is None:
                item = services.equipment_add(
                    classroom=classroom, actor=request.user, **form.cleaned_data
                )
                done = _("%(item)s is added to the inventory.")
            else:
                item = services.equipment_update(
                    equipment=item, actor=request.user, **form.cleaned_data
                )
                done = _("%(item)s is updated.")
        except ClassroomError as error:
            form.add_error(None, error)
        else:
            messages.success(request, done % {"item": item})
            state = item.warranty_state(timezone.localdate())
            if item.status != Equipment.Status.RETIRED and state == "expired":
                messages.warning(
                    request,
                    _("Its warranty ended on %(day)s; it is flagged in the inventory.")
                    % {"day": item.warranty_until.isoformat()},
                )
            return redirect("classrooms:manage", slug=classroom.slug)
    return render(
        request,
        "classrooms/manage/equipment_form.html",
        {"classroom": classroom, "form": form, "item": item},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def equipment_new(request: HttpRequest, slug: str) -> HttpResponse:
    classroom = _managed(request, slug)
    return _equipment_form(request, classroom, None)


@login_required
@require_http_methods(["GET", "POST"])
def equipment_edit(request: HttpRequest, slug: str, uuid: UUID) -> HttpResponse:
    classroom = _managed(request, slug)
    item = classroom.equipment.filter(uuid=uuid).first()
    if item is None:
        raise Http404
    return _equipment_form(request, classroom, item)


# --- Tickets ----------------------------------------------------------------------------------

TICKET_FILTERS = ("open", *MaintenanceTicket.Status.values)


@login_required
@require_GET
def ticket_list(request: HttpRequest, slug: str) -> HttpResponse:
    classroom = _managed(request, slug)
    status = request.GET.get("status", "open")
    if status not in (*TICKET_FILTERS, "all"):
        status = "open"
    return render(
        request,
        "classrooms/manage/tickets.html",
        {
            "classroom": classroom,
            "tickets": selectors.tickets_of(classroom, None if status == "all" else status),
            "status": status,
            "counts": selectors.ticket_counts(classroom),
            "filters": [
                ("open", _("Open or in progress")),
                *MaintenanceTicket.Status.choices,
                ("all", _("All")),
            ],
        },
    )


def _ticket_forms(request: HttpRequest, ticket: MaintenanceTicket, action: str | None):
    post = request.POST if request.method == "POST" else None
    under_repair = (
        ticket.equipment is not None and ticket.equipment.status == Equipment.Status.UNDER_REPAIR
    )
    status_form = TicketStatusForm(
        post if action == "status" else None,
        allowed=sorted(TICKET_TRANSITIONS[ticket.status]),
        equipment_under_repair=under_repair,
    )
    assign_form = None
    if ticket.is_open:
        assign_form = AssignForm(
            post if action == "assign" else None,
            people=selectors.classroom_managers(ticket.classroom),
            initial={"assignee": ticket.assignee.uuid if ticket.assignee else None},
        )
    return status_form, assign_form


@login_required
@require_http_methods(["GET", "POST"])
def ticket_detail(request: HttpRequest, slug: str, uuid: UUID) -> HttpResponse:
    classroom = _managed(request, slug)
    ticket = selectors.tickets_of(classroom).filter(uuid=uuid).first()
    if ticket is None:
        raise Http404
    action = request.POST.get("action") if request.method == "POST" else None
    if request.method == "POST" and action not in ("status", "assign"):
        messages.error(request, _("Nothing was changed: the form sent was not recognised."))
        return redirect("classrooms:manage_ticket", slug=classroom.slug, uuid=ticket.uuid)
    status_form, assign_form = _ticket_forms(request, ticket, action)
    bound = status_form if action == "status" else assign_form
    if action == "assign" and assign_form is None:
        messages.error(request, _("Reopen the ticket before assigning it."))
        return redirect("classrooms:manage_ticket", slug=classroom.slug, uuid=ticket.uuid)
    if request.method == "POST" and bound is not None and bound.is_valid():
        data = bound.cleaned_data
        try:
            if action == "status":
                services.ticket_set_status(
                    ticket=ticket,
                    status=data["status"],
                    note=data["note"],
                    equipment_back_in_service=data.get("equipment_back_in_service", False),
                    actor=request.user,
                )
                done = _("The ticket is now %(status)s.") % {
                    "status": MaintenanceTicket.Status(data["status"]).label.lower()
                }
            else:
                services.ticket_assign(ticket=ticket, assignee=data["assignee"], actor=request.user)
                done = _("The assignment is saved.")
        except ClassroomError as error:
            bound.add_error(None, error)
        else:
            messages.success(request, done)
            return redirect("classrooms:manage_ticket", slug=classroom.slug, uuid=ticket.uuid)
    return render(
        request,
        "classrooms/manage/ticket.html",
        {
            "classroom": classroom,
            "ticket": ticket,
            "status_form": status_form,
            "assign_form": assign_form,
            "history": selectors.ticket_history(ticket),
        },
        status=400 if action and bound is not None and bound.errors else 200,
    )


# --- Sessions ---------------------------------------------------------------------------------


@login_required
@require_GET
def session_list(request: HttpRequest, slug: str) -> HttpResponse:
    classroom = _managed(request, slug)
    return render(
        request,
        "classrooms/manage/sessions.html",
        {
            "classroom": classroom,
            "sessions": selectors.sessions_of(classroom),
            "summary": selectors.classroom_summary(classroom),
            "now": timezone.now(),
        },
    )


def _session_form(
    request: HttpRequest, classroom: SmartClassroom, session: UsageSession | None
) -> HttpResponse:
    initial = {"language": request.LANGUAGE_CODE}
    if session is not None:
        initial = SessionForm.initial_from(session, classroom.zone)
    form = SessionForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        offerings=selectors.offerings_for_sessions(
            classroom, also=session.offering if session else None
        ),
        zone=classroom.zone,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("starts_on")
        data.pop("starts_time")
        try:
            if session is None:
                session = services.session_record(
                    classroom=classroom, starts_at=form.starts_at(), actor=request.user, **data
                )
                done = _("The session “%(title)s” is recorded.")
            else:
                session = services.session_update(
                    session=session, starts_at=form.starts_at(), actor=request.user, **data
                )
                done = _("The session “%(title)s” is updated.")
        except ClassroomError as error:
            form.add_error(None, error)
        else:
            messages.success(request, done % {"title": session.title})
            return redirect("classrooms:manage_sessions", slug=classroom.slug)
    return render(
        request,
        "classrooms/manage/session_form.html",
        {"classroom": classroom, "form": form, "session": session},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest, slug: str) -> HttpResponse:
    classroom = classroom_for(request, slug, "record_session")
    return _session_form(request, classroom, None)


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, slug: str, uuid: UUID) -> HttpResponse:
    classroom = classroom_for(request, slug, "record_session")
    session = classroom.sessions.select_related("offering").filter(uuid=uuid).first()
    if session is None:
        raise Http404
    return _session_form(request, classroom, session)


PREFIX = "classrooms/<slug:slug>/manage/"
urlpatterns = [
    path(PREFIX, manage_home, name="manage"),
    path(f"{PREFIX}equipment/new/", equipment_new, name="equipment_new"),
    path(f"{PREFIX}equipment/<uuid:uuid>/", equipment_edit, name="equipment_edit"),
    path(f"{PREFIX}tickets/", ticket_list, name="manage_tickets"),
    path(f"{PREFIX}tickets/<uuid:uuid>/", ticket_detail, name="manage_ticket"),
    path(f"{PREFIX}sessions/", session_list, name="manage_sessions"),
    path(f"{PREFIX}sessions/new/", session_new, name="session_new"),
    path(f"{PREFIX}sessions/<uuid:uuid>/", session_edit, name="session_edit"),
]
