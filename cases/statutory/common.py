"""What the returns share: how a person is identified in every file, and dates as each standard writes them."""

from __future__ import annotations

import datetime as dt


def person_ref(public_id) -> str:
    """A person's identifier in every return (the CIN census ``LAchildID``, the SSD ``*_person_id``, Annex A
    ``Child Unique ID``): the person's public id as 32 hex digits, so one child is the same in all three files,
    alphanumeric as Annex A asks and within the SSD's 48 characters."""
    return public_id.hex


def age_on(date_of_birth: dt.date | None, day: dt.date) -> int | None:
    """Whole years of age on ``day``; None when the date of birth is unknown or after ``day``."""
    if date_of_birth is None or date_of_birth > day:
        return None
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


def census_year(year: int) -> tuple[dt.date, dt.date]:
    """The CIN census year named ``year`` (the collection's year): 1 April of the year before to 31 March."""
    return dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
