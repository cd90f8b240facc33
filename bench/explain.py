"""EXPLAIN (ANALYZE, BUFFERS) of the statements behind the top pages at national size, slowest first.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/eh_national python bench/explain.py [--plans 3] [--rls]

Captures the SQL each workload sends (caseload, case statistics, performance framework, KPI table, audit chain
head), runs each statement under EXPLAIN and prints its execution time and, for the slowest, the plan. With
``--rls`` the statements run as the application role with ``app.tenant_id`` set. Used for docs/scaling.md.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plans", type=int, default=3)
    parser.add_argument("--rls", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "earlyhelp.settings")
    import django

    django.setup()
    from bench_rls import workloads
    from django.conf import settings
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from commissioning.models import CommissionedService
    from commissioning.stats import kpi_table
    from earlyhelp.models import AuditEvent
    from earlyhelp.periods import Quarter
    from earlyhelp.tenancy import tenant_context

    items = workloads()
    large = items[0][1]

    def kpis():
        service = CommissionedService.objects.order_by("pk").first()
        return kpi_table(service, [Quarter(2025, 4, 4).shifted(-i) for i in range(4, -1, -1)])

    def chain_head():
        return AuditEvent.all_tenants.filter(tenant=large).order_by("-id").values_list("row_hash", flat=True).first()

    items += [("KPI table, five quarters", large, kpis), ("audit chain head", large, chain_head)]
    for label, tenant, fn in items:
        with transaction.atomic():
            if args.rls:
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL ROLE {settings.DATABASE_APP_ROLE}")
            with tenant_context(tenant):
                with CaptureQueriesContext(connection) as queries:
                    fn()
                timed = []
                for q in queries.captured_queries:
                    sql = q["sql"]
                    if not sql.lstrip().upper().startswith(("SELECT", "DECLARE")):
                        continue
                    if sql.startswith("DECLARE"):
                        sql = sql[sql.index(" FOR ") + 5:]
                    with connection.cursor() as cursor:
                        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) " + sql)
                        plan = [row[0] for row in cursor.fetchall()]
                    ms = float(plan[-1].split(":")[1].split("ms")[0])
                    timed.append((ms, sql, plan))
            transaction.set_rollback(True)
        timed.sort(key=lambda t: -t[0])
        print(f"\n## {label} ({tenant.name}): {len(timed)} statements, {sum(t[0] for t in timed):.1f} ms executing")
        for ms, sql, plan in timed[: args.plans]:
            print(f"\n### {ms:.1f} ms: {sql[:300]}…\n")
            print("\n".join(plan))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
