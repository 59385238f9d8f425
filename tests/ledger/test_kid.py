"""KID numbers: the spec's vectors, check characters, and the KID of an invoice."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from ledger.errors import InvalidInput
from ledger.kid import (
    KID_LENGTH,
    invoice_kid,
    is_valid_kid,
    kid_mod10,
    kid_mod11,
    make_kid,
    mod11_check_digit,
    parse_invoice_kid,
    validate_kid,
)


def test_spec_vectors() -> None:
    assert kid_mod10("1234") == "12344"
    assert kid_mod11("1234") == "12343"


@pytest.mark.parametrize(
    ("base", "kid"),
    [("0", "00"), ("18", "182"), ("7992739871", "79927398713"), ("000000010001", "0000000100016")],
)
def test_mod10_vectors(base: str, kid: str) -> None:
    assert kid_mod10(base) == kid


def test_mod11_check_of_ten_is_a_dash_and_of_eleven_a_zero() -> None:
    # 6 × 2 = 12, 12 mod 11 = 1, 11 − 1 = 10 → "-"
    assert mod11_check_digit("6") == "-"
    assert kid_mod11("6") == "6-"
    # 0 → 11 − 0 = 11 → "0"
    assert kid_mod11("0") == "00"
    assert kid_mod11("12345678") == "123456785"


@given(st.text(alphabet="0123456789", min_size=1, max_size=24))
def test_mod10_agrees_with_luhn(base: str) -> None:
    assert kid_mod10(base)[-1] == luhn.calc_check_digit(base)
    assert is_valid_kid(kid_mod10(base), "mod10")


@given(st.text(alphabet="0123456789", min_size=1, max_size=24), st.sampled_from(["mod10", "mod11"]))
def test_a_changed_digit_is_caught(base: str, method: str) -> None:
    kid = make_kid(base, method)
    changed = str((int(kid[0]) + 1) % 10) + kid[1:]
    assert is_valid_kid(kid, method)
    assert not is_valid_kid(changed, method)


def test_validation_accepts_spaces_and_refuses_letters_and_wrong_checks() -> None:
    assert validate_kid("1234 4") == "12344"
    assert validate_kid("12343", "mod11") == "12343"
    for bad in ("12345", "abc", "", "1" * 26):
        with pytest.raises(InvalidInput):
            validate_kid(bad)
    with pytest.raises(InvalidInput):
        kid_mod10("12a4")
    with pytest.raises(InvalidInput):
        make_kid("1234", "mod12")


def test_invoice_kid_has_fixed_widths_and_says_what_it_pays() -> None:
    kid = invoice_kid(10001, 10023)
    assert kid == "01000100100238" and len(kid) == KID_LENGTH
    parts = parse_invoice_kid(kid)
    assert parts is not None and (parts.customer_number, parts.invoice_number, parts.method) == (10001, 10023, "mod10")
    eleven = invoice_kid(10001, 10023, "mod11")
    assert eleven == "01000100100235" and is_valid_kid(eleven, "mod11")
    assert parse_invoice_kid("12344") is None
    with pytest.raises(InvalidInput):
        invoice_kid(10001, 10**7)
