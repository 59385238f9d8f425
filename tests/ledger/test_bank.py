"""Bank statements: camt.053 and CSV read into lines, incoming payments matched by KID and
then by amount and customer, matches posted once however often a statement is imported."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ledger.bank import (
    StatementLine,
    import_statement,
    match_statement,
    parse_camt,
    parse_csv,
    post_matches,
    read_statement,
)
from ledger.errors import InvalidInput
from ledger.invoicing import get_invoice, issue_invoice, public_status
from ledger.models import ClosedPeriod, Payment
from ledger.reports.balances import bank_balance
from tests.ledger.builders import SalesBooks, day, line, sales_books

DATA = Path(__file__).parent / "data"
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "data" / "camt"


def three_invoices(books: sessionmaker[Session]) -> SalesBooks:
    """10001: Fjord 6 250 (KID), 10002: Nordlys 11 875, 10003: Fjord 1 000."""
    sb = sales_books(books)
    with books.begin() as s:
        issue_invoice(s, sb.company_id, sb.fjord_id, [line("5 × 1000 Rådgivning")], issue_date=day("2026-10-20"))
        issue_invoice(s, sb.company_id, sb.nordlys_id, [line("10 × 950 Nettside")], issue_date=day("2026-10-21"))
        issue_invoice(s, sb.company_id, sb.fjord_id, [line("1 × 800 Befaring")], issue_date=day("2026-10-22"))
    return sb


def test_camt053_lines_with_kid_batch_and_direction() -> None:
    statement = parse_camt((DATA / "camt053_no.xml").read_bytes())
    assert statement.format == "camt.053"
    rows = [(x.line_id, x.date.isoformat(), str(x.amount), x.currency, x.kid, x.counterparty) for x in statement.lines]
    assert rows == [
        ("camt:15031234562:20261103-000101", "2026-11-03", "6250.00", "NOK", "01000000100015", "FJORD BYGG AS"),
        ("camt:15031234562:20261103-000102", "2026-11-03", "11875.00", "NOK", None, "Nordlys Regnskap AS"),
        ("camt:15031234562:20261103-000103", "2026-11-03", "-349.00", "NOK", None, ""),
        ("camt:15031234562:20261104-000104", "2026-11-04", "500.00", "NOK", None, "Per Olsen"),
        ("camt:15031234562:20261104-000105-1", "2026-11-04", "400.00", "NOK", "01000000100031", "Fjord Bygg AS"),
        ("camt:15031234562:20261104-000105-2", "2026-11-04", "2000.00", "NOK", "01000000100031", "Fjord Bygg AS"),
        ("camt:15031234562:20261104-000106", "2026-11-04", "100.00", "EUR", None, ""),
    ]
    assert statement.lines[1].text == "Faktura 10002 nettside"
    assert statement.lines[2].text == "Kontohold og gebyrer"


@pytest.mark.parametrize(
    "name",
    ["genkgo-camt_camt053.v2.minimal.xml", "genkgo-camt_camt053.v8.xml", "genkgo-camt_camt053.v2.multi.statement.xml"],
)
def test_the_official_samples_are_read(name: str) -> None:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip("shared camt samples not present")
    statement = parse_camt(path.read_bytes())
    assert statement.lines
    assert all(x.line_id for x in statement.lines)
    assert len({x.line_id for x in statement.lines}) == len(statement.lines)


def test_csv_lines_with_norwegian_amounts_and_a_header() -> None:
    statement = read_statement((DATA / "statement_no.csv").read_bytes(), "text/csv")
    assert [(x.date.isoformat(), str(x.amount), x.kid) for x in statement.lines] == [
        ("2026-11-03", "6250.00", "01000000100015"),
        ("2026-11-03", "11875.00", None),
        ("2026-11-03", "-49.00", None),
    ]
    again = parse_csv((DATA / "statement_no.csv").read_text(encoding="utf-8"))
    assert [x.line_id for x in again.lines] == [x.line_id for x in statement.lines]


def test_two_equal_csv_lines_stay_two() -> None:
    statement = parse_csv("2026-11-03;Kaffe;100,00\n2026-11-03;Kaffe;100,00\n")
    assert len({x.line_id for x in statement.lines}) == 2


@pytest.mark.parametrize(
    "text",
    ["2026-11-03;Tekst", "2026-11-03;Tekst;hundre", "2026-11-03;Tekst;1,005", "dato;tekst;beløp\nigår;x;1"],
)
def test_bad_csv_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_csv(text)


def test_bad_xml_is_refused() -> None:
    with pytest.raises(InvalidInput):
        parse_camt(b"<Document><unclosed></Document>")
    with pytest.raises(InvalidInput):
        parse_camt(b'<Document xmlns="urn:example"/>')


def test_matching_by_kid_then_amount_and_customer(sqlite_books: sessionmaker[Session]) -> None:
    sb = three_invoices(sqlite_books)
    statement = parse_camt((DATA / "camt053_no.xml").read_bytes())
    with sqlite_books.begin() as s:
        proposal = match_statement(s, sb.company_id, statement.lines)
    assert [(m.line.line_id[-8:], m.invoice_number, str(m.amount), m.rule) for m in proposal.matches] == [
        ("3-000101", 10001, "6250.00", "kid"),
        ("3-000102", 10002, "11875.00", "amount_and_customer"),
        ("000105-1", 10003, "400.00", "kid"),
    ]
    assert [(u.line.line_id[-8:], u.reason, u.invoice_number) for u in proposal.unmatched] == [
        ("3-000103", "outgoing", None),
        ("4-000104", "no_match", None),
        ("000105-2", "overpayment", 10003),
        ("4-000106", "currency", None),
    ]


def test_posting_matches_pays_the_invoices_and_a_second_import_posts_nothing(books: sessionmaker[Session]) -> None:
    sb = three_invoices(books)
    data = (DATA / "camt053_no.xml").read_bytes()
    with books.begin() as s:
        result = import_statement(s, sb.company_id, data, "application/xml", created_by_id=sb.owner_id)
        assert [(p.invoice_number, str(p.amount), p.repeated) for p in result.posted] == [
            (10001, "6250.00", False),
            (10002, "11875.00", False),
            (10003, "400.00", False),
        ]
    with books.begin() as s:
        assert bank_balance(s, sb.company_id) == Decimal("18525.00")
        assert public_status(get_invoice(s, sb.company_id, 10001)) == "paid"
        assert public_status(get_invoice(s, sb.company_id, 10003)) == "unpaid"
        again = import_statement(s, sb.company_id, data, "application/xml")
        assert again.posted == ()
        assert [u.reason for u in again.proposal.unmatched].count("already_posted") == 3
        assert s.scalar(select(func.count(Payment.id))) == 3
        assert bank_balance(s, sb.company_id) == Decimal("18525.00")


def test_posting_the_same_matches_twice_repeats_without_posting(sqlite_books: sessionmaker[Session]) -> None:
    sb = three_invoices(sqlite_books)
    statement = parse_camt((DATA / "camt053_no.xml").read_bytes())
    with sqlite_books.begin() as s:
        proposal = match_statement(s, sb.company_id, statement.lines)
        post_matches(s, sb.company_id, proposal.matches)
    with sqlite_books.begin() as s:
        posted, refused = post_matches(s, sb.company_id, proposal.matches)
        assert [p.repeated for p in posted] == [True, True, True] and refused == []
        assert s.scalar(select(func.count(Payment.id))) == 3


def test_a_match_in_a_closed_period_is_refused_and_the_rest_posted(sqlite_books: sessionmaker[Session]) -> None:
    sb = three_invoices(sqlite_books)
    with sqlite_books.begin() as s:
        s.add(ClosedPeriod(company_id=sb.company_id, closed_through=day("2026-11-03")))
    with sqlite_books.begin() as s:
        result = import_statement(s, sb.company_id, (DATA / "camt053_no.xml").read_bytes())
        assert [p.invoice_number for p in result.posted] == [10003]
        assert [(r.match.invoice_number, r.code) for r in result.refused] == [
            (10001, "period_locked"),
            (10002, "period_locked"),
        ]


def test_same_amount_for_two_customers_is_left_for_a_person(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    with sqlite_books.begin() as s:
        issue_invoice(s, sb.company_id, sb.fjord_id, [line("1 × 800 Arbeid")], issue_date=day("2026-10-20"))
        issue_invoice(s, sb.company_id, sb.nordlys_id, [line("1 × 800 Arbeid")], issue_date=day("2026-10-20"))
        lines = [
            StatementLine("a", day("2026-11-03"), Decimal("1000.00"), text="faktura 10001 og 10002"),
            StatementLine("b", day("2026-11-03"), Decimal("1000.00"), counterparty="Nordlys Regnskap"),
        ]
        proposal = match_statement(s, sb.company_id, lines)
        assert [u.reason for u in proposal.unmatched] == ["ambiguous"]
        assert [(m.line.line_id, m.invoice_number) for m in proposal.matches] == [("b", 10002)]
