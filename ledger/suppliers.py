"""Suppliers: the shops and companies a business buys from, found by name or created on first
purchase, numbered in one unbroken series per company."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.errors import InvalidInput
from ledger.models import Supplier
from ledger.numbering import next_number

FIRST_SUPPLIER_NUMBER = 20001


def supplier_named(session: Session, company_id: int, name: str) -> Supplier | None:
    """The company's supplier called `name` (case and surrounding spaces ignored)."""
    # Compared in Python: SQLite's lower() folds only ASCII, and "Ørn AS" must find "ØRN AS".
    wanted = " ".join(name.split()).casefold()
    for supplier in session.scalars(
        select(Supplier).where(Supplier.company_id == company_id).order_by(Supplier.number)
    ):
        if supplier.name.casefold() == wanted:
            return supplier
    return None


def find_or_add_supplier(session: Session, company_id: int, name: str, *, orgnr: str | None = None) -> Supplier:
    """The supplier called `name`, created with the next supplier number if it is new."""
    clean = " ".join(name.split())
    if not clean:
        raise InvalidInput("a supplier needs a name")
    existing = supplier_named(session, company_id, clean)
    if existing is not None:
        return existing
    supplier = Supplier(
        company_id=company_id,
        number=next_number(session, company_id, "supplier", first=FIRST_SUPPLIER_NUMBER),
        name=clean[:200],
        orgnr=orgnr,
    )
    session.add(supplier)
    session.flush()
    return supplier
