"""Presentation of counts: a percentage is computed from numerator and base here, rounded half-up once."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def percent(numerator: int, base: int | None, places: int = 0) -> str:
    """``numerator / base`` as a percentage rounded half-up to ``places``; an en dash when the base is 0."""
    if not base:
        return "–"
    quantum = Decimal(1).scaleb(-int(places))
    value = (Decimal(numerator) * 100 / Decimal(base)).quantize(quantum, rounding=ROUND_HALF_UP)
    return f"{value}%"


@register.filter
def svg(markup: str):
    """Charts are produced by ``outcomes.charts`` from our own numbers and labels (escaped there)."""
    return mark_safe(markup)  # noqa: S308
