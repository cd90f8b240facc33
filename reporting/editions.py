"""The accessible HTML edition of a report run: one GOV.UK-style page with a contents list, the same section
bodies as the PDF (so the same snapshot and the same disclosure control), and the charts as inline SVG with
their text alternatives as <title> and <desc>.

Two forms of the same document: ``inline_css=False`` links the static stylesheet (pages served by the app obey
its Content-Security-Policy: no inline styles or scripts); ``inline_css=True`` puts the stylesheet in a <style>
element, so the downloaded .html file is complete on its own.
"""

from __future__ import annotations

import base64
import html as html_lib
import re

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from . import charts, rendering
from . import sections as registry

STYLESHEET = "css/report-edition.css"
_CHART_IMAGE = re.compile(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)" alt="([^"]*)"[^>]*>')


def filename(run, extension: str) -> str:
    """The download name of a run's file: the report's title and the run's date."""
    name = f"{run.report.title[:60]} {run.created_at:%Y-%m-%d}.{extension}"
    return re.sub(r'[/\\"\r\n]', "-", name)


def stylesheet_text() -> str:
    path = finders.find(STYLESHEET)
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def _inline_charts(body: str, section_number: int) -> str:
    """The section's chart images (data-URI SVG with alt text) as inline SVG labelled by the same text."""
    counter = iter(range(1, 1000))

    def inline(match: re.Match) -> str:
        svg = base64.b64decode(match.group(1)).decode()
        text = html_lib.unescape(match.group(2))
        return charts.inline_svg(svg, text=text, prefix=f"chart-{section_number}-{next(counter)}")

    return _CHART_IMAGE.sub(inline, body)


def contents(snapshot: dict) -> list[dict]:
    """The contents list: each included section's number, title and anchor, then the definitions appendix."""
    entries = [{"number": n, "title": registry.get(item["key"]).title, "anchor": f"section-{item['key']}"}
               for n, item in enumerate(snapshot["sections"], start=1)]
    entries.append({"number": len(entries) + 1, "title": "Appendix: definitions of the figures in this report",
                    "anchor": "definitions"})
    return entries


def render_edition(snapshot: dict, *, inline_css: bool, back_link: dict | None = None,
                   notice: dict | None = None) -> str:
    """The HTML edition of the run whose snapshot this is. ``back_link`` ({"url", "text"}) leads back to where
    it was opened from; ``notice`` ({"title", "html"}) is shown above the contents (e.g. a correction)."""
    bodies, definitions, _contents = rendering.render_bodies(snapshot)
    bodies = [mark_safe(_inline_charts(body, n)) for n, body in enumerate(bodies, start=1)]  # noqa: S308
    return render_to_string("reporting/edition/report.html", {
        "snapshot": snapshot,
        "header": snapshot["header"],
        "public": bool(snapshot["header"].get("is_public", True)),
        "bodies": bodies,
        "definitions": definitions,
        "appendix_number": len(bodies) + 1,
        "threshold": snapshot["tenant"]["threshold"],
        "contents": contents(snapshot),
        "inline_css": stylesheet_text() if inline_css else "",
        "back_link": back_link,
        "notice": notice,
        "checkpoint": rendering.printed_checkpoint(snapshot),
    })
