"""Charts of a self-assessment, drawn by the platform as inline SVG (no script, no CDN).

Pure functions from numbers and labels to SVG markup. Every chart is a standalone, well-formed
XML element with ``role="img"``, an ``aria-label``, a ``<title>`` and a ``<desc>``; pages show
the same numbers in a table next to it, so nothing is only visual. Every piece of text is
escaped here: labels come from framework data and translations.

Values are mean level positions: 1 is the framework's lowest level, ``len(scale)`` its
highest; ``None`` means "not answered" and is drawn at the centre (radar) or as an empty bar.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SVG_NS = "http://www.w3.org/2000/svg"
INK = "#1d2433"
MUTED = "#5a6478"
LINE = "#d8dde6"
BRAND = "#0b5cad"
FONT = "Noto Sans, Segoe UI, Helvetica Neue, Arial, sans-serif"


@dataclass(frozen=True)
class Point:
    """One labelled value: an area on the radar, a competence bar, a sitting on the trend."""

    label: str
    value: float | None
    # What to print next to the value, e.g. the level code ("B1"); empty for none.
    value_label: str = ""


@dataclass(frozen=True)
class Group:
    """Bars under a heading (a framework area and its competences)."""

    label: str
    points: Sequence[Point]


def _n(value: float) -> str:
    """A coordinate, short and locale-independent."""
    text = f"{value:.1f}"
    return "0" if text == "-0.0" else text.removesuffix(".0")


def _wrap(text: str, width: int, max_lines: int = 3) -> list[str]:
    """Break a label into lines of about ``width`` characters (an SVG text does not wrap)."""
    words = text.split()
    lines: list[str] = []
    current = ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], " ".join(lines[max_lines - 1 :])]
        last = lines[-1]
        if len(last) > width:
            lines[-1] = last[: width - 1].rstrip() + "…"
    return lines or [""]


def _open(*, chart_id: str, title: str, description: str, width: float, height: float) -> str:
    ident = escape(chart_id)
    return (
        f'<svg xmlns="{SVG_NS}" class="chart" id="{ident}" role="img" '
        f'aria-label="{escape(title)}" aria-describedby="{ident}-desc" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" preserveAspectRatio="xMidYMid meet" '
        f'font-family="{FONT}">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(description)}</desc>'
    )


def _text(x: float, y: float, lines: Sequence[str], **attributes: str) -> str:
    attrs = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attributes.items())
    if len(lines) == 1:
        return f'<text x="{_n(x)}" y="{_n(y)}"{attrs}>{escape(lines[0])}</text>'
    spans = "".join(
        f'<tspan x="{_n(x)}" dy="{"0" if i == 0 else "1.15em"}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text x="{_n(x)}" y="{_n(y)}"{attrs}>{spans}</text>'


def _describe(points: Sequence[Point], missing: str) -> str:
    return "; ".join(f"{p.label}: {p.value_label or missing}" for p in points)


def radar_chart(
    points: Sequence[Point],
    *,
    scale: Sequence[str],
    title: str,
    chart_id: str = "radar",
    missing: str = "–",
    compact: bool = False,
) -> SafeString:
    """A radar (spider) chart: one axis per point, rings at each level of ``scale``.

    ``compact`` draws a small version with short labels (the text before the first space,
    e.g. an area's code) for dashboards.
    """
    steps = max(len(scale), 1)
    count = len(points)
    radius = 70.0 if compact else 120.0
    margin_x = 30.0 if compact else 130.0
    margin_y = 22.0 if compact else 60.0
    cx, cy = margin_x + radius, margin_y + radius
    width, height = 2 * cx, 2 * cy
    parts = [
        _open(
            chart_id=chart_id,
            title=title,
            description=_describe(points, missing),
            width=width,
            height=height,
        )
    ]

    def at(index: int, fraction: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / max(count, 1)
        return cx + radius * fraction * math.cos(angle), cy + radius * fraction * math.sin(angle)

    # Rings, one per level, and the level codes along the first axis.
    parts.append(f'<g class="grid" fill="none" stroke="{LINE}" stroke-width="1">')
    for step in range(1, steps + 1):
        if count >= 3:
            ring_corners = (at(i, step / steps) for i in range(count))
            ring = " ".join(f"{_n(x)},{_n(y)}" for x, y in ring_corners)
            parts.append(f'<polygon class="ring" points="{ring}"/>')
        else:
            r = _n(radius * step / steps)
            parts.append(f'<circle class="ring" cx="{_n(cx)}" cy="{_n(cy)}" r="{r}"/>')
    for i in range(count):
        x, y = at(i, 1)
        parts.append(f'<line x1="{_n(cx)}" y1="{_n(cy)}" x2="{_n(x)}" y2="{_n(y)}"/>')
    parts.append("</g>")
    if not compact:
        parts.append(f'<g class="scale" font-size="10" fill="{MUTED}" text-anchor="start">')
        for step, code in enumerate(scale, start=1):
            parts.append(_text(cx + 3, cy - radius * step / steps + 3, [code]))
        parts.append("</g>")

    # The data.
    corners = [at(i, min(max(p.value or 0, 0), steps) / steps) for i, p in enumerate(points)]
    data = " ".join(f"{_n(x)},{_n(y)}" for x, y in corners)
    parts.append(
        f'<polygon class="data" points="{data}" fill="{BRAND}" fill-opacity="0.25" '
        f'stroke="{BRAND}" stroke-width="2" stroke-linejoin="round"/>'
    )
    parts.append(f'<g class="dots" fill="{BRAND}">')
    for (x, y), point in zip(corners, points, strict=True):
        label = f"{point.label}: {point.value_label or missing}"
        parts.append(
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{3 if compact else 4}">'
            f"<title>{escape(label)}</title></circle>"
        )
    parts.append("</g>")

    # Axis labels outside the outer ring.
    size = 11 if compact else 12
    parts.append(f'<g class="labels" font-size="{size}" fill="{INK}">')
    for i, point in enumerate(points):
        x, y = at(i, 1 + (14 if compact else 16) / radius)
        dx = x - cx
        anchor = "middle" if abs(dx) < radius * 0.2 else ("start" if dx > 0 else "end")
        lines = [point.label.split(" ", 1)[0]] if compact else _wrap(point.label, 18)
        # Centre multi-line labels on their point vertically; above the chart, grow upwards.
        shift = (len(lines) - 1) * size * 1.15
        dy = -shift if y < cy - radius * 0.5 else (-shift / 2 if abs(y - cy) < radius * 0.5 else 0)
        parts.append(_text(x, y + dy + size * 0.35, lines, text_anchor=anchor))
    parts.append("</g></svg>")
    # Safe to mark: every piece of text above went through escape().
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308


def bar_chart(
    groups: Sequence[Group],
    *,
    scale: Sequence[str],
    title: str,
    chart_id: str = "bars",
    missing: str = "–",
) -> SafeString:
    """Horizontal bars, one per point, under their group's heading, on a level scale.

    Narrow on purpose (400 units wide, 13-unit text) so it stays legible on a phone."""
    steps = max(len(scale), 1)
    width = 400.0
    left, right = 4.0, 30.0
    track = width - left - right
    top = 24.0
    line, bar, gap, heading = 16.0, 12.0, 10.0, 30.0
    labels = {id(p): _wrap(p.label, 48, 2) for g in groups for p in g.points}
    height = top + 8
    for group in groups:
        height += heading + sum(len(labels[id(p)]) * line + 4 + bar + gap for p in group.points)
    flat = [p for g in groups for p in g.points]
    parts = [
        _open(
            chart_id=chart_id,
            title=title,
            description=_describe(flat, missing),
            width=width,
            height=height,
        )
    ]
    # Level grid lines with their codes on top.
    parts.append(f'<g class="grid" stroke="{LINE}" stroke-width="1">')
    for step in range(1, steps + 1):
        x = left + track * step / steps
        parts.append(f'<line x1="{_n(x)}" y1="{_n(top - 4)}" x2="{_n(x)}" y2="{_n(height - 8)}"/>')
    parts.append("</g>")
    parts.append(f'<g class="scale" font-size="12" fill="{MUTED}" text-anchor="middle">')
    for step, code in enumerate(scale, start=1):
        parts.append(_text(left + track * step / steps, top - 8, [code]))
    parts.append("</g>")
    y = top
    for group in groups:
        parts.append(
            _text(left, y + heading - 9, [group.label], font_size="14", font_weight="700", fill=INK)
        )
        y += heading
        for point in group.points:
            lines = labels[id(point)]
            parts.append(_text(left, y + 12, lines, font_size="13", fill=INK))
            bar_y = y + len(lines) * line + 4
            parts.append(
                f'<rect x="{_n(left)}" y="{_n(bar_y)}" width="{_n(track)}" height="{_n(bar)}" '
                f'fill="#eef1f6" rx="2"/>'
            )
            if point.value:
                length = track * min(max(point.value, 0), steps) / steps
                parts.append(
                    f'<rect class="bar" x="{_n(left)}" y="{_n(bar_y)}" width="{_n(length)}" '
                    f'height="{_n(bar)}" fill="{BRAND}" rx="2">'
                    f"<title>{escape(f'{point.label}: {point.value_label}')}</title></rect>"
                )
                end = left + length + 4
            else:
                end = left + 4
            parts.append(
                _text(
                    end,
                    bar_y + bar - 2,
                    [point.value_label or missing],
                    font_size="12",
                    font_weight="700",
                    fill=INK if point.value else MUTED,
                )
            )
            y = bar_y + bar + gap
    parts.append("</svg>")
    # Safe to mark: every piece of text above went through escape().
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308


def trend_chart(
    points: Sequence[Point],
    *,
    scale: Sequence[str],
    title: str,
    chart_id: str = "trend",
    missing: str = "–",
) -> SafeString:
    """A small line chart of overall results over time, one point per completed sitting."""
    steps = max(len(scale), 1)
    width, height = 360.0, 150.0
    left, right, top, bottom = 30.0, 16.0, 12.0, 30.0
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = [
        _open(
            chart_id=chart_id,
            title=title,
            description=_describe(points, missing),
            width=width,
            height=height,
        )
    ]
    parts.append(f'<g class="grid" stroke="{LINE}" stroke-width="1">')
    for step in range(1, steps + 1):
        y = top + plot_h * (1 - step / steps)
        parts.append(f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(width - right)}" y2="{_n(y)}"/>')
    parts.append("</g>")
    parts.append(f'<g class="scale" font-size="10" fill="{MUTED}" text-anchor="end">')
    for step, code in enumerate(scale, start=1):
        parts.append(_text(left - 5, top + plot_h * (1 - step / steps) + 3, [code]))
    parts.append("</g>")
    count = len(points)

    def x_of(index: int) -> float:
        return left + (plot_w / 2 if count == 1 else plot_w * index / (count - 1))

    corners = [
        (x_of(i), top + plot_h * (1 - min(max(p.value or 0, 0), steps) / steps))
        for i, p in enumerate(points)
    ]
    if count > 1:
        line = " ".join(f"{_n(x)},{_n(y)}" for x, y in corners)
        parts.append(
            f'<polyline class="data" points="{line}" fill="none" stroke="{BRAND}" '
            f'stroke-width="2" stroke-linejoin="round"/>'
        )
    parts.append(f'<g class="dots" fill="{BRAND}">')
    for (x, y), point in zip(corners, points, strict=True):
        parts.append(
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4">'
            f"<title>{escape(f'{point.label}: {point.value_label or missing}')}</title></circle>"
        )
    parts.append("</g>")
    parts.append(f'<g class="labels" font-size="10" fill="{MUTED}" text-anchor="middle">')
    for index, ((x, _y), point) in enumerate(zip(corners, points, strict=True)):
        anchor = "middle"
        if count > 1 and index == 0:
            anchor = "start"
        elif count > 1 and index == count - 1:
            anchor = "end"
        parts.append(_text(x, height - 10, [point.label], text_anchor=anchor))
    parts.append("</g></svg>")
    # Safe to mark: every piece of text above went through escape().
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308
