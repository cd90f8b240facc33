"""Presentation of counts: a percentage is computed from numerator and base here, rounded half-up once."""

import base64
import re

from django import template
from django.utils.safestring import mark_safe

from earlyhelp.figures import percentage

register = template.Library()


@register.simple_tag
def percent(numerator: int, base: int | None, places: int = 0) -> str:
    """``numerator / base`` as a percentage rounded half-up to ``places``; an en dash when the base is 0."""
    value = percentage(numerator, base, int(places))
    return "–" if value is None else f"{value}%"


@register.filter
def svg(markup: str):
    """A chart from ``outcomes.charts`` as an image: a data-URI ``<img>`` keeps matplotlib's own styles working
    under the pages' Content-Security-Policy (no inline styles in the page), with the chart's description as
    its text alternative."""
    if not markup:
        return ""
    label = re.search(r'aria-label="([^"]*)"', markup)
    alt = label.group(1) if label else "Chart"
    source = "data:image/svg+xml;base64," + base64.b64encode(markup.encode()).decode()
    return mark_safe(f'<img class="eh-chart-image" src="{source}" alt="{alt}">')  # noqa: S308 - alt escaped in charts
