"""Formatting for people in templates: ``{{ value|money }}`` → £95,000 (earlyhelp.figures.money)."""

from __future__ import annotations

from decimal import InvalidOperation

from django import template

from earlyhelp import figures

register = template.Library()


@register.filter
def money(value) -> str:
    """Money as ``£95,000``; empty for no value (so ``|default:"–"`` can follow)."""
    if value is None or value == "":
        return ""
    try:
        return figures.money(value)
    except (InvalidOperation, ValueError):
        return ""
