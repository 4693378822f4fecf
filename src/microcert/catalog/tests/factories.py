"""Factories for the catalogue, built through the catalogue services.

Specification content is the first micro-credential of the demo catalogue (``slug`` and
``offerings`` removed): it names the awarding bodies ``centre`` and ``hust`` and aligns to
DigCompEdu and the UNESCO ICT CFT, so the shipped frameworks and :func:`awarding_bodies` must
exist before a specification is made.
"""

import copy
import json
from pathlib import Path
from typing import Any

import factory

from microcert.catalog import services
from microcert.catalog.models import AchievementKind, SpecificationVersion
from microcert.network.models import Organisation
from microcert.network.tests.factories import OrganisationFactory, ProgrammeOwnerFactory

CATALOGUE = Path(__file__).resolve().parents[2] / "demo" / "data" / "catalogue.json"


def _first_demo_micro_credential() -> dict[str, Any]:
    data = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    content = dict(data["micro_credentials"][0])
    content.pop("slug")
    content.pop("offerings")
    return content


_CONTENT = _first_demo_micro_credential()


def specification_content(**overrides: Any) -> dict[str, Any]:
    """A complete, publishable content mapping; ``overrides`` replace or add keys."""
    content = copy.deepcopy(_CONTENT)
    content.update(overrides)
    return content


def awarding_bodies() -> dict[str, Organisation]:
    """The organisations the demo content names: the Centre (programme owner) and HUST."""
    centre = Organisation.objects.filter(slug="centre").first() or ProgrammeOwnerFactory()
    hust = Organisation.objects.filter(slug="hust").first() or OrganisationFactory(
        slug="hust",
        name={"en": "Hanoi University of Science and Technology", "vi": "Đại học Bách khoa Hà Nội"},
        country="VN",
    )
    return {"centre": centre, "hust": hust}


class SpecificationFactory(factory.Factory):
    """A draft version 1 made by ``specification_create``."""

    class Meta:
        model = SpecificationVersion

    slug = factory.Sequence(lambda n: f"micro-credential-{n}")
    kind = AchievementKind.MICRO_CREDENTIAL
    content = factory.LazyFunction(specification_content)

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.specification_create(**kwargs)


class PublishedSpecificationFactory(SpecificationFactory):
    """A version 1 made and published through the services."""

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.specification_publish(version=services.specification_create(**kwargs))


class CertificateFactory(PublishedSpecificationFactory):
    slug = factory.Sequence(lambda n: f"certificate-{n}")
    kind = AchievementKind.CERTIFICATE
