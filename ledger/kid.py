"""KID (kundeidentifikasjonsnummer): the payment reference a customer pays an invoice with.

A KID is digits with a check digit at the end, computed by MOD10 (Luhn, the default) or MOD11
(weights 2, 3, 4, 5, 6, 7 repeated from the right; a check value of 10 is written "-", 11 is
written "0"). Bokbot builds it from the customer number and the invoice number at fixed
widths, so a KID read off a bank statement says which invoice it pays:

    customer 10001, invoice 10023, MOD10  ->  "010001" + "0010023" + check  ->  "01000100100238"
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ledger.errors import InvalidInput

KidMethod = Literal["mod10", "mod11"]
KID_METHODS: tuple[KidMethod, ...] = ("mod10", "mod11")

CUSTOMER_WIDTH = 6
"""Digits of the customer number in a KID (customer numbers start at 10000)."""

INVOICE_WIDTH = 7
"""Digits of the invoice number in a KID."""

KID_LENGTH = CUSTOMER_WIDTH + INVOICE_WIDTH + 1
"""A Bokbot KID: customer number, invoice number and one check character."""

MAX_KID_LENGTH = 25
"""The longest KID the Norwegian payment systems accept."""


def _digits(base: str) -> str:
    base = base.strip()
    if not base or not base.isdigit() or not base.isascii():
        raise InvalidInput(f"a KID is built from digits, not {base!r}", kid=base)
    return base


def mod10_check_digit(base: str) -> str:
    """The Luhn check digit of `base`: every second digit from the right doubled."""
    total = 0
    for position, char in enumerate(reversed(_digits(base))):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def mod11_check_digit(base: str) -> str:
    """The MOD11 check character of `base`: weights 2–7 from the right; 10 is "-", 11 is "0"."""
    total = sum(int(char) * (2 + position % 6) for position, char in enumerate(reversed(_digits(base))))
    check = 11 - total % 11
    if check == 11:
        return "0"
    if check == 10:
        return "-"
    return str(check)


def kid_mod10(base: str) -> str:
    """`base` followed by its MOD10 check digit: kid_mod10("1234") == "12344"."""
    return _digits(base) + mod10_check_digit(base)


def kid_mod11(base: str) -> str:
    """`base` followed by its MOD11 check character: kid_mod11("1234") == "12343"."""
    return _digits(base) + mod11_check_digit(base)


def make_kid(base: str, method: str = "mod10") -> str:
    """`base` with the check character of `method` ("mod10" or "mod11")."""
    if method == "mod10":
        return kid_mod10(base)
    if method == "mod11":
        return kid_mod11(base)
    raise InvalidInput(f"unknown KID method {method!r}", method=method)


def is_valid_kid(kid: str, method: str | None = None) -> bool:
    """Whether `kid` carries a correct check character (by `method`, or by either when None)."""
    kid = kid.strip().replace(" ", "")
    if not 2 <= len(kid) <= MAX_KID_LENGTH:
        return False
    base, check = kid[:-1], kid[-1]
    if not base.isdigit() or not base.isascii():
        return False
    methods = (method,) if method is not None else KID_METHODS
    for name in methods:
        if name == "mod10" and check == mod10_check_digit(base):
            return True
        if name == "mod11" and check == mod11_check_digit(base):
            return True
    return False


def validate_kid(kid: str, method: str | None = None) -> str:
    """`kid` without spaces, if its check character is right; InvalidInput otherwise."""
    cleaned = kid.strip().replace(" ", "")
    if not is_valid_kid(cleaned, method):
        raise InvalidInput(f"not a valid KID: {kid!r}", kid=kid)
    return cleaned


def invoice_kid(customer_number: int, invoice_number: int, method: str = "mod10") -> str:
    """The KID of an invoice: the customer and invoice numbers at fixed widths, plus a check."""
    if not 0 <= customer_number < 10**CUSTOMER_WIDTH:
        raise InvalidInput(f"customer number {customer_number} does not fit a KID", number=customer_number)
    if not 0 <= invoice_number < 10**INVOICE_WIDTH:
        raise InvalidInput(f"invoice number {invoice_number} does not fit a KID", number=invoice_number)
    base = f"{customer_number:0{CUSTOMER_WIDTH}d}{invoice_number:0{INVOICE_WIDTH}d}"
    return make_kid(base, method)


@dataclass(frozen=True)
class KidParts:
    """What a Bokbot KID says.

    Attributes:
      customer_number: the customer's number in the company.
      invoice_number: the invoice's number in the company's series.
      method: the check method it was valid under.
    """

    customer_number: int
    invoice_number: int
    method: KidMethod


def parse_invoice_kid(kid: str) -> KidParts | None:
    """The customer and invoice numbers of a KID made by `invoice_kid`; None for any other."""
    cleaned = kid.strip().replace(" ", "")
    if len(cleaned) != KID_LENGTH:
        return None
    for method in KID_METHODS:
        if is_valid_kid(cleaned, method):
            return KidParts(
                customer_number=int(cleaned[:CUSTOMER_WIDTH]),
                invoice_number=int(cleaned[CUSTOMER_WIDTH : CUSTOMER_WIDTH + INVOICE_WIDTH]),
                method=method,
            )
    return None
