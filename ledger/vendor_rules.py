"""Vendor rules: what a company decided a vendor's purchases are (a cost account and a
purchase VAT code), remembered so that the same vendor is proposed the same way next time
("Som sist: Telenor → 6900 Telefon, 25 % mva").

A rule is written when a person decides (a bank line categorised, an expense posted with a
vendor, a receipt) and may be listed, changed and removed by the people who keep the books.
Vendors are known by a normalised name (`vendor_key`): case, punctuation and the company
form ("AS", "ASA", "A/S", "Ltd") do not count, so "TELENOR NORGE AS" and "Telenor Norge"
are one vendor. A bank line's text ("VISA 4321 03.11 TELENOR NORGE AS") names a vendor when
a rule's words appear in it in a row.

For a vendor without a rule, `likely_category` guesses the expense category from the words
of the line ("Parkering Aker Brygge" → parkering) or from a short table of well-known
Norwegian vendors (`ledger/data/vendor_hints.csv`, written by us: Telenor → telefon); the
person confirms or picks another.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import clock
from ledger.data import read_table
from ledger.errors import InvalidInput, NotFound, UnknownAccount, UnknownExpenseCategory, UnknownVatCode
from ledger.expenses import ExpenseRule, expense_categories, find_category, match_keyword
from ledger.models import Account, VendorRule, as_value
from ledger.vat import PURCHASE_CODES

MAX_VENDOR_LENGTH = 200

_COMPANY_FORMS = frozenset(
    {"as", "asa", "ans", "da", "enk", "nuf", "sa", "ba", "ab", "aps", "oy", "ltd", "limited", "inc", "llc", "gmbh"}
)
_SLASHED_FORM = re.compile(r"\b(a/s|a\.s\.?)(?=\W|$)", re.IGNORECASE)
_NOT_A_WORD = re.compile(r"[^\w]+")
_BANK_NOISE = frozenset(
    {
        "visa", "mastercard", "kortkjøp", "kortkjop", "varekjøp", "varekjop", "betaling", "betalt",
        "faktura", "efaktura", "avtalegiro", "nettgiro", "giro", "overføring", "overforing",
        "kid", "ref", "dato", "til", "fra", "payment", "invoice", "card", "purchase",
    }
)


def vendor_key(name: str) -> str:
    """A vendor's name as rules know it: lower case, words only, no company form
    ("Telenor Norge AS" → "telenor norge", "ELKJØP A/S" → "elkjøp")."""
    text = _SLASHED_FORM.sub(" ", name.casefold())
    words = [w for w in _NOT_A_WORD.sub(" ", text).split() if w not in _COMPANY_FORMS]
    return " ".join(words)[:MAX_VENDOR_LENGTH]


def vendor_in_bank_text(text: str) -> str:
    """The vendor a bank line's text names, without card words, dates and references
    ("VISA 4321 03.11 Telenor Norge AS" → "Telenor Norge AS")."""
    kept: list[str] = []
    for word in text.split():
        plain = _NOT_A_WORD.sub("", word.casefold())
        if not plain or plain in _BANK_NOISE:
            continue
        # A number right after the name is part of it ("REMA 1000"); others are references.
        if any(c.isdigit() for c in word) and not (kept and word.isdigit() and len(word) <= 4 and len(kept) == 1):
            continue
        kept.append(word)
    return " ".join(kept)[:MAX_VENDOR_LENGTH]


@dataclass(frozen=True)
class Rule:
    """A company's rule for one vendor.

    Attributes:
      id: the rule's id (for changing or removing it).
      vendor_name: the vendor as last seen.
      vendor_key: the normalised name it is known by.
      category: the expense category word the decision came from, or "".
      account, vat_code: the cost account and purchase VAT code.
      times_used: how often it was decided or followed.
    """

    id: int
    vendor_name: str
    vendor_key: str
    category: str
    account: str
    vat_code: str
    times_used: int


def _value(row: VendorRule) -> Rule:
    return as_value(Rule, row)


def _check(session: Session, company_id: int, account: str, vat_code: str) -> None:
    if vat_code not in PURCHASE_CODES:
        raise UnknownVatCode(f"{vat_code!r} is not a purchase VAT code", vat_code=vat_code)
    known = session.scalar(select(Account.id).where(Account.company_id == company_id, Account.number == account))
    if known is None:
        raise UnknownAccount(f"no such account: {account}", accounts=[account])


def _row(session: Session, company_id: int, key: str) -> VendorRule | None:
    return session.scalar(select(VendorRule).where(VendorRule.company_id == company_id, VendorRule.vendor_key == key))


def remember_vendor(
    session: Session,
    company_id: int,
    vendor: str,
    account: str,
    vat_code: str,
    *,
    category: str = "",
    user_id: int | None = None,
) -> Rule:
    """Remember that purchases from `vendor` go to `account` with `vat_code` (a decision
    made now replaces the earlier one). Refused for a vendor without a name, an account the
    company does not have or a code that is not a purchase code."""
    key = vendor_key(vendor)
    if not key:
        raise InvalidInput("a vendor rule needs the vendor's name", field="vendor")
    _check(session, company_id, account, vat_code)
    row = _row(session, company_id, key)
    name = " ".join(vendor.split())[:MAX_VENDOR_LENGTH]
    if row is None:
        row = VendorRule(
            company_id=company_id,
            vendor_key=key,
            vendor_name=name,
            category=category[:100],
            account=account,
            vat_code=vat_code,
            times_used=1,
            updated_by_id=user_id,
            updated_at=clock.now(),
        )
        session.add(row)
    else:
        same = (row.account, row.vat_code) == (account, vat_code)
        row.times_used = row.times_used + 1 if same else 1
        row.vendor_name, row.account, row.vat_code = name, account, vat_code
        row.category = category[:100] or (row.category if same else "")
        row.updated_by_id, row.updated_at = user_id, clock.now()
    session.flush()
    return _value(row)


def followed(session: Session, company_id: int, rule_id: int) -> None:
    """Count that a rule was followed once more (a line posted the way it proposed)."""
    row = session.get(VendorRule, rule_id)
    if row is not None and row.company_id == company_id:
        row.times_used += 1
        session.flush()


class RuleBook:
    """A company's vendor rules, read once, to look up many vendors (a whole statement)."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules = list(rules)
        self._by_key = {r.vendor_key: r for r in self.rules}
        # Longest names first, so "telenor norge" wins over "telenor".
        self._phrases = sorted(self.rules, key=lambda r: -len(r.vendor_key.split()))

    def find(self, *names: str) -> Rule | None:
        """The rule for the first of `names` (the payee, then the line's text) that one names:
        the same vendor, or a rule's words in a row inside the name; failing those, the one
        rule whose name has the name's words in a row inside it."""
        for name in names:
            key = vendor_key(name)
            if not key:
                continue
            if key in self._by_key:
                return self._by_key[key]
            padded = f" {key} "
            for rule in self._phrases:
                if f" {rule.vendor_key} " in padded:
                    return rule
        for name in names:
            # A shorter name for one vendor only ("Telenor" for "Telenor Norge").
            key = vendor_key(name)
            inside = [r for r in self.rules if key and f" {key} " in f" {r.vendor_key} "]
            if len(inside) == 1:
                return inside[0]
        return None


def vendor_rules(session: Session, company_id: int) -> list[Rule]:
    """The company's rules, by vendor."""
    rows = session.scalars(
        select(VendorRule).where(VendorRule.company_id == company_id).order_by(VendorRule.vendor_key)
    )
    return [_value(r) for r in rows]


def rule_book(session: Session, company_id: int) -> RuleBook:
    """The company's rules, for looking up vendors."""
    return RuleBook(vendor_rules(session, company_id))


def rule_for(session: Session, company_id: int, vendor: str) -> Rule | None:
    """The company's rule for `vendor`, if it has one."""
    return rule_book(session, company_id).find(vendor)


def _owned(session: Session, company_id: int, rule_id: int) -> VendorRule:
    row = session.get(VendorRule, rule_id)
    if row is None or row.company_id != company_id:
        raise NotFound(f"no vendor rule {rule_id}", rule_id=rule_id)
    return row


def change_vendor_rule(
    session: Session,
    company_id: int,
    rule_id: int,
    *,
    account: str | None = None,
    vat_code: str | None = None,
    category: str | None = None,
    user_id: int | None = None,
) -> Rule:
    """Change a rule's account, VAT code or category word; `NotFound` for another company's."""
    row = _owned(session, company_id, rule_id)
    new_account = account if account is not None else row.account
    new_code = vat_code if vat_code is not None else row.vat_code
    _check(session, company_id, new_account, new_code)
    row.account, row.vat_code = new_account, new_code
    if category is not None:
        row.category = category[:100]
    row.updated_by_id, row.updated_at = user_id, clock.now()
    session.flush()
    return _value(row)


def delete_vendor_rule(session: Session, company_id: int, rule_id: int) -> Rule:
    """Forget a rule (the vendor is asked about again); `NotFound` for another company's."""
    row = _owned(session, company_id, rule_id)
    value = _value(row)
    session.delete(row)
    session.flush()
    return value


@lru_cache(maxsize=1)
def _hints() -> tuple[tuple[str, str, str], ...]:
    rows = read_table("vendor_hints.csv")
    # Longest names first, so "norwegian air" is tried before a shorter name inside it.
    return tuple(sorted(((vendor_key(r["vendor"]), r["category_nb"], r["category_en"]) for r in rows),
                        key=lambda h: -len(h[0])))


def likely_category(session: Session, company_id: int, *texts: str, language: str = "nb") -> ExpenseRule | None:
    """The expense category a vendor without a rule most likely is: a category word in
    `texts` (the line's text, the payee), else a well-known vendor's usual category; None
    when nothing suggests one."""
    keywords = [r.keyword for r in expense_categories(session, company_id)]
    for text in texts:
        words = " ".join(w for w in text.split() if not any(c.isdigit() for c in w))
        found = match_keyword(words, keywords) if len(words) > 3 else None
        if found is not None:
            return find_category(session, company_id, found)
    for text in texts:
        padded = f" {vendor_key(text)} "
        for vendor, category_nb, category_en in _hints():
            if f" {vendor} " in padded:
                try:
                    return find_category(session, company_id, category_en if language == "en" else category_nb)
                except UnknownExpenseCategory:
                    return None
    return None
