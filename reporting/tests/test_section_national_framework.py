"""The committee report's National Framework outcomes section (counts by outcome with bases, under disclosure
control) and the Supporting Families section of a council that switched the framework off."""

from __future__ import annotations

import pytest

from earlyhelp.models import Tenant
from earlyhelp.periods import Quarter
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context
from outcomes.tests.helpers import national_framework_records
from reporting import sections
from reporting.sections.base import ReportContext


@pytest.fixture
def counted(tenant_a, member):
    return national_framework_records(tenant_a, member(tenant_a, Role.PRACTITIONER, username="alice"))


def test_the_committee_report_section_counts_by_outcome_and_hides_small_numbers_in_public(tenant_a, counted):
    section = sections.get("national_framework")
    with tenant_context(tenant_a):
        snapshot = section.build(ReportContext(tenant=tenant_a, parameters={}, period=Quarter(2024, 1),
                                               public=False, threshold=5, decimals=0))
    exempt = section.render(snapshot, number=4, public=False, threshold=5, decimals=0)
    assert "1 of 2" in exempt and "50%" in exempt and "National Framework" in exempt
    public = section.render(snapshot, number=4, public=True, threshold=5, decimals=0)
    assert "1 of 2" not in public and ">c<" in public  # counts from 1 to 5 are suppressed
    ids = {d["id"] for d in section.definitions(snapshot)}
    assert ids == {"nf.goals_set", "nf.goals_achieved", "nf.outcomes_improved"}


def test_a_hidden_row_cannot_be_worked_out_from_the_total():
    section = sections.get("national_framework")
    rows = [{"code": code, "label": code, "goals_set": n, "goals_achieved": [0, 0], "outcomes_improved": [0, 0]}
            for code, n in (("stay_together", 40), ("family_network", 2), ("safe", 30), ("stable_homes", 0),
                            ("untagged", 10))]
    snapshot = {"key": "national_framework", "title": "t", "period": "2024/25 Q1", "source": "NF", "rows": rows}
    _, sheet = section.present(snapshot, public=True, threshold=5, decimals=0)
    cells = {c.cell: c for c in sheet.cells}
    assert cells["family_network.goals_set"].suppressed
    # 2 is hidden: another row or the total must be hidden too, or 82 − 40 − 30 − 10 gives it away
    others = [cells[f"{c}.goals_set"] for c in ("stay_together", "safe", "untagged")] + [cells["all.goals_set"]]
    assert any(c.suppressed for c in others)


def test_the_report_section_says_so_when_the_council_does_not_use_supporting_families(tenant_a):
    Tenant.objects.filter(pk=tenant_a.pk).update(supporting_families_enabled=False)
    tenant_a.refresh_from_db()
    section = sections.get("supporting_families")
    with tenant_context(tenant_a):
        snapshot = section.build(ReportContext(tenant=tenant_a, parameters={}, period=Quarter(2024, 1),
                                               public=True, threshold=5, decimals=0))
    html = section.render(snapshot, number=7, public=True, threshold=5, decimals=0)
    assert "does not use the Supporting Families outcome framework" in html
