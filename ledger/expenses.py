"""Expenses: what a word for spending means in the books, and posting what was spent.

"drivstoff 500 Circle K" becomes 7000 Drivstoff 400 (code 1) and 2710 Inngående mva 100
against 1920 Bank 500. The words map to accounts and VAT codes through the expense-category
table: rows without a company are the defaults, a company's own rows override them and users
add more (`add_expense_category`). The VAT follows the law, not only the word:

- fuel for a van (varebil) deducts input VAT; for a passenger car (personbil) none
  (mval. § 8-4), so a company whose vehicle is not known yet gets `VehicleUnknown` and the
  assistant asks;
- entertainment (representasjon, e.g. a customer lunch) deducts none (mval. § 8-3);
- a company that is not VAT-registered deducts nothing: the whole amount is the cost;
- equipment costing the capitalisation limit or more without VAT (NOK 30 000 from 2024,
  NOK 15 000 before: dated data, `capitalisation_limits.csv`) that lasts 3 years or more is
  an operating asset (driftsmiddel, skatteloven § 14-40), booked on 12xx rather than as a
  cost (`equipment_assets.csv` says which categories are equipment and on which account);
  when the category does not tell whether it lasts (tools may be consumables) the plan says
  a question is needed, and posting without the answer is refused (`EquipmentLifeUnknown`).

Each treatment carries the reason in both languages, so the assistant can say why before it
posts. Every expense is recorded as needing its receipt when it is posted
(`ledger.attachments`): it is missing its documentation until one is attached.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.attachments import attach_document, is_missing_documentation, require_receipt
from ledger.companies import company_by_id
from ledger.data import read_table
from ledger.errors import (
    DuplicateName,
    EquipmentLifeUnknown,
    InvalidAmount,
    InvalidInput,
    UnknownAccount,
    UnknownExpenseCategory,
    UnknownVatCode,
    VehicleUnknown,
)
from ledger.journal import Posting, ensure_open, post_entry
from ledger.models import Account, Company, ExpenseCategory, as_value
from ledger.money import Money, money
from ledger.suppliers import find_or_add_supplier
from ledger.vat import INPUT_VAT_ACCOUNT, PURCHASE_CODES, rate_on, split_gross

BANK_ACCOUNT = "1920"
PAYABLES_ACCOUNT = "2400"
NO_DEDUCTION_CODE = "0"
VEHICLES = ("van", "car")

Vehicle = Literal["van", "car"]
Reason = Literal["category", "passenger_car", "not_vat_registered", "asset"]


@dataclass(frozen=True)
class ExpenseRule:
    """One expense category as it applies to a company.

    Attributes:
      keyword: the word it is known by ("drivstoff", "lunsj med kunde").
      account: the cost account.
      vat_code: the purchase VAT code ("1" deducts 25 %, "0" deducts none).
      needs_vehicle: the VAT depends on whether the vehicle is a van or a passenger car.
      note_nb, note_en: why this account and code.
      company_specific: the company's own row rather than a default.
    """

    keyword: str
    account: str
    vat_code: str
    needs_vehicle: bool
    note_nb: str
    note_en: str
    company_specific: bool = False


def _rule(row: ExpenseCategory) -> ExpenseRule:
    return as_value(ExpenseRule, row, company_specific=row.company_id is not None)


def expense_categories(session: Session, company_id: int) -> list[ExpenseRule]:
    """The categories the company can use: the defaults, each overridden by the company's own
    row with the same keyword, plus the company's additions; by keyword."""
    rows = session.scalars(
        select(ExpenseCategory).where((ExpenseCategory.company_id == company_id) | ExpenseCategory.company_id.is_(None))
    )
    rules: dict[str, ExpenseRule] = {}
    for row in rows:
        rule = _rule(row)
        if rule.company_specific or rule.keyword not in rules:
            rules[rule.keyword] = rule
    return [rules[k] for k in sorted(rules)]


# --------------------------------------------------------------------------------------------
# Understanding the word the user said

_SUFFIXES = ("ene", "er", "en", "et", "es", "a", "e", "s")


def normalise(text: str) -> str:
    """Lower case, letters and digits only, single spaces ("Lunsj med  KUNDE!" → "lunsj med kunde")."""
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def _stems(word: str) -> set[str]:
    """The word and what is left without a plural or definite ending (kunder → kund, kunde)."""
    stems = {word}
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stems.add(word[: -len(suffix)])
    return stems


def _same_word(a: str, b: str) -> bool:
    return bool(_stems(a) & _stems(b))


def _contains(said: list[str], keyword: list[str]) -> bool:
    """Whether the keyword's words appear in a row in what was said (inflections allowed)."""
    n = len(keyword)
    return any(all(_same_word(said[i + j], keyword[j]) for j in range(n)) for i in range(len(said) - n + 1))


def match_keyword(said: str, keywords: list[str]) -> str | None:
    """The keyword `said` means, tolerating inflection, extra words and small typos:
    "bensin" → "bensin", "drivstoffet" → "drivstoff", "lunsj med kunden" → "lunsj med kunde",
    "drivstof" → "drivstoff", "office supply" → "office supplies"."""
    text = normalise(said)
    if not text:
        return None
    by_text = {normalise(k): k for k in keywords}
    if text in by_text:
        return by_text[text]
    words = text.split()
    # Same words, inflected; then a keyword inside a longer phrase, the longest first.
    for norm in sorted(by_text, key=lambda k: -len(k)):
        kw = norm.split()
        if len(kw) == len(words) and all(_same_word(a, b) for a, b in zip(words, kw, strict=True)):
            return by_text[norm]
    for norm in sorted(by_text, key=lambda k: (-len(k.split()), -len(k))):
        if _contains(words, norm.split()):
            return by_text[norm]
    close = difflib.get_close_matches(text, list(by_text), n=1, cutoff=0.8)
    if close:
        return by_text[close[0]]
    for word in words:
        close = difflib.get_close_matches(word, [k for k in by_text if " " not in k and len(k) > 3], n=1, cutoff=0.85)
        if close and len(word) > 3:
            return by_text[close[0]]
    return None


def find_category(session: Session, company_id: int, said: str) -> ExpenseRule:
    """The category the user means by `said`; `UnknownExpenseCategory` (with the closest
    keywords as suggestions) when none fits."""
    rules = {r.keyword: r for r in expense_categories(session, company_id)}
    keyword = match_keyword(said, list(rules))
    if keyword is None:
        suggestions = difflib.get_close_matches(normalise(said), list(rules), n=3, cutoff=0.5)
        raise UnknownExpenseCategory(f"no expense category for {said!r}", said=said, suggestions=suggestions)
    return rules[keyword]


def add_expense_category(
    session: Session,
    company_id: int,
    keyword: str,
    account: str,
    vat_code: str,
    *,
    needs_vehicle: bool = False,
    note_nb: str = "",
    note_en: str = "",
) -> ExpenseRule:
    """Teach the company a new word for spending (or override a default's account and code)."""
    word = normalise(keyword)
    if not word:
        raise InvalidInput("an expense category needs a word", keyword=keyword)
    if vat_code not in PURCHASE_CODES:
        raise UnknownVatCode(f"{vat_code!r} is not a purchase VAT code", vat_code=vat_code)
    known = session.scalar(select(Account.id).where(Account.company_id == company_id, Account.number == account))
    if known is None:
        raise UnknownAccount(f"no such account: {account}", accounts=[account])
    taken = session.scalar(
        select(ExpenseCategory.id).where(ExpenseCategory.company_id == company_id, ExpenseCategory.keyword == word)
    )
    if taken is not None:
        raise DuplicateName(f"the company already has the category {word!r}", keyword=word)
    row = ExpenseCategory(
        company_id=company_id,
        keyword=word,
        account=account,
        vat_code=vat_code,
        needs_vehicle=needs_vehicle,
        note_nb=note_nb,
        note_en=note_en,
    )
    session.add(row)
    session.flush()
    return _rule(row)


def set_vehicle(session: Session, company_id: int, vehicle: str) -> Company:
    """Record whether the company drives a van ("van", varebil) or a passenger car ("car")."""
    if vehicle not in VEHICLES:
        raise InvalidInput(f"a vehicle is a van or a car, not {vehicle!r}", vehicle=vehicle)
    company = company_by_id(session, company_id)
    company.vehicle = vehicle
    session.flush()
    return company


# --------------------------------------------------------------------------------------------
# How it is booked


@dataclass(frozen=True)
class ExpenseTreatment:
    """The account and VAT an expense is booked with, and why.

    Attributes:
      category: the category the word resolved to.
      account: the cost account.
      vat_code: the purchase code on the lines; None for a company outside the VAT register.
      rate: the deductible rate in percent (0 when nothing is deducted).
      reason: "category" (the category's own rule), "passenger_car" (no deduction for a
        passenger car, mval. § 8-4), "not_vat_registered" or "asset" (equipment over the
        capitalisation limit that lasts, on a 12xx account).
      law: the provision behind a reason other than the category's own (whose note says it).
      note_nb, note_en: the reason in words, to tell the user before posting.
    """

    category: ExpenseRule
    account: str
    vat_code: str | None
    rate: Decimal
    reason: Reason
    law: str
    note_nb: str
    note_en: str

    @property
    def deducts_vat(self) -> bool:
        return self.rate > 0


@lru_cache(maxsize=1)
def _reasons() -> dict[str, dict[str, str]]:
    return {row["reason"]: row for row in read_table("expense_reasons.csv")}


def _because(category: ExpenseRule, reason: Reason, account: str, code: str | None, rate: Decimal) -> ExpenseTreatment:
    text = _reasons()[reason]
    return ExpenseTreatment(category, account, code, rate, reason, text["law"], text["note_nb"], text["note_en"])


def expense_treatment(session: Session, company_id: int, category: ExpenseRule, day: dt.date) -> ExpenseTreatment:
    """How `category` is booked for this company on `day`; `VehicleUnknown` when the answer
    depends on a vehicle the company has not told us about yet."""
    company = company_by_id(session, company_id)
    if not company.vat_registered:
        return _because(category, "not_vat_registered", category.account, None, Decimal(0))
    if category.needs_vehicle:
        if company.vehicle not in VEHICLES:
            raise VehicleUnknown(
                "is the vehicle a van or a passenger car?", keyword=category.keyword, company_id=company_id
            )
        if company.vehicle == "car":
            return _because(category, "passenger_car", category.account, NO_DEDUCTION_CODE, Decimal(0))
    return ExpenseTreatment(
        category=category,
        account=category.account,
        vat_code=category.vat_code,
        rate=rate_on(session, category.vat_code, day),
        reason="category",
        law="",
        note_nb=category.note_nb,
        note_en=category.note_en,
    )


def expense_postings(
    gross: Decimal,
    account: str,
    vat_code: str | None,
    rate: Decimal,
    paid_from: str = BANK_ACCOUNT,
    *,
    supplier_id: int | None = None,
    description: str = "",
) -> tuple[Posting, ...]:
    """The lines of an expense of `gross` (VAT included) paid from `paid_from` (1920 bank,
    or 2400 when it is a bill to pay later):

    500 at 25 % → 7000 400 (code 1), 2710 100 (code 1, base 400) / 1920 -500;
    500 at 0 % → 7000 500 (code 0) / 1920 -500.
    """
    amount = money(gross)
    if amount <= 0:
        raise InvalidAmount(f"an expense is a positive amount, not {amount}", value=str(amount))
    payment = Posting(paid_from, -amount, description=description, supplier_id=supplier_id)
    split = split_gross(amount, rate) if vat_code is not None else None
    if split is None or split.vat == 0:
        # No VAT, or too little to round to an øre (0.01 at 25 %): the whole amount is the cost.
        cost = Posting(account, amount, vat_code=vat_code, description=description, supplier_id=supplier_id)
        return (cost, payment)
    return (
        Posting(account, split.net, vat_code=vat_code, description=description, supplier_id=supplier_id),
        Posting(
            INPUT_VAT_ACCOUNT,
            split.vat,
            vat_code=vat_code,
            vat_base=split.net,
            description=description,
            supplier_id=supplier_id,
        ),
        payment,
    )


# --------------------------------------------------------------------------------------------
# Equipment that lasts is an asset, not a cost


@dataclass(frozen=True)
class CapitalisationLimit:
    """The cost from which equipment that lasts is an asset (skatteloven § 14-40).

    Attributes:
      valid_from, valid_to: the purchase dates it applies to (valid_to None while it does).
      amount: the cost without deductible VAT at or over which it is an asset.
      min_life_years: the life from which it is an asset.
      source: where the figure comes from.
    """

    valid_from: dt.date
    valid_to: dt.date | None
    amount: Money
    min_life_years: int
    source: str


@lru_cache(maxsize=1)
def _capitalisation_limits() -> tuple[CapitalisationLimit, ...]:
    return tuple(
        CapitalisationLimit(
            dt.date.fromisoformat(row["valid_from"]),
            dt.date.fromisoformat(row["valid_to"]) if row["valid_to"] else None,
            money(row["amount"]),
            int(row["min_life_years"]),
            row["source"],
        )
        for row in read_table("capitalisation_limits.csv")
    )


def capitalisation_limit_on(day: dt.date) -> CapitalisationLimit:
    """The limit for a purchase dated `day` (NOK 15 000 through 2023, NOK 30 000 from 2024)."""
    for limit in _capitalisation_limits():
        if limit.valid_from <= day and (limit.valid_to is None or day <= limit.valid_to):
            return limit
    raise InvalidInput(f"no capitalisation limit for {day.isoformat()}", date=day.isoformat())


@lru_cache(maxsize=1)
def _equipment() -> dict[str, tuple[str, bool]]:
    """Expense keyword or account → (asset account, whether it surely lasts)."""
    return {
        row["expense"]: (row["asset_account"], row["life"] == "durable") for row in read_table("equipment_assets.csv")
    }


@dataclass(frozen=True)
class AssetProposal:
    """A purchase proposed as an operating asset rather than an expense.

    Attributes:
      account: the asset account (1200 Maskiner og anlegg, 1250 Inventar, 1280 Kontormaskiner).
      expense_account: the cost account it would be on as an expense.
      cost: what it cost without deductible VAT, compared with the limit.
      limit: the capitalisation limit on the purchase date.
      question: whether the category leaves open that it lasts 3 years or more, so the
        person is asked.
    """

    account: str
    expense_account: str
    cost: Money
    limit: CapitalisationLimit
    question: bool


def asset_proposal(category: ExpenseRule, expense_account: str, cost: Money, day: dt.date) -> AssetProposal | None:
    """The asset a purchase of `category` costing `cost` (without deductible VAT) on `day`
    would be, if it is equipment at or over the limit; None for anything else."""
    equipment = _equipment()
    found = equipment.get(category.keyword) or equipment.get(expense_account)
    if found is None:
        return None
    limit = capitalisation_limit_on(day)
    if cost < limit.amount:
        return None
    account, durable = found
    return AssetProposal(account, expense_account, cost, limit, question=not durable)


@dataclass(frozen=True)
class ExpensePlan:
    """An expense as it will be posted: shown to the user, who says yes or no.

    Attributes:
      treatment: the account, VAT code and reason.
      gross: the amount paid, VAT included.
      postings: the lines that will be posted (supplier not yet attached).
      asset: the asset the purchase is (or may be) instead of a cost, if it is equipment at
        or over the capitalisation limit.
      question_needed: the category does not tell whether the equipment lasts 3 years or
        more and nobody has said: ask before posting ("Er dette utstyr som varer i 3 år
        eller mer?"); the postings are then those of the asset.
    """

    treatment: ExpenseTreatment
    gross: Money
    postings: tuple[Posting, ...]
    asset: AssetProposal | None = None
    question_needed: bool = False

    @property
    def vat(self) -> Money:
        return sum((p.amount for p in self.postings if p.account == INPUT_VAT_ACCOUNT), Decimal("0.00"))

    @property
    def net(self) -> Money:
        return self.gross - self.vat


def plan_expense(
    session: Session,
    company_id: int,
    amount: Decimal | str | int,
    category: str | ExpenseRule,
    date: dt.date,
    *,
    paid_from: str = BANK_ACCOUNT,
    durable: bool | None = None,
) -> ExpensePlan:
    """What `register_expense` would post, without posting anything. `durable` is the
    answer to "does it last 3 years or more?" (None: not asked): equipment at or over the
    capitalisation limit goes on its asset account unless the answer is no."""
    rule = category if isinstance(category, ExpenseRule) else find_category(session, company_id, category)
    gross = money(amount)
    treatment = expense_treatment(session, company_id, rule, date)
    postings = expense_postings(gross, treatment.account, treatment.vat_code, treatment.rate, paid_from)
    cost = sum((p.amount for p in postings if p.account == treatment.account), Decimal("0.00"))
    asset = asset_proposal(rule, treatment.account, cost, date)
    if asset is None or durable is False:
        return ExpensePlan(treatment, gross, postings, asset)
    text = _reasons()["asset"]
    as_asset = ExpenseTreatment(
        rule, asset.account, treatment.vat_code, treatment.rate, "asset", text["law"], text["note_nb"], text["note_en"]
    )
    postings = expense_postings(gross, as_asset.account, as_asset.vat_code, as_asset.rate, paid_from)
    return ExpensePlan(as_asset, gross, postings, asset, question_needed=asset.question and durable is None)


@dataclass(frozen=True)
class RegisteredExpense:
    """A posted expense.

    Attributes:
      entry_id, year, voucher_number: the voucher.
      plan: what was posted and why.
      supplier_id: the supplier (created if the vendor was new), or None without a vendor.
      missing_receipt: no receipt was kept with it yet (ask for one).
    """

    entry_id: int
    year: int
    voucher_number: int
    plan: ExpensePlan
    supplier_id: int | None
    missing_receipt: bool = True


def register_expense(
    session: Session,
    company_id: int,
    amount: Decimal | str | int,
    category: str | ExpenseRule,
    date: dt.date,
    vendor: str | None,
    user: int | None,
    channel: str,
    source: str = "",
    *,
    paid_from: str = BANK_ACCOUNT,
    durable: bool | None = None,
    receipt: bytes | None = None,
    receipt_filename: str = "",
) -> RegisteredExpense:
    """Post an expense of `amount` (VAT included) in `category` ("drivstoff", "lunsj med
    kunde") bought from `vendor` (a new name becomes a supplier) by user id `user`, paid from
    `paid_from`; equipment at or over the capitalisation limit goes on its asset account
    (`durable`: the answer to "does it last 3 years or more?"). The voucher needs its
    receipt: `receipt` (a photo or PDF) is kept with it, and without one it is posted all the
    same and marked as missing it. Refused with a domain error, writing nothing, for an
    amount that is not positive with at most two decimals, an unknown category, an unknown
    vehicle, equipment whose life is not known (`EquipmentLifeUnknown`), a receipt that
    cannot be kept (`InvalidAttachment`) or a date in a closed period."""
    plan = plan_expense(session, company_id, amount, category, date, paid_from=paid_from, durable=durable)
    if plan.question_needed and plan.asset is not None:
        raise EquipmentLifeUnknown(
            f"does it last {plan.asset.limit.min_life_years} years or more?",
            keyword=plan.treatment.category.keyword,
            asset_account=plan.asset.account,
            limit=str(plan.asset.limit.amount),
            min_life_years=plan.asset.limit.min_life_years,
        )
    ensure_open(session, company_id, date)
    supplier = find_or_add_supplier(session, company_id, vendor) if vendor and vendor.strip() else None
    keyword = plan.treatment.category.keyword
    description = f"{keyword.capitalize()}, {supplier.name}" if supplier else keyword.capitalize()
    postings = expense_postings(
        plan.gross,
        plan.treatment.account,
        plan.treatment.vat_code,
        plan.treatment.rate,
        paid_from,
        supplier_id=supplier.id if supplier else None,
        description=description,
    )
    entry = post_entry(
        session,
        company_id,
        date,
        description,
        postings,
        channel=channel,
        created_by_id=user,
        source=source,
    )
    require_receipt(session, company_id, entry.id)
    if receipt is not None:
        attach_document(session, company_id, entry.id, receipt, receipt_filename, created_by_id=user, channel=channel)
    missing = is_missing_documentation(session, company_id, entry.id)
    return RegisteredExpense(
        entry.id, entry.year, entry.voucher_number, plan, supplier.id if supplier else None, missing_receipt=missing
    )
