"""Reads of news: what is public is decided when it is read, so a scheduled article appears
at its moment exactly; partner pages, country pages, events and feeds read from here."""

import datetime

import pytest
from django.utils import timezone

from microcert.news import selectors, services
from microcert.news.models import Article

from .builders import draft, event, public, published_case, scheduled

pytestmark = pytest.mark.django_db


def test_a_scheduled_article_becomes_public_at_its_moment_and_not_a_microsecond_before(network):
    article = scheduled(network.editor, days=2)
    moment = article.publish_at
    just_before = moment - datetime.timedelta(microseconds=1)
    assert list(selectors.published_articles(now=just_before)) == []
    assert list(selectors.published_articles(now=moment)) == [article]
    assert list(selectors.published_articles(now=moment + datetime.timedelta(days=1))) == [article]
    assert not article.is_public(just_before) and article.is_public(moment)


def test_drafts_never_appear(network):
    draft(network.editor, "draft")
    later = timezone.now() + datetime.timedelta(days=365)
    assert list(selectors.published_articles(now=later)) == []


def test_public_articles_of_a_partner_and_of_a_country_newest_first(network):
    older = public(network.editor, "older", partners=[network.hust], countries=["VN"])
    Article.objects.filter(pk=older.pk).update(
        publish_at=timezone.now() - datetime.timedelta(days=3)
    )
    newer = public(network.editor, "newer", partners=[network.hust, network.ut], countries=["ID"])
    public(network.editor, "other", partners=[network.ut])
    scheduled(network.editor, "not-yet", partners=[network.hust], countries=["VN"])

    assert list(selectors.published_articles(organisation=network.hust)) == [newer, older]
    assert list(selectors.published_articles(country="VN")) == [older]
    assert list(selectors.published_articles(country=network.ut.country)) == [newer]
    assert list(selectors.published_articles(limit=1)) == [selectors.published_articles().first()]
    assert list(selectors.published_articles(country="FR")) == []


def test_upcoming_events_soonest_first_and_past_ones_latest_first(network):
    soon = event(network.editor, "soon", 5)
    later = event(network.editor, "later", 40)
    past = event(network.editor, "past", -30)
    long_ago = event(network.editor, "long-ago", -300)
    public(network.editor, "a-news-item")
    assert list(selectors.upcoming_events()) == [soon, later]
    assert list(selectors.past_events()) == [past, long_ago]


def test_an_event_under_way_is_still_upcoming(network):
    under_way = event(network.editor, "under-way", 0)
    Article.objects.filter(pk=under_way.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        ends_at=timezone.now() + datetime.timedelta(hours=1),
    )
    assert list(selectors.upcoming_events()) == [under_way]
    assert list(selectors.past_events()) == []


def test_the_feed_of_a_language_holds_only_articles_written_in_it(network):
    both = public(network.editor, "both")
    english_only = public(
        network.editor, "english-only", title={"en": "Only English"}, summary={"en": "Summary"}
    )
    assert list(selectors.feed_articles("en")) == [english_only, both]
    assert list(selectors.feed_articles("vi")) == [both]
    assert list(selectors.feed_articles("zh-hans")) == []


def test_published_cases_of_an_organisation(network):
    from .builders import case

    hust_case = published_case(network)
    published_case(network, organisation=network.ut, actor=network.ut_admin)
    case(network)  # waiting for review
    assert list(selectors.published_cases(organisation=network.hust)) == [hust_case]
    assert selectors.published_cases().count() == 2


def test_who_submits_for_which_organisation(network):
    assert list(selectors.submitting_organisations(network.hust_admin)) == [network.hust]
    assert list(selectors.submitting_organisations(network.outsider_admin)) == []
    assert list(selectors.submitting_organisations(network.teacher)) == []


def test_filters_of_the_lists_come_from_public_articles_only(network):
    tag = services.tag_ensure(slug="visits", name="Visits")
    services.tag_ensure(slug="unused", name="Unused")
    public(network.editor, "one", tags=[tag], countries=["VN"], partners=[network.hust])
    scheduled(network.editor, "two", countries=["FR"], partners=[network.ut])
    assert [t.slug for t in selectors.tags_in_use()] == ["visits"]
    assert [code for code, _name in selectors.countries_in_use()] == ["VN"]
    assert list(selectors.partners_in_use()) == [network.hust]
