"""Crediting part of an invoice and paying money back from the chat: "krediter 2 timer av
faktura 10004", "credit 500 kr of invoice 10004", "krediter linje 2 på faktura 10004",
"refunder 500 kr til Fjord Bygg". The summary shows what is credited before and after VAT
and what is paid back; "ja" posts exactly that, once."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.confirmation import ActionConfirm
from actions.invoicing import ActionProposeCredit, ActionProposeRefund, ValidateCreditForm, line_said
from ledger.invoicing import get_invoice, invoice_hours, issue_invoice, list_invoices, paid_amount, register_payment
from ledger.models import Customer, Payment
from tests.actions.chat_builders import Conversation, Person, Said, action_books, run, said
from tests.actions.test_invoicing import answer, awaiting, books_with_customers, entries, journal_lines
from tests.ledger.builders import day, line

__all__ = ["action_books"]

D = Decimal
CREDIT_DOMAIN = {
    "forms": {
        "credit_form": {
            "required_slots": ["credit_invoice_number", "credit_customer", "credit_hours", "credit_amount",
                               "credit_line"],
        }
    }
}


def _fjord(books: sessionmaker[Session]) -> int:
    with books.begin() as session:
        return session.scalars(select(Customer.id).where(Customer.name == "Fjord Bygg AS")).one()


def issued(books: sessionmaker[Session], owner: Person, hours: str = "5", paid: str | None = None) -> int:
    """An invoice of `hours` to Fjord Bygg AS at 1 000 kr/h plus VAT, with `paid` paid on it."""
    customer = _fjord(books)
    with books.begin() as session:
        number = invoice_hours(session, owner.company_id, customer, hours, description="Arbeid",
                               issue_date=day("2026-11-02")).number
        if paid:
            register_payment(session, owner.company_id, number, paid, day("2026-11-10"))
        return number


def proposed_credit(owner: Person, slots: dict[str, str], text: str = "krediter", language: str = "nb") -> Said:
    return run(ActionProposeCredit(), said(text, intent="credit_invoice", asker=owner, language=language,
                                           conversation=Conversation(slots=slots)))


def test_hours_said_credit_that_part_of_the_invoice_showing_it_before_and_after_vat(
    action_books: sessionmaker[Session],
) -> None:
    owner = books_with_customers(action_books)
    number = issued(action_books, owner)
    shown = proposed_credit(owner, {"credit_invoice_number": str(number), "credit_hours": "2.00"},
                            f"krediter 2 timer av faktura {number}")
    assert shown.text.startswith(f"Kreditnota for faktura {number} til Fjord Bygg AS: 2 500,00 kr inkl. mva")
    assert "Krediteres: Arbeid, 2 timer à 1 000,00 kr, altså 2 000,00 kr eks. mva og 2 500,00 kr inkl. mva." \
        in shown.text
    assert "Resten av fakturaen står som før, med 3 750,00 kr utestående." in shown.text
    assert "betales tilbake" not in shown.text
    assert entries(action_books, owner.company_id) == 1  # the invoice only: nothing posted yet
    conversation = awaiting(shown.slots()["pending"])
    done = answer(ActionConfirm(), owner, "ja", "affirm", conversation, "c1")
    assert done.text.startswith(f"Kreditnota {number + 1} for faktura {number} (Fjord Bygg AS, 2 500,00 kr)")
    again = answer(ActionConfirm(), owner, "ja", "affirm", conversation, "c1")
    assert again.text.startswith(f"Dette er allerede bokført, så jeg fører det ikke en gang til: Kreditnota "
                                 f"{number + 1} for faktura {number} (Fjord Bygg AS, 2 500,00 kr) er utstedt og ført")
    with action_books.begin() as session:
        assert [i.kind for i in list_invoices(session, owner.company_id)] == ["invoice", "credit_note"]
        assert get_invoice(session, owner.company_id, number).credited == D("2500.00")


def test_an_amount_said_is_credited_before_vat_and_the_summary_says_both(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    number = issued(action_books, owner)
    shown = proposed_credit(owner, {"credit_invoice_number": str(number), "credit_amount": "500"},
                            f"credit 500 kr of invoice {number}", language="en")
    assert shown.text.startswith(f"Credit note for invoice {number} to Fjord Bygg AS: NOK 625.00 incl. VAT")
    assert "Credited: Arbeid, that is NOK 500.00 excl. VAT and NOK 625.00 incl. VAT." in shown.text
    assert "Shall I issue the credit note?" in shown.text


def test_a_line_named_is_credited_whole(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    customer = _fjord(action_books)
    with action_books.begin() as session:
        number = issue_invoice(session, owner.company_id, customer,
                               [line("2 × 1000 @3 Rådgivning"), line("1 × 400 @3 Reise")]).number
    shown = proposed_credit(owner, {"credit_invoice_number": str(number), "credit_line": "2"},
                            f"krediter linje 2 på faktura {number}")
    assert shown.text.startswith(f"Kreditnota for faktura {number} til Fjord Bygg AS: 500,00 kr inkl. mva")
    assert "Krediteres: Reise, altså 400,00 kr eks. mva og 500,00 kr inkl. mva." in shown.text
    too_vague = proposed_credit(owner, {"credit_invoice_number": str(number), "credit_amount": "100"})
    assert "Fakturaen har flere linjer: si hvilken linje" in too_vague.text
    assert "pending" not in too_vague.slots()


def test_the_credit_form_reads_the_line_and_the_hours_and_takes_a_paid_invoice(
    action_books: sessionmaker[Session],
) -> None:
    assert line_said("krediter linje 2 på faktura 10004") == 2
    assert line_said("credit line no. 3 of invoice 10004") == 3
    assert line_said("krediter faktura 10004") is None
    owner = books_with_customers(action_books)
    number = issued(action_books, owner, paid="6250")
    text = f"krediter 2 timer av linje 1 på faktura {number}"
    result = run(ValidateCreditForm(), said(text, intent="credit_invoice", asker=owner,
                                            extracted={"credit_invoice_number": str(number), "credit_hours": "2"}),
                 CREDIT_DOMAIN)
    slots = result.slots()
    assert (slots["credit_invoice_number"], slots["credit_hours"], slots["credit_line"]) == (str(number), "2.00", "1")
    bad = run(ValidateCreditForm(), said("krediter -2 timer", intent="credit_invoice", asker=owner,
                                         extracted={"credit_invoice_number": str(number), "credit_hours": "-2"}),
              CREDIT_DOMAIN)
    assert bad.slots()["credit_hours"] is None


def test_crediting_a_paid_invoice_offers_the_refund_and_ja_posts_both(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    number = issued(action_books, owner, paid="6250")
    shown = proposed_credit(owner, {"credit_invoice_number": str(number), "credit_hours": "1.00"},
                            f"krediter 1 time av faktura {number}")
    assert "Fjord Bygg AS har betalt fakturaen, så 1 250,00 kr betales tilbake (1500 debet / 1920 kredit)." \
        in shown.text
    assert "Skal jeg utstede kreditnotaen og føre tilbakebetalingen på 1 250,00 kr?" in shown.text
    done = answer(ActionConfirm(), owner, "ja", "affirm", awaiting(shown.slots()["pending"]), "r1")
    assert "Tilbakebetalingen på 1 250,00 kr til Fjord Bygg AS er ført" in done.text
    assert journal_lines(action_books, owner.company_id)[-2:] == [
        ("1500", D("1250.00"), D("0.00")), ("1920", D("0.00"), D("1250.00"))]
    with action_books.begin() as session:
        assert paid_amount(session, get_invoice(session, owner.company_id, number)) == D("5000.00")


def test_a_refund_that_changed_since_it_was_shown_is_not_posted(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    number = issued(action_books, owner, paid="5000")
    shown = proposed_credit(owner, {"credit_invoice_number": str(number), "credit_hours": "2.00"})
    assert "betalt mer enn det som blir stående, så 1 250,00 kr betales tilbake" in shown.text
    with action_books.begin() as session:
        register_payment(session, owner.company_id, number, "1250", day("2026-11-12"))
    before = entries(action_books, owner.company_id)
    done = answer(ActionConfirm(), owner, "ja", "affirm", awaiting(shown.slots()["pending"]), "r2")
    assert "Regnskapet har endret seg" in done.text
    assert entries(action_books, owner.company_id) == before


def refund(owner: Person, text: str, entities: dict[str, str], language: str = "nb") -> Said:
    return run(ActionProposeRefund(), said(text, intent="refund_payment", asker=owner, entities=entities,
                                           language=language))


def test_refund_to_a_customer_credits_its_paid_invoice_for_the_amount_including_vat(
    action_books: sessionmaker[Session],
) -> None:
    owner = books_with_customers(action_books)
    number = issued(action_books, owner, paid="6250")
    shown = refund(owner, "refunder 500 kr til Fjord Bygg", {"amount": "500", "customer": "Fjord Bygg"})
    assert shown.text.startswith(f"Kreditnota for faktura {number} til Fjord Bygg AS: 500,00 kr inkl. mva")
    assert "altså 400,00 kr eks. mva og 500,00 kr inkl. mva" in shown.text
    assert "så 500,00 kr betales tilbake" in shown.text
    pending = shown.slots()["pending"]
    assert pending["kind"] == "credit_invoice" and pending["values"]["refund"] == "500.00"
    done = answer(ActionConfirm(), owner, "ja", "affirm", awaiting(pending), "f1")
    assert "Tilbakebetalingen på 500,00 kr til Fjord Bygg AS er ført" in done.text
    with action_books.begin() as session:
        refunds = session.scalars(select(Payment.amount).where(Payment.amount < 0)).all()
        assert refunds == [D("-500.00")]
    english = refund(owner, "refund 500 kr to Fjord Bygg", {"amount": "500", "customer": "Fjord Bygg"},
                     language="en")
    assert english.text.startswith(f"Credit note for invoice {number} to Fjord Bygg AS: NOK 500.00 incl. VAT")
    assert "so NOK 500.00 will be paid back" in english.text


def test_a_refund_that_several_invoices_could_pay_asks_which(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    first = issued(action_books, owner, paid="6250")
    second = issued(action_books, owner, hours="2", paid="2500")
    shown = refund(owner, "refunder 500 kr til Fjord Bygg", {"amount": "500", "customer": "Fjord Bygg"})
    assert shown.text.startswith("500,00 kr kan betales tilbake til Fjord Bygg AS fra flere betalte fakturaer.")
    assert [b["title"] for b in shown.buttons] == [str(second), str(first)]
    assert shown.buttons[0]["payload"] == (
        f'/refund_payment{{"invoice_number": "{second}", "amount": "500.00", "customer": "Fjord Bygg AS"}}')
    assert "pending" not in shown.slots()
    picked = refund(owner, "/refund_payment", {"invoice_number": str(first), "amount": "500",
                                               "customer": "Fjord Bygg AS"})
    assert picked.text.startswith(f"Kreditnota for faktura {first} til Fjord Bygg AS: 500,00 kr inkl. mva")


def test_a_refund_with_nothing_to_pay_it_from_or_no_amount_is_explained(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    issued(action_books, owner)  # not paid: nothing to pay back
    none = refund(owner, "refunder 500 kr til Fjord Bygg", {"amount": "500", "customer": "Fjord Bygg"})
    assert none.text.startswith("Fjord Bygg AS har ingen betalt faktura med 500,00 kr eller mer betalt")
    assert "Ingenting er ført." in none.text
    how = refund(owner, "refund the customer", {}, language="en")
    assert how.text.startswith('Say how much to pay back and to whom, for example "refund 500 kr to Fjord Bygg"')
    unknown = refund(owner, "refunder 500 kr til Havbris", {"amount": "500", "customer": "Havbris"})
    assert "Jeg finner ingen kunde som heter Havbris" in unknown.text
    assert entries(action_books, owner.company_id) == 1


def test_more_hours_than_are_left_are_refused_saying_what_is_left(action_books: sessionmaker[Session]) -> None:
    owner = books_with_customers(action_books)
    number = issued(action_books, owner)
    shown = proposed_credit(owner, {"credit_invoice_number": str(number), "credit_hours": "6.00"})
    assert shown.text == "Så mye er det ikke igjen å kreditere: det er 5,00 igjen på den linjen. Ingenting er ført."
    assert "pending" not in shown.slots()
    assert entries(action_books, owner.company_id) == 1
