"""Data section 2: a follow-up cohort whose answer is known (seed 000 §3.14–3.16 shape)."""

import datetime as dt

import pytest

from cases import services as cases_services
from cases.cohorts import panel_follow_up, social_care_follow_up
from cases.models import Referral, StepChange
from cases.tests import helpers
from commissioning import services as commissioning_services
from earlyhelp.models import Membership
from earlyhelp.periods import Quarter
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from reporting.sections import get
from reporting.sections.base import ReportContext
from tests.factories import acting

D = dt.date


@pytest.fixture
def world(tenant_a, member):
    lead = member(tenant_a, role=Role.PRACTITIONER, username="lead")
    commissioner = Membership.all_tenants.get(user=member(tenant_a, role=Role.COMMISSIONER, username="com"))
    team = helpers.team_for(tenant_a, lead)
    with tenant_context(tenant_a):
        provider = commissioning_services.provider_create(by=commissioner, name="Open Door")
        service = commissioning_services.service_create(by=commissioner, name="Family service", provider=provider)
    return lead, team, service


def _case(tenant, lead, team, service, *, last, route="panel", opened=D(2023, 10, 2), closed=None, rank=2,
          with_service=True):
    with tenant_context(tenant):
        case = helpers.open_case(lead=lead, team=team, kid=helpers.child(last=last), route=route,
                                 received_on=opened - dt.timedelta(days=1), opened_on=opened, rank=rank)
        if with_service:
            intervention = cases_services.intervention_refer(case=case, service=service, referred_on=opened,
                                                             by=acting())
            cases_services.intervention_dates_record(intervention=intervention, started_on=opened, by=acting())
        if closed:
            helpers.close(case, closed_on=closed)
        return case


def _later_referral(tenant, case, *, on, route, decision=None):
    with tenant_context(tenant):
        kid = case.children.first()
        referral = helpers.referral([kid], received_on=on, route=route)
        if decision:
            cases_services.referral_decide(referral=referral, decision=decision, decided_on=on, by=acting())


def test_panel_cases_are_followed_up_into_one_outcome_each(tenant_a, world):
    lead, team, service = world
    never = _case(tenant_a, lead, team, service, last="Ames", closed=D(2024, 1, 15))  # noqa: F841
    to_care = _case(tenant_a, lead, team, service, last="Brook", closed=D(2024, 2, 1))
    _later_referral(tenant_a, to_care, on=D(2024, 5, 3), route="direct", decision=Referral.Decision.STEPPED_UP)
    back = _case(tenant_a, lead, team, service, last="Cole", closed=D(2024, 3, 1))
    _later_referral(tenant_a, back, on=D(2024, 6, 10), route="panel", decision=Referral.Decision.SIGNPOSTED)
    _case(tenant_a, lead, team, service, last="Dent", closed=D(2024, 2, 2), with_service=False)  # no service
    _case(tenant_a, lead, team, service, last="Eyre", closed=D(2024, 2, 3), route="direct")  # not a panel case
    _case(tenant_a, lead, team, service, last="Fox", closed=D(2024, 4, 15))  # closed after the window
    with tenant_context(tenant_a):
        result = panel_follow_up(closed_from=D(2023, 10, 1), closed_to=D(2024, 3, 31), followed_up_on=D(2024, 9, 30))
    assert (result.cases, result.never_referred_again, result.referred_to_social_care,
            result.referred_back_to_panel) == (3, 1, 1, 1)


def test_social_care_cases_improve_stay_or_worsen(tenant_a, world):
    lead, team, service = world
    closed = _case(tenant_a, lead, team, service, last="Gale", rank=3, closed=D(2024, 5, 1))  # noqa: F841
    eased = _case(tenant_a, lead, team, service, last="Hart", rank=4)
    same = _case(tenant_a, lead, team, service, last="Ivey", rank=3)  # noqa: F841
    _case(tenant_a, lead, team, service, last="Jones", rank=2)  # early help level: not in this sample
    with tenant_context(tenant_a):
        cases_services.step_change_record(case=eased, kind=StepChange.Kind.DE_ESCALATION, occurred_on=D(2024, 3, 1),
                                          level_after=helpers.level(3), by=acting())
        result = social_care_follow_up(started_from=D(2023, 10, 1), started_to=D(2024, 3, 31),
                                       followed_up_on=D(2024, 9, 30))
    assert (result.cases, result.closures, result.de_escalations, result.no_change, result.worse) == (3, 1, 1, 1, 0)


def test_a_child_in_need_case_that_steps_down_mid_window_stays_in_the_cohort_and_counts_as_improved(
        tenant_a, world):
    """The cohort is defined by the level on the day the service started, not by today's level."""
    lead, team, service = world
    cin = _case(tenant_a, lead, team, service, last="Kirk", rank=3, opened=D(2023, 11, 6))  # child in need
    _case(tenant_a, lead, team, service, last="Lowe", rank=3, opened=D(2023, 11, 6))  # stays child in need
    stepped_up_later = _case(tenant_a, lead, team, service, last="Mann", rank=3, opened=D(2023, 11, 6))
    early_then_up = _case(tenant_a, lead, team, service, last="Nash", rank=2, opened=D(2023, 11, 6))
    with tenant_context(tenant_a):
        cases_services.step_change_record(case=cin, kind=StepChange.Kind.STEP_DOWN, occurred_on=D(2024, 2, 12),
                                          level_after=helpers.level(2), by=acting())
        # A case at early help when its service started and stepped up afterwards is not in the sample.
        cases_services.step_change_record(case=early_then_up, kind=StepChange.Kind.STEP_UP,
                                          occurred_on=D(2024, 1, 8), level_after=helpers.level(3), by=acting())
        # Child in need at the start, child protection by the follow-up date: worse.
        cases_services.step_change_record(case=stepped_up_later, kind=StepChange.Kind.STEP_DOWN,
                                          occurred_on=D(2024, 2, 1), level_after=helpers.level(2), by=acting())
        cases_services.step_change_record(case=stepped_up_later, kind=StepChange.Kind.STEP_UP,
                                          occurred_on=D(2024, 6, 1), level_after=helpers.level(4), by=acting())
        result = social_care_follow_up(started_from=D(2023, 10, 1), started_to=D(2024, 3, 31),
                                       followed_up_on=D(2024, 9, 30))
    assert (result.cases, result.closures, result.de_escalations, result.no_change, result.worse) == (3, 0, 1, 1, 1)
    assert result.improved == 1


def test_the_section_prints_improved_with_its_base_and_the_window_in_words(tenant_a, world):
    lead, team, service = world
    for i in range(15):
        case = _case(tenant_a, lead, team, service, last=f"Oake{i}", rank=3, opened=D(2024, 1, 8))
        if i < 8:
            with tenant_context(tenant_a):
                cases_services.step_change_record(case=case, kind=StepChange.Kind.STEP_DOWN,
                                                  occurred_on=D(2024, 5, 1), level_after=helpers.level(2), by=acting())
    section = get("follow_up")
    with tenant_context(tenant_a):
        snapshot = section.build(ReportContext(tenant=tenant_a, parameters={"follow_up_months": 3,
                                                                            "follow_up_window_months": 6},
                                               period=Quarter(2024, 1), public=True, threshold=5, decimals=0))
    assert snapshot["window"] == "between 1 October 2023 and 31 March 2024"
    assert snapshot["care"] == [15, 0, 8, 7, 0]
    public = " ".join(section.render(snapshot, number=3, public=True, threshold=5, decimals=0).split())
    assert "8 improved</strong> — closed or stepped down (53% of 15)" in public
    assert "7 showed no change in level of need (47% of 15)" in public
    snapshot["care"] = [12, 0, 7, 5, 0]  # 5 not improved: every figure that would reveal the 5 is hidden
    public = " ".join(section.render(snapshot, number=3, public=True, threshold=5, decimals=0).split())
    assert "c improved</strong>" in public and "c showed no change" in public and "(58%" not in public
    assert any(d["id"] == "follow_up.care" and "on the day a commissioned service started" in d["counts"]
               for d in section.definitions(snapshot))


def test_the_section_uses_the_report_period_and_protects_small_counts(tenant_a, world):
    lead, team, service = world
    for i in range(8):
        _case(tenant_a, lead, team, service, last=f"Kay{i}", closed=D(2024, 1, 10 + i))
    section = get("follow_up")
    with tenant_context(tenant_a):
        snapshot = section.build(ReportContext(tenant=tenant_a, parameters={"follow_up_months": 6},
                                               period=Quarter(2024, 2), public=True, threshold=5, decimals=0))
    assert snapshot["panel"] == [8, 8, 0, 0]
    exempt = section.render(snapshot, number=3, public=False, threshold=5, decimals=0)
    assert "8 were never referred back to the panel or to social care (100%* of 8)" in exempt
    public = section.render(snapshot, number=3, public=True, threshold=5, decimals=0)
    assert "8 were never referred back" in public and "(100%* of 8)" in public  # * a small base
