"""SAF-T Financial 1.30: the books of one company and period as the XML Skatteetaten reads.

Built from a :class:`~ledger.documents.model.SaftExportInput` alone: the header (company,
software, selection period), the master files (accounts with their grouping category and code
from the næringsspesifikasjon, customers, suppliers, the VAT codes with their standard codes)
and the general ledger entries with their totals. :func:`validate_saft` checks a file against
Skatteetaten's schema (``saft/Norwegian_SAF-T_Financial_Schema_v_1.30.xsd`` in the shared
data) and checks that its totals add up.

Version 1.30 has no StandardAccountID: accounts map to the business statement through
``GroupingCategory`` and ``GroupingCode`` only (``naeringsspesifikasjon.csv``). Equity that
carries the results is grouped by its sign: 2050 *Positiv egenkapital* while it is a credit,
2080 *Negativ egenkapital* when losses have made it a debit.

VAT: ``TaxInformation`` sits on the lines that carry the tax base (the revenue or cost line:
its amount is the base, its share of the entry's VAT the tax amount), never on the 2700/2710
lines that carry the VAT itself (the accounts grouped under 2740, *Oppgjørskonto
merverdiavgift*), so the bases summed per code are the VAT return's (:func:`tax_totals`). A
code whose rate changed during the period is listed once per rate: the latest rate under the
code itself, an earlier one as ``<code>-<rate>`` ("33-6"), both with the same standard code
and their dates, and each line names the one in force on its date.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from ledger.documents import shared_data
from ledger.documents.model import (
    CENT,
    ZERO,
    AccountRow,
    CounterpartyRow,
    JournalEntryRow,
    JournalLineRow,
    Party,
    SaftExportInput,
    TaxCodeRow,
)
from ledger.errors import LedgerError

SAFT_NS = "urn:StandardAuditFile-Taxation-Financial:NO"
AUDIT_FILE_VERSION = "1.30"
SCHEMA_FILE = "Norwegian_SAF-T_Financial_Schema_v_1.30.xsd"
_N = f"{{{SAFT_NS}}}"

# Text lengths of the schema's types (SAFcodeType ... SAFlongtextType).
CODE, SHORT, MIDDLE1, MIDDLE2, LONG = 9, 18, 35, 70, 256

VAT_GROUPING_CODE = "2740"
"""Oppgjørskonto merverdiavgift: the grouping of the accounts that hold VAT (2700, 2710, 2740)."""

GROUPING_WHEN_DEBIT = {"2050": "2080"}
"""Næringsspesifikasjon codes that depend on the balance's sign: positive equity (a credit)
and negative equity (a debit), by the code used while the balance is a credit."""
GROUPING_WHEN_CREDIT = {debit: credit for credit, debit in GROUPING_WHEN_DEBIT.items()}


class SaftExportRefused(LedgerError):
    """The input cannot make a valid SAF-T file (an unknown grouping code or VAT code)."""

    code = "saft_export_refused"


@dataclass(frozen=True)
class GroupingCode:
    """One row of the næringsspesifikasjon: a grouping code ("1920") and its category
    ("balanseverdiForOmloepsmiddel")."""

    category: str
    code: str


@dataclass(frozen=True)
class StandardTaxCode:
    """One row of Skatteetaten's standard VAT codes (``Standard_Tax_Codes.csv``).

    Attributes:
      code: e.g. "3".
      description_nb: e.g. "Utgående merverdiavgift"; the file's description of a code the
        books give none for.
      rate_kind: "Regular rate", "Reduced rate, middle", "Zero rate" or "".
    """

    code: str
    description_nb: str
    rate_kind: str


def _csv_rows(name: str) -> list[dict[str, str]]:
    text = (shared_data.saft_dir() / name).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(text.splitlines(), delimiter=";"))


@functools.cache
def grouping_codes() -> dict[str, GroupingCode]:
    """The næringsspesifikasjon grouping codes of SAF-T 1.30, by code."""
    return {
        row["GroupingCode"]: GroupingCode(row["GroupingCategory"], row["GroupingCode"])
        for row in _csv_rows("naeringsspesifikasjon.csv")
    }


@functools.cache
def standard_tax_codes() -> dict[str, StandardTaxCode]:
    """Skatteetaten's standard VAT codes, by code."""
    return {
        row["Code"]: StandardTaxCode(row["Code"], row["DescriptionNOB"], row["TaxRate"])
        for row in _csv_rows("Standard_Tax_Codes.csv")
    }


# --------------------------------------------------------------------------------------------
# Building


def build_saft(data: SaftExportInput) -> etree._Element:
    """The ``AuditFile`` element of ``data``; raises :class:`SaftExportRefused` on bad codes."""
    root = etree.Element(_N + "AuditFile", nsmap={None: SAFT_NS})  # type: ignore[dict-item]
    _header(root, data)
    _master_files(root, data)
    _entries(root, data)
    return root


def saft_xml(data: SaftExportInput) -> bytes:
    """The SAF-T file of ``data`` as UTF-8 XML bytes with an XML declaration."""
    return etree.tostring(build_saft(data), xml_declaration=True, encoding="UTF-8", pretty_print=True)


def saft_filename(data: SaftExportInput, serial: int = 1) -> str:
    """Skatteetaten's file name: ``SAF-T Financial_<orgnr>_<yyyymmddhhmmss>_<serial>_<total>.xml``."""
    stamp = dt.datetime.combine(data.created, dt.time()).strftime("%Y%m%d%H%M%S")
    return f"SAF-T Financial_{data.company.orgnr}_{stamp}_{serial}_{serial}.xml"


def _text(parent: etree._Element, name: str, value: str, limit: int = LONG) -> etree._Element:
    el = etree.SubElement(parent, _N + name)
    el.text = value[:limit]
    return el


def _money(value: Decimal) -> str:
    return str(value.quantize(CENT))


def _rate(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if text not in ("", "-0") else "0"


def _split_name(name: str) -> tuple[str, str]:
    """First and last name of a contact person; one word serves as both."""
    words = name.split()
    if not words:
        return "-", "-"
    if len(words) == 1:
        return words[0], words[0]
    return " ".join(words[:-1]), words[-1]


def _address(parent: etree._Element, party: Party, address_type: str | None = None) -> None:
    address = etree.SubElement(parent, _N + "Address")
    lines = [line for line in party.address_lines if line.strip()]
    if lines:
        _text(address, "StreetName", lines[0])
    if len(lines) > 1:
        _text(address, "AdditionalAddressDetail", ", ".join(lines[1:]))
    if party.city:
        _text(address, "City", party.city)
    if party.postcode:
        _text(address, "PostalCode", party.postcode, MIDDLE2)
    _text(address, "Country", party.country, 2)
    if address_type:
        _text(address, "AddressType", address_type)


def _contact(parent: etree._Element, name: str, party: Party) -> None:
    contact = etree.SubElement(parent, _N + "Contact")
    person = etree.SubElement(contact, _N + "ContactPerson")
    first, last = _split_name(name)
    _text(person, "FirstName", first, MIDDLE1)
    _text(person, "LastName", last, MIDDLE2)
    if party.phone:
        _text(contact, "Telephone", party.phone, SHORT)
    if party.email:
        _text(contact, "Email", party.email, MIDDLE2)


def _tax_registration(parent: etree._Element, party: Party) -> None:
    if not (party.vat_registered and party.orgnr):
        return
    registration = etree.SubElement(parent, _N + "TaxRegistration")
    _text(registration, "TaxRegistrationNumber", f"{party.orgnr}MVA", MIDDLE1)
    _text(registration, "TaxType", "MVA", CODE)
    _text(registration, "TaxNumber", f"{party.orgnr}MVA", MIDDLE1)
    _text(registration, "TaxAuthority", "Skatteetaten", MIDDLE1)


def _header(root: etree._Element, data: SaftExportInput) -> None:
    company = data.company
    if not company.orgnr:
        raise SaftExportRefused("SAF-T needs the company's organisation number")
    header = etree.SubElement(root, _N + "Header")
    _text(header, "AuditFileVersion", AUDIT_FILE_VERSION, CODE)
    _text(header, "AuditFileCountry", "NO", 2)
    _text(header, "AuditFileDateCreated", data.created.isoformat())
    _text(header, "SoftwareCompanyName", data.software_company, MIDDLE2)
    _text(header, "SoftwareID", data.software_name)
    _text(header, "SoftwareVersion", data.software_version, SHORT)
    el = etree.SubElement(header, _N + "Company")
    _text(el, "RegistrationNumber", company.orgnr, MIDDLE1)
    _text(el, "Name", company.name)
    _address(el, company, "StreetAddress")
    _contact(el, company.contact_name or data.user_id or company.name, company)
    _tax_registration(el, company)
    if company.bank_account:
        bank = etree.SubElement(el, _N + "BankAccount")
        _text(bank, "BankAccountNumber", company.bank_account, MIDDLE1)
        _text(bank, "GeneralLedgerAccountID", "1920", MIDDLE2)
    _text(header, "DefaultCurrencyCode", "NOK", 3)
    criteria = etree.SubElement(header, _N + "SelectionCriteria")
    _text(criteria, "SelectionStartDate", data.period_start.isoformat())
    _text(criteria, "SelectionEndDate", data.period_end.isoformat())
    _text(header, "TaxAccountingBasis", "A")
    if data.user_id:
        _text(header, "UserID", data.user_id)


def _balance(parent: etree._Element, when: str, amount: Decimal) -> None:
    """Opening/Closing Debit/CreditBalance: a debit balance as debit, a credit one as credit."""
    side = "Debit" if amount >= 0 else "Credit"
    _text(parent, f"{when}{side}Balance", _money(abs(amount)))


def grouping_code_of(account: AccountRow) -> str:
    """The account's grouping code for its closing balance: other equity (2050) that losses
    have turned into a debit is negative equity (2080), and back."""
    if account.closing_balance > 0:
        return GROUPING_WHEN_DEBIT.get(account.grouping_code, account.grouping_code)
    if account.closing_balance < 0:
        return GROUPING_WHEN_CREDIT.get(account.grouping_code, account.grouping_code)
    return account.grouping_code


def _account(parent: etree._Element, account: AccountRow) -> None:
    code = grouping_codes().get(grouping_code_of(account))
    if code is None:
        raise SaftExportRefused(
            f"account {account.number}: {account.grouping_code!r} is not a SAF-T 1.30 grouping code",
            account=account.number,
            grouping_code=account.grouping_code,
        )
    if account.grouping_category and account.grouping_category != code.category:
        raise SaftExportRefused(
            f"account {account.number}: grouping code {code.code} belongs to {code.category}, "
            f"not {account.grouping_category}",
            account=account.number,
        )
    el = etree.SubElement(parent, _N + "Account")
    _text(el, "AccountID", account.number, MIDDLE2)
    _text(el, "AccountDescription", account.name_nb)
    _text(el, "GroupingCategory", code.category)
    _text(el, "GroupingCode", code.code, MIDDLE1)
    _text(el, "AccountType", "GL")
    _balance(el, "Opening", account.opening_balance)
    _balance(el, "Closing", account.closing_balance)


def _counterparty(parent: etree._Element, tag: str, row: CounterpartyRow) -> None:
    party = row.party
    el = etree.SubElement(parent, _N + tag)
    if party.orgnr:
        _text(el, "RegistrationNumber", party.orgnr, MIDDLE1)
    _text(el, "Name", party.name)
    _address(el, party)
    if party.contact_name:
        _contact(el, party.contact_name, party)
    _tax_registration(el, party)
    _text(el, tag + "ID", row.number, MIDDLE1)
    balance = etree.SubElement(el, _N + "BalanceAccount")
    _text(balance, "AccountID", row.account, MIDDLE2)
    _balance(balance, "Opening", row.opening_balance)
    _balance(balance, "Closing", row.closing_balance)


@dataclass(frozen=True)
class _TableCode:
    """A row of the tax table as the file names it."""

    tax_code: str
    row: TaxCodeRow


def _table_codes(data: SaftExportInput) -> list[_TableCode]:
    """The tax table's rows, each with the TaxCode the file gives it: the code itself for its
    latest rate, ``<code>-<rate>`` for an earlier one; a code used on a line but not listed
    gets a row of its own without a rate."""
    by_code: dict[str, list[TaxCodeRow]] = {}
    for row in data.tax_codes:
        by_code.setdefault(row.code, []).append(row)
    used = {line.vat_code for entry in data.entries for line in entry.lines if line.vat_code}
    standard = standard_tax_codes()
    for code in used - by_code.keys():
        if code not in standard:
            raise SaftExportRefused(f"VAT code {code!r} is not a SAF-T standard tax code", vat_code=code)
        by_code[code] = [TaxCodeRow(code, code, None)]
    found: list[_TableCode] = []
    for code in sorted(by_code, key=_code_order):
        rows = sorted(by_code[code], key=lambda r: r.valid_from or dt.date.min)
        names: set[str] = set()
        for i, row in enumerate(rows):
            name = code
            if i < len(rows) - 1:
                name = f"{code}-{_rate(row.rate)}" if row.rate is not None else code
                if name in names or name == code:
                    name = f"{code}-{(row.valid_from or dt.date.min).isoformat()}"
            names.add(name)
            found.append(_TableCode(name, row))
    return found


def _tax_code_on(table: list[_TableCode], code: str, day: dt.date) -> _TableCode:
    """The table row a line of `code` dated `day` refers to (the latest one when none is in
    force that day)."""
    rows = [t for t in table if t.row.code == code]
    return next((t for t in rows if t.row.in_force_on(day)), rows[-1])


def _tax_table(parent: etree._Element, table: list[_TableCode]) -> None:
    if not table:
        return
    standard = standard_tax_codes()
    element = etree.SubElement(parent, _N + "TaxTable")
    entry = etree.SubElement(element, _N + "TaxTableEntry")
    _text(entry, "TaxType", "MVA", CODE)
    _text(entry, "Description", "Merverdiavgift")
    for named in table:
        row = named.row
        if row.standard_code not in standard:
            raise SaftExportRefused(
                f"VAT code {row.code!r}: {row.standard_code!r} is not a SAF-T standard tax code",
                vat_code=row.code,
            )
        details = etree.SubElement(entry, _N + "TaxCodeDetails")
        _text(details, "TaxCode", named.tax_code, MIDDLE2)
        if row.valid_from is not None:
            _text(details, "EffectiveDate", row.valid_from.isoformat())
        if row.valid_to is not None:
            _text(details, "ExpirationDate", row.valid_to.isoformat())
        _text(details, "Description", row.description or standard[row.standard_code].description_nb)
        if row.rate is not None:
            _text(details, "TaxPercentage", _rate(row.rate))
        _text(details, "Country", "NO", 2)
        _text(details, "StandardTaxCode", row.standard_code, 2)
        _text(details, "BaseRate", _rate(row.base_rate))


def _code_order(code: str) -> tuple[int, str]:
    return (int(code) if code.isdigit() else 1000, code)


def _master_files(root: etree._Element, data: SaftExportInput) -> None:
    master = etree.SubElement(root, _N + "MasterFiles")
    if data.accounts:
        accounts = etree.SubElement(master, _N + "GeneralLedgerAccounts")
        for account in sorted(data.accounts, key=lambda a: a.number):
            _account(accounts, account)
    for tag, rows in (("Customer", data.customers), ("Supplier", data.suppliers)):
        if rows:
            group = etree.SubElement(master, _N + tag + "s")
            for row in rows:
                _counterparty(group, tag, row)
    _tax_table(master, _table_codes(data))


def _tax_information(parent: etree._Element, line: JournalLineRow, table_code: _TableCode) -> None:
    assert line.vat_code
    info = etree.SubElement(parent, _N + "TaxInformation")
    _text(info, "TaxType", "MVA", CODE)
    _text(info, "TaxCode", table_code.tax_code, MIDDLE2)
    if table_code.row.rate is not None:
        _text(info, "TaxPercentage", _rate(table_code.row.rate))
    _text(info, "Country", "NO", 2)
    base = line.vat_base if line.vat_base is not None else abs(line.amount)
    _text(info, "TaxBase", _money(base))
    side = "DebitTaxAmount" if line.debit > 0 else "CreditTaxAmount"
    _text(etree.SubElement(info, _N + side), "Amount", _money(line.vat_amount or ZERO))


@dataclass(frozen=True)
class _LineContext:
    """What a line needs from the rest of the file: the tax table and the VAT accounts."""

    table: list[_TableCode]
    vat_accounts: frozenset[str]


def _line(parent: etree._Element, record: int, line: JournalLineRow, entry: JournalEntryRow, ctx: _LineContext) -> None:
    if (line.debit > 0) == (line.credit > 0) or line.debit < 0 or line.credit < 0:
        raise SaftExportRefused(
            f"voucher {entry.voucher_number}: a line must be either a debit or a credit",
            voucher=entry.voucher_number,
        )
    el = etree.SubElement(parent, _N + "Line")
    _text(el, "RecordID", str(record), SHORT)
    _text(el, "AccountID", line.account, MIDDLE2)
    if line.customer_id:
        _text(el, "CustomerID", line.customer_id, MIDDLE1)
    if line.supplier_id:
        _text(el, "SupplierID", line.supplier_id, MIDDLE1)
    _text(el, "Description", line.description or entry.description or "-")
    side = "DebitAmount" if line.debit > 0 else "CreditAmount"
    _text(etree.SubElement(el, _N + side), "Amount", _money(line.debit if line.debit > 0 else line.credit))
    if line.vat_code and line.account not in ctx.vat_accounts:
        _tax_information(el, line, _tax_code_on(ctx.table, line.vat_code, entry.date))
    _text(el, "SystemEntryTime", entry.created_at.replace(microsecond=0).isoformat())


def _entries(root: etree._Element, data: SaftExportInput) -> None:
    ctx = _LineContext(
        _table_codes(data),
        frozenset(a.number for a in data.accounts if a.grouping_code == VAT_GROUPING_CODE),
    )
    lines = [line for entry in data.entries for line in entry.lines]
    ledger = etree.SubElement(root, _N + "GeneralLedgerEntries")
    _text(ledger, "NumberOfEntries", str(len(data.entries)))
    _text(ledger, "TotalDebit", _money(sum((line.debit for line in lines), ZERO)))
    _text(ledger, "TotalCredit", _money(sum((line.credit for line in lines), ZERO)))
    if not data.entries:
        return
    journal = etree.SubElement(ledger, _N + "Journal")
    _text(journal, "JournalID", "GL", SHORT)
    _text(journal, "Description", "Hovedbok")
    _text(journal, "Type", "GL", CODE)
    for entry in sorted(data.entries, key=lambda e: (e.date.year, e.voucher_number)):
        debit = sum((line.debit for line in entry.lines), ZERO)
        credit = sum((line.credit for line in entry.lines), ZERO)
        if debit != credit:
            raise SaftExportRefused(
                f"voucher {entry.voucher_number} does not balance ({debit} against {credit})",
                voucher=entry.voucher_number,
            )
        tx = etree.SubElement(journal, _N + "Transaction")
        _text(tx, "TransactionID", f"{entry.date.year}-{entry.voucher_number}", MIDDLE2)
        _text(tx, "Period", str(entry.date.month))
        _text(tx, "PeriodYear", str(entry.date.year))
        _text(tx, "TransactionDate", entry.date.isoformat())
        if entry.created_by:
            _text(tx, "SourceID", entry.created_by, MIDDLE1)
        if entry.source:
            _text(tx, "VoucherDescription", entry.source, MIDDLE2)
        _text(tx, "Description", entry.description or "-")
        _text(tx, "BatchID", entry.channel, MIDDLE1)
        _text(tx, "SystemEntryDate", entry.created_at.date().isoformat())
        _text(tx, "GLPostingDate", entry.date.isoformat())
        for record, line in enumerate(entry.lines, start=1):
            _line(tx, record, line, entry, ctx)


# --------------------------------------------------------------------------------------------
# Checking


@functools.cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(shared_data.saft_dir() / SCHEMA_FILE)))


def validate_saft(xml: bytes) -> list[str]:
    """What is wrong with a SAF-T Financial 1.30 file; an empty list when nothing is.

    Checks it against Skatteetaten's schema, then that NumberOfEntries, TotalDebit and
    TotalCredit equal what the transactions hold and that each transaction balances.
    """
    try:
        doc = etree.fromstring(xml)
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    schema = _schema()
    errors: list[str] = []
    if not schema.validate(doc):
        log: Iterable[Any] = schema.error_log  # type: ignore[assignment]
        errors = [f"line {e.line}: {e.message}" for e in log]
    return errors + _total_errors(doc)


def _decimals(elements: Iterable[etree._Element | str | None]) -> Decimal:
    total = ZERO
    for el in elements:
        text = el if isinstance(el, str) or el is None else el.text
        with contextlib.suppress(InvalidOperation):  # the schema check reports bad numbers
            total += Decimal((text or "0").strip())
    return total


def _total_errors(doc: etree._Element) -> list[str]:
    ns = {"s": SAFT_NS}
    ledger = doc.find("s:GeneralLedgerEntries", ns)
    if ledger is None:
        return []
    errors = []
    transactions = ledger.findall("s:Journal/s:Transaction", ns)
    stated = ledger.findtext("s:NumberOfEntries", default="", namespaces=ns).strip()
    if stated != str(len(transactions)):
        errors.append(f"NumberOfEntries is {stated or 'missing'}, but there are {len(transactions)} transactions")
    for side in ("Debit", "Credit"):
        summed = _decimals(ledger.iterfind(f"s:Journal/s:Transaction/s:Line/s:{side}Amount/s:Amount", ns))
        stated_total = _decimals([ledger.findtext(f"s:Total{side}", namespaces=ns)])
        if summed != stated_total:
            errors.append(f"Total{side} is {stated_total}, but the lines add up to {summed}")
    for tx in transactions:
        debit = _decimals(tx.iterfind("s:Line/s:DebitAmount/s:Amount", ns))
        credit = _decimals(tx.iterfind("s:Line/s:CreditAmount/s:Amount", ns))
        if debit != credit:
            tx_id = tx.findtext("s:TransactionID", namespaces=ns)
            errors.append(f"transaction {tx_id} does not balance: debit {debit}, credit {credit}")
    return errors


@dataclass(frozen=True)
class TaxTotal:
    """What a SAF-T file's lines say about one standard VAT code, signed as the VAT return
    states it (credits positive: output VAT and its base positive, deductible input VAT and
    its base negative).

    Attributes:
      base: the TaxBase of its lines, each signed by the side of its line.
      vat: its Credit- minus its DebitTaxAmount.
    """

    base: Decimal
    vat: Decimal


def tax_totals(xml: bytes) -> dict[str, TaxTotal]:
    """Per standard VAT code, the bases and VAT of a SAF-T file's lines (a table code such as
    "33-6" counts under its standard code, 33)."""
    ns = {"s": SAFT_NS}
    doc = etree.fromstring(xml)
    standard = {
        d.findtext("s:TaxCode", namespaces=ns): d.findtext("s:StandardTaxCode", namespaces=ns)
        for d in doc.iterfind("s:MasterFiles/s:TaxTable/s:TaxTableEntry/s:TaxCodeDetails", ns)
    }
    bases: dict[str, Decimal] = {}
    vats: dict[str, Decimal] = {}
    for line in doc.iterfind("s:GeneralLedgerEntries/s:Journal/s:Transaction/s:Line", ns):
        sign = 1 if line.find("s:CreditAmount", ns) is not None else -1
        for info in line.iterfind("s:TaxInformation", ns):
            tax_code = info.findtext("s:TaxCode", default="", namespaces=ns)
            code = standard.get(tax_code) or tax_code
            bases[code] = bases.get(code, ZERO) + sign * _decimals([info.findtext("s:TaxBase", namespaces=ns)])
            vat = _decimals(info.iterfind("s:CreditTaxAmount/s:Amount", ns)) - _decimals(
                info.iterfind("s:DebitTaxAmount/s:Amount", ns)
            )
            vats[code] = vats.get(code, ZERO) + vat
    return {code: TaxTotal(bases[code].quantize(CENT), vats[code].quantize(CENT)) for code in bases}
