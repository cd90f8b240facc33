"""Closed periods stay cached (earlyhelp.figures_engine): a write notes the earliest date it can change a figure from,
and only the periods ending on or after it are recounted. The randomised test holds the design to its promise:
after any sequence of writes of every kind, every figure served (the National Framework counts among them)
equals the figure counted afresh."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
from django.core.cache import cache
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from cases.models import Case, Closure, Feedback, Plan, PlanAction, Referral
from cases.national_framework import NationalFrameworkOutcome
from cases.stats import case_stats_series
from cases.tests.helpers import D, child, close, open_case, team_for
from earlyhelp import figures_engine
from earlyhelp.periods import Quarter
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from outcomes import services
from outcomes.models import (
    CaseFamilyOutcome,
    Claim,
    DistanceTool,
    Enrolment,
    EnrolmentNeed,
    FamilyOutcome,
    Reading,
    ReadingScore,
    ToolArea,
)
from outcomes.stats import performance_framework_series
from outcomes.stats.national_framework import national_framework_stats_series
from outcomes.stats.readings import reading_stats_series

from .helpers import reading
from .test_figures_cache import _queries

pytestmark = pytest.mark.django_db(transaction=True)
QUARTERS = [Quarter(2023, 4).shifted(i) for i in range(6)]  # 2024/25 Q4 … 2025/26 Q1 (Jan 2024 – Jun 2025)


@pytest.fixture
def world(tenant_a, tenant_b, member):
    alice = member(tenant_a, Role.PRACTITIONER, username="alice")
    team, other = team_for(tenant_a, alice), team_for(tenant_a, name="East")
    with tenant_context(tenant_a):
        services.outcomes_defaults_ensure(tenant=tenant_a)
        case = open_case(lead=alice, team=team, received_on=D(2024, 4, 2), opened_on=D(2024, 4, 5))
        spider = DistanceTool.objects.get(code="spider-graph")
        reading(case, spider, "start", D(2024, 4, 10), routines=2, parenting=3)
        reading(case, spider, "end", D(2024, 6, 10), routines=5, parenting=6)
        close(case, closed_on=D(2024, 6, 20))
    return {"alice": alice, "team": team, "other": other, "spider": spider}


def _fresh(fn):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.conf.settings.FIGURES_CACHE", False, raising=False)
        return fn()


def test_todays_work_leaves_closed_quarters_cached(world, tenant_a):
    past = QUARTERS[:4]  # up to 2024/25 Q3 (Dec 2024)
    with tenant_context(tenant_a):  # a tenant_context block is one transaction: each block below commits
        first = performance_framework_series(past)
    with tenant_context(tenant_a):
        open_case(lead=world["alice"], team=world["team"], kid=child(first="Today"), received_on=D(2025, 1, 6),
                  opened_on=D(2025, 1, 8))  # dated after every period asked for
    with tenant_context(tenant_a):
        again, queries = _queries(lambda: performance_framework_series(past))
        assert again == first and queries == 1  # the state row only: every figure from the cache
        later, recounted = _queries(lambda: performance_framework_series(QUARTERS[4:5]))
    assert recounted > 10 and later[0].measure("referrals").numerator == 1


def test_a_backdated_write_recounts_the_periods_from_its_date(world, tenant_a):
    with tenant_context(tenant_a):
        before = case_stats_series(QUARTERS)
    with tenant_context(tenant_a):
        case = Case.objects.get()
        Closure.objects.filter(case=case).update(closed_on=D(2024, 3, 30))  # moved back a quarter
        Case.objects.filter(pk=case.pk).update(closed_on=D(2024, 3, 30))
    with tenant_context(tenant_a):
        after, queries = _queries(lambda: case_stats_series(QUARTERS))
        assert after == _fresh(lambda: case_stats_series(QUARTERS))
    assert [s.cases_closed for s in before] == [0, 1, 0, 0, 0, 0]
    assert [s.cases_closed for s in after] == [1, 0, 0, 0, 0, 0] and queries > 1


def test_a_later_reading_recounts_the_quarter_of_its_cases_closure_and_pair(world, tenant_a):
    """Readings taken after a case closed still change the quarter it closed in ("closed with a start and an end
    reading"), and a later end reading moves the pair to its own quarter."""
    spider = world["spider"]
    with tenant_context(tenant_a):
        version = spider.versions.order_by("-number").first()
        routines = version.areas.get(key="routines")
        case = open_case(lead=world["alice"], team=world["team"], kid=child(first="Late"),
                         received_on=D(2024, 4, 2), opened_on=D(2024, 4, 5))
        end = Reading.objects.create(case=case, tool=spider, version=version, stage="end", taken_on=D(2024, 6, 1))
        ReadingScore.objects.create(tenant=tenant_a, reading=end, area=routines, score=6)
        close(case, closed_on=D(2024, 6, 2))
    with tenant_context(tenant_a):
        before = performance_framework_series(QUARTERS[:4])
    with tenant_context(tenant_a):  # a start reading entered months later, straight into the tables
        start = Reading.objects.create(case=case, tool=spider, version=version, stage="start",
                                       taken_on=D(2024, 11, 1))
        ReadingScore.objects.create(tenant=tenant_a, reading=start, area=routines, score=2)
    with tenant_context(tenant_a):
        after = performance_framework_series(QUARTERS[:4])
        assert after == _fresh(lambda: performance_framework_series(QUARTERS[:4]))
    with tenant_context(tenant_a):  # a second end reading, later: the pair now ends in its quarter
        late = Reading.objects.create(case=case, tool=spider, version=version, stage="end", taken_on=D(2024, 12, 1))
        ReadingScore.objects.create(tenant=tenant_a, reading=late, area=routines, score=1)
    with tenant_context(tenant_a):
        moved = performance_framework_series(QUARTERS[:4])
        assert moved == _fresh(lambda: performance_framework_series(QUARTERS[:4]))
    closed_with = [f.measure("closed_with_readings") for f in (before[1], after[1])]
    assert [(m.numerator, m.base) for m in closed_with] == [(1, 2), (2, 2)]
    assert [f.measure("improving_travel").base for f in after] == [0, 2, 0, 0]
    assert [f.measure("improving_travel").base for f in moved] == [0, 1, 0, 1] and end.pk


def test_a_change_no_figure_reads_keeps_every_period(world, tenant_a):
    with tenant_context(tenant_a):
        state = figures_engine.data_token(tenant_a.pk)
    with tenant_context(tenant_a):
        Case.objects.update(summary="Kept current by the lead professional.")
        Referral.objects.update(reason="Worried about school attendance.")
        assert figures_engine.data_token(tenant_a.pk) == state  # not even dirty: counted from the cache


def test_a_lookup_change_retires_every_period(world, tenant_a):
    with tenant_context(tenant_a):
        state = figures_engine.data_state(tenant_a.pk)
    with tenant_context(tenant_a):
        ToolArea.objects.filter(key="routines").update(label="Daily routines")
    with tenant_context(tenant_a):
        after = figures_engine.data_state(tenant_a.pk)
    assert after.token != state.token


def test_the_staircase_keeps_the_earliest_date_of_later_changes_and_is_capped(world, tenant_a):
    def decide(on):
        with tenant_context(tenant_a):
            Referral.objects.update(decided_on=on)

    def state():
        with tenant_context(tenant_a):
            return figures_engine.data_state(tenant_a.pk)

    decide(D(2025, 1, 1))  # from the fixture's undecided referral: a step dated 2025-01-01
    for on in (D(2025, 3, 1), D(2025, 2, 1), D(2025, 4, 1)):
        decide(on)  # steps from the earlier of the old and new dates: 2025-01-01, 2025-02-01, 2025-02-01
    steps = state()
    # Each step retires the earlier steps dated on or after it: one left per distinct rising date.
    assert [since for _, since in steps.changes if since.year == 2025] == [D(2025, 1, 1), D(2025, 2, 1)]
    start = dt.date(2030, 1, 1)
    for n in range(figures_engine.MAX_CHANGES + 5):  # rising dates: each one a new step
        decide(start + dt.timedelta(days=n))
    capped = state()
    assert len(capped.changes) == figures_engine.MAX_CHANGES
    seqs, dates = zip(*capped.changes, strict=True)
    assert list(seqs) == sorted(seqs) and list(dates) == sorted(dates)
    # An entry counted before the merged steps is retired from the earliest of their dates.
    assert not capped.serves(steps.seq, D(2025, 4, 1)) and capped.serves(capped.seq - 1, start)


def _programme(tenant, case, rng):
    framework = services.programme_framework_ensure(tenant=tenant)
    enrolment = Enrolment.objects.filter(case=case).first() or Enrolment.objects.create(
        family=case.family, framework=framework, case=case, enrolled_on=case.opened_on)
    outcome = rng.choice(list(framework.outcomes.all()))
    return enrolment, outcome


@pytest.mark.parametrize(("role", "cold"), [("owner", False), ("application role", False),
                                             ("application role", True)])
def test_served_figures_equal_fresh_counts_after_any_sequence_of_writes(world, tenant_a, role, cold, request):
    """``cold``: the shared cache is emptied before every read, so what is served comes from the stored closed
    periods (earlyhelp_figuressummary) or is counted."""
    if role == "application role":  # row-level security applies to every write, trigger and read below
        request.getfixturevalue("as_app_role")
    rng = random.Random(20261123)
    spider, alice = world["spider"], world["alice"]
    days = [D(2023, 12, 1) + dt.timedelta(days=n) for n in range(0, 620, 3)]

    def day():
        return rng.choice(days)

    def new_case():
        received = day()
        case = open_case(lead=alice, team=rng.choice([world["team"], world["other"]]),
                         kid=child(first=f"K{rng.randrange(10**6)}"), received_on=received,
                         opened_on=received + dt.timedelta(days=rng.randrange(0, 20)))
        if rng.random() < 0.5:
            reading(case, spider, "start", case.opened_on, routines=rng.randint(1, 10), parenting=rng.randint(1, 10))
        return case

    def some(model, **filters):
        rows = list(model.objects.filter(**filters).order_by("pk"))
        return rng.choice(rows) if rows else None

    def close_one():
        case = some(Case, closed_on__isnull=True)
        if case:  # not before its last plan (the service's rule)
            last = max([case.opened_on, *case.plans.values_list("created_on", flat=True)])
            close(case, closed_on=last + dt.timedelta(days=rng.randrange(1, 200)))

    def move_closure():
        closure = some(Closure)
        if closure:
            on = closure.closed_on + dt.timedelta(days=rng.randrange(-60, 60))
            Closure.objects.filter(pk=closure.pk).update(closed_on=on)
            Case.objects.filter(pk=closure.case_id).update(closed_on=on)

    def reopen():
        closure = some(Closure)
        if closure:
            Case.objects.filter(pk=closure.case_id).update(closed_on=None)
            closure.delete()

    with tenant_context(tenant_a):
        version = spider.versions.order_by("-number").first()
        areas = list(version.areas.order_by("sort_order"))

    def add_reading():  # straight to the tables, as an import or a correction might: any date, any stage
        case = some(Case)
        if case:
            row = Reading.objects.create(case=case, tool=spider, version=version, taken_on=day(),
                                         stage=rng.choice(["start", "review", "end"]))
            ReadingScore.objects.bulk_create([
                ReadingScore(tenant=tenant_a, reading=row, area=area, score=rng.randint(1, 10))
                for area in rng.sample(areas, rng.randint(1, len(areas)))])

    def delete_reading():
        row = some(Reading)
        if row:
            row.delete()

    def rescore():
        score = some(ReadingScore)
        if score:
            ReadingScore.objects.filter(pk=score.pk).update(score=rng.randint(1, 10))

    def redate_reading():
        row = some(Reading)
        if row:
            Reading.objects.filter(pk=row.pk).update(taken_on=day())

    def family_outcome():
        case = some(Case)
        if case:
            outcome = rng.choice(list(FamilyOutcome.objects.all()))
            CaseFamilyOutcome.objects.update_or_create(case=case, outcome=outcome, defaults={
                "progress": rng.choice(CaseFamilyOutcome.Progress.values)})

    def reassign():
        case = some(Case)
        if case:
            Case.objects.filter(pk=case.pk).update(team=rng.choice([world["team"], world["other"]]))

    def redate_referral():
        row = some(Referral)
        if row:
            Referral.objects.filter(pk=row.pk).update(received_on=day(), route=rng.choice(Referral.Route.values))

    def feedback():
        case = some(Case)
        if case:
            Feedback.objects.create(case=case, received_on=day(), treated_with_respect=rng.random() < 0.7,
                                    listened_to=rng.choice([True, False, None]), helped_with_issues=True)

    def answer_again():
        row = some(Feedback)
        if row:
            Feedback.objects.filter(pk=row.pk).update(helped_with_issues=not row.helped_with_issues)

    def programme():
        case = some(Case)
        if case:
            enrolment, outcome = _programme(tenant_a, case, rng)
            identified = max(day(), enrolment.enrolled_on)
            EnrolmentNeed.objects.create(enrolment=enrolment, outcome=outcome, identified_on=identified,
                                         met_on=identified + dt.timedelta(days=rng.randrange(1, 300))
                                         if rng.random() < 0.7 else None)
            if rng.random() < 0.4 and not enrolment.claims.exists():  # one live claim per enrolment
                Claim.objects.create(enrolment=enrolment, prepared_on=day(),
                                     status=rng.choice(Claim.Status.values))

    def meet_need():
        need = some(EnrolmentNeed)
        if need:
            EnrolmentNeed.objects.filter(pk=need.pk).update(met_on=rng.choice([None, day()]))

    def claim_status():
        claim = some(Claim)
        if claim:
            Claim.objects.filter(pk=claim.pk).update(status=rng.choice(Claim.Status.values))

    def relabel():
        area = some(ToolArea)
        if area:
            ToolArea.objects.filter(pk=area.pk).update(label=f"Area {rng.randrange(100)}")

    tags = [*NationalFrameworkOutcome.values, ""]

    def plan_goals():  # a plan with goals, straight to the tables (an import, a late entry): any date, tag, status
        case = some(Case)
        if case:
            plan = Plan.objects.create(case=case, created_on=day())
            for _ in range(rng.randint(1, 3)):
                PlanAction.objects.create(plan=plan, description="Goal", owner="Mum", due_on=plan.created_on,
                                          nf_outcome=rng.choice(tags), status=rng.choice(PlanAction.Status.values))

    def goal_status():  # a goal marked done (or dropped) long after its case closed
        goal = some(PlanAction)
        if goal:
            PlanAction.objects.filter(pk=goal.pk).update(status=rng.choice(PlanAction.Status.values))

    def retag_goal():
        goal = some(PlanAction)
        if goal:
            PlanAction.objects.filter(pk=goal.pk).update(nf_outcome=rng.choice(tags))

    def move_goal():  # to another plan, of another case perhaps
        goal, plan = some(PlanAction), some(Plan)
        if goal and plan:
            PlanAction.objects.filter(pk=goal.pk).update(plan=plan)

    def redate_plan():
        plan = some(Plan)
        if plan:
            Plan.objects.filter(pk=plan.pk).update(created_on=day())

    def delete_goal():
        goal = some(PlanAction)
        if goal:
            goal.delete()

    def delete_plan():
        plan = some(Plan)
        if plan:
            plan.delete()

    def retag_outcome():  # the outcome library: a closure outcome tagged to another National Framework outcome
        outcome = some(FamilyOutcome)
        if outcome:
            FamilyOutcome.objects.filter(pk=outcome.pk).update(nf_outcome=rng.choice(tags))

    writes = [new_case, new_case, close_one, move_closure, reopen, add_reading, add_reading, add_reading,
              add_reading, delete_reading, delete_reading, rescore, rescore, redate_reading, redate_reading,
              family_outcome, reassign, redate_referral, feedback, answer_again, programme, programme, meet_need,
              claim_status, relabel, plan_goals, plan_goals, plan_goals, goal_status, goal_status, retag_goal,
              move_goal, redate_plan, delete_goal, delete_plan, retag_outcome]

    def figures():
        return (performance_framework_series(QUARTERS), performance_framework_series(QUARTERS, team=world["team"]),
                reading_stats_series(QUARTERS, subject="family"), national_framework_stats_series(QUARTERS),
                national_framework_stats_series(QUARTERS, team=world["team"]))

    served_from_cache = 0
    for _ in range(6):
        with tenant_context(tenant_a):
            new_case()
    for step in range(100):
        write = rng.choice(writes)
        with tenant_context(tenant_a):  # one transaction: committed when the block ends
            write()
        if cold:
            cache.clear()
        reset_queries()  # a full query log (9,000) would capture nothing below
        with tenant_context(tenant_a), CaptureQueriesContext(connection) as captured:
            served = figures()
            # nothing counted: every figure came from the cache (warm) or the stored summaries (cold)
            served_from_cache += not any(re.search(r'"(cases|outcomes)_', q["sql"]) for q in captured)
            assert served == _fresh(figures), f"step {step}: after {write.__name__}"
    assert served_from_cache  # some writes left every period asked for cached
