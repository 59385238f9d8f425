"""People who write differently, end to end over the real processes: nynorsk read and answered
in bokmål, typos and words run together, numbers written as words, messages without
punctuation as voice transcripts come, payments never read as expenses (nor expenses as
payments), and a bare invoice number with a question mark showing that invoice."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import RunningStack
from tests.e2e.test_dialogue_books_know import orgnr, post
from tests.e2e.turns import api, fresh, turn

pytestmark = pytest.mark.e2e


def newest_invoice(stack: RunningStack) -> dict[str, Any]:
    return max(api(stack, "invoices")["invoices"], key=lambda i: int(i["number"]))


@pytest.fixture(scope="module")
def sjoglott(stack: RunningStack) -> int:
    """Sjøgløtt AS, 1 000 kr an hour, with no invoices yet (a name no other test uses)."""
    details = {"orgnr": orgnr("91234600"), "address": "Kaigata 3", "postcode": "5003", "city": "Bergen"}
    return int(post(stack, "customers", {"name": "Sjøgløtt AS", "hourly_rate": "1000", **details})["id"])


def issued_invoice(stack: RunningStack, hours: int) -> dict[str, Any]:
    """A new invoice to Sjøgløtt AS for `hours` hours."""
    fresh(stack)
    turn(stack, f"fakturer Sjøgløtt for {hours} timer")
    turn(stack, "ja")
    invoice = newest_invoice(stack)
    assert invoice["customer_name"] == "Sjøgløtt AS"
    return invoice


def test_nynorsk_questions_are_answered_in_bokmaal(stack: RunningStack) -> None:
    fresh(stack)
    balance = turn(stack, "kor mykje har vi i banken")
    assert balance.text.startswith("Saldoen på driftskontoen er "), balance.text
    unpaid = turn(stack, "kven har ikkje betalt")
    assert unpaid.text.startswith("Utestående "), unpaid.text


def test_nynorsk_hours_are_logged_with_a_bokmaal_summary(stack: RunningStack) -> None:
    fresh(stack)
    summary = turn(stack, "før fire timar på Nettside")
    assert summary.text.startswith("Føre 4 timer på Nettside"), summary.text
    turn(stack, "nei")


def test_typos_and_words_run_together_are_read(stack: RunningStack) -> None:
    fresh(stack)
    invoice = turn(stack, "fakturerr Hansen Rør for 5t")
    assert invoice.text.startswith("Faktura til Hansen Rør AS: 5 312,50 kr inkl. mva"), invoice.text
    turn(stack, "nei")
    owing = turn(stack, "hvem skyldner oss")
    assert owing.text.startswith("Utestående "), owing.text


def test_numbers_in_words_in_both_languages_and_no_punctuation(stack: RunningStack) -> None:
    fresh(stack)
    norwegian = turn(stack, "fakturer hansen rør for fem timer")
    assert norwegian.text.startswith("Faktura til Hansen Rør AS: 5 312,50 kr inkl. mva"), norwegian.text
    turn(stack, "nei")
    english = turn(stack, "log three hours on Support")
    assert english.text.startswith("Log 3 hours on Support"), english.text
    turn(stack, "no")


def test_a_customer_who_has_paid_is_a_payment_and_never_an_expense(stack: RunningStack, sjoglott: int) -> None:
    invoice = issued_invoice(stack, 2)
    paid = turn(stack, "Sjøgløtt har betalt 2 500 kr")
    assert paid.text.startswith(f"Innbetaling 2 500,00 kr fra Sjøgløtt AS på faktura {invoice['number']}"), paid.text
    assert "Utgift" not in paid.text
    turn(stack, "nei")
    told = turn(stack, f"fikk inn 1 000 fra Sjøgløtt for faktura {invoice['number']}")
    assert told.text.startswith(f"Innbetaling 1 000,00 kr fra Sjøgløtt AS på faktura {invoice['number']}"), told.text
    turn(stack, "nei")


def test_money_paid_to_a_supplier_is_an_expense(stack: RunningStack) -> None:
    fresh(stack)
    expense = turn(stack, "betalte 900 kr til Telia")
    assert "Innbetaling" not in expense.text
    assert expense.text.startswith("Hva var 900,00 kr for?") or "Utgift 900,00 kr" in expense.text, expense.text
    turn(stack, "avbryt")


def test_a_bare_invoice_number_with_a_question_mark_shows_the_invoice(stack: RunningStack, sjoglott: int) -> None:
    invoice = issued_invoice(stack, 1)
    shown = turn(stack, f"faktura {invoice['number']}?")
    assert shown.text.startswith(f"Faktura {invoice['number']} til Sjøgløtt AS: 1 250,00 kr inkl. mva"), shown.text
