"""Supporting Families: the Derby §4.35-style table — for each headline outcome area, the families presenting
with a need in it, the families whose outcome was met (improved), and those whose outcome was sustained for the
framework's sustain period — all as at the end of the period; plus claims by status in the period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q

from cases import figures_cache
from cases.stats import Rate
from earlyhelp.models import Locality, Team

from ..models import Claim, Enrolment, EnrolmentNeed, ProgrammeOutcome
from ..services.programme import sustained_from
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
    start, end = bounds(period, start, end)
    key = (start, end, getattr(team, "pk", None), getattr(locality, "pk", None))
    return figures_cache.cached("programme_stats", key, lambda: _programme_stats(start, end, team, locality))


def _programme_stats(start, end, team, locality) -> ProgrammeStats:
    stats = ProgrammeStats(start=start, end=end)
    enrolments = Enrolment.objects.filter(case_scope("case__", team=team, locality=locality), enrolled_on__lte=end)
    totals = enrolments.aggregate(total=Count("pk"), new=Count("pk", filter=Q(enrolled_on__gte=start)))
    stats.families_enrolled, stats.enrolled_in_period = totals["total"], totals["new"]
    rows = {o.key: ProgrammeRow(key=o.key, label=o.label)
            for o in ProgrammeOutcome.objects.filter(framework__enrolments__in=enrolments).distinct()
            .order_by("sort_order", "key")}
    needs = EnrolmentNeed.objects.filter(enrolment__in=enrolments, identified_on__lte=end).values_list(
        "outcome__key", "outcome__label", "met_on", "enrolment__framework__sustain_months")
    for key, label, met_on, months in needs:
        row = rows.setdefault(key, ProgrammeRow(key=key, label=label))
        row.presenting += 1
        if met_on is not None and met_on <= end:
            row.improved += 1
            if sustained_from(met_on, months) <= end:
                row.sustained += 1
    stats.rows = list(rows.values())
    stats.needs_sustained = Rate(sum(r.sustained for r in stats.rows), sum(r.presenting for r in stats.rows))
    by_status = dict(Claim.objects.filter(enrolment__in=enrolments, prepared_on__range=(start, end))
                     .values_list("status").annotate(n=Count("pk")).order_by())
    stats.claims = {s: by_status.get(s, 0) for s in Claim.Status.values}
    return stats
