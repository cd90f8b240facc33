"""An independent check of a Public report: can any count from 1 to the threshold be worked out from what it prints?

The auditor reads only the published cells of a report's figures table (``reporting.figure_cells``) — the values
as printed, the bases printed beside percentages, which cells are hidden, and the sums the cells obey — and tries
to recover small counts by arithmetic, as a determined reader would:

* a printed count from 1 to the threshold;
* a percentage printed with its base: the numerators that round (half-up, at the printed decimals) to the printed
  percentage, and so the complement (base − numerator);
* totals and their parts: bounds propagated through every sum (parts are never negative), then exact linear
  algebra over the sums for anything determined through a chain of them;
* a group of hidden parts of one known total whose sum is small (the people "not in" the printed parts).

It shares no code with the suppression in ``reporting.disclosure``: it is the second pair of eyes.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)%\s*$")
INFINITY = math.inf


@dataclass(frozen=True)
class Finding:
    section: str
    quantity: str
    value: int
    how: str

    def __str__(self) -> str:
        return f"{self.section}: {self.quantity} = {self.value} ({self.how})"


def numerators_for(percent_text: str, base: int, decimals: int) -> tuple[int, int] | None:
    """The smallest and largest whole numerators that print as ``percent_text`` over ``base`` (None: none do)."""
    match = _PERCENT.match(percent_text or "")
    if not match or base <= 0:
        return None
    printed = Decimal(match.group(1))
    step = Decimal(1).scaleb(-decimals)
    fits = [n for n in range(base + 1)
            if (Decimal(n) * 100 / Decimal(base)).quantize(step, rounding=ROUND_HALF_UP) == printed]
    return (fits[0], fits[-1]) if fits else None


class _Bounds:
    def __init__(self):
        self.lo: dict[str, float] = {}
        self.hi: dict[str, float] = {}
        self.how: dict[str, str] = {}

    def add(self, q: str) -> None:
        self.lo.setdefault(q, 0)
        self.hi.setdefault(q, INFINITY)

    def narrow(self, q: str, lo: float, hi: float, how: str) -> bool:
        self.add(q)
        changed = False
        if lo > self.lo[q]:
            self.lo[q], changed = lo, True
        if hi < self.hi[q]:
            self.hi[q], changed = hi, True
        if changed:
            self.how[q] = how
        return changed

    def exact(self, q: str) -> int | None:
        lo, hi = self.lo.get(q, 0), self.hi.get(q, INFINITY)
        return int(lo) if lo == hi else None


def audit_sheet(sheet: dict, *, threshold: int | None = None) -> list[Finding]:
    """The small counts recoverable from one published sheet (empty when the sheet is safe or not Public)."""
    if not sheet.get("public", True):
        return []
    t = sheet.get("threshold") if threshold is None else threshold
    name = sheet.get("section", "")
    b = _Bounds()
    printed: set[str] = set()
    equations: list[tuple[str, list[str]]] = [(s["total"], list(s["parts"])) for s in sheet.get("sums", [])]
    findings: dict[str, Finding] = {}

    for cell in sheet["cells"]:
        if cell["kind"] == "count" and cell.get("quantity"):
            q = cell["quantity"]
            b.add(q)
            if not cell["suppressed"] and isinstance(cell["numerator"], int):
                b.narrow(q, cell["numerator"], cell["numerator"], "printed")
                printed.add(q)
        elif cell["kind"] == "rate" and cell.get("quantity"):
            n, base_q = cell["quantity"], cell["base_quantity"]
            b.add(n)
            b.add(base_q)
            complement = f"{base_q}−{n}"
            b.add(complement)
            equations.append((base_q, [n, complement]))
            if cell["suppressed"] or not isinstance(cell["base"], int) or cell["base"] == "":
                continue
            base = cell["base"]
            b.narrow(base_q, base, base, "printed as a base")
            printed.add(base_q)
            if isinstance(cell["numerator"], int):
                b.narrow(n, cell["numerator"], cell["numerator"], "printed as a numerator")
                continue
            fits = numerators_for(cell["value"], base, int(cell.get("decimals") or 0))
            if fits:
                b.narrow(n, fits[0], fits[1], f"{cell['value']} of {base}")

    # Bounds through every sum until nothing moves (parts are never negative).
    for _ in range(50):
        moved = False
        for total, parts in equations:
            for q in (total, *parts):
                b.add(q)
            lo_sum = sum(b.lo[p] for p in parts)
            hi_sum = sum(b.hi[p] for p in parts)
            moved |= b.narrow(total, lo_sum, hi_sum, "sum of its parts")
            for p in parts:
                others_lo = lo_sum - b.lo[p]
                others_hi = hi_sum - b.hi[p] if b.hi[p] != INFINITY else sum(
                    b.hi[o] for o in parts if o != p)
                moved |= b.narrow(p, b.lo[total] - others_hi, b.hi[total] - others_lo, f"{total} less the rest")
        if not moved:
            break

    _solve_linear(b, equations)

    for q in b.lo:
        value = b.exact(q)
        if value is not None and 1 <= value <= t:
            how = "printed" if q in printed else f"worked out: {b.how.get(q, 'from the sums')}"
            findings.setdefault(q, Finding(name, q, value, how))
    for total, parts in equations:
        known_total = b.exact(total)
        unknown = [p for p in parts if b.exact(p) is None]
        if known_total is None or len(unknown) < 2:
            continue
        group = known_total - sum(b.exact(p) for p in parts if b.exact(p) is not None)
        if 1 <= group <= t:
            key = "+".join(unknown)
            findings.setdefault(key, Finding(name, key, group, f"hidden parts of {total} add up to it"))
    return sorted(findings.values(), key=lambda f: (f.section, f.quantity))


def _solve_linear(b: _Bounds, equations) -> None:
    """Exact values of unknowns determined through a chain of sums (every other term known exactly)."""
    unknown = sorted({q for total, parts in equations for q in (total, *parts) if b.exact(q) is None})
    if not unknown:
        return
    index = {q: k for k, q in enumerate(unknown)}
    rows, rhs = [], []
    for total, parts in equations:
        row = np.zeros(len(unknown))
        constant = 0.0
        for q, coeff in [(total, -1), *((p, 1) for p in parts)]:
            if q in index:
                row[index[q]] += coeff
            else:
                constant -= coeff * b.exact(q)
        if row.any():
            rows.append(row)
            rhs.append(constant)
    if not rows:
        return
    matrix, vector = np.array(rows), np.array(rhs)
    rank = np.linalg.matrix_rank(matrix)
    solution = np.linalg.lstsq(matrix, vector, rcond=None)[0]
    for q, k in index.items():
        unit = np.zeros(len(unknown))
        unit[k] = 1
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            value = round(float(solution[k]))
            b.narrow(q, value, value, "a chain of sums")


def audit_figures(sheets: list[dict]) -> list[Finding]:
    """Every finding in a report's figures table (``reporting.figures_table``)."""
    return [finding for sheet in sheets for finding in audit_sheet(sheet)]
