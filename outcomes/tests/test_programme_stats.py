"""The Supporting Families table (outcomes.stats.programme) counts, in the database, what a plain per-period loop
over every need counts: at the edges of the period (a need identified or met after its end, an outcome sustained
exactly on its last day, after month-end clamping, a family enrolled after it), with two sustain periods and a
need in an area of another framework version."""

from __future__ import annotations

import pytest

from cases.tests.helpers import D, child, open_case, team_for
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from outcomes import services
from outcomes.models import Enrolment, EnrolmentNeed, ProgrammeFramework, ProgrammeOutcome
from outcomes.services import sustained_from
from outcomes.stats import programme_stats
from outcomes.stats.programme import _last_met_on_sustained_by, programme_stats_series
from tests.factories import acting

PERIODS = [
    (D(2023, 1, 1), D(2023, 3, 31)),  # before any enrolment
    (D(2023, 10, 1), D(2023, 12, 31)),
    (D(2023, 11, 1), D(2023, 11, 29)),
    (D(2024, 1, 1), D(2024, 3, 31)),
    (D(2024, 2, 1), D(2024, 2, 28)),
    (D(2024, 2, 1), D(2024, 2, 29)),  # a three-month need met on 30 Nov is sustained from 29 Feb
    (D(2024, 4, 1), D(2024, 6, 29)),
    (D(2024, 4, 1), D(2024, 6, 30)),  # six-month needs met on 30 and 31 Dec are sustained from 30 Jun
    (D(2024, 7, 1), D(2024, 9, 30)),
    (D(2023, 1, 1), D(2024, 12, 31)),
]


def _met(need, on):
    services.need_evidence_record(need=need, kind="met", recorded_on=on, description="Evidence seen", by=acting())


@pytest.fixture
def families(tenant_a, member):
    alice = member(tenant_a, Role.PRACTITIONER, username="alice")
    team_a, team_b = team_for(tenant_a, alice, name="North"), team_for(tenant_a, alice, name="South")
    with tenant_context(tenant_a):
        v1 = services.programme_framework_ensure(tenant=tenant_a)  # six months
        v2 = ProgrammeFramework.objects.create(name="Supporting Families", version=2, valid_from=D(2023, 9, 1),
                                               sustain_months=3)
        housing_v2 = ProgrammeOutcome.objects.create(framework=v2, key="housing", label="Housing (v2)", sort_order=0)
        new_area = ProgrammeOutcome.objects.create(framework=v2, key="new-area", label="A new area", sort_order=1)
        areas = {o.key: o for o in v1.outcomes.all()}

        def enrol(name, team, framework, enrolled_on, outcomes):
            case = open_case(lead=alice, team=team, kid=child(first=name, last=name), received_on=enrolled_on,
                             opened_on=enrolled_on)
            enrolment = services.enrolment_create(family=case.family, framework=framework, enrolled_on=enrolled_on,
                                                  case=case, lead_professional=alice, needs=outcomes, by=acting())
            return list(enrolment.needs.order_by("id"))

        education, housing, money = enrol("Ash", team_a, v1, D(2023, 12, 1), [
            areas["good-education"], areas["housing"], areas["financial-stability"]])
        _met(education, D(2023, 12, 31))  # sustained from 30 Jun 2024 (31 Jun clamped)
        _met(housing, D(2024, 1, 1))  # sustained from 1 Jul 2024: the day after the quarter
        _met(money, D(2023, 12, 30))  # sustained from 30 Jun 2024 exactly

        (education,) = enrol("Birch", team_a, v1, D(2024, 2, 10), [areas["good-education"]])
        _met(education, D(2024, 3, 31))  # met on the quarter's last day
        enrolment = education.enrolment
        late = services.need_add(enrolment=enrolment, outcome=areas["housing"], identified_on=D(2024, 4, 1),
                                 by=acting())
        _met(late, D(2024, 9, 30))  # identified after one quarter, met on another's last day
        services.need_add(enrolment=enrolment, outcome=areas["health"], identified_on=D(2024, 3, 31), by=acting())

        enrol("Cedar", team_b, v1, D(2024, 7, 1), [areas["good-education"], areas["crime"]])  # after Q1's end

        housing, new = enrol("Damson", team_a, v2, D(2023, 9, 15), [housing_v2, new_area])
        _met(housing, D(2023, 11, 30))  # three months: sustained from 29 Feb 2024 (30 Feb clamped)
        _met(new, D(2023, 12, 1))  # sustained from 1 Mar 2024

        (education,) = enrol("Elm", team_b, v1, D(2023, 10, 2), [areas["good-education"]])
        _met(education, D(2023, 10, 2))
        # A need in an area of the other version (written directly: the service refuses it), listed after the
        # version's own areas when that version has no family in the scope.
        EnrolmentNeed.objects.create(enrolment=education.enrolment, outcome=new_area, identified_on=D(2023, 11, 1),
                                     met_on=D(2023, 11, 29))
    return {"North": team_a, "South": team_b}


def _per_need_loop(start, end, team=None):
    """The table for one period the plain way: every need, one at a time."""
    enrolments = Enrolment.objects.filter(enrolled_on__lte=end, **({"case__team": team} if team else {}))
    rows = {}
    for outcome in ProgrammeOutcome.objects.filter(framework__enrolments__in=enrolments).distinct().order_by(
            "sort_order", "key", "pk"):
        rows[outcome.key] = [outcome.key, outcome.label, 0, 0, 0]
    for need in EnrolmentNeed.objects.filter(enrolment__in=enrolments, identified_on__lte=end).select_related(
            "outcome", "enrolment__framework").order_by("pk"):
        row = rows.setdefault(need.outcome.key, [need.outcome.key, need.outcome.label, 0, 0, 0])
        row[2] += 1
        if need.met_on is not None and need.met_on <= end:
            row[3] += 1
            if sustained_from(need.met_on, need.enrolment.framework.sustain_months) <= end:
                row[4] += 1
    return (enrolments.count(), enrolments.filter(enrolled_on__gte=start).count(),
            [tuple(row) for row in rows.values()])


def _table(stats):
    return (stats.families_enrolled, stats.enrolled_in_period,
            [(r.key, r.label, r.presenting, r.improved, r.sustained) for r in stats.rows])


@pytest.mark.parametrize("scope", [None, "North", "South"])
def test_the_programme_table_equals_a_per_need_count_in_every_period(tenant_a, families, scope, settings):
    settings.FIGURES_CACHE = False
    team = families[scope] if scope else None
    with tenant_context(tenant_a):
        expected = [_per_need_loop(s, e, team) for s, e in PERIODS]
        series = programme_stats_series(PERIODS, team=team)
        singles = [programme_stats(start=s, end=e, team=team) for s, e in PERIODS]
    assert [_table(s) for s in series] == [_table(s) for s in singles] == expected
    for stats in series:
        assert (stats.needs_sustained.numerator, stats.needs_sustained.base) == (
            sum(r.sustained for r in stats.rows), sum(r.presenting for r in stats.rows))


def test_the_edges_are_in_the_fixture(tenant_a, families, settings):
    """The fixture reaches the boundaries it is meant to: otherwise the comparison above proves little."""
    settings.FIGURES_CACHE = False
    with tenant_context(tenant_a):
        june_29, june_30, leap = (programme_stats(start=s, end=e) for s, e in (PERIODS[6], PERIODS[7], PERIODS[5]))
        sept = programme_stats(start=PERIODS[8][0], end=PERIODS[8][1], team=families["South"])
    sustained = {r.key: r.sustained for r in june_30.rows}
    assert sustained["good-education"] == 2 and sustained["financial-stability"] == 1
    assert {r.key: r.sustained for r in june_29.rows}["financial-stability"] == 0
    assert {r.key: r.sustained for r in leap.rows}["housing"] == 1
    assert [r.key for r in sept.rows][-1] == "new-area"  # the other version's area, after the listed ones
    assert sept.families_enrolled == 2 and sept.enrolled_in_period == 1


@pytest.mark.parametrize("months", [0, 1, 3, 6, 12, 18])
def test_the_last_day_met_that_is_sustained_by_a_day(months):
    for end in (D(2024, 2, 28), D(2024, 2, 29), D(2024, 3, 31), D(2024, 6, 30), D(2024, 12, 31), D(2023, 2, 28)):
        last = _last_met_on_sustained_by(end, months)
        assert sustained_from(last, months) <= end < sustained_from(last + D.resolution, months)
