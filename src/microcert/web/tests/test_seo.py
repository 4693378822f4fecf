"""What search engines and link previews read: the language of each page, the same page in
the other languages, canonical addresses, descriptions, robots.txt and the sitemap."""

import re

import pytest
from defusedxml import ElementTree
from django.utils.html import escape

from microcert.catalog.models import SpecificationVersion

pytestmark = pytest.mark.django_db

BASE = "https://microcert.test"  # PUBLIC_BASE_URL in the tests
LANGUAGES = ["en", "vi", "zh-hans", "fr"]
PUBLIC_PAGES = [
    "",
    "catalogue/",
    "catalogue/organise-and-facilitate-online-collaborative-learning/",
    "partners/",
    "partners/hust/",
    "frameworks/",
    "frameworks/digcompedu/",
    "verify/",
]


def page(response) -> str:
    return response.content.decode()


def meta(html: str, attribute: str, name: str) -> str:
    found = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)"', html)
    assert found, f"no {name}"
    return found.group(1)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_names_its_language_alternates_and_canonical_address(client, demo, path):
    for language in ("vi", "fr"):
        response = client.get(f"/{language}/{path}")
        assert response.status_code == 200
        html = page(response)
        assert f'<html lang="{language}">' in html
        assert f'<link rel="canonical" href="{BASE}/{language}/{path}">' in html
        for other in LANGUAGES:
            assert f'<link rel="alternate" hreflang="{other}" href="{BASE}/{other}/{path}">' in html
        assert f'<link rel="alternate" hreflang="x-default" href="{BASE}/{path}">' in html
        assert meta(html, "name", "description")
        assert meta(html, "property", "og:title")
        assert meta(html, "property", "og:description")
        assert meta(html, "property", "og:url") == f"{BASE}/{language}/{path}"
        assert "<title>" in html and " · microcert</title>" in html


def test_titles_and_descriptions_come_from_the_content_in_the_pages_language(client, demo):
    version = SpecificationVersion.objects.get(
        micro_credential__slug="organise-and-facilitate-online-collaborative-learning",
        status="published",
    )
    html = page(client.get(f"/vi/catalogue/{version.micro_credential.slug}/"))
    assert f"<title>{escape(version.title_vi)} · microcert</title>" in html
    assert meta(html, "property", "og:title") == escape(version.title_vi)
    assert meta(html, "name", "description") == escape(version.summary_vi)
    assert meta(html, "property", "og:type") == "article"
    assert meta(html, "property", "og:locale") == "vi_VN"


def test_the_language_switcher_keeps_the_page_and_its_filters(client, demo):
    html = page(client.get("/en/catalogue/?mode=blended&language=vi"))
    switcher = html[html.index('class="dropdown lang-menu"') :]
    switcher = switcher[: switcher.index("</details>")]
    assert 'href="/vi/catalogue/?mode=blended&amp;language=vi" hreflang="vi" lang="vi"' in switcher
    assert 'href="/zh-hans/catalogue/?mode=blended&amp;language=vi"' in switcher
    assert (
        'href="/en/catalogue/?mode=blended&amp;language=vi" hreflang="en" lang="en" '
        'aria-current="true"' in switcher
    )
    # The canonical address of a filtered list is the list itself.
    assert f'<link rel="canonical" href="{BASE}/en/catalogue/">' in html
    # And the switcher's targets exist.
    assert client.get("/fr/catalogue/?mode=blended&language=vi").status_code == 200


def test_the_switcher_works_on_every_kind_of_page(client, demo):
    html = page(client.get("/fr/frameworks/digcompedu/"))
    assert 'href="/vi/frameworks/digcompedu/"' in html
    missing = client.get("/fr/no-such-page/")
    assert missing.status_code == 404 and "lang-menu" in page(missing)


def test_the_header_marks_the_current_section_and_needs_no_inline_script(client, demo):
    html = page(client.get("/en/partners/hust/"))
    assert '<a href="/en/partners/" aria-current="page">' in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None
    assert " style=" not in html and "<style" not in html


def test_no_page_loads_an_asset_from_another_site(client, demo):
    for path in PUBLIC_PAGES:
        html = page(client.get(f"/en/{path}"))
        for tag in re.findall(r"<(?:link|script|img|iframe)\b[^>]*>", html):
            if 'rel="alternate"' in tag or 'rel="canonical"' in tag:
                continue
            source = re.search(r'(?:href|src)="([^"]*)"', tag)
            assert source is None or source.group(1).startswith("/"), (path, tag)
        assert "@import" not in html and "fonts.googleapis" not in html


def test_robots_txt_allows_public_pages_and_points_to_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = page(response)
    assert "User-agent: *" in text
    for language in LANGUAGES:
        assert f"Disallow: /{language}/learn/" in text
        assert f"Disallow: /{language}/admin/" in text
        assert f"Disallow: /{language}/catalogue/" not in text
    assert "Disallow: /api/" in text
    assert f"Sitemap: {BASE}/sitemap.xml" in text


def test_the_sitemap_lists_public_pages_in_every_language_with_alternates(client, demo):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    tree = ElementTree.fromstring(response.content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    locations = [loc.text for loc in tree.findall("s:url/s:loc", ns)]
    for language in LANGUAGES:
        for path in PUBLIC_PAGES:
            if path == "frameworks/digcompedu/":
                continue  # listed under its version's address
            assert f"{BASE}/{language}/{path}" in locations, (language, path)
    assert any("/frameworks/digcompedu/" in location for location in locations)
    # Nothing private, nothing unpublished.
    assert not any("/learn/" in loc or "/partners/moet/" in loc for loc in locations)
    first = tree.find("s:url", ns)
    alternates = {link.get("hreflang") for link in first.findall("x:link", ns)}
    assert alternates == {*LANGUAGES, "x-default"}


def test_browsers_asking_for_favicon_ico_get_the_platforms_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/microcert/favicon.svg"
