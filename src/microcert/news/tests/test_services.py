"""The writes of news, read as their specification: articles from draft to public (now or at
a set moment) and back, images, and a case's way from submission to the library."""

import datetime

import pytest
from django.utils import timezone

from microcert.core.models import Event
from microcert.news import services
from microcert.news.models import Article, ArticleImage, Case, CaseComment
from microcert.news.services import NewsConflict, NewsError

from .builders import TEXTS, case, draft, png, public, scheduled

pytestmark = pytest.mark.django_db


def verbs(target) -> list[str]:
    return list(
        Event.objects.filter(object_type=target._meta.label_lower, object_id=str(target.pk))
        .order_by("occurred_at", "id")
        .values_list("verb", flat=True)
    )


# --- Articles ---------------------------------------------------------------------------------


def test_a_new_article_is_a_draft_in_the_languages_given(network):
    article = draft(network.editor, countries=["vn", "VN", "cn"], partners=[network.hust])
    assert article.status == Article.Status.DRAFT and article.publish_at is None
    assert (article.title_en, article.title_vi) == ("A visit to Hanoi", "Chuyến thăm Hà Nội")
    assert not article.title_zh_hans
    assert sorted(c.code for c in article.countries) == ["CN", "VN"]
    assert list(article.partners.all()) == [network.hust]
    assert article.author == network.editor
    assert verbs(article) == ["article.created"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": {"vi": "Chỉ tiếng Việt"}}, "title in English"),
        ({"slug": "manage"}, "reserved"),
        ({"slug": "!!!"}, "Latin letters"),
        ({"title": {"de": "Besuch", "en": "Visit"}}, "Unknown language"),
        ({"countries": ["XX"]}, "Unknown country"),
        ({"kind": "event", "event_type": "visit"}, "starts"),
        ({"kind": "event", "starts_at": timezone.now()}, "type of event"),
        ({"kind": "event", "event_type": "gala", "starts_at": timezone.now()}, "Unknown type"),
        ({"time_zone": "Mars/Olympus"}, "Unknown time zone"),
        ({"title": {"en": "x" * 201}}, "longer than 200"),
    ],
)
def test_an_article_that_cannot_be_written_is_refused_and_nothing_is_stored(
    network, changes, message
):
    with pytest.raises(NewsError, match=message):
        draft(network.editor, **changes)
    assert not Article.objects.exists()


def test_an_event_cannot_end_before_it_starts(network):
    starts = timezone.now()
    with pytest.raises(NewsError, match="end before"):
        draft(
            network.editor,
            kind="event",
            event_type="visit",
            starts_at=starts,
            ends_at=starts - datetime.timedelta(hours=1),
        )


def test_two_articles_cannot_share_an_address(network):
    draft(network.editor, "same")
    with pytest.raises(NewsConflict, match="already has the address"):
        draft(network.editor, "same")


def test_publishing_makes_it_public_now_and_twice_is_refused(network):
    article = services.article_publish(article=draft(network.editor), actor=network.editor)
    assert article.is_public() and article.state == "published"
    assert article.publish_at <= timezone.now()
    with pytest.raises(NewsConflict, match="already public"):
        services.article_publish(article=article, actor=network.editor)
    assert verbs(article) == ["article.created", "article.published"]


def test_an_article_without_its_english_summary_and_text_is_not_published(network):
    article = draft(network.editor, summary={"vi": "Tóm tắt"}, body={})
    with pytest.raises(NewsError, match="summary, text"):
        services.article_publish(article=article, actor=network.editor)
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_scheduling_publishes_it_later_and_it_can_be_moved_or_published_early(network):
    article = scheduled(network.editor, days=3)
    assert article.status == Article.Status.PUBLISHED
    assert article.state == "scheduled" and not article.is_public()
    later = timezone.now() + datetime.timedelta(days=10)
    article = services.article_schedule(article=article, publish_at=later, actor=network.editor)
    assert article.publish_at == later
    article = services.article_publish(article=article, actor=network.editor)
    assert article.is_public()
    published = Event.objects.filter(verb="article.published", object_id=str(article.pk)).get()
    assert published.details["was_scheduled_for"] == later.isoformat()


@pytest.mark.parametrize("offset", [datetime.timedelta(0), datetime.timedelta(minutes=-5)])
def test_scheduling_for_now_or_the_past_is_refused(network, offset):
    article = draft(network.editor)
    with pytest.raises(NewsError, match="moment in the future"):
        services.article_schedule(
            article=article, publish_at=timezone.now() + offset, actor=network.editor
        )
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_a_public_article_is_not_scheduled_without_going_back_to_draft(network):
    article = public(network.editor)
    with pytest.raises(NewsConflict, match="back to a draft"):
        services.article_schedule(
            article=article,
            publish_at=timezone.now() + datetime.timedelta(days=1),
            actor=network.editor,
        )


def test_a_naive_moment_is_refused(network):
    with pytest.raises(NewsError, match="time zone"):
        services.article_schedule(
            article=draft(network.editor),
            publish_at=datetime.datetime(2030, 1, 1, 9, 0),
            actor=network.editor,
        )


def test_unpublishing_takes_a_public_or_scheduled_article_back_to_draft(network):
    for article in (public(network.editor, "one"), scheduled(network.editor, "two")):
        article = services.article_unpublish(article=article, actor=network.editor, reason="typo")
        assert (article.status, article.publish_at) == (Article.Status.DRAFT, None)
        with pytest.raises(NewsConflict, match="draft already"):
            services.article_unpublish(article=article, actor=network.editor)
    assert Event.objects.filter(verb="article.unpublished", reason="typo").count() == 2


def test_updating_changes_what_is_given_and_keeps_the_rest(network):
    article = draft(network.editor, tags=[services.tag_ensure(slug="visits", name="Visits")])
    article = services.article_update(
        article=article,
        actor=network.editor,
        title={"zh-hans": "河内之行"},
        countries=["VN"],
    )
    assert (article.title_en, article.title_zh_hans) == (TEXTS["title"]["en"], "河内之行")
    assert [t.slug for t in article.tags.all()] == ["visits"]
    assert verbs(article)[-1] == "article.updated"


def test_a_public_article_keeps_what_publishing_asks_for(network):
    article = public(network.editor)
    with pytest.raises(NewsError, match="needs in English"):
        services.article_update(article=article, actor=network.editor, body={"en": ""})
    article.refresh_from_db()
    assert article.body_en


def test_turning_an_event_back_into_news_drops_its_event_details(network):
    article = draft(
        network.editor,
        kind="event",
        event_type="visit",
        starts_at=timezone.now(),
        place={"en": "Hanoi"},
    )
    article = services.article_update(article=article, actor=network.editor, kind="news")
    assert (article.event_type, article.starts_at, article.place_en) == ("", None, "")


def test_tags_are_made_once(network):
    first = services.tag_ensure(slug="Smart Classrooms", name={"en": "Smart Classrooms"})
    again = services.tag_ensure(slug="smart-classrooms", name={"en": "Other"})
    assert first == again and first.slug == "smart-classrooms"


# --- Images -----------------------------------------------------------------------------------


def test_an_image_is_kept_as_a_clean_copy_with_its_text_alternative(network, settings):
    article = draft(network.editor)
    image = services.article_image_add(
        article=article,
        upload=png(),
        alt={"en": "A red square", "vi": "Một hình vuông đỏ"},
        caption={"en": "Red"},
        actor=network.editor,
    )
    assert (image.content_type, image.width, image.height) == ("image/png", 40, 30)
    assert image.file.name == f"news/images/{image.uuid}.png"
    assert (settings.MEDIA_ROOT / image.file.name).exists()
    assert (image.alt_en, image.alt_vi, image.position) == ("A red square", "Một hình vuông đỏ", 0)
    assert verbs(article)[-1] == "article.image_added"


def test_an_image_without_english_alternative_is_refused_and_no_file_is_left(network, settings):
    article = draft(network.editor)
    with pytest.raises(NewsError, match="Describe the image"):
        services.article_image_add(
            article=article, upload=png(), alt={"vi": "Hình"}, actor=network.editor
        )
    assert not ArticleImage.objects.exists()
    folder = settings.MEDIA_ROOT / "news" / "images"
    assert not folder.exists() or not any(folder.iterdir())


def test_removing_an_image_deletes_its_file_once_committed(
    network, settings, django_capture_on_commit_callbacks
):
    article = draft(network.editor)
    image = services.article_image_add(
        article=article, upload=png(), alt="A square", actor=network.editor
    )
    path = settings.MEDIA_ROOT / image.file.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.article_image_remove(image=image, actor=network.editor)
    assert not ArticleImage.objects.exists()
    assert path.exists()  # not before the commit
    for callback in callbacks:
        callback()
    assert not path.exists()
    assert verbs(article)[-1] == "article.image_removed"


def test_an_article_holds_a_limited_number_of_images(network):
    article = draft(network.editor)
    for _ in range(services.MAX_IMAGES_PER_ARTICLE):
        services.article_image_add(article=article, upload=png(), alt="x", actor=network.editor)
    with pytest.raises(NewsError, match="at most"):
        services.article_image_add(article=article, upload=png(), alt="x", actor=network.editor)


# --- Cases ------------------------------------------------------------------------------------


def test_a_member_submits_a_case_in_its_own_language(network):
    submitted = case(network, award="nominee", award_year=2025, comment="For the 2025 awards")
    assert submitted.status == Case.Status.SUBMITTED
    assert submitted.title_vi == "Nhóm hỗ trợ đồng nghiệp" and not submitted.title_en
    assert submitted.slug == "hust-nhom-ho-tro-ong-nghiep"
    assert submitted.submitted_by == network.hust_admin
    assert list(submitted.comments.values_list("step", "text")) == [
        ("submitted", "For the 2025 awards")
    ]
    assert verbs(submitted) == ["case.submitted"]


def test_two_cases_with_the_same_title_get_their_own_addresses(network):
    assert case(network).slug != case(network).slug


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": {}, "summary": {}, "body": {}}, "at least one language"),
        ({"title": {"en": "Only a title"}}, "at least one language"),
        ({"award": "nominee"}, "year of the award"),
        ({"award": "nominee", "award_year": 1999}, "year of the award"),
        ({"award": "gold"}, "Unknown award"),
    ],
)
def test_a_case_that_cannot_be_taken_is_refused(network, changes, message):
    if changes.get("title") == {"en": "Only a title"}:
        changes = {"title": {"en": "Only a title"}, "summary": {"vi": "x"}, "body": {"fr": "y"}}
    with pytest.raises(NewsError, match=message):
        case(network, **changes)
    assert not Case.objects.exists()


def test_only_members_of_the_network_submit_cases(network):
    with pytest.raises(NewsError, match="Only members"):
        case(network, organisation=network.outsider, actor=network.outsider_admin)


def test_changes_requested_then_resubmitted_then_published(network):
    submitted = case(network)
    returned = services.case_request_changes(
        case=submitted, actor=network.editor, comment="Please add an English version."
    )
    assert returned.status == Case.Status.CHANGES_REQUESTED
    resubmitted = services.case_resubmit(
        case=returned,
        actor=network.hust_admin,
        title={"en": "Peer support circles"},
        summary={"en": "Lecturers support each other."},
        body={"en": "We meet every month."},
    )
    assert resubmitted.status == Case.Status.RESUBMITTED
    assert (resubmitted.title_en, resubmitted.title_vi) == (
        "Peer support circles",
        "Nhóm hỗ trợ đồng nghiệp",
    )
    published = services.case_publish(
        case=resubmitted, actor=network.editor, award="winner", award_year=2025
    )
    assert published.status == Case.Status.PUBLISHED and published.published_at
    assert (published.award, published.award_year) == ("winner", 2025)
    assert list(published.comments.values_list("step", flat=True)) == [
        "submitted",
        "changes_requested",
        "resubmitted",
        "published",
    ]
    assert verbs(published) == [
        "case.submitted",
        "case.changes_requested",
        "case.resubmitted",
        "case.published",
    ]


def test_asking_for_changes_or_rejecting_needs_a_comment(network):
    submitted = case(network)
    with pytest.raises(NewsError, match="should change"):
        services.case_request_changes(case=submitted, actor=network.editor, comment="  ")
    with pytest.raises(NewsError, match="why"):
        services.case_reject(case=submitted, actor=network.editor, comment="")
    submitted.refresh_from_db()
    assert submitted.status == Case.Status.SUBMITTED


def test_steps_the_state_does_not_allow_are_refused(network):
    submitted = case(network)
    with pytest.raises(NewsConflict, match="returned for changes"):
        services.case_resubmit(case=submitted, actor=network.hust_admin)
    rejected = services.case_reject(case=submitted, actor=network.editor, comment="Off topic")
    for step in (
        lambda: services.case_publish(case=rejected, actor=network.editor),
        lambda: services.case_request_changes(case=rejected, actor=network.editor, comment="x"),
        lambda: services.case_reject(case=rejected, actor=network.editor, comment="x"),
    ):
        with pytest.raises(NewsConflict, match="rejected: it is not waiting"):
            step()
    assert CaseComment.objects.filter(case=rejected).count() == 2
