"""Addresses for search engines and browsers, outside the language prefix: ``/robots.txt``,
``/sitemap.xml`` and ``/favicon.ico`` (asked for by browsers whatever the page says). The
project's URL map includes them before the language patterns."""

from django.contrib.sitemaps.views import sitemap
from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from .public_views import robots_txt
from .sitemaps import SITEMAPS


class FaviconRedirect(RedirectView):
    permanent = True

    def get_redirect_url(self, *args, **kwargs) -> str:
        # Resolved per request: a hashed static storage knows the name only after collectstatic.
        return static("microcert/favicon.svg")


urlpatterns = [
    path("robots.txt", robots_txt, name="robots_txt"),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": SITEMAPS, "template_name": "web/sitemap.xml"},
        name="sitemap",
    ),
    path("favicon.ico", FaviconRedirect.as_view(), name="favicon"),
]
