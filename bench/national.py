"""Shared by the national-size benchmarks: the synthetic tenants of bench/generate.py, made on first use.

Run the benchmarks against a database holding the national data set (``DATABASE_URL=…/eh_national make bench``
after ``python bench/generate.py --tenants 150 --years 5``); on any other database the one tenant a benchmark
needs is generated first (a few minutes for the large one), with the same seed, so the figures are comparable.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time

END = dt.date(2026, 3, 31)
LARGE = 1  # 30,000 referrals a year, about 5,000 open cases
FRAMEWORK = 2  # 20,000 referrals a year: about 100,000 referrals and 200,000 readings in five years
API = 151  # 44,000 referrals a year: about 100,000 cases in five years (the API list benchmark); after the 150
SIZES = {LARGE: 30_000, FRAMEWORK: 20_000, API: 44_000}


def synthetic_tenant(index: int):
    from earlyhelp.models import Tenant

    tenant = Tenant.objects.filter(slug=f"synthetic-{index:03d}").first()
    if tenant is None:
        import generate

        print(f"   generating synthetic tenant {index} ({SIZES[index]} referrals a year × 5)…", flush=True)
        generate.generate(tenants=1, years=5, end=END, sizes=[SIZES[index]], first_index=index,
                          skip_triggers=True)
        tenant = Tenant.objects.get(slug=f"synthetic-{index:03d}")
    return tenant


def member(tenant, role: str, *, most_cases: bool = False):
    """A user of ``tenant`` in ``role`` (the practitioner or manager with the most open cases)."""
    from django.db.models import Count, Q

    from earlyhelp.models import Membership

    memberships = Membership.all_tenants.filter(tenant=tenant, role=role).select_related("user")
    if most_cases:
        from cases.models import Case

        if role == "practitioner":
            top = (Case.all_tenants.filter(tenant=tenant, closed_on__isnull=True, lead_professional__isnull=False)
                   .values("lead_professional").annotate(n=Count("pk")).order_by("-n", "lead_professional")[0])
            return memberships.get(user_id=top["lead_professional"])
        return memberships.annotate(
            n=Count("teams__cases", filter=Q(teams__cases__closed_on__isnull=True))).order_by("-n", "pk")[0]
    return memberships.order_by("pk")[0]


def client_for(user):
    from django.core.signals import request_started
    from django.db import reset_queries
    from django.test import Client

    # Keep the query log across requests so that CaptureQueriesContext counts a request's queries.
    request_started.disconnect(reset_queries)

    client = Client()
    client.force_login(user)
    return client


def time_it(fn, repeats: int, warm: int = 1) -> list[float]:
    for _ in range(warm):
        fn()
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def median_ms(seconds: list[float]) -> str:
    return f"{statistics.median(seconds) * 1000:.0f} ms"


def database_name() -> str:
    return os.environ.get("DATABASE_URL", "").rsplit("/", 1)[-1]


def todays_casework(tenant, today: dt.date | None = None):
    """Commit a practitioner's day of work dated ``today`` (after the generated years): a referral received, a
    review reading with its scores on an open case, a feedback form. Returns a function that deletes them again
    (a write dated today too). The measure of "records changed since the figures were counted" as it happens:
    closed periods' figures stay valid (earlyhelp.figures_engine)."""
    from cases.models import Case, Feedback, Referral
    from earlyhelp.tenancy import tenant_context
    from outcomes.models import Reading, ReadingScore

    today = today or max(dt.date.today(), END + dt.timedelta(days=1))
    with tenant_context(tenant):
        case = (Case.objects.filter(closed_on__isnull=True).exclude(readings__stage="end")
                .exclude(closures__isnull=False).select_related("referral").order_by("-opened_on", "pk").first())
        referral = Referral.objects.create(family_id=case.family_id, source_id=case.referral.source_id,
                                           received_on=today, route="direct", reason="Bench: today's referral")
        last = Reading.objects.filter(case__tenant=tenant).order_by("-pk").first()
        reading = Reading.objects.create(case=case, tool_id=last.tool_id, version_id=last.version_id,
                                         stage="review", taken_on=today)
        ReadingScore.objects.bulk_create([ReadingScore(tenant=tenant, reading=reading, area_id=area_id, score=5)
                                          for area_id in last.scores.values_list("area_id", flat=True)])
        feedback = Feedback.objects.create(case=case, received_on=today, treated_with_respect=True,
                                           listened_to=True, helped_with_issues=True)

    def undo():
        with tenant_context(tenant):
            feedback.delete()
            reading.delete()
            referral.delete()

    return undo
