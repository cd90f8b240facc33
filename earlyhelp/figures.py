"""The one place a rate becomes a percentage: ``numerator / base``, rounded half-up, once, at presentation."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def round_half_up(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def percentage(numerator: int, base: int | None, places: int = 0) -> Decimal | None:
    """``numerator / base`` as a percentage rounded half-up to ``places`` decimals; None on a zero or no base."""
    if not base:
        return None
    return round_half_up(Decimal(numerator) * 100 / Decimal(base), places)
