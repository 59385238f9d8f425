"""The chart of accounts, VAT rates and expense categories that every new company starts with.

They are data (`ledger/data/*.csv`), not code: rates and mappings change with the law. A
file's columns are its table's columns, so a row is stored as it stands but for the values
that are not text.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.models import Account, ExpenseCategory, VatRate


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("ledger.data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines(), delimiter=";"))


def standard_chart() -> list[dict[str, str]]:
    """The NS 4102 accounts a new company gets, with names and SAF-T grouping codes."""
    return _rows("chart_ns4102.csv")


def install_chart(session: Session, company_id: int, form: str) -> None:
    """Give a company the standard chart (2060 private withdrawals only for an ENK)."""
    for row in standard_chart():
        if row["number"] == "2060" and form != "ENK":
            continue
        session.add(Account(company_id=company_id, **{**row, "vat_code": row["vat_code"] or None}))


def install_reference_data(session: Session) -> None:
    """Load VAT rates and default expense categories once per database (idempotent)."""
    if session.scalar(select(VatRate.id).limit(1)) is None:
        for row in _rows("vat_rates.csv"):
            session.add(
                VatRate(
                    code=row["code"],
                    direction=row["direction"],
                    rate=Decimal(row["rate"]),
                    valid_from=dt.date.fromisoformat(row["valid_from"]),
                    valid_to=dt.date.fromisoformat(row["valid_to"]) if row["valid_to"] else None,
                    name_nb=row["name_nb"],
                    name_en=row["name_en"],
                )
            )
    if session.scalar(select(ExpenseCategory.id).where(ExpenseCategory.company_id.is_(None)).limit(1)) is None:
        for row in _rows("expense_categories.csv"):
            session.add(ExpenseCategory(company_id=None, **{**row, "needs_vehicle": row["needs_vehicle"] == "yes"}))
    session.flush()
