"""The committee report's performance framework carries 'families offered a family meeting before step-up to child
protection' for a Family Help council, as a count with its base, through disclosure control; an early help
council's framework does not show it."""

import pytest

from cases import services
from cases.tests.helpers import D, child, level, open_case, team_for
from earlyhelp.models import Tenant
from earlyhelp.periods import FinancialYear
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from outcomes.stats import performance_framework
from reporting import sections
from reporting.sections.base import ReportContext
from tests.factories import acting

MEASURE = "family_meeting_before_step_up"
LABEL = "Families offered a family meeting before step-up to child protection"


@pytest.fixture
def stepped_up(tenant_a, member):
    """Six families stepped up to a multi-agency child protection team in 2024/25, two offered a meeting first."""
    tenant_a.service_model = Tenant.ServiceModel.FAMILY_HELP
    tenant_a.save(update_fields=["service_model"])
    worker = member(tenant_a, Role.PRACTITIONER, username="sam")
    team = team_for(tenant_a, worker, "Family Help")
    with tenant_context(tenant_a):
        by = worker.memberships.get()
        for i in range(6):
            case = open_case(lead=worker, team=team, kid=child(first=f"Kid{i}", last=f"Family{i}"))
            if i < 2:
                gran = services.person_create(family=case.family, first_name="Gran", last_name=f"Family{i}",
                                              kind="adult", by=acting())
                services.family_meeting_offer(case=case, offered_on=D(2024, 5, 1), network_members=[gran], by=by)
            services.step_up_macpt_record(case=case, occurred_on=D(2024, 6, 1), level_after=level(4),
                                          lead_cp_practitioner_name="Priya Shah", by=by)
    return tenant_a


def test_the_framework_counts_families_offered_a_meeting_before_step_up(stepped_up):
    with tenant_context(stepped_up):
        measure = performance_framework(period=FinancialYear(2024)).measure(MEASURE)
    assert (measure.numerator, measure.base) == (2, 6)
    assert "out of families stepped up" in measure.definition


def test_the_report_prints_the_figure_with_its_base_and_hides_a_small_numerator_in_public(stepped_up):
    section = sections.get("performance_framework")
    with tenant_context(stepped_up):
        context = ReportContext(tenant=stepped_up, parameters={}, period=FinancialYear(2024), public=True,
                                threshold=5, decimals=0)
        snapshot = section.build(context)
    assert any(d["id"] == f"framework.{MEASURE}" for d in snapshot["definitions"])
    exempt = section.render(snapshot, number=3, public=False, threshold=5, decimals=0)
    assert LABEL in exempt and "2 of 6" in exempt
    public = section.render(snapshot, number=3, public=True, threshold=5, decimals=0)
    assert LABEL in public and "2 of 6" not in public


def test_an_early_help_council_has_no_family_meeting_measure(tenant_a):
    with tenant_context(tenant_a):
        framework = performance_framework(period=FinancialYear(2024))
    with pytest.raises(KeyError):
        framework.measure(MEASURE)
