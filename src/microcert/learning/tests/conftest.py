"""Fixtures for the learning tests: the demo network and catalogue, loaded through the services."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from microcert.accounts.models import User
from microcert.catalog.models import Offering, SpecificationVersion
from microcert.frameworks.models import CompetencyFramework
from microcert.network.models import Organisation

# The specification the journey works on: a file, a link and a reflection, and a rubric.
JOURNEY_SPEC = "organise-and-facilitate-online-collaborative-learning"


@dataclass
class Journey:
    """The demo people and things a teacher's journey involves."""

    lan: User  # teacher at HUST
    hung: User  # teacher at HUST
    assessors: list[User]  # at Ain Shams and at MUST, so neither shares HUST with Lan
    hust_admin: User
    manager: User  # programme manager at the Centre
    hust: Organisation
    version: SpecificationVersion
    offering: Offering  # open, hosted by HUST, running from a month from today
    framework: CompetencyFramework  # DigCompEdu: 6 areas, 22 competences, A1–C2


@pytest.fixture
def journey(db) -> Journey:
    """The demo data without credentials, with the journey's offering moved into the future
    so the tests do not depend on today's date."""
    from microcert.demo.services import demo_load

    demo_load(credentials=False)
    version = SpecificationVersion.objects.get(
        micro_credential__slug=JOURNEY_SPEC, status=SpecificationVersion.Status.PUBLISHED
    )
    hust = Organisation.objects.get(slug="hust")
    offering = version.offerings.filter(host=hust).get()
    today = timezone.localdate()
    Offering.objects.filter(pk=offering.pk).update(
        status=Offering.Status.OPEN,
        starts_on=today + datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=70),
    )
    offering.refresh_from_db()
    return Journey(
        lan=User.objects.get(email="lan.pham@hust.example"),
        hung=User.objects.get(email="hung.le@hust.example"),
        assessors=[
            User.objects.get(email="assessor@ain-shams.example"),
            User.objects.get(email="assessor@must.example"),
        ],
        hust_admin=User.objects.get(email="admin@hust.example"),
        manager=User.objects.get(email="manager@centre.example"),
        hust=hust,
        version=version,
        offering=offering,
        framework=CompetencyFramework.objects.get(slug="digcompedu", status="published"),
    )
