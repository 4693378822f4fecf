"""The partner directory and a partner's page as anyone sees them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from microcert.network.models import Membership, Organisation
from microcert.network.tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

DIRECTORY = "/en/partners/"


def page(response) -> str:
    return response.content.decode()


def listed(response) -> set[str]:
    return {
        org.slug
        for countries in response.context["groups"].values()
        for partners in countries.values()
        for org in partners
    }


def test_the_directory_lists_active_partners_by_sub_region_and_country(client, demo):
    response = client.get(DIRECTORY)
    assert response.status_code == 200
    assert listed(response) == {"ain-shams", "cadi-ayyad", "hust", "must", "ut"}
    html = page(response)
    assert "5 partners in 5 countries" in html
    assert "South-eastern Asia</h2>" in html and "<h3>Vietnam</h3>" in html
    assert 'href="/en/partners/hust/"' in html
    # Ministries are not partners of the network.
    assert "moet" not in listed(response)


def test_the_directory_filters_by_sub_region_country_and_kind_with_counts(client, demo):
    south_east = client.get(DIRECTORY, {"subregion": "south_eastern_asia"})
    assert listed(south_east) == {"hust", "ut"}
    assert "2 partners in 2 countries" in page(south_east)
    assert listed(client.get(DIRECTORY, {"country": "VN"})) == {"hust"}
    assert listed(client.get(DIRECTORY, {"country": "vn"})) == {"hust"}
    centres = client.get(DIRECTORY, {"kind": "national_centre"})
    assert listed(centres) == {"ain-shams", "must"}
    # Counts beside each choice follow the other filters.
    counts = {c.value: c.count for c in centres.context["subregions"]}
    assert counts == {"northern_africa": 1, "eastern_asia": 1}
    assert listed(
        client.get(DIRECTORY, {"subregion": "northern_africa", "kind": "partner_hei"})
    ) == {"cadi-ayyad"}
    empty = client.get(DIRECTORY, {"subregion": "europe"})
    assert listed(empty) == set() and "No partner matches these filters." in page(empty)


@pytest.mark.parametrize(
    "params", [{"subregion": "atlantis"}, {"country": "XX"}, {"kind": "<b>"}, {"country": "1"}]
)
def test_unknown_directory_filters_are_ignored_with_a_message(client, demo, params):
    response = client.get(DIRECTORY, params)
    assert response.status_code == 200
    assert len(listed(response)) == 5
    assert "not recognised and is ignored" in page(response)


def test_the_directory_costs_the_same_queries_for_a_bigger_network(client, demo):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(DIRECTORY, {"subregion": "south_eastern_asia"})
        return len(captured)

    queries()
    small = queries()
    for n in range(15):
        MembershipFactory(
            organisation=OrganisationFactory(country="TH" if n % 2 else "VN"),
            status=Membership.Status.ACTIVE,
        )
    assert queries() == small
    assert len(listed(client.get(DIRECTORY, {"subregion": "south_eastern_asia"}))) == 17


def test_a_partner_page_shows_what_it_awards_hosts_and_its_membership(client, demo):
    hust = Organisation.objects.get(slug="hust")
    response = client.get("/vi/partners/hust/")
    assert response.status_code == 200
    html = page(response)
    assert escape(hust.name_vi) in html
    programmes = response.context["programmes"]
    # HUST co-awards the Centre's micro-credentials and hosts offerings of them.
    assert programmes.co_awarded and not programmes.awarded
    assert programmes.offerings and all(o.host_id == hust.pk for o in programmes.offerings)
    for version in programmes.co_awarded:
        assert f'href="/vi/catalogue/{version.micro_credential.slug}/"' in html
    assert programmes.memberships[0].kind == Membership.Kind.PARTNER_HEI
    assert "https://hust.edu.vn" in html


def test_the_programme_owner_has_a_page_and_is_the_first_awarding_body(client, demo):
    response = client.get("/en/partners/centre/")
    assert response.status_code == 200
    assert response.context["programmes"].awarded
    assert "Runs the programme and the partner network" in page(response)


@pytest.mark.parametrize("slug", ["moet", "moe-cn", "no-such-partner"])
def test_organisations_outside_the_network_have_no_public_page(client, demo, slug):
    assert client.get(f"/en/partners/{slug}/").status_code == 404


def test_an_ended_membership_takes_the_page_down(client, demo):
    membership = Membership.objects.get(organisation__slug="ut", status="active")
    Membership.objects.filter(pk=membership.pk).update(status=Membership.Status.ENDED)
    assert client.get("/en/partners/ut/").status_code == 404
    assert "ut" not in listed(client.get(DIRECTORY))


def test_a_partner_page_shows_its_classrooms_news_and_public_timeline(client, demo):
    response = client.get("/en/partners/hust/")
    html = page(response)
    classrooms = response.context["classrooms"]
    articles = response.context["news_articles"]
    assert classrooms and articles
    for heading in ("Smart Classrooms", "News", "Timeline"):
        assert f">{heading}</h2>" in html
    assert all(c.host.slug == "hust" or c.sponsor.slug == "hust" for c in classrooms)
    assert all(a.partners.filter(slug="hust").exists() for a in articles)
    # An anonymous visitor sees the public part of the timeline only: no agreements.
    assert response.context["timeline"]
    assert all(entry.public for entry in response.context["timeline"])


def test_a_partner_without_classrooms_or_news_shows_no_empty_sections(client, demo):
    response = client.get("/en/partners/must/")
    html = page(response)
    assert not response.context["classrooms"] and not response.context["news_articles"]
    for heading in ("Smart Classrooms", "News"):
        assert f">{heading}</h2>" not in html


def test_awarding_bodies_and_hosts_link_to_partner_pages(client, demo):
    html = page(client.get("/en/catalogue/organise-and-facilitate-online-collaborative-learning/"))
    assert 'href="/en/partners/hust/"' in html and 'href="/en/partners/centre/"' in html
