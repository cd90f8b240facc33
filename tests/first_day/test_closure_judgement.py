"""A closure judgement consistent with its evidence (issue #19): "Outcomes met" with "partially achieved" is
refused; "achieved fully" with the assessment not completed, a plan action not started, a need without progress
or a tool with no end reading asks for the lead professional's reason; nothing is saved until it agrees."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import services
from cases.models import Closure
from cases.tests.helpers import D, child, need, open_case, reason, team_for
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from outcomes.tests.helpers import reading, spider
from tests.factories import acting


@pytest.fixture
def alice(tenant_a, member):
    return member(tenant_a, Role.PRACTITIONER, username="alice")


@pytest.fixture
def case(tenant_a, alice):
    """An assessment started but not completed, a plan action not started, a spider graph started, not ended."""
    team = team_for(tenant_a, alice, "North Early Help Team")
    with tenant_context(tenant_a):
        case = open_case(lead=alice, team=team, kid=child(first="Ada", last="Ashby"))
        services.assessment_start(case=case, started_on=D(2024, 4, 25), by=acting())
        plan = services.plan_create(case=case, created_on=D(2024, 5, 1), by=acting())
        services.plan_action_add(plan=plan, description="Bedtime routine", owner="Mum", due_on=D(2024, 6, 1),
                                 by=acting())
        reading(case, spider(), "start", D(2024, 5, 2), a=3, b=4)
    return case


def close(case, **changes):
    data = {"closed_on": D(2024, 9, 1), "reason": reason("OUTCOMES_MET"), "judgement": "fully",
            "summary": "Routines in place."} | changes
    return services.case_close(case=case, **data, by=acting())


def test_outcomes_met_with_outcomes_partially_achieved_asks_why(tenant_a, case):
    with tenant_context(tenant_a), pytest.raises(ValidationError) as error:
        close(case, judgement="partially")
    assert "says the outcomes were met" in str(error.value.message_dict["evidence_reason"])
    assert not Closure.all_tenants.exists()


def test_achieved_fully_against_gaps_in_the_record_asks_why(tenant_a, case):
    with tenant_context(tenant_a):
        with pytest.raises(ValidationError) as error:
            close(case, need_progress={need("PARENTING"): "no_change"})
        message = " ".join(error.value.message_dict["evidence_reason"])
        for gap in ("the Early Help Assessment is not completed", "1 plan action not started",
                    "no progress with 'Parenting and family relationships'", "'Spider' has no end reading"):
            assert gap in message
        assert not Closure.objects.exists()
        closure = close(case, evidence_reason="The family moved on to universal services; the school confirms "
                                              "attendance above 95%.")
        assert closure.evidence_reason.startswith("The family moved on")


def test_a_judgement_that_does_not_claim_success_needs_no_reason(tenant_a, case):
    with tenant_context(tenant_a):
        closure = close(case, reason=reason("MOVED_AWAY"), judgement="partially")
    assert closure.evidence_reason == ""


def test_the_closure_form_shows_the_question_on_its_field(alice, case, sign_in, tenant_a):
    with tenant_context(tenant_a):
        outcomes_met = reason("OUTCOMES_MET").pk
    response = sign_in(alice).post(reverse("cases:close", args=[case.public_id]), {
        "closed_on": "2024-09-01", "reason": outcomes_met, "judgement": "fully", "summary": "Routines in place."})
    text = response.content.decode()
    assert response.status_code == 200 and 'href="#id_evidence_reason"' in text
    assert "the Early Help Assessment is not completed" in text
    assert not Closure.all_tenants.exists()


def test_the_case_page_shows_why_outcomes_were_judged_achieved(alice, case, sign_in, tenant_a):
    with tenant_context(tenant_a):
        close(case, evidence_reason="School confirms attendance above 95%.")
    page = sign_in(alice).get(reverse("cases:case", args=[case.public_id])).content.decode()
    assert "Why, despite gaps in the record:" in page and "School confirms attendance above 95%." in page
