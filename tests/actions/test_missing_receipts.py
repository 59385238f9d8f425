"""The chat side of voucher documentation: an expense posted without its receipt asks for it,
"hvilke utgifter mangler kvittering?" lists them until the receipt is attached, and equipment
whose life is unclear is asked about ("Er dette utstyr som varer i 3 år eller mer?")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.confirmation import ActionConfirm
from actions.expenses import ActionProposeExpense
from actions.missing_receipts import SHOWN, ActionListMissingReceipts
from ledger import clock
from ledger.attachments import attach_document
from ledger.expenses import register_expense
from ledger.identity import add_user
from ledger.models import JournalLine
from tests.actions.chat_builders import Conversation, Person, Said, action_books, new_company, run, said

__all__ = ["action_books"]

TODAY = clock.today()
PDF = b"%PDF-1.7\n%%EOF\n"


def propose(asker: Person, slots: dict[str, object], language: str = "nb") -> Said:
    return run(
        ActionProposeExpense(),
        said(
            "før utgiften",
            intent="register_expense",
            asker=asker,
            language=language,
            conversation=Conversation(slots=slots),
        ),
    )


def answer(asker: Person, proposal: Said, intent: str, message_id: str, language: str = "nb") -> Said:
    pending = proposal.slots()["pending"]
    conversation = Conversation(
        slots={"pending": pending}, events=[{"event": "slot", "name": "pending", "value": pending}]
    )
    text = {"affirm": "ja", "deny": "nei"}[intent]
    return run(
        ActionConfirm(),
        said(text, intent=intent, asker=asker, message_id=message_id, language=language, conversation=conversation),
    )


def accounts(books: sessionmaker[Session]) -> list[str]:
    with books.begin() as s:
        return list(s.scalars(select(JournalLine.account).order_by(JournalLine.id)))


def ask_which(asker: Person, language: str = "nb") -> Said:
    text = "hvilke utgifter mangler kvittering?" if language == "nb" else "which expenses have no receipt?"
    return run(ActionListMissingReceipts(), said(text, intent="list_missing_receipts", asker=asker, language=language))


def test_an_expense_posted_without_a_receipt_asks_for_it(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books, vat_registered=True)
    proposal = propose(owner, {"expense_amount": "499.00", "expense_category": "kontorrekvisita"})
    done = answer(owner, proposal, "affirm", "m2")
    assert done.texts[0].startswith("Ført som bilag ")
    assert done.texts[0].endswith(
        "Har du kvitteringen? Send et bilde av den, så tar jeg vare på den sammen med bilaget."
    )
    english = propose(owner, {"expense_amount": "120.00", "expense_category": "parking"}, "en")
    done = answer(owner, english, "affirm", "m3", "en")
    assert done.texts[0].endswith("Do you have the receipt? Send a photo of it and I will keep it with the voucher.")


def test_the_expenses_missing_their_receipt_are_listed_until_it_is_attached(
    action_books: sessionmaker[Session],
) -> None:
    owner = new_company(action_books, vat_registered=True)
    assert ask_which(owner).texts == ["Alle utgiftene har kvitteringen sin. Ingenting mangler."]
    day = TODAY - dt.timedelta(days=3)
    with action_books.begin() as s:
        paper = register_expense(
            s, owner.company_id, "499", "kontorrekvisita", day, "Clas Ohlson", owner.user_id, "web"
        )
        register_expense(s, owner.company_id, "850", "lunsj med kunde", day, "Lofoten", owner.user_id, "web")
    listed = ask_which(owner)
    assert "2 utgifter mangler kvittering:" in listed.text
    assert f"• Bilag {paper.year}-{paper.voucher_number}" in listed.text
    assert "Kontorrekvisita, Clas Ohlson, 499,00 kr" in listed.text and "850,00 kr" in listed.text
    assert "Send et bilde eller en PDF av kvitteringen" in listed.text
    with action_books.begin() as s:
        attach_document(s, owner.company_id, paper.entry_id, PDF, "", created_by_id=owner.user_id, channel="web")
    listed = ask_which(owner, "en")
    assert listed.text.startswith("One expense is missing its receipt:") and "Kontorrekvisita" not in listed.text
    assert "Lunsj med kunde, Lofoten, NOK 850.00" in listed.text


def test_a_long_list_of_missing_receipts_shows_the_first_and_counts_the_rest(
    action_books: sessionmaker[Session],
) -> None:
    owner = new_company(action_books, vat_registered=True)
    with action_books.begin() as s:
        for n in range(SHOWN + 2):
            register_expense(s, owner.company_id, str(100 + n), "porto", TODAY, None, owner.user_id, "web")
    listed = ask_which(owner)
    assert listed.text.count("• Bilag ") == SHOWN and "… og 2 til." in listed.text


def test_staff_are_not_shown_the_expenses(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books, vat_registered=True)
    with action_books.begin() as s:
        register_expense(s, owner.company_id, "499", "kontorrekvisita", TODAY, None, owner.user_id, "web")
        staff = add_user(s, owner.company_id, "Ola", "staff")
    listed = ask_which(Person(staff.user.id, owner.company_id, "staff"))
    assert "Bilag" not in listed.text and "499" not in listed.text


def test_equipment_whose_life_is_unclear_is_asked_about_and_yes_posts_the_asset(
    action_books: sessionmaker[Session],
) -> None:
    owner = new_company(action_books, vat_registered=True)
    proposal = propose(owner, {"expense_amount": "50000.00", "expense_category": "verktøy"})
    assert proposal.texts[0].endswith(
        "Er dette utstyr som varer i 3 år eller mer? Ja fører det som driftsmiddel på konto 1200; "
        "nei viser det som en vanlig utgift."
    )
    assert "1200 Maskiner og anlegg: debet 40 000,00 kr" in proposal.text
    done = answer(owner, proposal, "affirm", "m2")
    assert "konto 1200 (driftsmiddel)" in done.texts[0]
    assert accounts(action_books) == ["1200", "2710", "1920"]


def test_equipment_whose_life_is_unclear_and_no_shows_it_as_a_cost_before_posting(
    action_books: sessionmaker[Session],
) -> None:
    owner = new_company(action_books, vat_registered=True)
    proposal = propose(owner, {"expense_amount": "50000.00", "expense_category": "tools"}, "en")
    assert "Is this equipment that lasts 3 years or more?" in proposal.text
    as_cost = answer(owner, proposal, "deny", "m2", "en")
    assert accounts(action_books) == []
    assert "6560 Supplies: debit NOK 40,000.00" in as_cost.text and as_cost.text.endswith("Shall I post it?")
    assert [b["payload"] for b in as_cost.buttons] == ["/affirm", "/deny"]
    done = answer(owner, as_cost, "affirm", "m3", "en")
    assert "on account 6560" in done.texts[0]
    assert accounts(action_books) == ["6560", "2710", "1920"]
    with action_books.begin() as s:
        assert sum(s.scalars(select(JournalLine.debit))) == Decimal("50000.00")


def test_a_no_to_an_ordinary_expense_still_posts_nothing(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books, vat_registered=True)
    proposal = propose(owner, {"expense_amount": "499.00", "expense_category": "kontorrekvisita"})
    denied = answer(owner, proposal, "deny", "m2")
    assert accounts(action_books) == [] and denied.buttons == []
