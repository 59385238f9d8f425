"""hledger and ledger-cli read our journal and agree with our balances to the øre.

The programs come from Debian (``apt-get install hledger ledger``); without them these tests
are skipped, saying so.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from ledger.documents.hledger import JournalExportRefused, account_name, hledger_journal, kind_of
from ledger.documents.model import AccountRow, JournalEntryRow

from .builders import entry

CHART = (
    AccountRow("1500", "Kundefordringer", "Accounts receivable", "1500", "asset"),
    AccountRow("1920", "Bankinnskudd", "Bank deposits", "1920", "asset", Decimal("30000.00")),
    AccountRow("2000", "Aksjekapital", "Share capital", "2000", "equity", Decimal("-30000.00")),
    AccountRow("2400", "Leverandørgjeld", "Accounts payable", "2400", "liability"),
    AccountRow("2700", "Utgående merverdiavgift", "Output VAT", "2740", "liability"),
    AccountRow("2710", "Inngående merverdiavgift", "Input VAT", "2740", "liability"),
    AccountRow("3000", "Salgsinntekt, avgiftspliktig", "Sales revenue: VAT liable", "3000", "income"),
    AccountRow("6300", "Leie lokaler", "Rent", "6300", "expense"),
    AccountRow("7000", "Drivstoff", "Fuel", "7000", "expense"),
)
ENTRIES = (
    entry("2026-11-02 1500 6250 / 3000 -5000 @3 / 2700 -1250", "Faktura 10023 Havbris; første", 1),
    entry("2026-11-14 1920 6250 / 1500 -6250", "Innbetaling faktura 10023", 2),
    entry("2026-11-15 7000 400.80 @1 / 2710 100.20 / 1920 -501", "Drivstoff varebil", 3),
    entry("2026-11-30 6300 12000.55 / 2400 -12000.55", "Husleie desember", 4),
    entry("2026-12-01 1500 1234.57 / 3000 -987.66 @3 / 2700 -246.91", "Faktura 10024", 5),
    entry("2026-12-02 1920 0.01 / 7770 -0.01", "Øreavrunding", 6),  # 7770 is not in CHART
    entry("2026-12-03 2400 12000.55 / 1920 -12000.55", "Betalt husleie", 7),
)


def expected_balances(entries: tuple[JournalEntryRow, ...], chart: tuple[AccountRow, ...]) -> dict[str, Decimal]:
    """Our own balances per account number, opening balances included."""
    balances: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for account in chart:
        balances[account.number] += account.opening_balance
    for e in entries:
        for line in e.lines:
            balances[line.account] += line.amount
    return {number: value for number, value in balances.items() if value}


def number_of(name: str) -> str:
    """The account number in ``Eiendeler:1920 Bankinnskudd``."""
    return name.split(":", 1)[1].split(" ", 1)[0]


def amount_of(text: str) -> Decimal:
    return Decimal(text.replace("NOK", "").strip() or "0")


def write_journal(tmp_path: Path, **kwargs: object) -> Path:
    path = tmp_path / "books.journal"
    path.write_text(hledger_journal(ENTRIES, CHART, **kwargs), encoding="utf-8")  # type: ignore[arg-type]
    return path


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


needs_hledger = pytest.mark.skipif(
    shutil.which("hledger") is None, reason="hledger is not installed (apt-get install hledger)"
)
needs_ledger = pytest.mark.skipif(
    shutil.which("ledger") is None, reason="ledger-cli is not installed (apt-get install ledger)"
)


@needs_hledger
@pytest.mark.parametrize("language", ["nb", "en"])
def test_hledger_balances_equal_ours_to_the_ore(tmp_path: Path, language: str) -> None:
    journal = write_journal(tmp_path, language=language)
    out = run("hledger", "-f", str(journal), "bal", "--flat", "--no-total", "-O", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    balances = {number_of(row["account"]): amount_of(row["balance"]) for row in rows}
    assert balances == expected_balances(ENTRIES, CHART)


@needs_ledger
@pytest.mark.parametrize("language", ["nb", "en"])
def test_ledger_cli_balances_equal_ours_to_the_ore(tmp_path: Path, language: str) -> None:
    journal = write_journal(tmp_path, language=language)
    out = run(
        "ledger",
        "-f",
        str(journal),
        "bal",
        "--flat",
        "--no-total",
        "--balance-format",
        "%(account)\t%(quantity(scrub(display_total)))\n",
    )
    balances = {}
    for row in out.splitlines():
        name, value = row.split("\t")
        balances[number_of(name)] = Decimal(value)
    assert balances == expected_balances(ENTRIES, CHART)


@needs_hledger
def test_hledger_checks_that_every_transaction_balances(tmp_path: Path) -> None:
    journal = write_journal(tmp_path)
    out = run("hledger", "-f", str(journal), "print", "-O", "csv")
    assert "Faktura 10023 Havbris, første" in out
    run("hledger", "-f", str(journal), "check", "balancednoautoconversion")


@needs_hledger
def test_the_english_class_names_feed_hledgers_balance_sheet(tmp_path: Path) -> None:
    journal = write_journal(tmp_path, language="en")
    out = run("hledger", "-f", str(journal), "bs", "--flat", "-O", "csv")
    assert "Assets:1920 Bank deposits" in out
    assert "Liabilities:2700 Output VAT" in out


@needs_ledger
def test_ledger_cli_reads_voucher_numbers_and_tags(tmp_path: Path) -> None:
    journal = write_journal(tmp_path)
    out = run("ledger", "-f", str(journal), "reg", "%channel=telegram", "--format", '%(code) %(tag("by"))\n')
    assert sorted(set(out.splitlines())) == [f"{n} Kari Nordmann" for n in range(1, 8)]


def test_the_journal_reads_the_way_the_docs_say() -> None:
    text = hledger_journal(ENTRIES[:1], CHART)
    assert text == (
        "commodity NOK\n"
        "    format 1000.00 NOK\n"
        "\n"
        "2026-11-02 * Inngående balanse\n"
        "    Eiendeler:1920 Bankinnskudd  30000.00 NOK\n"
        "    Egenkapital:2000 Aksjekapital  -30000.00 NOK\n"
        "\n"
        "2026-11-02 * (1) Faktura 10023 Havbris, første\n"
        "    ; channel: telegram\n"
        "    ; by: Kari Nordmann\n"
        "    Eiendeler:1500 Kundefordringer  6250.00 NOK\n"
        "    Inntekter:3000 Salgsinntekt, avgiftspliktig  -5000.00 NOK  ; vat: 3\n"
        "    Gjeld:2700 Utgående merverdiavgift  -1250.00 NOK\n"
    )


def test_account_names_are_class_number_and_name_without_colons() -> None:
    assert account_name("3000", "Sales revenue: VAT liable", "income", "en") == "Income:3000 Sales revenue- VAT liable"
    assert account_name("7770", "", kind_of("7770")) == "Kostnader:7770"
    assert [kind_of(n) for n in ("1920", "2050", "2400", "3100", "8050", "8150")] == [
        "asset",
        "equity",
        "liability",
        "income",
        "income",
        "expense",
    ]


def test_an_unbalanced_entry_is_refused() -> None:
    with pytest.raises(JournalExportRefused):
        hledger_journal([entry("2026-11-02 1920 100 / 3000 -99")])


def test_opening_balances_that_do_not_balance_are_refused() -> None:
    chart = (replace(CHART[1], opening_balance=Decimal("10.00")),)
    with pytest.raises(JournalExportRefused, match=r"10\.00"):
        hledger_journal(ENTRIES, chart)
