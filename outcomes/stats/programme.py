"""Supporting Families: the Derby §4.35-style table — for each headline outcome area, the families presenting
with a need in it, the families whose outcome was met (improved), and those whose outcome was sustained for the
framework's sustain period — all as at the end of the period; plus claims by status in the period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Min, Q

from earlyhelp import figures_engine
from earlyhelp.figures import Rate
from earlyhelp.models import Locality, Team
from earlyhelp.periods import period_bounds, within_any

from ..models import Claim, Enrolment, EnrolmentNeed, ProgrammeOutcome
from ..services.programme import months_after, sustained_from
from ._scope import bounds, case_scope


@dataclass
class ProgrammeRow:
    key: str
    label: str
    presenting: int = 0
    improved: int = 0
    sustained: int = 0

    @property
    def improved_rate(self) -> Rate:
        return Rate(self.improved, self.presenting)


@dataclass
class ProgrammeStats:
    start: dt.date
    end: dt.date
    families_enrolled: int = 0
    enrolled_in_period: int = 0
    rows: list[ProgrammeRow] = field(default_factory=list)
    claims: dict[str, int] = field(default_factory=dict)  # prepared in the period, by current status
    needs_sustained: Rate = Rate(0, 0)


def programme_stats(*, period=None, start: dt.date | None = None, end: dt.date | None = None,
                    team: Team | None = None, locality: Locality | None = None) -> ProgrammeStats:
    """In four queries (none when cached)."""
    return programme_stats_series([bounds(period, start, end)], team=team, locality=locality)[0]


def programme_stats_series(periods, *, team: Team | None = None,
                           locality: Locality | None = None) -> list[ProgrammeStats]:
    """``programme_stats`` for each of ``periods`` (Quarters, FinancialYears or ``(start, end)`` pairs), in order,
    in the queries of one period; each result equals the single period's (same cache entry)."""
    periods = [period_bounds(p) for p in periods]
    keys = [(start, end, getattr(team, "pk", None), getattr(locality, "pk", None)) for start, end in periods]
    return figures_engine.cached_series("programme_stats", keys, lambda indices: _programme_stats(
        [periods[i] for i in indices], team, locality), period_ends=[e for _, e in periods])


def _programme_stats(periods, team, locality) -> list[ProgrammeStats]:
    out = [ProgrammeStats(start=start, end=end) for start, end in periods]
    if not periods:
        return out
    last_end = max(e for _, e in periods)
    # Every enrolment up to the last period's end; each period counts those enrolled by its own end. Grouped by
    # the framework's sustain period, whose values the sustained counts below need.
    enrolments = Enrolment.objects.filter(case_scope("case__", team=team, locality=locality),
                                          enrolled_on__lte=last_end)
    by_months = list(enrolments.values("framework__sustain_months").annotate(**{
        f"{name}_p{i}": Count("pk", filter=q)
        for i, (s, e) in enumerate(periods)
        for name, q in (("total", Q(enrolled_on__lte=e)), ("new", Q(enrolled_on__range=(s, e))))
    }).order_by())
    months = sorted(row["framework__sustain_months"] for row in by_months)
    outcomes = list(ProgrammeOutcome.objects.filter(framework__enrolments__in=enrolments)
                    .values("pk", "key", "label", "sort_order")
                    .annotate(first_enrolled=Min("framework__enrolments__enrolled_on"))
                    .order_by("sort_order", "key", "pk"))
    # Needs counted in the database, per outcome and period: a need counts in a period when its family was
    # enrolled and the need identified by the period's end; improved when also met by then; sustained when also
    # sustained (``sustained_from``) by then, i.e. met on or before the last day that is sustained by the end.
    counts = {}
    for i, (_, e) in enumerate(periods):
        presenting = Q(enrolment__enrolled_on__lte=e, identified_on__lte=e)
        sustained = Q()  # with no sustain period (no enrolment) there is no need to count
        for m in months:
            cut = Q(met_on__lte=_last_met_on_sustained_by(e, m))
            sustained |= cut if len(months) == 1 else cut & Q(enrolment__framework__sustain_months=m)
        counts |= {f"presenting_p{i}": Count("pk", filter=presenting),
                   f"improved_p{i}": Count("pk", filter=presenting & Q(met_on__lte=e)),
                   f"sustained_p{i}": Count("pk", filter=presenting & sustained)}
    needs = list(EnrolmentNeed.objects.filter(enrolment__in=enrolments, identified_on__lte=last_end)
                 .values("outcome__key", "outcome__label").annotate(first=Min("pk"), **counts)
                 .order_by("first"))
    claims = {row["status"]: row for row in Claim.objects.filter(within_any("prepared_on", periods),
                                                                 enrolment__in=enrolments)
              .values("status").annotate(**{
                  f"p{i}": Count("pk", filter=Q(prepared_on__range=(s, e), enrolment__enrolled_on__lte=e))
                  for i, (s, e) in enumerate(periods)}).order_by()}
    for i, (stats, (_, end)) in enumerate(zip(out, periods, strict=True)):
        stats.families_enrolled = sum(row[f"total_p{i}"] for row in by_months)
        stats.enrolled_in_period = sum(row[f"new_p{i}"] for row in by_months)
        rows = {o["key"]: ProgrammeRow(key=o["key"], label=o["label"])
                for o in outcomes if o["first_enrolled"] <= end}
        # An area outside the listed ones (a need's outcome of another framework version) follows them, in the
        # order of its first need, with that need's label.
        for need in needs:
            if not need[f"presenting_p{i}"]:
                continue
            row = rows.setdefault(need["outcome__key"],
                                  ProgrammeRow(key=need["outcome__key"], label=need["outcome__label"]))
            row.presenting += need[f"presenting_p{i}"]
            row.improved += need[f"improved_p{i}"]
            row.sustained += need[f"sustained_p{i}"]
        stats.rows = list(rows.values())
        stats.needs_sustained = Rate(sum(r.sustained for r in stats.rows), sum(r.presenting for r in stats.rows))
        stats.claims = {s: claims[s][f"p{i}"] if s in claims else 0 for s in Claim.Status.values}
    return out


def _last_met_on_sustained_by(end: dt.date, months: int) -> dt.date:
    """The last day an outcome can be met on and be sustained for ``months`` months by ``end``: ``sustained_from``
    never decreases as the day it is met moves later, so the days that qualify are those up to this one."""
    day = months_after(end, -months)  # sustained_from(day) <= end: same day or, clamped, an earlier one
    while sustained_from(day + dt.timedelta(days=1), months) <= end:
        day += dt.timedelta(days=1)
    return day
