"""Reminders of what falls due: which are due today, to whom, and that each goes out once.

A company's statutory deadlines (`ledger.deadlines`: VAT returns, A-melding, the shareholder
register statement, the tax return, the general meeting, the annual accounts) and its
customers' invoices falling overdue are reminded of `LEAD_DAYS` (7 and 1) days before they
fall due, to each person who keeps its books (owner, accountant) and has linked Telegram,
unless they muted that kind in that company. On the day itself nothing more is sent.

A reminder is due from its lead day until the day before the due date, not on its lead day
only: when no gateway ran that day (all down, a deploy gone wrong) it goes out on the next
day one does. Of the leads due on a day only the most urgent counts (two days before, the
7-day reminder; one day before, the 1-day one), so a gateway back after a week's outage sends
"tomorrow" and not a stale "in 7 days" as well; the message says the days actually left.

Which reminders are due depends only on the books and on today (`ledger.clock`), so every
gateway process computes the same list; `claim` then inserts the reminder's row before the
message is sent, and the table's unique key lets exactly one process (and one run, across
restarts) win it; as the list is the same every round of the days a reminder stays due, the
claim is what stops it going out again. A reminder whose sending failed is `release`d, to be
tried again on the next round; one whose process died between claim and send is not sent (at
most once).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ledger import clock
from ledger.deadlines import company_profile, deadlines_between
from ledger.errors import InvalidInput
from ledger.invoicing import open_amount, paid_amounts
from ledger.models import Company, Invoice, Membership, MutedReminder, SentReminder, User
from ledger.money import Money
from ledger.permissions import BOOKKEEPERS

LEAD_DAYS: tuple[int, ...] = (7, 1)
"""How many days before a due date a reminder goes out."""

DEADLINE_KINDS: tuple[str, ...] = (
    "mva",
    "a-melding",
    "aksjonaerregisteroppgave",
    "skattemelding",
    "generalforsamling",
    "arsregnskap",
)
INVOICE_KIND = "invoice"
ALL_KINDS = "all"
REMINDER_KINDS: tuple[str, ...] = (*DEADLINE_KINDS, INVOICE_KIND)
"""What can be reminded of, and muted: a deadline's kind or "invoice"; muting "all" mutes
every kind."""


@dataclass(frozen=True)
class Reminder:
    """One reminder for one person.

    Attributes:
      company_id, company_name: whose deadline.
      kind: a `REMINDER_KINDS` entry.
      subject: which one: the deadline's period ("2026-5", "2025-11", "2025") or the invoice's
        number.
      due_date: when it falls due.
      lead_days: how many days before `due_date` this reminder is for (a `LEAD_DAYS` entry).
      days_left: how many days before `due_date` it is today: `lead_days` on the lead day,
        fewer when the reminder is caught up on a later day.
      user_id, telegram_user_id, language: who gets it, where, in which language.
      customer, amount: for an invoice, the customer's name and what is still owed.
    """

    company_id: int
    company_name: str
    kind: str
    subject: str
    due_date: dt.date
    lead_days: int
    days_left: int
    user_id: int
    telegram_user_id: int
    language: str
    customer: str = ""
    amount: Money | None = None


@dataclass(frozen=True)
class _Due:
    kind: str
    subject: str
    due_date: dt.date
    lead_days: int
    days_left: int
    customer: str = ""
    amount: Money | None = None


def most_urgent_lead(today: dt.date, due: dt.date) -> int | None:
    """The lead whose reminder is due `today` for something due on `due`: the smallest of
    `LEAD_DAYS` not shorter than the days left (with 3 days left, the 7-day one; with 1, the
    1-day one); None on the due date itself, after it, or more than the longest lead before."""
    days = (due - today).days
    if days < 1:
        return None
    return min((lead for lead in LEAD_DAYS if lead >= days), default=None)


def _due_deadlines(session: Session, company_id: int, today: dt.date) -> list[_Due]:
    first, last = today + dt.timedelta(days=1), today + dt.timedelta(days=max(LEAD_DAYS))
    found = []
    for deadline in deadlines_between(company_profile(session, company_id), first, last):
        lead = most_urgent_lead(today, deadline.due_date)
        if lead is not None:
            days_left = (deadline.due_date - today).days
            found.append(_Due(deadline.kind, deadline.period, deadline.due_date, lead, days_left))
    return found


def _due_invoices(session: Session, company_id: int, today: dt.date) -> list[_Due]:
    invoices = list(
        session.scalars(
            select(Invoice).where(
                Invoice.company_id == company_id,
                Invoice.kind == "invoice",
                Invoice.status.in_(("issued", "sent")),
                Invoice.due_date > today,
                Invoice.due_date <= today + dt.timedelta(days=max(LEAD_DAYS)),
            )
        )
    )
    if not invoices:
        return []
    paid = paid_amounts(session, company_id)
    found = []
    for invoice in invoices:
        owed = open_amount(invoice, paid.get(invoice.id, Decimal("0.00")))
        lead = most_urgent_lead(today, invoice.due_date)
        if owed > 0 and lead is not None:
            days_left = (invoice.due_date - today).days
            found.append(
                _Due(INVOICE_KIND, str(invoice.number), invoice.due_date, lead, days_left, invoice.customer.name, owed)
            )
    return found


def _muted(session: Session) -> set[tuple[int, int, str]]:
    return {(m.user_id, m.company_id, m.kind) for m in session.scalars(select(MutedReminder))}


def due_reminders(session: Session, *, today: dt.date | None = None) -> list[Reminder]:
    """Every reminder due today (in Oslo, from `ledger.clock`) in every company, one per
    person and thing falling due (its most urgent lead, `most_urgent_lead`), whether or not
    it has been sent yet; in company, date and kind order."""
    day = today or clock.today()
    muted = _muted(session)
    rows = session.execute(
        select(Company, User)
        .join(Membership, Membership.company_id == Company.id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.role.in_(BOOKKEEPERS), User.telegram_user_id.is_not(None))
        .order_by(Company.id, User.id)
    ).all()
    people: dict[int, list[User]] = {}
    companies: dict[int, Company] = {}
    for company, user in rows:
        companies[company.id] = company
        people.setdefault(company.id, []).append(user)
    reminders = []
    for company_id, company in companies.items():
        due = _due_deadlines(session, company_id, day) + _due_invoices(session, company_id, day)
        due.sort(key=lambda d: (d.due_date, d.kind, d.subject))
        for item in due:
            for user in people[company_id]:
                if (user.id, company_id, item.kind) in muted or (user.id, company_id, ALL_KINDS) in muted:
                    continue
                assert user.telegram_user_id is not None
                reminders.append(
                    Reminder(
                        company_id=company_id,
                        company_name=company.name,
                        kind=item.kind,
                        subject=item.subject,
                        due_date=item.due_date,
                        lead_days=item.lead_days,
                        days_left=item.days_left,
                        user_id=user.id,
                        telegram_user_id=user.telegram_user_id,
                        language=user.language,
                        customer=item.customer,
                        amount=item.amount,
                    )
                )
    return reminders


def _key(reminder: Reminder) -> dict[str, object]:
    return {
        "company_id": reminder.company_id,
        "kind": reminder.kind,
        "subject": reminder.subject,
        "due_date": reminder.due_date,
        "lead_days": reminder.lead_days,
        "user_id": reminder.user_id,
    }


def claim(session: Session, reminder: Reminder) -> bool:
    """Claims `reminder` for sending: True for the one caller that inserts its row, False for
    every other (another process, or it was sent before), and False too when a more urgent
    reminder of the same thing has gone out already (a round that listed the 7-day reminder
    just before midnight must not send it after the 1-day one). Commit before sending, so
    that the claim is seen by the others."""
    key = _key(reminder)
    sooner = session.scalar(
        select(SentReminder.id)
        .where(*(getattr(SentReminder, k) == v for k, v in key.items() if k != "lead_days"))
        .where(SentReminder.lead_days < reminder.lead_days)
        .limit(1)
    )
    if sooner is not None:
        return False
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = (
        insert(SentReminder)
        .values(**key, sent_at=clock.now())
        .on_conflict_do_nothing(
            index_elements=["company_id", "kind", "subject", "due_date", "lead_days", "user_id"]
        )
        .returning(SentReminder.id)
    )
    return session.execute(stmt).scalar() is not None


def release(session: Session, reminder: Reminder) -> None:
    """Gives a claimed reminder back (its sending failed), so that a later round sends it."""
    key = _key(reminder)
    session.execute(delete(SentReminder).where(*(getattr(SentReminder, k) == v for k, v in key.items())))


def _check_kind(kind: str) -> str:
    if kind not in (*REMINDER_KINDS, ALL_KINDS):
        raise InvalidInput(f"unknown reminder kind {kind!r}", kind=kind, kinds=list(REMINDER_KINDS))
    return kind


def set_muted(session: Session, user_id: int, company_id: int, kind: str, muted: bool) -> bool:
    """Mutes (or unmutes) reminders of `kind` ("all" for every kind; unmuting "all" unmutes
    each kind muted on its own too) in the company for the user; returns whether they are
    muted now. Whether the user belongs to the company is the caller's check
    (`ledger.permissions.require`)."""
    _check_kind(kind)
    if kind == ALL_KINDS and not muted:
        session.execute(
            delete(MutedReminder).where(MutedReminder.user_id == user_id, MutedReminder.company_id == company_id)
        )
        return False
    existing = session.scalar(
        select(MutedReminder).where(
            MutedReminder.user_id == user_id, MutedReminder.company_id == company_id, MutedReminder.kind == kind
        )
    )
    if muted and existing is None:
        session.add(MutedReminder(user_id=user_id, company_id=company_id, kind=kind))
    elif not muted and existing is not None:
        session.delete(existing)
    session.flush()
    return muted


def muted_kinds(session: Session, user_id: int, company_id: int) -> list[str]:
    """The kinds the user muted in the company ("all" included), sorted."""
    return sorted(
        session.scalars(
            select(MutedReminder.kind).where(MutedReminder.user_id == user_id, MutedReminder.company_id == company_id)
        )
    )


def reminder_settings(session: Session, user_id: int, company_id: int) -> dict[str, bool]:
    """Per kind, whether the user gets its reminders in the company."""
    muted = set(muted_kinds(session, user_id, company_id))
    return {kind: not (kind in muted or ALL_KINDS in muted) for kind in REMINDER_KINDS}


# Words people use for each kind, Norwegian and English, matched at a word's start so that
# inflections ("mva-meldingen", "fakturaene", "invoices") count.
_KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("a-melding", ("a-melding", "a melding", "amelding")),
    ("aksjonaerregisteroppgave", ("aksjonærregister", "aksjonaerregister", "shareholder")),
    ("skattemelding", ("skattemelding", "selvangivelse", "tax return", "income tax")),
    ("generalforsamling", ("generalforsamling", "general meeting", "agm")),
    ("arsregnskap", ("årsregnskap", "arsregnskap", "annual accounts", "annual report")),
    ("mva", ("mva", "moms", "merverdiavgift", "vat")),
    (INVOICE_KIND, ("faktura", "forfall", "invoice", "overdue", "kundefordring")),
    (ALL_KINDS, ("alle", "all", "alt", "every", "everything")),
)


def kind_said(text: str | None) -> str | None:
    """The reminder kind a person's words name ("mva-meldingen" → "mva", "invoices" →
    "invoice", "alle" → "all"); None when they name none."""
    if not text:
        return None
    words = " " + " ".join(text.casefold().replace("/", " ").split())
    for kind, names in _KIND_WORDS:
        if any(f" {name}" in words for name in names):
            return kind
    return None


def last_reminded_kind(session: Session, user_id: int, company_id: int) -> str | None:
    """The kind of the latest reminder sent to the user for the company, if any (what "slå av
    påminnelsene" right after one is about)."""
    return session.scalar(
        select(SentReminder.kind)
        .where(SentReminder.user_id == user_id, SentReminder.company_id == company_id)
        .order_by(SentReminder.sent_at.desc(), SentReminder.id.desc())
        .limit(1)
    )
