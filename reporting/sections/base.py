from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string


@dataclass
class ReportContext:
    """What every section is built with. ``parameters`` is the run's frozen copy of the report."""

    tenant: Any
    parameters: dict
    period: Any  # earlyhelp.periods.Quarter or FinancialYear
    public: bool
    threshold: int
    decimals: int
    progress: Callable[[str], None] = field(default=lambda key: None)


class Section:
    """Base class. ``kind`` is "narrative" (written by the officer) or "data" (generated)."""

    key: str = ""
    title: str = ""
    kind: str = "data"
    order: int = 500
    default_include: bool = True
    template: str = ""

    def build(self, context: ReportContext) -> dict:
        """Return the JSON-serialisable snapshot of this section (raw counts with bases)."""
        raise NotImplementedError

    def casework_periods(self, context: ReportContext) -> list:
        """The periods whose casework counts (``cases.stats.case_stats``) ``build`` reads, so that the snapshot
        builder can count every section's periods together, reading each table once."""
        return []

    def present(self, snapshot: dict, *, public: bool, threshold: int, decimals: int) -> tuple[dict, Any]:
        """What the template prints beyond the snapshot, and the section's :class:`FigureSheet` (its printed
        figures with disclosure control applied), or None for a section without figures."""
        return {}, None

    def draw(self, extra: dict) -> None:
        """Add charts to what ``present`` returned; only the printed report draws them."""

    def sheets(self, snapshot: dict, *, public: bool, threshold: int, decimals: int) -> list:
        _, sheet = self.present(snapshot, public=public, threshold=threshold, decimals=decimals)
        return [sheet] if sheet is not None else []

    def render(self, snapshot: dict, *, number: int, public: bool, threshold: int, decimals: int) -> str:
        extra, sheet = self.present(snapshot, public=public, threshold=threshold, decimals=decimals)
        self.draw(extra)
        return render_to_string(
            self.template,
            {"section": snapshot, "number": number, "public": public, "threshold": threshold, "decimals": decimals,
             "notes": sheet.notes() if sheet is not None else [],
             "hidden_note": sheet.hidden_note() if sheet is not None else "", **extra},
        )

    def definitions(self, snapshot: dict) -> list[dict]:
        """For the appendix: what each figure counts, its period and its base."""
        return snapshot.get("definitions", [])
