"""Who may do what with Smart Classrooms. Anything not granted here is denied.

Checked with ``user.has_perm("classrooms.<perm>", obj)`` (django-rules autodiscovers this
module). The names avoid Django's model permissions (``view_smartclassroom``, …), which
the admin uses for staff.

* Anyone sees a public classroom and its summary: host, sponsor, phase, dates, equipment
  counted by type and status, recent sessions with their offerings — never serials or
  tickets.
* The classroom's *managers* — the host institution's admins and the programme's managers
  (at the organisation that runs the programme) — see everything about it and manage its
  equipment, tickets and sessions, public or not.
* Teachers of the host institution see their institution's classrooms, open tickets and
  follow the tickets they opened.
"""

import rules

from microcert.accounts.roles import Role
from microcert.network import selectors as network_selectors
from microcert.network.models import Organisation

from .models import MaintenanceTicket, SmartClassroom


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


def manages_programme(user) -> bool:
    """A programme manager at the organisation that runs the programme."""
    if not _signed_in(user):
        return False
    ids = network_selectors.organisation_ids_where(user, Role.PROGRAMME_MANAGER)
    return bool(ids) and Organisation.objects.filter(pk__in=ids, is_programme_owner=True).exists()


def manages(user, classroom: SmartClassroom | None) -> bool:
    """The user manages the classroom's equipment, tickets and sessions."""
    if classroom is None or not _signed_in(user):
        return False
    return network_selectors.has_role(
        user, Role.INSTITUTION_ADMIN, classroom.host
    ) or manages_programme(user)


def teaches_at_host(user, classroom: SmartClassroom | None) -> bool:
    return (
        classroom is not None
        and _signed_in(user)
        and network_selectors.has_role(user, Role.TEACHER, classroom.host)
    )


@rules.predicate
def is_public(user, classroom: SmartClassroom | None) -> bool:
    return classroom is not None and classroom.is_public


@rules.predicate
def is_manager(user, classroom: SmartClassroom | None) -> bool:
    return manages(user, classroom)


@rules.predicate
def is_host_teacher(user, classroom: SmartClassroom | None) -> bool:
    return teaches_at_host(user, classroom)


@rules.predicate
def manages_ticket(user, ticket: MaintenanceTicket | None) -> bool:
    return ticket is not None and manages(user, ticket.classroom)


@rules.predicate
def opened_ticket(user, ticket: MaintenanceTicket | None) -> bool:
    return ticket is not None and _signed_in(user) and ticket.opened_by_id == user.pk


# The classroom's page (public summary) and whether it exists at all for the user.
rules.add_perm("classrooms.see_classroom", is_public | is_manager | is_host_teacher)
# Serials, warranties, every ticket, every session with its recording link.
rules.add_perm("classrooms.manage_classroom", is_manager)
# Opening a ticket and listing the tickets one opened (the object is the classroom).
rules.add_perm("classrooms.open_ticket", is_manager | is_host_teacher)
# One ticket: its managers, and whoever opened it.
rules.add_perm("classrooms.see_ticket", manages_ticket | opened_ticket)
# Assigning, starting, resolving, closing and reopening a ticket.
rules.add_perm("classrooms.handle_ticket", manages_ticket)
# Recording and correcting usage sessions (the object is the classroom).
rules.add_perm("classrooms.record_session", is_manager)
