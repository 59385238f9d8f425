"""Who posted what, in the chat: an invoice or a voucher, with its author, day, time and channel
and its corrections, in Norwegian and English; staff told politely, unknown numbers said so."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session, sessionmaker

from actions.audit import ActionShowAudit, subject_said
from ledger import clock
from ledger.customers import create_customer
from ledger.identity import add_user
from ledger.invoicing import credit_invoice, invoice_amount
from ledger.journal import Posting, post_entry
from ledger.models import JournalEntry
from tests.actions.chat_builders import Person, action_books, new_company, run, said
from tests.ledger.builders import seller_details, where

__all__ = ["action_books"]

DAY = dt.date(2026, 11, 3)


def _invoiced_through_telegram(books: sessionmaker[Session]) -> tuple[Person, int, str]:
    """Kari's company, an invoice she posted through Telegram on 3 November, and the time of
    day it was written ("14.02")."""
    owner = new_company(books, "Fjelltopp AS", vat_registered=True, **seller_details("Fjelltopp AS"))
    with books.begin() as s, clock.pinned(DAY):
        customer = create_customer(s, owner.company_id, "Lofoten Sjømat AS", **where("974760673")).id
        invoice = invoice_amount(s, owner.company_id, customer, "5000", "Rådgivning",
                                 created_by_id=owner.user_id, channel="telegram")
        entry = s.get(JournalEntry, invoice.journal_entry_id)
        assert entry is not None
        at = entry.created_at.astimezone(clock.OSLO)
        return owner, invoice.number, f"{at.hour:02d}.{at.minute:02d}"


def test_who_posted_an_invoice_is_said_with_day_time_and_channel(action_books: sessionmaker[Session]) -> None:
    owner, number, time = _invoiced_through_telegram(action_books)
    shown = run(ActionShowAudit(), said(f"hvem bokførte faktura {number}?", intent="show_audit", asker=owner,
                                        entities={"invoice_number": str(number)}))
    first, *rest = shown.texts[0].splitlines()
    assert first == f"Faktura {number} ble bokført av Kari Nordmann 3. november 2026 kl. {time} via Telegram."
    assert rest[-1] == "Ingenting har korrigert den siden."


def test_in_english_the_credit_notes_against_the_invoice_are_listed(action_books: sessionmaker[Session]) -> None:
    owner, number, _ = _invoiced_through_telegram(action_books)
    with action_books.begin() as s:
        ola = add_user(s, owner.company_id, "Ola Hansen", "accountant").user.id
        note = credit_invoice(s, owner.company_id, number, created_by_id=ola, channel="web")
    shown = run(ActionShowAudit(), said(f"who posted invoice {number}", intent="show_audit", asker=owner,
                                        language="en", entities={"invoice_number": str(number)}))
    text = shown.texts[0]
    assert text.startswith(f"Invoice {number} was posted by Kari Nordmann on 3 November 2026 at ")
    assert " via Telegram." in text.splitlines()[0]
    assert f"Credit note {note.number} (voucher " in text and "credited it by Ola Hansen on " in text
    assert text.rstrip().endswith("via the web chat.")


def test_a_voucher_named_by_its_number_alone_is_the_newest_years(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books)
    with action_books.begin() as s:
        for day in (dt.date(2025, 5, 2), dt.date(2026, 5, 2)):
            post_entry(s, owner.company_id, day, "Innskudd", [Posting("1920", Decimal("10")),
                                                              Posting("2000", Decimal("-10"))],
                       channel="api", created_by_id=owner.user_id)
    shown = run(ActionShowAudit(), said("hvem la inn bilag nr. 1?", intent="show_audit", asker=owner,
                                        entities={"invoice_number": "1"}))  # the NLU reads "nr. 1" as an invoice
    assert shown.texts[0].startswith("Bilag 2026-1 ble bokført av Kari Nordmann ")
    assert "via REST-API-et." in shown.texts[0]


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("hvem bokførte faktura 10004?", "nb", "Jeg finner ingen faktura 10004 i regnskapet."),
    ("who entered voucher 2026-57", "en", "I can't find voucher 2026-57 in the books."),
])
def test_an_unknown_number_is_said_so(
    action_books: sessionmaker[Session], text: str, language: str, expected: str
) -> None:
    owner = new_company(action_books)
    entities = {"invoice_number": "10004"} if "10004" in text else {}
    shown = run(ActionShowAudit(), said(text, intent="show_audit", asker=owner, language=language, entities=entities))
    assert shown.texts == [expected]


def test_no_number_asks_which(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books)
    shown = run(ActionShowAudit(), said("hvem bokførte den?", intent="show_audit", asker=owner))
    assert shown.texts[0].startswith("Hvilken faktura eller hvilket bilag?")


def test_staff_are_not_told_who_posted_what(action_books: sessionmaker[Session]) -> None:
    owner, number, _ = _invoiced_through_telegram(action_books)
    with action_books.begin() as s:
        staff = Person(add_user(s, owner.company_id, "Per", "staff").user.id, owner.company_id, "staff")
    shown = run(ActionShowAudit(), said(f"hvem bokførte faktura {number}?", intent="show_audit", asker=staff,
                                        entities={"invoice_number": str(number)}))
    assert len(shown.texts) == 1 and "Kari" not in shown.texts[0] and "bokført" not in shown.texts[0]


@pytest.mark.parametrize(("text", "entity", "subject"), [
    ("hvem la inn bilag 57", None, ("voucher", "57")),
    ("hvem bokførte bilag nr. 2026-14?", "2026", ("voucher", "2026-14")),
    ("who posted voucher #12", None, ("voucher", "12")),
    ("hvem bokførte faktura 10 004", "10004", ("invoice", "10004")),
    ("hvem bokførte den", None, None),
])
def test_the_subject_is_read_from_the_text_before_the_invoice_entity(
    text: str, entity: str | None, subject: tuple[str, str] | None
) -> None:
    assert subject_said(text, entity) == subject
