"""Fixtures of the news tests."""

import pytest

from .builders import Network, build_network


@pytest.fixture
def network(db) -> Network:
    return build_network()
