"""Fixtures shared by every app's tests."""

import pytest


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    # Hashing passwords properly is slow on purpose; tests don't need that.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUBLIC_BASE_URL = "https://microcert.test"
    # Counters in the shared memory cache would carry over from test to test; the rate-limit
    # tests turn them on for themselves.
    settings.RATE_LIMITS_ENABLED = False


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached DID documents, remembered signatures and replay marks stay with their test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    """A request to a /vi/ page must not leave Vietnamese active for the next test."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def shipped_frameworks(db):
    from microcert.frameworks.services import framework_load_shipped

    return {f.slug: f for f in framework_load_shipped()}


@pytest.fixture
def demo(db):
    """The whole demo data set, loaded through the services."""
    from microcert.demo.services import demo_load

    return demo_load()
