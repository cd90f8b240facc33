"""The printed figures of a report as machine-readable cells, with disclosure control applied once.

Every figure a data section prints is a :class:`FigureCell`: what it measures, its period and scope, the numerator
and base it was worked out from (as published: blank when hidden), the value as printed, whether it was
suppressed and why, and the id of its definition in the report's appendix. A section declares its cells on a
:class:`FigureSheet` together with the sums they obey (a total and its parts), resolves the sheet once, and its
template prints the cells' ``text`` and ``base_text``. The same cells make the report's figures table (CSV and
JSON, ``reporting.figures_table``) that open data is published from, and that ``reporting.disclosure_audit`` checks.

Quantities are named by ids unique within the section (e.g. ``care.closed``); two cells that print the same
quantity (a count and its percentage) name the same id, so hiding one hides both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .disclosure import SUPPRESSED, Disclosure, hidden_note, percent_text, small_base_limit

COLUMNS = ["section", "cell", "measure", "label", "period", "scope", "kind", "numerator", "base", "value",
           "suppressed", "reason", "definition_id"]


@dataclass
class FigureCell:
    """One printed figure. ``numerator`` and ``base`` are the true counts until the sheet is resolved; the
    published view (``published``) blanks what is hidden."""

    cell: str  # unique in the section: the quantity id for counts, "numerator/base" for rates
    measure: str
    label: str
    period: str
    scope: str
    definition_id: str
    kind: str  # "count", "rate" or "amount" (an average or other figure that is not a count of people)
    numerator: int | None = None
    base: int | None = None
    quantity: str = ""
    base_quantity: str = ""
    amount: str = ""  # the printed text of an "amount"
    decimals: int = 0
    text: str = ""
    base_text: str = ""
    suppressed: bool = False
    reason: str = ""
    flag: bool = False  # a percentage on a small base: marked with * and footnoted

    def published(self, section: str) -> dict:
        shown_numerator = "" if self.suppressed or self.numerator is None else self.numerator
        shown_base = self.base if self.base is not None else ""
        if self.kind == "rate" and self.base_text == SUPPRESSED:
            shown_base = ""
        return {
            "section": section, "cell": self.cell, "measure": self.measure, "label": self.label,
            "period": self.period, "scope": self.scope, "kind": self.kind,
            "numerator": "" if self.kind == "amount" else shown_numerator,
            "base": "" if self.kind != "rate" else shown_base,
            "value": self.text, "suppressed": self.suppressed, "reason": self.reason,
            "definition_id": self.definition_id,
            "quantity": self.quantity, "base_quantity": self.base_quantity, "decimals": self.decimals,
        }


@dataclass
class FigureSheet:
    """The cells of one section and the sums they obey; ``resolve`` applies disclosure control to all of them."""

    section: str
    public: bool
    threshold: int
    decimals: int
    cells: list[FigureCell] = field(default_factory=list)
    disclosure: Disclosure = None  # type: ignore[assignment]

    def __post_init__(self):
        self.disclosure = Disclosure(threshold=self.threshold, public=self.public)

    # -- declaring
    def count(self, qid: str, value: int | None, *, measure: str, label: str, period: str, scope: str,
              definition_id: str) -> FigureCell:
        cell = FigureCell(qid, measure, label, period, scope, definition_id, "count", numerator=value, quantity=qid)
        if value is not None:
            self.disclosure.count(qid, value)
        self.cells.append(cell)
        return cell

    def rate(self, numerator_qid: str, numerator: int | None, base_qid: str, base: int | None, *, measure: str,
             label: str, period: str, scope: str, definition_id: str) -> FigureCell:
        cell = FigureCell(f"{numerator_qid}/{base_qid}", measure, label, period, scope, definition_id, "rate",
                          numerator=numerator, base=base, quantity=numerator_qid, base_quantity=base_qid,
                          decimals=self.decimals)
        if numerator is not None and base:
            self.disclosure.count(numerator_qid, numerator)
            self.disclosure.count(base_qid, base)
            self.disclosure.rate(numerator_qid, base_qid)
        elif base == 0:
            self.disclosure.count(base_qid, 0)
        self.cells.append(cell)
        return cell

    def amount(self, cell_id: str, text: str, *, measure: str, label: str, period: str, scope: str,
               definition_id: str, hidden_with: str = "") -> FigureCell:
        """A figure that is not a count of people (a mean score, a cost); hidden with ``hidden_with``'s quantity
        when given (a mean of a suppressed number of people is not printed)."""
        cell = FigureCell(cell_id, measure, label, period, scope, definition_id, "amount", amount=text,
                          quantity=hidden_with)
        self.cells.append(cell)
        return cell

    def total(self, total_qid: str, parts: list[str]) -> None:
        self.disclosure.total(total_qid, parts)

    # -- deciding and printing
    def resolve(self) -> FigureSheet:
        d = self.disclosure.resolve()
        limit = small_base_limit(self.threshold)
        for cell in self.cells:
            if cell.kind == "count":
                if cell.numerator is None:
                    cell.text = "–"
                elif d.hidden(cell.quantity):
                    cell.text, cell.suppressed, cell.reason = SUPPRESSED, True, d.reason(cell.quantity)
                else:
                    cell.text = str(cell.numerator)
            elif cell.kind == "amount":
                if cell.quantity and cell.quantity in d.values and d.hidden(cell.quantity):
                    cell.text, cell.suppressed, cell.reason = SUPPRESSED, True, d.reason(cell.quantity)
                else:
                    cell.text = cell.amount
            else:
                self._resolve_rate(cell, d, limit)
        return self

    def _resolve_rate(self, cell: FigureCell, d: Disclosure, limit: int) -> None:
        if cell.base is None or cell.numerator is None:
            cell.text, cell.base_text = "n/a", ""
            return
        if cell.base == 0:
            cell.text, cell.base_text = "–", "none"
            return
        reason = d.rate_hidden(cell.quantity, cell.base_quantity)
        if reason:
            cell.text, cell.suppressed, cell.reason = SUPPRESSED, True, reason
            cell.base_text = SUPPRESSED if d.hidden(cell.base_quantity) else f"n = {cell.base}"
            return
        cell.text = percent_text(cell.numerator, cell.base, self.decimals)
        cell.base_text = f"n = {cell.base}" if self.public else f"{cell.numerator} of {cell.base}"
        cell.flag = cell.base < limit

    @property
    def flagged(self) -> bool:
        return any(c.flag for c in self.cells)

    def notes(self, *, small_base_of: str = "people") -> list[str]:
        """The footnotes: the small-base mark and, in a Public report, what was hidden and why."""
        notes = []
        if self.flagged:
            notes.append(f"* Based on fewer than {small_base_limit(self.threshold)} {small_base_of}: read with care.")
        if self.hidden_note():
            notes.append(self.hidden_note())
        return notes

    def hidden_note(self) -> str:
        """In a Public report: what was hidden and why ("" when nothing was)."""
        if not self.public:
            return ""
        return hidden_note({c.reason for c in self.cells if c.suppressed}, self.threshold)

    def published(self) -> dict:
        """The sheet as the auditor and open data read it: the cells as printed and the published sums."""
        return {
            "section": self.section,
            "public": self.public,
            "threshold": self.threshold,
            "cells": [c.published(self.section) for c in self.cells],
            "sums": [{"total": total, "parts": list(parts)} for total, parts in self.disclosure.sums],
        }
