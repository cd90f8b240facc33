"""The committee report's spider graph (PDF and HTML edition): every text at least 9 pt (12 px) at its natural
size, and the area names outside the rim — the layout shared with the app's radar (outcomes.charts.area_names)."""

from __future__ import annotations

import re

from lxml import etree

from outcomes.defaults import TOOL_TEMPLATES
from reporting import charts


def test_the_reports_radar_text_is_readable():
    labels = [label for _, label in TOOL_TEMPLATES[0][6]]
    svg = charts.radar_chart.__wrapped__(labels, {"Mean at start": [3.0] * len(labels),
                                                  "Mean at end": [5.5] * len(labels)}, scale=(1, 10), title="Spider")
    root = etree.fromstring(svg[svg.index("<svg"):].encode())
    sizes = [float(re.search(r"font-size: ([\d.]+)px", t.get("style")).group(1))
             for t in root.iter("{http://www.w3.org/2000/svg}text")]
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "Routines and" in texts and "Mean at end" in texts
    assert min(sizes) >= charts.RADAR_REPORT_FONT_PT  # user units are points: 9 pt = 12 px
