"""Disclosure control for published figures (DESIGN.md §5), version 2.

In a report marked Public no count from 1 up to the tenant's threshold may be *printed* or *worked out* from
what is printed: counts, percentages printed with their base, totals, complements (base − numerator) and rows or
columns that sum. The rules, as the DfE and ONS apply them to published statistics:

* **primary suppression**: a count from 1 to the threshold is shown as ``c``;
* **percentages**: a percentage is printed with its base only when neither its numerator nor its complement
  (base − numerator) is from 1 to the threshold, and its base is not suppressed — a percentage of a suppressed
  count is suppressed too (a percentage with its base is the count, to within rounding);
* **secondary suppression**: further values are hidden until no hidden value, no small complement and no small
  group of hidden values on one total can be worked out from the published values and the sums they obey.

:class:`Disclosure` holds the quantities of one section (each a count, named by an id), the sums they obey and the
percentages printed from them, and decides what is hidden and why. ``derivable`` is exact for linear equations: a
hidden quantity is derivable when its unit vector lies in the row space of the equations restricted to the hidden
quantities. ``reporting.disclosure_audit`` checks the result independently, from the printed cells alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from earlyhelp.figures import round_half_up

SUPPRESSED = "c"

# Why a value is hidden: said in the section's footnote.
SMALL = "small"  # a count from 1 to the threshold
COMPLEMENT = "complement"  # a percentage whose complement (base − numerator) is from 1 to the threshold
SECONDARY = "secondary"  # hidden so that a hidden value cannot be worked out from totals or other cells
REASONS = {
    SMALL: "a count from 1 to {threshold}",
    COMPLEMENT: "a percentage that would reveal the small number of people it leaves out (1 to {threshold})",
    SECONDARY: "a value hidden so that a hidden count cannot be worked out from the totals or the other figures",
}


def is_small(value: int | None, threshold: int) -> bool:
    return value is not None and 1 <= value <= threshold


def small_base_limit(threshold: int) -> int:
    """Bases below this are flagged with a footnote even when they are not suppressed."""
    return max(10, 2 * threshold)


def hidden_note(reasons: set[str], threshold: int) -> str:
    """The footnote that says what was hidden and why: one clause per reason used, in a fixed order."""
    used = [REASONS[r].format(threshold=threshold) for r in (SMALL, COMPLEMENT, SECONDARY) if r in reasons]
    if not used:
        return ""
    return "c: hidden because this report is Public — " + "; ".join(used) + "."


def _rank_derivable(unknown: list, equations: list[list[tuple[object, int]]]) -> set:
    """The members of ``unknown`` whose value follows from the equations (every other term being known).

    An unknown's value follows from the equations when its unit vector lies in their row space, that is when
    every vector of their null space is zero at its place: one singular value decomposition of the equations
    answers for every unknown at once (this took a rank computation per unknown: 926 of them, half the time of
    a committee report's HTML). Tolerances as ``numpy.linalg.matrix_rank``'s; the coefficients are small whole
    numbers, so a null-space component is either about 1e-16 or far from it."""
    if not unknown:
        return set()
    index, matrix = equation_matrix(unknown, equations)
    if matrix is None:
        return set()
    _, singular, vt = np.linalg.svd(matrix, full_matrices=True)
    tolerance = singular.max() * max(matrix.shape) * np.finfo(matrix.dtype).eps
    rank = int((singular > tolerance).sum())
    null_space = vt[rank:]  # rows spanning the vectors the equations cannot tell from zero
    if not len(null_space):
        return set(unknown)
    free = np.abs(null_space).max(axis=0) > _NULL_TOLERANCE
    return {q for q, k in index.items() if not free[k]}


_NULL_TOLERANCE = 1e-9


def equation_matrix(unknown: list, equations: list[list[tuple[object, int]]]):
    """``(index, matrix)``: each unknown's column, and one row per equation that names an unknown (its
    coefficients; known terms left out), or None when no equation does."""
    index = {q: k for k, q in enumerate(unknown)}
    rows = []
    for eq in equations:
        row = np.zeros(len(unknown))
        for q, coeff in eq:
            if q in index:
                row[index[q]] += coeff
        if row.any():
            rows.append(row)
    return index, (np.array(rows) if rows else None)


class Disclosure:
    """The quantities behind one section's printed figures, the sums they obey, and what is hidden and why.

    Declare every quantity (``count``), every sum (``total``) and every percentage (``rate``), then call
    ``resolve`` once; afterwards ``hidden(q)`` and ``reason(q)`` say what to print. An exempt report hides
    nothing. A quantity that is never printed on its own (a rate's complement) is modelled as unknown from the
    start: it must not be derivable when it is small.
    """

    def __init__(self, *, threshold: int, public: bool):
        self.threshold = threshold
        self.public = public
        self.values: dict[str, int] = {}
        self.sums: list[tuple[str, tuple[str, ...]]] = []
        self.rates: list[tuple[str, str]] = []
        self._hidden: dict[str, str] = {}
        self._resolved = False

    # -- declaring
    def count(self, qid: str, value: int) -> str:
        if value is None or int(value) != value or value < 0:
            raise ValueError(f"{qid}: a count must be a whole number of at least 0 (got {value!r})")
        if qid in self.values and self.values[qid] != value:
            raise ValueError(f"{qid}: declared twice with different values")
        self.values[qid] = int(value)
        self._resolved = False
        return qid

    def total(self, total: str, parts: list[str]) -> None:
        """``total`` is the sum of ``parts`` (all declared counts)."""
        missing = [q for q in (total, *parts) if q not in self.values]
        if missing:
            raise ValueError(f"undeclared quantities in a sum: {missing}")
        if sum(self.values[q] for q in parts) != self.values[total]:
            raise ValueError(f"{total} is not the sum of {list(parts)}")
        self.sums.append((total, tuple(parts)))
        self._resolved = False

    def rate(self, numerator: str, base: str) -> None:
        """A percentage ``numerator / base`` printed with its base."""
        if self.values[numerator] > self.values[base]:
            raise ValueError(f"a rate needs 0 ≤ numerator ≤ base ({numerator}/{base})")
        if (numerator, base) not in self.rates:
            self.rates.append((numerator, base))
        self._resolved = False

    # -- deciding
    def _complement(self, numerator: str, base: str) -> str:
        return f"{base}−{numerator}"

    def _equations(self) -> list[list[tuple[str, int]]]:
        eqs = [[(total, -1), *((p, 1) for p in parts)] for total, parts in self.sums]
        for n, b in self.rates:
            eqs.append([(b, -1), (n, 1), (self._complement(n, b), 1)])
        return eqs

    def resolve(self) -> Disclosure:
        self._resolved = True
        self._hidden = {}
        if not self.public:
            return self
        t = self.threshold
        hidden = {q: SMALL for q, v in self.values.items() if is_small(v, t)}
        complements = {self._complement(n, b): self.values[b] - self.values[n] for n, b in self.rates}
        equations = self._equations()
        totals = {total for total, _ in self.sums} | {b for _, b in self.rates}
        for _ in range(len(self.values) + 1):
            problems = self._problems(hidden, complements, equations)
            if not problems:
                break
            choice = self._partner(problems, hidden, equations, totals)
            if choice is None:  # nothing published left beside the problem: hide the problem's own equations
                break
            hidden[choice] = COMPLEMENT if self._is_complement_partner(choice, problems) else SECONDARY
        self._hidden = hidden
        return self

    def _is_complement_partner(self, choice: str, problems: list[str]) -> bool:
        return any(p == self._complement(n, b) and choice == n for p in problems for n, b in self.rates)

    def _problems(self, hidden: dict, complements: dict, equations) -> list[str]:
        """Hidden counts that can be worked out, small complements that can, and small groups of hidden values
        on one published total — in a fixed order."""
        t = self.threshold
        unknown = sorted(set(hidden) | set(complements))
        found = _rank_derivable(unknown, equations)
        problems = [q for q in unknown if q in found and (q in hidden or is_small(complements[q], t))]
        if problems:
            return problems
        for eq in equations:
            unknown_terms = [q for q, _ in eq if q in hidden or q in complements]
            if len(unknown_terms) < 2:
                continue
            known_total = [q for q, c in eq if c == -1 and q not in hidden]
            if not known_total:
                continue
            group = [q for q, c in eq if c == 1 and (q in hidden or q in complements)]
            value = sum(self.values.get(q, complements.get(q, 0)) for q in group)
            if len(group) >= 2 and is_small(value, t):
                return group
        return []

    def _partner(self, problems: list[str], hidden: dict, equations, totals: set) -> str | None:
        """The published quantity to hide next: one on an equation of a problem, preferring a part to a total,
        a non-zero to a zero, and the smallest."""
        around = set(problems)
        candidates = sorted({
            q for eq in equations if any(p in around for p, _ in eq)
            for q, _ in eq if q in self.values and q not in hidden
        })
        if not candidates:  # derived through a chain: hide a published value on any equation with a hidden one
            unknown = set(hidden) | {self._complement(n, b) for n, b in self.rates}
            candidates = sorted({
                q for eq in equations if any(p in unknown for p, _ in eq)
                for q, _ in eq if q in self.values and q not in hidden
            })
        if not candidates:
            return None
        return min(candidates, key=lambda q: (q in totals, self.values[q] == 0, self.values[q], q))

    # -- reading the decision
    def hidden(self, qid: str) -> bool:
        if not self._resolved:
            raise RuntimeError("resolve() the disclosure before reading it")
        return qid in self._hidden

    def reason(self, qid: str) -> str:
        return self._hidden.get(qid, "")

    def rate_hidden(self, numerator: str, base: str) -> str:
        """Why the percentage ``numerator / base`` is hidden ("" when it is printed)."""
        if not self.public:
            return ""
        if self.hidden(base):
            return self.reason(base)
        if self.hidden(numerator):
            return self.reason(numerator)
        return ""

    def reasons_used(self) -> set[str]:
        return set(self._hidden.values())

    @property
    def suppressed(self) -> int:
        return len(self._hidden)


@dataclass
class ProtectedTable:
    """A table after disclosure control. ``cells`` holds ints or ``"c"``; margins likewise (None if absent)."""

    cells: list[list[int | str]]
    row_totals: list[int | str] | None
    column_totals: list[int | str] | None
    grand_total: int | str | None
    suppressed: int = 0
    reasons: set[str] = field(default_factory=set)


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
    d = Disclosure(threshold=threshold, public=public)
    for i, line in enumerate(table):
        if len(line) != cols:
            raise ValueError("every row needs the same number of columns")
        for j, value in enumerate(line):
            if value is None or value < 0:
                raise ValueError("counts must be whole numbers of at least 0")
            d.count(f"{i},{j}", value)
    margins = row_totals or column_totals
    if row_totals:
        for i in range(rows):
            d.count(f"{i},T", sum(table[i]))
            d.total(f"{i},T", [f"{i},{j}" for j in range(cols)])
    if column_totals:
        for j in range(cols):
            d.count(f"T,{j}", sum(table[i][j] for i in range(rows)))
            d.total(f"T,{j}", [f"{i},{j}" for i in range(rows)])
    if margins:
        d.count("T,T", sum(sum(line) for line in table))
        if row_totals:
            d.total("T,T", [f"{i},T" for i in range(rows)])
        if column_totals:
            d.total("T,T", [f"T,{j}" for j in range(cols)])
    d.resolve()

    def shown(qid):
        return SUPPRESSED if d.hidden(qid) else d.values[qid]

    return ProtectedTable(
        cells=[[shown(f"{i},{j}") for j in range(cols)] for i in range(rows)],
        row_totals=[shown(f"{i},T") for i in range(rows)] if row_totals else None,
        column_totals=[shown(f"T,{j}") for j in range(cols)] if column_totals else None,
        grand_total=shown("T,T") if margins else None,
        suppressed=d.suppressed,
        reasons=d.reasons_used(),
    )


@dataclass(frozen=True)
class PublishedRate:
    text: str  # e.g. "93%", "c", "n/a"
    numerator: int | str | None
    base: int | str | None
    small_base: bool = False  # needs the "based on fewer than N" footnote
    suppressed: bool = False
    reason: str = ""


def percent_text(numerator: int, base: int, decimals: int) -> str:
    return f"{round_half_up(Decimal(numerator) * 100 / Decimal(base), decimals)}%"


def publish_rate(
    numerator: int | None, base: int | None, *, threshold: int, decimals: int = 0, public: bool = True
) -> PublishedRate:
    """Present one stand-alone ``numerator / base`` as a percentage, rounded half-up once, with disclosure
    control: hidden in a Public report when the base, the numerator or the complement is from 1 to the
    threshold. (Percentages that share quantities with other figures go through :class:`Disclosure`.)"""
    if base is None or base == 0 or numerator is None:
        return PublishedRate("n/a", numerator, base)
    if numerator < 0 or base < 0 or numerator > base:
        raise ValueError(f"a rate needs 0 ≤ numerator ≤ base (got {numerator}/{base})")
    text = percent_text(numerator, base, decimals)
    if not public:
        return PublishedRate(text, numerator, base, small_base=base < small_base_limit(threshold))
    if is_small(base, threshold):
        return PublishedRate(SUPPRESSED, SUPPRESSED, SUPPRESSED, small_base=True, suppressed=True, reason=SMALL)
    if is_small(numerator, threshold):
        return PublishedRate(SUPPRESSED, SUPPRESSED, base, suppressed=True, reason=SMALL)
    if is_small(base - numerator, threshold):
        return PublishedRate(SUPPRESSED, SUPPRESSED, base, suppressed=True, reason=COMPLEMENT)
    return PublishedRate(text, numerator, base, small_base=base < small_base_limit(threshold))


def publish_count(value: int | None, *, threshold: int, public: bool = True) -> int | str | None:
    if value is None:
        return None
    if public and is_small(value, threshold):
        return SUPPRESSED
    return value
