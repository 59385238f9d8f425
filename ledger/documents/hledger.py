"""The books as a plain-text journal that both hledger and ledger-cli read.

One transaction per journal entry, dated ``YYYY-MM-DD``, cleared (``*``), with the voucher
number as its code and who posted it and through which channel as tags::

    commodity NOK
        format 1000.00 NOK

    2026-11-02 * (1) Faktura 10023 Havbris
        ; channel: telegram
        ; by: Kari Nordmann
        Eiendeler:1500 Kundefordringer                6250.00 NOK
        Inntekter:3000 Salgsinntekt, avgiftspliktig  -5000.00 NOK  ; vat: 3
        Gjeld:2700 Utgående merverdiavgift           -1250.00 NOK

Amounts are written in full with two decimals and the commodity after the number, which both
programs read exactly (no rounding, no thousands separators); every posting carries its
amount. Account names are the account's class, then its number and name, so reports group by
class and sort by number; the English class names (Assets, Liabilities, Equity, Income,
Expenses) are the ones hledger recognises for its balance sheet and income statement.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from ledger import clock
from ledger.documents.model import CENT, ZERO, AccountKind, AccountRow, JournalEntryRow, Language
from ledger.errors import LedgerError

COMMODITY = "NOK"

CLASS_NAMES: dict[Language, dict[AccountKind, str]] = {
    "nb": {
        "asset": "Eiendeler",
        "liability": "Gjeld",
        "equity": "Egenkapital",
        "income": "Inntekter",
        "expense": "Kostnader",
    },
    "en": {
        "asset": "Assets",
        "liability": "Liabilities",
        "equity": "Equity",
        "income": "Income",
        "expense": "Expenses",
    },
}

OPENING_TITLE: dict[Language, str] = {"nb": "Inngående balanse", "en": "Opening balances"}


class JournalExportRefused(LedgerError):
    """The entries cannot be written as a journal (an entry or the openings do not balance)."""

    code = "journal_export_refused"


def kind_of(number: str) -> AccountKind:
    """The class of an NS 4102 account number, for accounts the chart does not list."""
    first = number[:1]
    if first == "1":
        return "asset"
    if first == "2":
        return "equity" if number[:2] == "20" else "liability"
    if first == "3" or number[:2] in ("80", "84"):
        return "income"
    return "expense"


def _clean(text: str) -> str:
    """Text safe on one journal line: no line breaks, comment marks or double spaces."""
    text = text.replace(";", ",").replace("\t", " ")
    return re.sub(r"\s+", " ", text).strip()


def account_name(number: str, name: str, kind: AccountKind, language: Language = "nb") -> str:
    """``Eiendeler:1920 Bankinnskudd``: class, then number and name (no colon, single spaces)."""
    label = _clean(name).replace(":", "-")
    return f"{CLASS_NAMES[language][kind]}:{number} {label}".rstrip()


def _amount(value: Decimal) -> str:
    return f"{value.quantize(CENT)} {COMMODITY}"


def _posting(name: str, value: Decimal, comment: str = "") -> str:
    line = f"    {name}  {_amount(value)}"
    return f"{line}  ; {comment}" if comment else line


def hledger_journal(
    entries: Iterable[JournalEntryRow],
    accounts: Sequence[AccountRow] = (),
    *,
    opening_date: dt.date | None = None,
    language: Language = "nb",
) -> str:
    """The journal text of ``entries``, with an opening entry for ``accounts``' opening balances.

    Account names come from ``accounts`` (their Norwegian or English names by ``language``);
    an account not listed is named by its number and class alone. The opening entry is
    dated ``opening_date`` (default: the first entry's date) and left out when every opening
    balance is zero.
    """
    entries = sorted(entries, key=lambda e: (e.date, e.voucher_number))
    names = {
        a.number: account_name(a.number, a.name_nb if language == "nb" else a.name_en, a.kind, language)
        for a in accounts
    }

    def name_of(number: str) -> str:
        return names.get(number) or account_name(number, "", kind_of(number), language)

    blocks = [f"commodity {COMMODITY}\n    format 1000.00 {COMMODITY}\n"]

    openings = [(a.number, a.opening_balance) for a in sorted(accounts, key=lambda a: a.number)]
    openings = [(number, value) for number, value in openings if value]
    if openings:
        total = sum((value for _, value in openings), ZERO)
        if total:
            raise JournalExportRefused(f"the opening balances add up to {total}, not zero", total=str(total))
        day = opening_date or (entries[0].date if entries else clock.today())
        lines = [f"{day.isoformat()} * {OPENING_TITLE[language]}"]
        lines += [_posting(name_of(number), value) for number, value in openings]
        blocks.append("\n".join(lines) + "\n")

    for entry in entries:
        debit, credit = entry.totals()
        if debit != credit:
            raise JournalExportRefused(
                f"voucher {entry.voucher_number} does not balance ({debit} against {credit})",
                voucher=entry.voucher_number,
            )
        description = _clean(entry.description) or "-"
        lines = [f"{entry.date.isoformat()} * ({entry.voucher_number}) {description}"]
        lines.append(f"    ; channel: {_clean(entry.channel)}")
        if entry.created_by:
            lines.append(f"    ; by: {_clean(entry.created_by)}")
        if entry.source:
            lines.append(f"    ; source: {_clean(entry.source)}")
        if entry.reverses is not None:
            lines.append(f"    ; reverses: {entry.reverses}")
        for line in entry.lines:
            comment = f"vat: {_clean(line.vat_code)}" if line.vat_code else ""
            lines.append(_posting(name_of(line.account), line.amount, comment))
        blocks.append("\n".join(lines) + "\n")

    return "\n".join(blocks)
