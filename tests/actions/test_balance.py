"""The bank balance in the chat: now, on a past day or at the end of a span, and staff told
politely."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from actions.balance import ActionCheckBalance
from ledger import clock
from ledger.identity import add_user
from ledger.journal import Posting, post_entry
from tests.actions.chat_builders import Person, action_books, new_company, run, said

__all__ = ["action_books"]

TODAY = clock.today()
EARLIER = TODAY - dt.timedelta(days=40)
LATER = TODAY - dt.timedelta(days=10)


def paid_in(books: sessionmaker[Session], company_id: int, day: dt.date, amount: str) -> None:
    """Share capital paid into the bank."""
    with books.begin() as session:
        post_entry(session, company_id, day, "Innskudd", [
            Posting("1920", Decimal(amount)),
            Posting("2000", -Decimal(amount)),
        ], channel="api")


def books_with_two_deposits(books: sessionmaker[Session]) -> Person:
    owner = new_company(books)
    paid_in(books, owner.company_id, EARLIER, "30000")
    paid_in(books, owner.company_id, LATER, "5000")
    return owner


def test_the_balance_now_is_everything_in_the_bank(action_books: sessionmaker[Session]) -> None:
    owner = books_with_two_deposits(action_books)
    shown = run(ActionCheckBalance(), said("hva er saldoen?", intent="check_balance", asker=owner))
    assert shown.texts == ["Saldoen på driftskontoen er 35 000,00 kr."]


def test_the_balance_on_a_past_day_leaves_out_what_came_later(action_books: sessionmaker[Session]) -> None:
    owner = books_with_two_deposits(action_books)
    day = LATER - dt.timedelta(days=1)
    shown = run(ActionCheckBalance(), said("what was my balance then?", intent="check_balance", asker=owner,
                                           language="en", entities={"date": day.isoformat()}))
    [text] = shown.texts
    assert text.startswith("Your bank balance was NOK 30,000.00 at the end of ")
    assert str(day.year) in text


def test_the_balance_of_a_span_is_the_balance_at_its_end(action_books: sessionmaker[Session]) -> None:
    owner = books_with_two_deposits(action_books)
    span = f"{EARLIER.isoformat()}/{LATER.isoformat()}"
    shown = run(ActionCheckBalance(), said("saldoen i den perioden", intent="check_balance", asker=owner, language="nb",
                                           entities={"period": span}))
    [text] = shown.texts
    assert text.startswith("Saldoen på driftskontoen var 35 000,00 kr ved utgangen av ")


def test_today_or_a_day_ahead_is_the_balance_now(action_books: sessionmaker[Session]) -> None:
    owner = books_with_two_deposits(action_books)
    for day in (TODAY, TODAY + dt.timedelta(days=3)):
        shown = run(ActionCheckBalance(), said("saldo", intent="check_balance", asker=owner,
                                               entities={"date": day.isoformat()}))
        assert shown.texts == ["Saldoen på driftskontoen er 35 000,00 kr."]


def test_staff_and_strangers_are_not_told_the_balance(action_books: sessionmaker[Session]) -> None:
    owner = books_with_two_deposits(action_books)
    with action_books.begin() as session:
        staff = Person(add_user(session, owner.company_id, "Ola", "staff").user.id, owner.company_id, "staff")
    refused = run(ActionCheckBalance(), said("hva er saldoen?", intent="check_balance", asker=staff))
    assert len(refused.texts) == 1 and "egne timer" in refused.texts[0]
    assert "kr" not in refused.texts[0]
    stranger = run(ActionCheckBalance(), said("hva er saldoen?", intent="check_balance"))
    assert len(stranger.texts) == 1 and "kr" not in stranger.texts[0]
