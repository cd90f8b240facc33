"""The one place a rate becomes a percentage: ``numerator / base``, rounded half-up, once, at presentation."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


def round_half_up(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def percentage(numerator: int, base: int | None, places: int = 0) -> Decimal | None:
    """``numerator / base`` as a percentage rounded half-up to ``places`` decimals; None on a zero or no base."""
    if not base:
        return None
    return round_half_up(Decimal(numerator) * 100 / Decimal(base), places)


def money(value) -> str:
    """Pounds as people write them: ``95000`` → ``£95,000``; ``1234.5`` → ``£1,234.50``; ``-3`` → ``-£3``.
    Rounded half-up to the penny; pence are shown only when there are some."""
    amount = round_half_up(Decimal(str(value)), 2)
    sign, amount = ("-" if amount < 0 else ""), abs(amount)
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return f"{sign}£{text}"


@dataclass(frozen=True)
class Rate:
    """``numerator`` out of ``base``; never pre-rounded."""

    numerator: int
    base: int
