"""Supporting Families pages: alice (a practitioner) enrols the Ashby family from its case and records evidence;
tom (a team manager) prepares, submits and settles the claim; alice may not touch claims (403); carol (a
commissioner) sees no family (403); an outsider from another authority gets 404 for every object."""

import pytest
from django.urls import reverse

from cases import services as case_services
from cases.tests.helpers import D, need, open_case, team_for
from earlyhelp.models import AuditEvent
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from outcomes import services
from outcomes.models import Claim, Enrolment, NeedEvidence
from tests.factories import acting


@pytest.fixture
def world(tenant_a, tenant_b, member):
    alice = member(tenant_a, Role.PRACTITIONER, username="alice")
    tom = member(tenant_a, Role.TEAM_MANAGER, username="tom")
    team = team_for(tenant_a, alice)
    with tenant_context(tenant_a):
        services.outcomes_defaults_ensure(tenant=tenant_a)
        case = open_case(lead=alice, team=team, received_on=D(2023, 11, 1), opened_on=D(2023, 11, 10))
        a = case_services.assessment_start(case=case, started_on=D(2023, 11, 12), by=acting())
        case_services.assessment_complete(assessment=a, completed_on=D(2023, 11, 20), needs=[need("PARENTING")],
                                          by=acting())
        case_services.plan_create(case=case, created_on=D(2023, 11, 25), summary="Plan", by=acting())
    return {"alice": alice, "tom": tom, "case": case, "tenant": tenant_a,
            "carol": member(tenant_a, Role.COMMISSIONER, username="carol"),
            "outsider": member(tenant_b, Role.TEAM_MANAGER, username="outsider")}


def _enrol(client, case, *keys, on="2023-12-01"):
    with tenant_context(case.tenant):
        framework = services.programme_framework_ensure(tenant=case.tenant)
        ids = [str(o.pk) for o in framework.outcomes.filter(key__in=keys)]
    return client.post(reverse("outcomes:enrol", kwargs={"public_id": case.public_id}),
                       {"needs": ids, "enrolled_on": on})


def _enrolment(world) -> Enrolment:
    with tenant_context(world["tenant"]):
        return Enrolment.objects.select_related("family").get()


def test_alice_enrols_the_family_with_its_problems_and_sees_why_no_claim_is_possible(world, sign_in):
    client = sign_in(world["alice"])
    form = client.get(reverse("outcomes:enrol", kwargs={"public_id": world["case"].public_id}))
    assert form.status_code == 200 and b"Getting a good education" in form.content and b"Secure housing" in form.content
    response = _enrol(client, world["case"], "good-education", "housing", "financial-stability")
    enrolment = _enrolment(world)
    assert response.status_code == 302 and response["Location"] == reverse(
        "outcomes:enrolment", kwargs={"public_id": enrolment.public_id})
    with tenant_context(world["tenant"]):
        assert sorted(enrolment.needs.values_list("outcome__key", flat=True)) == [
            "financial-stability", "good-education", "housing"]
        assert enrolment.lead_professional == world["alice"] and enrolment.case == world["case"]
    page = client.get(response["Location"]).content.decode()
    assert "Ashby family" in page and "A claim cannot be made today" in page
    assert "Getting a good education: the outcome has not been met." in page
    assert "Prepare a claim" not in page
    # the case page links here; enrolling twice lands on the same page
    again = client.get(reverse("outcomes:enrol", kwargs={"public_id": world["case"].public_id}))
    assert again.status_code == 302 and again["Location"] == response["Location"]


def test_an_enrolment_in_the_future_is_shown_in_the_error_summary(world, sign_in):
    page = _enrol(sign_in(world["alice"]), world["case"], "housing", on="2999-01-01")
    assert page.status_code == 200 and b"There is a problem" in page.content
    assert b"cannot be in the future" in page.content
    nothing = _enrol(sign_in(world["alice"]), world["case"])
    assert b"There is a problem" in nothing.content and b"govuk-error-message" in nothing.content


def test_evidence_meets_each_need_and_a_claim_goes_from_prepared_to_paid(world, sign_in):
    alice = sign_in(world["alice"])
    _enrol(alice, world["case"], "good-education", "housing", "financial-stability")
    enrolment = _enrolment(world)
    with tenant_context(world["tenant"]):
        needs = list(enrolment.needs.order_by("id"))
    url = reverse("outcomes:evidence-new", kwargs={"public_id": enrolment.public_id, "need_id": needs[0].public_id})
    assert alice.get(url).status_code == 200
    refused = alice.post(url, {"kind": "relapse", "recorded_on": "2024-01-15", "description": "Excluded"})
    assert b"Only a met outcome can relapse" in refused.content and b"There is a problem" in refused.content
    for n in needs:
        url = reverse("outcomes:evidence-new", kwargs={"public_id": enrolment.public_id, "need_id": n.public_id})
        ok = alice.post(url, {"kind": "met", "recorded_on": "2024-01-15", "source": "School records",
                              "description": "Attendance above 95% for a term"})
        assert ok.status_code == 302
    with tenant_context(world["tenant"]):
        assert NeedEvidence.objects.count() == 3
    page = alice.get(reverse("outcomes:enrolment", kwargs={"public_id": enrolment.public_id})).content.decode()
    assert "A claim can be made today" in page and "Sustained" in page
    assert "A team manager prepares the claim" in page
    claim_new = reverse("outcomes:claim-new", kwargs={"public_id": enrolment.public_id})
    assert alice.get(claim_new).status_code == 403  # practitioners do not claim

    tom = sign_in(world["tom"])
    too_early = tom.post(claim_new, {"prepared_on": "2024-07-14"})
    assert too_early.status_code == 200 and b"sustained for 6 months only from 15 Jul 2024" in too_early.content
    prepared = tom.post(claim_new, {"prepared_on": "2024-07-15"})  # the boundary day
    with tenant_context(world["tenant"]):
        claim = Claim.objects.get()
    claim_url = reverse("outcomes:claim", kwargs={"public_id": claim.public_id})
    assert prepared.status_code == 302 and prepared["Location"] == claim_url
    pack = tom.get(claim_url).content.decode()
    assert "Evidence pack" in pack and "Attendance above 95% for a term" in pack and "School records" in pack
    assert "15 Jul 2024" in pack and "Submit the claim" in pack

    submit = reverse("outcomes:claim-submit", kwargs={"public_id": claim.public_id})
    decide = reverse("outcomes:claim-decide", kwargs={"public_id": claim.public_id})
    assert tom.post(decide, {"outcome": "paid", "decided_on": "2024-08-01"}).status_code == 200  # not submitted
    assert b"before it was prepared" in tom.post(submit, {"submitted_on": "2024-07-01"}).content
    assert tom.post(submit, {"submitted_on": "2024-07-20"}).status_code == 302
    no_reason = tom.post(decide, {"outcome": "rejected", "decided_on": "2024-08-01"})
    assert b"Give the reason the claim was rejected" in no_reason.content
    assert tom.post(decide, {"outcome": "paid", "decided_on": "2024-08-01"}).status_code == 302
    with tenant_context(world["tenant"]):
        claim.refresh_from_db()
        assert claim.status == "paid" and claim.decided_on == D(2024, 8, 1)
        assert AuditEvent.objects.filter(action="outcomes.claim_decided").exists()
        assert AuditEvent.objects.filter(action="outcomes.enrolment_viewed").exists()
    listing = alice.get(reverse("outcomes:claims"), {"status": "paid"}).content.decode()
    assert "Ashby family" in listing and "Paid" in listing
    assert "Ashby family" not in alice.get(reverse("outcomes:claims"), {"status": "rejected"}).content.decode()
    families = alice.get(reverse("outcomes:programme")).content.decode()
    assert "Ashby family" in families and "3 of 3" in families


def test_the_case_page_links_to_its_outcomes_and_supporting_families(world, sign_in, tenant_a):
    client = sign_in(world["alice"])
    case_url = reverse("cases:case", kwargs={"public_id": world["case"].public_id})
    page = client.get(case_url).content.decode()
    assert reverse("outcomes:case", kwargs={"public_id": world["case"].public_id}) in page
    assert reverse("outcomes:enrol", kwargs={"public_id": world["case"].public_id}) in page
    family_outcomes = reverse("outcomes:family-outcomes", kwargs={"public_id": world["case"].public_id})
    assert family_outcomes not in page  # only once the case is closed
    from cases.tests.helpers import close

    with tenant_context(tenant_a):
        close(world["case"], closed_on=D(2024, 9, 1))
    assert family_outcomes in client.get(case_url).content.decode()


def _objects(world, sign_in):
    _enrol(sign_in(world["alice"]), world["case"], "good-education", "housing", "financial-stability")
    enrolment = _enrolment(world)
    with tenant_context(world["tenant"]):
        needs = list(enrolment.needs.all())
        for n in needs:
            services.need_evidence_record(need=n, kind="met", recorded_on=D(2024, 1, 15), description="Seen",
                                          by=acting())
        claim = services.claim_prepare(enrolment=enrolment, prepared_on=D(2024, 7, 15), by=acting())
    return enrolment, needs[0], claim


def test_outsiders_get_404_and_roles_without_the_right_403(world, sign_in):
    enrolment, first_need, claim = _objects(world, sign_in)
    e, c = {"public_id": enrolment.public_id}, {"public_id": claim.public_id}
    urls = {  # url: roles allowed among alice (practitioner), tom (team manager)
        reverse("outcomes:enrolment", kwargs=e): {"alice", "tom"},
        reverse("outcomes:evidence-new", kwargs={**e, "need_id": first_need.public_id}): {"alice", "tom"},
        reverse("outcomes:claim-new", kwargs=e): {"tom"},
        reverse("outcomes:claim", kwargs=c): {"alice", "tom"},
        reverse("outcomes:claim-submit", kwargs=c): {"tom"},
        reverse("outcomes:claim-decide", kwargs=c): {"tom"},
    }
    for url, allowed in urls.items():
        for name in ("alice", "tom"):
            status = sign_in(world[name]).get(url).status_code
            assert status == (200 if name in allowed else 403), (url, name, status)
        assert sign_in(world["carol"]).get(url).status_code == 403, url
        assert sign_in(world["outsider"]).get(url).status_code == 404, url
    for name in ("programme", "claims"):
        assert sign_in(world["carol"]).get(reverse(f"outcomes:{name}")).status_code == 403
        outsider_page = sign_in(world["outsider"]).get(reverse(f"outcomes:{name}"))
        assert outsider_page.status_code == 200 and b"Ashby" not in outsider_page.content
    enrol = reverse("outcomes:enrol", kwargs={"public_id": world["case"].public_id})
    assert sign_in(world["outsider"]).get(enrol).status_code == 404
    assert sign_in(world["carol"]).get(enrol).status_code == 403
    # another tenant's need under our enrolment is not found either
    other = reverse("outcomes:evidence-new", kwargs={**e, "need_id": claim.public_id})
    assert sign_in(world["alice"]).get(other).status_code == 404


def test_alice_adds_a_need_that_came_to_light_after_enrolment(world, sign_in):
    client = sign_in(world["alice"])
    _enrol(client, world["case"], "good-education", "housing")
    enrolment = _enrolment(world)
    url = reverse("outcomes:need-new", kwargs={"public_id": enrolment.public_id})
    page = client.get(reverse("outcomes:enrolment", kwargs={"public_id": enrolment.public_id})).content.decode()
    assert url in page
    form = client.get(url).content.decode()
    assert "Secure housing" not in form and "Improved family relationships" in form  # areas already taken are gone
    with tenant_context(world["tenant"]):
        outcome = enrolment.framework.outcomes.get(key="family-relationships")
        housing = enrolment.framework.outcomes.get(key="housing")
    refused = client.post(url, {"outcome": outcome.pk, "identified_on": "2023-11-30"})
    assert refused.status_code == 200
    assert "cannot be identified before the family was enrolled" in refused.content.decode()
    refused = client.post(url, {"outcome": housing.pk, "identified_on": "2024-01-10"})
    assert "Select a valid choice" in refused.content.decode()  # already a need in that area
    response = client.post(url, {"outcome": outcome.pk, "identified_on": "2024-01-10",
                                 "description": "Arguments at home reported by school"})
    assert response.status_code == 302
    with tenant_context(world["tenant"]):
        added = enrolment.needs.get(outcome=outcome)
        assert added.identified_on == D(2024, 1, 10) and added.description.startswith("Arguments")
        assert enrolment.needs.count() == 3
        assert AuditEvent.objects.filter(action="outcomes.need_added", object_public_id=str(added.public_id)).exists()


def test_no_need_is_added_once_a_claim_is_submitted(world, sign_in):
    client = sign_in(world["alice"])
    _enrol(client, world["case"], "good-education", "housing", "financial-stability")
    enrolment = _enrolment(world)
    with tenant_context(world["tenant"]):
        claim = Claim.objects.create(enrolment=enrolment, prepared_on=D(2024, 7, 15), submitted_on=D(2024, 7, 16),
                                     status=Claim.Status.SUBMITTED)
        outcome = enrolment.framework.outcomes.get(key="family-relationships")
    response = client.post(reverse("outcomes:need-new", kwargs={"public_id": enrolment.public_id}),
                           {"outcome": outcome.pk, "identified_on": "2024-07-20"})
    assert "A claim for this family has been submitted" in response.content.decode()
    with tenant_context(world["tenant"]):
        assert enrolment.needs.count() == 3 and claim.pk


def test_adding_a_need_is_for_case_workers_of_this_authority(world, sign_in):
    _enrol(sign_in(world["alice"]), world["case"], "good-education")
    url = reverse("outcomes:need-new", kwargs={"public_id": _enrolment(world).public_id})
    assert sign_in(world["carol"]).get(url).status_code == 403
    assert sign_in(world["outsider"]).get(url).status_code == 404
