"""The product's URLs and two bare views, the baselines of the API cases list benchmark (under ``/api/``, so
the middleware treats them as the API: no sign-in redirect).

Both return the same 50 newest cases as ``GET /api/v1/cases/`` (same fields, same order) of the tenant named
by ``BENCH_TENANT_ID``, read with ``values()`` and returned with ``JsonResponse``: no authentication, no tenant
context, no audit, no pagination links, no serializer. ``/api/bench/bare-cases/`` reads the cases with their
related rows in one ``values()`` join (the obvious bare view); ``/api/bench/bare-cases-split/`` makes the same
per-table queries as the API's list (``cases.api.case_rows_representation``), so that the ratio against it is
the framework's overhead alone: PostgreSQL takes far longer to plan the seven-table join than to run it.
"""

import os
from collections import defaultdict

from django.http import JsonResponse
from django.urls import path

from cases.models import Case, Family, LevelOfNeed, Referral
from earlyhelp.models import Locality, Team, User
from earlyhelp.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401

FIELDS = ("id", "public_id", "family__public_id", "family__name", "referral__public_id", "team__public_id",
          "team__name", "locality__public_id", "locality__name", "level_of_need__rank", "level_of_need__label",
          "level_of_need__is_statutory", "lead_professional__first_name", "lead_professional__last_name",
          "opened_on", "closed_on", "is_reopened")


def bare_cases(request):
    tenant_id = int(os.environ["BENCH_TENANT_ID"])
    rows = list(Case.all_tenants.filter(tenant_id=tenant_id).order_by("-opened_on", "-id").values(*FIELDS)[:50])
    children = defaultdict(list)
    for case_id, child in Case.children.through.objects.filter(case_id__in=[r["id"] for r in rows]).values_list(
            "case_id", "person__public_id"):
        children[case_id].append(child)
    for row in rows:
        row["children"] = children[row.pop("id")]
    return JsonResponse({"results": rows})


ROW_FIELDS = ("id", "public_id", "family_id", "referral_id", "team_id", "locality_id", "level_of_need_id",
              "lead_professional_id", "opened_on", "closed_on", "is_reopened")


def bare_cases_split(request):
    tenant_id = int(os.environ["BENCH_TENANT_ID"])
    rows = list(Case.all_tenants.filter(tenant_id=tenant_id).order_by("-opened_on", "-id").values(*ROW_FIELDS)[:50])

    def related(model, key, *fields):
        ids = {r[key] for r in rows if r[key] is not None}
        manager = getattr(model, "all_tenants", model.objects)
        return {v["pk"]: v for v in manager.filter(pk__in=ids).values("pk", *fields)}

    families = related(Family, "family_id", "public_id", "name")
    referrals = related(Referral, "referral_id", "public_id")
    teams = related(Team, "team_id", "public_id", "name")
    localities = related(Locality, "locality_id", "public_id", "name")
    levels = related(LevelOfNeed, "level_of_need_id", "rank", "label", "is_statutory")
    leads = related(User, "lead_professional_id", "first_name", "last_name")
    children = defaultdict(list)
    for case_id, child in (Case.children.through.objects.filter(case_id__in=[r["id"] for r in rows])
                           .order_by("person__last_name", "person__first_name")
                           .values_list("case_id", "person__public_id")):
        children[case_id].append(child)
    for row in rows:
        row.update(family=families[row.pop("family_id")], referral=referrals.get(row.pop("referral_id")),
                   team=teams[row.pop("team_id")], locality=localities.get(row.pop("locality_id")),
                   level_of_need=levels[row.pop("level_of_need_id")],
                   lead_professional=leads.get(row.pop("lead_professional_id")), children=children[row.pop("id")])
    return JsonResponse({"results": rows})


urlpatterns = [*urlpatterns, path("api/bench/bare-cases/", bare_cases),
               path("api/bench/bare-cases-split/", bare_cases_split)]
