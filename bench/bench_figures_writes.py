"""What the figures cache costs writers (earlyhelp.figures_engine): a day's casework — a referral, a review reading with
its scores on an open case, a feedback form, each committed, then deleted and committed again — on the 5-year
council, with the figures triggers on (each statement dates its effect; the version row is updated at commit)
against the same writes with those triggers disabled, in the same run."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection
from national import FRAMEWORK, synthetic_tenant, time_it, todays_casework
from run import Result

CYCLES = 10  # write-and-delete cycles per sample


def _figures_triggers() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                       "WHERE NOT t.tgisinternal AND t.tgname ~ '_figures_(insert|update|delete)$'")
        return cursor.fetchall()


@contextmanager
def _triggers_off():
    triggers = _figures_triggers()
    with connection.cursor() as cursor:
        for table, name in triggers:
            cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for table, name in triggers:
                cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER "{name}"')


def run(repeats: int) -> list[Result]:
    tenant = synthetic_tenant(FRAMEWORK)
    watched = len(_figures_triggers())

    def cycles():
        for _ in range(CYCLES):
            todays_casework(tenant)()

    measured, baseline = [], []
    for repeat in range(repeats):  # alternate which side goes first
        if repeat % 2:
            with _triggers_off():
                baseline += time_it(cycles, 1, warm=0)
            measured += time_it(cycles, 1, warm=0)
        else:
            measured += time_it(cycles, 1, warm=0)
            with _triggers_off():
                baseline += time_it(cycles, 1, warm=0)
    per_cycle = sorted(measured)[len(measured) // 2] / CYCLES * 1000
    return [Result(
        benchmark="figures cache: cost to writers",
        measure=f"{CYCLES} cycles of a day's casework written and deleted (referral, reading with scores, "
                f"feedback form; 6 commits a cycle), figures triggers on",
        baseline="the same writes with the figures triggers disabled",
        measure_seconds=measured, baseline_seconds=baseline, target="≤ 1.25×",
        notes=f"Synthetic Council {FRAMEWORK:03d} (5 years); {watched} statement triggers on the source tables; "
              f"{per_cycle:.1f} ms a cycle with them",
    )]
