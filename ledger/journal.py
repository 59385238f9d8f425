"""The journal: posting balanced vouchers, reversing them, and the rules that guard both.

`post_entry` is the only way lines reach the books. It checks that debits equal credits,
that every account exists in the company's chart, that the date is not in a closed period,
and takes the next voucher number of the year. Nothing here commits: the caller owns the
transaction, so a refused entry leaves nothing behind.

Two kinds of close lock a date. Closing the books (`ledger.periods.close_period`) locks every
posting through its day. Settling a VAT term (`ledger.vat.settle_vat_term`, recorded as a
close that names the term it settled, `ClosedPeriod.vat_term`) locks only what the filed
return is made of: lines with a VAT code and lines on 2700/2710. A bank line of a settled term that
carries no VAT (a customer paying, a bank fee) is still posted on its real date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import case, func, null, select
from sqlalchemy.orm import Session

from ledger.errors import AlreadyReversed, PeriodLocked, UnbalancedEntry, UnknownAccount
from ledger.models import Account, ClosedPeriod, JournalEntry, JournalLine
from ledger.money import ZERO, Money, money
from ledger.numbering import next_number

CHANNELS = frozenset({"telegram", "web", "api", "cli", "import", "system", "voice"})
VAT_SETTLEMENT_REASON = "vat-settlement:"
"""The prefix of a VAT settlement's voucher source and close reason ("vat-settlement:2026-5"),
for people reading them; a settlement is recognised by `ClosedPeriod.vat_term`, not by text."""
VAT_LOCKED_ACCOUNTS = frozenset({"2700", "2710"})
"""Output and input VAT: a settled term's balances on them are what the return reported."""


@dataclass(frozen=True)
class Posting:
    """One line of an entry before it is posted.

    Attributes:
      account: the NS 4102 account number.
      amount: positive for a debit, negative for a credit (never zero).
      vat_code: the SAF-T standard tax code the line is reported under, if any.
      vat_base: for a VAT line, the base the VAT was computed on.
      customer_id, supplier_id, project_id: the sub-ledger the line belongs to.
    """

    account: str
    amount: Money
    vat_code: str | None = None
    vat_base: Money | None = None
    description: str = ""
    customer_id: int | None = None
    supplier_id: int | None = None
    project_id: int | None = None

    @property
    def debit(self) -> Money:
        return self.amount if self.amount > 0 else ZERO

    @property
    def credit(self) -> Money:
        return -self.amount if self.amount < 0 else ZERO


def check_balanced(postings: Sequence[Posting]) -> list[str]:
    """The reasons these postings cannot form an entry (empty when they can)."""
    findings: list[str] = []
    if len(postings) < 2:
        findings.append("an entry needs at least two lines")
    for p in postings:
        if p.amount == 0:
            findings.append(f"a zero line on {p.account}")
        if p.amount != p.amount.quantize(Decimal("0.01")):
            findings.append(f"more than two decimals on {p.account}")
    total = sum((p.amount for p in postings), ZERO)
    if total != 0:
        findings.append(f"debits and credits differ by {total}")
    return findings


def closed_through(session: Session, company_id: int) -> dt.date | None:
    """The last day of the company's closed books, if any period is closed (by either kind
    of close: a day a VAT settlement closed is closed for VAT postings)."""
    return session.scalar(
        select(func.max(ClosedPeriod.closed_through)).where(ClosedPeriod.company_id == company_id)
    )


@dataclass(frozen=True)
class PeriodLocks:
    """How far a company's dates are locked.

    Attributes:
      books_through: the last day closed for every posting (a close of the books), if any.
      vat_through: the last day closed for VAT postings (a VAT settlement or a close of the
        books, whichever reaches further), if any.
    """

    books_through: dt.date | None
    vat_through: dt.date | None


def period_locks(session: Session, company_id: int) -> PeriodLocks:
    """The company's locks, in one aggregate over its closes."""
    by_settlement = ClosedPeriod.vat_term.is_not(None)
    books, anything = session.execute(
        select(
            func.max(case((by_settlement, null()), else_=ClosedPeriod.closed_through)),
            func.max(ClosedPeriod.closed_through),
        ).where(ClosedPeriod.company_id == company_id)
    ).one()
    return PeriodLocks(books_through=books, vat_through=anything)


def carries_vat(postings: Iterable[Posting]) -> bool:
    """Whether any line is part of a VAT return: it has a VAT code or is on 2700/2710."""
    return any(p.vat_code or p.account in VAT_LOCKED_ACCOUNTS for p in postings)


def ensure_open(
    session: Session, company_id: int, date: dt.date, postings: Sequence[Posting] | None = None
) -> None:
    """Refuse `date` when it is closed for these postings: a close of the books refuses
    everything, a settled VAT term refuses postings that carry VAT. Without `postings` (a
    caller checking the date before it has built the lines) only a close of the books
    refuses; `post_entry` checks again with the lines."""
    locks = period_locks(session, company_id)
    if locks.books_through is not None and date <= locks.books_through:
        raise PeriodLocked(
            f"the books are closed through {locks.books_through.isoformat()}",
            date=date.isoformat(),
            closed_through=locks.books_through.isoformat(),
        )
    if postings is not None and locks.vat_through is not None and date <= locks.vat_through and carries_vat(postings):
        raise PeriodLocked(
            f"VAT is settled through {locks.vat_through.isoformat()}: no VAT posting can go there",
            date=date.isoformat(),
            closed_through=locks.vat_through.isoformat(),
            vat_only=True,
        )


def post_entry(
    session: Session,
    company_id: int,
    date: dt.date,
    description: str,
    postings: Iterable[Posting],
    *,
    channel: str,
    created_by_id: int | None = None,
    source: str = "",
    reverses_id: int | None = None,
) -> JournalEntry:
    """Post a balanced voucher and return it (flushed, not committed)."""
    lines = [Posting(**{**p.__dict__, "amount": money(p.amount)}) for p in postings]
    findings = check_balanced(lines)
    if findings:
        raise UnbalancedEntry("; ".join(findings), findings=findings)
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    ensure_open(session, company_id, date, lines)
    wanted = {p.account for p in lines}
    known = set(
        session.scalars(
            select(Account.number).where(Account.company_id == company_id, Account.number.in_(wanted))
        )
    )
    if wanted - known:
        missing = ", ".join(sorted(wanted - known))
        raise UnknownAccount(f"no such account: {missing}", accounts=sorted(wanted - known))
    entry = JournalEntry(
        company_id=company_id,
        year=date.year,
        voucher_number=next_number(session, company_id, f"voucher:{date.year}"),
        date=date,
        description=description[:500],
        channel=channel,
        created_by_id=created_by_id,
        source=source[:200],
        reverses_id=reverses_id,
    )
    entry.lines = [
        JournalLine(
            company_id=company_id,
            date=date,
            account=p.account,
            debit=p.debit,
            credit=p.credit,
            vat_code=p.vat_code,
            vat_base=p.vat_base,
            description=p.description[:500],
            customer_id=p.customer_id,
            supplier_id=p.supplier_id,
            project_id=p.project_id,
        )
        for p in lines
    ]
    session.add(entry)
    session.flush()
    return entry


def postings_of(entry: JournalEntry) -> list[Posting]:
    """An entry's lines as postings (debits positive, credits negative)."""
    return [
        Posting(
            account=line.account,
            amount=line.debit - line.credit,
            vat_code=line.vat_code,
            vat_base=line.vat_base,
            description=line.description,
            customer_id=line.customer_id,
            supplier_id=line.supplier_id,
            project_id=line.project_id,
        )
        for line in entry.lines
    ]


def reverse_entry(
    session: Session,
    entry: JournalEntry,
    *,
    channel: str,
    created_by_id: int | None = None,
    date: dt.date | None = None,
    source: str = "",
) -> JournalEntry:
    """Post the mirror image of `entry`, pointing back to it; an entry is reversed only once."""
    already = session.scalar(select(JournalEntry.id).where(JournalEntry.reverses_id == entry.id))
    if already is not None:
        raise AlreadyReversed(f"voucher {entry.year}-{entry.voucher_number} is already reversed")
    if entry.reverses_id is not None:
        raise AlreadyReversed(f"voucher {entry.year}-{entry.voucher_number} is itself a reversal")
    mirror = [
        Posting(**{**p.__dict__, "amount": -p.amount, "vat_base": -p.vat_base if p.vat_base else None})
        for p in postings_of(entry)
    ]
    return post_entry(
        session,
        entry.company_id,
        date or entry.date,
        f"Reversering av bilag {entry.year}-{entry.voucher_number}: {entry.description}",
        mirror,
        channel=channel,
        created_by_id=created_by_id,
        source=source or f"reverses:{entry.id}",
        reverses_id=entry.id,
    )
