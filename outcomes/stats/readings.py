"""Distance-travelled statistics: readings completed by stage, closed cases with a start and an end reading,
and the direction of travel between each start and end reading, overall and per area.

A *pair* is one person's (or, for a whole-family tool, one family's) start and end readings with one tool on
one case; it counts in the period of its end reading. Start and end are compared over the areas scored in both
(by area key, so readings of different tool versions compare on the areas they share). The overall change is
the sum of those areas' end scores minus the sum of their start scores, turned so that positive is better
(``higher_is_better``). A pair *improves* when that change is at least the reliable-change threshold (default
1), *worsens* when it is at most minus the threshold, and otherwise stays the same. Per area the same rule is
applied with a threshold of 1. Mean change per area is returned as a sum of changes and a count of pairs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q

from cases import figures_cache
from cases.models import Closure
from cases.stats import Rate, period_bounds, within_any
from earlyhelp.models import Locality, Team

from ..models import DistanceTool, Reading, ReadingScore, Stage, ToolArea
from ._scope import bounds, case_scope


@dataclass
class AreaChange:
    key: str
    label: str
    pairs: int = 0
    improved: int = 0
    same: int = 0
    worse: int = 0
    change_sum: int = 0  # mean change = change_sum / pairs, computed at presentation
    start_sum: int = 0  # raw scores summed over the pairs: mean start and end for radar charts
    end_sum: int = 0


@dataclass
class ToolTravel:
    code: str
    name: str
    higher_is_better: bool
    scale_min: int = 1
    scale_max: int = 10
    pairs: int = 0
    improved: int = 0
    same: int = 0
    worse: int = 0
    not_comparable: int = 0  # start and end share no scored area
    areas: list[AreaChange] = field(default_factory=list)


@dataclass
class ReadingStats:
    start: dt.date
    end: dt.date
    threshold: int = 1
    by_stage: dict[str, int] = field(default_factory=dict)
    cases_closed: int = 0
    closed_with_start_and_end: Rate = Rate(0, 0)
    improving: Rate = Rate(0, 0)
    same: int = 0
    worse: int = 0
    tools: list[ToolTravel] = field(default_factory=list)

    @property
    def readings(self) -> int:
        return sum(self.by_stage.values())


def _classify(change: int, threshold: int) -> str:
    if change >= threshold:
        return "improved"
    if change <= -threshold:
        return "worse"
    return "same"


def reading_stats(
    *,
    period=None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    tool: DistanceTool | None = None,
    subject: str | None = None,
    team: Team | None = None,
    locality: Locality | None = None,
    threshold: int = 1,
) -> ReadingStats:
    """Distance-travelled counts for the period (inclusive dates), in five queries (none when cached)."""
    return reading_stats_series([bounds(period, start, end)], tool=tool, subject=subject, team=team,
                                locality=locality, threshold=threshold)[0]


def reading_stats_series(periods, *, tool: DistanceTool | None = None, subject: str | None = None,
                         team: Team | None = None, locality: Locality | None = None,
                         threshold: int = 1) -> list[ReadingStats]:
    """``reading_stats`` for each of ``periods`` (Quarters, FinancialYears or ``(start, end)`` pairs), in order, in
    the queries of one period; each result equals ``reading_stats`` for that period alone (same cache entry)."""
    if threshold < 1:
        raise ValueError("the reliable-change threshold is at least 1")
    periods = [period_bounds(p) for p in periods]
    if not periods:
        return []
    keys = [(start, end, getattr(tool, "pk", None), subject or None, getattr(team, "pk", None),
             getattr(locality, "pk", None), threshold) for start, end in periods]
    return figures_cache.cached_series("reading_stats", keys, lambda indices: _reading_stats(
        [periods[i] for i in indices], tool, subject, team, locality, threshold))


def _reading_stats(periods, tool, subject, team, locality, threshold) -> list[ReadingStats]:
    out = [ReadingStats(start=start, end=end, threshold=threshold) for start, end in periods]
    readings = Reading.objects.filter(case_scope("case__", team=team, locality=locality))
    if tool is not None:
        readings = readings.filter(tool=tool)
    if subject:
        readings = readings.filter(tool__subject=subject)

    def each(field, q=None):
        return {f"p{i}": Count("pk", filter=Q(**{f"{field}__range": p}) & (q or Q())) for i, p in enumerate(periods)}

    counts = {row["stage"]: row for row in readings.filter(within_any("taken_on", periods)).values("stage")
              .annotate(**each("taken_on")).order_by()}
    for i, stats in enumerate(out):
        stats.by_stage = {s: counts[s][f"p{i}"] if s in counts else 0 for s in Stage.values}

    # One row per closure (a case closed twice in the period counts twice, as Case joined to its closures does),
    # counted by day with the EXISTS tests evaluated once per closure, then summed into the periods.
    in_scope = readings.filter(case=OuterRef("case_id"))
    paired = ExpressionWrapper(Q(Exists(in_scope.filter(stage=Stage.START)), Exists(in_scope.filter(stage=Stage.END))),
                               output_field=BooleanField())
    by_day = Closure.objects.filter(case_scope("case__", team=team, locality=locality),
                                    within_any("closed_on", periods)).annotate(paired=paired).values_list(
        "closed_on", "paired").annotate(n=Count("pk")).order_by()
    for stats in out:
        total = with_pair = 0
        for closed_on, is_paired, n in by_day:
            if stats.start <= closed_on <= stats.end:
                total += n
                with_pair += n if is_paired else 0
        stats.cases_closed = total
        stats.closed_with_start_and_end = Rate(with_pair, total)

    # A pair's scores are all its start and end readings' scores, whatever the period: worked out once for the
    # cases with an end reading in any of the periods, then counted in the period of its end reading.
    ends = readings.filter(within_any("taken_on", periods), stage=Stage.END)
    rows = ReadingScore.objects.filter(
        reading__in=readings.filter(stage__in=[Stage.START, Stage.END], case__in=ends.values("case_id"))
    ).order_by().values_list("area__sort_order", "pk", "reading__case_id", "reading__tool_id",
                             "reading__person_id", "reading__stage", "reading__taken_on", "area__key", "score")
    # In ReadingScore's order (area sort order, then id), where a later score of the same key wins; sorted here
    # rather than by PostgreSQL, whose sort of a large tenant's scores spilled to disk (docs/scaling.md).
    rows = sorted(rows)  # ids are unique: the order of (sort order, id)
    pairs: dict[tuple, dict[str, dict[str, int]]] = defaultdict(lambda: {"start": {}, "end": {}})
    end_dates: dict[tuple, dt.date] = {}
    for _order, _pk, case_id, tool_id, person_id, stage, taken_on, key, score in rows:
        ident = (case_id, tool_id, person_id)
        pairs[ident][stage][key] = score
        if stage == Stage.END:
            end_dates[ident] = taken_on
    tools = {t.pk: t for t in DistanceTool.objects.filter(pk__in={k[1] for k in pairs})}
    labels = {}
    for tool_id, key, label in ToolArea.objects.filter(version__tool__in=list(tools)).order_by(
            "version__number", "sort_order").values_list("version__tool_id", "key", "label"):
        labels.setdefault(tool_id, {})[key] = label  # the latest version's wording wins
    ordered = sorted(pairs.items())
    for stats in out:
        _travel(stats, [(ident, scores) for ident, scores in ordered
                        if ident in end_dates and stats.start <= end_dates[ident] <= stats.end], tools, labels)
    return out


def _travel(stats: ReadingStats, pairs: list[tuple[tuple, dict]], tools: dict, labels: dict) -> None:
    """Direction of travel of ``pairs`` (those whose end reading fell in the period, in ident order)."""
    threshold = stats.threshold
    travel: dict[int, ToolTravel] = {}
    area_changes: dict[int, dict[str, AreaChange]] = defaultdict(dict)
    for ident, scores in pairs:
        if not scores["start"]:
            continue
        t = tools[ident[1]]
        row = travel.setdefault(t.pk, ToolTravel(code=t.code, name=t.name, higher_is_better=t.higher_is_better,
                                                           scale_min=t.scale_min, scale_max=t.scale_max))
        common = [k for k in labels.get(t.pk, {}) if k in scores["start"] and k in scores["end"]]
        common += sorted(set(scores["start"]) & set(scores["end"]) - set(common))
        if not common:
            row.not_comparable += 1
            continue
        row.pairs += 1
        change = t.better(sum(scores["end"][k] for k in common) - sum(scores["start"][k] for k in common))
        verdict = _classify(change, threshold)
        setattr(row, verdict, getattr(row, verdict) + 1)
        for k in common:
            area = area_changes[t.pk].setdefault(k, AreaChange(key=k, label=labels.get(t.pk, {}).get(k, k)))
            delta = t.better(scores["end"][k] - scores["start"][k])
            area.pairs += 1
            area.change_sum += delta
            area.start_sum += scores["start"][k]
            area.end_sum += scores["end"][k]
            v = _classify(delta, 1)
            setattr(area, v, getattr(area, v) + 1)
    order = {t: list(labels.get(t, {})) for t in travel}
    for tool_id, row in travel.items():
        row.areas = sorted(area_changes[tool_id].values(),
                           key=lambda a, o=order[tool_id]: o.index(a.key) if a.key in o else len(o))
    stats.tools = sorted(travel.values(), key=lambda r: r.name)
    total = sum(r.pairs for r in stats.tools)
    stats.improving = Rate(sum(r.improved for r in stats.tools), total)
    stats.same = sum(r.same for r in stats.tools)
    stats.worse = sum(r.worse for r in stats.tools)
