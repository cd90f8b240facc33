"""Counts by the four outcomes of the Children's Social Care National Framework (``cases.national_framework``):
plan goals set, plan goals achieved on the cases that closed, and family outcomes at closure, each with its base.

* **Goals set**: goals (SMART actions) of plans made in the period, by the outcome they are tagged to.
* **Goals achieved**: of the goals on cases closed in the period, those marked done (base: every goal on those
  cases with that tag, dropped ones included — a dropped goal was not achieved).
* **Family outcomes improved**: of the family outcomes recorded on cases closed in the period whose outcome is
  tagged to the National Framework outcome, those marked improved.

Goals and outcomes not tagged are counted in a row of their own, so each column adds up to its total.

A measure of the figures engine (``national_framework_stats``, registered in ``outcomes.apps``): read through
``earlyhelp.figures_engine.cached_series`` under ``(start, end, team pk, locality pk)``. Nothing else goes into
the value: the four outcomes are national and fixed (their labels are the code's, not stored), and a council's
tags live on its family outcomes, a source table. Its source tables — plans and their goals, cases and their
closures, family outcomes and their tags — declare the engine's triggers, so a closed quarter is counted once
and stored, and recounted only when a write dates into it; the open quarter is counted live.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q

from cases.models import PlanAction
from cases.national_framework import NationalFrameworkOutcome
from earlyhelp import figures_engine
from earlyhelp.figures import Rate
from earlyhelp.models import Locality, Team
from earlyhelp.periods import period_bounds, within_any

from ..models import CaseFamilyOutcome
from ._scope import bounds, case_scope

UNTAGGED = ""
UNTAGGED_LABEL = "Not tagged to a National Framework outcome"
ROW_CODES = [*NationalFrameworkOutcome.values, UNTAGGED]


@dataclass
class NationalFrameworkRow:
    code: str  # a NationalFrameworkOutcome value, or "" for the row of untagged goals and outcomes
    goals_set: int = 0
    goals_achieved: Rate = Rate(0, 0)
    outcomes_improved: Rate = Rate(0, 0)

    @property
    def label(self) -> str:
        # From the code, not stored with the counts: a stored quarter shows the label of the code that reads it.
        return str(NationalFrameworkOutcome(self.code).label) if self.code else UNTAGGED_LABEL


@dataclass
class NationalFrameworkStats:
    start: dt.date
    end: dt.date
    rows: list[NationalFrameworkRow] = field(default_factory=list)

    @property
    def goals_set(self) -> int:
        return sum(r.goals_set for r in self.rows)

    @property
    def goals_at_closure(self) -> int:
        return sum(r.goals_achieved.base for r in self.rows)

    @property
    def outcomes_at_closure(self) -> int:
        return sum(r.outcomes_improved.base for r in self.rows)

    def row(self, code: str) -> NationalFrameworkRow:
        return next(r for r in self.rows if r.code == code)


def national_framework_stats(*, period=None, start: dt.date | None = None, end: dt.date | None = None,
                             team: Team | None = None, locality: Locality | None = None) -> NationalFrameworkStats:
    """The period's counts by National Framework outcome, for the whole authority or a team or locality, in two
    queries (none when held by the figures engine). Identifiable data never leaves: only counts."""
    return national_framework_stats_series([bounds(period, start, end)], team=team, locality=locality)[0]


def national_framework_stats_series(periods, *, team: Team | None = None,
                                    locality: Locality | None = None) -> list[NationalFrameworkStats]:
    """``national_framework_stats`` for each of ``periods`` (Quarters, FinancialYears or ``(start, end)`` pairs),
    in order, in the queries of one period; each result equals the single period's (same stored figure)."""
    periods = [period_bounds(p) for p in periods]
    keys = [(start, end, getattr(team, "pk", None), getattr(locality, "pk", None)) for start, end in periods]
    return figures_engine.cached_series("national_framework_stats", keys, lambda indices: _national_framework_stats(
        [periods[i] for i in indices], team, locality), period_ends=[e for _, e in periods])


def _national_framework_stats(periods, team, locality) -> list[NationalFrameworkStats]:
    out = [NationalFrameworkStats(start=start, end=end) for start, end in periods]
    if not periods:
        return out
    made = [Q(plan__created_on__range=p) for p in periods]
    closed = [Q(plan__case__closures__closed_on__range=p) for p in periods]
    # distinct: a goal joins once per closure of its case.
    goals = {
        row["nf_outcome"]: row for row in PlanAction.objects.filter(
            case_scope("plan__case__", team=team, locality=locality),
            within_any("plan__created_on", periods) | within_any("plan__case__closures__closed_on", periods))
        .values("nf_outcome").annotate(**{
            name: Count("pk", distinct=True, filter=q)
            for i in range(len(periods))
            for name, q in ((f"set_p{i}", made[i]), (f"closed_p{i}", closed[i]),
                            (f"done_p{i}", closed[i] & Q(status=PlanAction.Status.DONE)))})
        .order_by()
    }
    outcomes = {
        row["outcome__nf_outcome"]: row for row in CaseFamilyOutcome.objects.filter(
            case_scope("case__", team=team, locality=locality), within_any("case__closures__closed_on", periods))
        .values("outcome__nf_outcome").annotate(**{
            name: Count("pk", distinct=True, filter=Q(case__closures__closed_on__range=p) & q)
            for i, p in enumerate(periods)
            for name, q in ((f"identified_p{i}", Q()),
                            (f"improved_p{i}", Q(progress=CaseFamilyOutcome.Progress.IMPROVED)))})
        .order_by()
    }
    for i, stats in enumerate(out):
        for code in ROW_CODES:
            g, o = goals.get(code, {}), outcomes.get(code, {})
            stats.rows.append(NationalFrameworkRow(
                code=code, goals_set=g.get(f"set_p{i}", 0),
                goals_achieved=Rate(g.get(f"done_p{i}", 0), g.get(f"closed_p{i}", 0)),
                outcomes_improved=Rate(o.get(f"improved_p{i}", 0), o.get(f"identified_p{i}", 0))))
    return out
