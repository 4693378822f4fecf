"""Reporting a problem with a classroom and following the tickets one opened: for the host
institution's teachers (and its managers, who are sent on to the management pages)."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import selectors, services
from ..forms import TicketForm
from ..models import Equipment
from ..services import ClassroomError
from . import classroom_for


@login_required
@require_GET
def my_tickets(request: HttpRequest, slug: str) -> HttpResponse:
    classroom = classroom_for(request, slug, "open_ticket")
    return render(
        request,
        "classrooms/tickets/mine.html",
        {
            "classroom": classroom,
            "tickets": selectors.tickets_opened_by(request.user, classroom),
            "may_manage": request.user.has_perm("classrooms.manage_classroom", classroom),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def ticket_new(request: HttpRequest, slug: str) -> HttpResponse:
    classroom = classroom_for(request, slug, "open_ticket")
    manager = request.user.has_perm("classrooms.manage_classroom", classroom)
    form = TicketForm(
        request.POST if request.method == "POST" else None,
        equipment=classroom.equipment.exclude(status=Equipment.Status.RETIRED).order_by(
            "kind", "label", "vendor", "pk"
        ),
        manager=manager,
        initial={"equipment": request.GET.get("equipment")} if request.method == "GET" else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_open(
                classroom=classroom,
                title=data["title"],
                description=data["description"],
                priority=data["priority"],
                equipment=data["equipment"],
                mark_under_repair=data.get("mark_under_repair", False),
                actor=request.user,
            )
        except ClassroomError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Your ticket “%(title)s” is open.") % {"title": ticket.title}
            )
            if manager:
                return redirect("classrooms:manage_ticket", slug=classroom.slug, uuid=ticket.uuid)
            return redirect("classrooms:ticket", slug=classroom.slug, uuid=ticket.uuid)
    return render(
        request,
        "classrooms/tickets/new.html",
        {"classroom": classroom, "form": form, "may_manage": manager},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_GET
def ticket_detail(request: HttpRequest, slug: str, uuid: UUID) -> HttpResponse:
    classroom = classroom_for(request, slug, "open_ticket")
    ticket = selectors.tickets_of(classroom).filter(uuid=uuid).first()
    if ticket is None or not request.user.has_perm("classrooms.see_ticket", ticket):
        raise Http404
    if request.user.has_perm("classrooms.handle_ticket", ticket):
        return redirect("classrooms:manage_ticket", slug=classroom.slug, uuid=ticket.uuid)
    return render(
        request, "classrooms/tickets/detail.html", {"classroom": classroom, "ticket": ticket}
    )


urlpatterns = [
    path("classrooms/<slug:slug>/tickets/", my_tickets, name="my_tickets"),
    path("classrooms/<slug:slug>/tickets/new/", ticket_new, name="ticket_new"),
    path("classrooms/<slug:slug>/tickets/<uuid:uuid>/", ticket_detail, name="ticket"),
]
