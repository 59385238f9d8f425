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

from ledger import clock
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
    """An invoice with money still owed at a date.

    Attributes:
      invoice_id, number: the invoice.
      customer_id, customer_name: who owes it.
      kid: its payment reference ("" if it has none).
      issue_date, due_date: when it was issued and falls due.
      total: what it was for, VAT included.
      paid, credited: what was paid on it and credited by credit notes up to the date.
      open_amount: what is still owed (total less paid and credited; more than zero).
      days_overdue: days past the due date at the date (zero or less: not yet due).
      bucket: the aging bucket ("not_due", "0-30", "31-60", "61-90", "90+").
    """

    invoice_id: int
    number: int
    customer_id: int
    customer_name: str
    kid: str
    issue_date: dt.date
    due_date: dt.date
    total: Money
    paid: Money
    credited: Money
    open_amount: Money
    days_overdue: int
    bucket: str

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


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


def open_invoices(
    session: Session, company_id: int, on: dt.date | None = None, *, customer_id: int | None = None
) -> list[OpenInvoice]:
    """The company's invoices with money owed at the end of `on` (today by default), of one
    customer when given: overdue first (the longest overdue first), then by due date. One query
    sums payments and credit notes per invoice in the database. Chat, REST, bank matching and
    the reports all read what is owed here."""
    on = on or clock.today()
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
    stmt = (
        select(
            Invoice.id,
            Invoice.number,
            Invoice.customer_id,
            Customer.name,
            Invoice.kid,
            Invoice.issue_date,
            Invoice.due_date,
            Invoice.total,
            paid,
            credited,
        )
        .join(Customer, Customer.id == Invoice.customer_id)
        .outerjoin(paid_sq, paid_sq.c.invoice_id == Invoice.id)
        .outerjoin(credited_sq, credited_sq.c.invoice_id == Invoice.id)
        .where(
            Invoice.company_id == company_id,
            Invoice.kind == "invoice",
            Invoice.issue_date <= on,
            Invoice.total - paid - credited > 0,
        )
    )
    if customer_id is not None:
        stmt = stmt.where(Invoice.customer_id == customer_id)
    found = []
    for invoice_id, number, customer, name, kid, issue_date, due_date, total, p, c in session.execute(stmt):
        p, c = _money(p), _money(c)
        days = (on - due_date).days
        found.append(
            OpenInvoice(
                invoice_id, number, customer, name, kid or "", issue_date, due_date, total, p, c,
                total - p - c, days, bucket_of(days),
            )
        )
    found.sort(key=lambda o: (not o.overdue, o.due_date, o.number))
    return found


def receivables_aging(session: Session, company_id: int, on: dt.date) -> ReceivablesAging:
    """What each customer owes at the end of `on`, by how overdue it is."""
    by_customer: dict[int, list[OpenInvoice]] = {}
    for invoice in sorted(open_invoices(session, company_id, on), key=lambda o: o.number):
        by_customer.setdefault(invoice.customer_id, []).append(invoice)
    names = {c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(list(by_customer))))}
    customers = []
    grand: dict[str, Money] = {}
    for customer_id, owed in by_customer.items():
        sums: dict[str, Money] = {}
        for inv in owed:
            sums[inv.bucket] = sums.get(inv.bucket, ZERO) + inv.open_amount
            grand[inv.bucket] = grand.get(inv.bucket, ZERO) + inv.open_amount
        customer = names.get(customer_id)
        customers.append(
            CustomerAging(
                customer_id=customer_id,
                customer_number=customer.number if customer else 0,
                name=customer.name if customer else "",
                buckets=AgingBuckets.of(sums),
                invoices=tuple(owed),
            )
        )
    customers.sort(key=lambda c: (-c.buckets.total, c.name))
    return ReceivablesAging(on, tuple(customers), AgingBuckets.of(grand))
