"""Idempotent writes: the same key posts once and answers as the first time; another request
under a used key is refused; a failed first attempt leaves the key free."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ledger.errors import IdempotencyConflict, InvalidInput, PeriodLocked
from ledger.idempotency import fingerprint, run_once
from ledger.invoicing import issue_invoice
from ledger.models import ClosedPeriod, IdempotencyRecord, Invoice
from tests.ledger.builders import SalesBooks, day, line, sales_books


def test_fingerprint_ignores_key_order_and_keeps_exact_numbers() -> None:
    assert fingerprint({"a": 1, "b": [Decimal("1.50")]}) == fingerprint({"b": [Decimal("1.50")], "a": 1})
    assert fingerprint({"amount": Decimal("1.50")}) != fingerprint({"amount": Decimal("1.5")})


def invoice_once(s: Session, sb: SalesBooks, key: str, request: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    def work(session: Session) -> dict[str, Any]:
        invoice = issue_invoice(
            session, sb.company_id, sb.fjord_id, [line(request["line"])], issue_date=day(request["date"])
        )
        return {"invoice_id": invoice.id, "number": invoice.number}

    outcome = run_once(
        s,
        scope="invoice",
        key=key,
        request_hash=fingerprint(request),
        company_id=sb.company_id,
        user_id=sb.owner_id,
        work=work,
    )
    return outcome.result, outcome.repeated


def invoices(books: sessionmaker[Session]) -> int:
    with books.begin() as s:
        return int(s.scalar(select(func.count(Invoice.id))) or 0)


def test_same_key_twice_posts_once_and_returns_the_first_result(books: sessionmaker[Session]) -> None:
    sb = sales_books(books)
    request = {"line": "5 × 1000 @3 Rådgivning", "date": "2026-11-02"}
    with books.begin() as s:
        first, repeated = invoice_once(s, sb, "k-1", request)
        assert not repeated
    with books.begin() as s:
        again, repeated = invoice_once(s, sb, "k-1", dict(reversed(request.items())))
        assert repeated and again == first
    assert invoices(books) == 1


def test_same_key_with_another_request_is_a_conflict(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    with sqlite_books.begin() as s:
        invoice_once(s, sb, "k-1", {"line": "5 × 1000 Rådgivning", "date": "2026-11-02"})
    with pytest.raises(IdempotencyConflict), sqlite_books.begin() as s:
        invoice_once(s, sb, "k-1", {"line": "6 × 1000 Rådgivning", "date": "2026-11-02"})
    assert invoices(sqlite_books) == 1


def test_a_failed_attempt_leaves_the_key_free(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    with sqlite_books.begin() as s:
        s.add(ClosedPeriod(company_id=sb.company_id, closed_through=day("2026-10-31")))
    with pytest.raises(PeriodLocked), sqlite_books.begin() as s:
        invoice_once(s, sb, "k-1", {"line": "5 × 1000 Rådgivning", "date": "2026-10-02"})
    with sqlite_books.begin() as s:
        assert s.scalar(select(func.count(IdempotencyRecord.id))) == 0
        _, repeated = invoice_once(s, sb, "k-1", {"line": "5 × 1000 Rådgivning", "date": "2026-11-02"})
        assert not repeated


def test_keys_are_per_user_and_company(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    request = {"line": "5 × 1000 Rådgivning", "date": "2026-11-02"}
    with sqlite_books.begin() as s:
        invoice_once(s, sb, "k-1", request)
        other_user = SalesBooks(**{**sb.__dict__, "owner_id": sb.accountant_id})
        _, repeated = invoice_once(s, other_user, "k-1", request)
        assert not repeated
    assert invoices(sqlite_books) == 2


def test_empty_or_long_keys_are_refused(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    for key in ("", " ", "x" * 201):
        with pytest.raises(InvalidInput), sqlite_books.begin() as s:
            invoice_once(s, sb, key, {"line": "1 × 1 A", "date": "2026-11-02"})
