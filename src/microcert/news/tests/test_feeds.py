"""RSS 2.0 and Atom feeds per language: well-formed XML holding only public articles written
in the feed's language, linked to the pages of that language."""

import pytest
from lxml import etree

from microcert.news import services

from .builders import draft, public, scheduled

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def articles(network):
    return {
        "everywhere": public(
            network.editor,
            "everywhere",
            title={
                "en": "In four languages",
                "vi": "Bằng bốn thứ tiếng",
                "zh-hans": "四种语言",
                "fr": "En quatre langues",
            },
            summary={"en": "S", "vi": "T", "zh-hans": "摘要", "fr": "R"},
            tags=[services.tag_ensure(slug="visits", name={"en": "Visits", "vi": "Chuyến thăm"})],
        ),
        "english": public(
            network.editor, "english", title={"en": "English only"}, summary={"en": "S"}
        ),
        "draft": draft(network.editor, "draft", title={"en": "A draft", "vi": "Bản nháp"}),
        "later": scheduled(network.editor, "later", title={"en": "Later", "vi": "Sau này"}),
    }


def parse(client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    return response, etree.fromstring(response.content)


def test_the_rss_feed_of_each_language_holds_its_public_articles(client, articles):
    response, root = parse(client, "/en/news/feed.rss")
    assert response["Content-Type"].startswith("application/rss+xml")
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel.findtext("language") == "en"
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == ["English only", "In four languages"]
    assert items[1].findtext("link") == "http://testserver/en/news/everywhere/"
    assert items[1].findtext("guid") == f"urn:uuid:{articles['everywhere'].uuid}"
    assert items[1].findtext("category") == "Visits"

    _response, root = parse(client, "/vi/news/feed.rss")
    items = root.find("channel").findall("item")
    assert [i.findtext("title") for i in items] == ["Bằng bốn thứ tiếng"]
    assert items[0].findtext("link") == "http://testserver/vi/news/everywhere/"
    assert items[0].findtext("category") == "Chuyến thăm"


def test_the_atom_feed_of_each_language_holds_its_public_articles(client, articles):
    response, root = parse(client, "/zh-hans/news/feed.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    assert root.tag == f"{ATOM}feed"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-hans"
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["四种语言"]
    assert entries[0].find(f"{ATOM}link").get("href").endswith("/zh-hans/news/everywhere/")
    assert entries[0].findtext(f"{ATOM}summary") == "摘要"


def test_drafts_and_scheduled_articles_stay_out_of_every_feed(client, articles):
    for language in ("en", "vi", "zh-hans", "fr"):
        for kind in ("rss", "atom"):
            body = client.get(f"/{language}/news/feed.{kind}").content.decode()
            assert "A draft" not in body and "Bản nháp" not in body
            assert "Later" not in body and "Sau này" not in body
