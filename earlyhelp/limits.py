"""One set of limits on what people and partner systems may type or send, shared by the browser forms, the imports
and the API (each names the field and the limit in its own words). The numeric limits are those of the columns
that store the values, so an out-of-range figure is a clear error on its row or field, never a database overflow.
"""

from __future__ import annotations

from decimal import Decimal

#: A referral's "what is the referrer worried about?" and other free-text accounts (case notes, summaries).
LONG_TEXT = 10_000
REFERRAL_REASON = LONG_TEXT
#: A provider's note on one figure of a KPI return.
KPI_NOTE = 2_000

#: Whole numbers stored in an ``integer`` column (counts, numerators, bases): PostgreSQL's largest integer.
COUNT_MAX = 2_147_483_647
#: A KPI figure (a count or a mean) is stored as numeric(14, 2).
AMOUNT_PLACES = 2
AMOUNT_MAX = Decimal("999999999999.99")


def count_problem(number: Decimal) -> str:
    """Why ``number`` cannot be stored as a count ("" when it can): too large or not whole. Negative numbers are
    the caller's rule."""
    if abs(number) > COUNT_MAX:
        return f"must be at most {COUNT_MAX:,}"
    if number != number.to_integral_value():
        return "must be a whole number"
    return ""


def amount_problem(number: Decimal) -> str:
    """Why ``number`` cannot be stored as a KPI figure ("" when it can)."""
    if abs(number) > AMOUNT_MAX:
        return f"must be at most {AMOUNT_MAX:,}"
    if number.as_tuple().exponent < -AMOUNT_PLACES and number != round(number, AMOUNT_PLACES):
        return f"has more than {AMOUNT_PLACES} decimal places"
    return ""
