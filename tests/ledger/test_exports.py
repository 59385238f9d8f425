"""Exports: the books mapped to SAF-T and hledger values; the SAF-T file is valid against the
schema and the plain-text journal's balances equal ours."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ledger.customers import create_customer
from ledger.documents.hledger import hledger_journal
from ledger.documents.saft import saft_xml, validate_saft
from ledger.expenses import register_expense
from ledger.exports import account_rows, hledger_entries, saft_input
from ledger.invoicing import invoice_amount, register_payment
from ledger.journal import reverse_entry
from ledger.models import Company, JournalEntry
from ledger.reports.trial_balance import trial_balance
from tests.ledger.book_builders import day, new_company, post
from tests.ledger.builders import where

D = Decimal


def _books(s: Session, cid: int) -> None:
    company = s.get(Company, cid)
    assert company is not None
    company.orgnr = "923609016"
    company.address, company.postcode, company.city = "Strandkaien 1", "5013", "Bergen"
    post(s, cid, "2025-06-01 1920 30000 / 2000 -30000")
    post(s, cid, "2025-09-01 1920 5000 / 3100 -5000 5")
    customer = create_customer(s, cid, "Fjord Bygg AS", **where("974760673", address="Sjøgata 4", city="Bergen")).id
    invoice = invoice_amount(s, cid, customer, "5000", "Rådgivning", issue_date=day("2026-02-01"))
    register_payment(s, cid, invoice.number, "6250", day("2026-02-10"))
    invoice_amount(s, cid, customer, "1000", "Timer", issue_date=day("2026-03-01"))
    register_expense(s, cid, "500", "kontorrekvisita", day("2026-03-02"), "Clas Ohlson", None, "web")
    wrong = register_expense(s, cid, "640", "lunsj med kunde", day("2026-03-03"), "Kafeen", None, "web")
    entry = s.get(JournalEntry, wrong.entry_id)
    assert entry is not None
    reverse_entry(s, entry, channel="web")


def test_saft_input_maps_the_year_and_makes_a_valid_file(books: sessionmaker[Session]) -> None:
    cid = new_company(books)
    with books.begin() as s:
        _books(s, cid)
    with books.begin() as s:
        data = saft_input(s, cid, 2026, created=day("2026-12-31"))
    assert data.company.orgnr == "923609016" and data.company.is_as
    assert [e.voucher_number for e in data.entries] == [1, 2, 3, 4, 5, 6]
    accounts = {a.number: (a.opening_balance, a.closing_balance) for a in data.accounts}
    assert accounts["1920"] == (D("35000.00"), D("40750.00"))
    assert accounts["2050"] == (D("-5000.00"), D("-5000.00"))  # 2025's result
    assert sum(a.opening_balance for a in data.accounts) == 0
    assert sum(a.closing_balance for a in data.accounts) == 0
    assert [(c.customer_id, c.closing_balance) for c in data.customers] == [("10000", D("1250.00"))]
    assert [s.party.name for s in data.suppliers] == ["Clas Ohlson", "Kafeen"]
    assert [(t.code, t.rate) for t in data.tax_codes] == [("0", D("0")), ("1", D("25")), ("3", D("25"))]
    invoice_lines = data.entries[0].lines
    revenue = next(line for line in invoice_lines if line.account == "3000")
    vat = next(line for line in invoice_lines if line.account == "2700")
    assert (revenue.vat_code, revenue.vat_amount) == ("3", D("1250.00"))
    assert (vat.vat_base, vat.vat_amount) == (D("5000.00"), None)
    assert data.entries[-1].reverses == 5
    assert validate_saft(saft_xml(data)) == []


def _balances_of(journal: str) -> dict[str, Decimal]:
    """Sum each account's postings in the journal text, as hledger would."""
    sums: dict[str, Decimal] = {}
    for match in re.finditer(r"^    \S+:(\d{4})[^\n]*?\s(-?\d+\.\d{2}) NOK", journal, flags=re.MULTILINE):
        sums[match.group(1)] = sums.get(match.group(1), D("0")) + D(match.group(2))
    return sums


def test_hledger_journal_balances_equal_ours(books: sessionmaker[Session]) -> None:
    cid = new_company(books)
    with books.begin() as s:
        _books(s, cid)
    with books.begin() as s:
        start, end = day("2026-01-01"), day("2026-12-31")
        entries, accounts = hledger_entries(s, cid, start, end), account_rows(s, cid, start, end)
        journal = hledger_journal(entries, accounts, opening_date=start)
        ours = {r.account: r.closing for r in trial_balance(s, cid, start, end).rows}
        all_history = hledger_journal(hledger_entries(s, cid))
        assert len(hledger_entries(s, cid, day("2026-03-01"), day("2026-03-31"))) == 4
    theirs = {a: v for a, v in _balances_of(journal).items() if v}
    assert theirs == {a: v for a, v in ours.items() if v}
    assert "(1) Faktura 10001 Fjord Bygg AS" in journal
    assert all_history.count("\n2025-") == 2


@pytest.mark.skipif(shutil.which("hledger") is None, reason="hledger is not installed (apt-get install hledger)")
def test_real_hledger_reads_our_books_and_agrees_to_the_ore(books: sessionmaker[Session], tmp_path: Path) -> None:
    cid = new_company(books)
    with books.begin() as s:
        _books(s, cid)
    with books.begin() as s:
        start, end = day("2026-03-01"), day("2026-12-31")
        text = hledger_journal(
            hledger_entries(s, cid, start, end), account_rows(s, cid, start, end), opening_date=start
        )
        ours = {r.account: r.closing for r in trial_balance(s, cid, start, end).rows if r.closing}
    journal = tmp_path / "books.journal"
    journal.write_text(text, encoding="utf-8")
    out = subprocess.run(
        ["hledger", "-f", str(journal), "bal", "--flat", "--no-total", "-O", "csv"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    theirs = {
        row["account"].split(":", 1)[1].split(" ", 1)[0]: D(row["balance"].replace("NOK", "").strip() or "0")
        for row in csv.DictReader(io.StringIO(out))
    }
    assert {a: v for a, v in theirs.items() if v} == ours
