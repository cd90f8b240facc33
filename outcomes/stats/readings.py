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

from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery

from cases.models import Closure
from earlyhelp import figures_engine
from earlyhelp.figures import Rate
from earlyhelp.models import Locality, Team
from earlyhelp.periods import period_bounds, within_any
from earlyhelp.tenancy import current_tenant

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
    return figures_engine.cached_series("reading_stats", keys, lambda indices: _reading_stats(
        [periods[i] for i in indices], tool, subject, team, locality, threshold), period_ends=[e for _, e in periods])


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
    # counted by day with the closed case's start and end stages counted once per closure (an index probe per
    # closure: as EXISTS tests, PostgreSQL hashed every start and every end reading of the tenant, whatever the
    # periods), then summed into the periods. The case has a start and an end reading when it has both stages.
    stages = Subquery(readings.filter(case=OuterRef("case_id"), stage__in=[Stage.START, Stage.END]).order_by()
                      .values("case").annotate(n=Count("stage", distinct=True)).values("n"),
                      output_field=IntegerField())
    by_day = Closure.objects.filter(case_scope("case__", team=team, locality=locality),
                                    within_any("closed_on", periods)).annotate(stages=stages).values_list(
        "closed_on", "stages").annotate(n=Count("pk")).order_by()
    for stats in out:
        total = with_pair = 0
        for closed_on, stages_read, n in by_day:
            if stats.start <= closed_on <= stats.end:
                total += n
                with_pair += n if stages_read == 2 else 0
        stats.cases_closed = total
        stats.closed_with_start_and_end = Rate(with_pair, total)

    # A pair's scores are all its start and end readings' scores, whatever the period: worked out once for the
    # cases with an end reading in any of the periods, then counted in the period of its end reading. Paired and
    # compared in PostgreSQL (_PAIRS_SQL), which returns only the counts per period, tool and area.
    result = _pair_counts(readings, periods, threshold)
    tool_rows = [row for row in result if row[0] == "tool"]
    area_rows = [row for row in result if row[0] == "area"]
    tools = {t.pk: t for t in DistanceTool.objects.filter(pk__in={row[2] for row in tool_rows})}
    labels = {}
    for tool_id, key, label in ToolArea.objects.filter(version__tool__in=list(tools)).order_by(
            "version__number", "sort_order").values_list("version__tool_id", "key", "label"):
        labels.setdefault(tool_id, {})[key] = label  # the latest version's wording wins
    for i, stats in enumerate(out):
        _travel(stats, [r for r in tool_rows if r[1] == i], [r for r in area_rows if r[1] == i], tools, labels)
    return out


def _pair_counts(readings, periods, threshold) -> list[tuple]:
    """The rows of ``_PAIRS_SQL`` for the start and end readings (of ``readings``) of the cases with an end
    reading in one of ``periods``."""
    ends = readings.filter(within_any("taken_on", periods), stage=Stage.END)
    paired_readings = readings.filter(stage__in=[Stage.START, Stage.END], case__in=ends.values("case_id"))
    inner_sql, inner_params = paired_readings.order_by().values(
        "id", "case_id", "tool_id", "person_id", "stage", "taken_on").query.sql_with_params()
    values = ", ".join(["(%s, %s::date, %s::date)"] * len(periods))
    sql = _PAIRS_SQL.format(readings=inner_sql, periods=values)
    tenant_id = current_tenant().pk
    params = [*inner_params, tenant_id, Stage.START, Stage.END, tenant_id,
              tenant_id,
              *[x for i, (s, e) in enumerate(periods) for x in (i, s, e)], threshold, threshold]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# The start and end readings of the cases with an end reading in the periods ({readings}: their id, case, tool,
# person, stage and date, so that the readings table is not read a second time) joined to their scores. For each
# pair (case, tool, person: a whole-family tool's person is NULL) and area key, the start score and the end score
# are those of the last row of the stage in ReadingScore's order (area sort order, then id), as a later score of
# the same key wins; taken as the greatest array [sort order, id, score, …] of the group. A pair's end date is
# that of its last end score row in the same order. A pair counts when it has a start and an end
# score; it is comparable over the keys scored at both. Change is turned so that positive is better. Returns one
# row per period and tool ("tool") and per period, tool and comparable area key ("area"), with the first
# (case, person) of the pairs, so that Python orders ties as the per-pair loop did. ``OFFSET 0`` keeps the score
# rows' join apart from the area join: otherwise PostgreSQL, misjudging the readings' count, looped over every
# (reading, area) pair (3 s instead of 0.3 s for five quarters). Sorts of about 20 MB spill to disk at the default
# work_mem; more work_mem was measured and did not make it faster.
_PAIRS_SQL = """
WITH x AS (
    SELECT s.area_id, s.id, s.score, r.case_id, r.tool_id, COALESCE(r.person_id, 0) AS person_id, r.stage,
           r.taken_on
    FROM ({readings}) r
    JOIN outcomes_readingscore s ON s.reading_id = r.id AND s.tenant_id = %s
    OFFSET 0
),
k AS (
    SELECT x.case_id, x.tool_id, x.person_id, a.key,
           max(ARRAY[a.sort_order, x.id, x.score]) FILTER (WHERE x.stage = %s) AS sm,
           max(ARRAY[a.sort_order, x.id, x.score, x.taken_on - DATE '2000-01-01']) FILTER (WHERE x.stage = %s) AS em
    FROM x JOIN outcomes_toolarea a ON a.id = x.area_id AND a.tenant_id = %s
    GROUP BY 1, 2, 3, 4
),
p AS (
    SELECT k.case_id, k.tool_id, k.person_id,
           DATE '2000-01-01' + ((max(ARRAY[k.em[1], k.em[2], k.em[4]]) FILTER (WHERE k.em IS NOT NULL))[3])::int
               AS end_on,
           count(*) FILTER (WHERE k.sm IS NOT NULL AND k.em IS NOT NULL) AS common,
           sum(k.em[3] - k.sm[3]) AS change,
           array_agg(k.key) FILTER (WHERE k.sm IS NOT NULL AND k.em IS NOT NULL) AS keys,
           array_agg(k.sm[3]) FILTER (WHERE k.sm IS NOT NULL AND k.em IS NOT NULL) AS starts,
           array_agg(k.em[3]) FILTER (WHERE k.sm IS NOT NULL AND k.em IS NOT NULL) AS ends
    FROM k
    GROUP BY k.case_id, k.tool_id, k.person_id
    HAVING bool_or(k.sm IS NOT NULL) AND bool_or(k.em IS NOT NULL)
),
pp AS (
    SELECT per.i, CASE WHEN t.higher_is_better THEN 1 ELSE -1 END AS sign, p.*
    FROM p JOIN outcomes_distancetool t ON t.id = p.tool_id AND t.tenant_id = %s
    JOIN (VALUES {periods}) AS per (i, s, e) ON p.end_on BETWEEN per.s AND per.e
)
SELECT 'tool', i, tool_id, NULL,
       count(*) FILTER (WHERE common > 0),
       count(*) FILTER (WHERE common > 0 AND sign * change >= %s),
       count(*) FILTER (WHERE common > 0 AND sign * change <= -%s),
       count(*) FILTER (WHERE common = 0),
       NULL::bigint, NULL::bigint, min(case_id), NULL::bigint[]
FROM pp GROUP BY i, tool_id
UNION ALL
SELECT 'area', pp.i, pp.tool_id, u.key,
       count(*),
       count(*) FILTER (WHERE pp.sign * (u.e - u.s) >= 1),
       count(*) FILTER (WHERE pp.sign * (u.e - u.s) <= -1),
       sum(pp.sign * (u.e - u.s))::bigint,
       sum(u.s)::bigint, sum(u.e)::bigint, NULL, min(ARRAY[pp.case_id, pp.person_id])
FROM pp CROSS JOIN LATERAL unnest(pp.keys, pp.starts, pp.ends) AS u (key, s, e)
GROUP BY pp.i, pp.tool_id, u.key
"""


def _travel(stats: ReadingStats, tool_rows: list[tuple], area_rows: list[tuple], tools: dict,
            labels: dict) -> None:
    """Direction of travel from the period's rows of ``_PAIRS_SQL``."""
    travel: dict[int, ToolTravel] = {}
    first: dict[int, tuple] = {}
    for _kind, _i, tool_id, _key, pairs, improved, worse, not_comparable, _s, _e, first_case, _f in tool_rows:
        t = tools[tool_id]
        travel[tool_id] = ToolTravel(code=t.code, name=t.name, higher_is_better=t.higher_is_better,
                                     scale_min=t.scale_min, scale_max=t.scale_max, pairs=pairs, improved=improved,
                                     same=pairs - improved - worse, worse=worse, not_comparable=not_comparable)
        first[tool_id] = (first_case, tool_id)
    area_changes: dict[int, list[tuple]] = defaultdict(list)
    for _kind, _i, tool_id, key, pairs, improved, worse, change_sum, start_sum, end_sum, _c, first_pair in area_rows:
        area = AreaChange(key=key, label=labels.get(tool_id, {}).get(key, key), pairs=pairs, improved=improved,
                          same=pairs - improved - worse, worse=worse, change_sum=change_sum,
                          start_sum=start_sum, end_sum=end_sum)
        area_changes[tool_id].append((tuple(first_pair), key, area))
    for tool_id, row in travel.items():
        order = list(labels.get(tool_id, {}))
        # Areas in the tool's order; any key without a label after them, in the order the pairs first had them.
        row.areas = [a for *_, a in sorted(area_changes[tool_id], key=lambda x, o=order: (
            (o.index(x[1]), (), "") if x[1] in o else (len(o), x[0], x[1])))]
    stats.tools = [travel[k] for k in sorted(travel, key=lambda k: (travel[k].name, first[k]))]
    total = sum(r.pairs for r in stats.tools)
    stats.improving = Rate(sum(r.improved for r in stats.tools), total)
    stats.same = sum(r.same for r in stats.tools)
    stats.worse = sum(r.worse for r in stats.tools)


@dataclass(frozen=True)
class ToolCompletion:
    """One tool's final readings in a period and how many of them carry an end score (a count with its base)."""

    code: str
    name: str
    subject: str
    with_end_scores: int
    final_readings: int

    @property
    def completion(self) -> Rate:
        return Rate(self.with_end_scores, self.final_readings)


def completion_by_tool(*, period=None, start: dt.date | None = None, end: dt.date | None = None,
                       team: Team | None = None, locality: Locality | None = None) -> list[ToolCompletion]:
    """Per distance-travelled tool (children's, parents', family…): the final (end-stage) readings taken in the
    period, and those of them with an end score — at least one area scored — each tool with its own base, as
    committees read it ("353 final Webstars for children, 127 with end scores: 36%"). Tools with no final
    reading in the period are left out. In one query."""
    start, end = bounds(period, start, end)
    scored = Exists(ReadingScore.objects.filter(reading=OuterRef("pk")))
    rows = (Reading.objects.filter(case_scope("case__", team=team, locality=locality), stage=Stage.END,
                                   taken_on__range=(start, end))
            .values("tool__code", "tool__name", "tool__subject")
            .annotate(final=Count("pk"), scored=Count("pk", filter=Q(scored)))
            .order_by("tool__name", "tool__code"))
    return [ToolCompletion(r["tool__code"], r["tool__name"], r["tool__subject"], r["scored"], r["final"])
            for r in rows]
