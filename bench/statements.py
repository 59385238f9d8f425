"""How fast a bank statement sent in the chat is read, matched and proposed, and how much of a
second month the assistant proposes by itself once the first month was decided.

Run on demand (not a test):

    .venv/bin/python -m bench.statements
    .venv/bin/python -m bench.statements --lines 500 --runs 7

It makes scratch SQLite books with customers and open invoices, writes a month's camt.053
statement of `--lines` lines with known truth (`month_statement`: payments by KID, payments
by amount and customer name, money in from nobody we know, card and bank payments to
recurring vendors, one-off purchases), and times what the chat does when such a file arrives
(read the file, match it, sort the lines: `ledger.statement_review.review_statement`) `--runs`
times, printing the median. The target is under two seconds for 500 lines.

Then it decides the first month as a person would (every line of money out given its true
category, one by one, as the chat walks them), writes a second month, and prints how many of
its lines are proposed correctly without a question (matched to the right invoice, or known
from a vendor rule with the right account and VAT code).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TypedDict
from xml.sax.saxutils import escape

from sqlalchemy.orm import Session, sessionmaker
from stdnum.no import orgnr as orgnr_number

from ledger.bank import parse_camt
from ledger.companies import create_company
from ledger.customers import create_customer
from ledger.db import make_engine
from ledger.expenses import find_category, set_vehicle
from ledger.invoicing import invoice_amount
from ledger.migrate import upgrade
from ledger.statement_review import StatementReview, decide_line, next_undecided, review_statement

ACCOUNT_IBAN = "NO9386011117947"

RECURRING_VENDORS: tuple[tuple[str, str], ...] = (
    ("Telenor Norge AS", "telefon"),
    ("Telia Norge AS", "internett"),
    ("Circle K Norge AS", "drivstoff"),
    ("Uno-X Energi AS", "drivstoff"),
    ("EasyPark AS", "parkering"),
    ("Staples Norge AS", "kontorrekvisita"),
    ("Clas Ohlson AS", "kontorrekvisita"),
    ("Gjensidige Forsikring ASA", "forsikring"),
    ("Bergen Eiendom AS", "husleie"),
    ("SAS Scandinavian Airlines", "fly"),
    ("Vy", "tog"),
    ("Scandic Hotels AS", "hotell"),
)
"""Vendors a small business pays every month, and what their purchases are."""


@dataclass(frozen=True)
class Truth:
    """What a generated line is.

    Attributes:
      kind: "invoice" (pays `invoice_number`), "expense" (a purchase in `category`) or
        "unknown" (money in from nobody the books know).
      recurring: an expense to a vendor that comes back every month.
    """

    kind: str
    invoice_number: int | None = None
    category: str = ""
    recurring: bool = False


@dataclass(frozen=True)
class MonthStatement:
    """A generated statement: the camt.053 file and the truth of each line, by line id."""

    data: bytes
    truth: dict[str, Truth]


def _entry(
    reference: str,
    day: dt.date,
    amount: Decimal,
    party: str,
    *,
    kid: str | None = None,
    text: str = "",
) -> str:
    credit = amount > 0
    role = "Dbtr" if credit else "Cdtr"
    remittance = (
        f"<Strd><CdtrRefInf><Ref>{kid}</Ref></CdtrRefInf></Strd>" if kid else f"<Ustrd>{escape(text)}</Ustrd>"
    )
    return (
        f"<Ntry><Amt Ccy=\"NOK\">{abs(amount):.2f}</Amt><CdtDbtInd>{'CRDT' if credit else 'DBIT'}</CdtDbtInd>"
        f"<Sts>BOOK</Sts><BookgDt><Dt>{day.isoformat()}</Dt></BookgDt><AcctSvcrRef>{reference}</AcctSvcrRef>"
        f"<NtryDtls><TxDtls><RltdPties><{role}><Nm>{escape(party)}</Nm></{role}></RltdPties>"
        f"<RmtInf>{remittance}</RmtInf></TxDtls></NtryDtls></Ntry>"
    )


def camt053(entries: Sequence[str], statement_id: str) -> bytes:
    """A camt.053.001.02 document with these entries."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
        f"<GrpHdr><MsgId>{statement_id}</MsgId><CreDtTm>2026-12-01T06:00:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>{statement_id}</Id><Acct><Id><IBAN>{ACCOUNT_IBAN}</IBAN></Id><Ccy>NOK</Ccy></Acct>"
        + "".join(entries)
        + "</Stmt></BkToCstmrStmt></Document>"
    ).encode("utf-8")


@dataclass(frozen=True)
class TradingBooks:
    """The company the statements are for, and its owner (who decides the lines)."""

    company_id: int
    owner_id: int


class Address(TypedDict):
    """Where a party is: an invoice must show it (bokføringsforskriften § 5-1-1)."""

    address: str
    postcode: str
    city: str


ADDRESS = Address(address="Storgata 1", postcode="0155", city="Oslo")
"""Where the company and its customers are."""


def _orgnrs() -> Iterator[str]:
    """Made-up organisation numbers that pass the MOD11 check, the same ones every run."""
    return (str(n) for n in range(910_000_000, 1_000_000_000) if orgnr_number.is_valid(str(n)))


def trading_books(books: sessionmaker[Session], customers: int = 20) -> tuple[TradingBooks, list[tuple[int, str]]]:
    """A VAT-registered company driving a van, with `customers` customers (id, name), each an
    AS with an organisation number, as a business the company invoices must have."""
    orgnrs = _orgnrs()
    made: list[tuple[int, str]] = []
    with books.begin() as s:
        company = create_company(s, "Fjelltopp AS", owner_name="Kari Nordmann", vat_registered=True,
                                 orgnr=next(orgnrs), bank_account="12345678903", **ADDRESS)
        company_id = company.company.id
        set_vehicle(s, company_id, "van")
        for n in range(customers):
            name = f"Kunde {n + 1} AS"
            made.append((create_customer(s, company_id, name, orgnr=next(orgnrs), **ADDRESS).id, name))
    return TradingBooks(company_id, company.owner.user.id), made


def month_statement(
    books: sessionmaker[Session],
    company_id: int,
    customers: Sequence[tuple[int, str]],
    month: dt.date,
    lines: int = 500,
    seed: int = 1,
) -> MonthStatement:
    """Issue the month's invoices and write its statement of `lines` lines (see the module
    docstring): 30 % paid by KID, 8 % by amount and name, 2 % money in from strangers, 54 %
    to recurring vendors, 6 % one-off purchases. Invoice amounts differ by at least an øre,
    so that each payment fits one invoice."""
    rng = random.Random(seed)
    by_kid, by_name, strangers = lines * 30 // 100, lines * 8 // 100, lines * 2 // 100
    one_off = lines * 6 // 100
    recurring = lines - by_kid - by_name - strangers - one_off
    entries: list[tuple[dt.date, str, Truth]] = []
    with books.begin() as s:
        for n in range(by_kid + by_name):
            customer_id, name = customers[n % len(customers)]
            price = Decimal(rng.randrange(500, 20_000)) + Decimal(n) / 100
            issued = month - dt.timedelta(days=20)
            invoice = invoice_amount(s, company_id, customer_id, price, "Arbeid", issue_date=issued)
            day = month + dt.timedelta(days=rng.randrange(0, 28))
            reference = f"{month:%Y%m}-IN-{n:04d}"
            truth = Truth("invoice", invoice_number=invoice.number)
            if n < by_kid:
                entries.append((day, _entry(reference, day, invoice.total, name, kid=invoice.kid), truth))
            else:
                entries.append((day, _entry(reference, day, invoice.total, name, text="Betaling"), truth))
    for n in range(strangers):
        day = month + dt.timedelta(days=rng.randrange(0, 28))
        amount = Decimal(rng.randrange(100, 5_000)) + Decimal("0.37")
        entries.append((day, _entry(f"{month:%Y%m}-ST-{n:04d}", day, amount, f"Ukjent Person {n}", text="Vipps"),
                        Truth("unknown")))
    for n in range(recurring):
        vendor, category = RECURRING_VENDORS[n % len(RECURRING_VENDORS)]
        day = month + dt.timedelta(days=rng.randrange(0, 28))
        amount = -(Decimal(rng.randrange(50, 5_000)) + Decimal(rng.randrange(0, 100)) / 100)
        entries.append((day, _entry(f"{month:%Y%m}-OUT-{n:04d}", day, amount, vendor, text=f"Varekjøp {vendor}"),
                        Truth("expense", category=category, recurring=True)))
    for n in range(one_off):
        day = month + dt.timedelta(days=rng.randrange(0, 28))
        amount = -(Decimal(rng.randrange(100, 3_000)))
        vendor = f"Butikk {month:%m}{n:03d} AS"
        entries.append((day, _entry(f"{month:%Y%m}-ONE-{n:04d}", day, amount, vendor, text="Varekjøp"),
                        Truth("expense", category="kontorrekvisita")))
    rng.shuffle(entries)
    entries.sort(key=lambda e: e[0])
    data = camt053([e[1] for e in entries], f"STMT-{month:%Y%m}")
    statement = parse_camt(data)
    truths = {ln.line_id: e[2] for ln, e in zip(statement.lines, entries, strict=True)}
    return MonthStatement(data, truths)


@dataclass(frozen=True)
class Scored:
    """How a review compares with the truth.

    Attributes:
      right_without_question: lines matched to their invoice, or known by a rule with the
        true category's account and VAT code.
      wrong: lines proposed otherwise than the truth says (matched to another invoice, or a
        rule with another account or code).
      asked: lines left for a person (unknown vendors, money in from strangers).
    """

    right_without_question: int
    wrong: int
    asked: int


def score(books: sessionmaker[Session], company_id: int, month: MonthStatement, review: StatementReview) -> Scored:
    """Compare a review, line by line, with the truth."""
    right = wrong = 0
    with books.begin() as s:
        accounts = {
            cat: (rule.account, rule.vat_code)
            for cat in {t.category for t in month.truth.values() if t.category}
            for rule in [find_category(s, company_id, cat)]
        }
    for match in review.matches:
        truth = month.truth[match.line.line_id]
        if truth.kind == "invoice" and truth.invoice_number == match.invoice_number:
            right += 1
        else:
            wrong += 1
    for known in review.known:
        truth = month.truth[known.line.line_id]
        if truth.kind == "expense" and accounts[truth.category] == (known.rule.account, known.rule.vat_code):
            right += 1
        else:
            wrong += 1
    return Scored(right, wrong, len(review.unknown) + len(review.incoming) + len(review.left))


def decide_month(books: sessionmaker[Session], sb: TradingBooks, month: MonthStatement) -> int:
    """Walk the month's lines of money out as the chat does and give each its true category
    (a line whose vendor was decided earlier in the month is taken as proposed). Returns how
    many questions a person answered."""
    statement = parse_camt(month.data)
    questions = 0
    while True:
        with books.begin() as s:
            waiting = next_undecided(s, sb.company_id, statement)
            if waiting is None or waiting.incoming:  # money in comes after all money out
                return questions
            truth = month.truth[waiting.line.line_id]
            if waiting.rule is None:
                questions += 1
            decide_line(s, sb.company_id, waiting.line, truth.category, user_id=sb.owner_id, channel="web")


def timed_review(books: sessionmaker[Session], company_id: int, data: bytes, runs: int) -> list[float]:
    """Seconds to read, match and sort the statement, `runs` times."""
    times = []
    for _ in range(runs):
        start = time.monotonic()
        with books.begin() as s:
            review_statement(s, company_id, parse_camt(data))
        times.append(time.monotonic() - start)
    return times


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade(url)
        engine = make_engine(url)
        books = sessionmaker(engine, expire_on_commit=False)
        sb, customers = trading_books(books)
        first = month_statement(books, sb.company_id, customers, dt.date(2026, 10, 1), args.lines, seed=1)
        times = timed_review(books, sb.company_id, first.data, args.runs)
        print(f"{args.lines}-line camt.053 read, matched and proposed: median {statistics.median(times):.3f} s "
              f"over {args.runs} runs (target < 2 s)")
        questions = decide_month(books, sb, first)
        print(f"first month: {questions} questions answered to decide its lines of money out")
        second = month_statement(books, sb.company_id, customers, dt.date(2026, 11, 1), args.lines, seed=2)
        with books.begin() as s:
            review = review_statement(s, sb.company_id, parse_camt(second.data))
        scored = score(books, sb.company_id, second, review)
        print(f"second month: {scored.right_without_question} of {args.lines} lines proposed correctly without a "
              f"question, {scored.wrong} proposed wrongly, {scored.asked} left for a person")
        engine.dispose()


if __name__ == "__main__":
    main()
