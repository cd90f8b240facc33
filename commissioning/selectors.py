"""Reads for the commissioning screens, and who may see and submit which service's returns.

Every object a view shows is fetched here by its public id through the scoped managers, so another tenant's
object is simply not found (404); a provider user is confined to their own provider's services (also 404).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from earlyhelp.periods import Quarter
from earlyhelp.permissions import Capability, has_capability

from .models import (
    CommissionedService,
    Kpi,
    KpiReturn,
    KpiValue,
    KpiVersion,
    Provider,
    ProviderApiClient,
    ProviderMembership,
    ReturnImportJob,
    ReturnStatus,
    ServiceReview,
)


def provider_of(membership) -> Provider | None:
    """The provider a provider user works for (None for everyone else, or an unlinked provider user)."""
    if membership is None:
        return None
    link = ProviderMembership.objects.filter(membership=membership).select_related("provider").first()
    return link.provider if link else None


def provider_of_client(client) -> Provider | None:
    """The provider an API client is tied to (None for the local authority's own, untied clients)."""
    if client is None:
        return None
    link = ProviderApiClient.objects.filter(client=client).select_related("provider").first()
    return link.provider if link else None


def services_visible_to_client(client) -> QuerySet[CommissionedService]:
    """Every service for an untied API client; a provider's client, its provider's services only."""
    services = CommissionedService.objects.select_related("provider")
    provider = provider_of_client(client)
    return services if provider is None else services.filter(provider=provider)


def sees_all_services(membership) -> bool:
    return has_capability(membership, Capability.VIEW_COMMISSIONING) or has_capability(
        membership, Capability.MANAGE_COMMISSIONING
    )


def can_submit_for(membership, service: CommissionedService) -> bool:
    """Commissioners submit for any service; provider users only for their own provider's services."""
    if has_capability(membership, Capability.MANAGE_COMMISSIONING):
        return True
    if not has_capability(membership, Capability.SUBMIT_RETURNS):
        return False
    provider = provider_of(membership)
    return provider is not None and provider.pk == service.provider_id


def kpis_with_versions() -> Prefetch:
    return Prefetch("kpis", queryset=Kpi.objects.prefetch_related(Prefetch("versions", KpiVersion.objects.all())))


def services_visible_to(membership) -> QuerySet[CommissionedService]:
    """Every service for commissioners and performance officers; a provider user's own services only."""
    services = CommissionedService.objects.select_related("provider")
    if sees_all_services(membership):
        return services
    provider = provider_of(membership)
    if provider is None or not has_capability(membership, Capability.SUBMIT_RETURNS):
        return services.none()
    return services.filter(provider=provider)


def service_for(membership, public_id) -> CommissionedService:
    """The service with ``public_id`` if this member may see it, else 404."""
    return get_object_or_404(services_visible_to(membership).prefetch_related(kpis_with_versions()),
                             public_id=public_id)


def provider_by_public_id(public_id) -> Provider:
    return get_object_or_404(Provider.objects.all(), public_id=public_id)


def kpi_for(service: CommissionedService, public_id) -> Kpi:
    return get_object_or_404(Kpi.objects.filter(service=service).prefetch_related("versions"), public_id=public_id)


def return_for(membership, public_id) -> KpiReturn:
    """A return this member may see (through its service), else 404."""
    services = services_visible_to(membership)
    return get_object_or_404(
        KpiReturn.objects.filter(service__in=services).select_related("service", "service__provider", "tenant"),
        public_id=public_id,
    )


def import_job_for(membership, public_id) -> ReturnImportJob:
    """A return import job of a service this member may see, else 404."""
    return get_object_or_404(
        ReturnImportJob.objects.filter(service__in=services_visible_to(membership)).select_related(
            "service", "service__provider", "kpi_return", "requested_by", "tenant").defer("data"),
        public_id=public_id,
    )


def return_of(service: CommissionedService, quarter: Quarter) -> KpiReturn | None:
    return KpiReturn.objects.filter(
        service=service, fy_start_year=quarter.start_year, quarter_number=quarter.number
    ).first()


def values_of(kpi_return: KpiReturn) -> list[KpiValue]:
    return list(kpi_return.values.select_related("kpi", "kpi_version").order_by("kpi__position", "kpi__code"))


def provider_user_links(provider: Provider) -> QuerySet[ProviderMembership]:
    return (ProviderMembership.objects.filter(provider=provider).select_related("membership__user")
            .order_by("membership__user__username"))


def provider_user_link_for(provider: Provider, membership_id) -> ProviderMembership:
    """The link of one member to ``provider`` (404 when that member is not linked to it)."""
    return get_object_or_404(provider_user_links(provider), membership__public_id=membership_id)


def providers() -> QuerySet[Provider]:
    return Provider.objects.all()


def reviews_of(service: CommissionedService) -> QuerySet[ServiceReview]:
    return ServiceReview.objects.filter(service=service).select_related("recorded_by")


def reporting_quarter(today: dt.date, fy_start_month: int) -> Quarter:
    """The quarter whose return is currently being collected: the last one that has ended."""
    return Quarter.containing(today, fy_start_month).previous()


def return_state(service: CommissionedService, kpi_return: KpiReturn | None, quarter: Quarter, today: dt.date) -> str:
    """due / late / submitted / accepted / queried / not_contracted, as the dashboard shows it. A return is late
    only when the contract covers the quarter and its deadline has passed; outside the contract none is due."""
    if kpi_return is not None and kpi_return.status != ReturnStatus.DRAFT:
        return kpi_return.status
    if not service.covers(quarter):
        return "not_contracted"
    return "late" if today > service.due_date(quarter) else "due"


def returns_position(*, membership, quarter: Quarter, today: dt.date) -> list[dict]:
    """Each service the member sees with its return for ``quarter``: the state (as :func:`return_state`), the due
    date and the return (or None). Two queries whatever the number of services."""
    services = list(services_visible_to(membership))
    returns = {r.service_id: r for r in KpiReturn.objects.filter(
        service__in=[s.pk for s in services], fy_start_year=quarter.start_year, quarter_number=quarter.number)}
    return [{"service": s, "return": returns.get(s.pk), "due": s.due_date(quarter),
             "state": return_state(s, returns.get(s.pk), quarter, today)} for s in services]
