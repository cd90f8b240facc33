"""Demo commissioning data: seed 000's providers, services and 2014/15 Q1–Q2 KPI returns.

Returns are loaded through the same upload path a provider uses (:func:`commissioning.services.return_import`)
from the CSV files under ``fixtures/commissioning/``. Idempotent: what already exists is left alone.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from earlyhelp.models import Membership
from earlyhelp.periods import Quarter

from . import services
from .demo_data import EASTMOOR_SERVICES, NORTHBRIDGE_SERVICES, OUTPUT_KPIS, DemoService
from .models import CommissionedService, Kpi, KpiKind, KpiReturn, Provider, ProviderMembership

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "commissioning" / "northbridge"
FIRST_QUARTER = Quarter(2014, 1)
LINKED_PROVIDER = "Thurrock Women's Aid"


def seed(tenant, users) -> None:
    commissioner = Membership.objects.get(user=users["commissioner"])
    provider_user = Membership.objects.get(user=users["provider"])
    specs = NORTHBRIDGE_SERVICES if tenant.slug == "northbridge" else EASTMOOR_SERVICES
    for spec in specs:
        service = _service(spec, commissioner, tenant)
        for q in (1, 2):
            quarter = Quarter(2014, q, tenant.financial_year_start_month)
            if KpiReturn.objects.filter(service=service, fy_start_year=2014, quarter_number=q).exists():
                continue
            path = FIXTURES / f"{spec.slug}_2014-15_Q{q}.csv"
            submitter = provider_user if service.provider.name == LINKED_PROVIDER else commissioner
            if submitter is provider_user:
                _link(commissioner, provider_user, service.provider)
            outcome = services.return_import(
                by=submitter, service=service, quarter=quarter, data=path.read_bytes(), filename=path.name
            )
            if not outcome.ok:
                raise ImproperlyConfigured(f"demo return {path.name} is invalid: {outcome.problems[:3]}")
            kpi_return = services.return_submit(by=submitter, kpi_return=outcome.kpi_return)
            if q == 1:
                services.return_accept(by=commissioner, kpi_return=kpi_return, comment="Thank you.")
    provider = Provider.objects.filter(name=LINKED_PROVIDER).first()
    if provider is not None:
        _link(commissioner, provider_user, provider)


def _link(commissioner, provider_user, provider) -> None:
    if not ProviderMembership.objects.filter(membership=provider_user).exists():
        services.provider_user_link(by=commissioner, membership=provider_user, provider=provider)


def _service(spec: DemoService, commissioner, tenant) -> CommissionedService:
    provider = Provider.objects.filter(name=spec.provider).first() or services.provider_create(
        by=commissioner, name=spec.provider
    )
    service = CommissionedService.objects.filter(name=spec.name).first() or services.service_create(
        by=commissioner, name=spec.name, provider=provider, commissioning_priority=spec.priority,
        annual_value=Decimal(spec.annual_value) if spec.annual_value else None,
        funding_partners="Children's Services; Public Health",
        contract_start=Quarter(2013, 1).start, contract_end=Quarter(2016, 4).end,
    )
    existing = set(Kpi.objects.filter(service=service).values_list("code", flat=True))
    definitions = [(code, label, "Outputs", kind) for code, label, kind in OUTPUT_KPIS]
    definitions += [(code, label, section, KpiKind.OUTCOME) for code, label, section in spec.kpis]
    for code, label, section, kind in definitions:
        if code in existing:
            continue
        target, red, higher = _targets(code, kind)
        services.kpi_define(
            by=commissioner, service=service, code=code, label=label, kind=kind, section=section,
            valid_from=FIRST_QUARTER, target=target, red_threshold=red, higher_is_better=higher,
        )
    return service


def _targets(code: str, kind: str) -> tuple[Decimal | None, Decimal | None, bool]:
    """Demo targets: 80% of service users reporting the outcome (red below 60%); waiting under 28 days."""
    if kind == KpiKind.OUTCOME:
        return Decimal(80), Decimal(60), True
    if code == "mean-waiting-days":
        return Decimal(28), Decimal(42), False
    return None, None, True
