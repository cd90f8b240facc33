"""The rules of the outcomes services, at their edges."""

import pytest
from django.core.exceptions import ValidationError

from cases import services as case_services
from cases.tests.helpers import D, child, close, need, open_case, team_for
from earlyhelp.models import AuditEvent
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from outcomes import services
from outcomes.models import DistanceTool, FamilyOutcome, ProgrammeOutcome
from outcomes.services import sustained_from
from tests.factories import acting

from .helpers import reading, spider, worry


@pytest.fixture
def alice(tenant_a, member):
    return member(tenant_a, Role.PRACTITIONER, username="alice")


@pytest.fixture
def case(tenant_a, alice):
    team = team_for(tenant_a, alice)
    with tenant_context(tenant_a):
        return open_case(lead=alice, team=team, received_on=D(2023, 11, 1), opened_on=D(2023, 11, 10))


def test_templates_are_created_once_per_tenant(tenant_a, tenant_b):
    for tenant in (tenant_a, tenant_b):
        with tenant_context(tenant):
            services.outcomes_defaults_ensure(tenant=tenant)
            services.outcomes_defaults_ensure(tenant=tenant)
            assert sorted(DistanceTool.objects.values_list("code", flat=True)) == ["spider-graph", "wellbeing-web"]
            assert FamilyOutcome.objects.count() == 18
            assert ProgrammeOutcome.objects.count() == 10


def test_scores_must_lie_within_the_scale(tenant_a, case):
    with tenant_context(tenant_a):
        sp = spider()
        with pytest.raises(ValidationError) as exc:
            reading(case, sp, "start", D(2023, 12, 1), a=0, b=10, c=11)
        assert set(exc.value.message_dict) == {"a", "c"}
        with pytest.raises(ValidationError):
            reading(case, sp, "start", D(2023, 12, 1))  # nothing scored
        with pytest.raises(ValidationError):
            reading(case, sp, "start", D(2023, 12, 1), a=1, z=4)  # not an area
        r = reading(case, sp, "start", D(2023, 12, 1), a=1, b=10)  # c missing is allowed
        assert sorted(r.scores.values_list("area__key", "score")) == [("a", 1), ("b", 10)]
        assert AuditEvent.objects.filter(action="outcomes.reading_recorded").count() == 1


def test_stages_keep_their_order(tenant_a, case):
    with tenant_context(tenant_a):
        sp = spider()
        with pytest.raises(ValidationError, match="start reading first"):
            reading(case, sp, "review", D(2023, 12, 1), a=1)
        reading(case, sp, "start", D(2023, 12, 1), a=1)
        with pytest.raises(ValidationError):
            reading(case, sp, "start", D(2023, 12, 2), a=1)  # a second start
        with pytest.raises(ValidationError):
            reading(case, sp, "end", D(2023, 11, 30), a=1)  # before the start
        reading(case, sp, "review", D(2024, 1, 10), a=2)
        with pytest.raises(ValidationError):
            reading(case, sp, "end", D(2024, 1, 9), a=2)  # before the review
        reading(case, sp, "end", D(2024, 1, 10), a=3)
        with pytest.raises(ValidationError):
            reading(case, sp, "end", D(2024, 1, 11), a=3)  # a second end


def test_readings_stay_inside_the_case_and_go_to_the_right_person(tenant_a, case):
    with tenant_context(tenant_a):
        sp, wo = spider(), worry()
        kid = case.children.get()
        mum = case_services.person_create(family=case.family, first_name="Mo", last_name="Ashby", kind="adult",
                                          by=acting())
        stranger = child(first="Zed", last="Other")
        with pytest.raises(ValidationError):
            reading(case, sp, "start", D(2023, 11, 9), a=1)  # before the case opened
        with pytest.raises(ValidationError):
            reading(case, sp, "start", D(2023, 12, 1), person=kid, a=1)  # a whole-family tool
        with pytest.raises(ValidationError):
            reading(case, wo, "start", D(2023, 12, 1), x=1)  # a child tool needs the child
        with pytest.raises(ValidationError):
            reading(case, wo, "start", D(2023, 12, 1), person=mum, x=1)  # for children only
        with pytest.raises(ValidationError):
            reading(case, wo, "start", D(2023, 12, 1), person=stranger, x=1)  # not the case's family
        reading(case, wo, "start", D(2023, 12, 1), person=kid, x=1)
        close(case, closed_on=D(2024, 2, 1))
        with pytest.raises(ValidationError):
            reading(case, wo, "end", D(2024, 2, 2), person=kid, x=1)  # after closure


def test_a_tool_in_use_gains_areas_in_a_new_version(tenant_a, case):
    with tenant_context(tenant_a):
        sp = spider()
        v1 = services.tool_areas_revise(tool=sp, areas=["Alpha", "Beta", "Gamma"],
                                        by=acting(role="tenant_admin"))  # unused: changed in place
        assert v1.number == 1 and list(v1.areas.values_list("key", flat=True)) == ["alpha", "beta", "gamma"]
        old = reading(case, sp, "start", D(2023, 12, 1), alpha=4)
        v2 = services.tool_areas_revise(tool=sp, areas=["Alpha", "Beta", "Gamma", "Delta"],
                                        by=acting(role="tenant_admin"))
        assert v2.number == 2 and old.version.number == 1
        assert list(old.version.areas.values_list("key", flat=True)) == ["alpha", "beta", "gamma"]
        with pytest.raises(ValidationError):
            services.tool_areas_revise(tool=sp, areas=["One", "Two"], by=acting(role="tenant_admin"))  # too few


def test_family_outcomes_need_a_closed_case_and_an_answer(tenant_a, case):
    with tenant_context(tenant_a):
        services.family_outcomes_ensure(tenant=tenant_a)
        parenting = FamilyOutcome.objects.get(code="parenting")
        with pytest.raises(ValidationError, match="close the case"):
            services.family_outcomes_record(case=case, progress={parenting: "improved"}, by=acting())
        close(case, closed_on=D(2024, 2, 1))
        with pytest.raises(ValidationError):
            services.family_outcomes_record(case=case, progress={parenting: None}, by=acting())
        with pytest.raises(ValidationError):
            services.family_outcomes_record(case=case, progress={parenting: "much better"}, by=acting())
        services.family_outcomes_record(case=case, progress={parenting: "worse"}, by=acting())
        services.family_outcomes_record(case=case, progress={parenting: "improved"},
                                        by=acting())  # recorded again: replaced
        assert list(case.family_outcomes.values_list("progress", flat=True)) == ["improved"]


# Supporting Families ----------------------------------------------------------------------------------------


def test_sustained_from_counts_calendar_months():
    assert sustained_from(D(2024, 1, 15)) == D(2024, 7, 15)
    assert sustained_from(D(2023, 8, 31)) == D(2024, 2, 29)  # clamped to the month's end (leap year)
    assert sustained_from(D(2024, 12, 31), 3) == D(2025, 3, 31)


@pytest.fixture
def enrolment(tenant_a, alice, case):
    with tenant_context(tenant_a):
        framework = services.programme_framework_ensure(tenant=tenant_a)
        areas = {o.key: o for o in framework.outcomes.all()}
        a = case_services.assessment_start(case=case, started_on=D(2023, 11, 12), by=acting())
        case_services.assessment_complete(assessment=a, completed_on=D(2023, 11, 20),
                                          needs=[need("PARENTING")], by=acting())
        case_services.plan_create(case=case, created_on=D(2023, 11, 25), summary="Plan", by=acting())
        return services.enrolment_create(
            family=case.family, framework=framework, enrolled_on=D(2023, 12, 1), case=case, lead_professional=alice,
            needs=[areas["good-education"], areas["housing"], areas["financial-stability"]], by=acting())


def _meet(enrolment, *days):
    for n, day in zip(enrolment.needs.order_by("id"), days, strict=True):
        services.need_evidence_record(need=n, kind="met", recorded_on=day, description="Evidence seen", by=acting())


def test_a_claim_is_possible_on_the_day_the_last_need_has_been_sustained_six_months(tenant_a, enrolment):
    with tenant_context(tenant_a):
        _meet(enrolment, D(2024, 1, 15), D(2024, 1, 20), D(2024, 1, 31))
        early = services.claim_check(enrolment=enrolment, as_of=D(2024, 7, 30))
        on_the_day = services.claim_check(enrolment=enrolment, as_of=D(2024, 7, 31))
        assert not early.eligible and len(early.problems) == 1 and "31 Jul 2024" in early.problems[0]
        assert on_the_day.eligible
        with pytest.raises(ValidationError):
            services.claim_prepare(enrolment=enrolment, prepared_on=D(2024, 7, 30), by=acting())
        claim = services.claim_prepare(enrolment=enrolment, prepared_on=D(2024, 7, 31), by=acting())
        with pytest.raises(ValidationError):
            services.claim_prepare(enrolment=enrolment, prepared_on=D(2024, 8, 1), by=acting())  # one live claim
        with pytest.raises(ValidationError):
            services.claim_decide(claim=claim, paid=True, decided_on=D(2024, 8, 1), by=acting())  # not yet submitted
        services.claim_submit(claim=claim, submitted_on=D(2024, 8, 1), by=acting())
        with pytest.raises(ValidationError):
            services.claim_decide(claim=claim, paid=False, decided_on=D(2024, 8, 2),
                                  by=acting())  # a rejection needs a reason
        services.claim_decide(claim=claim, paid=False, decided_on=D(2024, 8, 2), note="Evidence incomplete",
                              by=acting())
        assert claim.status == "rejected"
        again = services.claim_prepare(enrolment=enrolment, prepared_on=D(2024, 8, 3),
                                       by=acting())  # rejected: may re-claim
        services.claim_submit(claim=again, submitted_on=D(2024, 8, 3), by=acting())
        services.claim_decide(claim=again, paid=True, decided_on=D(2024, 9, 1), by=acting())
        assert again.status == "paid"


def test_a_relapse_stops_the_sustain_clock(tenant_a, enrolment):
    with tenant_context(tenant_a):
        _meet(enrolment, D(2024, 1, 15), D(2024, 1, 15), D(2024, 1, 15))
        first = enrolment.needs.order_by("id").first()
        services.need_evidence_record(need=first, kind="relapse", recorded_on=D(2024, 3, 1), description="Exclusion",
                                      by=acting())
        assert not services.claim_check(enrolment=enrolment, as_of=D(2024, 8, 1)).eligible
        services.need_evidence_record(need=first, kind="met", recorded_on=D(2024, 4, 1), description="Back at school",
                                      by=acting())
        assert not services.claim_check(enrolment=enrolment, as_of=D(2024, 9, 30)).eligible
        assert services.claim_check(enrolment=enrolment, as_of=D(2024, 10, 1)).eligible


def test_claim_rules_need_three_needs_a_lead_professional_an_assessment_and_a_plan(tenant_a, alice, member):
    bob = member(tenant_a, Role.PRACTITIONER, username="bob")
    team = team_for(tenant_a, bob)
    with tenant_context(tenant_a):
        framework = services.programme_framework_ensure(tenant=tenant_a)
        areas = list(framework.outcomes.all())
        bare = open_case(lead=bob, team=team, kid=child(first="Fay"), received_on=D(2023, 11, 1),
                         opened_on=D(2023, 11, 10))
        e = services.enrolment_create(family=bare.family, framework=framework, enrolled_on=D(2023, 12, 1),
                                      case=bare, needs=areas[:2], by=acting())
        for n in e.needs.all():
            services.need_evidence_record(need=n, kind="met", recorded_on=D(2023, 12, 2), description="Seen",
                                          by=acting())
        problems = " ".join(services.claim_check(enrolment=e, as_of=D(2024, 12, 1)).problems)
        assert "at least 3" in problems
        assert "no lead professional" in problems
        assert "no completed Early Help Assessment" in problems
        assert "no plan" in problems


def test_the_programme_table_counts_families_presenting_improved_and_sustained(tenant_a, enrolment):
    from earlyhelp.figures import Rate
    from earlyhelp.periods import Quarter
    from outcomes.stats import programme_stats

    with tenant_context(tenant_a):
        needs = list(enrolment.needs.order_by("id"))
        services.need_evidence_record(need=needs[0], kind="met", recorded_on=D(2024, 1, 15), description="Seen",
                                      by=acting())
        services.need_evidence_record(need=needs[1], kind="met", recorded_on=D(2024, 3, 1), description="Seen",
                                      by=acting())
        q1, q2 = programme_stats(period=Quarter(2024, 1)), programme_stats(period=Quarter(2024, 2))
    assert len(q1.rows) == 10  # every headline area is listed, presenting or not
    rows = {r.key: (r.presenting, r.improved, r.sustained) for r in q1.rows if r.presenting}
    assert rows == {"good-education": (1, 1, 0), "housing": (1, 1, 0), "financial-stability": (1, 0, 0)}
    assert {r.key: r.sustained for r in q2.rows if r.presenting} == {
        "good-education": 1, "housing": 1, "financial-stability": 0}
    assert q2.needs_sustained == Rate(2, 3) and q2.rows[0].improved_rate == Rate(1, 1)
    assert (q1.families_enrolled, q1.enrolled_in_period) == (1, 0)
    assert q1.claims == {"prepared": 0, "submitted": 0, "paid": 0, "rejected": 0}
