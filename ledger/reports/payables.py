"""Payables (leverandørgjeld): what the company owes its suppliers at a date, from the lines
on 2400 grouped by supplier."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.models import JournalLine, Supplier
from ledger.money import ZERO, Money

PAYABLES_ACCOUNT = "2400"


@dataclass(frozen=True)
class SupplierBalance:
    """What is owed to one supplier (positive), or None as supplier for lines without one."""

    supplier_id: int | None
    supplier_number: int | None
    name: str
    amount: Money


@dataclass(frozen=True)
class Payables:
    on: dt.date
    suppliers: tuple[SupplierBalance, ...]

    @property
    def total(self) -> Money:
        return sum((s.amount for s in self.suppliers), ZERO)


def payables(session: Session, company_id: int, on: dt.date) -> Payables:
    """Credits minus debits on 2400 up to `on`, per supplier (uses the account-date index)."""
    rows = session.execute(
        select(JournalLine.supplier_id, func.sum(JournalLine.credit - JournalLine.debit))
        .where(
            JournalLine.company_id == company_id,
            JournalLine.account == PAYABLES_ACCOUNT,
            JournalLine.date <= on,
        )
        .group_by(JournalLine.supplier_id)
    ).all()
    ids = [sid for sid, _ in rows if sid is not None]
    suppliers = {s.id: s for s in session.scalars(select(Supplier).where(Supplier.id.in_(ids)))}
    balances = []
    for supplier_id, amount in rows:
        owed = Decimal(str(amount or 0)).quantize(Decimal("0.01"))
        if owed == 0:
            continue
        supplier = suppliers.get(supplier_id) if supplier_id is not None else None
        balances.append(
            SupplierBalance(
                supplier_id=supplier_id,
                supplier_number=supplier.number if supplier else None,
                name=supplier.name if supplier else "",
                amount=owed,
            )
        )
    balances.sort(key=lambda b: (-b.amount, b.name))
    return Payables(on, tuple(balances))
