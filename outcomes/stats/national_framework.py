"""Counts by the four outcomes of the Children's Social Care National Framework (``cases.national_framework``):
plan goals set, plan goals achieved on the cases that closed, and family outcomes at closure, each with its base.

* **Goals set**: goals (SMART actions) of plans made in the period, by the outcome they are tagged to.
* **Goals achieved**: of the goals on cases closed in the period, those marked done (base: every goal on those
  cases with that tag, dropped ones included — a dropped goal was not achieved).
* **Family outcomes improved**: of the family outcomes recorded on cases closed in the period whose outcome is
  tagged to the National Framework outcome, those marked improved.

Goals and outcomes not tagged are counted in a row of their own, so each column adds up to its total. Read
live (two queries), not through ``cases.figures_cache``: plan goals are not one of its source tables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q

from cases.models import PlanAction
from cases.national_framework import NationalFrameworkOutcome
from earlyhelp.figures import Rate
from earlyhelp.models import Locality, Team

from ..models import CaseFamilyOutcome
from ._scope import bounds, case_scope

UNTAGGED = ""


@dataclass
class NationalFrameworkRow:
    code: str  # a NationalFrameworkOutcome value, or "" for the row of untagged goals and outcomes
    label: str
    goals_set: int = 0
    goals_achieved: Rate = Rate(0, 0)
    outcomes_improved: Rate = Rate(0, 0)


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
    queries. Identifiable data never leaves: only counts."""
    start, end = bounds(period, start, end)
    period_q = Q(plan__created_on__range=(start, end))
    closed_q = Q(plan__case__closures__closed_on__range=(start, end))
    goals = {
        row["nf_outcome"]: row for row in PlanAction.objects.filter(
            case_scope("plan__case__", team=team, locality=locality), period_q | closed_q)
        .values("nf_outcome").annotate(
            set=Count("pk", distinct=True, filter=period_q),
            closed=Count("pk", distinct=True, filter=closed_q),
            done=Count("pk", distinct=True, filter=closed_q & Q(status=PlanAction.Status.DONE)))
        .order_by()
    }
    outcomes = {
        row["outcome__nf_outcome"]: row for row in CaseFamilyOutcome.objects.filter(
            case_scope("case__", team=team, locality=locality), case__closures__closed_on__range=(start, end))
        .values("outcome__nf_outcome").annotate(
            identified=Count("pk", distinct=True),
            improved=Count("pk", distinct=True, filter=Q(progress=CaseFamilyOutcome.Progress.IMPROVED)))
        .order_by()
    }
    stats = NationalFrameworkStats(start=start, end=end)
    for code, label in [*NationalFrameworkOutcome.choices, (UNTAGGED, "Not tagged to a National Framework outcome")]:
        g = goals.get(code, {})
        o = outcomes.get(code, {})
        stats.rows.append(NationalFrameworkRow(
            code=code, label=str(label), goals_set=g.get("set", 0),
            goals_achieved=Rate(g.get("done", 0), g.get("closed", 0)),
            outcomes_improved=Rate(o.get("improved", 0), o.get("identified", 0))))
    return stats
