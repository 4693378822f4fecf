"""Fixtures of the privacy tests."""

import pytest
from django.core.cache import cache

from .builders import Scene, build_scene


@pytest.fixture(autouse=True)
def _no_counted_passwords():
    """Wrong passwords are counted in the cache, which outlives a test's database."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def scene(db) -> Scene:
    """The whole demo, and Lan with a record in every area."""
    return build_scene()
