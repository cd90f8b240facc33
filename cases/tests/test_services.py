"""The casework rules, as the services enforce them."""

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import Case, CaseFileAudit, LevelOfNeed, Referral, ReferralSource, StepChange
from earlyhelp.models import AuditEvent
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from tests.factories import acting

from .helpers import D, child, close, level, need, open_case, reason, referral, source, team_for


@pytest.fixture
def alice(tenant_a, member):
    return member(tenant_a, Role.PRACTITIONER, username="alice")


@pytest.fixture
def team(tenant_a, alice):
    return team_for(tenant_a, alice, "North Early Help Team")


@pytest.fixture
def ctx(tenant_a):
    with tenant_context(tenant_a):
        yield tenant_a


def test_a_new_tenant_gets_the_census_referral_sources_and_default_lists(tenant_a, ctx):
    codes = set(ReferralSource.objects.values_list("code", flat=True))
    assert {"1A", "2A", "5D", "6", "10", "MASH", "VCM", "MAGS"} <= codes
    assert ReferralSource.objects.get(code="5D").label == "LA services – early help"
    assert [lv.is_statutory for lv in LevelOfNeed.objects.all()] == [False, False, True, True]
    assert reason("STEPPED_UP").is_step_up
    services.tenant_defaults_ensure(tenant=tenant_a)  # idempotent
    assert ReferralSource.objects.filter(code="MASH").count() == 1


class TestReReferralWindow:
    """Tenant window 12 months, inclusive: same calendar day 12 months later is a re-referral, next day not."""

    def test_the_first_referral_is_not_a_re_referral(self, ctx):
        assert not referral([child()]).is_re_referral

    def test_exactly_twelve_months_later_is_a_re_referral(self, ctx):
        kid = child()
        referral([kid], received_on=D(2023, 5, 1))
        assert referral([kid], received_on=D(2024, 5, 1)).is_re_referral

    def test_a_day_past_the_window_is_not(self, ctx):
        kid = child()
        referral([kid], received_on=D(2023, 5, 1))
        assert not referral([kid], received_on=D(2024, 5, 2)).is_re_referral

    def test_the_window_is_the_tenants_setting(self, tenant_a, ctx):
        tenant_a.re_referral_window_months = 6
        tenant_a.save()
        kid = child()
        referral([kid], received_on=D(2023, 5, 1))
        assert referral([kid], received_on=D(2023, 11, 1)).is_re_referral
        assert not referral([child(first="Bo")], received_on=D(2023, 11, 1)).is_re_referral
        kid2 = child(first="Cy")
        referral([kid2], received_on=D(2023, 5, 1))
        assert not referral([kid2], received_on=D(2023, 11, 2)).is_re_referral

    def test_a_sibling_referral_does_not_make_a_re_referral(self, ctx):
        kid = child()
        sibling = child(family=kid.family, first="Ben")
        referral([kid], received_on=D(2024, 1, 1))
        assert not referral([sibling], received_on=D(2024, 2, 1)).is_re_referral


class TestReopenedWindow:
    """Tenant window 3 months, inclusive of the same day three months on."""

    def test_opening_exactly_three_months_after_closure_counts_as_reopened(self, alice, team, ctx):
        kid = child()
        first = open_case(lead=alice, team=team, kid=kid, received_on=D(2024, 1, 2), opened_on=D(2024, 1, 5))
        close(first, closed_on=D(2024, 1, 15))
        second = open_case(lead=alice, team=team, kid=kid, received_on=D(2024, 4, 1), opened_on=D(2024, 4, 15))
        assert second.is_reopened

    def test_a_day_later_does_not(self, alice, team, ctx):
        kid = child()
        first = open_case(lead=alice, team=team, kid=kid, received_on=D(2024, 1, 2), opened_on=D(2024, 1, 5))
        close(first, closed_on=D(2024, 1, 15))
        second = open_case(lead=alice, team=team, kid=kid, received_on=D(2024, 4, 1), opened_on=D(2024, 4, 16))
        assert not second.is_reopened


class TestOpeningAndWorkingACase:
    def test_opening_a_case_records_the_referrals_decision_and_an_audit_event(self, alice, team, ctx):
        case = open_case(lead=alice, team=team)
        assert case.referral.decision == Referral.Decision.CASE_OPENED
        assert case.locality == team.locality
        assert AuditEvent.objects.filter(action="case.opened", object_public_id=str(case.public_id)).exists()

    def test_a_case_cannot_open_before_its_referral(self, alice, team, ctx):
        with pytest.raises(ValidationError, match="before its referral"):
            open_case(lead=alice, team=team, received_on=D(2024, 4, 10), opened_on=D(2024, 4, 9))

    def test_a_referral_decided_otherwise_cannot_open_a_case(self, alice, team, ctx):
        ref = referral([child()])
        services.referral_decide(referral=ref, decision="signposted", decided_on=D(2024, 4, 11), by=acting())
        with pytest.raises(ValidationError, match="Signposted"):
            services.case_open(referral=ref, lead_professional=alice, team=team, level_of_need=level(2),
                               opened_on=D(2024, 4, 12), by=acting())

    def test_the_lead_professional_must_work_here(self, tenant_a, member, team, ctx):
        commissioner = member(tenant_a, Role.COMMISSIONER)
        with pytest.raises(ValidationError, match="practitioner or manager"):
            open_case(lead=commissioner, team=team)

    def test_no_review_before_a_plan(self, alice, team, ctx):
        case = open_case(lead=alice, team=team)
        with pytest.raises(ValidationError, match="record the plan first"):
            services.review_record(case=case, held_on=D(2024, 6, 1), next_review_on=D(2024, 7, 1), by=acting())
        services.plan_create(case=case, created_on=D(2024, 5, 1), by=acting())
        review = services.review_record(case=case, held_on=D(2024, 6, 1), next_review_on=D(2024, 7, 1), by=acting())
        assert review.pk

    def test_the_next_review_comes_after_the_review(self, alice, team, ctx):
        case = open_case(lead=alice, team=team)
        services.plan_create(case=case, created_on=D(2024, 5, 1), by=acting())
        with pytest.raises(ValidationError, match="after this one"):
            services.review_record(case=case, held_on=D(2024, 6, 1), next_review_on=D(2024, 6, 1), by=acting())

    def test_an_assessment_completes_after_it_starts_with_a_need_and_the_childs_words(self, alice, team, ctx):
        case = open_case(lead=alice, team=team)
        a = services.assessment_start(case=case, started_on=D(2024, 5, 1), by=acting())
        with pytest.raises(ValidationError, match="before it started"):
            services.assessment_complete(assessment=a, completed_on=D(2024, 4, 30), needs=[need()], by=acting())
        with pytest.raises(ValidationError, match="at least one need"):
            services.assessment_complete(assessment=a, completed_on=D(2024, 5, 20), by=acting())
        with pytest.raises(ValidationError, match="what the child said"):
            services.assessment_complete(assessment=a, completed_on=D(2024, 5, 20), needs=[need()],
                                         child_voice_recorded=True, child_voice=" ", by=acting())
        services.assessment_complete(assessment=a, completed_on=D(2024, 5, 20), needs=[need()],
                                     child_voice_recorded=True, child_voice="I want mum to stop shouting.", by=acting())
        a.refresh_from_db()
        assert a.completed_on == D(2024, 5, 20)

    def test_a_plan_action_is_smart_and_not_due_before_the_plan(self, alice, team, ctx):
        case = open_case(lead=alice, team=team)
        plan = services.plan_create(case=case, created_on=D(2024, 5, 1), by=acting())
        with pytest.raises(ValidationError, match="before the plan"):
            services.plan_action_add(plan=plan, description="Bedtime routine", owner="Mum", due_on=D(2024, 4, 1),
                                     by=acting())
        action = services.plan_action_add(plan=plan, description="Bedtime routine", owner="Mum", due_on=D(2024, 6, 1),
                                          by=acting())
        services.plan_action_update(action=action, status="done", by=acting())
        assert action.status == "done"


class TestStepChanges:
    def test_a_step_up_moves_the_case_to_a_statutory_level(self, alice, team, ctx):
        case = open_case(lead=alice, team=team)
        change = services.step_change_record(case=case, kind=StepChange.Kind.STEP_UP, occurred_on=D(2024, 6, 1),
                                             level_after=level(3), by=acting())
        assert (change.level_before.rank, change.level_after.rank) == (2, 3)
        assert Case.objects.get(pk=case.pk).level_of_need.rank == 3

    def test_a_step_up_must_go_to_a_statutory_level(self, alice, team, ctx):
        case = open_case(lead=alice, team=team)
        with pytest.raises(ValidationError, match="step-up goes"):
            services.step_change_record(case=case, kind="step_up", occurred_on=D(2024, 6, 1), level_after=level(1),
                                        by=acting())

    def test_step_down_and_de_escalation(self, alice, team, ctx):
        case = open_case(lead=alice, team=team, rank=4, code="5A")
        services.step_change_record(case=case, kind="de_escalation", occurred_on=D(2024, 5, 1), level_after=level(3),
                                    by=acting())
        with pytest.raises(ValidationError, match="lower statutory level"):
            services.step_change_record(case=case, kind="de_escalation", occurred_on=D(2024, 5, 2),
                                        level_after=level(4), by=acting())
        services.step_change_record(case=case, kind="step_down", occurred_on=D(2024, 5, 3), level_after=level(2),
                                    by=acting())
        with pytest.raises(ValidationError, match="before the previous"):
            services.step_change_record(case=case, kind="step_up", occurred_on=D(2024, 5, 2), level_after=level(3),
                                        by=acting())


class TestClosure:
    def test_no_closure_without_a_summary(self, alice, team, ctx):
        case = open_case(lead=alice, team=team)
        with pytest.raises(ValidationError, match="closure summary"):
            services.case_close(case=case, closed_on=D(2024, 9, 1), reason=reason(), judgement="fully", summary=" ",
                                by=acting())

    def test_a_case_cannot_close_before_its_last_review(self, alice, team, ctx):
        case = open_case(lead=alice, team=team)
        services.plan_create(case=case, created_on=D(2024, 5, 1), by=acting())
        services.review_record(case=case, held_on=D(2024, 8, 1), next_review_on=None, by=acting())
        with pytest.raises(ValidationError, match="last assessment, plan or review"):
            close(case, closed_on=D(2024, 7, 1))

    def test_closing_records_progress_per_need_and_stops_further_work(self, alice, team, ctx):
        case = open_case(lead=alice, team=team)
        closure = services.case_close(case=case, closed_on=D(2024, 9, 1), reason=reason("UNIVERSAL"),
                                      judgement="partially", summary="Better routines.",
                                      need_progress={need(): "improved"}, by=acting())
        assert closure.need_progress.get().progress == "improved"
        assert Case.objects.get(pk=case.pk).closed_on == D(2024, 9, 1)
        with pytest.raises(ValidationError, match="closed"):
            services.plan_create(case=case, created_on=D(2024, 9, 2), by=acting())
        with pytest.raises(ValidationError, match="already closed"):
            close(case)


def test_anonymous_feedback_keeps_no_name(alice, team, ctx):
    case = open_case(lead=alice, team=team)
    fb = services.feedback_record(case=case, received_on=D(2024, 9, 2), treated_with_respect=True, listened_to=True,
                                  helped_with_issues=False, is_anonymous=True, respondent="Jo Ashby", by=acting())
    assert fb.respondent == ""


AUDIT_GRADES = dict.fromkeys(["assessment", "plan", "review", "voice_of_child", "management_oversight", "overall"],
                             "good")


def _membership(user):
    from earlyhelp.models import Membership

    return Membership.objects.get(user=user)


def test_a_case_file_audit_grades_every_area(alice, team, tenant_a, member, ctx):
    auditor = _membership(member(tenant_a, Role.AUDITOR))
    case = open_case(lead=alice, team=team)
    with pytest.raises(ValidationError):
        services.case_file_audit_record(case=case, by=auditor, audited_on=D(2024, 6, 1), grades={"plan": "good"})
    audit = services.case_file_audit_record(case=case, by=auditor, audited_on=D(2024, 6, 1), grades=AUDIT_GRADES)
    assert audit.overall == "good" and audit.auditor == auditor.user


def test_a_team_manager_audits_their_teams_cases_but_not_other_teams_nor_their_own(alice, team, tenant_a, member,
                                                                                    ctx):
    from django.core.exceptions import PermissionDenied

    from earlyhelp.models import Team

    manager = _membership(member(tenant_a, Role.TEAM_MANAGER, username="marcus"))
    manager.teams.add(team)
    other_team = Team.objects.create(name="West")
    case = open_case(lead=alice, team=team)
    assert services.case_file_audit_record(case=case, by=manager, audited_on=D(2024, 6, 1), grades=AUDIT_GRADES)
    elsewhere = open_case(lead=alice, team=other_team)
    with pytest.raises(PermissionDenied, match="their own teams only"):
        services.case_file_audit_record(case=elsewhere, by=manager, audited_on=D(2024, 6, 1), grades=AUDIT_GRADES)
    own = open_case(lead=manager.user, team=team)
    with pytest.raises(PermissionDenied, match="lead professional"):
        services.case_file_audit_record(case=own, by=manager, audited_on=D(2024, 6, 1), grades=AUDIT_GRADES)
    with pytest.raises(PermissionDenied, match="cannot (audit|do this)"):
        services.case_file_audit_record(case=case, by=_membership(alice), audited_on=D(2024, 6, 1),
                                        grades=AUDIT_GRADES)
    assert CaseFileAudit.objects.count() == 1


def test_services_refuse_another_tenants_objects(alice, team, tenant_b, ctx):
    kid = child()
    with tenant_context(tenant_b):
        foreign_source = source("2A")
    with pytest.raises(ValidationError, match="another local authority"):
        services.referral_create(children=[kid], received_on=D(2024, 4, 1), source=foreign_source, by=acting())


def test_services_need_a_tenant_context(tenant_a):
    with pytest.raises(ValidationError, match="local authority's context"):
        services.family_create(name="Ashby family", by=acting(tenant=tenant_a))
