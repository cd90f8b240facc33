import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from earlyhelp.periods import FinancialYear, Quarter


def test_2014_15_q2_is_july_to_september_2014():
    q = Quarter.parse("2014/15 Q2")
    assert (q.start, q.end) == (dt.date(2014, 7, 1), dt.date(2014, 9, 30))
    assert str(q) == "2014/15 Q2"


def test_q4_runs_january_to_march_of_the_next_calendar_year():
    q = Quarter.parse("2014/15 Q4")
    assert (q.start, q.end) == (dt.date(2015, 1, 1), dt.date(2015, 3, 31))


def test_the_financial_year_boundary_falls_between_31_march_and_1_april():
    assert Quarter.containing(dt.date(2015, 3, 31)) == Quarter(2014, 4)
    assert Quarter.containing(dt.date(2015, 4, 1)) == Quarter(2015, 1)
    assert FinancialYear.containing(dt.date(2015, 3, 31)).start_year == 2014
    assert FinancialYear.containing(dt.date(2015, 4, 1)).start_year == 2015


def test_leap_year_quarter_ends_on_29_february_boundaries():
    assert Quarter.parse("2023/24 Q4").end == dt.date(2024, 3, 31)
    assert FinancialYear(2023).end == dt.date(2024, 3, 31)


def test_a_tenant_may_start_its_year_in_another_month():
    q = Quarter.parse("2014/15 Q1", fy_start_month=9)
    assert (q.start, q.end) == (dt.date(2014, 9, 1), dt.date(2014, 11, 30))
    assert Quarter.containing(dt.date(2015, 8, 31), fy_start_month=9) == Quarter(2014, 4, 9)


@pytest.mark.parametrize("text", ["2014/16 Q1", "2014/15 Q5", "Q2 2014", "", "2014/15", "2014-15 Q0"])
def test_malformed_quarters_are_refused_with_a_message(text):
    with pytest.raises(ValueError, match="quarter|year"):
        Quarter.parse(text)


@pytest.mark.parametrize("text", ["2014-15 Q2", "2014/2015 Q2", " 2014/15 q2 "])
def test_common_spellings_are_accepted(text):
    assert Quarter.parse(text) == Quarter(2014, 2)


months = st.integers(min_value=1, max_value=12)
days = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 12, 31))


@given(day=days, fy_start=months)
def test_the_quarter_containing_a_day_contains_it(day, fy_start):
    q = Quarter.containing(day, fy_start)
    assert q.start <= day <= q.end
    assert q.financial_year.start <= day <= q.financial_year.end


@given(day=days, fy_start=months)
def test_quarters_tile_the_calendar_without_gaps(day, fy_start):
    q = Quarter.containing(day, fy_start)
    assert q.next().start == q.end + dt.timedelta(days=1)
    assert q.previous().end == q.start - dt.timedelta(days=1)
    assert q.next().previous() == q


@given(day=days)
def test_parse_reverses_str(day):
    q = Quarter.containing(day)
    assert Quarter.parse(str(q)) == q


@given(day=days, fy_start=months)
def test_four_quarters_make_the_year(day, fy_start):
    year = FinancialYear.containing(day, fy_start)
    qs = year.quarters
    assert qs[0].start == year.start and qs[-1].end == year.end
    assert sum((q.end - q.start).days + 1 for q in qs) == (year.end - year.start).days + 1


# --- dates in words (issue #18): one function for every period and window


def test_a_window_is_written_between_its_first_and_last_days():
    from earlyhelp.periods import between, month_end_before, month_window

    ending = month_end_before(dt.date(2014, 10, 31), 6)
    assert ending == dt.date(2014, 4, 30)
    assert between(*month_window(ending, 6)) == "between 1 November 2013 and 30 April 2014"


@pytest.mark.parametrize("day, months, expected", [
    (dt.date(2026, 6, 30), 3, dt.date(2026, 3, 31)),  # a quarter ending 31 March, not "30 March"
    (dt.date(2024, 8, 31), 6, dt.date(2024, 2, 29)),  # leap year
    (dt.date(2023, 8, 31), 6, dt.date(2023, 2, 28)),
    (dt.date(2024, 3, 31), 1, dt.date(2024, 2, 29)),
    (dt.date(2024, 1, 15), 1, dt.date(2023, 12, 31)),  # across a year end
])
def test_month_ends_and_leap_years(day, months, expected):
    from earlyhelp.periods import month_end_before

    assert month_end_before(day, months) == expected


def test_windows_and_periods_in_words_at_month_ends_and_leap_years():
    from earlyhelp.periods import FinancialYear, Quarter, between, long_date, month_window, period_words, span

    assert month_window(dt.date(2024, 2, 29), 3) == (dt.date(2023, 12, 1), dt.date(2024, 2, 29))
    assert between(dt.date(2024, 2, 29), dt.date(2024, 2, 29)) == "between 29 February 2024 and 29 February 2024"
    assert long_date(dt.date(2014, 11, 1)) == "1 November 2014"
    assert span(dt.date(2023, 12, 1), dt.date(2024, 2, 29)) == "1 December 2023 to 29 February 2024"
    assert period_words(Quarter(2025, 4)) == "2025/26 Q4 (1 January to 31 March 2026)"
    assert period_words(FinancialYear(2014)) == "2014/15 (1 April 2014 to 31 March 2015)"
    with pytest.raises(ValueError, match="not the last day"):
        month_window(dt.date(2024, 2, 28), 3)
    with pytest.raises(ValueError, match="before it starts"):
        between(dt.date(2024, 3, 1), dt.date(2024, 2, 29))
