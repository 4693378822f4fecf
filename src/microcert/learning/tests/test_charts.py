"""The self-assessment charts are standalone, accessible SVG that any XML parser reads."""

import xml.etree.ElementTree as ET

from microcert.learning import charts

NS = {"svg": charts.SVG_NS}
SCALE = ["A1", "A2", "B1", "B2", "C1", "C2"]
AREAS = [
    charts.Point("1 Professional Engagement", 3.0, "B1"),
    charts.Point("2 Digital Resources", 2.5, "A2"),
    charts.Point("3 Teaching & Learning <script>alert(1)</script>", 4.0, "B2"),
    charts.Point("4 Assessment", None, ""),
    charts.Point("5 Empowering Learners", 6.0, "C2"),
    charts.Point('6 Facilitating Learners\' "Digital" Competence', 1.0, "A1"),
]


def _parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 - our own markup, parsed to check it


def _texts(root: ET.Element) -> str:
    return " ".join("".join(t.itertext()) for t in root.iter(f"{{{charts.SVG_NS}}}text"))


def test_the_radar_is_well_formed_accessible_svg():
    svg = charts.radar_chart(AREAS, scale=SCALE, title="Your profile by area", chart_id="p1")
    root = _parse(svg)
    assert root.tag == f"{{{charts.SVG_NS}}}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Your profile by area"
    assert root.find("svg:title", NS).text == "Your profile by area"
    # The description reads the values out for screen readers.
    assert "2 Digital Resources: A2" in root.find("svg:desc", NS).text


def test_the_radar_has_one_data_point_per_area():
    root = _parse(charts.radar_chart(AREAS, scale=SCALE, title="t"))
    data = [p for p in root.iter(f"{{{charts.SVG_NS}}}polygon") if p.get("class") == "data"]
    assert len(data) == 1
    assert len(data[0].get("points").split()) == len(AREAS)
    # One ring per level.
    rings = [p for p in root.iter(f"{{{charts.SVG_NS}}}polygon") if p.get("class") == "ring"]
    assert len(rings) == len(SCALE)


def test_an_unanswered_area_sits_at_the_centre_and_the_top_level_on_the_outer_ring():
    points = [charts.Point("a", None), charts.Point("b", 6.0), charts.Point("c", 3.0)]
    root = _parse(charts.radar_chart(points, scale=SCALE, title="t"))
    data = next(p for p in root.iter(f"{{{charts.SVG_NS}}}polygon") if p.get("class") == "data")
    corners = [tuple(map(float, xy.split(","))) for xy in data.get("points").split()]
    rings = [p for p in root.iter(f"{{{charts.SVG_NS}}}polygon") if p.get("class") == "ring"]
    outer = [tuple(map(float, xy.split(","))) for xy in rings[-1].get("points").split()]
    centre = (float(root.get("viewBox").split()[2]) / 2, float(root.get("viewBox").split()[3]) / 2)
    assert corners[0] == centre
    assert corners[1] == outer[1]


def test_labels_are_escaped_and_read_back_unchanged():
    svg = charts.radar_chart(AREAS, scale=SCALE, title='Profile <of> "Lan" & co')
    assert "<script>" not in svg
    root = _parse(svg)
    assert root.get("aria-label") == 'Profile <of> "Lan" & co'
    text = _texts(root)
    assert "<script>alert(1)</script>" in text
    assert "Facilitating" in text


def test_the_compact_radar_labels_areas_by_their_code():
    root = _parse(charts.radar_chart(AREAS, scale=SCALE, title="t", compact=True))
    labels = root.find("svg:g[@class='labels']", NS)
    assert ["".join(t.itertext()) for t in labels] == ["1", "2", "3", "4", "5", "6"]


def test_the_bar_chart_draws_one_bar_per_answered_competence():
    groups = [
        charts.Group("1 Professional Engagement", [charts.Point("1.1 Communication", 3, "B1")]),
        charts.Group(
            "3 Teaching <& Learning>",
            [charts.Point("3.1 Teaching", 2, "A2"), charts.Point("3.3 Collaborative", None)],
        ),
    ]
    root = _parse(charts.bar_chart(groups, scale=SCALE, title="By competence", missing="none"))
    bars = [r for r in root.iter(f"{{{charts.SVG_NS}}}rect") if r.get("class") == "bar"]
    assert len(bars) == 2
    assert float(bars[0].get("width")) > float(bars[1].get("width"))
    text = _texts(root)
    assert "3 Teaching <& Learning>" in text and "none" in text
    assert root.get("role") == "img"


def test_the_trend_draws_a_line_through_every_sitting():
    points = [charts.Point("2025-01-10", 2.0, "A2"), charts.Point("2026-02-01", 3.5, "B1")]
    root = _parse(charts.trend_chart(points, scale=SCALE, title="Over time"))
    line = root.find("svg:polyline", NS)
    assert len(line.get("points").split()) == 2
    single = _parse(charts.trend_chart(points[:1], scale=SCALE, title="Over time"))
    assert single.find("svg:polyline", NS) is None
    assert len(single.findall("svg:g/svg:circle", NS)) == 1
