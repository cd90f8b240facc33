"""The demo's outcomes: present, plausible, the same on every run, and idempotent."""

from io import StringIO

from django.core.management import call_command

from earlyhelp.models import Tenant
from earlyhelp.tenancy import tenant_context
from outcomes.models import CaseFamilyOutcome, Claim, Enrolment, Reading


def _counts():
    out = {}
    for tenant in Tenant.objects.order_by("slug"):
        with tenant_context(tenant):
            out[tenant.slug] = (Reading.objects.count(), CaseFamilyOutcome.objects.count(),
                                Enrolment.objects.count(), Claim.objects.count(),
                                sorted(set(Reading.objects.values_list("stage", flat=True))))
    return out


def test_the_demo_has_readings_family_outcomes_and_claims_and_seeds_once(db):
    call_command("seed_demo", password="demo-check-passphrase", stdout=StringIO())
    first = _counts()
    for readings, family_outcomes, enrolments, claims, stages in first.values():
        assert readings > 50 and family_outcomes > 20 and enrolments >= 3 and claims >= 1
        assert stages == ["end", "review", "start"]
    call_command("seed_demo", stdout=StringIO())
    assert _counts() == first
