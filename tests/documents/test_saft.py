"""The SAF-T Financial 1.30 export is valid against Skatteetaten's schema and adds up."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal

import pytest
from lxml import etree

from ledger.documents.model import (
    AccountRow,
    CustomerRow,
    JournalEntryRow,
    SaftExportInput,
    SupplierRow,
    TaxCodeRow,
)
from ledger.documents.saft import (
    SAFT_NS,
    SaftExportRefused,
    build_saft,
    grouping_codes,
    saft_filename,
    saft_xml,
    standard_tax_codes,
    validate_saft,
)

from .builders import BUYER, SELLER_AS, SELLER_NOT_VAT_REGISTERED, entry

NS = {"s": SAFT_NS}

CHART = [
    ("1500", "Kundefordringer", "Accounts receivable", "1500", "asset"),
    ("1920", "Bankinnskudd", "Bank deposits", "1920", "asset"),
    ("2000", "Aksjekapital", "Share capital", "2000", "equity"),
    ("2400", "Leverandørgjeld", "Accounts payable", "2400", "liability"),
    ("2700", "Utgående merverdiavgift", "Output VAT", "2740", "liability"),
    ("2710", "Inngående merverdiavgift", "Input VAT", "2740", "liability"),
    ("3000", "Salgsinntekt, avgiftspliktig", "Sales revenue, VAT liable", "3000", "income"),
    ("6300", "Leie lokaler", "Rent", "6300", "expense"),
    ("7000", "Drivstoff", "Fuel", "7000", "expense"),
]
OPENING = {"1920": Decimal("30000.00"), "2000": Decimal("-30000.00")}
ENTRIES = (
    entry("2026-11-02 1500 6250 / 3000 -5000 @3 / 2700 -1250", "Faktura 10023 Havbris", 1, customer="10001"),
    entry("2026-11-14 1920 6250 / 1500 -6250", "Innbetaling faktura 10023", 2, customer="10001"),
    entry("2026-11-15 7000 400 @1 / 2710 100 / 1920 -500", "Drivstoff varebil", 3),
    entry("2026-11-30 6300 12000.55 / 2400 -12000.55", "Husleie desember", 4),
    entry("2026-12-01 1500 1234.57 / 3000 -987.66 @3 / 2700 -246.91", "Faktura 10024 Havbris", 5, customer="10001"),
)


def closing_balances(entries: tuple[JournalEntryRow, ...]) -> dict[str, Decimal]:
    balances: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"), OPENING)
    for e in entries:
        for line in e.lines:
            balances[line.account] += line.amount
    return balances


def export(entries: tuple[JournalEntryRow, ...] = ENTRIES, **changes: object) -> SaftExportInput:
    closing = closing_balances(entries)
    data = SaftExportInput(
        company=SELLER_AS,
        fiscal_year=2026,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        accounts=tuple(
            AccountRow(number, nb, en, code, kind, OPENING.get(number, Decimal("0.00")), closing[number])  # type: ignore[arg-type]
            for number, nb, en, code, kind in CHART
        ),
        entries=entries,
        customers=(CustomerRow("10001", BUYER, "1500", Decimal("0.00"), closing["1500"]),),
        suppliers=(SupplierRow("20001", replace(SELLER_NOT_VAT_REGISTERED, contact_name="Kari Hansen")),),
        tax_codes=(
            TaxCodeRow("3", "3", Decimal("25"), "Utgående mva, alminnelig sats"),
            TaxCodeRow("1", "1", Decimal("25"), "Inngående mva, alminnelig sats"),
        ),
        created=dt.date(2027, 1, 15),
        user_id="Kari Nordmann",
    )
    return replace(data, **changes)  # type: ignore[arg-type]


def parsed(data: SaftExportInput) -> etree._Element:
    return etree.fromstring(saft_xml(data))


def test_the_export_is_valid_against_the_schema() -> None:
    assert validate_saft(saft_xml(export())) == []


def test_the_totals_equal_the_sum_of_the_lines() -> None:
    root = parsed(export())
    ledger = root.find("s:GeneralLedgerEntries", NS)
    assert ledger is not None
    debits = [Decimal(str(v)) for v in ledger.xpath(".//s:DebitAmount/s:Amount/text()", namespaces=NS)]
    credits = [Decimal(str(v)) for v in ledger.xpath(".//s:CreditAmount/s:Amount/text()", namespaces=NS)]
    assert ledger.findtext("s:NumberOfEntries", namespaces=NS) == "5"
    assert ledger.findtext("s:TotalDebit", namespaces=NS) == str(sum(debits)) == "26235.12"
    assert ledger.findtext("s:TotalCredit", namespaces=NS) == str(sum(credits)) == "26235.12"


def test_accounts_carry_grouping_category_and_code_and_signed_balances() -> None:
    root = parsed(export())
    accounts = {a.findtext("s:AccountID", namespaces=NS): a for a in root.iterfind(".//s:Account", NS)}
    bank = accounts["1920"]
    assert bank.findtext("s:GroupingCategory", namespaces=NS) == "balanseverdiForOmloepsmiddel"
    assert bank.findtext("s:GroupingCode", namespaces=NS) == "1920"
    assert bank.findtext("s:OpeningDebitBalance", namespaces=NS) == "30000.00"
    assert bank.findtext("s:ClosingDebitBalance", namespaces=NS) == "35750.00"
    output_vat = accounts["2700"]
    assert output_vat.findtext("s:GroupingCategory", namespaces=NS) == "kortsiktigGjeld"
    assert output_vat.findtext("s:OpeningDebitBalance", namespaces=NS) == "0.00"
    assert output_vat.findtext("s:ClosingCreditBalance", namespaces=NS) == "1496.91"
    assert accounts["2000"].findtext("s:OpeningCreditBalance", namespaces=NS) == "30000.00"


def test_header_names_the_company_software_period_and_vat_registration() -> None:
    header = parsed(export()).find("s:Header", NS)
    assert header is not None
    assert header.findtext("s:AuditFileVersion", namespaces=NS) == "1.30"
    assert header.findtext("s:AuditFileCountry", namespaces=NS) == "NO"
    assert header.findtext("s:SoftwareID", namespaces=NS) == "Bokbot"
    assert header.findtext("s:Company/s:RegistrationNumber", namespaces=NS) == "923609016"
    assert header.findtext("s:Company/s:Contact/s:ContactPerson/s:LastName", namespaces=NS) == "Nordmann"
    assert header.findtext("s:Company/s:TaxRegistration/s:TaxRegistrationNumber", namespaces=NS) == "923609016MVA"
    assert header.findtext("s:DefaultCurrencyCode", namespaces=NS) == "NOK"
    assert header.findtext("s:SelectionCriteria/s:SelectionStartDate", namespaces=NS) == "2026-01-01"
    assert header.findtext("s:SelectionCriteria/s:SelectionEndDate", namespaces=NS) == "2026-12-31"
    assert header.findtext("s:TaxAccountingBasis", namespaces=NS) == "A"


def test_a_company_not_registered_for_vat_has_no_tax_registration() -> None:
    data = export(company=replace(SELLER_NOT_VAT_REGISTERED, contact_name="Kari Hansen"))
    root = parsed(data)
    assert root.find("s:Header/s:Company/s:TaxRegistration", NS) is None
    assert validate_saft(saft_xml(data)) == []


def test_tax_table_uses_standard_codes_and_adds_codes_used_but_not_listed() -> None:
    data = export(tax_codes=(TaxCodeRow("3", "3", Decimal("25")),))
    root = parsed(data)
    details = {d.findtext("s:TaxCode", namespaces=NS): d for d in root.iterfind(".//s:TaxCodeDetails", NS)}
    assert sorted(details) == ["1", "3"]
    assert details["3"].findtext("s:StandardTaxCode", namespaces=NS) == "3"
    assert details["3"].findtext("s:TaxPercentage", namespaces=NS) == "25"
    assert details["3"].findtext("s:Description", namespaces=NS) == "Utgående merverdiavgift"
    assert details["1"].find("s:TaxPercentage", NS) is None
    assert validate_saft(saft_xml(data)) == []


def test_lines_carry_vat_code_customer_and_who_posted() -> None:
    root = parsed(export())
    (tx,) = [
        t for t in root.iterfind(".//s:Transaction", NS) if t.findtext("s:TransactionID", namespaces=NS) == "2026-1"
    ]
    assert tx.findtext("s:Period", namespaces=NS) == "11"
    assert tx.findtext("s:SourceID", namespaces=NS) == "Kari Nordmann"
    assert tx.findtext("s:BatchID", namespaces=NS) == "telegram"
    receivable, revenue, _vat = tx.findall("s:Line", NS)
    assert receivable.findtext("s:CustomerID", namespaces=NS) == "10001"
    assert revenue.findtext("s:TaxInformation/s:TaxCode", namespaces=NS) == "3"
    assert revenue.findtext("s:TaxInformation/s:TaxBase", namespaces=NS) == "5000.00"


def test_a_file_with_wrong_totals_fails() -> None:
    root = parsed(export())
    total = root.find("s:GeneralLedgerEntries/s:TotalDebit", NS)
    assert total is not None
    total.text = "26235.13"
    errors = validate_saft(etree.tostring(root))
    assert errors == ["TotalDebit is 26235.13, but the lines add up to 26235.12"]


def test_a_file_missing_a_grouping_code_fails_the_schema() -> None:
    root = parsed(export())
    code = root.find(".//s:Account/s:GroupingCode", NS)
    assert code is not None
    code.getparent().remove(code)  # type: ignore[union-attr]
    errors = validate_saft(etree.tostring(root))
    assert len(errors) == 1 and "GroupingCode" in errors[0] and errors[0].startswith("line ")


def test_a_file_with_an_unbalanced_transaction_fails() -> None:
    root = parsed(export())
    amount = root.find(".//s:Transaction/s:Line/s:DebitAmount/s:Amount", NS)
    assert amount is not None
    amount.text = "6250.01"
    errors = validate_saft(etree.tostring(root))
    assert "transaction 2026-1 does not balance: debit 6250.01, credit 6250.00" in errors


def test_not_xml_at_all_is_reported() -> None:
    assert validate_saft(b"<AuditFile")[0].startswith("not well-formed XML")


def test_an_unknown_grouping_code_is_refused() -> None:
    data = export()
    bad = replace(data.accounts[0], grouping_code="9999")
    with pytest.raises(SaftExportRefused, match="9999"):
        build_saft(replace(data, accounts=(bad, *data.accounts[1:])))


def test_a_grouping_category_that_contradicts_the_code_is_refused() -> None:
    data = export()
    bad = replace(data.accounts[0], grouping_category="salgsinntekt")
    with pytest.raises(SaftExportRefused, match="balanseverdiForOmloepsmiddel"):
        build_saft(replace(data, accounts=(bad, *data.accounts[1:])))


def test_an_unbalanced_entry_is_refused() -> None:
    with pytest.raises(SaftExportRefused, match="does not balance"):
        build_saft(export(entries=(entry("2026-11-02 1920 100 / 3000 -99"),)))


def test_an_empty_year_is_still_a_valid_file() -> None:
    data = export(entries=())
    assert validate_saft(saft_xml(data)) == []
    assert parsed(data).findtext("s:GeneralLedgerEntries/s:NumberOfEntries", namespaces=NS) == "0"


def test_code_lists_come_from_the_official_files() -> None:
    assert grouping_codes()["3000"].category == "salgsinntekt"
    assert standard_tax_codes()["31"].rate_kind == "Reduced rate, middle"
    assert saft_filename(export()) == "SAF-T Financial_923609016_20270115000000_1_1.xml"
