"""Small builders for tests of the books, in the domain's words:
`post(s, cid, "2026-11-02 1920 6250 / 1500 -6250")`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from ledger.companies import create_company
from ledger.journal import Posting, post_entry
from ledger.models import JournalEntry
from tests.ledger.builders import seller_details


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def postings(spec: str) -> list[Posting]:
    """`"1920 6250 / 1500 -6250"`; a line may end with a VAT code: `"7000 400 1"`."""
    lines = []
    for part in spec.split("/"):
        account, amount, *code = part.split()
        lines.append(Posting(account, Decimal(amount), vat_code=code[0] if code else None))
    return lines


def post(s: Session, cid: int, spec: str, *, source: str = "") -> JournalEntry:
    """Post `"2026-11-02 1920 6250 / 1500 -6250"` through the product's own posting path."""
    date, _, rest = spec.partition(" ")
    return post_entry(s, cid, day(date), spec, postings(rest), channel="cli", source=source)


def new_company(
    books: sessionmaker[Session],
    *,
    vat_registered: bool = True,
    form: str = "AS",
    vat_term: str = "bimonthly",
    vehicle: str | None = None,
    has_employees: bool = False,
    name: str = "Fjord Test AS",
) -> int:
    with books.begin() as s:
        company = create_company(
            s,
            name,
            owner_name="Kari",
            vat_registered=vat_registered,
            form=form,
            vat_term=vat_term,
            has_employees=has_employees,
            **seller_details(name, s),
        ).company
        company.vehicle = vehicle
        return company.id
