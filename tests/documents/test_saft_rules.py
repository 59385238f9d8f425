"""SAF-T rules an auditor checks: VAT information only on the lines that carry the base (so
the bases per code are the VAT return's), a code whose rate changed listed once per rate, and
equity turned negative by losses grouped as negative equity; the file stays schema-valid."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from lxml import etree

from ledger.documents.model import AccountRow, JournalEntryRow, JournalLineRow, TaxCodeRow
from ledger.documents.saft import SAFT_NS, TaxTotal, grouping_code_of, saft_xml, tax_totals, validate_saft

from .test_saft import export

NS = {"s": SAFT_NS}
D = Decimal


def line(account: str, amount: str, code: str | None = None, *, base: str | None = None,
         vat: str | None = None) -> JournalLineRow:
    """A line as the ledger exports it: a VAT line carries its base, a base line its VAT."""
    value = D(amount)
    return JournalLineRow(
        account=account,
        debit=value if value > 0 else D("0.00"),
        credit=-value if value < 0 else D("0.00"),
        vat_code=code,
        vat_base=D(base) if base else None,
        vat_amount=D(vat) if vat else None,
    )


def voucher(number: int, date: str, *lines: JournalLineRow) -> JournalEntryRow:
    day = dt.date.fromisoformat(date)
    return JournalEntryRow(
        voucher_number=number,
        date=day,
        description=f"Bilag {number}",
        created_at=dt.datetime.combine(day, dt.time(9, 30), tzinfo=dt.UTC),
        created_by="Kari Nordmann",
        channel="web",
        lines=lines,
    )


ENTRIES = (
    # An invoice 5 000 + 25 %, its partial credit note 1 000, fuel for a van 400 + 100, food 100 + 15.
    voucher(1, "2026-11-02", line("1500", "6250"), line("3000", "-5000", "3", vat="1250"),
            line("2700", "-1250", "3", base="5000")),
    voucher(2, "2026-11-20", line("3000", "1000", "3", vat="250"), line("2700", "250", "3", base="1000"),
            line("1500", "-1250")),
    voucher(3, "2026-11-15", line("7000", "400", "1", vat="100"), line("2710", "100", "1", base="400"),
            line("1920", "-500")),
    voucher(4, "2026-11-16", line("6300", "100", "11", vat="15"), line("2710", "15", "11", base="100"),
            line("1920", "-115")),
)


def parsed(xml: bytes) -> etree._Element:
    return etree.fromstring(xml)


def test_tax_information_only_on_the_lines_that_carry_the_base() -> None:
    xml = saft_xml(export(entries=ENTRIES))
    assert validate_saft(xml) == []
    root = parsed(xml)
    for tx_line in root.iterfind(".//s:Transaction/s:Line", NS):
        account = tx_line.findtext("s:AccountID", namespaces=NS)
        has_info = tx_line.find("s:TaxInformation", NS) is not None
        assert has_info == (account in ("3000", "7000", "6300")), account
    (revenue,) = [
        x for x in root.iterfind(".//s:Transaction/s:Line", NS)
        if x.findtext("s:AccountID", namespaces=NS) == "3000" and x.find("s:CreditAmount", NS) is not None
    ]
    assert revenue.findtext("s:TaxInformation/s:TaxBase", namespaces=NS) == "5000.00"
    assert revenue.findtext("s:TaxInformation/s:CreditTaxAmount/s:Amount", namespaces=NS) == "1250.00"


def test_tax_information_summed_per_code_is_the_vat_return() -> None:
    totals = tax_totals(saft_xml(export(entries=ENTRIES)))
    # Signed as the VAT return states them: output VAT positive, deductions negative.
    assert totals == {
        "3": TaxTotal(D("4000.00"), D("1000.00")),
        "1": TaxTotal(D("-400.00"), D("-100.00")),
        "11": TaxTotal(D("-100.00"), D("-15.00")),
    }


def test_a_code_whose_rate_changed_is_listed_once_per_rate() -> None:
    entries = (
        voucher(1, "2021-06-10", line("1500", "1060"), line("3000", "-1000", "33", vat="60"),
                line("2700", "-60", "33", base="1000")),
        voucher(2, "2021-11-10", line("1500", "1120"), line("3000", "-1000", "33", vat="120"),
                line("2700", "-120", "33", base="1000")),
    )
    codes = (
        TaxCodeRow("33", "33", D("6"), "Utgående mva, lav sats", valid_from=dt.date(2020, 4, 1),
                   valid_to=dt.date(2021, 9, 30)),
        TaxCodeRow("33", "33", D("12"), "Utgående mva, lav sats", valid_from=dt.date(2021, 10, 1)),
    )
    data = export(entries=entries, tax_codes=codes, fiscal_year=2021, period_start=dt.date(2021, 1, 1),
                  period_end=dt.date(2021, 12, 31))
    xml = saft_xml(data)
    assert validate_saft(xml) == []
    root = parsed(xml)
    table = {
        d.findtext("s:TaxCode", namespaces=NS): (
            d.findtext("s:TaxPercentage", namespaces=NS),
            d.findtext("s:StandardTaxCode", namespaces=NS),
            d.findtext("s:EffectiveDate", namespaces=NS),
            d.findtext("s:ExpirationDate", namespaces=NS),
        )
        for d in root.iterfind(".//s:TaxCodeDetails", NS)
    }
    assert table == {"33-6": ("6", "33", "2020-04-01", "2021-09-30"), "33": ("12", "33", "2021-10-01", None)}
    on_lines = [
        (i.findtext("s:TaxCode", namespaces=NS), i.findtext("s:TaxPercentage", namespaces=NS))
        for i in root.iterfind(".//s:TaxInformation", NS)
    ]
    assert on_lines == [("33-6", "6"), ("33", "12")]
    assert tax_totals(xml) == {"33": TaxTotal(D("2000.00"), D("180.00"))}


def _equity(closing: str) -> AccountRow:
    return AccountRow("2050", "Annen egenkapital", "Other equity", "2050", "equity", D("0.00"), D(closing),
                      grouping_category="egenkapital")


def test_the_result_account_is_negative_equity_when_the_year_ends_in_a_loss() -> None:
    assert grouping_code_of(_equity("-5000.00")) == "2050"  # a credit: positive equity
    assert grouping_code_of(_equity("5000.00")) == "2080"  # a debit after a loss: negative equity
    assert grouping_code_of(_equity("0.00")) == "2050"
    assert grouping_code_of(replace(_equity("-10.00"), grouping_code="2080")) == "2050"
    # A year that ends in a loss: closed to 2050 (8800 credit, 2050 debit).
    entries = (
        voucher(1, "2026-06-01", line("6300", "40000"), line("1920", "-40000")),
        voucher(2, "2026-12-31", line("2050", "40000"), line("8800", "-40000")),
    )
    base = export(entries=entries)
    accounts = (
        *[a for a in base.accounts if a.number not in ("2050", "6300", "1920")],
        AccountRow("1920", "Bankinnskudd", "Bank deposits", "1920", "asset", D("30000.00"), D("-10000.00"),
                   grouping_category="balanseverdiForOmloepsmiddel"),
        AccountRow("6300", "Leie lokaler", "Rent", "6300", "expense", D("0.00"), D("40000.00"),
                   grouping_category="annenDriftskostnad"),
        _equity("40000.00"),
        AccountRow("8800", "Årsresultat", "Profit for the year", "8800", "equity", D("0.00"), D("-40000.00"),
                   grouping_category="resultatDisponeringForSAF-T"),
    )
    xml = saft_xml(replace(base, accounts=accounts))
    assert validate_saft(xml) == []
    grouped = {
        a.findtext("s:AccountID", namespaces=NS): (
            a.findtext("s:GroupingCategory", namespaces=NS),
            a.findtext("s:GroupingCode", namespaces=NS),
        )
        for a in parsed(xml).iterfind(".//s:Account", NS)
    }
    assert grouped["2050"] == ("egenkapital", "2080")
    assert grouped["8800"] == ("resultatDisponeringForSAF-T", "8800")
