"""Money in on a statement that paid no invoice it could be matched to, walked after the
unknown expenses: "+6 250 kr fra Ola Hansen: betaling av faktura ...?" answered with "ja", an
invoice's button, a typed number or "annen inntekt"; nothing posted before the decision and
nothing twice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.confirmation import ActionConfirm
from actions.statements import ActionCategoriseStatementLine, ActionNextStatementLine
from bench.statements import _entry as camt_entry
from bench.statements import camt053
from ledger import clock
from ledger.conversation_files import store_file
from ledger.invoicing import issue_invoice
from ledger.models import Invoice
from tests.actions.chat_builders import Person, action_books, run
from tests.actions.test_statements import after, followups, send_file, vouchers
from tests.ledger.builders import line, sales_books

__all__ = ["action_books"]

NOVEMBER_30 = dt.date(2026, 11, 30)


def books_with_money_in(books: sessionmaker[Session], *amounts: str) -> tuple[Person, str, list[int]]:
    """An owner, a stored statement of Ola Hansen's payments (no KID, not a customer's name)
    and invoices to Fjord Bygg (5 000 + VAT) and Nordlys (1 000 + VAT)."""
    sb = sales_books(books)
    with books.begin() as s:
        numbers = [
            issue_invoice(s, sb.company_id, customer, [line(what)], issue_date=dt.date(2026, 10, 20)).number
            for customer, what in ((sb.fjord_id, "5 × 1000 Rådgivning"), (sb.nordlys_id, "1 × 1000 Rådgivning"))
        ]
        data = camt053(
            [
                camt_entry(f"P{n}", dt.date(2026, 11, 3), Decimal(amount), "Ola Hansen", text="Betaling")
                for n, amount in enumerate(amounts)
            ],
            "S-IN",
        )
        file_id = store_file(s, sb.company_id, sb.owner_id, data, channel="web").public_id
    return Person(sb.owner_id, sb.company_id, "owner"), file_id, numbers


def status(books: sessionmaker[Session], company_id: int, number: int) -> str:
    with books.begin() as s:
        invoice = s.scalar(select(Invoice).where(Invoice.company_id == company_id, Invoice.number == number))
        assert invoice is not None
        return invoice.status


def test_the_one_invoice_that_fits_is_proposed_and_paid_on_ja_once(action_books: sessionmaker[Session]) -> None:
    owner, file_id, (fjord, _) = books_with_money_in(action_books, "6250.00")
    before = vouchers(action_books)
    with clock.pinned(NOVEMBER_30):
        summary = send_file(owner, file_id)
        assert summary.text.splitlines() == [
            "1 linjer: 0 innbetalinger matcher fakturaer (0,00 kr), 0 kjente utgifter, 0 ukjente, "
            "1 innbetalinger uten faktura.",
            "Ingenting å bokføre med én gang; la oss gå gjennom resten, én om gangen.",
        ]
        assert followups(summary) == ["action_next_statement_line"]
        question = run(ActionNextStatementLine(), after(summary, "", owner, intent="received_file"))
        assert question.text == (
            f"+6 250,00 kr fra Ola Hansen 03.11.2026: betaling av faktura {fjord} til Fjord Bygg AS "
            "(6 250,00 kr utestående)?")
        assert [b["title"] for b in question.buttons] == ["Ja", "Annen inntekt", "Hopp over"]
        assert question.slots()["pending"]["kind"] == "statement_income"
        assert vouchers(action_books) == before  # nothing before "ja"

        paid = run(ActionConfirm(), after(question, "ja", owner, intent="affirm", message_id="m3"))
        assert paid.text.startswith("Ført som bilag ")
        assert f"6 250,00 kr fra Ola Hansen som betaling av faktura {fjord}." in paid.text
        assert followups(paid) == ["action_next_statement_line"]
        assert vouchers(action_books) == before + 1
        assert status(action_books, owner.company_id, fjord) == "paid"

        done = run(ActionNextStatementLine(), after(question, "ja", owner, intent="affirm", message_id="m3"))
        assert done.text.startswith("Ferdig med kontoutskriften.")
        again = send_file(owner, file_id)
        assert again.text.splitlines()[0].endswith("0 ukjente, 1 ført fra før.")
        assert followups(again) == []
    assert vouchers(action_books) == before + 1


def test_no_to_the_proposed_invoice_offers_the_others_and_other_income(action_books: sessionmaker[Session]) -> None:
    owner, file_id, (fjord, _) = books_with_money_in(action_books, "6250.00")
    before = vouchers(action_books)
    with clock.pinned(NOVEMBER_30):
        summary = send_file(owner, file_id)
        question = run(ActionNextStatementLine(), after(summary, "", owner, intent="received_file"))
        denied = run(ActionConfirm(), after(question, "nei", owner, intent="deny", message_id="m3"))
        assert denied.text.startswith("Hvilken faktura betaler +6 250,00 kr fra Ola Hansen 03.11.2026 da?")
        assert [b["title"] for b in denied.buttons] == ["Annen inntekt", "Hopp over"]
        assert vouchers(action_books) == before
        income = run(ActionCategoriseStatementLine(), after(
            question, "annen inntekt", owner, intent="categorise_statement_line", message_id="m4"))
        assert "som annen inntekt på konto 3900, uten mva." in income.texts[0]
    assert vouchers(action_books) == before + 1
    assert status(action_books, owner.company_id, fjord) == "issued"


def test_an_invoice_is_picked_by_its_button_or_typed_and_words_that_fit_none_post_nothing(
    action_books: sessionmaker[Session],
) -> None:
    owner, file_id, (fjord, nordlys) = books_with_money_in(action_books, "1250.00", "1250.00")
    with action_books.begin() as s:  # a second Fjord invoice of 1 250: two customers fit
        sb_fjord = s.scalar(select(Invoice.customer_id).where(Invoice.number == fjord))
        assert sb_fjord is not None
        second = issue_invoice(s, owner.company_id, sb_fjord, [line("1 × 1000 Rådgivning")],
                               issue_date=dt.date(2026, 10, 21)).number
    before = vouchers(action_books)
    with clock.pinned(NOVEMBER_30):
        summary = send_file(owner, file_id)
        question = run(ActionNextStatementLine(), after(summary, "", owner, intent="received_file"))
        assert question.text == "+1 250,00 kr fra Ola Hansen 03.11.2026: hvilken faktura?"
        assert question.slots()["pending"] is None  # no "ja" when it is not clear which
        titles = [b["title"] for b in question.buttons]
        assert titles == [f"Faktura {nordlys} Nordlys Regnskap AS (1 250,00 kr)",
                          f"Faktura {second} Fjord Bygg AS (1 250,00 kr)", "Annen inntekt", "Hopp over"]

        unclear = run(ActionCategoriseStatementLine(), after(
            question, "sjokoladefontene", owner, intent="categorise_statement_line", message_id="m3"))
        assert unclear.texts == [
            "Det skjønte jeg ikke. Velg en faktura under, skriv fakturanummeret, eller svar «annen inntekt».",
            question.text]
        unknown = run(ActionCategoriseStatementLine(), after(
            question, "faktura 99999", owner, intent="categorise_statement_line", message_id="m4"))
        assert unknown.texts == ["Jeg finner ikke den fakturaen. Ingenting er ført.", question.text]
        assert vouchers(action_books) == before

        pressed = run(ActionCategoriseStatementLine(), after(
            question, question.buttons[0]["payload"], owner, intent="categorise_statement_line",
            entities={"invoice_number": str(nordlys)}, message_id="m5"))
        assert f"som betaling av faktura {nordlys}." in pressed.texts[0]
        nxt = pressed.texts[1]
        assert nxt == "+1 250,00 kr fra Ola Hansen 03.11.2026: betaling av faktura " \
            f"{second} til Fjord Bygg AS (1 250,00 kr utestående)?"  # the only one left that fits
        typed = run(ActionCategoriseStatementLine(), after(
            pressed, f"det er faktura {second}", owner, intent="categorise_statement_line", message_id="m6"))
        assert f"som betaling av faktura {second}." in typed.texts[0]
        assert typed.texts[1].startswith("Ferdig med kontoutskriften.")
    assert vouchers(action_books) == before + 2
    assert status(action_books, owner.company_id, nordlys) == "paid"
    assert status(action_books, owner.company_id, second) == "paid"
