"""A bank statement gone through with a person: a 500-line statement reconciled line by line
against its known truth, money out posted on a rule or a decision, a second month proposed
from what the first taught, and nothing posted twice when a statement comes again."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bench.statements import (
    RECURRING_VENDORS,
    camt053,
    decide_month,
    month_statement,
    score,
    trading_books,
)
from bench.statements import _entry as camt_entry
from ledger.attachments import list_attachments
from ledger.bank import parse_camt
from ledger.errors import UnknownExpenseCategory
from ledger.models import JournalEntry, JournalLine
from ledger.statement_review import (
    decide_line,
    next_undecided,
    post_reviewed,
    review_statement,
    vendor_of,
)
from ledger.vendor_rules import vendor_rules

NOVEMBER = dt.date(2026, 11, 1)


def entries(books: sessionmaker[Session], company_id: int) -> int:
    with books.begin() as s:
        return int(s.scalar(select(func.count(JournalEntry.id)).where(JournalEntry.company_id == company_id)) or 0)


def test_a_500_line_statement_is_reconciled_line_by_line_against_its_truth(
    sqlite_books: sessionmaker[Session],
) -> None:
    sb, customers = trading_books(sqlite_books)
    month = month_statement(sqlite_books, sb.company_id, customers, NOVEMBER, lines=500)
    statement = parse_camt(month.data)
    assert len(statement.lines) == 500
    with sqlite_books.begin() as s:
        review = review_statement(s, sb.company_id, statement)
    matched = {m.line.line_id: m.invoice_number for m in review.matches}
    unknown = {line.line_id for line in review.unknown}
    incoming = {u.line.line_id: u.reason for u in review.incoming}
    for line in statement.lines:
        truth = month.truth[line.line_id]
        if truth.kind == "invoice":
            assert matched.get(line.line_id) == truth.invoice_number, line
        elif truth.kind == "expense":
            assert line.line_id in unknown, line  # no rule yet: every vendor is asked about
        else:
            assert incoming.get(line.line_id) == "no_match", line  # money in for a person to place
    assert len(review.matches) == 190 and len(review.unknown) == 300 and len(review.incoming) == 10
    assert review.left == ()
    assert review.known == () and review.already_posted == ()


def test_a_second_month_is_proposed_from_the_rules_the_first_month_taught(
    sqlite_books: sessionmaker[Session],
) -> None:
    sb, customers = trading_books(sqlite_books, customers=5)
    first = month_statement(sqlite_books, sb.company_id, customers, dt.date(2026, 10, 1), lines=100, seed=1)
    questions = decide_month(sqlite_books, sb, first)
    # One question per vendor: a recurring vendor's later lines follow the rule its first taught.
    assert questions == len(RECURRING_VENDORS) + 6
    second = month_statement(sqlite_books, sb.company_id, customers, NOVEMBER, lines=100, seed=2)
    with sqlite_books.begin() as s:
        review = review_statement(s, sb.company_id, parse_camt(second.data))
    scored = score(sqlite_books, sb.company_id, second, review)
    recurring = sum(1 for t in second.truth.values() if t.recurring)
    invoices = sum(1 for t in second.truth.values() if t.kind == "invoice")
    print(f"second month: {scored.right_without_question} of 100 lines proposed correctly without a question")
    assert scored.wrong == 0
    assert scored.right_without_question == recurring + invoices
    assert {line.line_id for line in review.unknown} == {
        lid for lid, t in second.truth.items() if t.kind == "expense" and not t.recurring
    }


def test_importing_the_same_statement_again_posts_nothing_twice(books: sessionmaker[Session]) -> None:
    sb, customers = trading_books(books, customers=3)
    month = month_statement(books, sb.company_id, customers, NOVEMBER, lines=50)
    statement = parse_camt(month.data)
    with books.begin() as s:
        decide_line(s, sb.company_id, next(ln for ln in statement.lines if ln.amount < 0 and
                    month.truth[ln.line_id].recurring), "telefon", user_id=sb.owner_id, channel="web")
    with books.begin() as s:
        review = review_statement(s, sb.company_id, statement)
        first = post_reviewed(s, sb.company_id, review, user_id=sb.owner_id, channel="web")
    assert first.posted_now == review.to_post > 0
    posted = entries(books, sb.company_id)
    with books.begin() as s:
        again = review_statement(s, sb.company_id, parse_camt(month.data))
        second = post_reviewed(s, sb.company_id, again, user_id=sb.owner_id, channel="web")
    assert second.posted_now == 0 and again.to_post == 0
    assert len(again.already_posted) == review.to_post + 1
    assert entries(books, sb.company_id) == posted


def test_a_decided_line_is_posted_with_its_statement_line_and_teaches_the_vendor(
    books: sessionmaker[Session],
) -> None:
    sb, _ = trading_books(books, customers=1)
    data = camt053(
        [
            camt_entry("A1", dt.date(2026, 11, 3), Decimal("-1249.00"), "TELENOR NORGE AS", text="Mobil november"),
            camt_entry("A2", dt.date(2026, 11, 4), Decimal("-349.00"), "Clas Ohlson", text="Varekjøp"),
            camt_entry("A3", dt.date(2026, 11, 20), Decimal("-99.00"), "Telenor Norge", text="Ekstra data"),
        ],
        "S1",
    )
    statement = parse_camt(data)
    with books.begin() as s:
        waiting = next_undecided(s, sb.company_id, statement)
        assert waiting is not None and waiting.rule is None and waiting.remaining == 3
        decided = decide_line(s, sb.company_id, waiting.line, "telefon", user_id=sb.owner_id, channel="telegram")
        assert (decided.rule.vendor_key, decided.rule.account, decided.rule.vat_code) == ("telenor norge", "6900", "1")
        lines = [
            (ln.account, ln.debit, ln.credit, ln.vat_code)
            for ln in s.scalars(select(JournalLine).where(JournalLine.entry_id == decided.expense.entry_id))
        ]
        assert sorted(lines) == sorted(
            [
                ("6900", Decimal("999.20"), Decimal("0.00"), "1"),
                ("2710", Decimal("249.80"), Decimal("0.00"), "1"),
                ("1920", Decimal("0.00"), Decimal("1249.00"), None),
            ]
        )
        documents = list_attachments(s, sb.company_id, decided.expense.entry_id)
        assert [d.kind for d in documents] == ["statement_line"]
        nxt = next_undecided(s, sb.company_id, statement, skipped=[])
        assert nxt is not None and vendor_of(nxt.line) == "Clas Ohlson" and nxt.rule is None
        later = next_undecided(s, sb.company_id, statement, skipped=[nxt.line.line_id])
        assert later is not None and later.rule is not None and later.rule.account == "6900"
        with pytest.raises(UnknownExpenseCategory):
            decide_line(s, sb.company_id, nxt.line, "sjokoladefontene", user_id=sb.owner_id, channel="web")
    with books.begin() as s:
        assert [r.vendor_name for r in vendor_rules(s, sb.company_id)] == ["TELENOR NORGE AS"]
        again = decide_line(s, sb.company_id, waiting.line, "telefon", user_id=sb.owner_id, channel="web")
        assert again.expense.repeated
