"""The catalogue as a visitor filters it: every filter alone and combined, counts beside each
choice, an empty state, unknown values ignored with a message, and a fixed number of queries
however many micro-credentials there are."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from microcert.catalog import services as catalog_services
from microcert.catalog.models import SpecificationVersion
from microcert.catalog.tests.factories import PublishedSpecificationFactory
from microcert.frameworks.models import Competence, ProficiencyLevel
from microcert.network.models import Organisation
from microcert.recognition import selectors as recognition_selectors
from microcert.web import selectors
from microcert.web.catalogue import filter_catalogue

pytestmark = pytest.mark.django_db

COLLABORATIVE = "organise-and-facilitate-online-collaborative-learning"
VIRTUAL = "develop-skills-in-virtual-spaces"
CATALOGUE = "/en/catalogue/"


def page(response) -> str:
    return response.content.decode()


def shown_slugs(response) -> set[str]:
    return {entry.slug for entry in response.context["catalogue"].entries}


def published_slugs() -> set[str]:
    return set(
        SpecificationVersion.objects.filter(
            status="published", micro_credential__kind="micro_credential"
        ).values_list("micro_credential__slug", flat=True)
    )


def test_the_catalogue_lists_every_published_micro_credential_with_its_facts(client, demo):
    response = client.get(CATALOGUE)
    assert response.status_code == 200
    assert shown_slugs(response) == published_slugs()
    html = page(response)
    assert "6 micro-credentials" in html
    collaborative = SpecificationVersion.objects.get(
        micro_credential__slug=COLLABORATIVE, status="published"
    )
    assert escape(collaborative.title_en) in html
    assert reverse("web:specification", args=[COLLABORATIVE]) in html
    # The certificate of the pathway is not a micro-credential of the catalogue.
    assert "certificate-in-digital-and-ai-enhanced-university-teaching" not in shown_slugs(response)


def test_the_catalogue_speaks_the_visitors_language(client, demo):
    version = SpecificationVersion.objects.get(
        micro_credential__slug=COLLABORATIVE, status="published"
    )
    for language, title in [("vi", version.title_vi), ("zh-hans", version.title_zh_hans)]:
        html = page(client.get(f"/{language}/catalogue/"))
        assert escape(title) in html and f'<html lang="{language}">' in html


def test_the_mode_filter_keeps_what_runs_in_that_mode(client, demo):
    response = client.get(CATALOGUE, {"mode": "onsite"})
    # Only "virtual spaces" has an on-site offering (at HUST).
    assert shown_slugs(response) == {VIRTUAL}
    assert "1 of 6 micro-credentials matches" in page(response)
    blended = shown_slugs(client.get(CATALOGUE, {"mode": "blended"}))
    assert VIRTUAL in blended and COLLABORATIVE not in blended


def test_the_language_filter_counts_specification_and_offering_languages(client, demo):
    for code in ("en", "vi", "zh-hans", "fr"):
        assert shown_slugs(client.get(CATALOGUE, {"language": code})) == published_slugs()
    catalogue = client.get(CATALOGUE, {"language": "vi"}).context["catalogue"]
    assert catalogue.facet("language").options["vi"].count == 6


def test_competence_framework_and_level_filters_follow_the_alignments(client, demo):
    collaborative = SpecificationVersion.objects.get(
        micro_credential__slug=COLLABORATIVE, status="published"
    )
    alignment = collaborative.alignments.select_related("competence", "target_level").first()
    by_competence = shown_slugs(client.get(CATALOGUE, {"competence": alignment.competence.uuid}))
    assert COLLABORATIVE in by_competence
    expected = set(
        SpecificationVersion.objects.filter(
            status="published",
            micro_credential__kind="micro_credential",
            alignments__competence=alignment.competence,
        ).values_list("micro_credential__slug", flat=True)
    )
    assert by_competence == expected

    by_level = shown_slugs(client.get(CATALOGUE, {"level": alignment.target_level.uuid}))
    assert COLLABORATIVE in by_level
    assert all(
        SpecificationVersion.objects.filter(
            micro_credential__slug=slug,
            status="published",
            alignments__target_level=alignment.target_level,
        ).exists()
        for slug in by_level
    )
    unesco_ict = shown_slugs(client.get(CATALOGUE, {"framework": "unesco-ict-cft"}))
    assert COLLABORATIVE in unesco_ict and unesco_ict < published_slugs()


def test_recognised_by_keeps_what_an_authority_recognises_now(client, demo):
    response = client.get(CATALOGUE, {"authority": "moet"})
    # The demo's MOET approval covers the collaborative-learning micro-credential only.
    assert shown_slugs(response) == {COLLABORATIVE}
    assert "<dt>Recognised by</dt><dd>MOET</dd>" in page(response)
    moe_cn = client.get(CATALOGUE, {"authority": "moe-cn"})
    assert "not recognised and is ignored" in page(moe_cn)  # recognises nothing yet


def test_filters_combine_keep_their_state_and_can_be_removed_one_by_one(client, demo):
    response = client.get(CATALOGUE, {"mode": "blended", "language": "vi", "q": "data"})
    catalogue = response.context["catalogue"]
    html = page(response)
    assert shown_slugs(response) == {"guide-personalised-learning-with-data-insights"}
    # Each select shows its choice; the words stay in the search box.
    assert '<option value="blended" selected>' in html
    assert '<option value="vi" selected>' in html
    assert 'value="data"' in html
    # Each filter in use has a link that removes it and keeps the others.
    removals = {active.label: active.remove_query for active in catalogue.active}
    assert removals["Mode"] == "?language=vi&q=data"
    assert removals["Words"] == "?mode=blended&language=vi"
    # The counts beside a choice are what it gives with the other filters.
    assert catalogue.facet("mode").options["online"].count == len(
        shown_slugs(client.get(CATALOGUE, {"mode": "online", "language": "vi", "q": "data"}))
    )


def test_no_match_gives_an_empty_state_not_an_error(client, demo):
    response = client.get(CATALOGUE, {"mode": "onsite", "authority": "moet"})
    assert response.status_code == 200
    assert shown_slugs(response) == set()
    assert "No micro-credential matches all these filters." in page(response)


@pytest.mark.parametrize(
    "params",
    [
        {"mode": "underwater"},
        {"competence": "not-a-uuid"},
        {"level": "00000000-0000-0000-0000-000000000000"},
        {"framework": "<script>"},
        {"language": "tlh"},
        {"authority": "nobody"},
    ],
)
def test_unknown_filter_values_are_ignored_with_a_message(client, demo, params):
    response = client.get(CATALOGUE, params)
    assert response.status_code == 200
    assert shown_slugs(response) == published_slugs()
    assert "not recognised and is ignored" in page(response)
    assert "<script>" not in page(response)


def test_odd_query_strings_never_fail(client, demo):
    for query in ["q=" + "x" * 5000, "mode=online&mode=blended", "q=%00", "competence=&level="]:
        assert client.get(f"{CATALOGUE}?{query}").status_code == 200


def test_a_competence_nothing_develops_yet_gives_an_empty_result(client, demo):
    """The framework browser links every competence to the catalogue."""
    used = set(
        SpecificationVersion.objects.filter(status="published").values_list(
            "alignments__competence", flat=True
        )
    )
    unused = Competence.objects.exclude(pk__in=used).filter(framework__status="published").first()
    response = client.get(CATALOGUE, {"competence": unused.uuid})
    assert shown_slugs(response) == set()
    assert "not recognised" not in page(response)
    assert escape(f"{unused.code} {unused.name}") in page(response)


def test_the_catalogue_works_without_javascript(client, demo):
    html = page(client.get(CATALOGUE))
    assert '<form method="get" action="/en/catalogue/"' in html
    for name in ("q", "framework", "competence", "level", "language", "mode", "authority"):
        assert f'<label for="filter-{name}">' in html and f'id="filter-{name}"' in html


def _add_micro_credentials(count: int) -> None:
    """More published micro-credentials, each with two offerings, aligned like the first."""
    hust = Organisation.objects.get(slug="hust")
    start = timezone.localdate() + datetime.timedelta(days=30)
    for _ in range(count):
        version = PublishedSpecificationFactory()
        for language, mode in (("en", "online"), ("vi", "blended")):
            catalog_services.offering_create(
                version=version,
                host=hust,
                starts_on=start,
                ends_on=start + datetime.timedelta(days=30),
                language=language,
                mode=mode,
                capacity=30,
            )


def _queries(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/en/", None),
        (CATALOGUE, None),
        (CATALOGUE, {"mode": "blended", "language": "vi", "authority": "moet"}),
    ],
)
def test_the_number_of_queries_does_not_grow_with_the_catalogue(client, demo, url, params):
    _queries(client, url, params)  # caches warmed (content types, sessions)
    small = _queries(client, url, params)
    _add_micro_credentials(12)
    assert _queries(client, url, params) == small
    assert small <= 14  # the home page adds its news cards (two queries) to the catalogue's


def test_the_bulk_recognition_read_agrees_with_the_recognition_selector(demo):
    versions = list(SpecificationVersion.objects.filter(status="published"))
    for day in (datetime.date(2025, 12, 31), datetime.date(2026, 6, 1), datetime.date(2029, 1, 1)):
        bulk = selectors.recognitions_in_force(versions, on=day)
        for version in versions:
            one_by_one = list(recognition_selectors.decisions_in_force(version, on=day))
            assert [d.pk for d in bulk.get(version.pk, [])] == [d.pk for d in one_by_one]
    assert any(selectors.recognitions_in_force(versions, on=datetime.date(2026, 6, 1)).values())


def test_filtering_is_a_pure_function_of_the_entries(demo):
    """The same entries and filters give the same result, whatever the request."""
    from django.http import QueryDict

    entries = selectors.catalogue_entries(on=timezone.localdate())
    level = ProficiencyLevel.objects.filter(framework__slug="digcompedu", code="B2").first()
    result = filter_catalogue(entries, QueryDict(f"level={level.uuid}&framework=digcompedu"))
    assert result.entries and all(
        any(a.target_level_id == level.pk for a in entry.alignments) for entry in result.entries
    )
    assert result.facet("framework").selected == "digcompedu"
    assert [a.label for a in result.active] == ["Framework", "Proficiency level"]
