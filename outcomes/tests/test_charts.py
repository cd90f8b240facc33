"""The radar (spider graph) is readable where it is shown (issue #19: its area names were about 9 px and crossed the
rim): every piece of its text is at least 12 CSS px at the size the page shows the image, on a desktop and on a
390 px phone, and the area names sit outside the rim without covering one another."""

from __future__ import annotations

import math
import re

import pytest
from lxml import etree
from matplotlib.backends.backend_agg import FigureCanvasAgg

from outcomes import charts
from outcomes.defaults import TOOL_TEMPLATES

TOOLS = {code: (labels, low, high) for code, _, _, low, high, _, labels in TOOL_TEMPLATES}
LONG = ["Emotional wellbeing and mental health", "Drug and alcohol misuse", "School attendance and education",
        "Domestic abuse", "Housing", "Employment, education or training of adults"]
SVG_NS = "{http://www.w3.org/2000/svg}"


def _cases():
    for code, (areas, low, high) in TOOLS.items():
        yield pytest.param([label for _, label in areas], low, high, id=code)
    yield pytest.param(LONG, 0, 10, id="long-names")


def _series(count):
    return [("Start (01 Jan 2026)", [None, *[2] * (count - 1)]), ("End (30 Jun 2026)", [4] * count)]


@pytest.mark.parametrize(("labels", "low", "high"), list(_cases()))
def test_every_text_of_the_svg_is_at_least_12_px_where_it_is_shown(labels, low, high):
    svg = charts.radar_svg.__wrapped__(labels=labels, series=_series(len(labels)), scale_min=low, scale_max=high)
    root = etree.fromstring(svg.encode())
    width_pt = float(re.fullmatch(r"([\d.]+)pt", root.get("width")).group(1))
    view_width = float(root.get("viewBox").split()[2])
    natural_px = width_pt * 4 / 3
    sizes = []
    for text in root.iter(f"{SVG_NS}text"):
        size = float(re.search(r"font-size: ([\d.]+)px", text.get("style")).group(1))  # in user units
        sizes.append((size, "".join(text.itertext())))
    assert len(sizes) >= len(labels), "the area names are drawn as text"
    for shown_px in (450, charts.RADAR_PHONE_WIDTH_PX):  # half the desktop column; the phone's column
        scale = min(natural_px, shown_px) / view_width  # CSS px per user unit as shown (an image is never enlarged)
        small = [(round(size * scale, 1), words) for size, words in sizes if size * scale < charts.RADAR_MIN_TEXT_PX]
        assert not small, f"text under {charts.RADAR_MIN_TEXT_PX} px when shown {shown_px} px wide: {small}"


@pytest.mark.parametrize(("labels", "low", "high"), list(_cases()))
def test_area_names_sit_outside_the_rim_and_apart(labels, low, high):
    fig, names = charts.radar_figure(labels=labels, series=_series(len(labels)), scale_min=low, scale_max=high)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    ax = fig.axes[0]
    rim = ax.get_window_extent(renderer)
    cx, cy, radius = (rim.x0 + rim.x1) / 2, (rim.y0 + rim.y1) / 2, rim.width / 2
    boxes = [name.get_window_extent(renderer) for name in names]
    for name, box in zip(names, boxes, strict=True):
        # the nearest point of the name's box to the centre is beyond the rim
        nx, ny = min(max(cx, box.x0), box.x1), min(max(cy, box.y0), box.y1)
        assert math.hypot(nx - cx, ny - cy) > radius, f"“{name.get_text()}” crosses the rim"
    for i, box in enumerate(boxes):
        for other in boxes[i + 1:]:
            assert not box.overlaps(other), "two area names overlap"
    legend = fig.legends[0].get_window_extent(renderer)
    assert not any(box.overlaps(legend) for box in boxes), "an area name covers the legend"
