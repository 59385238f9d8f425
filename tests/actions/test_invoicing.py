"""Invoices, credit notes, payments, new customers and undo, as the action server runs them:
what is asked, what is shown before posting, what "ja" posts and what "nei" leaves alone."""

from __future__ import annotations

import datetime as dt
import socket
from decimal import Decimal
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from actions.confirmation import ActionCancel, ActionConfirm
from actions.customers import ValidateCustomerForm
from actions.invoicing import (
    ActionListUnpaid,
    ActionProposeCredit,
    ActionProposeInvoice,
    ActionSendInvoice,
    ActionShowInvoice,
    AskCreditInvoiceNumber,
    ValidateCreditForm,
    ValidateInvoiceForm,
)
from actions.payments import ActionProposePayment, AskPaymentInvoice, ValidatePaymentForm
from actions.undo import ActionUndo
from ledger import clock
from ledger.customers import create_customer
from ledger.identity import add_user
from ledger.invoicing import get_invoice, invoice_hours, list_invoices
from ledger.models import Customer, JournalEntry, JournalLine
from ledger.projects import create_project
from ledger.timesheet import log_time, unbilled_hours
from tests.actions.chat_builders import Conversation, Person, Said, action_books, new_company, run, said
from tests.ledger.builders import seller_details, where

__all__ = ["action_books"]

INVOICE_DOMAIN = {
    "forms": {
        "invoice_form": {
            "required_slots": ["invoice_customer", "invoice_project", "invoice_hours", "invoice_amount", "invoice_rate"]
        },
        "payment_form": {"required_slots": ["payment_invoice", "payment_customer", "payment_amount", "payment_date"]},
        "customer_form": {"required_slots": ["new_customer_name", "new_customer_orgnr", "new_customer_email"]},
    }
}


def books_with_customers(books: sessionmaker[Session]) -> Person:
    """A VAT-registered company with Fjord Bygg AS (1 000 kr/h), Fjord Byggservice AS and
    Nordlys AS (no rate)."""
    owner = new_company(books, "Testfirma AS", vat_registered=True, **seller_details("Testfirma AS"))
    with books.begin() as session:
        create_customer(
            session, owner.company_id, "Fjord Bygg AS", hourly_rate="1000", email="post@fjordbygg.no",
            **where("974760673", city="Bergen"),
        )
        create_customer(session, owner.company_id, "Fjord Byggservice AS", **where("923609016"))
        create_customer(session, owner.company_id, "Nordlys AS", **where("934567897", city="Tromsø"))
    return owner


def journal_lines(books: sessionmaker[Session], company_id: int) -> list[tuple[str, Decimal, Decimal]]:
    with books.begin() as session:
        rows = session.execute(
            select(JournalLine.account, JournalLine.debit, JournalLine.credit)
            .where(JournalLine.company_id == company_id)
            .order_by(JournalLine.id)
        ).all()
        return [(a, d, c) for a, d, c in rows]


def reply(result: Said) -> str:
    """What was said, plain or in a custom message (text with an attachment)."""
    return "\n".join(m.get("text") or (m.get("custom") or {}).get("text") or "" for m in result.messages)


def entries(books: sessionmaker[Session], company_id: int) -> int:
    with books.begin() as session:
        count = session.scalar(select(func.count(JournalEntry.id)).where(JournalEntry.company_id == company_id))
        return int(count or 0)


def validate_invoice(owner: Person, text: str, extracted: dict[str, Any], **kw: Any) -> Said:
    return run(
        ValidateInvoiceForm(),
        said(text, intent="create_invoice", asker=owner, extracted=extracted, **kw),
        INVOICE_DOMAIN,
    )


def awaiting(pending: dict[str, Any]) -> Conversation:
    """The conversation right after a proposal: the next message answers it."""
    return Conversation(slots={"pending": pending}, events=[{"event": "slot", "name": "pending", "value": pending}])


def proposal_for(owner: Person, slots: dict[str, Any], text: str = "fakturer") -> tuple[Said, Conversation]:
    """Runs the invoice form's submit with `slots`; the conversation holding the proposal."""
    shown = run(ActionProposeInvoice(), said(text, intent="create_invoice", asker=owner,
                                             conversation=Conversation(slots=slots)))
    return shown, awaiting(shown.slots()["pending"])


def answer(action: Any, owner: Person, text: str, intent: str, conversation: Conversation, message_id: str) -> Said:
    return run(action, said(text, intent=intent, asker=owner, conversation=conversation, message_id=message_id))


# --------------------------------------------------------------------------------------------
# The invoice form


def test_a_known_customer_and_hours_need_nothing_more(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    result = validate_invoice(
        owner,
        "fakturer fjord bygg for 5 timer",
        {"invoice_customer": "fjord bygg", "invoice_hours": 5.0},
        entities={"customer": "fjord bygg", "hours": (5.0, "5 timer")},
    )
    slots = result.slots()
    assert slots["invoice_customer"] == "Fjord Bygg AS"
    assert slots["invoice_hours"] == "5.00"
    assert slots["requested_slot"] is None
    assert result.texts == []


def test_a_name_matching_two_customers_is_asked_about_with_a_button_each(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    result = validate_invoice(owner, "fakturer fjord for 5 timer", {"invoice_customer": "fjord", "invoice_hours": 5.0})
    slots = result.slots()
    assert slots["invoice_customer"] is None
    assert slots["requested_slot"] == "invoice_customer"
    assert [o["value"] for o in slots["choices"]["options"]] == ["Fjord Bygg AS", "Fjord Byggservice AS"]


def test_an_unknown_customer_is_offered_to_be_created_and_the_form_waits(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    result = validate_invoice(
        owner, "fakturer Havbris Marina for 3 timer", {"invoice_customer": "Havbris Marina", "invoice_hours": 3.0}
    )
    slots = result.slots()
    assert "Havbris Marina" in result.text
    assert [b["payload"] for b in result.buttons] == ["/affirm", "/deny"]
    assert slots["pending"]["kind"] == "create_customer"
    assert slots["pending"]["values"]["resume"]["form"] == "invoice_form"
    assert slots["requested_slot"] is None
    assert {"event": "active_loop", "name": None} in [
        {"event": e["event"], "name": e.get("name")} for e in result.events if e["event"] == "active_loop"
    ]


def test_negative_hours_are_refused_and_asked_again(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    text = "fakturer Fjord Bygg for -3 timer"
    result = validate_invoice(
        owner,
        text,
        {"invoice_customer": "Fjord Bygg", "invoice_hours": 3.0},
        entities={"customer": "Fjord Bygg", "hours": (3.0, "3 timer")},
    )
    assert "negative" in result.text
    assert result.slots()["invoice_hours"] is None
    assert result.slots()["requested_slot"] == "invoice_hours"


def test_hours_with_three_decimals_read_as_an_amount_are_refused(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    text = "fakturer Fjord Bygg for 1,234 timer"
    result = validate_invoice(
        owner,
        text,
        {"invoice_customer": "Fjord Bygg", "invoice_amount": "1234"},
        entities={"customer": "Fjord Bygg", "amount": ("1234", "1,234")},
    )
    assert "to desimaler" in result.text
    assert result.slots()["invoice_amount"] is None
    assert result.slots()["requested_slot"] == "invoice_hours"


def test_a_customer_without_a_rate_is_asked_for_one(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    result = validate_invoice(owner, "invoice Nordlys 2 hours", {"invoice_customer": "Nordlys", "invoice_hours": 2.0})
    assert result.slots()["requested_slot"] == "invoice_rate"


def test_staff_are_refused_and_the_form_ends(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    with action_books.begin() as session:
        staff_id = add_user(session, owner.company_id, "Ola", "staff").user.id
    staff = Person(staff_id, owner.company_id, "staff")
    result = validate_invoice(staff, "fakturer Fjord Bygg for 5 timer", {"invoice_customer": "Fjord Bygg"})
    assert "egne timer" in result.text
    assert result.slots()["requested_slot"] is None
    assert entries(action_books, owner.company_id) == 0


# --------------------------------------------------------------------------------------------
# Summary, ja, nei, the same message twice, undo


def test_the_summary_shows_what_will_be_posted_and_posts_nothing(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    shown, _ = proposal_for(owner, {"invoice_customer": "Fjord Bygg AS", "invoice_hours": "5.00"})
    text = shown.text
    assert text.startswith("Faktura til Fjord Bygg AS: 6 250,00 kr inkl. mva")
    assert "5 t × 1 000,00 kr = 5 000,00 kr" in text
    assert "1500 debet 6 250,00 kr, 3000 kredit 5 000,00 kr (mva-kode 3), 2700 kredit 1 250,00 kr" in text
    assert [b["title"] for b in shown.buttons] == ["Ja", "Nei"]
    assert shown.slots()["pending"]["kind"] == "create_invoice"
    assert entries(action_books, owner.company_id) == 0


def test_ja_posts_the_invoice_that_was_shown(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    _, conversation = proposal_for(owner, {"invoice_customer": "Fjord Bygg AS", "invoice_hours": "5.00"})
    done = answer(ActionConfirm(), owner, "ja", "affirm", conversation, "m2")
    assert reply(done).startswith("Faktura 10001 til Fjord Bygg AS på 6 250,00 kr er utstedt og ført")
    assert done.messages[0]["custom"]["attachment"] == f"/api/v1/companies/{owner.company_id}/invoices/10001.pdf"
    assert done.slots()["pending"] is None
    assert journal_lines(action_books, owner.company_id) == [
        ("1500", Decimal("6250.00"), Decimal("0.00")),
        ("3000", Decimal("0.00"), Decimal("5000.00")),
        ("2700", Decimal("0.00"), Decimal("1250.00")),
    ]
    with action_books.begin() as session:
        entry = session.scalars(select(JournalEntry)).one()
        assert (entry.created_by_id, entry.channel, entry.source) == (owner.user_id, "api", "chat:m2")


def test_nei_posts_nothing(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    _, conversation = proposal_for(owner, {"invoice_customer": "Fjord Bygg AS", "invoice_amount": "12000.00"})
    done = answer(ActionConfirm(), owner, "nei", "deny", conversation, "m2")
    assert done.text == "OK, da lar jeg det være. Ingenting er ført."
    assert done.slots()["pending"] is None
    assert entries(action_books, owner.company_id) == 0


def test_the_same_ja_twice_posts_once(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    _, conversation = proposal_for(owner, {"invoice_customer": "Fjord Bygg AS", "invoice_hours": "5.00"})
    answer(ActionConfirm(), owner, "ja", "affirm", conversation, "same-id")
    again = answer(ActionConfirm(), owner, "ja", "affirm", conversation, "same-id")
    assert "allerede bokført" in again.text
    assert entries(action_books, owner.company_id) == 1


def test_a_ja_after_something_else_was_said_posts_nothing(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    _, conversation = proposal_for(owner, {"invoice_customer": "Fjord Bygg AS", "invoice_hours": "5.00"})
    conversation.events.append({"event": "user", "text": "hva er saldoen?"})
    done = answer(ActionConfirm(), owner, "ja", "affirm", conversation, "m3")
    assert "ikke lenger" in done.text
    assert entries(action_books, owner.company_id) == 0


def test_ja_with_nothing_pending_says_so(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    done = run(ActionConfirm(), said("ja", intent="affirm", asker=owner))
    assert done.text == "Det er ingenting som venter på et ja fra deg nå."


def test_the_books_changing_between_summary_and_ja_posts_nothing(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    _, conversation = proposal_for(owner, {"invoice_customer": "Fjord Bygg AS", "invoice_hours": "5.00"})
    with action_books.begin() as session:
        customer = session.scalars(select(Customer).where(Customer.name == "Fjord Bygg AS")).one()
        customer.hourly_rate = Decimal("1100.00")
    done = answer(ActionConfirm(), owner, "ja", "affirm", conversation, "m2")
    assert "endret seg" in done.text
    assert entries(action_books, owner.company_id) == 0


def test_cancel_leaves_the_form_and_forgets_what_was_pending(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    conversation = Conversation(slots={"invoice_customer": "Fjord Bygg AS"}, active_loop="invoice_form")
    done = run(ActionCancel(), said("avbryt", intent="cancel", asker=owner, conversation=conversation), INVOICE_DOMAIN)
    assert done.text == "Avbrutt. Ingenting er ført."
    assert {"event": "active_loop", "name": None, "timestamp": None} in done.events
    assert done.slots()["invoice_customer"] is None


def test_undo_credits_the_last_invoice_posted_in_the_chat(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    _, conversation = proposal_for(owner, {"invoice_customer": "Fjord Bygg AS", "invoice_hours": "5.00"})
    answer(ActionConfirm(), owner, "ja", "affirm", conversation, "m2")
    undone = run(ActionUndo(), said("angre", intent="undo", asker=owner, message_id="m3"))
    assert undone.text.startswith("Angret: faktura 10001 (6 250,00 kr) er kreditert med kreditnota 10002")
    with action_books.begin() as session:
        assert get_invoice(session, owner.company_id, 10001).status == "credited"
    balance = {account: Decimal("0") for account, _, _ in journal_lines(action_books, owner.company_id)}
    for account, debit, credit in journal_lines(action_books, owner.company_id):
        balance[account] += debit - credit
    assert set(balance.values()) == {Decimal("0")}
    nothing = run(ActionUndo(), said("angre", intent="undo", asker=owner, message_id="m4"))
    assert "ingenting" in nothing.text.lower()


def test_undo_does_not_touch_what_others_posted(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    with action_books.begin() as session:
        customer = session.scalars(select(Customer).where(Customer.name == "Fjord Bygg AS")).one()
        invoice_hours(session, owner.company_id, customer.id, "2", description="Arbeid", channel="api")
    undone = run(ActionUndo(), said("angre", intent="undo", asker=owner))
    assert "ingenting" in undone.text.lower()
    assert entries(action_books, owner.company_id) == 1


# --------------------------------------------------------------------------------------------
# Payments, credit notes, listing


def issued(books: sessionmaker[Session], owner: Person, hours: str = "5") -> int:
    with books.begin() as session:
        customer = session.scalars(select(Customer).where(Customer.name == "Fjord Bygg AS")).one()
        return invoice_hours(session, owner.company_id, customer.id, hours, description="Arbeid", channel="api").number


def test_a_payment_named_by_customer_defaults_to_what_is_owed(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    number = issued(action_books, owner)
    picked = run(
        ValidatePaymentForm(),
        said("Fjord Bygg har betalt", intent="register_payment", asker=owner,
             extracted={"payment_customer": "Fjord Bygg"}),
        INVOICE_DOMAIN,
    )
    assert picked.slots()["payment_invoice"] == str(number)
    shown = run(ActionProposePayment(), said("Fjord Bygg har betalt", intent="register_payment", asker=owner,
                                             conversation=Conversation(slots={"payment_invoice": str(number)})))
    assert shown.text.startswith(f"Innbetaling 6 250,00 kr fra Fjord Bygg AS på faktura {number}")
    assert "1920 debet 6 250,00 kr, 1500 kredit 6 250,00 kr" in shown.text
    pending = shown.slots()["pending"]
    conversation = awaiting(pending)
    done = answer(ActionConfirm(), owner, "ja", "affirm", conversation, "p1")
    assert "Fakturaen er betalt" in done.text
    with action_books.begin() as session:
        assert get_invoice(session, owner.company_id, number).status == "paid"


def test_a_credit_note_is_shown_then_issued(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    number = issued(action_books, owner)
    shown = run(ActionProposeCredit(), said("krediter faktura", intent="credit_invoice", asker=owner,
                                            conversation=Conversation(slots={"credit_invoice_number": str(number)})))
    assert shown.text.startswith(f"Kreditnota for faktura {number} til Fjord Bygg AS: 6 250,00 kr")
    assert "3000 debet 5 000,00 kr" in shown.text
    pending = shown.slots()["pending"]
    conversation = awaiting(pending)
    done = answer(ActionConfirm(), owner, "ja", "affirm", conversation, "c1")
    assert done.text.startswith(f"Kreditnota {number + 1} for faktura {number}")
    with action_books.begin() as session:
        assert [i.kind for i in list_invoices(session, owner.company_id)] == ["invoice", "credit_note"]


def test_unpaid_invoices_are_listed_with_the_total(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    issued(action_books, owner, "5")
    issued(action_books, owner, "2")
    listed = run(ActionListUnpaid(), said("who owes me money?", intent="list_unpaid", asker=owner, language="en"))
    assert listed.text.startswith("Outstanding: NOK 8,750.00")
    assert listed.text.count("- Fjord Bygg AS") == 2


def test_what_one_customer_owes(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    issued(action_books, owner, "5")
    listed = run(ActionListUnpaid(), said("hva skylder Fjord Bygg oss?", intent="list_unpaid", asker=owner,
                                          entities={"customer": "Fjord Bygg"}))
    assert listed.text.startswith("Fjord Bygg AS skylder 6 250,00 kr.")
    nothing = run(ActionListUnpaid(), said("hva skylder Nordlys oss?", intent="list_unpaid", asker=owner,
                                           entities={"customer": "Nordlys"}))
    assert nothing.text == "Nordlys AS skylder ingenting akkurat nå."


def test_who_owes_what_for_a_name_fitting_two_customers_asks_which(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    issued(action_books, owner, "5")
    asked = run(ActionListUnpaid(), said("hva skylder fjord oss?", intent="list_unpaid", asker=owner,
                                         entities={"customer": "fjord"}))
    assert asked.text == "Flere kunder passer til «fjord». Hvem mener du?"
    assert [b["payload"] for b in asked.buttons] == [
        '/list_unpaid{"customer": "Fjord Bygg AS"}',
        '/list_unpaid{"customer": "Fjord Byggservice AS"}',
    ]
    unknown = run(ActionListUnpaid(), said("what does Havbris owe us?", intent="list_unpaid", asker=owner,
                                           language="en", entities={"customer": "Havbris"}))
    assert unknown.text == 'I can\'t find a customer called "Havbris". Ask "who owes us money?" to see everyone.'
    assert unknown.buttons == []


def test_overdue_invoices_come_with_a_receivables_aging_chart(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    with action_books.begin() as session:
        customer = session.scalars(select(Customer).where(Customer.name == "Fjord Bygg AS")).one()
        old = clock.today() - dt.timedelta(days=60)
        invoice_hours(session, owner.company_id, customer.id, "3", description="Arbeid", channel="api", issue_date=old)
    listed = run(ActionListUnpaid(), said("hvem skylder meg penger?", intent="list_unpaid", asker=owner))
    assert listed.text.startswith("Utestående 3 750,00 kr, av dette 3 750,00 kr forfalt.")
    assert len(listed.images) == 1 and listed.images[0].endswith(".png")


def test_an_invoice_is_shown_with_its_pdf(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    number = issued(action_books, owner)
    shown = run(ActionShowInvoice(), said(f"vis faktura {number}", intent="show_invoice", asker=owner,
                                          entities={"invoice_number": str(number)}))
    message = shown.messages[0]["custom"]
    assert message["text"].startswith(f"Faktura {number} til Fjord Bygg AS: 6 250,00 kr inkl. mva")
    assert message["attachment"].endswith(f"/invoices/{number}.pdf")


# --------------------------------------------------------------------------------------------
# Customers


def test_a_new_customer_with_a_bad_organisation_number_is_asked_again(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    result = run(
        ValidateCustomerForm(),
        said("ny kunde Havbris AS orgnr 123456789", intent="create_customer", asker=owner,
             extracted={"new_customer_name": "Havbris AS", "new_customer_orgnr": "123456789"}),
        INVOICE_DOMAIN,
    )
    assert "ikke et gyldig organisasjonsnummer" in result.text
    assert result.slots()["requested_slot"] == "new_customer_orgnr"


def test_creating_an_offered_customer_takes_the_person_back_to_the_invoice(
    action_books: sessionmaker[Session],
) -> None:
    owner = books_with_customers(action_books)
    offer = validate_invoice(
        owner, "fakturer Havbris for 3 timer", {"invoice_customer": "Havbris", "invoice_hours": "3.00"}
    )
    pending = offer.slots()["pending"]
    conversation = awaiting(pending)
    done = answer(ActionConfirm(), owner, "ja", "affirm", conversation, "n1")
    assert done.text.startswith("Kunden Havbris er registrert med kundenummer")
    slots = done.slots()
    assert slots["invoice_customer"] == "Havbris" and slots["invoice_hours"] == "3.00"
    assert slots["resume_form"] == "invoice_form"


def test_undo_after_a_payment_reverses_it_and_the_invoice_is_owed_again(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    number = issued(action_books, owner)
    shown = run(ActionProposePayment(), said("betalt", intent="register_payment", asker=owner,
                                             conversation=Conversation(slots={"payment_invoice": str(number)})))
    pending = shown.slots()["pending"]
    conversation = awaiting(pending)
    answer(ActionConfirm(), owner, "ja", "affirm", conversation, "p1")
    undone = run(ActionUndo(), said("angre", intent="undo", asker=owner, message_id="p2"))
    assert undone.text.startswith(f"Angret: innbetalingen på 6 250,00 kr til faktura {number}")
    with action_books.begin() as session:
        assert get_invoice(session, owner.company_id, number).status == "issued"


def test_undo_in_the_middle_of_a_form_leaves_it_and_undoes_nothing(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    _, conversation = proposal_for(owner, {"invoice_customer": "Fjord Bygg AS", "invoice_hours": "5.00"})
    answer(ActionConfirm(), owner, "ja", "affirm", conversation, "u1")
    in_form = Conversation(slots={"invoice_customer": "Nordlys AS"}, active_loop="invoice_form",
                           requested_slot="invoice_hours")
    left = run(ActionUndo(), said("angre", intent="undo", asker=owner, message_id="u2", conversation=in_form),
               INVOICE_DOMAIN)
    assert left.text == ("Greit, det lar vi være: ingenting er ført, og ingenting tidligere er angret. "
                         "Vil du angre det du førte sist, si «angre» en gang til.")
    assert {"event": "active_loop", "name": None, "timestamp": None} in left.events
    assert left.slots()["invoice_customer"] is None
    with action_books.begin() as session:
        assert get_invoice(session, owner.company_id, 10001).status == "issued"
    again = run(ActionUndo(), said("angre", intent="undo", asker=owner, message_id="u3"))
    assert again.text.startswith("Angret: faktura 10001")


def test_undo_right_after_a_summary_drops_it_and_undoes_nothing(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    _, conversation = proposal_for(owner, {"invoice_customer": "Fjord Bygg AS", "invoice_hours": "5.00"})
    answer(ActionConfirm(), owner, "ja", "affirm", conversation, "s1")
    _, waiting = proposal_for(owner, {"invoice_customer": "Fjord Bygg AS", "invoice_hours": "2.00"})
    dropped = run(ActionUndo(), said("undo", intent="undo", asker=owner, message_id="s2", conversation=waiting,
                                     language="en"))
    assert dropped.text.startswith("All right, let's leave that: nothing was posted, and nothing earlier was undone.")
    assert dropped.slots()["pending"] is None
    assert entries(action_books, owner.company_id) == 1
    with action_books.begin() as session:
        assert get_invoice(session, owner.company_id, 10001).status == "issued"


def test_undo_long_after_a_summary_undoes_the_last_posting(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    _, conversation = proposal_for(owner, {"invoice_customer": "Fjord Bygg AS", "invoice_hours": "5.00"})
    answer(ActionConfirm(), owner, "ja", "affirm", conversation, "l1")
    _, stale = proposal_for(owner, {"invoice_customer": "Fjord Bygg AS", "invoice_hours": "2.00"})
    stale.events.append({"event": "user", "text": "hva er saldoen?"})
    undone = run(ActionUndo(), said("angre", intent="undo", asker=owner, message_id="l2", conversation=stale))
    assert undone.text.startswith("Angret: faktura 10001")


def test_a_payment_from_a_name_fitting_two_customers_offers_a_button_each(
    action_books: sessionmaker[Session],
) -> None:
    owner = books_with_customers(action_books)
    number = issued(action_books, owner)
    picked = run(ValidatePaymentForm(), said("fjord har betalt", intent="register_payment", asker=owner,
                                             extracted={"payment_customer": "fjord"}), INVOICE_DOMAIN)
    slots = picked.slots()
    assert slots["payment_customer"] is None and slots["requested_slot"] == "payment_invoice"
    asking = Conversation(slots=slots, active_loop="payment_form", requested_slot="payment_invoice")
    asked = run(AskPaymentInvoice(), said("fjord har betalt", intent="register_payment", asker=owner,
                                          conversation=asking))
    assert asked.text == "Flere kunder passer. Hvilken kunde har betalt?"
    assert [b["payload"] for b in asked.buttons] == [
        '/choose{"customer": "Fjord Bygg AS"}',
        '/choose{"customer": "Fjord Byggservice AS"}',
    ]
    chosen = run(ValidatePaymentForm(), said('/choose{"customer": "Fjord Bygg AS"}', intent="choose", asker=owner,
                                             conversation=asking, extracted={"payment_customer": "Fjord Bygg AS"}),
                 INVOICE_DOMAIN)
    assert chosen.slots()["payment_invoice"] == str(number)
    assert chosen.slots()["requested_slot"] is None


def test_a_credit_note_for_a_name_fitting_two_customers_offers_a_button_each(
    action_books: sessionmaker[Session],
) -> None:
    owner = books_with_customers(action_books)
    issued(action_books, owner)
    domain = {"forms": {"credit_form": {"required_slots": ["credit_invoice_number", "credit_customer"]}}}
    picked = run(ValidateCreditForm(), said("credit fjord's invoice", intent="credit_invoice", asker=owner,
                                            language="en", extracted={"credit_customer": "fjord"}), domain)
    asking = Conversation(slots=picked.slots(), active_loop="credit_form", requested_slot="credit_invoice_number")
    asked = run(AskCreditInvoiceNumber(), said("credit fjord's invoice", intent="credit_invoice", asker=owner,
                                               language="en", conversation=asking))
    assert asked.text == "Several customers match. Whose invoice should I credit?"
    assert [b["title"] for b in asked.buttons] == ["Fjord Bygg AS", "Fjord Byggservice AS"]


def test_the_invoice_question_offers_the_open_invoices_when_no_customer_was_said(
    action_books: sessionmaker[Session],
) -> None:
    owner = books_with_customers(action_books)
    number = issued(action_books, owner)
    asking = Conversation(active_loop="payment_form", requested_slot="payment_invoice")
    asked = run(AskPaymentInvoice(), said("registrer innbetaling", intent="register_payment", asker=owner,
                                          conversation=asking))
    assert asked.text == "Hvilken faktura er betalt? Si nummeret eller kunden."
    assert [b["payload"] for b in asked.buttons] == [f'/choose{{"invoice_number": "{number}"}}']


# --------------------------------------------------------------------------------------------
# Sending


def smtp_settings(monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    monkeypatch.setenv("BOKBOT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("BOKBOT_SMTP_PORT", str(port))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    def __init__(self) -> None:
        self.recipients: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook
        self.recipients.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


def send_offer(owner: Person, number: int) -> Conversation:
    offer = run(ActionSendInvoice(), said(f"send faktura {number}", intent="send_invoice", asker=owner,
                                          entities={"invoice_number": str(number)}))
    assert offer.text.startswith(f"Sende faktura {number} (6 250,00 kr) til Fjord Bygg AS på post@fjordbygg.no")
    return awaiting(offer.slots()["pending"])


def test_an_invoice_is_sent_on_ja_and_marked_sent(
    action_books: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = books_with_customers(action_books)
    number = issued(action_books, owner)
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        smtp_settings(monkeypatch, port)
        done = answer(ActionConfirm(), owner, "ja", "affirm", send_offer(owner, number), "s1")
    finally:
        controller.stop()
    assert reply(done) == f"Faktura {number} (6 250,00 kr) er sendt til Fjord Bygg AS på post@fjordbygg.no."
    assert inbox.recipients == ["post@fjordbygg.no"]
    with action_books.begin() as session:
        assert get_invoice(session, owner.company_id, number).status == "sent"


def test_a_mail_server_that_does_not_answer_leaves_the_invoice_unsent(
    action_books: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = books_with_customers(action_books)
    number = issued(action_books, owner)
    smtp_settings(monkeypatch, free_port())
    done = answer(ActionConfirm(), owner, "ja", "affirm", send_offer(owner, number), "s1")
    assert reply(done).startswith("Jeg fikk ikke sendt fakturaen: e-postserveren tok ikke imot den.")
    with action_books.begin() as session:
        invoice = get_invoice(session, owner.company_id, number)
        assert (invoice.status, invoice.sent_at) == ("issued", None)


def test_a_projects_unbilled_hours_are_invoiced_and_marked_invoiced(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    yesterday = clock.today() - dt.timedelta(days=1)
    with action_books.begin() as session:
        customer = session.scalars(select(Customer).where(Customer.name == "Nordlys AS")).one()
        project = create_project(session, owner.company_id, "Nettside", customer_id=customer.id, hourly_rate="950")
        log_time(session, owner.company_id, owner.user_id, project.id, yesterday, "3.5")
        log_time(session, owner.company_id, owner.user_id, project.id, yesterday - dt.timedelta(days=1), "4")
    picked = validate_invoice(owner, "fakturer timene på nettside", {"invoice_project": "nettside"})
    assert (picked.slots()["invoice_project"], picked.slots()["invoice_customer"]) == ("Nettside", "Nordlys AS")
    assert picked.slots()["requested_slot"] is None
    shown, conversation = proposal_for(owner, {"invoice_customer": "Nordlys AS", "invoice_project": "Nettside"})
    assert shown.text.startswith("Faktura til Nordlys AS: 8 906,25 kr inkl. mva")
    assert "- Nettside: 7,5 t × 950,00 kr = 7 125,00 kr" in shown.text
    answer(ActionConfirm(), owner, "ja", "affirm", conversation, "u1")
    with action_books.begin() as session:
        assert unbilled_hours(session, owner.company_id, project_id=project.id) == []
