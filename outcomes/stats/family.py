"""Family outcomes at closure: for cases closed in the period, how many families had each outcome identified
and how many of those improved (and stayed the same or got worse)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q

from cases import figures_cache
from cases.models import Case
from cases.stats import Rate
from earlyhelp.models import Locality, Team

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
    start, end = bounds(period, start, end)
    key = (start, end, getattr(team, "pk", None), getattr(locality, "pk", None))
    return figures_cache.cached("family_outcome_stats", key,
                                lambda: _family_outcome_stats(start, end, team, locality))


def _family_outcome_stats(start, end, team, locality) -> FamilyOutcomeStats:
    stats = FamilyOutcomeStats(start=start, end=end)
    closed = Case.objects.filter(case_scope(team=team, locality=locality), closures__closed_on__range=(start, end))
    totals = closed.aggregate(total=Count("pk", distinct=True),
                              recorded=Count("pk", filter=Q(family_outcomes__isnull=False), distinct=True))
    stats.closed_with_outcomes = Rate(totals["recorded"], totals["total"])
    counts = {
        (code, progress): n
        for code, progress, n in CaseFamilyOutcome.objects.filter(case__in=closed)
        .values_list("outcome__code", "progress").annotate(n=Count("pk")).order_by()
    }
    codes_used = {code for code, _ in counts}
    for outcome in FamilyOutcome.objects.filter(Q(is_active=True) | Q(code__in=codes_used)):
        row = FamilyOutcomeRow(code=outcome.code, label=outcome.label)
        for progress in CaseFamilyOutcome.Progress.values:
            setattr(row, progress, counts.get((outcome.code, progress), 0))
        row.identified = row.improved + row.no_change + row.worse
        stats.rows.append(row)
    stats.identified = sum(r.identified for r in stats.rows)
    stats.improved = Rate(sum(r.improved for r in stats.rows), stats.identified)
    return stats
