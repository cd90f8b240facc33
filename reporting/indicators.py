"""Quarterly statutory caseload figures (CIN, CP, CiC, YOS) that officers enter or import, and unit costs.

Services (writes with rules) and selectors (reads) for the figures the product does not hold itself.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from earlyhelp.actors import require, user_of
from earlyhelp.audit import record_event
from earlyhelp.periods import Quarter
from earlyhelp.permissions import Capability

from .models import Indicator, QuarterlyIndicator, UnitCost

IMPORT_COLUMNS = ["indicator", "quarter", "value", "source"]
MAX_IMPORT_BYTES = 1024 * 1024
_BY_NAME = {**{c.value: c.value for c in Indicator}, **{c.label.lower(): c.value for c in Indicator}}


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str


MAX_PLACES = 3


def parse_figure(value) -> Decimal | None:
    """A figure as entered — ``603``, ``8.6`` — as a Decimal keeping its decimal places; None when it is not a
    number of at least 0 with at most three decimal places."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        return None
    if not number.is_finite() or number < 0 or -number.as_tuple().exponent > MAX_PLACES:
        return None
    return number


def indicator_record(*, tenant, indicator: str, quarter: Quarter, value, source: str, by) -> QuarterlyIndicator:
    """Set one figure (replacing any earlier figure for that indicator and quarter). A whole number is a count;
    a figure with decimals (an average, e.g. 8.6) is kept at the precision it was entered with."""
    require(by, Capability.RUN_REPORTS)
    if indicator not in Indicator.values:
        raise ValidationError({"indicator": f"Unknown indicator {indicator!r}."})
    number = parse_figure(value)
    if number is None:
        raise ValidationError({"value": f"{value!r} is not a number of at least 0 with at most {MAX_PLACES} "
                                        "decimal places (for example 603 or 8.6)."})
    places = max(0, -number.as_tuple().exponent)
    row, created = QuarterlyIndicator.objects.update_or_create(
        indicator=indicator, fy_start_year=quarter.start_year, quarter_number=quarter.number,
        defaults={"value": number, "places": places, "source": source, "entered_by": user_of(by), "tenant": tenant},
    )
    record_event(action="indicator.recorded", by=by, obj=row,
                 detail={"indicator": indicator, "quarter": str(quarter), "value": str(number), "created": created})
    return row


def _read_rows(data: bytes, fy_start_month: int) -> tuple[list[tuple[int, str, Quarter, int, str]], list[Problem]]:
    problems: list[Problem] = []
    if len(data) > MAX_IMPORT_BYTES:
        return [], [Problem(0, "file", f"The file is larger than {MAX_IMPORT_BYTES // 1024} KB.")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [Problem(0, "file", "The file is not UTF-8 text: save it as CSV (UTF-8).")]
    if "\x00" in text:
        return [], [Problem(0, "file", "The file contains NUL bytes: it is not a CSV file.")]
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in IMPORT_COLUMNS[:3] if c not in header]
    if missing:
        return [], [Problem(1, ", ".join(missing), f"Missing column(s): {', '.join(missing)}. "
                                                   f"The first row must be: {','.join(IMPORT_COLUMNS)}.")]
    reader.fieldnames = header
    rows, seen = [], {}
    for number, raw in enumerate(reader, start=2):
        indicator = _BY_NAME.get((raw.get("indicator") or "").strip().lower())
        if indicator is None:
            problems.append(Problem(number, "indicator", f"Unknown indicator {raw.get('indicator')!r}: use one of "
                                                         f"{', '.join(Indicator.values)}."))
        try:
            quarter = Quarter.parse(raw.get("quarter") or "", fy_start_month)
        except ValueError as exc:
            problems.append(Problem(number, "quarter", str(exc)))
            quarter = None
        value_text = (raw.get("value") or "").strip()
        value = parse_figure(value_text) if value_text else None
        if value is None:
            problems.append(Problem(number, "value", f"{value_text!r} is not a number of at least 0 with at most "
                                                     f"{MAX_PLACES} decimal places (for example 603 or 8.6)."))
        if indicator and quarter:
            key = (indicator, quarter)
            if key in seen:
                problems.append(Problem(number, "quarter", f"Duplicate of row {seen[key]} ({indicator}, {quarter})."))
            seen[key] = number
        if not problems or problems[-1].row != number:
            rows.append((number, indicator, quarter, value, (raw.get("source") or "").strip()[:200]))
    if not rows and not problems:
        problems.append(Problem(2, "file", "The file has no rows of figures."))
    return rows, problems


def indicators_import(*, tenant, data: bytes, by) -> list[Problem]:
    """Import a CSV of figures: every row is checked first; nothing is stored unless all rows are valid."""
    require(by, Capability.RUN_REPORTS)
    rows, problems = _read_rows(data, tenant.financial_year_start_month)
    if problems:
        return problems
    with transaction.atomic():
        for _, indicator, quarter, value, source in rows:
            indicator_record(tenant=tenant, indicator=indicator, quarter=quarter, value=value, source=source,
                             by=by)
    record_event(action="indicators.imported", by=by, tenant=tenant, detail={"rows": len(rows)})
    return []


def unit_cost_save(*, tenant, by, name: str, indicator: str, weekly_cost, weeks: int = 52, note: str = "",
                   unit_cost: UnitCost | None = None) -> UnitCost:
    require(by, Capability.RUN_REPORTS)
    unit_cost = unit_cost or UnitCost(tenant=tenant)
    unit_cost.name, unit_cost.indicator, unit_cost.weekly_cost = name, indicator, weekly_cost
    unit_cost.weeks, unit_cost.note = weeks, note
    unit_cost.full_clean(exclude=["tenant"])
    unit_cost.save()
    record_event(action="unit_cost.saved", by=by, obj=unit_cost)
    return unit_cost


def series(quarters: list[Quarter]) -> dict[str, dict[str, int | str]]:
    """{indicator: {"2014/15 Q2": value}} for the given quarters (one query). A count is an int; a figure entered
    with decimals is its text at the precision entered ("8.6"), so that a snapshot keeps it exactly."""
    years = {q.start_year for q in quarters}
    wanted = {(q.start_year, q.number) for q in quarters}
    result: dict[str, dict[str, int | str]] = {c.value: {} for c in Indicator}
    fy_start = quarters[0].fy_start_month if quarters else 4
    for row in QuarterlyIndicator.objects.filter(fy_start_year__in=years).values(
            "indicator", "fy_start_year", "quarter_number", "value", "places"):
        if (row["fy_start_year"], row["quarter_number"]) in wanted:
            label = str(Quarter(row["fy_start_year"], row["quarter_number"], fy_start))
            figure = row["value"].quantize(Decimal(1).scaleb(-row["places"]))
            result[row["indicator"]][label] = int(figure) if row["places"] == 0 else str(figure)
    return result
