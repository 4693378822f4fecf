import pytest

from .factories import World


@pytest.fixture
def world(db) -> World:
    return World()


@pytest.fixture
def offerings(world, shipped_frameworks):
    """Offerings starting in 60 days: of a micro-credential the Centre and HUST award (the
    demo's first) at HUST and at the other university, and of one only the Centre awards,
    at the other university."""
    import datetime

    from django.utils import timezone

    from microcert.catalog.tests.factories import (
        PublishedSpecificationFactory,
        specification_content,
    )

    from .factories import offering_of

    version = PublishedSpecificationFactory(slug="collaboration")
    centre_only = PublishedSpecificationFactory(
        slug="centre-only", content=specification_content(awarding_bodies=["centre"])
    )
    start = timezone.localdate() + datetime.timedelta(days=60)
    return {
        "version": version,
        "hust": offering_of(version, world.hust, start),
        # HUST awards this micro-credential, so a HUST classroom may serve its run elsewhere.
        "other": offering_of(version, world.other, start),
        # Neither run nor awarded by HUST.
        "unrelated": offering_of(centre_only, world.other, start),
    }
