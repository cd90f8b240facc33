"""Formatting for people in templates: ``{{ value|money }}`` → £95,000 (earlyhelp.figures.money)."""

from __future__ import annotations

from decimal import InvalidOperation

from django import template

from earlyhelp import audit_labels, figures

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


@register.filter
def action_label(code) -> str:
    """An audit action code in words: ``{{ event.action|action_label }}`` (earlyhelp.audit_labels)."""
    return audit_labels.action_label(code or "")


@register.filter
def object_type_label(label_lower) -> str:
    """A record type in words: ``{{ event.object_type|object_type_label }}`` → "Case"."""
    return audit_labels.object_type_label(label_lower or "")
