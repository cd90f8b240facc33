"""Statistics of commissioned services for screens and reports: counts and bases per KPI per quarter.

Nothing here rounds: a cell carries the numerator and base (or the amount) exactly as the provider returned them,
with the provider's footnote. :func:`rate` is the one place a percentage is made, rounded half-up once, at
presentation, to the tenant's number of decimals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from earlyhelp.figures import percentage
from earlyhelp.periods import Quarter

from .models import CommissionedService, KpiKind, KpiReturn, KpiValue, KpiVersion, ReturnStatus


@dataclass(frozen=True)
class KpiCell:
    """One KPI in one quarter. ``reported`` is False when no figure was returned (the seed's "n/a")."""

    quarter: Quarter
    amount: Decimal | None = None
    numerator: int | None = None
    base: int | None = None
    note: str = ""
    kpi_version: int | None = None
    return_status: str = ""

    @property
    def reported(self) -> bool:
        return self.amount is not None or self.base is not None

    @property
    def value(self) -> Decimal | None:
        """The unrounded figure: the amount, or the fraction numerator/base as a percentage."""
        if self.amount is not None:
            return self.amount
        if self.base:
            return Decimal(self.numerator) * 100 / Decimal(self.base)
        return None


@dataclass
class KpiRow:
    code: str
    label: str
    section: str
    kind: str
    target: Decimal | None
    red_threshold: Decimal | None
    higher_is_better: bool
    cells: list[KpiCell] = field(default_factory=list)

    @property
    def is_outcome(self) -> bool:
        return self.kind == KpiKind.OUTCOME


def rate(numerator: int, base: int, places: int = 0) -> Decimal | None:
    """numerator / base as a percentage, rounded half-up to ``places`` decimals; None on a zero base."""
    return percentage(numerator, base, places)


def rag(version_or_row, value: Decimal | None) -> str:
    """"green", "amber", "red", or "" when there is no target or no value."""
    target = version_or_row.target
    if target is None or value is None:
        return ""
    better = version_or_row.higher_is_better
    meets = value >= target if better else value <= target
    if meets:
        return "green"
    red = version_or_row.red_threshold
    if red is not None and (value < red if better else value > red):
        return "red"
    return "amber" if red is not None else "red"


def kpi_table(
    service: CommissionedService, quarters: list[Quarter], *, statuses: tuple[str, ...] | None = None
) -> list[KpiRow]:
    """One row per KPI of ``service`` with a cell per quarter in ``quarters`` (in that order).

    The row's label and target are those of the version in force in the last quarter; each cell records the
    version its value was returned against. ``statuses`` limits to returns in those states (e.g. accepted only
    for published reports); by default every uploaded return counts.
    """
    returns = KpiReturn.objects.filter(service=service)
    if statuses is not None:
        returns = returns.filter(status__in=statuses)
    wanted = {(q.start_year, q.number) for q in quarters}
    returns = [r for r in returns if (r.fy_start_year, r.quarter_number) in wanted]
    values = (
        KpiValue.objects.filter(kpi_return__in=returns)
        .select_related("kpi_return", "kpi_version")
    )
    by_key = {(v.kpi_id, v.kpi_return.fy_start_year, v.kpi_return.quarter_number): v for v in values}
    rows = []
    last = quarters[-1] if quarters else None
    for kpi in service.kpis.all().prefetch_related("versions"):
        version: KpiVersion | None = (kpi.version_for(last) if last else None) or kpi.current
        if version is None:
            continue
        row = KpiRow(kpi.code, version.label, version.section, version.kind, version.target,
                     version.red_threshold, version.higher_is_better)
        for quarter in quarters:
            value = by_key.get((kpi.pk, quarter.start_year, quarter.number))
            if value is None:
                row.cells.append(KpiCell(quarter))
                continue
            row.cells.append(KpiCell(
                quarter, amount=value.amount, numerator=value.numerator, base=value.base, note=value.note,
                kpi_version=value.kpi_version.number, return_status=value.kpi_return.status,
            ))
        rows.append(row)
    return rows


def footnotes(rows: list[KpiRow]) -> list[tuple[Quarter, str]]:
    """The distinct notes of a table, in quarter order, as (quarter, note) pairs."""
    seen: list[tuple[Quarter, str]] = []
    for row in rows:
        for cell in row.cells:
            if cell.note and (cell.quarter, cell.note) not in seen:
                seen.append((cell.quarter, cell.note))
    return sorted(seen, key=lambda pair: pair[0])


def quarters_with_returns(service: CommissionedService) -> list[Quarter]:
    fy_start_month = service.tenant.financial_year_start_month
    pairs = KpiReturn.objects.filter(service=service).values_list("fy_start_year", "quarter_number").distinct()
    return sorted(Quarter(y, n, fy_start_month) for y, n in pairs)


def accepted_only() -> tuple[str, ...]:
    return (ReturnStatus.ACCEPTED,)
