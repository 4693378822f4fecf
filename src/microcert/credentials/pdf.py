"""The printable certificate of an issued credential: one A4 landscape page with a QR code.

The caller builds a :class:`CertificateView` with every text already in the credential's
language, so this module needs no database; :func:`render_certificate_pdf` turns it into PDF
bytes. The signed Open Badges 3.0 credential stays the authoritative record; the PDF is a
human-readable rendering of it that points back to the verification page through its QR code.

Rendering is HTML → PDF with WeasyPrint, offline: the only resources a certificate may load are
``data:`` URIs embedded in the page, and the fonts come from the system (Noto Sans / Noto Serif
for Latin and Vietnamese, Noto Sans / Serif CJK SC for Simplified Chinese; see
``scripts/system-packages.sh``).
"""

from __future__ import annotations

import base64
import io
import logging
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.html import format_html_join
from django.utils.translation import gettext, ngettext

__all__ = ["LANGUAGES", "CertificateView", "render_certificate_pdf"]

TEMPLATE_NAME = "credentials/certificate_pdf.html"

# WeasyPrint logs its progress and fontTools every table it subsets at INFO, a dozen lines per
# PDF; keep them out of the logs unless the project's LOGGING sets these loggers explicitly.
for _name in ("weasyprint.progress", "fontTools"):
    if logging.getLogger(_name).level == logging.NOTSET:
        logging.getLogger(_name).setLevel(logging.WARNING)

#: Language codes a certificate can be rendered in, with the BCP 47 tag for ``<html lang>``.
LANGUAGES = {"en": "en", "vi": "vi", "zh-hans": "zh-Hans", "fr": "fr"}


@dataclass(frozen=True, slots=True)
class CertificateView:
    """Everything the certificate shows, already translated into ``language``."""

    language: str
    recipient_name: str
    title: str
    description: str
    achievement_type_label: str
    issuer_name: str
    issuer_country: str
    issued_on: date
    credential_id: str
    verification_url: str
    awarding_bodies: tuple[str, ...] = ()
    valid_until: date | None = None
    workload_hours: int | None = None
    ects: str | None = None
    eqf_level: str | None = None
    learning_outcomes: tuple[str, ...] = ()
    competences: tuple[tuple[str, str], ...] = ()
    components: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise ValueError(
                f"Unsupported certificate language {self.language!r}; "
                f"expected one of {', '.join(LANGUAGES)}."
            )
        if not self.verification_url:
            raise ValueError("A certificate needs a verification URL for its QR code.")


def render_certificate_pdf(view: CertificateView) -> bytes:
    """Render ``view`` as a one-page A4 landscape PDF and return its bytes."""
    import weasyprint  # imported here: loading Pango is only worth it when a PDF is made

    with translation.override(view.language):
        html = render_to_string(TEMPLATE_NAME, _context(view))
    document = weasyprint.HTML(string=html, url_fetcher=_data_only_fetcher()).render()
    return document.write_pdf()


# --- fetching -----------------------------------------------------------------------------------


def _data_only_fetcher() -> Any:
    """A WeasyPrint URL fetcher that serves ``data:`` URIs and refuses everything else.

    A certificate is rendered from data that partly comes from users (names, titles); refusing
    every other scheme means no template or text can make the server reach the network or read
    local files while rendering. A fetcher keeps per-request state, so each render gets its own.
    """
    return _data_only_fetcher_class()(fail_on_errors=True)


@cache
def _data_only_fetcher_class() -> type:
    from weasyprint.urls import URLFetcher

    class DataOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith("data:"):
                raise ValueError(f"Certificates only embed data: URIs; refused {url[:80]!r}")
            return super().fetch(url, headers)

    return DataOnlyFetcher


# --- the template context -----------------------------------------------------------------------

# How much of the lower middle column (learning outcomes, competences, components) a page holds,
# in lines of text, and how many width units (see _width) fit on one line. "compact" is tried
# when the normal size does not fit everything; what still does not fit is cut with "…and N more".
_LAYOUTS = {
    "normal": {"lines": 13.5, "per_line": 84, "heading": 1.5},
    "compact": {"lines": 16.2, "per_line": 98, "heading": 1.7},
}
_MAX_ITEM_LINES = 3  # a single learning outcome longer than this is cut with "…"
_MAX_COMPETENCES = 4
_MAX_COMPONENTS = 4
_MAX_AWARDING_BODIES = 4
_UNBREAKABLE_CHARS = 40  # pieces of a URL up to this long are never split (a UUID is 36)
_DESCRIPTION_UNITS = 300  # about two lines under the title
_TITLE_UNITS = 150
# "Label (level)"; Chinese text takes full-width brackets.
_COMPETENCE_FORMATS = {"zh-hans": "{label}（{level}）"}


def _context(view: CertificateView) -> dict[str, Any]:
    """Build the template context; must run with the certificate's language active."""
    title = _clip(_nfc(view.title), _TITLE_UNITS)
    recipient = _nfc(view.recipient_name)
    bodies, more_bodies = _head([_nfc(b) for b in view.awarding_bodies], _MAX_AWARDING_BODIES)
    return {
        "view": view,
        "lang_tag": LANGUAGES[view.language],
        "recipient_name": recipient,
        "name_size": _size_class(recipient, long=30, very_long=44),
        "title": title,
        "title_size": _size_class(title, long=50, very_long=100),
        "description": _clip(_nfc(view.description), _DESCRIPTION_UNITS),
        "issuer_name": _nfc(view.issuer_name),
        "type_label": _nfc(view.achievement_type_label),
        "facts": _facts(view),
        "bodies": {"shown": [_clip(b, 90) for b in bodies], "more": more_bodies},
        "lists": _fit_lists(view),
        "qr_data_uri": _qr_svg_data_uri(view.verification_url),
        "verification_url_html": _breakable(view.verification_url),
        "credential_id_html": _breakable(view.credential_id),
        "pdf_title": f"{title} — {recipient}",
    }


def _facts(view: CertificateView) -> list[tuple[str, str]]:
    """The row of label/value cells under the title, in the order of the EU standard elements."""
    facts = [(gettext("Issued"), _format_date(view.issued_on))]
    if view.valid_until:
        facts.append((gettext("Valid until"), _format_date(view.valid_until)))
    if view.workload_hours is not None:
        hours = ngettext("%(hours)s hour", "%(hours)s hours", view.workload_hours) % {
            "hours": formats.number_format(view.workload_hours)
        }
        facts.append((gettext("Workload"), hours))
    if view.ects:
        facts.append((gettext("ECTS credits"), _format_number(view.ects)))
    if view.eqf_level:
        facts.append((gettext("EQF level"), _clip(_nfc(view.eqf_level), 24)))
    if view.issuer_country:
        facts.append((gettext("Country of the issuer"), _clip(_nfc(view.issuer_country), 40)))
    return facts


def _breakable(text: str) -> str:
    """HTML for a URL or URN that may wrap after "/" or ":" but not inside an identifier.

    Each piece is kept whole (a UUID must not split at its hyphens) unless it is too long
    for the column, in which case the stylesheet may break it anywhere.
    """
    parts = re.findall(r"[^/:]*[/:]+|[^/:]+$", text) or [text]
    return format_html_join(
        "",
        '<span class="{}">{}</span><wbr>',
        (("whole" if len(part) <= _UNBREAKABLE_CHARS else "split", part) for part in parts),
    )


def _fit_lists(view: CertificateView) -> dict[str, Any]:
    """Choose a text size and cut the lists so that they fit the space the page has for them."""
    outcomes = [_nfc(o) for o in view.learning_outcomes if o.strip()]
    pattern = _COMPETENCE_FORMATS.get(view.language, "{label} ({level})")
    competences = [
        pattern.format(label=_nfc(label), level=_nfc(level)) for label, level in view.competences
    ]
    components = [_nfc(c) for c in view.components if c.strip()]

    for density in ("normal", "compact"):
        layout = _LAYOUTS[density]
        per_line = layout["per_line"]
        budget = float(layout["lines"])
        heading = layout["heading"]  # a section heading with its spacing, in lines of text
        shown_competences, more_competences = _head(competences, _MAX_COMPETENCES)
        shown_components, more_components = _head(components, _MAX_COMPONENTS)
        # Competences and components are short, one line each; outcomes take what is left.
        for shown, more in (
            (shown_competences, more_competences),
            (shown_components, more_components),
        ):
            if shown:
                budget -= heading + len(shown) + (1 if more else 0)
        shown_competences = [_clip(c, per_line) for c in shown_competences]
        shown_components = [_clip(c, per_line) for c in shown_components]
        if outcomes:
            budget -= heading
        clipped = [_clip(o, per_line * _MAX_ITEM_LINES) for o in outcomes]
        costs = [max(1, math.ceil(_width(o) / per_line)) for o in clipped]
        if sum(costs) <= budget or density == "compact":
            break
    shown_outcomes: list[str] = []
    for outcome, cost in zip(clipped, costs, strict=True):
        remaining_after = len(clipped) - len(shown_outcomes) - 1
        reserve = 1 if remaining_after else 0  # room for the "…and N more" line
        if cost + reserve > budget:
            break
        shown_outcomes.append(outcome)
        budget -= cost
    return {
        "density": density,
        "outcomes": shown_outcomes,
        "more_outcomes": len(outcomes) - len(shown_outcomes),
        "competences": shown_competences,
        "more_competences": more_competences,
        "components": shown_components,
        "more_components": more_components,
    }


def _head(items: list[str], limit: int) -> tuple[list[str], int]:
    if len(items) <= limit:
        return items, 0
    # Showing N-1 items and "…and 2 more" beats showing N and "…and 1 more": same space.
    return items[: limit - 1], len(items) - limit + 1


def _nfc(text: str) -> str:
    """Compose Vietnamese and other accents so text copies and searches as people type it."""
    return unicodedata.normalize("NFC", " ".join(text.split()))


def _width(text: str) -> int:
    """Approximate printed width: CJK and other wide characters count twice a Latin letter."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _clip(text: str, units: int) -> str:
    if _width(text) <= units:
        return text
    out, used = [], 0
    for ch in text:
        used += _width(ch)
        if used > units - 1:
            break
        out.append(ch)
    cut = "".join(out)
    if " " in cut[-20:]:  # prefer to cut between words in scripts that have spaces
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:") + "…"


def _size_class(text: str, *, long: int, very_long: int) -> str:
    width = _width(text)
    if width > very_long:
        return "very-long"
    return "long" if width > long else "normal"


# Long dates as a certificate prints them. English reads "5 March 2025" (Django's "N j, Y" would
# abbreviate the month) and Vietnamese "14 tháng 3 năm 2025" (Django's starts with "Ngày", which
# repeats the label); French and Chinese use Django's own formats ("14 mars 2025", "2025年3月14日").
_DATE_FORMATS = {"en": "j F Y", "vi": r"j \t\h\á\n\g n \n\ă\m Y"}


def _format_date(value: date) -> str:
    language = translation.get_language() or ""
    if language == "fr" and value.day == 1:
        return formats.date_format(value, r"j\e\r F Y")  # "1er mars 2025"
    return formats.date_format(value, _DATE_FORMATS.get(language, "DATE_FORMAT"))


def _format_number(value: str) -> str:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return value
    if number == number.to_integral_value():
        return formats.number_format(int(number))
    return formats.number_format(number.normalize())


def _qr_svg_data_uri(payload: str) -> str:
    """The QR code for ``payload`` as an SVG data URI (vector, so it prints sharp at any size)."""
    import qrcode
    from qrcode.image.svg import SvgPathImage

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    qr.add_data(payload)
    qr.make(fit=True)
    buffer = io.BytesIO()
    qr.make_image(image_factory=SvgPathImage).save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
