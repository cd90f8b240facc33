"""The casework pages: alice (practitioner) uses them; bob (a commissioner of the same authority) gets 403;
an outsider (a practitioner of another authority) gets 404 for this authority's records."""

import pytest
from django.urls import reverse

from cases import services
from cases.models import Case, Closure, Referral
from earlyhelp.models import AuditEvent
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from tests.factories import acting

from .helpers import D, child, level, open_case, reason, team_for


@pytest.fixture
def alice(tenant_a, member):
    return member(tenant_a, Role.PRACTITIONER, username="alice")


@pytest.fixture
def bob(tenant_a, member):
    return member(tenant_a, Role.COMMISSIONER, username="bob")


@pytest.fixture
def outsider(tenant_b, member):
    return member(tenant_b, Role.PRACTITIONER, username="outsider")


@pytest.fixture
def team(tenant_a, alice):
    return team_for(tenant_a, alice, "North Early Help Team")


@pytest.fixture
def case(tenant_a, alice, team):
    with tenant_context(tenant_a):
        case = open_case(lead=alice, team=team, kid=child(first="Ada", last="Ashby"))
        assessment = services.assessment_start(case=case, started_on=D(2024, 4, 25), by=acting())
        plan = services.plan_create(case=case, created_on=D(2024, 5, 1), by=acting())
        action = services.plan_action_add(plan=plan, description="Bedtime routine", owner="Mum",
                                          due_on=D(2024, 6, 1), by=acting())
    case.ids = {"assessment_id": assessment.public_id, "plan_id": plan.public_id, "action_id": action.public_id}
    return case


def case_urls(case):
    p = case.public_id
    i = case.ids
    return [
        reverse("cases:case", args=[p]),
        reverse("cases:assessment-start", args=[p]),
        reverse("cases:assessment-complete", args=[p, i["assessment_id"]]),
        reverse("cases:plan-create", args=[p]),
        reverse("cases:plan-action-add", args=[p, i["plan_id"]]),
        reverse("cases:plan-action-status", args=[p, i["action_id"]]),
        reverse("cases:review", args=[p]),
        reverse("cases:step-change", args=[p]),
        reverse("cases:panel-decision", args=[p]),
        reverse("cases:taf-add", args=[p]),
        reverse("cases:close", args=[p]),
        reverse("cases:feedback", args=[p]),
        reverse("cases:referral", args=[case.referral.public_id]),
        reverse("cases:referral-decide", args=[case.referral.public_id]),
        reverse("cases:case-open", args=[case.referral.public_id]),
    ]


LIST_URLS = ["cases:caseload", "cases:referrals", "cases:referral-new"]


def test_alice_sees_every_page(alice, case, sign_in):
    client = sign_in(alice)
    for url in [*case_urls(case), *(reverse(n) for n in LIST_URLS)]:
        assert client.get(url).status_code == 200, url


def test_bob_without_the_role_gets_403_everywhere(bob, case, sign_in):
    client = sign_in(bob)
    urls = [*case_urls(case), *(reverse(n) for n in LIST_URLS), reverse("cases:team"),
            reverse("cases:audit", args=[case.public_id])]
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url


def test_the_outsider_gets_404_for_another_authoritys_records(outsider, case, sign_in):
    client = sign_in(outsider)
    for url in case_urls(case):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url


def test_the_case_file_audit_is_for_auditors(tenant_a, member, alice, case, sign_in):
    url = reverse("cases:audit", args=[case.public_id])
    assert sign_in(alice).get(url).status_code == 403
    auditor = member(tenant_a, Role.AUDITOR, username="agnes")
    client = sign_in(auditor)
    assert client.get(url).status_code == 200
    grades = dict.fromkeys(["assessment", "plan", "review", "voice_of_child", "management_oversight", "overall"],
                           "requires_improvement")
    response = client.post(url, {"audited_on": "2024-06-01", **grades, "comments": "Plan not SMART."})
    assert response.status_code == 302
    assert AuditEvent.all_tenants.filter(action="case_file_audit.recorded").exists()


def test_a_team_manager_audits_their_teams_case_files_and_no_others(tenant_a, member, case, team, sign_in):
    from cases.models import CaseFileAudit
    from earlyhelp.models import Membership, Team

    url = reverse("cases:audit", args=[case.public_id])
    grades = dict.fromkeys(CaseFileAudit.AREAS, "good")
    manager = member(tenant_a, Role.TEAM_MANAGER, username="marcus")
    elsewhere = member(tenant_a, Role.TEAM_MANAGER, username="mina")
    with tenant_context(tenant_a):
        Membership.objects.get(user=manager).teams.add(team)
        Membership.objects.get(user=elsewhere).teams.add(Team.objects.create(name="Elsewhere"))
    client = sign_in(elsewhere)
    assert "Audit the case file" not in client.get(reverse("cases:case", args=[case.public_id])).content.decode()
    assert client.get(url).status_code == 403
    assert client.post(url, {"audited_on": "2024-06-01", **grades}).status_code == 403
    client = sign_in(manager)
    assert "Audit the case file" in client.get(reverse("cases:case", args=[case.public_id])).content.decode()
    assert client.get(url).status_code == 200
    assert client.post(url, {"audited_on": "2024-06-01", **grades}).status_code == 302
    assert CaseFileAudit.all_tenants.get().auditor == manager


def test_the_team_view_is_for_managers(tenant_a, member, alice, case, team, sign_in):
    assert sign_in(alice).get(reverse("cases:team")).status_code == 403
    manager = member(tenant_a, Role.TEAM_MANAGER, username="marcus")
    with tenant_context(tenant_a):
        manager.memberships.get().teams.add(team)
    content = sign_in(manager).get(reverse("cases:team")).content.decode()
    assert "Ashby family" in content and str(alice) in content


def test_opening_the_case_page_records_an_audit_read(alice, case, sign_in):
    sign_in(alice).get(reverse("cases:case", args=[case.public_id]))
    assert AuditEvent.all_tenants.filter(action="case.viewed", object_public_id=str(case.public_id),
                                         actor=alice).exists()


@pytest.mark.parametrize(("name", "action", "record"), [
    ("cases:case", "case.viewed", lambda case: case),
    ("cases:notes", "case_notes.viewed", lambda case: case),
    ("cases:referral", "referral.viewed", lambda case: case.referral),
    ("cases:family", "family.viewed", lambda case: case.family),
])
def test_viewing_a_record_page_writes_a_read_row_without_the_chain_lock(alice, case, sign_in, name, action, record):
    """Views are read rows (earlyhelp.audit.record_read): keyed, outside the chain and without the council's chain
    lock, so that no page view of a council waits for another's audit row (bench/load.py --national). No statement
    of the request takes the lock."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    obj = record(case)
    client = sign_in(alice)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name, args=[obj.public_id]))
    assert response.status_code == 200
    assert queries.captured_queries
    assert not [q["sql"] for q in queries.captured_queries if "pg_advisory" in q["sql"]]
    row = AuditEvent.all_tenants.get(action=action, actor=alice,
                                     object_public_id=str(case.public_id if name == "cases:notes" else obj.public_id))
    assert row.chained is False and row.row_mac and row.row_hash == "" and row.prev_hash == ""


def test_printing_the_case_file_is_chained_after_the_pdf(alice, case, sign_in, monkeypatch):
    """A print is data leaving the system: chained (record_event), and appended after the PDF is rendered, so
    the council's chain lock is not held through the rendering."""
    from cases.views import casework

    seen = []

    def pdf(*, case):
        seen.append(AuditEvent.all_tenants.filter(action="case.printed").count())
        return b"%PDF-1.7"

    monkeypatch.setattr(casework, "case_file_pdf", pdf)
    response = sign_in(alice).get(reverse("cases:case-file-pdf", args=[case.public_id]))
    assert response.status_code == 200 and seen == [0]
    assert AuditEvent.all_tenants.get(action="case.printed", object_public_id=str(case.public_id)).chained is True


def test_the_caseload_shows_my_cases_with_drift_and_searches(alice, case, sign_in):
    client = sign_in(alice)
    content = client.get(reverse("cases:caseload")).content.decode()
    assert "Ashby family" in content and "No completed assessment" in content  # opened April 2024
    assert "Ashby family" not in client.get(reverse("cases:caseload") + "?q=Zebedee").content.decode()
    assert "Ashby family" in client.get(reverse("cases:caseload") + "?q=ada").content.decode()


def test_a_service_rule_shows_on_the_form(alice, case, sign_in):
    response = sign_in(alice).post(reverse("cases:close", args=[case.public_id]),
                                   {"closed_on": "2024-09-01", "reason": "", "judgement": "fully", "summary": ""})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_the_whole_flow_through_the_forms(tenant_a, alice, team, sign_in):
    client = sign_in(alice)
    search = client.get(reverse("cases:referral-new"), {"name": "Ada Ashby"}).content.decode()
    assert "No one matches" in search
    with tenant_context(tenant_a):
        from cases.models import PresentingNeed, ReferralSource

        school = ReferralSource.objects.get(code="2A").pk
        parenting = PresentingNeed.objects.get(code="PARENTING").pk
        level2 = level(2).pk
        outcomes_met = reason("OUTCOMES_MET").pk
    response = client.post(reverse("cases:referral-new"), {
        "family": "", "children": "1", "adults": "0", "action": "save",
        "family-name": "Ashby family", "family-postcode": "NB1 1AA", "child-0-first_name": "Ada",
        "child-0-last_name": "Ashby", "child-0-date_of_birth": "2015-03-01", "child-0-sex": "F",
        "child-0-ethnicity": "WBRI", "child-0-nhs_number_absent_reason": "not_known", "consent-method": "written",
        "received_on": "2024-04-10", "source": school, "route": "direct", "presenting_needs": [parenting],
        "reason": "Late to school most days.",
    })
    assert response.status_code == 302, response.content.decode()
    referral = Referral.all_tenants.get()
    duplicates = client.get(reverse("cases:referral-new"), {"name": "ada", "date_of_birth": "2015-03-01"})
    assert "Possible matches" in duplicates.content.decode()
    with tenant_context(tenant_a):
        kid = referral.children.get().pk
    open_form = {"lead_professional": alice.pk, "team": team.pk, "level_of_need": level2, "opened_on": "2024-04-20",
                 "children": [kid]}
    refused = client.post(reverse("cases:case-open", args=[referral.public_id]), open_form)
    assert "Record the family&#x27;s consent to early help" in refused.content.decode()  # no consent yet
    response = client.post(reverse("cases:referral-consent", args=[referral.public_id]), {
        "scope": "early_help", "status": "given", "decided_on": "2024-04-15", "given_by": "Claire Ashby (mother)",
        "method": "written"})
    assert response.status_code == 302, response.content.decode()
    response = client.post(reverse("cases:case-open", args=[referral.public_id]), {
        "lead_professional": alice.pk, "team": team.pk, "level_of_need": level2, "opened_on": "2024-04-20",
        "children": [kid],
    })
    assert response.status_code == 302, response.content.decode()
    case = Case.all_tenants.get()
    p = case.public_id
    assert client.post(reverse("cases:assessment-start", args=[p]), {"started_on": "2024-04-25"}).status_code == 302
    with tenant_context(tenant_a):
        assessment = case.assessments.get()
    r = client.post(reverse("cases:assessment-complete", args=[p, assessment.public_id]), {
        "completed_on": "2024-05-10", "needs": [parenting], "child_voice_recorded": "on",
        "child_voice": "I like it when mum walks me to school."})
    assert r.status_code == 302, r.content.decode()
    assert client.post(reverse("cases:review", args=[p]), {"held_on": "2024-05-20"}).status_code == 200  # no plan
    assert client.post(reverse("cases:plan-create", args=[p]), {"created_on": "2024-05-12"}).status_code == 302
    r = client.post(reverse("cases:review", args=[p]), {"held_on": "2024-06-20", "next_review_on": "2024-08-20"})
    assert r.status_code == 302
    r = client.post(reverse("cases:close", args=[p]), {
        "closed_on": "2024-09-01", "reason": outcomes_met, "judgement": "fully", "summary": "Attendance 97%.",
        f"need_{parenting}": "resolved"})
    assert r.status_code == 302, r.content.decode()
    closure = Closure.all_tenants.get()
    assert closure.case_id == case.pk
    page = client.get(reverse("cases:case", args=[p])).content.decode()
    for text in ("Referral received", "Case opened", "Early Help Assessment completed", "Plan made", "Review held",
                 "Case closed"):
        assert text in page
