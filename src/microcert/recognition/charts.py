"""The chart of a national PD report, drawn by the platform as inline SVG (no script, no CDN).

One horizontal bar per group: the whole bar is the people in the group, the darker part the
people who completed the period. A hidden group keeps its line with the words "fewer than N"
(or "withheld") and no bar, so the chart never shows a number the table withholds. The chart
is a standalone, well-formed XML element with ``role="img"``, an ``aria-label``, a ``<title>``
and a ``<desc>`` that says the same in words; the page puts the table beside it. Every piece of
text is escaped here: labels come from institution names and framework data.
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .reports import Report, Row

SVG_NS = "http://www.w3.org/2000/svg"
INK = "#1d2433"
MUTED = "#5a6478"
TRACK = "#eef1f6"
PEOPLE = "#9dbbe0"
COMPLETED = "#0b5cad"
FONT = "Noto Sans, Segoe UI, Helvetica Neue, Arial, sans-serif"

WIDTH = 640.0
LABEL_WIDTH = 220.0
VALUE_WIDTH = 110.0
BAR_HEIGHT = 18.0
ROW_HEIGHT = 30.0
TOP = 44.0


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return "0" if text == "-0.0" else text.removesuffix(".0")


# At 13 px a character takes about 7 px: 28 of them fit the label column (34 ran off the
# chart's left edge); the table beside the chart gives the whole name.
def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def hidden_text(row: Row, threshold: int) -> str:
    if row.suppressed == "small":
        return _("fewer than %(n)s") % {"n": threshold}
    return _("withheld")


def _describe(report: Report) -> str:
    parts = []
    for row in report.rows:
        if row.suppressed:
            parts.append(f"{row.label}: {hidden_text(row, report.min_group_size)}")
        else:
            parts.append(
                _("%(label)s: %(people)s people, %(completed)s completed")
                % {"label": row.label, "people": row.people, "completed": row.completed}
            )
    return "; ".join(parts) or _("No credential counts in this period yet.")


def report_chart(report: Report, *, chart_id: str = "report-chart") -> SafeString:
    """People per group and, darker, those who completed; hidden groups without a bar."""
    title = _("People per %(dimension)s and those who completed the period") % {
        "dimension": report.dimension_label.lower()
    }
    rows = report.rows
    scale = max((row.people or 0 for row in rows), default=0) or 1
    track = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 20
    height = TOP + ROW_HEIGHT * max(len(rows), 1) + 12
    ident = escape(chart_id)
    parts = [
        f'<svg xmlns="{SVG_NS}" class="chart" id="{ident}" role="img" '
        f'aria-label="{escape(title)}" aria-describedby="{ident}-desc" '
        f'viewBox="0 0 {_n(WIDTH)} {_n(height)}" preserveAspectRatio="xMidYMid meet" '
        f'font-family="{FONT}">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(_describe(report))}</desc>',
        # The legend.
        f'<g class="legend" font-size="12" fill="{INK}">'
        f'<rect x="{_n(LABEL_WIDTH)}" y="8" width="12" height="12" fill="{PEOPLE}"/>'
        f'<text x="{_n(LABEL_WIDTH + 18)}" y="18">{escape(_("People"))}</text>'
        f'<rect x="{_n(LABEL_WIDTH + 110)}" y="8" width="12" height="12" fill="{COMPLETED}"/>'
        f'<text x="{_n(LABEL_WIDTH + 128)}" y="18">{escape(_("Completed"))}</text></g>',
    ]
    if not rows:
        parts.append(
            f'<text x="{_n(WIDTH / 2)}" y="{_n(TOP + 18)}" text-anchor="middle" font-size="13" '
            f'fill="{MUTED}">{escape(_("No credential counts in this period yet."))}</text>'
        )
    for index, row in enumerate(rows):
        y = TOP + index * ROW_HEIGHT
        parts.append(
            f'<text x="{_n(LABEL_WIDTH - 8)}" y="{_n(y + 13)}" text-anchor="end" font-size="13" '
            f'fill="{INK}">{escape(_short(row.label))}</text>'
        )
        parts.append(
            f'<rect x="{_n(LABEL_WIDTH)}" y="{_n(y)}" width="{_n(track)}" '
            f'height="{_n(BAR_HEIGHT)}" fill="{TRACK}" rx="2"/>'
        )
        value_x = LABEL_WIDTH + track + 8
        if row.suppressed:
            parts.append(
                f'<text class="hidden" x="{_n(value_x)}" y="{_n(y + 13)}" font-size="12" '
                f'font-style="italic" fill="{MUTED}">'
                f"{escape(hidden_text(row, report.min_group_size))}</text>"
            )
            continue
        people = row.people or 0
        completed = row.completed or 0
        parts.append(
            f'<rect class="people" x="{_n(LABEL_WIDTH)}" y="{_n(y)}" '
            f'width="{_n(track * people / scale)}" height="{_n(BAR_HEIGHT)}" '
            f'fill="{PEOPLE}" rx="2"/>'
        )
        if completed:
            parts.append(
                f'<rect class="completed" x="{_n(LABEL_WIDTH)}" y="{_n(y)}" '
                f'width="{_n(track * completed / scale)}" height="{_n(BAR_HEIGHT)}" '
                f'fill="{COMPLETED}" rx="2"/>'
            )
        parts.append(
            f'<text x="{_n(value_x)}" y="{_n(y + 13)}" font-size="12" fill="{INK}">'
            f"{people} / {completed}</text>"
        )
    parts.append("</svg>")
    # Safe to mark: every piece of text above went through escape().
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308
