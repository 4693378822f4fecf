"""A small network for the workflow tests: the Centre with a manager, two member
universities with their admins, a teacher, and a signed memorandum between the Centre and A."""

import datetime
from dataclasses import dataclass

import pytest

from microcert.accounts.models import User
from microcert.accounts.roles import Role
from microcert.accounts.tests.factories import UserFactory
from microcert.network import services
from microcert.network.models import Agreement, CooperationItem, Membership, Organisation

from .factories import AgreementFactory, OrganisationFactory, ProgrammeOwnerFactory


@dataclass
class Office:
    centre: Organisation
    a: Organisation
    b: Organisation
    manager: User
    admin_a: User
    admin_b: User
    teacher_a: User
    mou: Agreement  # the Centre and A, signed and in force
    item: CooperationItem  # owned by A


def fresh(person: User) -> User:
    # Roles are cached on the user object: hand out a fresh one.
    return User.objects.get(pk=person.pk)


def person_with(role: str, organisation: Organisation, email: str) -> User:
    person = UserFactory(email=email)
    services.affiliation_grant(person=person, organisation=organisation, role=role)
    return fresh(person)


def member(organisation: Organisation, since=datetime.date(2020, 1, 1)) -> Membership:
    membership = services.membership_create(
        organisation=organisation, kind=Membership.Kind.PARTNER_HEI
    )
    return services.membership_set_status(membership=membership, status="active", on=since)


@pytest.fixture
def office(db) -> Office:
    centre = ProgrammeOwnerFactory()
    a = OrganisationFactory(slug="uni-a", name="University A", country="VN")
    b = OrganisationFactory(slug="uni-b", name="University B", country="TH")
    member(a)
    member(b)
    mou = AgreementFactory(reference="MOU-A-001", parties=[centre, a])
    services.agreement_transition(agreement=mou, status="signed", on=datetime.date(2024, 1, 5))
    services.agreement_transition(agreement=mou, status="in_force", on=datetime.date(2024, 2, 1))
    item = services.cooperation_item_add(
        agreement=mou,
        kind="programme_codevelopment",
        title="Co-develop a programme",
        owner=a,
        due_on=datetime.date(2020, 6, 30),
    )
    return Office(
        centre=centre,
        a=a,
        b=b,
        manager=person_with(Role.PROGRAMME_MANAGER, centre, "manager@centre.example"),
        admin_a=person_with(Role.INSTITUTION_ADMIN, a, "admin@a.example"),
        admin_b=person_with(Role.INSTITUTION_ADMIN, b, "admin@b.example"),
        teacher_a=person_with(Role.TEACHER, a, "teacher@a.example"),
        mou=Agreement.objects.get(pk=mou.pk),
        item=item,
    )


def contact(email="dean@new.example", primary=True, name="Dr. Dean"):
    return services.ContactDetails(name=name, email=email, is_primary=primary)


def proposal(name="New University", country="KZ", subregion="central_asia"):
    return services.ProposedOrganisation(
        name=name, kind="hei", country=country, subregion=subregion, short_name="NU"
    )


def submit(**overrides):
    """An application of a new institution through the service; returns (application, key)."""
    arguments = {
        "proposed": proposal(),
        "membership_kind": "partner_hei",
        "contacts": [contact()],
        "motivation": "We want to certify our teachers.",
        "intended_cooperation": ["network_accession", "smart_classroom"],
        "language": "fr",
    }
    arguments.update(overrides)
    return services.accession_submit(**arguments)
