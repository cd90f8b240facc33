"""Charts as SVG (matplotlib), embedded in the report's HTML as data URIs so WeasyPrint draws them as vectors."""

from __future__ import annotations

import base64
import functools
import io

from outcomes.charts import (
    area_names,  # noqa: E402
    remembered,
)


@functools.cache
def _plt():
    """matplotlib's pyplot, imported and set up on the first chart actually drawn (a report whose charts are
    stored never imports it)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    plt.rcParams.update({
        "svg.fonttype": "none",  # keep text as text: selectable and searchable in the PDF
        # Only fonts that are installed: matplotlib looks up (and logs a warning for) a missing family on every
        # piece of text it lays out, which cost more than drawing the charts.
        "font.family": [f for f in ("Liberation Sans", "DejaVu Sans") if f in installed] + ["sans-serif"],
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
    })
    return plt


# Okabe–Ito: eight colours told apart with every common colour-vision deficiency (black last, for an eighth line).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
RADAR_REPORT_FONT_PT = 9  # printed: 9 pt is 12 px; the HTML edition shows the chart at its natural size or less


def _svg(fig) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    _plt().close(fig)
    return buffer.getvalue()


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@remembered
def line_chart(labels: list[str], series: dict[str, list[float | None]], *, title: str, ylabel: str = "") -> str:
    """One line per series over ``labels`` (quarters); gaps where a value is missing or suppressed."""
    fig, ax = _plt().subplots(figsize=(7.2, 3.2))
    for index, (name, values) in enumerate(series.items()):
        xs = [i for i, v in enumerate(values) if v is not None]
        ys = [v for v in values if v is not None]
        if xs:
            ax.plot(xs, ys, marker="o", color=PALETTE[index % len(PALETTE)], label=name, linewidth=1.8)
    ax.set_xticks(range(len(labels)), labels, rotation=0)
    ax.set_title(title, loc="left", fontsize=10, fontweight="bold")
    if ylabel:
        ax.set_ylabel(ylabel)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_ylim(bottom=0)
    if series:
        ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _svg(fig)


@remembered
def radar_chart(labels: list[str], series: dict[str, list[float]], *, scale: tuple[int, int], title: str) -> str:
    """A spider graph: one closed line per series (e.g. mean start and mean end) over the areas. The area names sit
    outside the rim, wrapped, and the legend below (``outcomes.charts.area_names``)."""
    import math

    count = len(labels)
    angles = [2 * math.pi * i / count for i in range(count)] + [0]
    fig, ax = _plt().subplots(figsize=(5.2, 5.0), subplot_kw={"polar": True}, layout="constrained")
    ax.set_theta_offset(math.pi / 2)
    ax.set_theta_direction(-1)
    for index, (name, values) in enumerate(series.items()):
        closed = [*values, values[0]]
        colour = PALETTE[index % len(PALETTE)]
        ax.plot(angles, closed, color=colour, linewidth=1.8, label=name)
        ax.fill(angles, closed, color=colour, alpha=0.12)
    ax.set_xticks(angles[:-1], [""] * count)
    ax.set_ylim(scale[0], scale[1])
    ax.tick_params(axis="y", labelsize=RADAR_REPORT_FONT_PT)
    area_names(ax, angles[:-1], labels, scale_min=scale[0], scale_max=scale[1], fontsize=RADAR_REPORT_FONT_PT,
               width=16)
    ax.set_title(title, fontsize=10, fontweight="bold", pad=36)
    fig.legend(frameon=False, fontsize=RADAR_REPORT_FONT_PT, loc="outside lower center")
    return _svg(fig)


@remembered
def bar_chart(labels: list[str], percents: list[float | None], *, title: str, note: str = "") -> str:
    """Horizontal bars of percentages (0–100); a missing value (suppressed) is left blank and marked."""
    fig, ax = _plt().subplots(figsize=(7.0, 0.42 * len(labels) + 1.0))
    ys = list(range(len(labels)))[::-1]
    ax.barh(ys, [p or 0 for p in percents], color=PALETTE[0], height=0.6)
    for y, p in zip(ys, percents, strict=True):
        ax.text((p or 0) + 1, y, "c" if p is None else f"{p:.0f}%", va="center", fontsize=8)
    ax.set_yticks(ys, labels, fontsize=8)
    ax.set_xlim(0, 110)
    ax.set_xlabel("% improving" + (f" ({note})" if note else ""))
    ax.set_title(title, loc="left", fontsize=10, fontweight="bold")
    return _svg(fig)


# -- Text alternatives: what each chart shows, in words, from the same numbers it is drawn from. A chart's text
# is "<what it is>. <its figures>": the tagged PDF gives the whole text as the image's alternative, and the HTML
# edition splits it into the SVG's <title> and <desc>.

def _number(value: float | None, *, places: int = 0, suffix: str = "") -> str:
    return "hidden" if value is None else f"{value:.{places}f}{suffix}"


def describe_line(labels: list[str], series: dict[str, list[float | None]], *, title: str) -> str:
    """``title``, then each series' value for each label (hidden values are said to be hidden)."""
    span = f"{labels[0]} to {labels[-1]}" if labels else "no periods"
    figures = "; ".join(
        f"{name}: " + ", ".join(f"{label} {_number(value)}" for label, value in zip(labels, values, strict=True))
        for name, values in series.items())
    return f"Line chart: {title}, {span}. {figures or 'No figures to show'}."


def describe_bars(labels: list[str], percents: list[float | None], *, title: str) -> str:
    """``title``, then each bar's percentage (a hidden one is said to be hidden)."""
    figures = "; ".join(f"{label} {_number(p, suffix='%')}" for label, p in zip(labels, percents, strict=True))
    return f"Bar chart: {title}. {figures or 'No figures to show'}."


def describe_radar(labels: list[str], series: dict[str, list[float]], *, scale: tuple[int, int], title: str) -> str:
    """``title`` and the scale, then each area's value in each series."""
    names = list(series)
    figures = "; ".join(
        f"{label}: " + ", ".join(f"{name.lower()} {series[name][i]:.1f}" for name in names)
        for i, label in enumerate(labels))
    return f"Spider graph: {title}, on a scale of {scale[0]} to {scale[1]}. {figures}."


# -- Inline SVG for the HTML edition: no <style> element or style attributes (the app's Content-Security-Policy
# allows neither), ids prefixed so that several charts can share one page, and the text alternative as the
# chart's <title> and <desc>.

_SVG = "http://www.w3.org/2000/svg"
_XLINK = "http://www.w3.org/1999/xlink"


def split_text(text: str) -> tuple[str, str]:
    """A chart's text alternative as (title, description): the first sentence and the rest."""
    title, _, rest = text.partition(". ")
    return title.rstrip("."), rest


def inline_svg(svg: str, *, text: str, prefix: str) -> str:
    """``svg`` (matplotlib's output) as markup to place in an HTML page, labelled by ``text``."""
    import re
    import xml.etree.ElementTree as ET

    ET.register_namespace("", _SVG)
    ET.register_namespace("xlink", _XLINK)
    root = ET.fromstring(svg[svg.index("<svg"):])  # noqa: S314 - matplotlib's own output, not user input
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in (f"{{{_SVG}}}metadata", f"{{{_SVG}}}style"):
                parent.remove(child)
    href = f"{{{_XLINK}}}href"
    for element in root.iter():
        style = element.attrib.pop("style", "")
        for declaration in style.split(";"):
            name, _, value = declaration.partition(":")
            if name.strip() and value.strip():
                element.set(name.strip(), value.strip())
        if "id" in element.attrib:
            element.set("id", f"{prefix}-{element.get('id')}")
        for name, value in list(element.attrib.items()):
            if "url(#" in value:
                element.set(name, value.replace("url(#", f"url(#{prefix}-"))
        if element.get(href, "").startswith("#"):
            element.set(href, f"#{prefix}-{element.get(href)[1:]}")
    # What the removed stylesheet said, as inherited presentation attributes.
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    title, description = split_text(text)
    root.set("role", "img")
    root.set("focusable", "false")
    root.set("aria-labelledby", f"{prefix}-title {prefix}-desc")
    title_element = ET.Element(f"{{{_SVG}}}title", {"id": f"{prefix}-title"})
    title_element.text = title
    desc_element = ET.Element(f"{{{_SVG}}}desc", {"id": f"{prefix}-desc"})
    desc_element.text = description
    root.insert(0, desc_element)
    root.insert(0, title_element)
    markup = ET.tostring(root, encoding="unicode")
    return re.sub(r">\s+<", "><", markup)


@remembered
def small_multiples(labels: list[str], panels: list[tuple[str, dict[str, list[float | None]]]], *,
                    title: str) -> str:
    """One panel per group of series, each on its own scale (early help counts are not squashed under social
    care's), lines labelled at their right-hand end instead of a legend; colour-blind-safe colours and markers.
    Sized for the A4 text width, with text at 8–10 pt."""
    panels = [(name, series) for name, series in panels if series]
    fig, axes = _plt().subplots(len(panels), 1, figsize=(7.4, 2.5 * len(panels)), squeeze=False)
    lines = [c for c in PALETTE if c != "#F0E442"]  # yellow reads poorly as a thin line on white
    colour = 0
    for ax, (name, series) in zip(axes[:, 0], panels, strict=True):
        ends = []
        for label, values in series.items():
            xs = [i for i, v in enumerate(values) if v is not None]
            ys = [v for v in values if v is not None]
            if xs:
                ax.plot(xs, ys, marker=MARKERS[colour % len(MARKERS)], markersize=4, linewidth=1.8,
                        color=lines[colour % len(lines)])
                ends.append((ys[-1], xs[-1], label, lines[colour % len(lines)]))
            colour += 1
        top = max([end[0] for end in ends] + [1]) * 1.12
        ax.set_ylim(0, top)
        # Direct labels at the right-hand end of each line, nudged apart so that none overlaps another.
        ends.sort(key=lambda end: end[0])
        gap = top * 0.08
        placed: list[float] = []
        for y_end, x_end, label, line_colour in ends:
            y = y_end if not placed else max(y_end, placed[-1] + gap)
            placed.append(y)
            ax.annotate(label, xy=(x_end, y_end), xytext=(len(labels) - 1 + 0.3, y), fontsize=8,
                        color=line_colour, va="center", annotation_clip=False, fontweight="bold")
        ax.set_xticks(range(len(labels)), [label.replace(" ", "\n", 1) for label in labels], fontsize=8)
        ax.set_xlim(-0.3, len(labels) - 0.7)
        ax.tick_params(axis="x", labelrotation=0)
        ax.set_title(name, loc="left", fontsize=9.5, fontweight="bold")
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.tick_params(axis="y", labelsize=8)
    fig.suptitle(title, x=0.01, ha="left", fontsize=10.5, fontweight="bold")
    fig.subplots_adjust(left=0.08, right=0.62, top=0.9, bottom=0.08, hspace=0.45)
    return _svg(fig)
