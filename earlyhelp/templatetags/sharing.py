from django import template

register = template.Library()


@register.filter
def agreement_status(agreement, day) -> str:
    """An agreement's status on ``day``: In force, Awaiting signed copy, Not started, Expired or Ended."""
    return agreement.status_on(day)
