"""Row-level security's cost at national size: the same dashboard and list queries run as the application's
non-owner role with ``app.tenant_id`` set (the policies apply) and as the owning superuser (they do not), in
the same run, alternating. Target: under 10% overhead. Plans: bench/explain.py and docs/scaling.md.

A workload of a few milliseconds is called several times per timed sample (``CALLS``), and the sample is the
time per call: one scheduling hiccup on a shared machine otherwise decides a 5-sample median."""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.db import connection, transaction
from national import FRAMEWORK, LARGE, member, synthetic_tenant
from run import Result


@contextlib.contextmanager
def as_app_role(enabled: bool):
    with transaction.atomic():
        if enabled:
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL ROLE {connection.ops.quote_name(settings.DATABASE_APP_ROLE)}")
        yield
        if enabled:
            with connection.cursor() as cursor:
                cursor.execute("RESET ROLE")


# Calls per timed sample, for the workloads that take milliseconds.
CALLS = {"team caseload (selector)": 5, "referrals list, newest 50": 40,
         "referrals list, newest 50, children and needs prefetched": 20}


def workloads():
    from cases import selectors
    from cases.models import Referral
    from cases.stats import case_stats
    from earlyhelp.periods import FinancialYear, Quarter
    from outcomes.stats import performance_framework

    large = synthetic_tenant(LARGE)
    framework_tenant = synthetic_tenant(FRAMEWORK)
    manager = member(large, "team_manager", most_cases=True)
    fy = large.financial_year_start_month
    return [
        ("case statistics, a financial year", large, lambda: case_stats(period=FinancialYear(2025, fy))),
        ("team caseload (selector)", large,
         lambda: selectors.caseload(membership=manager, scope="team")),
        ("referrals list, newest 50", large,
         lambda: list(Referral.objects.select_related("family", "source").order_by("-received_on", "-id")[:50])),
        ("performance framework, a quarter", framework_tenant,
         lambda: performance_framework(period=Quarter(2025, 4, fy))),
        # The link tables' policy (a link row is visible when its referral is) on the prefetch queries.
        ("referrals list, newest 50, children and needs prefetched", large,
         lambda: list(Referral.objects.select_related("family", "source")
                      .prefetch_related("children", "presenting_needs").order_by("-received_on", "-id")[:50])),
    ]


def run(repeats: int) -> list[Result]:
    from django.test.utils import override_settings

    # The statistics must be counted each time (not read from the figures cache) for RLS to cost anything.
    with override_settings(FIGURES_CACHE=False):
        return _run(repeats)


def _run(repeats: int) -> list[Result]:
    import time

    from earlyhelp.rls import app_role_exists
    from earlyhelp.tenancy import tenant_context

    with connection.cursor() as cursor:
        if not app_role_exists(cursor, settings.DATABASE_APP_ROLE):
            print(f"   skipped: no role {settings.DATABASE_APP_ROLE} on this server")
            return []
    results = []
    for label, tenant, fn in workloads():
        times = {True: [], False: []}
        calls = CALLS.get(label, 1)
        for i in range(repeats + 1):
            for rls in (True, False) if i % 2 else (False, True):
                with as_app_role(rls), tenant_context(tenant):
                    start = time.perf_counter()
                    for _ in range(calls):
                        fn()
                    elapsed = (time.perf_counter() - start) / calls
                if i:  # the first round warms the caches
                    times[rls].append(elapsed)
        results.append(Result(
            benchmark=f"RLS: {label}", measure="as the application role, policies applied",
            baseline="as the owner (superuser: policies bypassed), same code", measure_seconds=times[True],
            baseline_seconds=times[False], target="≤ 1.10×",
            notes=tenant.name + (f"; {calls} calls a sample, time per call" if calls > 1 else ""),
        ))
    return results
