"""Server-rendered SVG charts (matplotlib, no JavaScript): the radar of a distance-travelled reading and the
performance framework's trend lines. Each returns an ``<svg>`` string with a text alternative."""

from __future__ import annotations

import functools
import io
import math
import re
import textwrap

COLOURS = ["#1d70b8", "#d4351c", "#00703c", "#f47738", "#4c2c92"]
CHARTS_VERSION = "3"  # raise when a chart's drawing changes, so that charts drawn by older code are not reused


@functools.cache
def _matplotlib_figure():
    """matplotlib, imported on the first chart actually drawn (a page whose charts are stored never imports it:
    the import alone is a few hundred milliseconds of a fresh process's first view)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure as MatplotlibFigure

    matplotlib.rcParams["svg.fonttype"] = "none"  # keep text as text: readable and searchable
    matplotlib.rcParams["svg.hashsalt"] = "earlyhelp"  # stable ids
    return MatplotlibFigure


def Figure(*args, **kwargs):  # noqa: N802 (stands for matplotlib's class)
    return _matplotlib_figure()(*args, **kwargs)


def remembered(draw):
    """Keep what ``draw`` returns, keyed by its arguments (``figures_engine.remembered_drawing``: the shared cache,
    then the council's stored drawings): a chart is a pure function of the figures and labels it is given, and
    drawing one (matplotlib) costs tens of milliseconds."""

    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        from earlyhelp import figures_engine

        raw = repr((CHARTS_VERSION, draw.__module__, draw.__qualname__, args, sorted(kwargs.items())))
        return figures_engine.remembered_drawing(raw, lambda: draw(*args, **kwargs))

    return wrapper


def _svg(fig, description: str) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<svg ", f'<svg role="img" aria-label="{_escape(description)}" focusable="false" ', text, count=1)
    return text


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


# The radar is shown as an image up to this wide (CSS px): half the page's column on a desktop; on a 390 px phone
# it shrinks to the column (about 330 px). Its text is drawn so that it is at least RADAR_MIN_TEXT_PX high there.
RADAR_PHONE_WIDTH_PX = 330
RADAR_MIN_TEXT_PX = 12
RADAR_FONT_PT = 11  # matplotlib's points are the SVG's user units: 1 pt = 4/3 CSS px at the image's natural size
RADAR_LABEL_CHARS = 11  # an area's name wraps onto lines of at most this many characters


def radar_figure(*, labels: list[str], series: list[tuple[str, list[int | None]]], scale_min: int, scale_max: int,
                 title: str = "") -> tuple[Figure, list]:
    """The radar's figure and the Text of each area's name (for the tests to measure).

    Area names sit outside the rim, wrapped, each anchored on the side it points to (left of the chart: ending at
    the rim; right: starting there; top and bottom: centred), so that they neither cross the rim nor each other.
    The legend goes below the chart, where it takes no width from it."""
    n = len(labels)
    angles = [2 * math.pi * i / n for i in range(n)] + [0]
    fig = Figure(figsize=(3.8, 3.4 + 0.25 * max(len(series), 1)), layout="constrained")
    ax = fig.add_subplot(projection="polar")
    ax.set_theta_offset(math.pi / 2)
    ax.set_theta_direction(-1)
    ax.set_ylim(scale_min, scale_max)
    step = max(1, math.ceil((scale_max - scale_min) / 5))
    ax.set_yticks(range(scale_min, scale_max + 1, step))
    ax.set_rlabel_position(180 / n if n else 0)  # the scale's numbers between the first two spokes
    ax.tick_params(axis="y", labelsize=RADAR_FONT_PT, labelcolor="#505a5f")
    ax.set_xticks(angles[:-1])
    ax.set_xticklabels([])  # names drawn below, outside the rim
    ax.grid(color="#b1b4b6", linewidth=0.6)
    for i, (name, values) in enumerate(series):
        points = [scale_min if v is None else v for v in values]
        points.append(points[0])
        colour = COLOURS[i % len(COLOURS)]
        ax.plot(angles, points, color=colour, linewidth=2, label=name, linestyle="-" if i else "--")
        ax.fill(angles, points, color=colour, alpha=0.12)
    names = area_names(ax, angles[:-1], labels, scale_min=scale_min, scale_max=scale_max, fontsize=RADAR_FONT_PT)
    if series:
        fig.legend(loc="outside lower center", fontsize=RADAR_FONT_PT, frameon=False)
    if title:
        ax.set_title(title, fontsize=RADAR_FONT_PT + 2, pad=48)
    return fig, names


def area_names(ax, angles: list[float], labels: list[str], *, scale_min: float, scale_max: float, fontsize: float,
               width: int = RADAR_LABEL_CHARS) -> list:
    """Each area's name outside the rim of a polar ``ax`` (its theta running clockwise from the top), wrapped at
    ``width`` characters and anchored on the side it points to — left of the chart ending at the rim, right of it
    starting there, top and bottom centred — so that names neither cross the rim nor each other. Shared by the
    app's radar and the committee report's."""
    names = []
    outside = scale_max + (scale_max - scale_min) * 0.1
    for angle, label in zip(angles, labels, strict=True):
        x, y = math.sin(angle), math.cos(angle)
        align = "center" if abs(x) < 0.2 else ("left" if x > 0 else "right")
        vertical = "bottom" if y > 0.25 else ("top" if y < -0.25 else "center")
        text = textwrap.fill(label, width, break_on_hyphens=False, break_long_words=False)
        names.append(ax.text(angle, outside, text, fontsize=fontsize, ha=align, va=vertical, multialignment=align,
                             color="#0b0c0c"))
    return names


@remembered
def radar_svg(*, labels: list[str], series: list[tuple[str, list[int | None]]], scale_min: int, scale_max: int,
              title: str = "") -> str:
    """A radar (spider graph) of one or more readings over the same areas; ``None`` marks an area not scored
    (drawn at the bottom of the scale, with the text alternative saying so)."""
    fig, _ = radar_figure(labels=labels, series=series, scale_min=scale_min, scale_max=scale_max, title=title)
    description = "; ".join(
        f"{name}: " + ", ".join(f"{lab} {'not scored' if v is None else v}" for lab, v in zip(labels, values,
                                                                                             strict=True))
        for name, values in series)
    return _svg(fig, f"Radar chart, scale {scale_min} to {scale_max}. {description}")


@remembered
def trend_svg(*, periods: list[str], lines: list[tuple[str, list[tuple[int, int | None]]]], title: str) -> str:
    """Percentages over periods, one line per measure; each point is (numerator, base) and a zero base leaves a
    gap. Percentages are computed here, at presentation."""
    fig = Figure(figsize=(7.5, 3.2))
    ax = fig.add_subplot()
    described = []
    for i, (label, points) in enumerate(lines):
        values = [100 * n / b if b else math.nan for n, b in points]
        ax.plot(range(len(periods)), values, marker="o", color=COLOURS[i % len(COLOURS)], label=label, linewidth=2)
        described.append(f"{label}: " + ", ".join(
            f"{p} {n} of {b}" for p, (n, b) in zip(periods, points, strict=True)))
    ax.set_xticks(range(len(periods)))
    ax.set_xticklabels(periods)
    ax.set_ylim(0, 100)
    ax.set_ylabel("%")
    ax.grid(axis="y", color="#b1b4b6", linewidth=0.5)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8)
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    ax.set_title(title, fontsize=10)
    return _svg(fig, f"{title}. " + "; ".join(described))


@remembered
def bars_svg(*, periods: list[str], bars: list[tuple[str, list[int]]], title: str) -> str:
    """Counts over periods as grouped bars."""
    fig = Figure(figsize=(7.5, 3.2))
    ax = fig.add_subplot()
    width = 0.8 / max(len(bars), 1)
    for i, (label, values) in enumerate(bars):
        xs = [x + i * width for x in range(len(periods))]
        ax.bar(xs, values, width=width, label=label, color=COLOURS[i % len(COLOURS)])
    ax.set_xticks([x + width * (len(bars) - 1) / 2 for x in range(len(periods))])
    ax.set_xticklabels(periods)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8)
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    ax.set_title(title, fontsize=10)
    described = "; ".join(f"{label}: " + ", ".join(f"{p} {v}" for p, v in zip(periods, values, strict=True))
                          for label, values in bars)
    return _svg(fig, f"{title}. {described}")
