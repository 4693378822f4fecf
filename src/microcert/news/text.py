"""Showing multilingual content: which language a text is shown in, and the body's safe markup.

Translated fields fall back to English, and a case (written by its institution in any one
language) falls back to whatever language it has. Pages mark the text with its real language
(``lang``), so screen readers pronounce it right, and say when it is not the reader's.

Bodies are plain text. The only structure we draw from them: paragraphs (blank lines), line
breaks, items of a list (lines starting with "- ") and sub-headings (lines starting with
"## "); web addresses become links. Everything else is escaped: no HTML from anyone is ever
passed through.
"""

import re
from dataclasses import dataclass

from django.db import models
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import normalize_newlines
from django.utils.translation import get_language, get_language_info
from modeltranslation.utils import build_localized_fieldname

from microcert.core.i18n import CONTENT_LANGUAGES, DEFAULT_LANGUAGE

_URL = re.compile(r"\bhttps?://[^\s<>\"'()]+[^\s<>\"'().,;:!?]", re.IGNORECASE)


@dataclass(frozen=True)
class Localized:
    """A text in the language it is really written in."""

    text: str
    language: str  # a language code as pages use it: en, vi, zh-hans, fr
    wanted: str

    @property
    def is_fallback(self) -> bool:
        return bool(self.text) and self.language != self.wanted

    @property
    def language_name(self) -> str:
        return str(get_language_info(self.language)["name_translated"])

    @property
    def wanted_name(self) -> str:
        return str(get_language_info(self.wanted)["name_translated"])

    def __str__(self) -> str:
        return self.text


def current_language() -> str:
    language = (get_language() or DEFAULT_LANGUAGE).lower()
    return language if language in CONTENT_LANGUAGES else DEFAULT_LANGUAGE


def raw(instance: models.Model, field: str, language: str) -> str:
    return getattr(instance, build_localized_fieldname(field, language), "") or ""


def localized(instance: models.Model, field: str, language: str | None = None) -> Localized:
    """``field`` in ``language`` (the active one by default), else in English, else in the
    first language that has it."""
    wanted = language or current_language()
    order = [wanted, DEFAULT_LANGUAGE, *CONTENT_LANGUAGES]
    for candidate in order:
        text = raw(instance, field, candidate).strip()
        if text:
            return Localized(text=text, language=candidate, wanted=wanted)
    return Localized(text="", language=wanted, wanted=wanted)


def languages_written(instance: models.Model, fields: tuple[str, ...]) -> list[str]:
    """The languages in which every one of ``fields`` has a text."""
    return [
        language
        for language in CONTENT_LANGUAGES
        if all(raw(instance, field, language).strip() for field in fields)
    ]


def _inline(text: str) -> str:
    """Escape one line and turn web addresses in it into links."""
    out, last = [], 0
    for match in _URL.finditer(text):
        out.append(escape(text[last : match.start()]))
        url = match.group(0)
        out.append(f'<a href="{escape(url)}" rel="nofollow noopener">{escape(url)}</a>')
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def _block_html(lines: list[str], heading: str) -> list[str]:
    """The HTML of one block of lines: paragraphs with line breaks, lists and sub-headings."""
    html: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []

    def close_runs() -> None:
        if paragraph:
            html.append("<p>" + "<br>".join(_inline(line) for line in paragraph) + "</p>")
            paragraph.clear()
        if items:
            html.append("<ul>" + "".join(f"<li>{_inline(item)}</li>" for item in items) + "</ul>")
            items.clear()

    for line in lines:
        if line.startswith("## "):
            close_runs()
            html.append(f"<{heading}>{_inline(line[3:].strip())}</{heading}>")
        elif line.startswith(("- ", "* ", "• ")):
            if paragraph:
                close_runs()
            items.append(line[2:].strip())
        else:
            if items:
                close_runs()
            paragraph.append(line)
    close_runs()
    return html


def render_body(text: str, *, heading_level: int = 2) -> SafeString:
    """The safe HTML of a plain-text body (see the module's docstring)."""
    heading = f"h{max(2, min(heading_level, 6))}"
    html: list[str] = []
    for block in re.split(r"\n\s*\n", normalize_newlines(text or "").strip()):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        html.extend(_block_html(lines, heading))
    # Every piece of the text was escaped by _inline; only our own tags remain.
    return mark_safe("\n".join(html))  # noqa: S308


def plain_paragraphs(text: str) -> SafeString:
    """A short text (a summary, a comment) with its paragraphs, escaped."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", normalize_newlines(text or "")) if b.strip()]
    return format_html_join("\n", "<p>{}</p>", ((b,) for b in blocks))
