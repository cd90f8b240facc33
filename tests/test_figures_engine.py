"""The figures engine (earlyhelp.figures_engine): the registry, the stored closed periods and their JSON.

A closed period's figure is counted once and stored per council × measure × period × scope; it is served from
the store after the shared cache is emptied (a restart, a new deployment) and recounted when a backdated write
dates into it. The randomised write sequence (outcomes/tests/test_figures_cache_dated.py, ``cold``) holds the
store to "every served figure equals a fresh count"."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Referral
from cases.stats import CaseStats, case_stats
from cases.tests.helpers import D, child, close, open_case, team_for
from earlyhelp import figures_codec, figures_engine
from earlyhelp.figures import Rate
from earlyhelp.models import FiguresSummary
from earlyhelp.periods import Quarter
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from outcomes import services
from outcomes.models import DistanceTool
from outcomes.stats import family_outcome_stats, programme_stats, reading_stats
from outcomes.stats.national_framework import national_framework_stats
from outcomes.tests.helpers import national_framework_records, reading

pytestmark = pytest.mark.django_db(transaction=True)
Q1 = Quarter(2024, 1)


@pytest.fixture
def world(tenant_a, member):
    alice = member(tenant_a, Role.PRACTITIONER, username="alice")
    team = team_for(tenant_a, alice)
    with tenant_context(tenant_a):
        services.outcomes_defaults_ensure(tenant=tenant_a)
        case = open_case(lead=alice, team=team, received_on=D(2024, 4, 2), opened_on=D(2024, 4, 5))
        spider = DistanceTool.objects.get(code="spider-graph")
        reading(case, spider, "start", D(2024, 4, 10), routines=2, parenting=3)
        reading(case, spider, "end", D(2024, 6, 10), routines=5, parenting=6)
        close(case, closed_on=D(2024, 6, 20))
    return {"alice": alice, "team": team, "case": case}


def _counted(fn):
    with CaptureQueriesContext(connection) as captured:
        value = fn()
    return value, len(captured)


def _fresh(fn):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.conf.settings.FIGURES_CACHE", False, raising=False)
        return fn()


def test_every_registered_measure_is_stored_as_json_and_read_back_equal(world, tenant_a):
    with tenant_context(tenant_a):
        values = {"case_stats": case_stats(period=Q1), "reading_stats": reading_stats(period=Q1),
                  "family_outcome_stats": family_outcome_stats(period=Q1),
                  "programme_stats": programme_stats(period=Q1),
                  "national_framework_stats": national_framework_stats(period=Q1)}
    assert set(values) <= set(figures_engine.measures())
    for name, value in values.items():
        stored = figures_codec.encode(value)
        assert figures_codec.decode(figures_engine.measure(name).value_type, stored) == value, name
    assert values["case_stats"].referrals == 1


def test_a_closed_quarter_is_counted_once_and_served_from_the_store_after_the_cache_is_emptied(world, tenant_a):
    team = world["team"]
    with tenant_context(tenant_a):
        counted, first = _counted(lambda: case_stats(period=Q1, team=team))
        rows = list(FiguresSummary.objects.filter(measure="case_stats").values_list("scope", "scope_id",
                                                                                     "period_start", "period_end"))
        assert rows == [("team", team.pk, Q1.start, Q1.end)]
        cache.clear()
        served, again = _counted(lambda: case_stats(period=Q1, team=team))
    assert served == counted == _fresh(lambda: _in(tenant_a, lambda: case_stats(period=Q1, team=team)))
    assert again <= 2 < first  # the state and the stored row: nothing recounted


def _in(tenant, fn):
    with tenant_context(tenant):
        return fn()


def test_the_open_quarter_is_counted_live_not_stored(world, tenant_a):
    with tenant_context(tenant_a):
        case_stats(period=Quarter.containing(D.today(), tenant_a.financial_year_start_month))
        assert not FiguresSummary.objects.exists()


def test_a_backdated_correction_recounts_the_stored_quarter(world, tenant_a):
    with tenant_context(tenant_a):
        before = case_stats(period=Q1)
    with tenant_context(tenant_a):  # a referral received in the closed quarter, recorded today
        open_case(lead=world["alice"], team=world["team"], kid=child(first="Late"), received_on=D(2024, 5, 1),
                  opened_on=D(2024, 5, 2))
    cache.clear()
    with tenant_context(tenant_a):
        after, queries = _counted(lambda: case_stats(period=Q1))
        fresh = _fresh(lambda: case_stats(period=Q1))
        stored = FiguresSummary.objects.get(measure="case_stats")
        seq = figures_engine.data_state(tenant_a.pk).seq
    assert after.referrals == before.referrals + 1 == fresh.referrals
    assert after == fresh
    assert stored.counted_seq == seq and stored.value == figures_codec.encode(fresh)  # overwritten
    assert queries > 2


def test_the_store_is_the_councils_own(world, tenant_a, tenant_b, as_app_role):
    with tenant_context(tenant_a):
        case_stats(period=Q1)
        assert FiguresSummary.objects.count() == 1
    with tenant_context(tenant_b):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM earlyhelp_figuressummary")
            assert cursor.fetchone() == (0,)


def test_the_national_framework_counts_of_a_closed_quarter_are_stored_and_recounted_after_a_late_goal(world,
                                                                                                      tenant_a):
    """The National Framework counts are a measure of the engine: a closed quarter is counted once and read back
    from the store after the cache is emptied; a goal marked done today, on a case closed in that quarter, and a
    closure outcome tagged again in the library, are recounted into it."""
    from cases.models import PlanAction
    from outcomes.models import FamilyOutcome

    case = national_framework_records(tenant_a, world["alice"])  # a plan of May 2024, its case closed in June
    with tenant_context(tenant_a):
        counted = national_framework_stats(period=Q1)
        stored = FiguresSummary.objects.get(measure="national_framework_stats")
        assert (stored.period_start, stored.scope) == (Q1.start, "council")
    cache.clear()
    with tenant_context(tenant_a), CaptureQueriesContext(connection) as captured:
        served = national_framework_stats(period=Q1)
    assert served == counted and not any('"cases_' in q["sql"] or '"outcomes_' in q["sql"] for q in captured)
    assert counted.row("stay_together").goals_achieved == Rate(1, 2)

    with tenant_context(tenant_a):  # the second 'stay together' goal marked done now, straight to the table
        PlanAction.objects.filter(plan__case=case, nf_outcome="stay_together").update(status=PlanAction.Status.DONE)
    cache.clear()
    with tenant_context(tenant_a):
        after = national_framework_stats(period=Q1)
        assert after == _fresh(lambda: national_framework_stats(period=Q1))
    assert after.row("stay_together").goals_achieved == Rate(2, 2)

    with tenant_context(tenant_a):  # the library: domestic abuse now tagged 'family network' (a lookup write)
        FamilyOutcome.objects.filter(code="domestic-abuse").update(nf_outcome="family_network")
    with tenant_context(tenant_a):
        retagged = national_framework_stats(period=Q1)
        assert retagged == _fresh(lambda: national_framework_stats(period=Q1))
    assert retagged.row("safe").outcomes_improved == Rate(0, 0)
    assert retagged.row("family_network").outcomes_improved == Rate(0, 1)


def test_a_figure_must_be_registered_and_a_name_belongs_to_one_app(tenant_a):
    with tenant_context(tenant_a), pytest.raises(figures_engine.UnknownMeasure):
        figures_engine.cached_series("unregistered_stats", [(Q1.start, Q1.end)], lambda i: [0],
                                     period_ends=[Q1.end])
    assert figures_engine.register_measure("case_stats", CaseStats, app="cases", team_at=2, locality_at=3)
    with pytest.raises(ValueError, match="already registered by cases"):
        figures_engine.register_measure("case_stats", CaseStats, app="familyhelp")


def test_a_backdated_referral_is_a_source_write(world, tenant_a):
    with tenant_context(tenant_a):
        state = figures_engine.data_state(tenant_a.pk)
        Referral.objects.filter(pk=world["case"].referral_id).update(received_on=D(2024, 4, 1))
    with tenant_context(tenant_a):
        after = figures_engine.data_state(tenant_a.pk)
    assert after.seq == state.seq + 1 and after.changes[-1][1] == D(2024, 4, 1)


def test_a_chart_is_drawn_once_and_read_back_after_the_cache_is_emptied(world, tenant_a, monkeypatch):
    from earlyhelp.models import FiguresDrawing
    from outcomes import charts

    drawn = []
    real = charts.Figure

    def counting(*args, **kwargs):
        drawn.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(charts, "Figure", counting)
    args = {"periods": ["Q1", "Q2"], "title": "How much did we do?", "bars": [("New referrals", [3, 4])]}
    with tenant_context(tenant_a):
        first = charts.bars_svg(**args)
        cache.clear()
        again = charts.bars_svg(**args)
        assert FiguresDrawing.objects.count() == 1
    assert again == first and first.startswith("<svg") and len(drawn) == 1


def test_a_drawing_is_stored_between_the_committed_steps_of_a_long_task_as_the_application_role(tenant_a, app_role,
                                                                                             settings):
    """A report run draws its charts between its committed steps, holding only the tenant's scope: as the
    application role (row-level security on, ``app.tenant_id`` unset there) the drawing is still read and stored
    in the council's own context — the demo's exempt report ended failed on this before."""
    from django.db import transaction
    from django_scopes import scope

    from earlyhelp.models import FiguresDrawing

    settings.FIGURES_CACHE = True
    cache.clear()
    drawn = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {connection.ops.quote_name(app_role)}")
        cursor.execute("SELECT set_config('app.tenant_id', '', true)")
        with scope(tenant=tenant_a):
            svg = figures_engine.remembered_drawing("a chart of test figures", lambda: drawn.append(1) or "<svg/>")
        cache.clear()
        with scope(tenant=tenant_a):  # read back from the store, not drawn again
            again = figures_engine.remembered_drawing("a chart of test figures", lambda: drawn.append(1) or "<x/>")
        cursor.execute("RESET ROLE")
    assert svg == again == "<svg/>" and drawn == [1]
    with tenant_context(tenant_a):
        assert FiguresDrawing.objects.count() == 1
