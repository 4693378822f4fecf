"""RSS 2.0 and Atom feeds of the news, one per language.

A feed at ``/<language>/news/feed.rss`` (or ``.atom``) holds only public articles written in
that language (title and summary); an article not yet translated waits out of the feed rather
than appear there in another language.
"""

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from . import selectors, text
from .models import Article


class NewsRss(Feed):
    feed_type = Rss201rev2Feed

    def get_object(self, request: HttpRequest, *args, **kwargs) -> str:
        # The language of the page address (/vi/news/feed.rss): the feed's language.
        return text.current_language()

    def title(self, language: str) -> str:
        return _("News and events of the partner network")

    def description(self, language: str) -> str:
        return _(
            "News, visits, policy dialogues and meetings of the micro-certification "
            "programme's partner network."
        )

    subtitle = description

    def link(self, language: str) -> str:
        return reverse("news:list")

    def items(self, language: str):
        return selectors.feed_articles(language)

    def item_title(self, item: Article) -> str:
        return text.localized(item, "title").text

    def item_description(self, item: Article) -> str:
        return text.localized(item, "summary").text

    def item_link(self, item: Article) -> str:
        return reverse("news:article", kwargs={"slug": item.slug})

    def item_guid(self, item: Article) -> str:
        return f"urn:uuid:{item.uuid}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Article):
        return item.publish_at

    def item_updateddate(self, item: Article):
        return max(item.updated_at, item.publish_at or item.updated_at)

    def item_categories(self, item: Article) -> list[str]:
        return [text.localized(tag, "name").text for tag in item.tags.all()]

    def item_author_name(self, item: Article) -> str:
        return _("The programme's editors")

    def feed_copyright(self) -> str:
        return f"© {timezone.now().year}"


class NewsAtom(NewsRss):
    feed_type = Atom1Feed
