"""Receivables aging (aldersfordelt kundereskontro): what customers owe at a date, per
customer and by how long it is overdue: not yet due, 0–30, 31–60, 61–90 and over 90 days.

An invoice's open amount at a date is its total less the payments and credit notes dated up
to that day, so the report can be run for any day in the past as well.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from ledger.models import Customer, Invoice, Payment
from ledger.money import ZERO, Money

BUCKETS = ("not_due", "0-30", "31-60", "61-90", "90+")


def bucket_of(days_overdue: int) -> str:
    """The aging bucket of an amount `days_overdue` days past its due date (≤ 0: not due)."""
    if days_overdue <= 0:
        return "not_due"
    if days_overdue <= 30:
        return "0-30"
    if days_overdue <= 60:
        return "31-60"
    if days_overdue <= 90:
        return "61-90"
    return "90+"


@dataclass(frozen=True)
class AgingBuckets:
    """Amounts by how overdue they are."""

    not_due: Money = ZERO
    days_0_30: Money = ZERO
    days_31_60: Money = ZERO
    days_61_90: Money = ZERO
    days_over_90: Money = ZERO

    @property
    def total(self) -> Money:
        return self.not_due + self.days_0_30 + self.days_31_60 + self.days_61_90 + self.days_over_90

    @property
    def overdue(self) -> Money:
        return self.total - self.not_due

    def as_dict(self) -> dict[str, Money]:
        """By bucket name ("not_due", "0-30", "31-60", "61-90", "90+")."""
        values = (self.not_due, self.days_0_30, self.days_31_60, self.days_61_90, self.days_over_90)
        return dict(zip(BUCKETS, values, strict=True))

    @staticmethod
    def of(amounts: dict[str, Money]) -> AgingBuckets:
        return AgingBuckets(*(amounts.get(b, ZERO) for b in BUCKETS))


@dataclass(frozen=True)
class OpenInvoice:
    """An invoice with money still owed at the report date."""

    invoice_id: int
    number: int
    customer_id: int
    issue_date: dt.date
    due_date: dt.date
    total: Money
    paid: Money
    credited: Money
    open_amount: Money
    days_overdue: int
    bucket: str


@dataclass(frozen=True)
class CustomerAging:
    customer_id: int
    customer_number: int
    name: str
    buckets: AgingBuckets
    invoices: tuple[OpenInvoice, ...] = field(default=())


@dataclass(frozen=True)
class ReceivablesAging:
    on: dt.date
    customers: tuple[CustomerAging, ...]
    totals: AgingBuckets

    @property
    def total(self) -> Money:
        return self.totals.total


def _money(value: object) -> Money:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def receivables_aging(session: Session, company_id: int, on: dt.date) -> ReceivablesAging:
    """What each customer owes at the end of `on`, by how overdue it is. One query finds the
    open invoices (payments and credit notes summed per invoice in the database)."""
    paid_sq = (
        select(Payment.invoice_id.label("invoice_id"), func.sum(Payment.amount).label("amount"))
        .where(Payment.company_id == company_id, Payment.date <= on)
        .group_by(Payment.invoice_id)
        .subquery()
    )
    notes = aliased(Invoice)
    credited_sq = (
        select(notes.credits_id.label("invoice_id"), func.sum(notes.total).label("amount"))
        .where(notes.company_id == company_id, notes.kind == "credit_note", notes.issue_date <= on)
        .group_by(notes.credits_id)
        .subquery()
    )
    paid = func.coalesce(paid_sq.c.amount, 0)
    credited = func.coalesce(credited_sq.c.amount, 0)
    rows = session.execute(
        select(
            Invoice.id,
            Invoice.number,
            Invoice.customer_id,
            Invoice.issue_date,
            Invoice.due_date,
            Invoice.total,
            paid,
            credited,
        )
        .outerjoin(paid_sq, paid_sq.c.invoice_id == Invoice.id)
        .outerjoin(credited_sq, credited_sq.c.invoice_id == Invoice.id)
        .where(
            Invoice.company_id == company_id,
            Invoice.kind == "invoice",
            Invoice.issue_date <= on,
            # Rounded: SQLite sums NUMERIC columns in floating point.
            func.round(Invoice.total - paid - credited, 2) > 0,
        )
        .order_by(Invoice.number)
    ).all()
    by_customer: dict[int, list[OpenInvoice]] = {}
    for invoice_id, number, customer_id, issue_date, due_date, total, p, c in rows:
        p, c = _money(p), _money(c)
        days = (on - due_date).days
        by_customer.setdefault(customer_id, []).append(
            OpenInvoice(
                invoice_id,
                number,
                customer_id,
                issue_date,
                due_date,
                total,
                p,
                c,
                total - p - c,
                days,
                bucket_of(days),
            )
        )
    names = {c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(list(by_customer))))}
    customers = []
    grand: dict[str, Money] = {}
    for customer_id, open_invoices in by_customer.items():
        sums: dict[str, Money] = {}
        for inv in open_invoices:
            sums[inv.bucket] = sums.get(inv.bucket, ZERO) + inv.open_amount
            grand[inv.bucket] = grand.get(inv.bucket, ZERO) + inv.open_amount
        customer = names.get(customer_id)
        customers.append(
            CustomerAging(
                customer_id=customer_id,
                customer_number=customer.number if customer else 0,
                name=customer.name if customer else "",
                buckets=AgingBuckets.of(sums),
                invoices=tuple(open_invoices),
            )
        )
    customers.sort(key=lambda c: (-c.buckets.total, c.name))
    return ReceivablesAging(on, tuple(customers), AgingBuckets.of(grand))
