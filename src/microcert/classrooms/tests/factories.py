"""Builders for the Smart Classroom tests, through the services of every floor involved."""

import datetime
from typing import Any

from django.utils import timezone

from microcert.accounts.roles import Role
from microcert.accounts.tests.factories import UserFactory
from microcert.catalog import services as catalog_services
from microcert.catalog.models import Offering, SpecificationVersion
from microcert.classrooms import services
from microcert.classrooms.models import SmartClassroom
from microcert.network import services as network_services
from microcert.network.models import Organisation
from microcert.network.tests.factories import OrganisationFactory

INSTALLED = datetime.date(2024, 11, 25)
LAUNCHED = datetime.date(2024, 12, 10)


def member_hei(slug: str, country: str = "VN", **extra: Any) -> Organisation:
    """A higher-education institution with an active membership of the network."""
    organisation = OrganisationFactory(slug=slug, country=country, **extra)
    membership = network_services.membership_create(organisation=organisation, kind="partner_hei")
    network_services.membership_set_status(membership=membership, status="active")
    return organisation


def person_with(role: str, organisation: Organisation, **extra: Any):
    person = UserFactory(**extra)
    network_services.affiliation_grant(person=person, organisation=organisation, role=role)
    return person


def classroom(host: Organisation, slug: str = "smart-room", **overrides: Any) -> SmartClassroom:
    """A public classroom in service since December 2024, unless told otherwise."""
    values: dict[str, Any] = {
        "slug": slug,
        "host": host,
        "name": {"en": f"Smart Room {slug}", "vi": f"Lớp học thông minh {slug}"},
        "phase": SmartClassroom.Phase.PHASE_1,
        "status": SmartClassroom.Status.IN_SERVICE,
        "installed_on": INSTALLED,
        "launched_on": LAUNCHED,
        "capacity": 40,
        "is_public": True,
        "actor": None,
    }
    values.update(overrides)
    return services.classroom_create(**values)


def hours_ago(hours: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=hours)


def offering_of(
    version: SpecificationVersion, host: Organisation, starts_on: datetime.date, **extra: Any
) -> Offering:
    values: dict[str, Any] = {
        "version": version,
        "host": host,
        "starts_on": starts_on,
        "ends_on": starts_on + datetime.timedelta(days=40),
        "language": "en",
        "mode": "online",
        "capacity": 30,
    }
    values.update(extra)
    return catalog_services.offering_create(**values)


class World:
    """The Centre (programme owner, and sponsor), HUST (host, a member) with its admin and a
    teacher, another member university with its own admin and teacher, a programme manager,
    someone with no role, and HUST's public classroom in service."""

    def __init__(self) -> None:
        self.centre = OrganisationFactory(
            slug="centre",
            kind=Organisation.Kind.INTERNATIONAL,
            name={"en": "The Centre"},
            country="CN",
            subregion="eastern_asia",
            is_programme_owner=True,
        )
        self.hust = member_hei(
            "hust", name={"en": "Hanoi University of Science and Technology"}, city="Hanoi"
        )
        self.other = member_hei("other-uni", country="MN", name={"en": "Other University"})
        self.enterprise = OrganisationFactory(
            slug="tech-company", kind=Organisation.Kind.ENTERPRISE, name={"en": "Tech Company"}
        )
        self.manager = person_with(Role.PROGRAMME_MANAGER, self.centre, legal_name="Lin Wei")
        self.admin = person_with(Role.INSTITUTION_ADMIN, self.hust, legal_name="Tran Minh Quan")
        self.teacher = person_with(Role.TEACHER, self.hust, legal_name="Pham Thi Lan")
        self.teacher2 = person_with(Role.TEACHER, self.hust, legal_name="Le Van Hung")
        self.other_admin = person_with(Role.INSTITUTION_ADMIN, self.other, legal_name="Other Admin")
        self.other_teacher = person_with(Role.TEACHER, self.other, legal_name="Other Teacher")
        self.assessor = person_with(Role.ASSESSOR, self.hust, legal_name="Hust Assessor")
        self.stranger = UserFactory(legal_name="No Role")
        self.room = classroom(self.hust, slug="hust-room", sponsor=self.centre)
