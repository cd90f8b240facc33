"""Disclosure control: no published value is in the suppressed range, and no suppressed value can be worked
out from the published totals (checked with exact linear algebra)."""

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporting.disclosure import (
    SUPPRESSED,
    _rank_derivable,
    equation_matrix,
    protect_table,
    publish_rate,
    round_half_up,
)

tables = st.integers(min_value=1, max_value=5).flatmap(
    lambda cols: st.lists(
        st.lists(st.integers(min_value=0, max_value=40), min_size=cols, max_size=cols), min_size=1, max_size=5
    )
)


def _equations_of(table, protected, row_totals=True, column_totals=True):
    """The published table's sum equations over positions, and the positions printed as c."""
    rows, cols = len(table), len(table[0])
    published = {(i, j): protected.cells[i][j] for i in range(rows) for j in range(cols)}
    equations = []
    if row_totals:
        for i in range(rows):
            published[(i, cols)] = protected.row_totals[i]
            equations.append([((i, j), 1) for j in range(cols)] + [((i, cols), -1)])
        equations.append([((i, cols), 1) for i in range(rows)] + [((rows, cols), -1)])
    if column_totals:
        for j in range(cols):
            published[(rows, j)] = protected.column_totals[j]
            equations.append([((i, j), 1) for i in range(rows)] + [((rows, j), -1)])
        equations.append([((rows, j), 1) for j in range(cols)] + [((rows, cols), -1)])
    published[(rows, cols)] = protected.grand_total
    return equations, sorted(pos for pos, value in published.items() if value == SUPPRESSED)


@settings(max_examples=200, deadline=None)
@given(table=tables, threshold=st.integers(min_value=1, max_value=10))
def test_no_published_count_is_in_the_suppressed_range(table, threshold):
    protected = protect_table(table, threshold=threshold)
    values = [v for row in protected.cells for v in row] + protected.row_totals + protected.column_totals
    values.append(protected.grand_total)
    for value in values:
        assert value == SUPPRESSED or not (1 <= value <= threshold)


@settings(max_examples=200, deadline=None)
@given(table=tables, threshold=st.integers(min_value=1, max_value=10),
       row_totals=st.booleans(), column_totals=st.booleans())
def test_no_suppressed_cell_can_be_derived_from_the_totals(table, threshold, row_totals, column_totals):
    protected = protect_table(table, threshold=threshold, row_totals=row_totals, column_totals=column_totals)
    if not (row_totals or column_totals):
        return
    equations, suppressed = _equations_of(table, protected, row_totals, column_totals)
    assert _rank_derivable(suppressed, equations) == set()


@settings(max_examples=100, deadline=None)
@given(table=tables, threshold=st.integers(min_value=1, max_value=10))
def test_published_values_are_the_true_values(table, threshold):
    protected = protect_table(table, threshold=threshold)
    for i, row in enumerate(table):
        for j, value in enumerate(row):
            assert protected.cells[i][j] in (SUPPRESSED, value)
        assert protected.row_totals[i] in (SUPPRESSED, sum(row))


def test_a_lone_small_cell_is_protected_by_a_second_suppression():
    protected = protect_table([[3, 20], [15, 22]], threshold=5)
    assert protected.cells[0][0] == SUPPRESSED
    flat = [v for row in protected.cells for v in row] + protected.row_totals + protected.column_totals
    assert flat.count(SUPPRESSED) >= 3  # the cell, a partner in its row and one in its column (at least)


def test_an_exempt_report_shows_everything():
    protected = protect_table([[3, 20], [1, 22]], threshold=5, public=False)
    assert protected.cells == [[3, 20], [1, 22]]
    assert protected.grand_total == 46


def test_a_bridge_between_two_protected_blocks_is_itself_protected():
    """A suppressed value that is only determined through a chain of equations is caught by the rank test."""
    equations, _ = _equations_of([[0, 0], [0, 0]], protect_table([[0, 0], [0, 0]], threshold=5))
    assert _rank_derivable([(0, 0)], equations) == {(0, 0)}
    assert _rank_derivable([(0, 0), (0, 1), (1, 0), (1, 1)], equations) == set()


def test_rates_round_half_up_once():
    assert round_half_up(Decimal("92.5"), 0) == Decimal("93")
    assert round_half_up(Decimal("0.125"), 2) == Decimal("0.13")
    assert publish_rate(37, 40, threshold=5, public=False).text == "93%"  # 92.5 → 93, not banker's 92
    assert publish_rate(12, 96, threshold=5, decimals=1).text == "12.5%"


def test_rates_on_small_bases_are_suppressed_in_public_and_flagged_when_shown():
    assert publish_rate(1, 1, threshold=5).text == SUPPRESSED
    flagged = publish_rate(0, 8, threshold=5)
    assert flagged.text == "0%" and flagged.small_base
    exempt = publish_rate(1, 1, threshold=5, public=False)
    assert exempt.text == "100%" and exempt.small_base
    assert publish_rate(3, 40, threshold=5).text == SUPPRESSED  # 3 people: the percentage would reveal them
    # The complement: 6 of 7 (86%) says that 1 person did not; 37 of 40 that 3 did not.
    assert publish_rate(6, 7, threshold=5).text == SUPPRESSED
    assert publish_rate(37, 40, threshold=5).reason == "complement"
    assert publish_rate(0, 40, threshold=5).text == "0%" and publish_rate(40, 40, threshold=5).text == "100%"


def test_a_rate_with_a_numerator_above_its_base_is_refused():
    with pytest.raises(ValueError, match="numerator"):
        publish_rate(5, 4, threshold=5)


def test_numpy_is_exact_enough_for_report_sized_tables():
    assert np.linalg.matrix_rank(np.eye(40)) == 40


def _derivable_one_rank_at_a_time(unknown, equations):
    """The reference: an unknown follows from the equations when adding its unit row leaves their rank alone."""
    index, matrix = equation_matrix(unknown, equations)
    if matrix is None:
        return set()
    rank = np.linalg.matrix_rank(matrix)
    found = set()
    for q, k in index.items():
        unit = np.zeros(len(unknown))
        unit[k] = 1
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.add(q)
    return found


systems = st.integers(min_value=1, max_value=9).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.lists(st.tuples(st.integers(0, n + 2), st.sampled_from([-1, 1, 1, 2, 100])), max_size=6),
             max_size=8),
))


@settings(max_examples=400, deadline=None)
@given(systems)
def test_one_decomposition_finds_what_a_rank_per_unknown_finds(system):
    """``_rank_derivable`` reads every unknown off one null space; it agrees with adding each unknown's unit row
    and comparing ranks, on random systems (sums, differences and rate-like coefficients, known terms among them)."""
    n, equations = system
    unknown = list(range(n))  # terms n.. are known
    assert _rank_derivable(unknown, equations) == _derivable_one_rank_at_a_time(unknown, equations)
