"""Exports: the books of a company mapped to the plain values the documents are made from
(`ledger.documents.model`): a SAF-T Financial file for a year, and the journal entries and
accounts of a span for the plain-text journal that hledger and ledger-cli read.

The mapping reads in a handful of queries (entries with their lines in one, balances as one
aggregate), so a year of a busy company exports without a query per entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from ledger import clock
from ledger.companies import company_by_id
from ledger.documents.hledger import hledger_journal
from ledger.documents.model import (
    AccountKind,
    AccountRow,
    CustomerRow,
    JournalEntryRow,
    JournalLineRow,
    Language,
    Party,
    SaftExportInput,
    SupplierRow,
    TaxCodeRow,
)
from ledger.documents.saft import saft_filename, saft_xml
from ledger.errors import InvalidInput
from ledger.models import Account, Company, Customer, JournalEntry, JournalLine, NumberedParty, Supplier, User
from ledger.money import ZERO, Money, round_money
from ledger.reports.account_totals import chart_of
from ledger.reports.trial_balance import trial_balance
from ledger.vat import VAT_ACCOUNTS, rates_between

RECEIVABLES_ACCOUNT = "1500"
PAYABLES_ACCOUNT = "2400"
KINDS: tuple[AccountKind, ...] = ("asset", "liability", "equity", "income", "expense")

P = TypeVar("P", bound=NumberedParty)


def party_of(row: Company | Customer | Supplier, *, contact_name: str | None = None) -> Party:
    """The company (a seller), a customer or a supplier as documents show it: the one builder
    of a document's party, for invoices and SAF-T alike. `contact_name` is whom to ask at
    the seller (an invoice's "Vår referanse")."""
    if isinstance(row, Supplier):
        return Party(name=row.name, orgnr=row.orgnr or None)
    company = row if isinstance(row, Company) else None
    return Party(
        name=row.name,
        orgnr=row.orgnr or None,
        vat_registered=company is not None and company.vat_registered,
        address_lines=(row.address,) if row.address else (),
        postcode=row.postcode,
        city=row.city,
        email=row.email or None,
        bank_account=(company.bank_account or None) if company is not None else None,
        is_as=company is not None and company.form == "AS",
        contact_name=contact_name or None,
    )


def _kind(value: str) -> AccountKind:
    for kind in KINDS:
        if kind == value:
            return kind
    raise InvalidInput(f"unknown account kind {value!r}", kind=value)


def _account_row(account: Account, opening: Money = ZERO, closing: Money = ZERO) -> AccountRow:
    return AccountRow(
        number=account.number,
        name_nb=account.name_nb,
        name_en=account.name_en,
        grouping_code=account.grouping_code,
        kind=_kind(account.kind),
        opening_balance=opening,
        closing_balance=closing,
        grouping_category=account.grouping_category,
    )


def account_rows(session: Session, company_id: int, date_from: dt.date, date_to: dt.date) -> list[AccountRow]:
    """Every account with a balance or movement in the span, with its opening and closing
    balance (signed, debit positive; results of earlier years carried to 2050)."""
    chart = chart_of(session, company_id)
    rows = []
    for row in trial_balance(session, company_id, date_from, date_to).rows:
        account = chart.get(row.account)
        if account is None:
            raise InvalidInput(f"account {row.account} is not in the chart", account=row.account)
        rows.append(_account_row(account, row.opening, row.closing))
    return rows


def chart_account_rows(session: Session, company_id: int) -> list[AccountRow]:
    """Every account of the company's chart with zero balances: names for a journal that
    starts at the first entry and needs no opening balances."""
    return [_account_row(a) for a in sorted(chart_of(session, company_id).values(), key=lambda a: a.number)]


def _vat_amounts(lines: Sequence[JournalLine]) -> dict[int, Money]:
    """Each base line's share of its entry's VAT of the same code (by line id): the VAT lines'
    total per code, split over the base lines by amount, the last one taking the rounding."""
    vat_by_code: dict[str, Money] = {}
    bases: dict[str, list[JournalLine]] = {}
    for line in lines:
        if not line.vat_code:
            continue
        if line.account in VAT_ACCOUNTS:
            vat_by_code[line.vat_code] = vat_by_code.get(line.vat_code, ZERO) + abs(line.debit - line.credit)
        else:
            bases.setdefault(line.vat_code, []).append(line)
    shares: dict[int, Money] = {}
    for code, base_lines in bases.items():
        vat = vat_by_code.get(code, ZERO)
        total = sum((abs(b.debit - b.credit) for b in base_lines), ZERO)
        given = ZERO
        for i, b in enumerate(base_lines):
            if i == len(base_lines) - 1 or total == 0:
                share = vat - given
            else:
                share = round_money(vat * abs(b.debit - b.credit) / total)
            shares[b.id] = share
            given += share
    return shares


def _entry_rows(session: Session, company_id: int, conditions: list[Any]) -> list[JournalEntryRow]:
    entries = session.scalars(
        select(JournalEntry)
        .where(JournalEntry.company_id == company_id, *conditions)
        .options(selectinload(JournalEntry.lines))
        .order_by(JournalEntry.date, JournalEntry.year, JournalEntry.voucher_number)
    ).all()
    users = {
        u.id: u.name
        for u in session.scalars(select(User).where(User.id.in_({e.created_by_id for e in entries if e.created_by_id})))
    }
    customer_ids = {line.customer_id for e in entries for line in e.lines if line.customer_id}
    supplier_ids = {line.supplier_id for e in entries for line in e.lines if line.supplier_id}
    customers = {c.id: c.number for c in session.scalars(select(Customer).where(Customer.id.in_(customer_ids)))}
    suppliers = {s.id: s.number for s in session.scalars(select(Supplier).where(Supplier.id.in_(supplier_ids)))}
    reversed_ids = {e.reverses_id for e in entries if e.reverses_id}
    reversed_numbers = dict(
        session.execute(
            select(JournalEntry.id, JournalEntry.voucher_number).where(JournalEntry.id.in_(reversed_ids))
        ).all()
    )
    rows = []
    for entry in entries:
        shares = _vat_amounts(entry.lines)
        rows.append(
            JournalEntryRow(
                voucher_number=entry.voucher_number,
                date=entry.date,
                description=entry.description,
                created_at=entry.created_at,
                created_by=users.get(entry.created_by_id or 0, ""),
                channel=entry.channel,
                lines=tuple(
                    JournalLineRow(
                        account=line.account,
                        debit=line.debit,
                        credit=line.credit,
                        description=line.description,
                        vat_code=line.vat_code,
                        vat_base=abs(line.vat_base) if line.vat_base is not None else None,
                        vat_amount=shares.get(line.id),
                        customer_id=str(customers[line.customer_id]) if line.customer_id in customers else None,
                        supplier_id=str(suppliers[line.supplier_id]) if line.supplier_id in suppliers else None,
                    )
                    for line in entry.lines
                ),
                source=entry.source,
                reverses=reversed_numbers.get(entry.reverses_id) if entry.reverses_id else None,
            )
        )
    return rows


def hledger_entries(
    session: Session, company_id: int, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> list[JournalEntryRow]:
    """The journal entries dated `date_from` to `date_to` (either open), by date and voucher."""
    company_by_id(session, company_id)
    conditions: list[Any] = []
    if date_from is not None:
        conditions.append(JournalEntry.date >= date_from)
    if date_to is not None:
        conditions.append(JournalEntry.date <= date_to)
    return _entry_rows(session, company_id, conditions)


def _sub_ledger_balances(
    session: Session, company_id: int, account: str, column: Any, start: dt.date, end: dt.date
) -> dict[int, tuple[Money, Money]]:
    """Per customer or supplier id: the balance on `account` before `start` and through `end`."""
    line = JournalLine
    amount = line.debit - line.credit
    rows = session.execute(
        select(
            column,
            func.sum(case((line.date < start, amount), else_=0)),
            func.sum(amount),
        )
        .where(line.company_id == company_id, line.account == account, line.date <= end, column.is_not(None))
        .group_by(column)
    ).all()
    return {
        int(key): (
            Decimal(str(opening or 0)).quantize(Decimal("0.01")),
            Decimal(str(closing or 0)).quantize(Decimal("0.01")),
        )
        for key, opening, closing in rows
    }


def _sub_ledger(
    session: Session, company_id: int, kind: type[P], entries: Sequence[JournalEntryRow], start: dt.date, end: dt.date
) -> list[tuple[P, Money, Money]]:
    """The company's customers (or suppliers) by number that are on `entries` or have a balance
    on the receivables (payables) account, each with its balance there before `start` and
    through `end`."""
    balances: dict[int, tuple[Money, Money]]
    used: set[str | None]
    if kind is Customer:
        balances = _sub_ledger_balances(session, company_id, RECEIVABLES_ACCOUNT, JournalLine.customer_id, start, end)
        used = {line.customer_id for e in entries for line in e.lines}
    else:
        balances = _sub_ledger_balances(session, company_id, PAYABLES_ACCOUNT, JournalLine.supplier_id, start, end)
        used = {line.supplier_id for e in entries for line in e.lines}
    parties = session.scalars(select(kind).where(kind.company_id == company_id).order_by(kind.number))
    return [(p, *balances.get(p.id, (ZERO, ZERO))) for p in parties if str(p.number) in used or p.id in balances]


def saft_input(
    session: Session, company_id: int, year: int, *, user_id: str | None = None, created: dt.date | None = None
) -> SaftExportInput:
    """Everything the SAF-T Financial file of `year` needs: the company, every account with
    its opening and closing balance, the customers and suppliers on the entries with their
    balances, the VAT codes used and the year's entries in voucher order."""
    company = company_by_id(session, company_id)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    entries = _entry_rows(session, company_id, [JournalEntry.year == year])
    entries.sort(key=lambda e: e.voucher_number)
    customers = [
        CustomerRow(str(c.number), party_of(c), RECEIVABLES_ACCOUNT, opening, closing)
        for c, opening, closing in _sub_ledger(session, company_id, Customer, entries, start, end)
    ]
    suppliers = [
        SupplierRow(str(s.number), party_of(s), PAYABLES_ACCOUNT, opening, closing)
        for s, opening, closing in _sub_ledger(session, company_id, Supplier, entries, start, end)
    ]
    codes = sorted({line.vat_code for e in entries for line in e.lines if line.vat_code}, key=lambda c: (len(c), c))
    tax_codes = [
        TaxCodeRow(
            code=code,
            standard_code=code,
            rate=period.rate,
            description=period.name_nb,
            valid_from=period.valid_from,
            valid_to=period.valid_to,
        )
        for code in codes
        for period in rates_between(session, code, start, end)
    ]
    return SaftExportInput(
        company=party_of(company),
        fiscal_year=year,
        period_start=start,
        period_end=end,
        accounts=tuple(account_rows(session, company_id, start, end)),
        entries=tuple(entries),
        customers=tuple(customers),
        suppliers=tuple(suppliers),
        tax_codes=tuple(tax_codes),
        created=created or clock.today(),
        user_id=user_id,
    )


def saft_file(
    session: Session, company_id: int, year: int, *, user_id: str | None = None, created: dt.date | None = None
) -> tuple[bytes, str]:
    """The SAF-T Financial XML of `year` and its file name."""
    data = saft_input(session, company_id, year, user_id=user_id, created=created)
    return saft_xml(data), saft_filename(data)


def journal_text(
    session: Session,
    company_id: int,
    date_from: dt.date | None,
    date_to: dt.date,
    *,
    language: Language = "nb",
) -> str:
    """The books as a plain-text journal hledger and ledger-cli read. From the first entry
    when `date_from` is None (the chart names the accounts); otherwise the balances before
    `date_from` open the journal, so every balance equals the books'."""
    entries = hledger_entries(session, company_id, date_from, date_to)
    if date_from is None:
        accounts = chart_account_rows(session, company_id)
    else:
        accounts = account_rows(session, company_id, date_from, date_to)
    return hledger_journal(entries, accounts, opening_date=date_from, language=language)
