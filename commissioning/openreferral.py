"""Open Referral UK (HSDS-UK 3.0) feed of a local authority's commissioned services, for family-hub directories.

``/openreferral/<tenant slug>/``: ``GET /`` (version and profile), ``GET /services`` (paged, ``contents[]`` of
service_list items) and ``GET /services/{id}`` (one service with its organization). Open read: no sign-in, and
``Access-Control-Allow-Origin: *`` on every answer. Ids are the services' and providers' public UUIDs.

Only what a directory should show leaves here: names, the commissioning priority as the description, the
provider, contract status, and the funding partners. Contract values, KPIs and returns never do.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from earlyhelp.models import Tenant
from earlyhelp.tenancy import tenant_context

from .models import CommissionedService

HSDS_VERSION = "3.0"
PROFILE_URL = "https://github.com/openreferral/uk-profile"
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/uk-profile/main/openapi.json"
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200


def _json(data, status=200) -> JsonResponse:
    response = JsonResponse(data, status=status)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _error(status: int, detail: str) -> JsonResponse:
    return _json({"status": status, "detail": detail}, status=status)


def _tenant(slug: str) -> Tenant:
    return get_object_or_404(Tenant.objects.all(), slug=slug)


def _status(service: CommissionedService, today: dt.date) -> str:
    if service.contract_end is not None and service.contract_end < today:
        return "defunct"
    if service.contract_start is not None and service.contract_start > today:
        return "inactive"
    return "active"


def _derived_id(service: CommissionedService, what: str) -> str:
    """A stable UUID for a sub-record the app keeps no row for (e.g. a service's funding)."""
    return str(uuid.uuid5(service.public_id, what))


def service_list_item(service: CommissionedService, today: dt.date) -> dict:
    """A service with its one-to-one fields (``compiled/service_list.json``)."""
    item = {
        "id": str(service.public_id),
        "organization_id": str(service.provider.public_id),
        "name": service.name,
        "description": service.commissioning_priority or service.name,
        "status": _status(service, today),
        "last_modified": service.created_at.isoformat(),
    }
    if service.provider.contact_email:
        item["email"] = service.provider.contact_email
    return item


def service_detail(service: CommissionedService, today: dt.date) -> dict:
    """A service with its related records (``compiled/service.json``)."""
    provider = service.provider
    organization = {"id": str(provider.public_id), "name": provider.name, "description": provider.notes or ""}
    if provider.contact_email:
        organization["email"] = provider.contact_email
    detail = {
        **service_list_item(service, today),
        "organization": organization,
        "funding": [],
        "schedules": [],
        "service_areas": [],
        "service_at_locations": [],
        "languages": [],
        "cost_options": [],
        "contacts": [],
        "attributes": [],
    }
    if service.funding_partners:
        detail["funding"].append({"id": _derived_id(service, "funding"), "service_id": str(service.public_id),
                                  "source": service.funding_partners})
    return detail


@require_safe
def root(request, tenant_slug):
    _tenant(tenant_slug)
    return _json({"version": HSDS_VERSION, "profile": PROFILE_URL, "openapi_url": OPENAPI_URL})


def _positive(request, name: str, default: int) -> int | None:
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    return int(raw) if raw.isdigit() and int(raw) >= 1 else None


@require_safe
def services(request, tenant_slug):
    tenant = _tenant(tenant_slug)
    page = _positive(request, "page", 1)
    per_page = _positive(request, "per_page", DEFAULT_PER_PAGE)
    if page is None or per_page is None:
        return _error(400, "page and per_page are whole numbers of at least 1.")
    per_page = min(per_page, MAX_PER_PAGE)
    today = dt.date.today()
    with tenant_context(tenant):
        rows = CommissionedService.objects.select_related("provider").order_by("name", "id")
        search = request.GET.get("search", "").strip()
        if search and "\x00" not in search:
            rows = rows.filter(name__icontains=search)
        total = rows.count()
        start = (page - 1) * per_page
        contents = [service_list_item(s, today) for s in rows[start:start + per_page]]
    total_pages = max(1, math.ceil(total / per_page))
    return _json({
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not contents,
        "contents": contents,
    })


@require_safe
def service(request, tenant_slug, service_id):
    tenant = _tenant(tenant_slug)
    with tenant_context(tenant):
        found = CommissionedService.objects.select_related("provider").filter(public_id=service_id).first()
        if found is None:
            return _error(404, "No such service.")
        return _json(service_detail(found, dt.date.today()))


def not_found(request, *args, **kwargs):
    return _error(404, "Not found.")
