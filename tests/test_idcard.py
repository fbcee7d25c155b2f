"""Resident ID numbers (GB 11643) and the 20-character disability-certificate form."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import make_id, wrong_check
from grid_cli.errors import UsageError
from grid_cli.idcard import check_char, is_valid, mask_id, mask_phone, parse_id


def test_the_reference_number_is_valid_and_decoded():
    info = parse_id("11010519491231002X")
    assert info.number == "11010519491231002X"
    assert info.birth_date == dt.date(1949, 12, 31)
    assert info.sex == "女"  # 17th digit 2 is even
    assert info.disability_category is None and info.disability_grade is None


def test_lower_case_x_and_spaces_are_normalised():
    assert parse_id(" 110105 19491231 002x ").number == "11010519491231002X"


@pytest.mark.parametrize("number, why", [
    ("110105194912310021", "check digit"),  # wrong check character
    ("110105194912310020", "check digit"),
    ("11010519491231002", "18 characters"),  # too short
    ("11010519491231002X1", "18 characters"),  # 19
    ("11010519491231002A", "invalid characters"),
    ("1101051949123100XX", "invalid characters"),
    ("", "18 characters"),
])
def test_invalid_numbers_say_what_is_wrong(number, why):
    with pytest.raises(UsageError) as caught:
        parse_id(number)
    assert why in caught.value.en
    assert not is_valid(number)


def test_impossible_and_future_birth_dates_are_refused():
    for birth in ("19490230", "18700101"):
        with pytest.raises(UsageError, match="birth date"):
            parse_id(make_id(birth))
    future = make_id("20300101")
    with pytest.raises(UsageError, match="birth date"):
        parse_id(future, today=dt.date(2026, 11, 22))
    assert parse_id(future, today=dt.date(2031, 1, 1)).birth_date == dt.date(2030, 1, 1)


def test_the_wrong_check_digit_message_does_not_hand_out_a_fix_and_masks_the_number():
    # naming the "right" last digit invites turning a mistyped number into a valid-looking wrong one
    with pytest.raises(UsageError) as caught:
        parse_id("110105194912310021")
    assert "check digit" in caught.value.en and "X" not in caught.value.en.replace("ID", "")
    assert "110105194912310021" not in caught.value.en + caught.value.zh
    assert "110105********0021" in caught.value.zh


@pytest.mark.parametrize("category", range(1, 8))
@pytest.mark.parametrize("grade", range(1, 5))
def test_disability_certificate_numbers(category, grade):
    info = parse_id(f"11010519491231002X{category}{grade}")
    assert (info.disability_category, info.disability_grade) == (category, grade)
    assert info.birth_date == dt.date(1949, 12, 31)


@pytest.mark.parametrize("suffix", ["01", "81", "90", "15", "10", "4X", "X4", "00"])
def test_disability_suffix_out_of_range(suffix):
    with pytest.raises(UsageError, match="category 1-7 and grade 1-4"):
        parse_id("11010519491231002X" + suffix)


def test_a_disability_number_still_needs_a_right_check_digit():
    with pytest.raises(UsageError, match="check digit"):
        parse_id("11010519491231002042")


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_exactly_one_check_character_is_accepted(body):
    accepted = [c for c in "0123456789X" if is_valid_body(body + c)]
    if accepted:  # the body's date may be impossible; if not, only the computed check passes
        assert accepted == [check_char(body)]


def is_valid_body(number):
    try:
        parse_id(number, today=dt.date(9999, 1, 1))
        return True
    except UsageError:
        return False


def test_masking():
    assert mask_id("11010519491231002X") == "110105********002X"
    assert mask_id("11010519491231002X42") == "110105**********2X42"
    assert mask_id(None) == "" and mask_id("123") == "***"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("1234567") == "*******"
    assert mask_phone("") == ""


def test_make_id_helper_agrees_with_the_validator():
    assert is_valid(make_id())
    assert not is_valid(wrong_check(make_id()))
