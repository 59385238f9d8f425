"""The tables of the books: companies, people, the chart, the journal and the business records.

Money columns are `Decimal` mapped once to `FixedPoint(2)` (exact NUMERIC on PostgreSQL, integer
øre on SQLite, whose NUMERIC would be a float); timestamps are stored in UTC and
come back timezone-aware. Posted journal entries and their lines are never updated or
deleted: the guard at the bottom of this module refuses it at flush time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
    false,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship
from sqlalchemy.sql import operators

from ledger import clock

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

V = TypeVar("V", bound="DataclassInstance")

AccountNumber = str
"""A 4-digit NS 4102 account number, kept as text ("1920")."""


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware datetime stored as UTC on every database (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; give a timezone")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class FixedPoint(TypeDecorator[Decimal]):
    """An exact decimal with `scale` places: NUMERIC on PostgreSQL; on SQLite an integer count of
    the smallest unit (øre for money), since SQLite would store NUMERIC as a binary float and
    sum it inexactly. Sums and differences of such columns stay exact on both."""

    impl = Numeric(18, 2)
    cache_ok = True

    def __init__(self, scale: int = 2, precision: int = 18) -> None:
        super().__init__()
        self.scale = scale
        self.precision = precision

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, self.scale))

    def coerce_compared_value(self, op: Any, value: Any) -> Any:
        # A multiplier or divisor is a plain number, not an amount in øre.
        if op in (operators.mul, operators.truediv, operators.floordiv, operators.mod):
            return Numeric()
        return self

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name != "sqlite":
            return value
        scaled = Decimal(value).scaleb(self.scale)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.scale} decimals")
        return int(scaled)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        quantum = Decimal(1).scaleb(-self.scale)
        if dialect.name != "sqlite":
            return Decimal(value).quantize(quantum)
        return Decimal(int(value)).scaleb(-self.scale).quantize(quantum)


class Base(DeclarativeBase):
    type_annotation_map = {
        Decimal: FixedPoint(2),
        dt.datetime: UTCDateTime(),
        dict[str, Any]: JSON,
    }


def as_value(kind: type[V], row: object, **given: Any) -> V:
    """A row read as one of the ledger's plain values: `kind` (a dataclass) made from the
    row's attributes named like its fields (those the row has), and `given` for the rest."""
    names = [f.name for f in dataclasses.fields(kind) if f.name not in given and hasattr(row, f.name)]
    return kind(**{name: getattr(row, name) for name in names}, **given)


class Company(Base):
    """A business whose books we keep.

    Attributes:
      form: "AS" (aksjeselskap) or "ENK" (enkeltpersonforetak).
      orgnr: the 9-digit organisation number (MOD11-checked); may be missing for a new ENK.
      vat_registered: registered in Merverdiavgiftsregisteret; if not, no VAT is charged or
        deducted.
      vat_term: "bimonthly" (the default six terms) or "annual" (turnover under NOK 1 million).
      vehicle: "van", "car" or None when not yet known; decides the VAT on fuel.
      kid_method: "mod10" (Luhn, default) or "mod11".
      has_employees: decides whether A-melding deadlines apply.
    """

    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    orgnr: Mapped[str | None] = mapped_column(String(9), unique=True)
    form: Mapped[str] = mapped_column(String(3), default="AS")
    vat_registered: Mapped[bool] = mapped_column(default=True)
    vat_term: Mapped[str] = mapped_column(String(10), default="bimonthly")
    address: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    bank_account: Mapped[str] = mapped_column(String(11), default="")
    kid_method: Mapped[str] = mapped_column(String(5), default="mod10")
    payment_terms_days: Mapped[int] = mapped_column(default=14)
    has_employees: Mapped[bool] = mapped_column(default=False)
    vehicle: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)

    memberships: Mapped[list[Membership]] = relationship(back_populates="company")
    accounts: Mapped[list[Account]] = relationship(back_populates="company")

    def __repr__(self) -> str:
        return f"Company(id={self.id!r}, name={self.name!r}, form={self.form!r})"


class User(Base):
    """A person who talks to Bokbot.

    Attributes:
      token_hash: SHA-256 of the API token; the token itself is shown once and never stored.
      link_code_hash: SHA-256 of a single-use code that links a Telegram account; None once
        used.
      telegram_user_id: the linked Telegram account, if any.
      language: "nb" or "en", the last language the user wrote in.
      voice_replies: whether replies are also spoken (a voice note in Telegram), as the
        user asked ("svar med tale" / "answer by voice").
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(200), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    link_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    link_code_expires_at: Mapped[dt.datetime | None]
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    language: Mapped[str] = mapped_column(String(2), default="nb")
    active_company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"))
    voice_replies: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)

    memberships: Mapped[list[Membership]] = relationship(back_populates="user")

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, name={self.name!r})"


class WebSession(Base):
    """A web chat sign-in: its own token, so that signing in never replaces the user's API
    token.

    Attributes:
      token_hash: SHA-256 of the session's token (shown once, to the browser).
    """

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)

    def __repr__(self) -> str:
        return f"WebSession(id={self.id!r}, user_id={self.user_id!r})"


class Membership(Base):
    """A user's role in one company: "owner", "accountant" or "staff"."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "company_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    role: Mapped[str] = mapped_column(String(20))

    user: Mapped[User] = relationship(back_populates="memberships")
    company: Mapped[Company] = relationship(back_populates="memberships")

    def __repr__(self) -> str:
        return f"Membership(user_id={self.user_id!r}, company_id={self.company_id!r}, role={self.role!r})"


class Account(Base):
    """An account of a company's chart (NS 4102 numbering).

    Attributes:
      kind: "asset", "liability", "equity", "income" or "expense".
      grouping_category, grouping_code: the SAF-T 1.30 grouping (næringsspesifikasjon).
      vat_code: the VAT code usually posted with this account, if any.
    """

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("company_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    number: Mapped[AccountNumber] = mapped_column(String(4))
    name_nb: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    grouping_category: Mapped[str] = mapped_column(String(100))
    grouping_code: Mapped[str] = mapped_column(String(10))
    vat_code: Mapped[str | None] = mapped_column(String(3))
    active: Mapped[bool] = mapped_column(default=True)

    company: Mapped[Company] = relationship(back_populates="accounts")

    def __repr__(self) -> str:
        return f"Account({self.number!r}, {self.name_nb!r})"


class VatRate(Base):
    """A VAT code's rate over a span of dates (SAF-T standard tax codes).

    Attributes:
      direction: "sales" (output VAT) or "purchase" (input VAT).
      rate: percent, e.g. 25.
      valid_to: the last day the rate applies; None while it still does.
    """

    __tablename__ = "vat_rates"
    __table_args__ = (UniqueConstraint("code", "valid_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(3))
    direction: Mapped[str] = mapped_column(String(10))
    rate: Mapped[Decimal] = mapped_column(FixedPoint(2, 5))
    valid_from: Mapped[dt.date]
    valid_to: Mapped[dt.date | None]
    name_nb: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))

    def __repr__(self) -> str:
        return f"VatRate(code={self.code!r}, rate={self.rate!r}, from={self.valid_from!r})"


class NumberSeries(Base):
    """The next number of a company's unbroken series ("voucher:2026", "invoice", "customer").

    Numbers are taken inside the posting transaction with the row locked, so a rolled-back
    transaction gives its number back and concurrent ones wait: no gaps, no duplicates.
    """

    __tablename__ = "number_series"
    __table_args__ = (UniqueConstraint("company_id", "series"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    series: Mapped[str] = mapped_column(String(30))
    next_value: Mapped[int]

    def __repr__(self) -> str:
        return f"NumberSeries({self.company_id!r}, {self.series!r}, next={self.next_value!r})"


class JournalEntry(Base):
    """A posted voucher (bilag).

    Attributes:
      voucher_number: unbroken per company and year.
      channel: where it came from: "telegram", "web", "api", "cli", "import" or "system".
      source: what caused it: the chat message id, the bank statement line, the invoice.
      reverses_id: the entry this one reverses, if it is a correction.
    """

    __tablename__ = "journal_entries"
    __table_args__ = (UniqueConstraint("company_id", "year", "voucher_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    year: Mapped[int]
    voucher_number: Mapped[int]
    date: Mapped[dt.date]
    description: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(200), default="")
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"), unique=True)

    lines: Mapped[list[JournalLine]] = relationship(
        back_populates="entry", order_by="JournalLine.id", cascade="save-update, merge"
    )
    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"JournalEntry({self.year}-{self.voucher_number}, {self.date}, {self.description!r})"


class JournalLine(Base):
    """One line of a voucher: an account debited or credited (never both).

    `company_id` and `date` repeat the entry's so that balances are one indexed scan.
    """

    __tablename__ = "journal_lines"
    __table_args__ = (
        Index("ix_journal_lines_company_account_date", "company_id", "account", "date"),
        Index("ix_journal_lines_company_date", "company_id", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    date: Mapped[dt.date]
    account: Mapped[AccountNumber] = mapped_column(String(4))
    debit: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    credit: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    vat_code: Mapped[str | None] = mapped_column(String(3))
    vat_base: Mapped[Decimal | None]
    description: Mapped[str] = mapped_column(String(500), default="")
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))

    entry: Mapped[JournalEntry] = relationship(back_populates="lines")

    def __repr__(self) -> str:
        return f"JournalLine({self.account}, debit={self.debit}, credit={self.credit})"


class AccountMonthTotal(Base):
    """The sum of the debits and of the credits of one account in one month.

    Kept in step with the journal in the same transaction (see `_add_lines_to_month_totals`
    below): journal lines are only ever inserted, so adding each new line to its month's row
    keeps the totals exact. Balances and trial balances read a few dozen of these rows instead
    of every line.

    Attributes:
      month: the first day of the month.
    """

    __tablename__ = "account_month_totals"
    __table_args__ = (UniqueConstraint("company_id", "account", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    account: Mapped[AccountNumber] = mapped_column(String(4))
    month: Mapped[dt.date]
    debit: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    credit: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))

    def __repr__(self) -> str:
        return f"AccountMonthTotal({self.account}, {self.month:%Y-%m}, debit={self.debit}, credit={self.credit})"


class ClosedPeriod(Base):
    """The books of a company are closed up to and including `closed_through`."""

    __tablename__ = "closed_periods"
    # A VAT term is settled once; NULLs (closes of the books) are distinct on both databases.
    __table_args__ = (UniqueConstraint("company_id", "vat_term", name="uq_closed_periods_company_vat_term"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    closed_through: Mapped[dt.date]
    reason: Mapped[str] = mapped_column(String(200), default="")
    closed_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    vat_term: Mapped[str | None] = mapped_column(String(20))
    """The key of the VAT term ("2026-5", "2026-annual") whose settlement made this close,
    which then locks VAT postings only; None for a close of the books, which locks all."""

    def __repr__(self) -> str:
        return f"ClosedPeriod({self.company_id}, through={self.closed_through})"


class IdempotencyRecord(Base):
    """A write from outside that has been done once, with the answer it got.

    Attributes:
      scope: what kind of key: "chat", "telegram", "api", "bank".
      request_hash: SHA-256 of the request; the same key with other content is refused.
      response: the first answer, returned again for a repeat.
    """

    __tablename__ = "idempotency_records"
    # NULLS NOT DISTINCT (PostgreSQL 15+): a key without a company or user is still unique, so
    # two concurrent claims of it cannot both succeed. SQLite serialises writers instead.
    __table_args__ = (
        UniqueConstraint("company_id", "user_id", "scope", "key", postgresql_nulls_not_distinct=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    scope: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    response: Mapped[dict[str, Any] | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)

    def __repr__(self) -> str:
        return f"IdempotencyRecord({self.scope}:{self.key})"


class NumberedParty:
    """The columns a customer and a supplier share: the other party of a sale or a purchase,
    numbered per company (the number SAF-T reports, unique within the company).

    The columns of the party's own kind stand between `orgnr` and `created_at` (the sort
    orders keep the tables as the first migration made them).

    Attributes:
      orgnr: the 9-digit Norwegian organisation number; None for a person or a foreign party.
    """

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True, sort_order=-1)
    number: Mapped[int] = mapped_column(sort_order=-1)
    name: Mapped[str] = mapped_column(String(200), sort_order=-1)
    orgnr: Mapped[str | None] = mapped_column(String(9), sort_order=-1)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now, sort_order=1)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.number}, {self.name!r})"


class Customer(NumberedParty, Base):
    """A customer of the company. `number` is the customer number used in KIDs and SAF-T."""

    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("company_id", "number"),)

    email: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    hourly_rate: Mapped[Decimal | None]


class Supplier(NumberedParty, Base):
    """A supplier or shop the company buys from."""

    __tablename__ = "suppliers"
    __table_args__ = (UniqueConstraint("company_id", "number"),)


class Project(Base):
    """Work for a customer that hours are logged on and invoiced from."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    name: Mapped[str] = mapped_column(String(200))
    hourly_rate: Mapped[Decimal | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)

    customer: Mapped[Customer | None] = relationship()

    def __repr__(self) -> str:
        return f"Project({self.id}, {self.name!r})"


class TimeEntry(Base):
    """Hours one person worked on one day.

    Attributes:
      invoice_id: the invoice that billed these hours; None while unbilled.
    """

    __tablename__ = "time_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    date: Mapped[dt.date]
    hours: Mapped[Decimal] = mapped_column(FixedPoint(2, 8))
    description: Mapped[str] = mapped_column(String(500), default="")
    billable: Mapped[bool] = mapped_column(default=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    channel: Mapped[str] = mapped_column(String(20), default="api")
    source: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)

    project: Mapped[Project] = relationship()

    def __repr__(self) -> str:
        return f"TimeEntry({self.date}, {self.hours} h, project={self.project_id})"


class Invoice(Base):
    """An invoice or credit note, in one unbroken number series per company.

    Attributes:
      kind: "invoice" or "credit_note".
      status: "issued", "sent", "paid", "credited" (a credit note itself is "issued").
      credits_id: for a credit note, the invoice it credits.
      journal_entry_id: the entry that posted it.
      delivery_from, delivery_date: the first and the last day of what was delivered (the
        same day for one delivery; billed hours give their first and last date); a credit
        note carries the delivery of the invoice it credits.
      credited: for an invoice, the total of the credit notes issued against it so far (the
        whole total when it is "credited"); zero for a credit note.
    """

    __tablename__ = "invoices"
    __table_args__ = (UniqueConstraint("company_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    number: Mapped[int]
    kind: Mapped[str] = mapped_column(String(12), default="invoice")
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    issue_date: Mapped[dt.date]
    due_date: Mapped[dt.date]
    delivery_from: Mapped[dt.date | None]
    delivery_date: Mapped[dt.date | None]
    kid: Mapped[str] = mapped_column(String(25))
    net: Mapped[Decimal]
    vat: Mapped[Decimal]
    total: Mapped[Decimal]
    credited: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    status: Mapped[str] = mapped_column(String(10), default="issued")
    language: Mapped[str] = mapped_column(String(2), default="nb")
    credits_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    journal_entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"))
    buyer_reference: Mapped[str] = mapped_column(String(200), default="")
    sent_at: Mapped[dt.datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)

    customer: Mapped[Customer] = relationship()
    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", order_by="InvoiceLine.id", cascade="save-update, merge"
    )

    def __repr__(self) -> str:
        return f"Invoice({self.number}, {self.kind}, total={self.total})"


class InvoiceLine(Base):
    """One line of an invoice: quantity × unit price, with its VAT code and rate.

    Attributes:
      vat: this line's share of its rate's VAT; the shares of one rate add up to the VAT
        computed on the rate's summed base, so the lines never disagree with the total.
      credits_line_id: on a credit note, the invoice line it credits (all or part of).
    """

    __tablename__ = "invoice_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    description: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[Decimal] = mapped_column(FixedPoint(2, 12))
    unit: Mapped[str] = mapped_column(String(5), default="EA")
    unit_price: Mapped[Decimal]
    vat_code: Mapped[str] = mapped_column(String(3))
    vat_rate: Mapped[Decimal] = mapped_column(FixedPoint(2, 5))
    net: Mapped[Decimal]
    vat: Mapped[Decimal]
    account: Mapped[AccountNumber] = mapped_column(String(4), default="3000")
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    credits_line_id: Mapped[int | None] = mapped_column(ForeignKey("invoice_lines.id"))

    invoice: Mapped[Invoice] = relationship(back_populates="lines")

    def __repr__(self) -> str:
        return f"InvoiceLine({self.description!r}, {self.quantity} × {self.unit_price})"


class Payment(Base):
    """Money received from a customer against an invoice; a negative amount is money that
    went back: a payment taken back ("angre") or a refund of what a credit note left paid."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    date: Mapped[dt.date]
    amount: Mapped[Decimal]
    journal_entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)

    def __repr__(self) -> str:
        return f"Payment(invoice={self.invoice_id}, {self.amount} on {self.date})"


class ExpenseCategory(Base):
    """What a word for spending means in the books ("drivstoff" → 7000, VAT code 1).

    Rows with `company_id` None are the defaults; a company's own rows take precedence.

    Attributes:
      needs_vehicle: the VAT depends on whether the company's vehicle is a van or a car.
      note_nb, note_en: why this account and code, said to the user before posting.
    """

    __tablename__ = "expense_categories"
    __table_args__ = (UniqueConstraint("company_id", "keyword"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"))
    keyword: Mapped[str] = mapped_column(String(100))
    account: Mapped[AccountNumber] = mapped_column(String(4))
    vat_code: Mapped[str] = mapped_column(String(3))
    needs_vehicle: Mapped[bool] = mapped_column(default=False)
    note_nb: Mapped[str] = mapped_column(Text, default="")
    note_en: Mapped[str] = mapped_column(Text, default="")

    def __repr__(self) -> str:
        return f"ExpenseCategory({self.keyword!r} → {self.account}/{self.vat_code})"


class VoucherAttachment(Base):
    """A document kept with a posted voucher (bilag): a receipt's photo or PDF, or the bank
    statement line a bank posting came from. Stored in the database so that every process
    sees it; only ever added, never changed.

    Attributes:
      kind: "receipt" (a file someone sent) or "statement_line" (written by a bank import).
      sha256: the digest of `content`; the same file is kept once per voucher.
      channel: where it came from, as on journal entries.
    """

    __tablename__ = "voucher_attachments"
    __table_args__ = (UniqueConstraint("journal_entry_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    journal_entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="receipt")
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(String(20))

    def __repr__(self) -> str:
        return f"VoucherAttachment({self.journal_entry_id}, {self.filename!r}, {self.size} bytes)"


class DocumentationRequirement(Base):
    """A posted voucher that needs documentation kept with it (an expense needs its
    receipt), recorded when it is posted. It is never changed: the voucher counts as missing
    its documentation while it has no attachment (`ledger.attachments`).

    Attributes:
      kind: what documentation it needs: "receipt".
    """

    __tablename__ = "documentation_requirements"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    journal_entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="receipt")
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)

    def __repr__(self) -> str:
        return f"DocumentationRequirement({self.journal_entry_id}, {self.kind})"


class ConversationFile(Base):
    """A file a person sent into the conversation (a bank statement, a receipt), kept so that
    the assistant can read it and a voucher can keep it as its documentation.

    Attributes:
      public_id: the file's name in the conversation (random, 32 hex digits); the assistant
        reads a file only for the company it was sent to.
      kind: "statement" or "receipt", found from the content, never from the name.
      media_type: the format found ("application/xml", "text/csv", "image/jpeg",
        "image/png", "image/heic", "image/webp", "application/pdf").
      statement_format: "camt.053", "camt.054" or "csv" for a statement; "" otherwise.
      sha256: the content's digest.
      caption: the words sent with the file, or "".
      channel: where it came from ("web", "telegram", "api").
      ocr_text: a receipt's text as OCR read it when it arrived (the assistant reads its
        fields from it); None when it was not read (a statement, or a picture that could
        not be read in time).
    """

    __tablename__ = "conversation_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))
    media_type: Mapped[str] = mapped_column(String(100))
    statement_format: Mapped[str] = mapped_column(String(20), default="")
    filename: Mapped[str] = mapped_column(String(200), default="")
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    caption: Mapped[str] = mapped_column(String(2000), default="")
    channel: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    ocr_text: Mapped[str | None] = mapped_column(Text, default=None)

    def __repr__(self) -> str:
        return f"ConversationFile({self.public_id!r}, {self.kind!r}, {self.media_type!r}, {self.size} bytes)"


class VendorRule(Base):
    """What a company decided a vendor's purchases are: an account and a VAT code, proposed
    again the next time the vendor turns up ("Som sist: Telenor → 6900, 25 % mva").

    Attributes:
      vendor_key: the vendor's name normalised (case, company form such as "AS", punctuation),
        unique per company.
      vendor_name: the name as last seen, for people.
      category: the expense category word the decision came from ("telefon"), or "".
      account, vat_code: the cost account and the purchase VAT code.
      times_used: how often the rule was decided or followed.
    """

    __tablename__ = "vendor_rules"
    __table_args__ = (UniqueConstraint("company_id", "vendor_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    vendor_key: Mapped[str] = mapped_column(String(200))
    vendor_name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(100), default="")
    account: Mapped[AccountNumber] = mapped_column(String(4))
    vat_code: Mapped[str] = mapped_column(String(3))
    times_used: Mapped[int] = mapped_column(default=1)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=clock.now)

    def __repr__(self) -> str:
        return f"VendorRule({self.vendor_name!r} → {self.account}/{self.vat_code})"


class PostedEntryModified(Exception):
    """Raised when code tries to change or delete a posted journal entry or line."""


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_posted_entries(session: Session, flush_context: Any, instances: Any) -> None:
    """Posted vouchers are immutable (bokføringsloven): corrections are reversing entries. Their
    documentation is kept as it was added, never changed or deleted (bokføringsloven § 13)."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, JournalEntry | JournalLine | VoucherAttachment | DocumentationRequirement) and (
            obj in session.deleted or session.is_modified(obj, include_collections=False)
        ):
            raise PostedEntryModified(f"{obj!r} is posted and cannot be changed or deleted")


@event.listens_for(Session, "after_flush")
def _add_lines_to_month_totals(session: Session, flush_context: Any) -> None:
    """Add the journal lines just inserted to their account's month totals, in the same
    transaction, so the totals can never disagree with the lines."""
    sums: dict[tuple[int, str, dt.date], list[Decimal]] = {}
    for obj in session.new:
        if isinstance(obj, JournalLine):
            row = sums.setdefault((obj.company_id, obj.account, obj.date.replace(day=1)), [Decimal(0), Decimal(0)])
            row[0] += obj.debit or 0
            row[1] += obj.credit or 0
    if not sums:
        return
    connection = session.connection()
    upsert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    # Always in key order, so two transactions never wait for each other's rows crosswise.
    for (company_id, account, month), (debit, credit) in sorted(sums.items()):
        stmt = upsert(AccountMonthTotal).values(
            company_id=company_id, account=account, month=month, debit=debit, credit=credit
        )
        connection.execute(
            stmt.on_conflict_do_update(
                index_elements=["company_id", "account", "month"],
                set_={
                    "debit": AccountMonthTotal.debit + stmt.excluded.debit,
                    "credit": AccountMonthTotal.credit + stmt.excluded.credit,
                },
            )
        )


class SignInFailure(Base):
    """A wrong link code, counted by every gateway process (`channels.limits.SignInThrottle`).

    Attributes:
      source: SHA-256 of where it came from (an address, a Telegram account), so that the
        table holds no addresses.
      failed_at: when.
    """

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_source_failed_at", "source", "failed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[dt.datetime] = mapped_column(index=True)


class ButtonPayload(Base):
    """A button's payload too long for Telegram's 64 bytes of callback data, under the short
    key the button carries, so that whichever gateway process receives the press finds it.

    Attributes:
      key: what the button carries ("#p:" and 24 hex digits of the payload's SHA-256).
      payload: what pressing it sends as the person's message.
      used_at: when it was last put on a button; long-unused payloads are forgotten.
    """

    __tablename__ = "button_payloads"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    payload: Mapped[str] = mapped_column(Text)
    used_at: Mapped[dt.datetime] = mapped_column(index=True)


class SentReminder(Base):
    """A deadline reminder claimed for sending to one person, once: the row is inserted before
    the message goes out, and the unique key stops every other gateway process (and this one
    after a restart) from sending it again.

    Attributes:
      kind: what falls due: a statutory deadline's kind ("mva", "a-melding", ...) or
        "invoice" (a customer's invoice falling overdue).
      subject: which one: the deadline's period ("2026-5", "2025") or the invoice's number.
      due_date: the day it falls due.
      lead_days: how many days before it the reminder is for (7 or 1).
      sent_at: when it was claimed.
    """

    __tablename__ = "sent_reminders"
    __table_args__ = (UniqueConstraint("company_id", "kind", "subject", "due_date", "lead_days", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(40))
    due_date: Mapped[dt.date]
    lead_days: Mapped[int]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sent_at: Mapped[dt.datetime] = mapped_column(default=clock.now)

    def __repr__(self) -> str:
        return f"SentReminder({self.kind} {self.subject} due {self.due_date}, {self.lead_days} d, user={self.user_id})"


class MutedReminder(Base):
    """A person who asked not to be reminded of one kind of deadline in one company.

    Attributes:
      kind: a reminder kind (see `ledger.reminders.REMINDER_KINDS`).
    """

    __tablename__ = "muted_reminders"
    __table_args__ = (UniqueConstraint("user_id", "company_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    kind: Mapped[str] = mapped_column(String(40))
    muted_at: Mapped[dt.datetime] = mapped_column(default=clock.now)

    def __repr__(self) -> str:
        return f"MutedReminder(user={self.user_id}, company={self.company_id}, {self.kind})"
