"""Changed since published: a report run keeps the figures it printed (its snapshot, and the cells its figures
table reads from it). When a later write — a backdated correction, a reading entered late — changes a figure of
the report's period, the run's page lists each printed figure that now reads differently, with what was printed,
what it is now and the difference, so that a figure already put before a committee never changes silently.

The figures now are counted through the figures engine (closed quarters from their stored summaries), once per
council figures state: the comparison is cached under the run and the state it was made in."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction

from earlyhelp import figures_engine

from . import rendering
from .figures_table import figures_table
from .models import ReportRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FigureChange:
    section: str
    label: str
    period: str
    scope: str
    kind: str
    printed: str  # the value as printed, with its base for a rate
    now: str
    difference: str  # "+2", "−1 of +3" (numerator of base) or "" when not a count


def _cells(snapshot: dict) -> dict[tuple[str, str], dict]:
    return {(sheet["section"], cell["cell"]): cell for sheet in figures_table(snapshot) for cell in sheet["cells"]}


def _shown(cell: dict) -> str:
    if cell["kind"] == "rate" and cell["base"] != "":
        return f"{cell['value']} ({cell['numerator']} of {cell['base']})" if cell["numerator"] != "" else (
            f"{cell['value']} (of {cell['base']})")
    return str(cell["value"])


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else ("0" if n == 0 else f"−{-n}")


def _difference(was: dict, now: dict) -> str:
    if not isinstance(was["numerator"], int) or not isinstance(now["numerator"], int):
        return ""
    numerator = _signed(now["numerator"] - was["numerator"])
    if was["kind"] == "rate" and isinstance(was["base"], int) and isinstance(now["base"], int):
        return f"{numerator} of {_signed(now['base'] - was['base'])}"
    return numerator


def compare(printed: dict, current: dict) -> list[FigureChange]:
    """The printed figures of ``printed`` (a run's snapshot) that read differently in ``current``."""
    now_cells = _cells(current)
    changes = []
    for key, was in _cells(printed).items():
        now = now_cells.get(key)
        if now is None:
            continue
        if (was["numerator"], was["base"], was["value"]) != (now["numerator"], now["base"], now["value"]):
            changes.append(FigureChange(section=was["section"], label=was["label"], period=was["period"],
                                        scope=was["scope"], kind=was["kind"], printed=_shown(was), now=_shown(now),
                                        difference=_difference(was, now)))
    return changes


def changes_since_run(run: ReportRun) -> list[FigureChange] | None:
    """The run's printed figures that the records now give differently (none for a run not finished; None when
    the report cannot be counted again now — the page then says so rather than failing). Must run in the run's
    tenant context."""
    if run.status != ReportRun.Status.DONE or not run.snapshot:
        return []
    state = figures_engine.data_token(run.tenant_id)
    key = f"report-changes:{run.tenant_id}:{run.pk}:{run.snapshot_sha256}:{state}"
    if state is not None:
        held = cache.get(key)
        if held is not None:
            return held
    try:
        with transaction.atomic(), figures_engine.pinned():
            current = rendering.build_snapshot(run.tenant, run.parameters)
    except Exception:  # a section that cannot be built from today's records must not take the run's page down
        logger.exception("report run %s: the figures could not be counted again for comparison", run.pk)
        return None
    changes = compare(run.snapshot, current)
    if state is not None:
        cache.set(key, changes, figures_engine.TIMEOUT)
    return changes
