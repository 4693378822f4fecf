"""The printable PD transcript of a teacher: per scheme and period, the credentials counted,
the totals and the requirement, on A4 portrait pages.

Rendering is HTML → PDF with WeasyPrint, offline: the page may load nothing but ``data:`` URIs
and the fonts come from the system (Noto Sans for Latin and Vietnamese, Noto Sans CJK SC for
Chinese), as for the certificates. The signed credentials stay the authoritative record; the
PDF is a reading of the PD ledger on the day it is printed.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from .selectors import TranscriptScheme

TEMPLATE_NAME = "recognition/transcript_pdf.html"
#: BCP 47 tags for ``<html lang>`` of the languages a transcript is printed in.
LANGUAGE_TAGS = {"en": "en", "vi": "vi", "zh-hans": "zh-Hans", "fr": "fr"}

for _name in ("weasyprint.progress", "fontTools"):
    if logging.getLogger(_name).level == logging.NOTSET:
        logging.getLogger(_name).setLevel(logging.WARNING)


def render_transcript_pdf(
    *, person: Any, transcript: list[TranscriptScheme], language: str
) -> bytes:
    """The transcript of ``person`` in ``language`` as PDF bytes."""
    import weasyprint  # loading Pango is only worth it when a PDF is made

    if language not in LANGUAGE_TAGS:
        language = "en"
    with translation.override(language):
        html = render_to_string(
            TEMPLATE_NAME,
            {
                "person": person,
                "name": person.legal_name or person.display_name or person.email,
                "transcript": transcript,
                "lang_tag": LANGUAGE_TAGS[language],
                "printed": timezone.localdate(),
            },
        )
    fetcher = _data_only_fetcher_class()(fail_on_errors=True)
    return weasyprint.HTML(string=html, url_fetcher=fetcher).render().write_pdf()


def file_name(person: Any) -> str:
    return f"pd-transcript-{person.uuid}.pdf"


@cache
def _data_only_fetcher_class() -> type:
    """A URL fetcher that serves ``data:`` URIs and refuses everything else, so no text from
    a person (a name, a title) can make the server reach the network or read a file."""
    from weasyprint.urls import URLFetcher

    class DataOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith("data:"):
                raise ValueError(f"A transcript only embeds data: URIs; refused {url[:80]!r}")
            return super().fetch(url, headers)

    return DataOnlyFetcher
