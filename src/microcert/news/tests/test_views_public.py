"""The public pages: the list with its filters and pages, an article in the reader's
language (saying when it falls back), events, the case library, and images served by the
platform. What is not public answers 404; a bad filter is said, never a 500."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from microcert.news import services
from microcert.news.models import Article

from .builders import case, draft, event, png, public, published_case, scheduled

pytestmark = pytest.mark.django_db


def page(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def test_the_list_shows_public_articles_only_with_links_to_the_feeds(client, network):
    public(network.editor, "visible")
    draft(network.editor, "hidden-draft", title={"en": "Secret draft"})
    scheduled(network.editor, "hidden-later", title={"en": "Not yet"})
    html = page(client, "/en/news/")
    assert "/en/news/visible/" in html
    assert "Secret draft" not in html and "Not yet" not in html
    assert 'type="application/rss+xml"' in html and 'href="/en/news/feed.rss"' in html
    assert 'type="application/atom+xml"' in html


def test_filters_by_tag_country_partner_and_kind(client, network):
    tag = services.tag_ensure(slug="visits", name="Visits")
    public(network.editor, "tagged", tags=[tag], title={"en": "Tagged one"})
    public(network.editor, "in-vn", countries=["VN"], title={"en": "About Viet Nam"})
    public(network.editor, "with-ut", partners=[network.ut], title={"en": "With UT"})
    event(network.editor, "a-workshop", 10, title={"en": "A workshop"})
    cases = {
        "?tag=visits": "Tagged one",
        "?country=VN": "About Viet Nam",
        "?partner=ut": "With UT",
        "?kind=event": "A workshop",
    }
    for query, expected in cases.items():
        html = page(client, "/en/news/" + query)
        shown = [t for t in ("Tagged one", "About Viet Nam", "With UT", "A workshop") if t in html]
        assert shown == [expected], query


@pytest.mark.parametrize(
    "query", ["?tag=nope", "?country=ZZ", "?partner=nobody", "?kind=poem", "?kind[]=x&tag=%00"]
)
def test_a_filter_naming_nothing_known_is_said_and_shows_nothing(client, network, query):
    public(network.editor, "visible", title={"en": "Visible"})
    html = page(client, "/en/news/" + query, status=400)
    assert "names nothing we know" in html
    assert "Visible" not in html.split("result-count")[1]


def test_pages_of_ten_keep_the_filters(client, network):
    for number in range(12):
        public(network.editor, f"item-{number:02d}", countries=["VN"])
    first = page(client, "/en/news/?country=VN")
    assert first.count('<li class="news-card') == 10
    assert 'href="?country=VN&amp;page=2"' in first
    second = page(client, "/en/news/?country=VN&page=2")
    assert second.count('<li class="news-card') == 2
    # A page number out of range or not a number gives the nearest page.
    assert page(client, "/en/news/?page=99").count('<li class="news-card') == 2
    assert page(client, "/en/news/?page=abc").count('<li class="news-card') == 10


def test_an_article_in_the_readers_language_with_its_event_details(client, network):
    starts = datetime.datetime(2030, 4, 21, 1, 0, tzinfo=datetime.UTC)
    article = public(
        network.editor,
        "visit",
        kind="event",
        event_type="visit",
        starts_at=starts,
        time_zone="Asia/Ho_Chi_Minh",
        place={"en": "Hanoi", "vi": "Hà Nội"},
        partners=[network.hust],
        countries=["VN"],
        tags=[services.tag_ensure(slug="visits", name={"en": "Visits", "vi": "Chuyến thăm"})],
    )
    services.article_image_add(
        article=article, upload=png(), alt={"en": "A red square"}, actor=network.editor
    )
    html = page(client, "/vi/news/visit/")
    assert '<h1 id="article-title" lang="vi">Chuyến thăm Hà Nội</h1>' in html
    assert "<p>Đoạn thứ nhất.</p>" in html
    assert "08:00" in html and "Asia/Ho Chi Minh" in html  # 01:00 UTC is 08:00 in Hanoi
    assert "Hà Nội" in html and "HUST" in html and "Chuyến thăm" in html
    assert 'alt="A red square" lang="en"' in html
    assert "Not yet available" not in html


def test_a_page_not_yet_translated_says_so_and_marks_the_language(client, network):
    public(
        network.editor,
        "english",
        title={"en": "In English only"},
        summary={"en": "S"},
        body={"en": "B"},
    )
    html = page(client, "/zh-hans/news/english/")
    assert '<h1 id="article-title" lang="en">In English only</h1>' in html
    assert 'class="fallback-note"' in html


def test_drafts_scheduled_articles_and_unknown_ones_answer_404(client, network):
    draft(network.editor, "a-draft")
    scheduled(network.editor, "a-scheduled")
    for slug in ("a-draft", "a-scheduled", "nothing-here"):
        page(client, f"/en/news/{slug}/", status=404)
    client.force_login(network.hust_admin)
    page(client, "/en/news/a-draft/", status=404)


def test_editors_preview_drafts_with_a_warning(client, network):
    draft(network.editor, "a-draft")
    client.force_login(network.editor)
    html = page(client, "/en/news/a-draft/")
    assert "Only editors see this page." in html


def test_events_page_lists_upcoming_and_past_events(client, network):
    event(network.editor, "next-workshop", 10, title={"en": "Next workshop"})
    event(network.editor, "old-workshop", -10, title={"en": "Old workshop"})
    html = page(client, "/fr/events/")
    upcoming, past = html.split('id="past-heading"')
    assert "Next workshop" in upcoming and "Old workshop" in past


def test_images_are_served_to_who_may_read_the_article(client, network):
    article = draft(network.editor)
    image = services.article_image_add(
        article=article, upload=png(), alt="A square", actor=network.editor
    )
    url = f"/en/news/images/{image.uuid}.png"
    page(client, url, status=404)
    page(client, f"/en/news/images/{image.uuid}.jpg", status=404)
    client.force_login(network.editor)
    response = client.get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    client.logout()
    services.article_publish(article=article, actor=network.editor)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_the_case_library_shows_published_cases_with_filters(client, network):
    published_case(network, award="nominee", award_year=2025)
    case(network, title={"en": "Waiting case"}, summary={"en": "s"}, body={"en": "b"})
    html = page(client, "/en/cases/")
    assert "Nhóm hỗ trợ đồng nghiệp" in html and "Waiting case" not in html
    assert "Pioneer award nominee 2025" in html
    assert "Nhóm hỗ trợ" in page(client, "/en/cases/?award=nominee")
    assert "Nhóm hỗ trợ" not in page(client, "/en/cases/?award=winner")
    page(client, "/en/cases/?organisation=nobody", status=400)


def test_a_case_page_shows_its_language_and_waiting_cases_answer_404(client, network):
    published = published_case(network)
    html = page(client, f"/en/cases/{published.slug}/")
    assert 'lang="vi">Nhóm hỗ trợ đồng nghiệp</h1>' in html
    assert "Not yet available in English" in html
    waiting = case(network)
    page(client, f"/en/cases/{waiting.slug}/", status=404)
    client.force_login(network.ut_admin)
    page(client, f"/en/cases/{waiting.slug}/", status=404)
    client.force_login(network.hust_admin)
    assert "Not published" in page(client, f"/en/cases/{waiting.slug}/")


def test_writes_are_not_accepted_on_public_pages(client, network):
    public(network.editor, "visible")
    assert client.post("/en/news/").status_code == 405
    assert client.post("/en/news/visible/").status_code == 405


def test_a_scheduled_article_appears_on_the_list_when_its_moment_has_come(client, network):
    article = scheduled(network.editor, "soon", title={"en": "Coming soon"})
    assert "Coming soon" not in page(client, "/en/news/")
    Article.objects.filter(pk=article.pk).update(publish_at=timezone.now())
    assert "Coming soon" in page(client, "/en/news/")
