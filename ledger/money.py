"""Money as exact `Decimal` kroner with two decimals (øre), and parsing of amounts from outside."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from ledger.errors import InvalidAmount

Money = Decimal
"""NOK with exactly two decimals."""

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def money(value: Decimal | int | str) -> Money:
    """`value` as NOK with two decimals; more than two decimals, or not a number, is refused."""
    if isinstance(value, float):
        raise InvalidAmount("amounts are never floats", value=str(value))
    try:
        amount = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError) as exc:
        raise InvalidAmount(f"not an amount: {value!r}", value=str(value)) from exc
    if not amount.is_finite():
        raise InvalidAmount(f"not an amount: {value!r}", value=str(value))
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise InvalidAmount(f"more than two decimals: {value!r}", value=str(value))
    return amount.quantize(CENT)


def round_money(value: Decimal) -> Money:
    """Round a computed amount (e.g. VAT) to øre, half up as Norwegian invoices do."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class Total:
    """A report's total of one amount over one of its collections, read like a property:
    `total_debit = Total("rows", "debit")` sums `row.debit` over `report.rows`."""

    def __init__(self, collection: str, amount: str) -> None:
        self.collection = collection
        self.amount = amount

    def __get__(self, report: Any, owner: type | None = None) -> Money:
        return sum((getattr(item, self.amount) for item in getattr(report, self.collection)), ZERO)
