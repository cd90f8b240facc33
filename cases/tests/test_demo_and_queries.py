"""The demo year, and the caseload page's fixed number of queries."""

from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import (
    Allocation,
    Case,
    CaseNote,
    Consent,
    Family,
    FamilyMeeting,
    Feedback,
    Intervention,
    Person,
    PreProceedings,
    Referral,
    ReferralSource,
    Relationship,
    Section17Episode,
    StepChange,
    Supervision,
)
from earlyhelp.models import Membership, Tenant
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context

from .helpers import child, open_case, team_for


def test_the_demo_seeds_a_year_once_and_gives_the_practitioner_a_caseload(db):
    call_command("seed_demo", password="demo-check-passphrase", stdout=StringIO())
    tenant = Tenant.objects.get(slug="northbridge")
    with tenant_context(tenant):
        families = Family.objects.count()
        assert families >= 200
        used = set(Referral.objects.values_list("source__code", flat=True))
        assert used == set(ReferralSource.objects.values_list("code", flat=True))  # every source
        assert Case.objects.filter(closed_on__isnull=True).exists() and Case.objects.filter(closed_on__isnull=False)
        assert {"step_up", "step_down"} <= set(StepChange.objects.values_list("kind", flat=True))
        assert Feedback.objects.exists() and Referral.objects.filter(is_re_referral=True).exists()
        practitioner = Membership.objects.get(user__username="nb.practitioner").user
        assert Case.objects.filter(lead_professional=practitioner, closed_on__isnull=True).count() >= 10
        # Practice records: every case has consent and an allocation history; notes, supervision, a queue,
        # transfers, a withdrawal and referrals to the tenant's commissioned services exist.
        assert not Case.objects.exclude(family__consents__status="given").exists()
        assert Allocation.objects.filter(kind="opened").count() == Case.objects.count()
        assert Allocation.objects.filter(kind="transferred").exists()
        assert Case.objects.filter(lead_professional__isnull=True, closed_on__isnull=True).exists()
        assert CaseNote.objects.filter(is_significant=True).exists() and Supervision.objects.exists()
        assert Consent.objects.filter(status="withdrawn").exists()
        assert Intervention.objects.filter(started_on__isnull=False).exists()
        # The Marlow family's record kept on the family page: half-siblings, a traced NHS number.
        ollie = Person.objects.get(first_name="Ollie", last_name="Marlow")
        assert ollie.nhs_number_status == "verified" and ollie.nhs_number_verified_how == "pds_trace"
        assert Relationship.objects.filter(person=ollie, relative__first_name="Ivy", kind="half_sibling").exists()
    eastmoor = Tenant.objects.get(slug="eastmoor")
    assert eastmoor.service_model == "family_help" and tenant.service_model == "early_help"
    with tenant_context(eastmoor):
        # Family Help: section 17 started and ended on one case, family meetings with the family's network, a step
        # up to a multi-agency child protection team with its lead practitioner, and registered social workers.
        assert Section17Episode.objects.filter(ended_on__isnull=False).exists()
        assert Section17Episode.objects.filter(ended_on__isnull=True).exists()
        assert FamilyMeeting.objects.filter(held_on__isnull=False).exclude(family_plan="").exists()
        assert FamilyMeeting.objects.filter(declined_on__isnull=False).exists()
        assert FamilyMeeting.objects.exclude(module5_outcome_code="").exists()
        assert StepChange.objects.filter(kind="step_up_macpt").exclude(lead_cp_practitioner_name="").count() >= 2
        assert Membership.objects.filter(is_registered_social_worker=True).exclude(
            social_work_england_number="").exists()
        for episode in Section17Episode.objects.select_related("case__lead_professional"):
            assert Membership.objects.get(user=episode.case.lead_professional).is_registered_social_worker \
                or episode.ended_on is not None
    with tenant_context(tenant):
        assert not Section17Episode.objects.exists()
    call_command("seed_demo", stdout=StringIO())
    with tenant_context(tenant):
        assert Family.objects.count() == families  # idempotent
    with tenant_context(eastmoor):
        # Two cases moved into section 17 and a child in need whose case went into pre-proceedings; seeded once.
        assert Section17Episode.objects.count() == 3
        assert PreProceedings.objects.count() == 1


def test_the_caseload_page_uses_a_fixed_number_of_queries(tenant_a, member, sign_in):
    alice = member(tenant_a, Role.PRACTITIONER, username="alice")
    team = team_for(tenant_a, alice, "North")
    client = sign_in(alice)

    def queries_for_caseload(cases_to_add: int, start: int) -> int:
        with tenant_context(tenant_a):
            for i in range(start, start + cases_to_add):
                open_case(lead=alice, team=team, kid=child(first=f"Kid{i}", last=f"Family{i}"))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("cases:caseload") + "?scope=team")
        assert response.status_code == 200
        return len(queries)

    few = queries_for_caseload(3, 0)
    many = queries_for_caseload(20, 3)
    assert few == many <= 20
