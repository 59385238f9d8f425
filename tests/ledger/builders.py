"""Builders for tests of the sales side, in the domain's words: a company with customers and
projects, lines as `"5 × 1000 @3 Rådgivning"`, and the journal lines of an entry as text."""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from stdnum.no import orgnr as orgnr_check

from ledger.companies import create_company
from ledger.customers import create_customer
from ledger.identity import add_user
from ledger.invoicing import SaleLine
from ledger.journal import Posting
from ledger.models import Company, JournalEntry, JournalLine
from ledger.projects import create_project


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def line(spec: str) -> SaleLine:
    """`"5 × 1000 @3 Rådgivning"`: quantity × unit price, an optional @VAT code, a description
    (numbers are passed on as text, so that the ledger is the one to refuse "tusen")."""
    quantity, _, rest = spec.partition("×")
    price, *words = rest.split()
    code = words.pop(0)[1:] if words and words[0].startswith("@") else None
    return SaleLine(" ".join(words) or "Arbeid", quantity.strip(), price, vat_code=code)


def as_text(postings: list[Posting]) -> list[str]:
    """Postings as `"1500 6250.00 c=7"`, `"3000 -5000.00 vat=3"`, `"2700 -1250.00 vat=3 base=5000.00"`."""
    rows = []
    for p in postings:
        row = f"{p.account} {p.amount:.2f}"
        if p.vat_code:
            row += f" vat={p.vat_code}"
        if p.vat_base is not None:
            row += f" base={p.vat_base:.2f}"
        rows.append(row)
    return rows


def entry_lines(s: Session, entry_id: int | None) -> list[str]:
    """An entry's journal lines as `"1500 debit 6250.00"` / `"3000 credit 5000.00 vat=3"`."""
    entry = s.get(JournalEntry, entry_id)
    assert entry is not None
    rows = []
    for jl in entry.lines:
        side, amount = ("debit", jl.debit) if jl.debit else ("credit", jl.credit)
        row = f"{jl.account} {side} {amount:.2f}"
        if jl.vat_code:
            row += f" vat={jl.vat_code}"
        rows.append(row)
    return rows


def journal_line_count(books: sessionmaker[Session], company_id: int) -> int:
    with books.begin() as s:
        return int(s.scalar(select(func.count(JournalLine.id)).where(JournalLine.company_id == company_id)) or 0)


ORGNR = {"Fjelltopp AS": "998877660", "Annet AS": "923456783"}
"""Made-up organisation numbers that pass the MOD11 check, for the test companies."""


def made_up_orgnr(name: str) -> str:
    """A made-up organisation number for `name` that passes the MOD11 check (the same for the
    same name, most likely another for another)."""
    seed = 800_000_000 + zlib.crc32(name.encode()) % 100_000_000
    return next(str(n) for n in range(seed, seed + 100) if orgnr_check.is_valid(str(n)))


def where(
    orgnr: str | None = None, *, address: str = "Storgata 1", postcode: str = "0155", city: str = "Oslo"
) -> dict[str, str]:
    """What an invoice must show of a party besides its name (bokføringsforskriften § 5-1-1):
    the address and, when given, the organisation number."""
    return {"address": address, "postcode": postcode, "city": city, **({"orgnr": orgnr} if orgnr else {})}


def seller_details(name: str, session: Session | None = None) -> dict[str, str]:
    """What a company must have to issue invoices: address, organisation number (made up for
    `name`, and one no company in `session`'s books has yet) and a bank account
    (`create_company`'s arguments)."""
    taken = set(session.scalars(select(Company.orgnr))) if session is not None else set()
    number = next(n for n in (made_up_orgnr(f"{name} {i}" if i else name) for i in range(50)) if n not in taken)
    return {**where(number), "bank_account": "12345678903"}


@dataclass(frozen=True)
class SalesBooks:
    """A VAT-registered company with an owner, an accountant, a staff member, two customers
    (Fjord Bygg AS at 1 000 an hour, Nordlys Regnskap AS) and two projects."""

    company_id: int
    owner_id: int
    accountant_id: int
    staff_id: int
    fjord_id: int
    nordlys_id: int
    hytte_id: int
    nettside_id: int
    owner_token: str
    accountant_token: str
    staff_token: str


def sales_books(books: sessionmaker[Session], *, vat_registered: bool = True, name: str = "Fjelltopp AS") -> SalesBooks:
    with books.begin() as s:
        made = create_company(
            s,
            name,
            owner_name="Kari Nordmann",
            vat_registered=vat_registered,
            **{**seller_details(name), **({"orgnr": ORGNR[name]} if name in ORGNR else {})},
        )
        cid = made.company.id
        accountant = add_user(s, cid, "Anne Revisor", "accountant")
        staff = add_user(s, cid, "Ola Hansen", "staff")
        fjord = create_customer(s, cid, "Fjord Bygg AS", hourly_rate="1000", **where("934567897", city="Bergen"))
        nordlys = create_customer(s, cid, "Nordlys Regnskap AS", **where("974760673", city="Tromsø"))
        hytte = create_project(s, cid, "Hyttebygg Hemsedal", customer_id=fjord.id, hourly_rate="1100")
        nettside = create_project(s, cid, "Nettside", customer_id=nordlys.id, hourly_rate="950")
        return SalesBooks(
            company_id=cid,
            owner_id=made.owner.user.id,
            accountant_id=accountant.user.id,
            staff_id=staff.user.id,
            fjord_id=fjord.id,
            nordlys_id=nordlys.id,
            hytte_id=hytte.id,
            nettside_id=nettside.id,
            owner_token=made.owner.token,
            accountant_token=accountant.token,
            staff_token=staff.token,
        )
