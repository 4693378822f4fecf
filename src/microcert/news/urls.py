"""Pages of news, events and good-practice cases (under the language prefix).

Fixed addresses come before ``news/<slug>/`` and ``cases/<slug>/``, and their words are
reserved slugs (``models.RESERVED_SLUGS``), so no article or case can hide a page.
"""

from django.urls import path

from .feeds import NewsAtom, NewsRss
from .views import editor, public, submitter

app_name = "news"
urlpatterns = [
    path("news/feed.rss", NewsRss(), name="feed_rss"),
    path("news/feed.atom", NewsAtom(), name="feed_atom"),
    *public.urlpatterns,
    *editor.urlpatterns,
    *submitter.urlpatterns,
    *public.detail_urlpatterns,
]
