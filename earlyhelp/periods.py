"""Financial-year quarters, the period every figure in the product is counted over.

English local government runs April to March: ``2014/15 Q2`` is July–September 2014. A tenant may start its
year in another month; every function takes ``fy_start_month`` (default 4). Values are immutable and ordered.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import total_ordering

from django.db.models import Q

_QUARTER_RE = re.compile(r"^\s*(\d{4})\s*[/\-]\s*(\d{2}|\d{4})\s*Q([1-4])\s*$", re.IGNORECASE)
_YEAR_RE = re.compile(r"^\s*(\d{4})\s*[/\-]\s*(\d{2}|\d{4})\s*$")


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _parse_years(first: str, second: str, text: str) -> int:
    start = int(first)
    end = int(second)
    expected_end = start + 1
    if (len(second) == 2 and end != expected_end % 100) or (len(second) == 4 and end != expected_end):
        raise ValueError(f"{text!r}: the second year must follow the first (e.g. 2014/15)")
    return start


@total_ordering
@dataclass(frozen=True)
class FinancialYear:
    """The financial year starting in ``start_year`` (e.g. 2014 for 2014/15)."""

    start_year: int
    fy_start_month: int = 4

    def __post_init__(self):
        if not 1 <= self.fy_start_month <= 12:
            raise ValueError("fy_start_month must be 1–12")
        if not 1900 <= self.start_year <= 2999:
            raise ValueError("year out of range")

    @classmethod
    def parse(cls, text: str, fy_start_month: int = 4) -> FinancialYear:
        match = _YEAR_RE.match(text or "")
        if not match:
            raise ValueError(f"{text!r} is not a financial year like 2014/15")
        return cls(_parse_years(match.group(1), match.group(2), text), fy_start_month)

    @classmethod
    def containing(cls, day: dt.date, fy_start_month: int = 4) -> FinancialYear:
        year = day.year if day.month >= fy_start_month else day.year - 1
        return cls(year, fy_start_month)

    @property
    def start(self) -> dt.date:
        return dt.date(self.start_year, self.fy_start_month, 1)

    @property
    def end(self) -> dt.date:
        year, month = _add_months(self.start_year, self.fy_start_month, 12)
        return dt.date(year, month, 1) - dt.timedelta(days=1)

    @property
    def quarters(self) -> list[Quarter]:
        return [Quarter(self.start_year, q, self.fy_start_month) for q in (1, 2, 3, 4)]

    def __str__(self) -> str:
        if self.fy_start_month == 1:
            return str(self.start_year)
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    def __lt__(self, other: FinancialYear) -> bool:
        return self.start < other.start


@total_ordering
@dataclass(frozen=True)
class Quarter:
    """Quarter ``number`` (1–4) of the financial year starting in ``start_year``."""

    start_year: int
    number: int
    fy_start_month: int = 4

    def __post_init__(self):
        if self.number not in (1, 2, 3, 4):
            raise ValueError("a quarter is numbered 1 to 4")
        FinancialYear(self.start_year, self.fy_start_month)  # validates the rest

    @classmethod
    def parse(cls, text: str, fy_start_month: int = 4) -> Quarter:
        """Read ``2014/15 Q2`` (also ``2014-15 Q2`` or ``2014/2015 Q2``)."""
        match = _QUARTER_RE.match(text or "")
        if not match:
            raise ValueError(f"{text!r} is not a quarter like 2014/15 Q2")
        return cls(_parse_years(match.group(1), match.group(2), text), int(match.group(3)), fy_start_month)

    @classmethod
    def containing(cls, day: dt.date, fy_start_month: int = 4) -> Quarter:
        year = FinancialYear.containing(day, fy_start_month)
        months_in = (day.year * 12 + day.month - 1) - (year.start_year * 12 + fy_start_month - 1)
        return cls(year.start_year, months_in // 3 + 1, fy_start_month)

    @property
    def financial_year(self) -> FinancialYear:
        return FinancialYear(self.start_year, self.fy_start_month)

    @property
    def start(self) -> dt.date:
        year, month = _add_months(self.start_year, self.fy_start_month, 3 * (self.number - 1))
        return dt.date(year, month, 1)

    @property
    def end(self) -> dt.date:
        year, month = _add_months(self.start_year, self.fy_start_month, 3 * self.number)
        return dt.date(year, month, 1) - dt.timedelta(days=1)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def shifted(self, quarters: int) -> Quarter:
        index = self.start_year * 4 + (self.number - 1) + quarters
        return Quarter(index // 4, index % 4 + 1, self.fy_start_month)

    def next(self) -> Quarter:
        return self.shifted(1)

    def previous(self) -> Quarter:
        return self.shifted(-1)

    def __str__(self) -> str:
        return f"{self.financial_year} Q{self.number}"

    def __lt__(self, other: Quarter) -> bool:
        return (self.start_year, self.number) < (other.start_year, other.number)


# ------------------------------------------------------------------------------------------- dates in words
# The one place a date, a period or a window becomes words, for reports and pages alike.


def long_date(day: dt.date) -> str:
    """``1 November 2013``: no leading zero, the month in full (GOV.UK style)."""
    return f"{day.day} {day:%B %Y}"


def between(start: dt.date, end: dt.date) -> str:
    """``between 1 November 2013 and 30 April 2014`` — both days included. Refuses a window that ends first."""
    if end < start:
        raise ValueError(f"a window cannot end ({end}) before it starts ({start})")
    return f"between {long_date(start)} and {long_date(end)}"


def span(start: dt.date, end: dt.date) -> str:
    """``1 July to 30 September 2014`` (the year once when both days share it), for a period's dates."""
    if end < start:
        raise ValueError(f"a period cannot end ({end}) before it starts ({start})")
    if start.year == end.year:
        return f"{start.day} {start:%B} to {long_date(end)}"
    return f"{long_date(start)} to {long_date(end)}"


def period_words(period: Quarter | FinancialYear) -> str:
    """``2014/15 Q2 (1 July to 30 September 2014)``."""
    return f"{period} ({span(period.start, period.end)})"


def month_end_before(day: dt.date, months: int) -> dt.date:
    """The last day of the month ``months`` whole months before ``day``'s month (31 Oct 2014, 6 → 30 Apr 2014)."""
    year, month = _add_months(day.year, day.month, 1 - months)
    return dt.date(year, month, 1) - dt.timedelta(days=1)


def month_window(ending: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """The ``months`` whole calendar months ending with the month of ``ending``, which must be a month end:
    (30 Apr 2014, 6) → (1 Nov 2013, 30 Apr 2014)."""
    if months < 1:
        raise ValueError("a window is at least one month long")
    if (ending + dt.timedelta(days=1)).day != 1:
        raise ValueError(f"{ending} is not the last day of a month")
    year, month = _add_months(ending.year, ending.month, 1 - months)
    return dt.date(year, month, 1), ending


# Periods in queries: the bounds of any period, and a filter for a field inside any of several periods.

Period = tuple[dt.date, dt.date]


def period_bounds(period) -> Period:
    """A Quarter, a FinancialYear or a ``(start, end)`` pair (inclusive dates, in order) as ``(start, end)``."""
    if isinstance(period, tuple):
        start, end = period
        if start is None or end is None or end < start:
            raise ValueError("give a period (Quarter or FinancialYear) or a start and an end, in order")
        return start, end
    return period.start, period.end


def within_any(field: str, periods: list[Period]) -> Q:
    """``field`` falls in one of ``periods``: overlapping and adjacent periods merged, so that consecutive quarters
    become one range (one index range scan)."""
    merged: list[list[dt.date]] = []
    for start, end in sorted(periods):
        if merged and start <= merged[-1][1] + dt.timedelta(days=1):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    q = Q()
    for start, end in merged:
        q |= Q(**{f"{field}__range": (start, end)})
    return q
