"""Disclosure control for published figures (DESIGN.md §5).

In a report marked Public, counts from 1 up to the tenant's threshold are shown as ``c`` (primary suppression),
and further cells are suppressed (secondary suppression) until no suppressed value can be worked out from the
published row and column totals. Rates on small bases are suppressed; rates on bases below
``small_base_limit`` are flagged with a footnote; a Public report prints a percentage with its base (n = …),
never the count of people behind it. An exempt report shows every value.

The check for "can be worked out" is exact for linear equations: a suppressed entry is derivable when its unit
vector lies in the row space of the table's sum equations restricted to the suppressed entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from earlyhelp.figures import round_half_up

SUPPRESSED = "c"


def is_small(value: int | None, threshold: int) -> bool:
    return value is not None and 1 <= value <= threshold


def small_base_limit(threshold: int) -> int:
    """Bases below this are flagged with a footnote even when they are not suppressed."""
    return max(10, 2 * threshold)


@dataclass
class ProtectedTable:
    """A table after disclosure control. ``cells`` holds ints or ``"c"``; margins likewise (None if absent)."""

    cells: list[list[int | str]]
    row_totals: list[int | str] | None
    column_totals: list[int | str] | None
    grand_total: int | str | None
    suppressed: int = 0


@dataclass
class _Grid:
    rows: int
    cols: int
    row_totals: bool
    col_totals: bool
    values: dict[tuple[int, int], int] = field(default_factory=dict)

    # Positions: (i, j) interior; (i, cols) row total; (rows, j) column total; (rows, cols) grand total.
    def positions(self) -> list[tuple[int, int]]:
        return list(self.values)

    def equations(self) -> list[list[tuple[tuple[int, int], int]]]:
        eqs = []
        r, c = self.rows, self.cols
        if self.row_totals:
            for i in range(r):
                eqs.append([((i, j), 1) for j in range(c)] + [((i, c), -1)])
        if self.col_totals:
            for j in range(c):
                eqs.append([((i, j), 1) for i in range(r)] + [((r, j), -1)])
        if self.row_totals and (r, c) in self.values:
            eqs.append([((i, c), 1) for i in range(r)] + [((r, c), -1)])
        if self.col_totals and (r, c) in self.values:
            eqs.append([((r, j), 1) for j in range(c)] + [((r, c), -1)])
        return eqs


def derivable(grid: _Grid, suppressed: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """The suppressed positions whose value follows from the published values and the sum equations."""
    unknown = sorted(suppressed)
    if not unknown:
        return set()
    index = {pos: k for k, pos in enumerate(unknown)}
    rows = []
    for eq in grid.equations():
        row = np.zeros(len(unknown))
        for pos, coeff in eq:
            if pos in index:
                row[index[pos]] += coeff
        if row.any():
            rows.append(row)
    if not rows:
        return set()
    matrix = np.array(rows)
    rank = np.linalg.matrix_rank(matrix)
    found = set()
    for pos, k in index.items():
        unit = np.zeros(len(unknown))
        unit[k] = 1
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.add(pos)
    return found


def _partners(grid: _Grid, around: set, suppressed: set) -> list[tuple[int, int]]:
    """Published entries on the equations that involve any of ``around``."""
    return [
        pos
        for eq in grid.equations()
        if any(p in around for p, _ in eq)
        for pos, _ in eq
        if pos not in suppressed
    ]


def protect_table(
    table: list[list[int]],
    *,
    threshold: int,
    row_totals: bool = True,
    column_totals: bool = True,
    public: bool = True,
) -> ProtectedTable:
    """Apply primary and secondary suppression to ``table`` (counts ≥ 0) and its totals."""
    rows = len(table)
    cols = len(table[0]) if rows else 0
    grid = _Grid(rows, cols, row_totals, column_totals)
    for i, line in enumerate(table):
        if len(line) != cols:
            raise ValueError("every row needs the same number of columns")
        for j, value in enumerate(line):
            if value is None or value < 0:
                raise ValueError("counts must be whole numbers of at least 0")
            grid.values[(i, j)] = int(value)
    if row_totals:
        for i in range(rows):
            grid.values[(i, cols)] = sum(table[i])
    if column_totals:
        for j in range(cols):
            grid.values[(rows, j)] = sum(table[i][j] for i in range(rows))
    if row_totals or column_totals:
        grid.values[(rows, cols)] = sum(sum(line) for line in table)

    suppressed: set[tuple[int, int]] = set()
    if public:
        suppressed = {pos for pos, value in grid.values.items() if is_small(value, threshold)}
        # Secondary suppression: while some suppressed value can be worked out, hide the smallest other value
        # on one of its lines (interior cells before totals, non-zero before zero).
        for _ in range(len(grid.values)):
            exposed = derivable(grid, suppressed)
            if not exposed:
                break
            candidates = _partners(grid, exposed, suppressed) or _partners(grid, suppressed, suppressed)
            if not candidates:
                break

            def cost(pos):
                interior = pos[0] < rows and pos[1] < cols
                value = grid.values[pos]
                return (not interior, value == 0, value, pos)

            suppressed.add(min(candidates, key=cost))

    def shown(pos):
        return SUPPRESSED if pos in suppressed else grid.values[pos]

    return ProtectedTable(
        cells=[[shown((i, j)) for j in range(cols)] for i in range(rows)],
        row_totals=[shown((i, cols)) for i in range(rows)] if row_totals else None,
        column_totals=[shown((rows, j)) for j in range(cols)] if column_totals else None,
        grand_total=shown((rows, cols)) if (row_totals or column_totals) else None,
        suppressed=len(suppressed),
    )




@dataclass(frozen=True)
class PublishedRate:
    text: str  # e.g. "93%", "c", "n/a"
    numerator: int | str | None
    base: int | str | None
    small_base: bool = False  # needs the "based on fewer than N" footnote
    suppressed: bool = False


def publish_rate(
    numerator: int | None, base: int | None, *, threshold: int, decimals: int = 0, public: bool = True
) -> PublishedRate:
    """Present ``numerator / base`` as a percentage, rounded half-up once, with disclosure control."""
    if base is None or base == 0 or numerator is None:
        return PublishedRate("n/a", numerator, base)
    if numerator < 0 or base < 0 or numerator > base:
        raise ValueError(f"a rate needs 0 ≤ numerator ≤ base (got {numerator}/{base})")
    percent = round_half_up(Decimal(numerator) * 100 / Decimal(base), decimals)
    text = f"{percent}%"
    if not public:
        return PublishedRate(text, numerator, base, small_base=base < small_base_limit(threshold))
    if is_small(base, threshold):
        return PublishedRate(SUPPRESSED, SUPPRESSED, SUPPRESSED, small_base=True, suppressed=True)
    shown_numerator: int | str = SUPPRESSED if is_small(numerator, threshold) else numerator
    return PublishedRate(text, shown_numerator, base, small_base=base < small_base_limit(threshold))


def publish_count(value: int | None, *, threshold: int, public: bool = True) -> int | str | None:
    if value is None:
        return None
    if public and is_small(value, threshold):
        return SUPPRESSED
    return value
