"""Who may see what in the partner network, checked through ``user.has_perm`` and over HTTP."""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser

from microcert.accounts.models import User
from microcert.accounts.roles import Role
from microcert.accounts.tests.factories import UserFactory
from microcert.network import services
from microcert.network.models import Agreement, Organisation

from .factories import AgreementFactory, OrganisationFactory, ProgrammeOwnerFactory

pytestmark = pytest.mark.django_db

VIEW_PERSON = "accounts.view_person"
CHANGE_PERSON = "accounts.change_person"
VIEW_PEOPLE = "network.view_organisation_people"
MANAGE_PEOPLE = "network.manage_organisation_people"
READ_AGREEMENT = "network.read_agreement"
CHANGE_AGREEMENT_STATUS = "network.change_agreement_status"


@dataclass
class Network:
    centre: Organisation
    a: Organisation
    b: Organisation
    manager: User
    admin_a: User
    admin_b: User
    teacher_a: User
    colleague_a: User
    teacher_b: User
    agreement_a: Agreement  # between the Centre and A
    agreement_b: Agreement  # between the Centre and B


def person_with(role: str, organisation: Organisation, email: str) -> User:
    person = UserFactory(email=email)
    services.affiliation_grant(person=person, organisation=organisation, role=role)
    # Roles are cached on the user object: hand out a fresh one.
    return User.objects.get(pk=person.pk)


@pytest.fixture
def net() -> Network:
    centre = ProgrammeOwnerFactory()
    a = OrganisationFactory(slug="uni-a", name="University A")
    b = OrganisationFactory(slug="uni-b", name="University B")
    return Network(
        centre=centre,
        a=a,
        b=b,
        manager=person_with(Role.PROGRAMME_MANAGER, centre, "manager@centre.example"),
        admin_a=person_with(Role.INSTITUTION_ADMIN, a, "admin@a.example"),
        admin_b=person_with(Role.INSTITUTION_ADMIN, b, "admin@b.example"),
        teacher_a=person_with(Role.TEACHER, a, "teacher@a.example"),
        colleague_a=person_with(Role.TEACHER, a, "colleague@a.example"),
        teacher_b=person_with(Role.TEACHER, b, "teacher@b.example"),
        agreement_a=AgreementFactory(reference="MOU-A-001", parties=[centre, a]),
        agreement_b=AgreementFactory(reference="MOU-B-001", parties=[centre, b]),
    )


# People and organisations


def test_institution_admin_can_view_the_people_of_their_own_organisation(net):
    assert net.admin_a.has_perm(VIEW_PEOPLE, net.a)
    assert net.admin_a.has_perm(MANAGE_PEOPLE, net.a)


def test_institution_admin_cannot_view_the_people_of_another_institution(net):
    assert not net.admin_a.has_perm(VIEW_PEOPLE, net.b)
    assert not net.admin_a.has_perm(MANAGE_PEOPLE, net.b)


def test_institution_admin_can_view_a_teacher_of_their_own_organisation(net):
    assert net.admin_a.has_perm(VIEW_PERSON, net.teacher_a)


def test_institution_admin_cannot_view_a_teacher_of_another_institution(net):
    assert not net.admin_a.has_perm(VIEW_PERSON, net.teacher_b)
    assert not net.admin_a.has_perm(VIEW_PERSON, net.admin_b)


def test_institution_admin_cannot_change_a_teacher_of_their_own_organisation(net):
    assert not net.admin_a.has_perm(CHANGE_PERSON, net.teacher_a)


def test_institution_admin_loses_sight_of_a_teacher_whose_role_was_revoked(net):
    affiliation = net.teacher_a.affiliations.get(organisation=net.a)
    services.affiliation_revoke(affiliation=affiliation, reason="Left")

    assert not net.admin_a.has_perm(VIEW_PERSON, net.teacher_a)


def test_a_revoked_institution_admin_loses_their_rights(net):
    affiliation = net.admin_a.affiliations.get(organisation=net.a)
    services.affiliation_revoke(affiliation=affiliation, reason="Left")
    admin_a = User.objects.get(pk=net.admin_a.pk)

    assert not admin_a.has_perm(VIEW_PEOPLE, net.a)
    assert not admin_a.has_perm(VIEW_PERSON, net.teacher_a)
    assert not admin_a.has_perm(READ_AGREEMENT, net.agreement_a)


def test_a_teacher_can_view_and_change_themselves(net):
    assert net.teacher_a.has_perm(VIEW_PERSON, net.teacher_a)
    assert net.teacher_a.has_perm(CHANGE_PERSON, net.teacher_a)


def test_a_teacher_cannot_view_a_colleague(net):
    assert not net.teacher_a.has_perm(VIEW_PERSON, net.colleague_a)
    assert not net.teacher_a.has_perm(CHANGE_PERSON, net.colleague_a)


def test_a_teacher_cannot_view_the_people_of_their_own_organisation(net):
    assert not net.teacher_a.has_perm(VIEW_PEOPLE, net.a)


def test_programme_manager_can_view_everyone(net):
    for person in (net.admin_a, net.admin_b, net.teacher_a, net.colleague_a, net.teacher_b):
        assert net.manager.has_perm(VIEW_PERSON, person)
        assert net.manager.has_perm(CHANGE_PERSON, person)
    for organisation in (net.centre, net.a, net.b):
        assert net.manager.has_perm(VIEW_PEOPLE, organisation)
        assert net.manager.has_perm(MANAGE_PEOPLE, organisation)


def test_superuser_has_the_programme_managers_rights(net):
    root = User.objects.create_superuser(email="root@example.org", password="x")

    assert root.has_perm(VIEW_PERSON, net.teacher_b)
    assert root.has_perm(READ_AGREEMENT, net.agreement_a)


@pytest.mark.parametrize(
    ("perm", "target"),
    [
        (VIEW_PERSON, "teacher_a"),
        (CHANGE_PERSON, "teacher_a"),
        (VIEW_PEOPLE, "a"),
        (MANAGE_PEOPLE, "a"),
        (READ_AGREEMENT, "agreement_a"),
        (CHANGE_AGREEMENT_STATUS, "agreement_a"),
    ],
)
def test_anonymous_user_is_denied_everything(net, perm, target):
    assert not AnonymousUser().has_perm(perm, getattr(net, target))


# Agreements


def test_agreement_is_readable_by_the_admins_of_its_parties(net):
    assert net.admin_a.has_perm(READ_AGREEMENT, net.agreement_a)
    assert net.admin_b.has_perm(READ_AGREEMENT, net.agreement_b)


def test_agreement_is_not_readable_by_the_admin_of_another_institution(net):
    assert not net.admin_a.has_perm(READ_AGREEMENT, net.agreement_b)
    assert not net.admin_b.has_perm(READ_AGREEMENT, net.agreement_a)


def test_agreement_is_not_readable_by_a_teacher_of_a_party(net):
    assert not net.teacher_a.has_perm(READ_AGREEMENT, net.agreement_a)


def test_agreement_is_readable_by_programme_managers(net):
    assert net.manager.has_perm(READ_AGREEMENT, net.agreement_a)
    assert net.manager.has_perm(READ_AGREEMENT, net.agreement_b)


def test_only_programme_managers_change_the_status_of_an_agreement(net):
    assert net.manager.has_perm(CHANGE_AGREEMENT_STATUS, net.agreement_a)
    assert not net.admin_a.has_perm(CHANGE_AGREEMENT_STATUS, net.agreement_a)


# The same rules at the HTTP door


def people_url(org: Organisation) -> str:
    return f"/en/organisations/{org.slug}/people/"


def person_url(person: User) -> str:
    return f"/en/people/{person.uuid}/"


def agreement_url(agreement: Agreement) -> str:
    return f"/en/network/agreements/{agreement.uuid}/"


def test_organisation_people_page_answers_its_own_admin_and_refuses_the_other(client, net):
    client.force_login(net.admin_a)
    response = client.get(people_url(net.a))
    assert response.status_code == 200
    assert "teacher@a.example" in response.text
    assert "teacher@b.example" not in response.text

    assert client.get(people_url(net.b)).status_code == 403


def test_person_page_answers_their_admin_and_refuses_the_other_institutions_admin(client, net):
    client.force_login(net.admin_b)
    assert client.get(person_url(net.teacher_a)).status_code == 403

    client.force_login(net.admin_a)
    response = client.get(person_url(net.teacher_a))
    assert response.status_code == 200
    assert "teacher@a.example" in response.text


def test_person_page_refuses_a_colleague_and_answers_the_person(client, net):
    client.force_login(net.colleague_a)
    assert client.get(person_url(net.teacher_a)).status_code == 403

    client.force_login(net.teacher_a)
    assert client.get(person_url(net.teacher_a)).status_code == 200


def test_agreement_page_answers_a_partys_admin_and_refuses_the_other_institutions_admin(
    client, net
):
    client.force_login(net.admin_b)
    # Hidden, not refused: another institution's admin does not learn that it exists.
    assert client.get(agreement_url(net.agreement_a)).status_code == 404

    client.force_login(net.admin_a)
    response = client.get(agreement_url(net.agreement_a))
    assert response.status_code == 200
    assert "MOU-A-001" in response.text


def test_programme_manager_is_answered_by_every_private_page(client, net):
    client.force_login(net.manager)

    for url in (
        people_url(net.a),
        people_url(net.b),
        person_url(net.teacher_b),
        agreement_url(net.agreement_a),
        agreement_url(net.agreement_b),
    ):
        assert client.get(url).status_code == 200, url


def test_agreement_list_does_not_show_another_institutions_agreement(client, net):
    client.force_login(net.admin_a)

    response = client.get("/en/network/agreements/")

    assert response.status_code == 200
    assert "MOU-A-001" in response.text
    assert "MOU-B-001" not in response.text
    assert str(net.agreement_b.uuid) not in response.text


def test_agreement_list_is_refused_to_a_teacher(client, net):
    client.force_login(net.teacher_a)

    response = client.get("/en/network/agreements/")

    assert response.status_code == 403
    assert "MOU-A-001" not in response.text
    assert "MOU-B-001" not in response.text


@pytest.mark.parametrize(
    "url_of",
    [
        lambda net: people_url(net.a),
        lambda net: person_url(net.teacher_a),
        lambda net: agreement_url(net.agreement_a),
        lambda net: "/en/network/agreements/",
    ],
    ids=["organisation-people", "person", "agreement", "agreement-list"],
)
def test_anonymous_visitor_is_redirected_to_login(client, net, url_of):
    url = url_of(net)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith("/en/accounts/login/")
    assert f"next={url}" in response.url
