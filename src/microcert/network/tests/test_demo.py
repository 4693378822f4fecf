"""The network's workflow demo, loaded on top of the programme's demo, twice."""

import pytest

from microcert.network import selectors
from microcert.network.demo import load_demo
from microcert.network.models import AccessionApplication, NationalCentre, NetworkPosition


@pytest.fixture
def loaded(db):
    from microcert.demo.services import demo_load

    demo_load(credentials=False)  # loads the network's part too


def test_the_demo_holds_the_accessions_the_centre_and_the_positions(loaded):
    assert AccessionApplication.objects.count() == 3
    statuses = set(AccessionApplication.objects.values_list("status", flat=True))
    assert statuses == {"approved", "submitted", "information_requested"}
    hust = AccessionApplication.objects.get(organisation__slug="hust")
    assert hust.membership is not None and hust.admin_account.email == "admin@hust.example"
    assert NationalCentre.objects.get(country="VN").organisation.slug == "hust"
    secretariat = selectors.secretariat_of_year(2026)
    assert secretariat.presidency.organisation.slug == "hust"
    assert len(secretariat.coordinators) == 3


def test_loading_twice_adds_nothing(loaded):
    counts = (AccessionApplication.objects.count(), NetworkPosition.objects.count())
    assert set(load_demo().values()) == {0}
    assert (AccessionApplication.objects.count(), NetworkPosition.objects.count()) == counts
