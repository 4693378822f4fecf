import datetime

import pytest

from microcert.accounts.models import User
from microcert.accounts.roles import Role
from microcert.accounts.tests.factories import UserFactory
from microcert.network import selectors, services

from .factories import (
    AgreementFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeOwnerFactory,
)

pytestmark = pytest.mark.django_db


def test_programme_owner_is_the_organisation_that_runs_the_programme():
    assert selectors.programme_owner() is None
    centre = ProgrammeOwnerFactory()
    OrganisationFactory()

    assert selectors.programme_owner() == centre


def test_people_of_organisation_lists_active_roles_there_only():
    a, b = OrganisationFactory(), OrganisationFactory()
    ana, bao, chi = UserFactory(legal_name="Ana"), UserFactory(legal_name="Bao"), UserFactory()
    services.affiliation_grant(person=ana, organisation=a, role=Role.TEACHER)
    services.affiliation_grant(person=ana, organisation=a, role=Role.ASSESSOR)
    services.affiliation_grant(person=ana, organisation=b, role=Role.INSTITUTION_ADMIN)
    left = services.affiliation_grant(person=bao, organisation=a, role=Role.TEACHER)
    services.affiliation_revoke(affiliation=left)
    services.affiliation_grant(person=chi, organisation=b, role=Role.TEACHER)

    [person] = selectors.people_of_organisation(a)

    assert person == ana
    assert sorted(r.role for r in person.roles_here) == ["assessor", "teacher"]


def test_partner_directory_lists_only_organisations_with_an_active_membership():
    active = MembershipFactory()
    services.membership_set_status(membership=active, status="active", on=datetime.date(2024, 1, 1))
    MembershipFactory()  # applied only
    ended = MembershipFactory()
    services.membership_set_status(membership=ended, status="ended")

    assert list(selectors.partner_directory()) == [active.organisation]


def test_agreements_visible_to_an_admin_are_those_of_their_organisations():
    a, b, c = OrganisationFactory(), OrganisationFactory(), OrganisationFactory()
    ab = AgreementFactory(parties=[a, b])
    bc = AgreementFactory(parties=[b, c])
    admin = UserFactory()
    services.affiliation_grant(person=admin, organisation=a, role=Role.INSTITUTION_ADMIN)
    teacher = UserFactory()
    services.affiliation_grant(person=teacher, organisation=b, role=Role.TEACHER)
    admin_b = UserFactory()
    services.affiliation_grant(person=admin_b, organisation=b, role=Role.INSTITUTION_ADMIN)

    assert list(selectors.agreements_visible_to(User.objects.get(pk=admin.pk))) == [ab]
    assert list(selectors.agreements_visible_to(User.objects.get(pk=teacher.pk))) == []
    assert set(selectors.agreements_visible_to(User.objects.get(pk=admin_b.pk))) == {ab, bc}


def test_agreements_visible_to_a_programme_manager_are_all_of_them():
    centre = ProgrammeOwnerFactory()
    agreements = {AgreementFactory(), AgreementFactory()}
    manager = UserFactory()
    services.affiliation_grant(person=manager, organisation=centre, role=Role.PROGRAMME_MANAGER)

    assert set(selectors.agreements_visible_to(User.objects.get(pk=manager.pk))) == agreements


def test_organisations_of_person_ignores_withdrawn_roles():
    a, b = OrganisationFactory(), OrganisationFactory()
    person = UserFactory()
    services.affiliation_grant(person=person, organisation=a, role=Role.TEACHER)
    gone = services.affiliation_grant(person=person, organisation=b, role=Role.TEACHER)
    services.affiliation_revoke(affiliation=gone)

    assert list(selectors.organisations_of_person(person)) == [a]
