"""The demo loads seed 000 (§3.3–3.9) through the upload path, and ``stats`` gives its tables back exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest

from commissioning import demo, stats
from commissioning.demo_data import FOOTNOTES, NORTHBRIDGE_SERVICES, PUBLISHED
from commissioning.models import CommissionedService, KpiReturn, KpiReturnRevision, KpiValue, ProviderMembership
from earlyhelp.periods import Quarter
from earlyhelp.permissions import Role
from earlyhelp.tenancy import tenant_context

QUARTERS = [Quarter(2014, 1), Quarter(2014, 2)]


@pytest.fixture
def seeded(tenant_a, member):
    users = {"commissioner": member(tenant_a, Role.COMMISSIONER), "provider": member(tenant_a, Role.PROVIDER)}
    with tenant_context(tenant_a):
        demo.seed(tenant_a, users)
    return users


def table_of(tenant, name):
    with tenant_context(tenant):
        service = CommissionedService.objects.get(name=name)
        return {row.code: row for row in stats.kpi_table(service, QUARTERS)}


@pytest.mark.parametrize("spec", NORTHBRIDGE_SERVICES, ids=[s.slug for s in NORTHBRIDGE_SERVICES])
def test_each_published_table_comes_back_exactly(tenant_a, seeded, spec):
    rows = table_of(tenant_a, spec.name)
    for q, published in enumerate(PUBLISHED[spec.slug]):
        for (code, label, section), percent in zip(spec.kpis, published, strict=True):
            row = rows[code]
            assert (row.label, row.section) == (label, section)
            cell = row.cells[q]
            if percent is None:
                assert not cell.reported  # the seed's "n/a"
            elif cell.base == 0:
                assert (spec.slug, q + 1) in FOOTNOTES and percent == 0  # SERICC Q1: no closures to score
            else:
                assert stats.rate(cell.numerator, cell.base) == Decimal(percent), (code, q)


def test_dvip_q2_feeling_safer_is_71_percent_of_7_and_q1_carries_its_footnote(tenant_a, seeded):
    row = table_of(tenant_a, "Domestic Violence perpetrators programme")["feeling-safer"]
    q1, q2 = row.cells
    assert (q2.numerator, q2.base, stats.rate(q2.numerator, q2.base)) == (5, 7, Decimal(71))
    assert (q1.numerator, q1.base) == (1, 1)
    assert q1.note == "Q1 was based on 1 client."
    with tenant_context(tenant_a):
        service = CommissionedService.objects.get(name="Domestic Violence perpetrators programme")
        notes = stats.footnotes(stats.kpi_table(service, QUARTERS))
    assert (QUARTERS[0], "Q1 was based on 1 client.") in notes


def test_open_door_keeps_its_q1_footnote_and_chosen_bases_are_marked_as_demo_values(tenant_a, seeded):
    rows = table_of(tenant_a, "Alcohol and substance misuse programme")
    assert rows["family-routines"].cells[0].note.startswith("Q1 had a high level of families that were not engaging")
    assert rows["family-routines"].cells[1].note == "Demo values: base chosen to match the published percentage."
    assert rows["referrals"].cells[0].note == "Demo value (fictional)."


def test_rates_are_rounded_half_up_once_at_presentation():
    assert stats.rate(1, 8) == Decimal(13)  # 12.5 → 13, not banker's 12
    assert stats.rate(2, 3, places=1) == Decimal("66.7")
    assert stats.rate(0, 0) is None


def test_the_seed_is_idempotent_and_links_the_demo_provider_user(tenant_a, seeded):
    counts = (KpiReturn.all_tenants.count(), KpiValue.all_tenants.count(), KpiReturnRevision.all_tenants.count())
    with tenant_context(tenant_a):
        demo.seed(tenant_a, seeded)
    assert counts == (KpiReturn.all_tenants.count(), KpiValue.all_tenants.count(),
                      KpiReturnRevision.all_tenants.count())
    assert counts[0] == 14
    link = ProviderMembership.all_tenants.get()
    assert link.membership.user == seeded["provider"] and link.provider.name == "Thurrock Women's Aid"
    statuses = dict(KpiReturn.all_tenants.values_list("quarter_number", "status").distinct())
    assert statuses == {1: "accepted", 2: "submitted"}
