"""Template tags of the site's frame: the page's title and description reused for search
engines and link previews, the same page in every language, and the navigation's current
section."""

from __future__ import annotations

import html
from dataclasses import dataclass

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.html import strip_tags
from django.utils.translation import get_language, get_language_info

register = template.Library()


class CaptureNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: str) -> None:
        self.nodelist = nodelist
        self.name = name

    def render(self, context: template.Context) -> str:
        # Plain text: the output is escaped again wherever it is used (an attribute, <title>).
        text = html.unescape(strip_tags(self.nodelist.render(context)))
        context[self.name] = " ".join(text.split())
        return ""


@register.tag
def capture(parser: template.base.Parser, token: template.base.Token) -> CaptureNode:
    """``{% capture name %}…{% endcapture %}`` renders its content (blocks included) once, as
    plain text, into the variable ``name`` instead of the page, so that a page's title block
    can fill <title>, og:title and the heading of a preview alike."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("capture takes one variable name")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[1])


@dataclass(frozen=True)
class LanguageVersion:
    code: str
    name: str
    url: str  # this page in the language, with the query string (filters) kept
    absolute_url: str  # its canonical address, without the query string
    is_current: bool


def _prefixed(path: str, code: str) -> str:
    """``path`` in ``code``'s prefix; paths outside the language patterns stay as they are."""
    return translate_url(path, code)


@register.simple_tag(takes_context=True)
def language_versions(context: template.Context) -> list[LanguageVersion]:
    """This page in each language of the site, for the switcher and the hreflang links."""
    request: HttpRequest | None = context.get("request")
    if request is None:
        return []
    current = get_language()
    query = request.META.get("QUERY_STRING", "")
    versions = []
    for code, _name in settings.LANGUAGES:
        path = _prefixed(request.path, code)
        versions.append(
            LanguageVersion(
                code=code,
                name=get_language_info(code)["name_local"],
                url=f"{path}?{query}" if query else path,
                absolute_url=settings.PUBLIC_BASE_URL + path,
                is_current=code == current,
            )
        )
    return versions


@register.simple_tag(takes_context=True)
def canonical_url(context: template.Context) -> str:
    """The page's public address in the current language, without its query string: filtered
    views of a list are one page for search engines."""
    request: HttpRequest | None = context.get("request")
    return settings.PUBLIC_BASE_URL + request.path if request else settings.PUBLIC_BASE_URL


@register.simple_tag(takes_context=True)
def default_language_url(context: template.Context) -> str:
    """The page without a language prefix (hreflang x-default): it sends each visitor to the
    page in their own language."""
    request: HttpRequest | None = context.get("request")
    if request is None:
        return settings.PUBLIC_BASE_URL + "/"
    path = _prefixed(request.path, settings.LANGUAGE_CODE)
    prefix = f"/{settings.LANGUAGE_CODE}/"
    if path.startswith(prefix):
        path = "/" + path.removeprefix(prefix)
    return settings.PUBLIC_BASE_URL + path


# The header's sections and the views that belong to each.
SECTIONS = {
    "catalogue": {"web:catalogue", "web:specification", "web:specification_version"},
    "partners": {"web:partners", "web:partner"},
    "verify": {"credentials:verify", "credentials:detail", "web:verify_link"},
}


@register.simple_tag(takes_context=True)
def current_section(context: template.Context) -> str:
    request: HttpRequest | None = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    if match.namespace in {"frameworks", "classrooms", "news"}:
        return match.namespace
    for section, view_names in SECTIONS.items():
        if match.view_name in view_names:
            return section
    return ""


@register.simple_tag
def og_locale(code: str) -> str:
    """The Open Graph locale of a site language: vi_VN, zh_CN, fr_FR, en_GB."""
    return {"en": "en_GB", "vi": "vi_VN", "zh-hans": "zh_CN", "fr": "fr_FR"}.get(code, code)
