"""The NHS number (Modulus 11, via python-stdnum) against an implementation written here from the NHS Data
Dictionary's five steps (../shared/standards/nhs-number/), and the person's identifier rules."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from cases.identifiers import nhs_number_clean, nhs_number_display, upn_clean


def data_dictionary_valid(number: str) -> bool:
    """The NHS Data Dictionary's steps, literally: weights 10..2, remainder mod 11, 11 − remainder, 11 → 0,
    10 → invalid, compare with the tenth digit."""
    if len(number) != 10 or not all(c in "0123456789" for c in number):
        return False
    total = 0
    for position in range(1, 10):
        total += int(number[position - 1]) * (11 - position)
    check = 11 - (total % 11)
    if check == 11:
        check = 0
    if check == 10:
        return False
    return check == int(number[9])


def accepted(number: str) -> bool:
    try:
        nhs_number_clean(number)
    except ValidationError:
        return False
    return True


@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_any_ten_digits_are_accepted_exactly_when_the_data_dictionary_says_so(number):
    assert accepted(number) == data_dictionary_valid(number)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_every_nine_digits_have_at_most_one_valid_check_digit(first_nine):
    valid = [d for d in "0123456789" if accepted(first_nine + d)]
    assert len(valid) <= 1
    assert [d for d in "0123456789" if data_dictionary_valid(first_nine + d)] == valid


@given(st.text(max_size=14))
def test_anything_else_is_refused_or_stored_as_ten_valid_digits(text):
    try:
        stored = nhs_number_clean(text)
    except ValidationError:
        return
    assert stored == "" or (data_dictionary_valid(stored) and len(stored) == 10)


def test_the_worked_example_is_accepted_and_stored_as_ten_digits():
    assert nhs_number_clean("943 476 5919") == "9434765919"
    assert nhs_number_clean("9434765919") == "9434765919"
    assert nhs_number_display("9434765919") == "943 476 5919"


def test_a_number_with_a_wrong_check_digit_is_refused_with_a_clear_message():
    with pytest.raises(ValidationError) as refused:
        nhs_number_clean("1234567890")
    assert refused.value.messages == ['"1234567890" is not a valid NHS number: the last digit does not match the '
                                      "check digit of the first nine. Check it was copied correctly."]


@pytest.mark.parametrize("text", ["12345", "94347659190", "943476591A"])
def test_a_number_of_the_wrong_shape_is_refused(text):
    with pytest.raises(ValidationError, match="an NHS number is 10 digits"):
        nhs_number_clean(text)


def test_a_unique_pupil_number_is_checked():
    assert upn_clean("H801200001001") == "H801200001001"
    with pytest.raises(ValidationError, match="not a unique pupil number"):
        upn_clean("A801200001001")
