"""Who may do what: anyone sees a public classroom; its managers (the host's admins and the
programme's managers) manage it; the host's teachers open tickets and follow their own.
Everything else is denied."""

import pytest
from django.contrib.auth.models import AnonymousUser

from microcert.classrooms import services

from .factories import classroom

pytestmark = pytest.mark.django_db

PERMS = ("see_classroom", "manage_classroom", "open_ticket", "record_session")


def allowed(person, obj) -> set[str]:
    return {p for p in PERMS if person.has_perm(f"classrooms.{p}", obj)}


def test_anyone_sees_a_public_classroom_and_nothing_more(world):
    for person in (
        AnonymousUser(),
        world.stranger,
        world.other_teacher,
        world.other_admin,
        world.assessor,
    ):
        assert allowed(person, world.room) == {"see_classroom"}


def test_a_private_classroom_does_not_exist_for_outsiders(world):
    private = classroom(world.hust, slug="private", is_public=False)
    for person in (AnonymousUser(), world.stranger, world.other_admin, world.assessor):
        assert allowed(person, private) == set()
    assert allowed(world.teacher, private) == {"see_classroom", "open_ticket"}


def test_managers_do_everything(world):
    for person in (world.admin, world.manager):
        assert allowed(person, world.room) == set(PERMS)


def test_teachers_of_the_host_open_tickets(world):
    assert allowed(world.teacher, world.room) == {"see_classroom", "open_ticket"}


def test_a_ticket_is_seen_by_its_opener_and_the_managers_and_handled_by_the_managers(world):
    ticket = services.ticket_open(classroom=world.room, title="Echo", actor=world.teacher)
    for person in (world.teacher, world.admin, world.manager):
        assert person.has_perm("classrooms.see_ticket", ticket)
    for person in (world.teacher2, world.other_admin, world.stranger, AnonymousUser()):
        assert not person.has_perm("classrooms.see_ticket", ticket)
    assert {
        p
        for p in (world.teacher, world.admin, world.manager, world.other_admin)
        if p.has_perm("classrooms.handle_ticket", ticket)
    } == {world.admin, world.manager}


def test_a_programme_manager_elsewhere_than_the_programme_owner_is_not_a_manager(world):
    from microcert.accounts.roles import Role
    from microcert.network.models import Affiliation

    # The services refuse such a role; an old or imported row must still not count.
    Affiliation.objects.create(
        person=world.stranger, organisation=world.other, role=Role.PROGRAMME_MANAGER
    )
    assert allowed(world.stranger, world.room) == {"see_classroom"}


def test_a_revoked_role_counts_no_more(world):
    from microcert.network import services as network_services
    from microcert.network.models import Affiliation

    affiliation = Affiliation.objects.get(person=world.admin, organisation=world.hust)
    network_services.affiliation_revoke(affiliation=affiliation)
    world.admin.refresh_from_db()
    fresh = type(world.admin).objects.get(pk=world.admin.pk)
    assert allowed(fresh, world.room) == {"see_classroom"}


def test_an_inactive_account_holds_no_role(world):
    world.admin.is_active = False
    assert allowed(world.admin, world.room) == {"see_classroom"}  # public, like for anyone
