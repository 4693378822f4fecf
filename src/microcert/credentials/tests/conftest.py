"""Fixtures for the credentials tests: the demo network with its issuers ready."""

from dataclasses import dataclass

import pytest

from microcert.accounts.models import User
from microcert.catalog.models import Pathway, SpecificationVersion
from microcert.credentials import services
from microcert.credentials.models import Issuer
from microcert.network.models import Organisation


@dataclass
class IssuingWorld:
    centre: Issuer
    hust: Issuer
    lan: User
    hung: User
    pathway: Pathway

    def version(self, slug: str) -> SpecificationVersion:
        return SpecificationVersion.objects.get(micro_credential__slug=slug, status="published")

    def members(self) -> list[SpecificationVersion]:
        slugs = self.pathway.members.order_by("pathwaymember__position").values_list(
            "slug", flat=True
        )
        return [self.version(slug) for slug in slugs]

    def allow_suspension(self, issuer: Issuer) -> None:
        Issuer.objects.filter(pk=issuer.pk).update(offers_suspension=True)
        issuer.refresh_from_db()

    def issue(self, slug: str = "organise-and-facilitate-online-collaborative-learning", **kw):
        kw.setdefault("issuer", self.centre)
        kw.setdefault("recipient", self.lan)
        kw.setdefault("actor", None)
        return services.credential_issue(version=self.version(slug), **kw)


@pytest.fixture(autouse=True)
def _empty_cache():
    """The verifier caches DID documents, proofs and the newest status lists seen in the
    shared memory cache: each test starts without what another one left."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db) -> IssuingWorld:
    """The demo network and catalogue with two issuers and no credentials yet."""
    from microcert.demo.services import demo_load

    demo_load(credentials=False)
    centre = services.issuer_create(
        organisation=Organisation.objects.get(slug="centre"), actor=None
    )
    hust = services.issuer_create(organisation=Organisation.objects.get(slug="hust"), actor=None)
    return IssuingWorld(
        centre=centre,
        hust=hust,
        lan=User.objects.get(email="lan.pham@hust.example"),
        hung=User.objects.get(email="hung.le@hust.example"),
        pathway=Pathway.objects.get(),
    )
