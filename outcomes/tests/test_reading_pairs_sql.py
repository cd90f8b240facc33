"""The direction of travel paired in SQL (``outcomes.stats.readings._PAIRS_SQL``) equals the per-pair Python it
replaced (kept below as ``_reference``), on factory data with the awkward cases: end readings on a quarter's
last and first days, a child scored with two tools, a whole-family tool beside a child's, an area scored only at
start or only at end, a pair with no area in common, a lower-is-better tool, two readings of one stage (the later
score row wins: ties in order broken by id, so the last recorded reading of the same area counts; a pair's end
date is that of its last score row), a start reading with no end, a tool revised with a new area, and series
of overlapping periods."""

from __future__ import annotations

import dataclasses
from collections import defaultdict

import pytest
from django.test.utils import override_settings

from cases.tests.helpers import D, child, close, open_case, team_for
from earlyhelp.figures import Rate
from earlyhelp.periods import FinancialYear, Quarter
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from outcomes import services
from outcomes.models import DistanceTool, Reading, ReadingScore, Stage, ToolArea
from outcomes.stats._scope import case_scope
from outcomes.stats.readings import AreaChange, ToolTravel, reading_stats_series
from tests.factories import acting

from .helpers import reading, spider, worry

Q1, Q2, Q3 = Quarter(2024, 1), Quarter(2024, 2), Quarter(2024, 3)


def _classify(change, threshold):
    return "improved" if change >= threshold else "worse" if change <= -threshold else "same"


def _reference(periods, *, team=None, tool=None, subject=None, threshold=1):
    """The previous code: every start and end score fetched and paired in Python. Returns, per period,
    (tools as dicts, improving, same, worse)."""
    periods = [(p.start, p.end) if not isinstance(p, tuple) else p for p in periods]
    readings = Reading.objects.filter(case_scope("case__", team=team))
    if tool is not None:
        readings = readings.filter(tool=tool)
    if subject:
        readings = readings.filter(tool__subject=subject)
    in_any = [r for r in readings.filter(stage=Stage.END) if any(s <= r.taken_on <= e for s, e in periods)]
    rows = ReadingScore.objects.filter(
        reading__in=readings.filter(stage__in=[Stage.START, Stage.END], case__in={r.case_id for r in in_any})
    ).values_list("area__sort_order", "pk", "reading__case_id", "reading__tool_id", "reading__person_id",
                  "reading__stage", "reading__taken_on", "area__key", "score")
    rows = sorted(rows, key=lambda r: (r[0], r[1]))
    pairs = defaultdict(lambda: {"start": {}, "end": {}})
    end_dates = {}
    for _o, _pk, case_id, tool_id, person_id, stage, taken_on, key, score in rows:
        ident = (case_id, tool_id, person_id or 0)
        pairs[ident][stage][key] = score
        if stage == Stage.END:
            end_dates[ident] = taken_on
    tools = {t.pk: t for t in DistanceTool.objects.filter(pk__in={k[1] for k in pairs})}
    labels = {}
    for tool_id, key, label in ToolArea.objects.filter(version__tool__in=list(tools)).order_by(
            "version__number", "sort_order").values_list("version__tool_id", "key", "label"):
        labels.setdefault(tool_id, {})[key] = label
    out = []
    for start, end in periods:
        travel, area_changes = {}, defaultdict(dict)
        for ident, scores in sorted(pairs.items()):
            if ident not in end_dates or not start <= end_dates[ident] <= end or not scores["start"]:
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
            verdict = _classify(t.better(sum(scores["end"][k] - scores["start"][k] for k in common)), threshold)
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
        for tool_id, row in travel.items():
            o = list(labels.get(tool_id, {}))
            row.areas = sorted(area_changes[tool_id].values(), key=lambda a, o=o: o.index(a.key) if a.key in o
                               else len(o))
        listed = sorted(travel.values(), key=lambda r: r.name)
        total = sum(r.pairs for r in listed)
        out.append(([dataclasses.asdict(r) for r in listed], Rate(sum(r.improved for r in listed), total),
                    sum(r.same for r in listed), sum(r.worse for r in listed)))
    return out


def raw_reading(case, tool, stage, on, person=None, **scores):
    """A reading written straight to the tables (as an import can), past the service's one-start-one-end rule."""
    from outcomes.services.tools import current_version

    version = current_version(tool)
    areas = {a.key: a for a in version.areas.all()}
    r = Reading.objects.create(case=case, person=person, tool=tool, version=version, stage=stage, taken_on=on)
    for key, value in scores.items():
        ReadingScore.objects.create(tenant=r.tenant, reading=r, area=areas[key], score=value)
    return r


def _sql(periods, **kwargs):
    with override_settings(FIGURES_CACHE=False):
        return [([dataclasses.asdict(r) for r in s.tools], s.improving, s.same, s.worse)
                for s in reading_stats_series(periods, **kwargs)]


@pytest.fixture
def world(tenant_a, member):
    alice = member(tenant_a, Role.PRACTITIONER, username="alice")
    north = team_for(tenant_a, alice, "North")
    south = team_for(tenant_a, alice, "South")
    with tenant_context(tenant_a):
        sp, wo = spider(), worry()
        mood = services.tool_create(code="mood", name="Mood", subject="child", scale_min=1, scale_max=5,
                                    higher_is_better=True, areas=[("m", "Mood"), ("n", "Nerves"), ("o", "Sleep")],
                                    by=acting(role="tenant_admin"))

        def case(team, first):
            return open_case(lead=alice, team=team, kid=child(first=first, last=f"{first}son"),
                             received_on=D(2024, 4, 1), opened_on=D(2024, 4, 1))

        c = [case(north if i % 2 else south, f"Kid{i}") for i in range(9)]
        # 0: family spider ending on Q1's last day; the child has worry (lower better) and mood, ending on Q2's
        # first day; an area (c) scored only at start, worry's z only at end.
        k0 = c[0].children.get()
        reading(c[0], sp, "start", D(2024, 4, 1), a=3, b=4, c=5)
        reading(c[0], sp, "end", D(2024, 6, 30), a=6, b=4)
        reading(c[0], wo, "start", D(2024, 4, 3), person=k0, x=3, y=2)
        reading(c[0], wo, "end", D(2024, 7, 1), person=k0, x=1, y=3, z=0)
        reading(c[0], mood, "start", D(2024, 4, 3), person=k0, m=2, n=2)
        reading(c[0], mood, "end", D(2024, 7, 1), person=k0, m=2, n=1)
        # 1: two start readings on one day (the later recorded wins area by area) and two end readings, the
        # later recorded taken earlier: the pair's end date is that of the last score row (Q1, not Q2).
        reading(c[1], sp, "start", D(2024, 4, 10), a=1, b=1, c=1)
        raw_reading(c[1], sp, "start", D(2024, 4, 10), a=5, c=2)
        reading(c[1], sp, "end", D(2024, 7, 2), a=9, b=9, c=9)
        raw_reading(c[1], sp, "end", D(2024, 6, 29), a=4, b=3, c=3)
        # 2: the later recorded end reading lacks the last area (c): its last score row is the earlier
        # reading's c, so the end date is the earlier reading's (Q2).
        reading(c[2], sp, "start", D(2024, 4, 10), a=2, b=2, c=2)
        reading(c[2], sp, "end", D(2024, 7, 3), a=3, b=3, c=3)
        raw_reading(c[2], sp, "end", D(2024, 6, 28), a=1, b=1)
        # 3: no area in common (not comparable).
        reading(c[3], sp, "start", D(2024, 4, 11), a=2)
        reading(c[3], sp, "end", D(2024, 6, 1), b=2)
        # 4: a start and no end for the child's worry, an end for the family spider.
        k4 = c[4].children.get()
        reading(c[4], wo, "start", D(2024, 4, 12), person=k4, x=4, y=4, z=4)
        reading(c[4], sp, "start", D(2024, 4, 12), a=5, b=5, c=5)
        reading(c[4], sp, "end", D(2024, 9, 30), a=5, b=6, c=4)
        # 5: an end with no start; 6: a worry pair exactly at the threshold of 3 (lower better), on Q3's first
        # day, with a review that does not count.
        raw_reading(c[5], sp, "end", D(2024, 6, 30), a=5, b=5, c=5)
        k6 = c[6].children.get()
        reading(c[6], wo, "start", D(2024, 4, 12), person=k6, x=4, y=4, z=4)
        reading(c[6], wo, "end", D(2024, 10, 1), person=k6, x=3, y=3, z=3)
        reading(c[6], wo, "review", D(2024, 6, 1), person=k6, x=0, y=0, z=0)
        # 7 and 8: the spider revised with a new area d (first in order) scored at both by one pair.
        services.tool_areas_revise(tool=sp, areas=[("d", "Area D"), ("a", "Area A"), ("b", "Area B"),
                                                   ("c", "Area C")], by=acting(role="tenant_admin"))
        reading(c[7], sp, "start", D(2024, 5, 1), a=4, b=4, c=4, d=1)
        reading(c[7], sp, "end", D(2024, 6, 30), a=4, b=5, c=3, d=4)
        reading(c[8], sp, "start", D(2024, 5, 1), a=8, d=2)
        reading(c[8], sp, "end", D(2024, 7, 1), a=8, d=1)
        for case_ in c[:4]:
            close(case_, closed_on=D(2024, 6, 30))
    return {"north": north, "south": south, "spider": sp, "worry": wo, "mood": mood}


PERIODS = [Q1, Q2, Q3, FinancialYear(2024), (D(2024, 6, 30), D(2024, 7, 1)), (D(2024, 6, 29), D(2024, 6, 29))]


@pytest.mark.parametrize("threshold", [1, 2, 3])
def test_sql_pairs_equal_the_python_pairing(tenant_a, world, threshold):
    with tenant_context(tenant_a):
        expected = _reference(PERIODS, threshold=threshold)
        assert _sql(PERIODS, threshold=threshold) == expected
        for period in PERIODS:  # alone: the same as in the series
            assert _sql([period], threshold=threshold) == _reference([period], threshold=threshold)
    assert any(t["not_comparable"] for t in expected[0][0])
    assert {t["code"] for t in expected[3][0]} == {"spider", "worry", "mood"}


@pytest.mark.parametrize("scope", ["north", "south", "spider", "worry", "mood", "child", "family"])
def test_sql_pairs_equal_the_python_pairing_in_a_scope(tenant_a, world, scope):
    kwargs = ({"team": world[scope]} if scope in ("north", "south") else {"subject": scope}
              if scope in ("child", "family") else {"tool": world[scope]})
    with tenant_context(tenant_a):
        assert _sql(PERIODS, **kwargs) == _reference(PERIODS, **kwargs)


def test_hand_counted_boundaries_ties_and_direction(tenant_a, world):
    with tenant_context(tenant_a):
        q1, q2, q3, *_ = _sql(PERIODS)
    spider1 = next(t for t in q1[0] if t["code"] == "spider")
    # Q1 ends: case 0 (a 3→6, b 4→4: +3), case 1 (start a5 b1 c2 → end a4 b3 c3: +2), case 3 (not comparable),
    # case 7 (d 1→4, a 4→4, b 4→5, c 4→3: +3); case 2 counts in Q2.
    assert (spider1["pairs"], spider1["improved"], spider1["not_comparable"]) == (3, 3, 1)
    assert [a["key"] for a in spider1["areas"]] == ["a", "b", "c", "d"]  # d added by the revision, last
    assert next(a for a in spider1["areas"] if a["key"] == "c")["pairs"] == 2  # case 0's c only at start
    worry2 = next(t for t in q2[0] if t["code"] == "worry")
    assert (worry2["pairs"], worry2["improved"], worry2["worse"]) == (1, 1, 0)  # x −2, y +1: lower is better
    assert [a["key"] for a in worry2["areas"]] == ["x", "y"]  # z only at end
    mood2 = next(t for t in q2[0] if t["code"] == "mood")
    assert (mood2["pairs"], mood2["worse"]) == (1, 1)
    spider2 = next(t for t in q2[0] if t["code"] == "spider")
    # case 2 (the end date of its last score row), case 8 (Q2's first day), case 4 (Q2's last day)
    assert spider2["pairs"] == 3
    assert [(t["code"], t["pairs"], t["improved"]) for t in q3[0]] == [("worry", 1, 1)]  # case 6, Q3's first day


def test_a_tenant_with_no_pairs(tenant_a):
    with tenant_context(tenant_a):
        assert _sql([Q1, Q2]) == _reference([Q1, Q2]) == [([], Rate(0, 0), 0, 0)] * 2

