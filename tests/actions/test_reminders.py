"""Muting deadline reminders in the chat: the kind said, the kind last reminded of, or all;
unmuting; staff told politely."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session, sessionmaker

from actions.reminders import ActionMuteReminder
from ledger.identity import add_user
from ledger.models import SentReminder
from ledger.reminders import reminder_settings
from tests.actions.chat_builders import Person, action_books, new_company, run, said

__all__ = ["action_books"]


def settings(books: sessionmaker[Session], person: Person) -> dict[str, bool]:
    with books.begin() as s:
        return reminder_settings(s, person.user_id, person.company_id)


def test_the_kind_said_is_muted_for_the_asker(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books)
    shown = run(ActionMuteReminder(), said("slå av påminnelser om mva", intent="mute_reminders", asker=owner,
                                           entities={"reminder_kind": "mva"}))
    assert shown.texts == [
        "Greit, du får ikke flere påminnelser om mva-meldingen på Telegram. "
        "Skriv «slå på påminnelser om mva-meldingen» om du vil ha dem igjen."
    ]
    assert settings(action_books, owner)["mva"] is False
    assert settings(action_books, owner)["invoice"] is True


def test_without_a_kind_the_last_reminder_s_kind_is_muted(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books)
    with action_books.begin() as s:
        s.add(SentReminder(company_id=owner.company_id, kind="invoice", subject="10001",
                           due_date=dt.date(2026, 12, 10), lead_days=7, user_id=owner.user_id))
    shown = run(ActionMuteReminder(), said("stop these reminders", intent="mute_reminders", asker=owner,
                                           language="en"))
    assert shown.texts[0].startswith("OK, no more reminders about invoices falling due on Telegram.")
    assert [k for k, on in settings(action_books, owner).items() if not on] == ["invoice"]


def test_without_a_kind_or_a_reminder_every_kind_is_muted_and_can_be_unmuted(
    action_books: sessionmaker[Session],
) -> None:
    owner = new_company(action_books)
    run(ActionMuteReminder(), said("ikke send meg påminnelser", intent="mute_reminders", asker=owner))
    assert not any(settings(action_books, owner).values())
    run(ActionMuteReminder(), said("slå av påminnelser om mva", intent="mute_reminders", asker=owner))
    shown = run(ActionMuteReminder(), said("slå på påminnelsene igjen", intent="unmute_reminders", asker=owner))
    assert shown.texts == ["Greit, du får påminnelser om alle frister på Telegram igjen, 7 dager og 1 dag før fristen."]
    assert all(settings(action_books, owner).values())


def test_staff_cannot_mute_what_they_are_not_sent(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books)
    with action_books.begin() as s:
        staff = add_user(s, owner.company_id, "Ola", "staff")
    asker = Person(staff.user.id, owner.company_id, "staff")
    shown = run(ActionMuteReminder(), said("slå av påminnelser om mva", intent="mute_reminders", asker=asker))
    assert len(shown.texts) == 1
    with action_books.begin() as s:
        assert reminder_settings(s, staff.user.id, owner.company_id)["mva"] is True
