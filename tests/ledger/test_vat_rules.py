"""The Norwegian VAT rules an auditor signs off on, over the real ledger (SQLite and
PostgreSQL): terms settled in order, only the VAT return's codes in a report with the return's
signs, rates by their dates, a settled term locking its VAT postings only, and a year of books
whose VAT report, SAF-T file and trial balance agree to the øre."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from actions.confirmation import refusal
from ledger import clock
from ledger.corrections import correct_entry
from ledger.data import read_table
from ledger.documents import shared_data
from ledger.documents.saft import tax_totals, validate_saft
from ledger.errors import EarlierTermUnsettled, PeriodLocked
from ledger.expenses import ExpenseRule, register_expense
from ledger.exports import saft_file
from ledger.invoicing import SaleLine, credit_invoice, issue_invoice, register_payment
from ledger.journal import VAT_LOCKED_ACCOUNTS
from ledger.models import ClosedPeriod, JournalEntry
from ledger.periods import close_period
from ledger.reports.trial_balance import trial_balance
from ledger.vat import (
    VAT_ACCOUNTS,
    VatReport,
    VatTerm,
    first_open_term,
    in_vat_return,
    rate_on,
    return_codes,
    settle_vat_term,
    terms_of_year,
    vat_report,
)
from tests.api.report_fixtures import Gateway, gateway
from tests.ledger.book_builders import day, new_company, post
from tests.ledger.builders import sales_books

__all__ = ["gateway"]

KODELISTER = "mva-melding/kodelister"
NS = {"k": "urn:no:skatteetaten:kodelistebibliotek:domain:v1"}


def _count(s: Session, model: type[object]) -> int:
    return int(s.scalar(select(func.count()).select_from(model)) or 0)


# --- 1. terms are settled in order ----------------------------------------------------------


def test_terms_are_settled_in_order(books: sessionmaker[Session]) -> None:
    cid = new_company(books)
    with books.begin() as s:
        post(s, cid, "2026-01-10 1500 1250 / 3000 -1000 3 / 2700 -250 3")
        post(s, cid, "2026-03-10 1500 2500 / 3000 -2000 3 / 2700 -500 3")
    with pytest.raises(EarlierTermUnsettled) as refused, books.begin() as s:
        settle_vat_term(s, cid, VatTerm(2026, 2), today=day("2026-05-02"))
    assert refused.value.details == {
        "term": "2026-2",
        "earlier": "2026-1",
        "earlier_year": 2026,
        "earlier_number": 1,
        "earlier_kind": "bimonthly",
    }
    assert "2026-1" in str(refused.value)
    with books.begin() as s:  # nothing was written
        assert _count(s, ClosedPeriod) == 0 and _count(s, JournalEntry) == 2
        assert first_open_term(s, cid) == VatTerm(2026, 1)
    with books.begin() as s:
        first = settle_vat_term(s, cid, VatTerm(2026, 1), today=day("2026-05-02"))
        second = settle_vat_term(s, cid, VatTerm(2026, 2), today=day("2026-05-02"))
    # Each settlement moves its own term's VAT: the later one no longer swallows the earlier.
    assert (first.amount, second.amount) == (Decimal("250.00"), Decimal("500.00"))
    with books.begin() as s:
        assert vat_report(s, cid, VatTerm(2026, 1)).settled and vat_report(s, cid, VatTerm(2026, 2)).settled
        assert first_open_term(s, cid) == VatTerm(2026, 3)
    with pytest.raises(PeriodLocked), books.begin() as s:
        settle_vat_term(s, cid, VatTerm(2026, 1), today=day("2026-05-02"))


def test_terms_are_settled_in_order_even_a_term_without_vat(books: sessionmaker[Session]) -> None:
    cid = new_company(books)
    with books.begin() as s:
        post(s, cid, "2025-12-31 1920 30000 / 2000 -30000")  # an opening balance asks for no term
        post(s, cid, "2026-01-10 6800 400 1 / 2710 100 1 / 1920 -500")
        post(s, cid, "2026-05-10 1500 1250 / 3000 -1000 3 / 2700 -250 3")
        settle_vat_term(s, cid, VatTerm(2026, 1), today=day("2026-07-01"))
    with pytest.raises(EarlierTermUnsettled) as refused, books.begin() as s:
        settle_vat_term(s, cid, VatTerm(2026, 3), today=day("2026-07-01"))
    assert refused.value.details["earlier"] == "2026-2"
    with books.begin() as s:
        empty = settle_vat_term(s, cid, VatTerm(2026, 2), today=day("2026-07-01"))
        assert (empty.entry_id, empty.amount) == (None, 0)
        assert vat_report(s, cid, VatTerm(2026, 2)).settled  # a zero return is a settled term too
        assert settle_vat_term(s, cid, VatTerm(2026, 3), today=day("2026-07-01")).amount == Decimal("250.00")


def test_terms_are_settled_in_order_across_the_new_year(sqlite_books: sessionmaker[Session]) -> None:
    cid = new_company(sqlite_books)
    with sqlite_books.begin() as s:
        post(s, cid, "2026-12-10 1500 1250 / 3000 -1000 3 / 2700 -250 3")
        post(s, cid, "2027-01-10 1500 1250 / 3000 -1000 3 / 2700 -250 3")
    with pytest.raises(EarlierTermUnsettled) as refused, sqlite_books.begin() as s:
        settle_vat_term(s, cid, VatTerm(2027, 1), today=day("2027-03-01"))
    assert refused.value.details["earlier"] == "2026-6"


def test_terms_are_settled_in_order_and_the_chat_says_which_term_first() -> None:
    error = EarlierTermUnsettled(
        "VAT term 2026-1 is not settled yet; settle it first",
        term="2026-2",
        earlier="2026-1",
        earlier_year=2026,
        earlier_number=1,
        earlier_kind="bimonthly",
    )
    assert refusal("nb", error).startswith("Termin 1 2026 er ikke oppgjort ennå; gjør opp den først.")
    assert refusal("en", error).startswith("Term 1 2026 is not settled yet; settle it first.")
    annual = EarlierTermUnsettled(
        "", term="2026-annual", earlier="2025-annual", earlier_year=2025, earlier_number=1, earlier_kind="annual"
    )
    assert refusal("nb", annual).startswith("Mva for 2025 er ikke oppgjort ennå")
    assert refusal("en", annual).startswith("VAT for 2025 is not settled yet")


async def test_terms_are_settled_in_order_through_the_rest_api(gateway: Gateway) -> None:
    year = clock.today().year  # the gateway's books have VAT on 1 January of the clock's year
    url = f"/api/v1/companies/{gateway.company_id}/vat/{year}-2/settlement"
    with clock.pinned(dt.date(year, 5, 1)):
        response = await gateway.client.post(url, headers=gateway.auth("owner"))
    assert response.status == 422
    error = (await response.json())["error"]
    assert error["code"] == "earlier_term_unsettled"
    assert f"{year}-1" in error["message"]


# --- 2. only the VAT return's codes, with the return's signs ---------------------------------


def _official_return_codes() -> dict[str, tuple[str | None, str]]:
    """mvaKodeSAFT.xml: code → (valid from, what it specifies)."""
    root = ET.parse(shared_data.shared_data_dir() / KODELISTER / "mvaKodeSAFT.xml").getroot()
    found = {}
    for kode in root.findall("k:kode", NS):
        name = kode.findtext("k:tekniskNavn", namespaces=NS)
        assert name is not None
        found[name] = (
            kode.findtext("k:gyldigForBehandling/k:fradato", namespaces=NS),
            kode.findtext("k:kodetillegg/k:kodeBrukesTilSpesifiseringAv", namespaces=NS) or "",
        )
    return found


def _official_signs() -> dict[str, set[str]]:
    """merknadTilsvarendeMvaKode.xml: code → the signs the return expects of its VAT (leaving
    out the reversal of input VAT on capital goods, which turns the sign)."""
    root = ET.parse(shared_data.shared_data_dir() / KODELISTER / "merknadTilsvarendeMvaKode.xml").getroot()
    signs: dict[str, set[str]] = defaultdict(set)
    for kode in root.findall("k:kode", NS):
        extra = kode.find("k:kodetillegg", NS)
        assert extra is not None
        if extra.findtext("k:mvaSpesifikasjon", namespaces=NS):
            continue
        signs[extra.findtext("k:mvaKode", default="", namespaces=NS)].add(
            extra.findtext("k:forventetFortegn", default="", namespaces=NS)
        )
    return signs


def test_only_the_vat_returns_codes_are_reported_and_the_list_is_skatteetatens() -> None:
    official = _official_return_codes()
    signs = _official_signs()
    ours = return_codes()
    assert set(ours) == set(official)
    specifies = {"Utgående merverdiavgift": "output", "Inngående merverdiavgift": "input"}
    for code, rc in ours.items():
        valid_from, what = official[code]
        assert rc.valid_from == (dt.date.fromisoformat(valid_from) if valid_from else None), code
        assert rc.specifies == specifies.get(what, "both"), code
        assert rc.sign == {frozenset("+"): 1, frozenset("-"): -1, frozenset("+-"): 0}[frozenset(signs[code])], code
    # Code 0 (no VAT treatment) is a posting code, not a line of the return.
    assert not in_vat_return("0") and all(in_vat_return(c) for c in ("3", "31", "33", "5", "6", "1", "11", "13"))


def test_only_the_vat_returns_codes_are_reported_with_the_returns_signs(books: sessionmaker[Session]) -> None:
    cid = new_company(books)
    with books.begin() as s:
        post(s, cid, "2026-09-10 1500 6250 / 3000 -5000 3 / 2700 -1250 3")
        post(s, cid, "2026-09-11 1500 115 / 3000 -100 31 / 2700 -15 31")
        post(s, cid, "2026-09-12 1920 2000 / 3100 -2000 5")
        post(s, cid, "2026-09-13 1920 300 / 3200 -300 6")
        post(s, cid, "2026-10-02 6800 400 1 / 2710 100 1 / 1920 -500")
        post(s, cid, "2026-10-03 7140 112 13 / 2710 13.44 13 / 1920 -125.44")
        post(s, cid, "2026-10-04 7140 120 0 / 1920 -120")  # parking: no VAT treatment
    with books.begin() as s:
        report = vat_report(s, cid, VatTerm(2026, 5))
    got = [(x.code, x.rate, x.return_base, x.return_vat) for x in report.lines]
    assert got == [
        ("3", Decimal("25.00"), Decimal("5000.00"), Decimal("1250.00")),
        ("31", Decimal("15.00"), Decimal("100.00"), Decimal("15.00")),
        ("5", Decimal("0.00"), Decimal("2000.00"), Decimal("0.00")),
        ("6", Decimal("0.00"), Decimal("300.00"), Decimal("0.00")),
        ("1", Decimal("25.00"), Decimal("-400.00"), Decimal("-100.00")),
        ("13", Decimal("12.00"), Decimal("-112.00"), Decimal("-13.44")),
    ]
    assert all(in_vat_return(x.code) for x in report.lines)
    assert report.to_pay == sum((x.return_vat for x in report.lines), Decimal(0)) == Decimal("1151.56")


# --- 3. rates follow their dates -------------------------------------------------------------


def test_rates_follow_their_dates(books: sessionmaker[Session]) -> None:
    new_company(books)
    with books.begin() as s:
        for code in ("33", "13"):
            assert [rate_on(s, code, day(d)) for d in ("2020-03-31", "2020-04-01", "2021-09-30", "2021-10-01")] == [
                12, 6, 6, 12,
            ]
            assert rate_on(s, code, day("2016-06-01")) == 10 and rate_on(s, code, day("2015-06-01")) == 8
        assert rate_on(s, "31", day("2021-06-01")) == 15 and rate_on(s, "3", day("2021-06-01")) == 25


def test_rates_follow_their_dates_as_skatteetatens_rate_list_says() -> None:
    """Our dated rates are Skatteetaten's `sats.xml`, for each rate type our codes use."""
    root = ET.parse(shared_data.shared_data_dir() / KODELISTER / "sats.xml").getroot()
    official: dict[str, set[tuple[Decimal, str | None, str | None]]] = defaultdict(set)
    for kode in root.findall("k:kode", NS):
        kind = kode.findtext("k:kodetillegg/k:satstype", namespaces=NS) or ""
        rate = Decimal((kode.findtext("k:tekniskNavn", namespaces=NS) or "0").replace(",", "."))
        official[kind].add(
            (
                rate,
                kode.findtext("k:gyldigForBehandling/k:fradato", namespaces=NS),
                kode.findtext("k:gyldigForBehandling/k:tildato", namespaces=NS),
            )
        )
    kinds = {
        "3": "alminnelig sats", "1": "alminnelig sats",
        "31": "redusert sats, næringsmiddel", "11": "redusert sats, næringsmiddel",
        "33": "redusert sats", "13": "redusert sats",
    }
    ours: dict[str, set[tuple[Decimal, str | None, str | None]]] = defaultdict(set)
    for row in read_table("vat_rates.csv"):
        assert row["source"], row
        ours[row["code"]].add((Decimal(row["rate"]), row["valid_from"], row["valid_to"] or None))
    for code, kind in kinds.items():
        assert ours[code] == official[kind], code
    assert {rate for rate, *_ in ours["5"]} == {Decimal(0)}


def test_rates_follow_their_dates_on_invoices_expenses_and_the_report(books: sessionmaker[Session]) -> None:
    sb = sales_books(books)
    cid = sb.company_id
    taxi = ExpenseRule("taxi", "7140", "13", False, "persontransport", "passenger transport")
    with books.begin() as s:
        before = issue_invoice(s, cid, sb.fjord_id, [SaleLine("Kino", "1", "1000", vat_code="33")],
                               issue_date=day("2021-09-30"))
        after = issue_invoice(s, cid, sb.fjord_id, [SaleLine("Kino", "1", "1000", vat_code="33")],
                              issue_date=day("2021-10-01"))
        assert (before.vat, after.vat) == (Decimal("60.00"), Decimal("120.00"))
        cheap = register_expense(s, cid, "1060", taxi, day("2021-09-15"), "Taxi Oslo", None, "web")
        dear = register_expense(s, cid, "1120", taxi, day("2021-10-15"), "Taxi Oslo", None, "web")
        assert (cheap.plan.treatment.rate, dear.plan.treatment.rate) == (6, 12)
        report = vat_report(s, cid, VatTerm(2021, 5))
    # A term across the rate change has a line per rate, each at its own days' rate.
    assert [(x.code, x.rate, x.base, x.vat) for x in report.lines] == [
        ("33", Decimal("6.00"), Decimal("1000.00"), Decimal("60.00")),
        ("33", Decimal("12.00"), Decimal("1000.00"), Decimal("120.00")),
        ("13", Decimal("6.00"), Decimal("1000.00"), Decimal("60.00")),
        ("13", Decimal("12.00"), Decimal("1000.00"), Decimal("120.00")),
    ]


# --- 6. a settled term locks its VAT postings, not every posting -----------------------------


def test_a_settled_term_locks_its_vat_postings_not_its_bank_lines(books: sessionmaker[Session]) -> None:
    sb = sales_books(books)
    cid = sb.company_id
    with books.begin() as s:
        invoice = issue_invoice(s, cid, sb.fjord_id, [SaleLine("Rådgivning", "5", "1000")],
                                issue_date=day("2026-02-10"))
        fuel = post(s, cid, "2026-02-11 6800 400 1 / 2710 100 1 / 1920 -500")
        settle_vat_term(s, cid, VatTerm(2026, 1), today=day("2026-03-05"))
    with books.begin() as s:
        # The customer paid on 27 February: the bank line goes on its real date.
        paid = register_payment(s, cid, invoice.number, "6250", day("2026-02-27"))
        post(s, cid, "2026-02-28 7770 35 / 1920 -35")  # a bank fee, no VAT
        assert paid.id is not None
    with pytest.raises(PeriodLocked) as refused, books.begin() as s:
        post(s, cid, "2026-02-20 6800 80 1 / 2710 20 1 / 1920 -100")
    assert refused.value.details["closed_through"] == "2026-02-28"
    assert set(VAT_ACCOUNTS) == VAT_LOCKED_ACCOUNTS
    with pytest.raises(PeriodLocked), books.begin() as s:
        post(s, cid, "2026-02-20 2700 100 / 1920 -100")  # on a VAT account, even without a code
    with pytest.raises(PeriodLocked), books.begin() as s:
        issue_invoice(s, cid, sb.fjord_id, [SaleLine("Rådgivning", "1", "1000")], issue_date=day("2026-02-20"))
    with books.begin() as s:
        # Undoing a VAT voucher of the settled term reverses it today, in an open term.
        with clock.pinned(day("2026-03-05")):
            entry = s.get(JournalEntry, fuel.id)
            assert entry is not None
            correct_entry(s, entry, user_id=sb.owner_id, channel="web", source="angre-1")
        reversal = s.scalars(select(JournalEntry).where(JournalEntry.reverses_id == fuel.id)).one()
        assert reversal.date == day("2026-03-05")
        # Closing the books (year end) still locks everything.
        close_period(s, cid, day("2026-03-31"))
    with pytest.raises(PeriodLocked), books.begin() as s:
        post(s, cid, "2026-03-20 7770 35 / 1920 -35")


# --- 7. a year of books agrees with itself ---------------------------------------------------


FOOD = ExpenseRule("matvarer", "4000", "11", False, "næringsmidler har 15 % mva", "food carries 15 % VAT")
TAXI = ExpenseRule("taxi", "7140", "13", False, "persontransport har 12 % mva", "passenger transport carries 12 % VAT")


@dataclass(frozen=True)
class YearOfBooks:
    company_id: int
    year: int
    reports: list[VatReport]
    settled: list[Decimal]


def _a_year_of_demo_like_books(books: sessionmaker[Session], year: int) -> YearOfBooks:
    """Every term: an invoice at 25, 15, 12 and 0 %, expenses at 25, 15, 12 % and without VAT,
    the term settled in order, then the customer's payment on its real date inside the
    settled term; in term 3 a credit note."""
    sb = sales_books(books)
    cid = sb.company_id
    after_year = dt.date(year + 1, 1, 15)
    settled = []
    with books.begin() as s:
        for term in terms_of_year(year):
            on = term.start + dt.timedelta(days=4)
            invoice = issue_invoice(
                s,
                cid,
                sb.fjord_id,
                [
                    SaleLine("Rådgivning", "7.5", "1111.11", vat_code="3"),
                    SaleLine("Lunsj", "3", "333.33", vat_code="31"),
                    SaleLine("Kinobilletter", "2", "777.77", vat_code="33"),
                    SaleLine("Eksport", "1", "2500", vat_code="5"),
                ],
                issue_date=on,
            )
            if term.number == 3:
                wrong = issue_invoice(s, cid, sb.fjord_id, [SaleLine("Feil", "1", "999.99")], issue_date=on)
                credit_invoice(s, cid, wrong.number, credit_date=on + dt.timedelta(days=1))
            register_expense(s, cid, "1999.99", "kontorrekvisita", on, "Clas Ohlson", None, "web")
            register_expense(s, cid, "345.67", FOOD, on, "Meny", None, "web")
            register_expense(s, cid, "456.78", TAXI, on, "Oslo Taxi", None, "web")
            register_expense(s, cid, "120", "parkering", on, "EasyPark", None, "web")
            settled.append(settle_vat_term(s, cid, term, today=after_year).amount)
            register_payment(s, cid, invoice.number, invoice.total, term.end - dt.timedelta(days=1))
        reports = [vat_report(s, cid, term) for term in terms_of_year(year)]
    return YearOfBooks(cid, year, reports, settled)


@pytest.mark.parametrize("year", [2026, 2021])
def test_a_year_of_books_agrees_to_the_ore(books: sessionmaker[Session], year: int) -> None:
    """Acceptance: the VAT report per term, the SAF-T file's tax sums and the trial balance
    of a year of demo-like books agree with each other to the øre (2021 crosses the change
    of the low rate from 6 to 12 %)."""
    made = _a_year_of_demo_like_books(books, year)
    with books.begin() as s:
        xml, _ = saft_file(s, made.company_id, year, created=dt.date(year + 1, 1, 15))
        tb = trial_balance(s, made.company_id, dt.date(year, 1, 1), dt.date(year, 12, 31))
    assert validate_saft(xml) == []
    closing = {row.account: row.closing for row in tb.rows}

    # The report per term: settled, only the return's codes, and each settlement its own term's VAT.
    assert all(r.settled for r in made.reports)
    assert all(line.code != "0" for r in made.reports for line in r.lines)
    assert made.settled == [r.to_pay for r in made.reports]

    # SAF-T: the TaxBase and tax amounts per code add up to the year's VAT return, per code.
    from_report: dict[str, tuple[Decimal, Decimal]] = {}
    for report in made.reports:
        for line in report.lines:
            base, vat = from_report.get(line.code, (Decimal(0), Decimal(0)))
            from_report[line.code] = (base + line.return_base, vat + line.return_vat)
    in_file = tax_totals(xml)
    assert {c: (t.base, t.vat) for c, t in in_file.items() if in_vat_return(c)} == from_report
    assert (in_file["0"].base, in_file["0"].vat) == (Decimal("-720.00"), Decimal("0.00"))  # 6 × parking 120

    # The trial balance: VAT accounts emptied into 2740, revenue and costs equal the bases.
    assert closing.get("2700", Decimal(0)) == 0 and closing.get("2710", Decimal(0)) == 0
    assert closing["2740"] == -sum((r.to_pay for r in made.reports), Decimal(0))
    assert closing["3000"] == -sum(from_report[c][0] for c in ("3", "31", "33"))
    assert closing["3100"] == -from_report["5"][0]
    assert closing["6800"] == -from_report["1"][0]
    assert closing["4000"] == -from_report["11"][0]
    assert closing["7140"] == -from_report["13"][0] - in_file["0"].base
    assert closing["1500"] == 0  # every invoice paid or credited
    assert tb.balanced

    # And the file's accounts close where the trial balance does.
    root = ET.fromstring(xml)
    saft_ns = {"s": "urn:StandardAuditFile-Taxation-Financial:NO"}
    for account in root.iterfind(".//s:GeneralLedgerAccounts/s:Account", saft_ns):
        number = account.findtext("s:AccountID", namespaces=saft_ns)
        debit = Decimal(account.findtext("s:ClosingDebitBalance", default="0", namespaces=saft_ns))
        credit = Decimal(account.findtext("s:ClosingCreditBalance", default="0", namespaces=saft_ns))
        assert debit - credit == closing[str(number)], number
    total_debit = root.findtext("s:GeneralLedgerEntries/s:TotalDebit", namespaces=saft_ns)
    assert Decimal(str(total_debit)) == tb.total_debit
    if year == 2021:  # the low rate's two rates in the file's tax table, by date
        table = {
            d.findtext("s:TaxCode", namespaces=saft_ns): d.findtext("s:TaxPercentage", namespaces=saft_ns)
            for d in root.iterfind(".//s:TaxCodeDetails", saft_ns)
        }
        assert table["33"] == "12" and table["33-6"] == "6" and table["13-6"] == "6"

