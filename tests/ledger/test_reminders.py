"""Which reminders are due on a day, for whom, muting them, and claiming each once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ledger import clock
from ledger.errors import InvalidInput
from ledger.invoicing import issue_invoice, register_payment
from ledger.models import SentReminder, User
from ledger.reminders import (
    Reminder,
    claim,
    due_reminders,
    kind_said,
    last_reminded_kind,
    release,
    reminder_settings,
    set_muted,
)
from tests.ledger.book_builders import day, new_company
from tests.ledger.builders import SalesBooks, line, sales_books

OWNER_TG, ACCOUNTANT_TG, STAFF_TG = 7001, 7002, 7003


def linked(books: sessionmaker[Session], *pairs: tuple[int, int]) -> None:
    with books.begin() as s:
        for user_id, telegram_id in pairs:
            user = s.get(User, user_id)
            assert user is not None
            user.telegram_user_id = telegram_id


def shop(books: sessionmaker[Session]) -> SalesBooks:
    """The sales books with owner, accountant and staff all on Telegram."""
    made = sales_books(books)
    linked(books, (made.owner_id, OWNER_TG), (made.accountant_id, ACCOUNTANT_TG), (made.staff_id, STAFF_TG))
    return made


def due_on(books: sessionmaker[Session], today: str) -> list[Reminder]:
    with clock.pinned(today), books.begin() as s:
        return due_reminders(s)


def summary(reminders: list[Reminder]) -> set[tuple[str, str, str, int, int]]:
    return {(r.kind, r.subject, r.due_date.isoformat(), r.lead_days, r.telegram_user_id) for r in reminders}


def test_a_vat_return_is_reminded_7_days_and_1_day_before_to_owner_and_accountant_not_staff(
    books: sessionmaker[Session],
) -> None:
    shop(books)
    # Term 5 (September–October 2026) is due Thursday 10 December 2026.
    assert summary(due_on(books, "2026-12-03")) == {
        ("mva", "2026-5", "2026-12-10", 7, OWNER_TG),
        ("mva", "2026-5", "2026-12-10", 7, ACCOUNTANT_TG),
    }
    assert summary(due_on(books, "2026-12-09")) == {
        ("mva", "2026-5", "2026-12-10", 1, OWNER_TG),
        ("mva", "2026-5", "2026-12-10", 1, ACCOUNTANT_TG),
    }
    assert due_on(books, "2026-12-10") == []  # the day itself: nothing more
    assert due_on(books, "2026-12-02") == []  # more than 7 days before: nothing yet


def test_the_reminder_follows_a_deadline_moved_past_a_weekend(books: sessionmaker[Session]) -> None:
    shop(books)
    # Term 4's 10 October 2026 is a Saturday: due Monday 12 October, so reminded 5 and 11 October.
    assert ("mva", "2026-4", "2026-10-12", 7, OWNER_TG) in summary(due_on(books, "2026-10-05"))
    assert ("mva", "2026-4", "2026-10-12", 1, OWNER_TG) in summary(due_on(books, "2026-10-11"))
    assert not [r for r in due_on(books, "2026-10-03") if r.kind == "mva"]


def test_reminders_cross_the_year_end(books: sessionmaker[Session]) -> None:
    company_id = new_company(books, has_employees=True, vat_registered=False)
    with books.begin() as s:
        owner = s.query(User).filter(User.name == "Kari").one()
        owner.telegram_user_id = OWNER_TG
    # The A-melding for December 2026 is due Tuesday 5 January 2027.
    on_29th = due_on(books, "2026-12-29")
    assert summary(on_29th) == {("a-melding", "2026-12", "2027-01-05", 7, OWNER_TG)}
    assert on_29th[0].company_id == company_id
    assert summary(due_on(books, "2027-01-04")) == {("a-melding", "2026-12", "2027-01-05", 1, OWNER_TG)}
    assert due_on(books, "2027-01-05") == []


def test_an_unpaid_invoice_is_reminded_before_it_falls_overdue_and_a_paid_one_is_not(
    books: sessionmaker[Session],
) -> None:
    made = shop(books)
    with books.begin() as s:
        unpaid = issue_invoice(s, made.company_id, made.fjord_id, [line("2 × 1000")], issue_date=day("2026-11-02"))
        paid = issue_invoice(s, made.company_id, made.nordlys_id, [line("1 × 500")], issue_date=day("2026-11-02"))
        register_payment(s, made.company_id, paid.number, "625.00", day("2026-11-05"))
        due = unpaid.due_date
    week_before = (due - dt.timedelta(days=7)).isoformat()
    invoices = [r for r in due_on(books, week_before) if r.kind == "invoice"]
    assert {(r.subject, r.lead_days, r.telegram_user_id) for r in invoices} == {
        (str(unpaid.number), 7, OWNER_TG),
        (str(unpaid.number), 7, ACCOUNTANT_TG),
    }
    assert invoices[0].customer == "Fjord Bygg AS"
    assert str(invoices[0].amount) == "2500.00"
    day_before = (due - dt.timedelta(days=1)).isoformat()
    assert {r.lead_days for r in due_on(books, day_before) if r.kind == "invoice"} == {1}
    assert [r for r in due_on(books, due.isoformat()) if r.kind == "invoice"] == []


def test_a_muted_kind_is_not_reminded_to_that_person_only(books: sessionmaker[Session]) -> None:
    made = shop(books)
    with books.begin() as s:
        assert set_muted(s, made.owner_id, made.company_id, "mva", True) is True
    assert summary(due_on(books, "2026-12-03")) == {("mva", "2026-5", "2026-12-10", 7, ACCOUNTANT_TG)}
    with books.begin() as s:
        set_muted(s, made.accountant_id, made.company_id, "all", True)
        assert reminder_settings(s, made.accountant_id, made.company_id)["invoice"] is False
        assert reminder_settings(s, made.owner_id, made.company_id)["invoice"] is True
    assert due_on(books, "2026-12-03") == []
    with books.begin() as s:
        assert set_muted(s, made.owner_id, made.company_id, "mva", False) is False
    assert summary(due_on(books, "2026-12-03")) == {("mva", "2026-5", "2026-12-10", 7, OWNER_TG)}


def test_an_unknown_kind_cannot_be_muted(books: sessionmaker[Session]) -> None:
    made = shop(books)
    with books.begin() as s, pytest.raises(InvalidInput):
        set_muted(s, made.owner_id, made.company_id, "birthdays", True)


def test_a_reminder_is_claimed_once_and_can_be_given_back(books: sessionmaker[Session]) -> None:
    shop(books)
    [first, *_] = due_on(books, "2026-12-03")
    with books.begin() as s:
        assert claim(s, first) is True
    with books.begin() as s:
        assert claim(s, first) is False
    with books.begin() as s:
        release(s, first)
    with books.begin() as s:
        assert claim(s, first) is True


@pytest.mark.parametrize(
    ("words", "kind"),
    [
        ("slå av påminnelser om mva-meldingen", "mva"),
        ("ikke mas om a-meldingen", "a-melding"),
        ("stop invoice reminders", "invoice"),
        ("no more reminders about the annual accounts", "arsregnskap"),
        ("aksjonærregisteroppgaven", "aksjonaerregisteroppgave"),
        ("the tax return", "skattemelding"),
        ("slå av alle påminnelser", "all"),
        ("slå av påminnelsene", None),
    ],
)
def test_the_kind_of_reminder_named_in_words(words: str, kind: str | None) -> None:
    assert kind_said(words) == kind


def test_the_last_reminded_kind_is_the_latest_sent_to_that_person(books: sessionmaker[Session]) -> None:
    made = shop(books)
    with books.begin() as s:
        assert last_reminded_kind(s, made.owner_id, made.company_id) is None
    for reminder in due_on(books, "2026-12-03"):
        with books.begin() as s:
            claim(s, reminder)
    with books.begin() as s:
        assert last_reminded_kind(s, made.owner_id, made.company_id) == "mva"
        assert last_reminded_kind(s, made.staff_id, made.company_id) is None


def send_round(books: sessionmaker[Session], today: str) -> list[Reminder]:
    """One gateway's round on `today`: each reminder due claimed (and so sent) or not."""
    sent = []
    with clock.pinned(today):
        for reminder in due_on(books, today):
            with books.begin() as s:
                if claim(s, reminder):
                    sent.append(reminder)
    return sent


def test_a_reminder_missed_on_its_day_goes_out_the_next_day_and_only_once(books: sessionmaker[Session]) -> None:
    shop(books)
    # No gateway ran on 3 December (7 days before term 5's 10 December): the 4th catches up,
    # saying the days actually left.
    caught_up = send_round(books, "2026-12-04")
    assert summary(caught_up) == {
        ("mva", "2026-5", "2026-12-10", 7, OWNER_TG),
        ("mva", "2026-5", "2026-12-10", 7, ACCOUNTANT_TG),
    }
    assert {r.days_left for r in caught_up} == {6}
    assert send_round(books, "2026-12-04") == []  # another round, or another process
    assert send_round(books, "2026-12-05") == []  # the days after, still due but sent
    assert send_round(books, "2026-12-08") == []
    assert summary(send_round(books, "2026-12-09")) == {
        ("mva", "2026-5", "2026-12-10", 1, OWNER_TG),
        ("mva", "2026-5", "2026-12-10", 1, ACCOUNTANT_TG),
    }
    assert send_round(books, "2026-12-09") == []
    assert send_round(books, "2026-12-10") == []


def test_on_its_day_a_reminder_already_sent_is_not_sent_again(books: sessionmaker[Session]) -> None:
    shop(books)
    assert {r.days_left for r in send_round(books, "2026-12-03")} == {7}
    assert send_round(books, "2026-12-04") == []


def test_after_a_longer_outage_only_the_most_urgent_reminder_goes_out(books: sessionmaker[Session]) -> None:
    shop(books)
    # Down from 3 to 8 December: on the 9th the 7-day reminder is stale, only "tomorrow" goes out.
    due = due_on(books, "2026-12-09")
    assert {(r.lead_days, r.days_left) for r in due} == {(1, 1)}
    assert summary(send_round(books, "2026-12-09")) == {
        ("mva", "2026-5", "2026-12-10", 1, OWNER_TG),
        ("mva", "2026-5", "2026-12-10", 1, ACCOUNTANT_TG),
    }
    with books.begin() as s:
        assert s.query(SentReminder).filter(SentReminder.lead_days == 7).count() == 0


def test_a_stale_reminder_listed_before_midnight_is_not_sent_after_the_urgent_one(
    books: sessionmaker[Session],
) -> None:
    shop(books)
    [late_listed, *_] = due_on(books, "2026-12-08")  # the 7-day one, listed on the 8th
    assert late_listed.lead_days == 7
    send_round(books, "2026-12-09")  # another process, already on the 9th, sent "tomorrow"
    with books.begin() as s:
        assert claim(s, late_listed) is False


def test_a_missed_invoice_reminder_is_caught_up_with_the_days_left(books: sessionmaker[Session]) -> None:
    made = shop(books)
    with books.begin() as s:
        unpaid = issue_invoice(s, made.company_id, made.fjord_id, [line("2 × 1000")], issue_date=day("2026-11-02"))
        due = unpaid.due_date
    three_days_before = (due - dt.timedelta(days=3)).isoformat()
    invoices = [r for r in send_round(books, three_days_before) if r.kind == "invoice"]
    assert {(r.subject, r.lead_days, r.days_left) for r in invoices} == {(str(unpaid.number), 7, 3)}
    assert [r for r in send_round(books, (due - dt.timedelta(days=2)).isoformat()) if r.kind == "invoice"] == []
    day_before = [r for r in send_round(books, (due - dt.timedelta(days=1)).isoformat()) if r.kind == "invoice"]
    assert {(r.lead_days, r.days_left) for r in day_before} == {(1, 1)}
