"""On PostgreSQL, with threads that each have their own session: invoice numbers have no gap
and no duplicate, an idempotency key posts once, and hours are never billed twice."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ledger.db import make_engine
from ledger.errors import NothingToInvoice
from ledger.idempotency import fingerprint, run_once
from ledger.invoicing import invoice_unbilled_hours, issue_invoice, register_payment
from ledger.models import Invoice, JournalEntry, Payment
from ledger.timesheet import log_time
from tests.ledger.builders import day, line, sales_books

pytestmark = pytest.mark.postgres

T = TypeVar("T")


@pytest.fixture
def pg_books(pg_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(pg_url)
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


def all_at_once(count: int, work: Callable[[int], T]) -> list[T | BaseException]:
    """Run `work(i)` for i in range(count) in threads released together."""
    barrier = threading.Barrier(count)

    def run(i: int) -> T | BaseException:
        barrier.wait()
        try:
            return work(i)
        except BaseException as exc:
            return exc

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_invoice_numbers_have_no_gaps_under_concurrency(pg_books: sessionmaker[Session]) -> None:
    sb = sales_books(pg_books)

    def one(i: int) -> int:
        with pg_books.begin() as s:
            return issue_invoice(
                s, sb.company_id, sb.fjord_id, [line(f"{i + 1} × 100 Arbeid")], issue_date=day("2026-11-02")
            ).number

    results = all_at_once(50, one)
    assert not [r for r in results if isinstance(r, BaseException)]
    assert sorted(results) == list(range(10001, 10051))  # type: ignore[type-var]
    with pg_books.begin() as s:
        vouchers = s.scalars(select(JournalEntry.voucher_number).where(JournalEntry.company_id == sb.company_id))
        assert sorted(vouchers) == list(range(1, 51))


def test_the_same_idempotency_key_ten_times_at_once_posts_once(pg_books: sessionmaker[Session]) -> None:
    sb = sales_books(pg_books)
    request = {"customer_id": sb.fjord_id, "line": "5 × 1000 Rådgivning"}

    def one(i: int) -> tuple[dict[str, Any], bool]:
        def work(s: Session) -> dict[str, Any]:
            invoice = issue_invoice(
                s, sb.company_id, sb.fjord_id, [line(request["line"])], issue_date=day("2026-11-02")
            )
            return {"number": invoice.number}

        with pg_books.begin() as s:
            outcome = run_once(
                s,
                scope="invoice",
                key="same-key",
                request_hash=fingerprint(request),
                company_id=sb.company_id,
                user_id=sb.owner_id,
                work=work,
            )
            return outcome.result, outcome.repeated

    results = all_at_once(10, one)
    assert not [r for r in results if isinstance(r, BaseException)], results
    answers = [r for r in results if not isinstance(r, BaseException)]
    assert {a[0]["number"] for a in answers} == {10001}
    assert sorted(a[1] for a in answers) == [False] + [True] * 9
    with pg_books.begin() as s:
        assert s.scalar(select(func.count(Invoice.id)).where(Invoice.company_id == sb.company_id)) == 1


def test_a_key_without_a_user_is_claimed_once_at_once(pg_books: sessionmaker[Session]) -> None:
    sb = sales_books(pg_books)
    with pg_books.begin() as s:
        number = issue_invoice(
            s, sb.company_id, sb.fjord_id, [line("8 × 100 Arbeid")], issue_date=day("2026-11-02")
        ).number

    def one(i: int) -> bool:
        with pg_books.begin() as s:
            return run_once(
                s,
                scope="bank",
                key="camt:NO:line-1",
                request_hash="h",
                company_id=sb.company_id,
                user_id=None,
                work=lambda session: {
                    "payment_id": register_payment(session, sb.company_id, number, "100", day("2026-11-03")).id
                },
            ).repeated

    results = all_at_once(10, one)
    assert sorted(results) == [False] + [True] * 9  # type: ignore[type-var]
    with pg_books.begin() as s:
        assert s.scalar(select(func.count(Payment.id))) == 1


def test_payments_at_once_never_exceed_the_invoice(pg_books: sessionmaker[Session]) -> None:
    sb = sales_books(pg_books)
    with pg_books.begin() as s:
        number = issue_invoice(
            s, sb.company_id, sb.fjord_id, [line("4 × 100 @6 Arbeid")], issue_date=day("2026-11-02")
        ).number

    def one(i: int) -> int:
        with pg_books.begin() as s:
            return register_payment(s, sb.company_id, number, "100", day("2026-11-03")).id

    results = all_at_once(8, one)
    assert len([r for r in results if not isinstance(r, BaseException)]) == 4
    with pg_books.begin() as s:
        invoice = s.scalars(select(Invoice).where(Invoice.number == number)).one()
        assert invoice.status == "paid"


def test_unbilled_hours_are_billed_once_when_invoiced_at_once(pg_books: sessionmaker[Session]) -> None:
    sb = sales_books(pg_books)
    with pg_books.begin() as s:
        for d in ("02", "03", "04"):
            log_time(s, sb.company_id, sb.owner_id, sb.hytte_id, day(f"2026-11-{d}"), "7.5")

    def one(i: int) -> int:
        with pg_books.begin() as s:
            return invoice_unbilled_hours(s, sb.company_id, project_id=sb.hytte_id, issue_date=day("2026-11-05")).number

    results = all_at_once(5, one)
    numbers = [r for r in results if isinstance(r, int)]
    assert len(numbers) == 1
    assert all(isinstance(r, NothingToInvoice) for r in results if not isinstance(r, int))


def test_the_same_customer_or_project_added_at_once_is_added_once(pg_books: sessionmaker[Session]) -> None:
    from ledger.customers import create_customer
    from ledger.errors import DuplicateName
    from ledger.projects import create_project

    sb = sales_books(pg_books)

    def customer(i: int) -> int:
        with pg_books.begin() as s:
            return create_customer(s, sb.company_id, "Hansen Rør AS" if i % 2 else "HANSEN RØR").number

    def project(i: int) -> int:
        with pg_books.begin() as s:
            return create_project(s, sb.company_id, "Support", customer_id=sb.nordlys_id).id

    for work in (customer, project):
        results = all_at_once(6, work)
        assert len([r for r in results if isinstance(r, int)]) == 1
        assert all(isinstance(r, DuplicateName) for r in results if not isinstance(r, int))
