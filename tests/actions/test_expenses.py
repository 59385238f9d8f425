"""Registering an expense: the form's questions, the van-or-car question asked once, the
summary with accounts and VAT, and the voucher posted on "ja"."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.confirmation import ActionConfirm
from actions.expenses import (
    FORM_SLOTS,
    ActionProposeExpense,
    AskExpenseCategory,
    AskExpenseVehicle,
    ValidateRegisterExpenseForm,
    vehicle_of,
)
from ledger import clock
from ledger.expenses import set_vehicle
from ledger.formatting import format_date
from ledger.identity import add_user
from ledger.models import Company, JournalEntry, JournalLine
from tests.actions.chat_builders import (
    Conversation,
    Person,
    Said,
    action_books,
    form_domain,
    new_company,
    run,
    said,
)

__all__ = ["action_books"]

DOMAIN = form_domain("register_expense_form", FORM_SLOTS)
TODAY = clock.today()


def validate(text: str, asker: Person, extracted: dict[str, object], *, requested: str | None = None,
             slots: dict[str, object] | None = None, language: str = "nb",
             entities: dict[str, str | tuple[str, str]] | None = None) -> Said:
    conversation = Conversation(slots={"language": language, **(slots or {})}, active_loop="register_expense_form",
                                requested_slot=requested)
    tracker = said(text, intent="register_expense", asker=asker, language=language, entities=entities,
                   conversation=conversation, extracted=extracted)
    return run(ValidateRegisterExpenseForm(), tracker, DOMAIN)


def propose(asker: Person, slots: dict[str, object], language: str = "nb") -> Said:
    text = "register the expense" if language == "en" else "før utgiften"
    return run(ActionProposeExpense(), said(text, intent="register_expense", asker=asker, language=language,
                                            conversation=Conversation(slots=slots)))


def confirm(asker: Person, proposal: Said, intent: str = "affirm") -> Said:
    pending = proposal.slots()["pending"]
    conversation = Conversation(slots={"pending": pending},
                                events=[{"event": "slot", "name": "pending", "value": pending}])
    return run(ActionConfirm(), said("ja", intent=intent, asker=asker, message_id="m9", conversation=conversation))


def journal(books: sessionmaker[Session]) -> list[tuple[str, Decimal, Decimal, str | None]]:
    with books.begin() as session:
        return [
            (line.account, line.debit, line.credit, line.vat_code)
            for line in session.scalars(select(JournalLine).order_by(JournalLine.id))
        ]


def vehicle(books: sessionmaker[Session], company_id: int) -> str | None:
    with books.begin() as session:
        company = session.get(Company, company_id)
        assert company is not None
        return company.vehicle


def test_fuel_asks_van_or_car_once_and_remembers_it(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books, vat_registered=True)
    first = validate("jeg betalte 500 kr for drivstoff", owner,
                     {"expense_amount": "500", "expense_category": "drivstoff"})
    slots = first.slots()
    assert slots["expense_amount"] == "500.00" and slots["expense_category"] == "drivstoff"
    assert slots["requested_slot"] == "expense_vehicle"

    asked = run(AskExpenseVehicle(), said("x", asker=owner, conversation=Conversation(slots=slots)))
    assert asked.texts[0].startswith("Er bilen en varebil eller en personbil?")
    assert [(b["title"], b["payload"]) for b in asked.buttons] == [
        ("Varebil", '/choose{"vehicle": "van"}'),
        ("Personbil", '/choose{"vehicle": "car"}'),
    ]
    answered = validate("/choose", owner, {"expense_vehicle": "van"}, requested="expense_vehicle", slots=slots)
    assert answered.texts == ["Notert: selskapet har varebil. Det husker jeg til neste gang."]
    assert answered.slots()["requested_slot"] is None
    assert vehicle(action_books, owner.company_id) == "van"

    again = validate("500 kr diesel", owner, {"expense_amount": "500", "expense_category": "diesel"})
    assert again.slots()["requested_slot"] is None


def test_the_summary_shows_accounts_net_vat_total_and_why_then_posts_on_yes(
    action_books: sessionmaker[Session],
) -> None:
    owner = new_company(action_books, vat_registered=True)
    with action_books.begin() as session:
        company = session.get(Company, owner.company_id)
        assert company is not None
        company.vehicle = "van"
    proposal = propose(owner, {"expense_amount": "500.00", "expense_category": "drivstoff",
                               "expense_vendor": "Circle K"})
    assert proposal.texts == [
        f"Utgift 500,00 kr: drivstoff, Circle K, {format_date(TODAY, 'nb')}.\n"
        "• 7000 Drivstoff: debet 400,00 kr (mva-kode 1)\n"
        "• 2710 Inngående merverdiavgift: debet 100,00 kr (mva-kode 1)\n"
        "• 1920 Bankinnskudd: kredit 500,00 kr\n"
        "Netto 400,00 kr + mva 100,00 kr = 500,00 kr.\n"
        "Konto 7000, mva-kode 1: drivstoff til varebil gir fradrag for inngående mva.\n"
        "Skal jeg føre det?"
    ]
    assert [b["payload"] for b in proposal.buttons] == ["/affirm", "/deny"]
    assert all(proposal.slots()[s] is None for s in FORM_SLOTS)
    assert journal(action_books) == []

    done = confirm(owner, proposal)
    assert done.texts[0].startswith("Ført som bilag ")
    assert journal(action_books) == [
        ("7000", Decimal("400.00"), Decimal("0.00"), "1"),
        ("2710", Decimal("100.00"), Decimal("0.00"), "1"),
        ("1920", Decimal("0.00"), Decimal("500.00"), None),
    ]
    with action_books.begin() as session:
        entry = session.scalars(select(JournalEntry)).one()
        assert (entry.created_by_id, entry.channel, entry.source) == (owner.user_id, "api", "chat:m9")


def test_a_passenger_car_deducts_no_vat_and_says_why_in_english(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books, vat_registered=True)
    with action_books.begin() as session:
        company = session.get(Company, owner.company_id)
        assert company is not None
        company.vehicle = "car"
    proposal = propose(owner, {"expense_amount": "500.00", "expense_category": "fuel"}, language="en")
    text = proposal.texts[0]
    assert text.startswith("Expense NOK 500.00: fuel,")
    assert "• 7000 Fuel: debit NOK 500.00 (VAT code 0)" in text or "• 7000 " in text
    assert "VAT Act § 8-4" in text
    confirm(owner, proposal)
    assert journal(action_books) == [
        ("7000", Decimal("500.00"), Decimal("0.00"), "0"),
        ("1920", Decimal("0.00"), Decimal("500.00"), None),
    ]


def test_an_expense_whose_vat_changed_since_the_summary_is_not_posted(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books, vat_registered=True)
    with action_books.begin() as session:
        set_vehicle(session, owner.company_id, "van")
    proposal = propose(owner, {"expense_amount": "500.00", "expense_category": "drivstoff"})
    assert "debet 100,00 kr (mva-kode 1)" in proposal.texts[0]
    with action_books.begin() as session:
        set_vehicle(session, owner.company_id, "car")  # a passenger car's fuel deducts no VAT: not what was shown
    answered = confirm(owner, proposal)
    assert answered.texts == ["Det kan jeg ikke føre slik det står. Ingenting er ført."]
    assert journal(action_books) == []


def test_no_posts_nothing(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books, vat_registered=True)
    proposal = propose(owner, {"expense_amount": "640.00", "expense_category": "lunsj med kunde"})
    assert "Konto 7350, mva-kode 0: representasjon gir ikke fradrag for mva (mval. § 8-3)." in proposal.texts[0]
    confirm(owner, proposal, intent="deny")
    assert journal(action_books) == []


def test_an_unknown_word_gets_the_closest_categories_as_buttons(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books, vat_registered=True)
    checked = validate("kontorrekvisitter", owner, {"expense_category": "blomster"},
                       requested="expense_category", slots={"expense_amount": "200.00"})
    assert checked.texts == ["Jeg vet ikke hvilken konto «blomster» hører til."]
    slots = checked.slots()
    assert slots["requested_slot"] == "expense_category"
    asked = run(AskExpenseCategory(), said("x", asker=owner, conversation=Conversation(
        slots={"expense_amount": "200.00", **slots})))
    assert asked.texts == ["Hva var 200,00 kr for?"]
    assert asked.buttons[0] == {"title": "bompenger", "payload": '/choose{"expense_category": "bompenger"}'}

    nothing_close = validate("xyzzy", owner, {"expense_category": "xyzzy"}, requested="expense_category",
                             slots={"expense_amount": "200.00"})
    titles = [o["title"] for o in nothing_close.slots()["choices"]["options"]]
    assert titles == ["drivstoff", "parkering", "kontorrekvisita", "lunsj med kunde", "telefon"]


def test_negative_and_three_decimal_amounts_are_refused(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books, vat_registered=True)
    negative = validate("-450 kr", owner, {"expense_amount": "450"}, requested="expense_amount",
                        entities={"amount": ("450", "450 kr")})
    assert negative.texts == ["Et utlegg kan ikke være negativt."]
    decimals = validate("12,345", owner, {"expense_amount": "12,345"}, requested="expense_amount", language="en")
    assert decimals.texts == ["Give the amount with at most two decimals (øre), for example 450 or 449.90."]


def test_staff_are_refused_and_the_form_ends(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books, vat_registered=True)
    with action_books.begin() as session:
        staff = Person(add_user(session, owner.company_id, "Ola", "staff").user.id, owner.company_id, "staff")
    checked = validate("jeg betalte 500 for drivstoff", staff, {"expense_amount": "500"})
    assert "egne timer" in checked.texts[0]
    assert {"event": "active_loop", "name": None, "timestamp": None} in checked.events


def test_van_or_car_answers_are_understood_in_both_languages() -> None:
    assert [vehicle_of(s) for s in ("varebil", "Varebilen", "a van", "van", "personbil", "passenger car",
                                    "car", "det er en bil", "sykkel", "varebil og personbil")] == [
        "van", "van", "van", "van", "car", "car", "car", "car", None, None]
