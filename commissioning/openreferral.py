"""Open Referral UK (HSDS-UK 3.0) feed of a local authority's commissioned services, for family-hub directories.

``/openreferral/<tenant slug>/``: ``GET /`` (version and profile), ``GET /services`` (paged, ``contents[]`` of
service_list items) and ``GET /services/{id}`` (one service with its organization). Open read: no sign-in, and
``Access-Control-Allow-Origin: *`` on every answer. Ids are the services' and providers' public UUIDs.

Only what a directory should show leaves here: names, the commissioning priority as the description, the
provider, contract status, and the funding partners. Contract values, KPIs and returns never do.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import uuid

from django.http import JsonResponse

from earlyhelp.api.problems import PROBLEM_CONTENT_TYPE, problem
from earlyhelp.models import Tenant
from earlyhelp.tenancy import tenant_context

from .models import CommissionedService

HSDS_VERSION = "3.0"
PROFILE_URL = "https://github.com/openreferral/uk-profile"
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/uk-profile/main/openapi.json"
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200  # documented in README.md
MAX_PAGE = 1_000_000  # far beyond any council's services; keeps the offset within the database's range


def _json(data, status=200, content_type="application/json") -> JsonResponse:
    response = JsonResponse(data, status=status, content_type=content_type)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _error(request, status: int, detail: str, code: str) -> JsonResponse:
    """An ``application/problem+json`` answer (RFC 9457), the API's shape, with CORS like every feed answer."""
    body = problem(status=status, code=code, detail=detail, instance=request.path,
                   request_id=getattr(request, "request_id", ""))
    return _json(body, status=status, content_type=PROBLEM_CONTENT_TYPE)


def feed_view(view):
    """A feed endpoint: GET or HEAD only, the council found by its slug, and every refusal a JSON problem (never
    Django's HTML pages)."""

    @functools.wraps(view)
    def wrapped(request, tenant_slug, **kwargs):
        if request.method not in ("GET", "HEAD"):
            response = _error(request, 405, "The feed is read-only: use GET.", "method_not_allowed")
            response["Allow"] = "GET, HEAD"
            return response
        tenant = Tenant.objects.filter(slug=tenant_slug).first()
        if tenant is None:
            return _error(request, 404, "No council publishes a feed here.", "not_found")
        return view(request, tenant, **kwargs)

    return wrapped


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


@feed_view
def root(request, tenant):
    return _json({"version": HSDS_VERSION, "profile": PROFILE_URL, "openapi_url": OPENAPI_URL})


_WHOLE_NUMBER = re.compile(r"[0-9]{1,12}")


def _paging(request) -> tuple[int, int] | str:
    """``page`` (1 to ``MAX_PAGE``) and ``per_page`` (1 to ``MAX_PER_PAGE``) from the query, or what is wrong."""
    values = {}
    for name, default, most in (("page", 1, MAX_PAGE), ("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)):
        raw = request.GET.get(name, "")
        if raw == "":
            values[name] = default
            continue
        if not _WHOLE_NUMBER.fullmatch(raw) or not 1 <= int(raw) <= most:
            return f"{name} must be a whole number from 1 to {most}."
        values[name] = int(raw)
    return values["page"], values["per_page"]


@feed_view
def services(request, tenant):
    paging = _paging(request)
    if isinstance(paging, str):
        return _error(request, 400, paging, "bad_paging")
    page, per_page = paging
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


@feed_view
def service(request, tenant, service_id):
    with tenant_context(tenant):
        found = CommissionedService.objects.select_related("provider").filter(public_id=service_id).first()
        if found is None:
            return _error(request, 404, "No such service.", "not_found")
        return _json(service_detail(found, dt.date.today()))


def not_found(request, *args, **kwargs):
    """Anything else under ``/openreferral/`` (an id that is not a UUID, an unknown path): a JSON 404."""
    return _error(request, 404, "Not found: the feed has /, /services and /services/{uuid} per council.",
                  "not_found")
