"""The product's URLs and two bare views, the baselines of the API cases list benchmark (under ``/api/``, so
the middleware treats them as the API: no sign-in redirect).

Both return the same 50 newest cases as ``GET /api/v1/cases/`` (same fields, same order) of the tenant named
by ``BENCH_TENANT_ID``, read with ``values()`` and returned with ``JsonResponse``: no authentication, no audit,
no pagination links, no serializer. Like the API they run in the tenant's context (``tenant_context``, its
setting sent with the first statement, as ``earlyhelp.api.base`` enters it), so that under the application role
row-level security admits the rows on both sides; the tenant itself is read once per worker.
``/api/bench/bare-cases/`` reads the cases with their related rows in one ``values()`` join (the obvious bare
view); ``/api/bench/bare-cases-split/`` reads them the way the API's list does (the rows, then
``cases.api.case_rows_representation``: one statement for everything they refer to), so that the ratio against
it is the framework's overhead alone: PostgreSQL takes far longer to plan the seven-table join than to run it.
"""

import os
from collections import defaultdict
from functools import cache

from django.http import JsonResponse
from django.urls import path

from cases.api import CASE_ROW_FIELDS, case_rows_representation
from cases.models import Case
from earlyhelp.models import Tenant
from earlyhelp.tenancy import tenant_context
from earlyhelp.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401

FIELDS = ("id", "public_id", "family__public_id", "family__name", "referral__public_id", "team__public_id",
          "team__name", "locality__public_id", "locality__name", "level_of_need__rank", "level_of_need__label",
          "level_of_need__is_statutory", "lead_professional__first_name", "lead_professional__last_name",
          "opened_on", "closed_on", "is_reopened")


@cache
def _tenant() -> Tenant:
    return Tenant.objects.get(pk=int(os.environ["BENCH_TENANT_ID"]))


def bare_cases(request):
    with tenant_context(_tenant(), savepoint=False, restore=False, lazy=True) as tenant:
        return _bare_cases(tenant.pk)


def _bare_cases(tenant_id: int):
    rows = list(Case.all_tenants.filter(tenant_id=tenant_id).order_by("-opened_on", "-id").values(*FIELDS)[:50])
    children = defaultdict(list)
    for case_id, child in Case.children.through.objects.filter(case_id__in=[r["id"] for r in rows]).values_list(
            "case_id", "person__public_id"):
        children[case_id].append(child)
    for row in rows:
        row["children"] = children[row.pop("id")]
    return JsonResponse({"results": rows})


def bare_cases_split(request):
    """The API list's own data path without the framework: the same rows query, then the same one statement for
    everything the rows refer to and the same dictionaries (``cases.api.case_rows_representation``)."""
    with tenant_context(_tenant(), savepoint=False, restore=False, lazy=True) as tenant:
        rows = list(Case.all_tenants.filter(tenant_id=tenant.pk).order_by("-opened_on", "-id")
                    .values(*CASE_ROW_FIELDS)[:50])
        return JsonResponse({"results": case_rows_representation(rows, tenant_id=tenant.pk)})


urlpatterns = [*urlpatterns, path("api/bench/bare-cases/", bare_cases),
               path("api/bench/bare-cases-split/", bare_cases_split)]
