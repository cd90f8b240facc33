"""Server-rendered SVG charts (matplotlib, no JavaScript): the radar of a distance-travelled reading and the
performance framework's trend lines. Each returns an ``<svg>`` string with a text alternative."""

from __future__ import annotations

import functools
import io
import math
import re

COLOURS = ["#1d70b8", "#d4351c", "#00703c", "#f47738", "#4c2c92"]
CHARTS_VERSION = "1"  # raise when a chart's drawing changes, so that charts drawn by older code are not reused


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


@remembered
def radar_svg(*, labels: list[str], series: list[tuple[str, list[int | None]]], scale_min: int, scale_max: int,
              title: str = "") -> str:
    """A radar (spider graph) of one or more readings over the same areas; ``None`` marks an area not scored
    (drawn at the bottom of the scale, with the text alternative saying so)."""
    n = len(labels)
    angles = [2 * math.pi * i / n for i in range(n)] + [0]
    fig = Figure(figsize=(5.2, 5.2))
    ax = fig.add_subplot(projection="polar")
    ax.set_theta_offset(math.pi / 2)
    ax.set_theta_direction(-1)
    ax.set_ylim(scale_min, scale_max)
    step = max(1, (scale_max - scale_min) // 10)
    ax.set_yticks(range(scale_min, scale_max + 1, step))
    ax.set_xticks(angles[:-1])
    ax.set_xticklabels(labels, fontsize=8)
    ax.tick_params(axis="y", labelsize=7)
    for i, (name, values) in enumerate(series):
        points = [scale_min if v is None else v for v in values]
        points.append(points[0])
        colour = COLOURS[i % len(COLOURS)]
        ax.plot(angles, points, color=colour, linewidth=2, label=name, linestyle="-" if i else "--")
        ax.fill(angles, points, color=colour, alpha=0.12)
    if series:
        ax.legend(loc="upper right", bbox_to_anchor=(1.25, 1.12), fontsize=8, frameon=False)
    if title:
        ax.set_title(title, fontsize=10, pad=24)
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
