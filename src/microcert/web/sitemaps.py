"""The sitemap of the public pages, each in the four languages with its alternates.

Addresses are built on ``PUBLIC_BASE_URL``, the platform's public address, like the canonical
links of the pages, whatever host the request came through."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from microcert.catalog.models import SpecificationVersion
from microcert.frameworks import selectors as framework_selectors
from microcert.frameworks.models import CompetencyFramework
from microcert.network.models import Organisation

from . import selectors


class PublicSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    languages = [code for code, _name in settings.LANGUAGES]

    def get_urls(self, page=1, site=None, protocol=None):
        base = urlsplit(settings.PUBLIC_BASE_URL)
        return super().get_urls(
            page=page, site=SimpleNamespace(domain=base.netloc), protocol=base.scheme
        )


class StaticPagesSitemap(PublicSitemap):
    priority = 0.8
    changefreq = "weekly"

    def items(self) -> list[str]:
        return [
            "web:home",
            "web:catalogue",
            "frameworks:list",
            "web:partners",
            "credentials:verify",
        ]

    def location(self, item: str) -> str:
        return reverse(item)


class SpecificationSitemap(PublicSitemap):
    priority = 0.7
    changefreq = "monthly"

    def items(self):
        return (
            SpecificationVersion.objects.filter(status=SpecificationVersion.Status.PUBLISHED)
            .select_related("micro_credential")
            .order_by("micro_credential__slug")
        )

    def location(self, version: SpecificationVersion) -> str:
        return reverse("web:specification", args=[version.micro_credential.slug])

    def lastmod(self, version: SpecificationVersion):
        return version.published_at


class FrameworkSitemap(PublicSitemap):
    priority = 0.5
    changefreq = "yearly"

    def items(self):
        return framework_selectors.published_frameworks().order_by("slug", "version")

    def location(self, framework: CompetencyFramework) -> str:
        return reverse("frameworks:detail", args=[framework.slug, framework.version])


class PartnerSitemap(PublicSitemap):
    priority = 0.5
    changefreq = "monthly"

    def items(self):
        return Organisation.objects.filter(pk__in=selectors.public_organisation_ids()).order_by(
            "slug"
        )

    def location(self, organisation: Organisation) -> str:
        return reverse("web:partner", args=[organisation.slug])


SITEMAPS = {
    "pages": StaticPagesSitemap,
    "catalogue": SpecificationSitemap,
    "frameworks": FrameworkSitemap,
    "partners": PartnerSitemap,
}
