"""The news of the demo, loaded twice on top of the demo network: the visit to Viet Nam in
four languages with its picture, an article waiting for its date, a draft, the meeting
ahead, and two cases."""

import io

import pytest
from django.test import Client
from PIL import Image

from microcert.core.models import Event
from microcert.news import selectors
from microcert.news.demo import MEETING_SLUG, SCHEDULED_SLUG, VISIT_SLUG, load_demo
from microcert.news.models import Article, ArticleImage, Case, Tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_news(db):
    from microcert.demo.services import demo_load

    demo_load(credentials=False)
    load_demo()
    counts = (Article.objects.count(), Case.objects.count(), ArticleImage.objects.count())
    events = Event.objects.count()
    load_demo()
    assert (Article.objects.count(), Case.objects.count(), ArticleImage.objects.count()) == counts
    assert Event.objects.count() == events
    assert Tag.objects.count() == 5


def test_the_visit_is_public_in_four_languages_and_linked_to_who_the_demo_holds(demo_news):
    visit = Article.objects.get(slug=VISIT_SLUG)
    assert visit.is_public() and visit.event_type == "visit"
    assert visit.publish_at.date().isoformat() == "2024-04-23"
    for language in ("en", "vi", "zh_hans", "fr"):
        for field in ("title", "summary", "body", "place"):
            assert getattr(visit, f"{field}_{language}"), (field, language)
    assert "Bộ Giáo dục và Đào tạo" in visit.title_vi
    assert "Nguyễn Thu Thủy" in visit.body_vi and "河内百科大学" in visit.title_zh_hans
    assert "ministère de l'Éducation et de la Formation" in visit.summary_fr
    # The three hosts of the visit: the ministry, the university and the UNESCO office.
    assert sorted(o.slug for o in visit.partners.all()) == ["hust", "moet", "unesco-hanoi"]
    assert [c.code for c in visit.countries] == ["VN"]


def test_the_visit_has_a_drawn_picture_with_its_text_alternative(demo_news):
    image = Article.objects.get(slug=VISIT_SLUG).images.get()
    assert image.content_type == "image/png" and (image.width, image.height) == (1200, 675)
    assert all(getattr(image, f"alt_{lang}") for lang in ("en", "vi", "zh_hans", "fr"))
    with image.file.open("rb") as handle:
        assert Image.open(io.BytesIO(handle.read())).size == (1200, 675)
    response = Client().get(f"/en/news/images/{image.uuid}.png")
    assert response.status_code == 200


def test_a_scheduled_article_a_draft_and_the_meeting_ahead(demo_news):
    states = {a.slug: a.state for a in Article.objects.all()}
    assert states[SCHEDULED_SLUG] == "scheduled"
    assert list(states.values()).count("draft") == 1
    assert [a.slug for a in selectors.upcoming_events()] == [MEETING_SLUG]
    assert Article.objects.get(slug=MEETING_SLUG).event_type == "partnership_meeting"


def test_one_case_from_hust_is_published_and_one_waits(demo_news):
    published = selectors.published_cases().get()
    assert published.organisation.slug == "hust"
    assert (published.award, published.award_year) == ("nominee", 2025)
    assert published.competences.count() == 3
    waiting = selectors.cases_to_review().get()
    assert waiting.organisation.slug == "ut"


def test_the_demo_pages_answer(demo_news):
    client = Client()
    for url in ("/vi/news/", f"/zh-hans/news/{VISIT_SLUG}/", "/fr/events/", "/en/cases/"):
        assert client.get(url).status_code == 200, url
