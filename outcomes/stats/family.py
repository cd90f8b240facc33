"""Family outcomes at closure: for cases closed in the period, how many families had each outcome identified
and how many of those improved (and stayed the same or got worse)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q

from cases.models import Case
from earlyhelp import figures_engine
from earlyhelp.figures import Rate
from earlyhelp.models import Locality, Team
from earlyhelp.periods import period_bounds, within_any

from ..models import CaseFamilyOutcome, FamilyOutcome
from ._scope import bounds, case_scope


@dataclass
class FamilyOutcomeRow:
    code: str
    label: str
    identified: int = 0
    improved: int = 0
    no_change: int = 0
    worse: int = 0


@dataclass
class FamilyOutcomeStats:
    start: dt.date
    end: dt.date
    closed_with_outcomes: Rate = Rate(0, 0)  # closed cases with family outcomes recorded, of those closed
    identified: int = 0
    improved: Rate = Rate(0, 0)  # outcomes improved, of outcomes identified
    rows: list[FamilyOutcomeRow] = field(default_factory=list)


def family_outcome_stats(*, period=None, start: dt.date | None = None, end: dt.date | None = None,
                         team: Team | None = None, locality: Locality | None = None) -> FamilyOutcomeStats:
    """In three queries (none when cached)."""
    return family_outcome_stats_series([bounds(period, start, end)], team=team, locality=locality)[0]


def family_outcome_stats_series(periods, *, team: Team | None = None,
                                locality: Locality | None = None) -> list[FamilyOutcomeStats]:
    """``family_outcome_stats`` for each of ``periods`` (Quarters, FinancialYears or ``(start, end)`` pairs), in
    order, in the queries of one period; each result equals the single period's (same cache entry)."""
    periods = [period_bounds(p) for p in periods]
    keys = [(start, end, getattr(team, "pk", None), getattr(locality, "pk", None)) for start, end in periods]
    return figures_engine.cached_series("family_outcome_stats", keys, lambda indices: _family_outcome_stats(
        [periods[i] for i in indices], team, locality), period_ends=[e for _, e in periods])


def _family_outcome_stats(periods, team, locality) -> list[FamilyOutcomeStats]:
    out = [FamilyOutcomeStats(start=start, end=end) for start, end in periods]
    if not periods:
        return out

    def each(name, q=None, prefix=""):
        # distinct: a case closed twice in a period counts once, and a closure joins once per outcome.
        field = f"{prefix}closures__closed_on__range"
        return {f"{name}_p{i}": Count("pk", distinct=True, filter=Q(**{field: p}) & (q or Q()))
                for i, p in enumerate(periods)}

    closed = Case.objects.filter(case_scope(team=team, locality=locality),
                                 within_any("closures__closed_on", periods))
    totals = closed.aggregate(**each("total"), **each("recorded", Q(family_outcomes__isnull=False)))
    counts: dict[tuple, dict] = {
        (row["outcome__code"], row["progress"]): row
        for row in CaseFamilyOutcome.objects.filter(case_scope("case__", team=team, locality=locality),
                                                    within_any("case__closures__closed_on", periods))
        .values("outcome__code", "progress").annotate(**each("n", prefix="case__")).order_by()
    }
    outcomes = list(FamilyOutcome.objects.filter(Q(is_active=True) | Q(code__in={code for code, _ in counts})))
    for i, stats in enumerate(out):
        stats.closed_with_outcomes = Rate(totals[f"recorded_p{i}"], totals[f"total_p{i}"])
        used = {code for (code, _), row in counts.items() if row[f"n_p{i}"]}
        for outcome in outcomes:
            if not outcome.is_active and outcome.code not in used:
                continue
            row = FamilyOutcomeRow(code=outcome.code, label=outcome.label)
            for progress in CaseFamilyOutcome.Progress.values:
                setattr(row, progress, counts[(outcome.code, progress)][f"n_p{i}"]
                        if (outcome.code, progress) in counts else 0)
            row.identified = row.improved + row.no_change + row.worse
            stats.rows.append(row)
        stats.identified = sum(r.identified for r in stats.rows)
        stats.improved = Rate(sum(r.improved for r in stats.rows), stats.identified)
    return out
