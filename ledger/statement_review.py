"""A bank statement gone through with a person: what each line is, what can be posted at
once, and the lines to decide one by one.

`review_statement` sorts a statement's lines (beancount-style: values, the caller words them):

- `matches`: money in that pays an open invoice (`ledger.bank.match_statement`);
- `known`: money out to a vendor the company has a rule for (`ledger.vendor_rules`), to be
  posted as an expense on that rule's account and VAT code;
- `unknown`: money out to a vendor without a rule, for a person to categorise;
- `incoming`: money in (NOK) that matched no invoice, for a person to point at an invoice
  (`invoices_fitting` lists the likely ones) or to call other income;
- `left`: lines in another currency: listed, not posted;
- `already_posted`: lines posted from an earlier import of the same statement.

`post_reviewed` posts the matches and the known expenses; `decide_line` posts one unknown
line in the category a person chose and remembers the vendor; `pay_invoice_from_line` posts a
line of money in as a payment on the invoice a person chose, `post_other_income` as other
operating income. Every line posts once, whatever it is posted as (`ledger.bank.once_per_line`:
its id is the idempotency key), so a statement sent again, or a button pressed twice, posts
nothing twice. Each bank posting keeps its statement line as its documentation
(`ledger.attachments`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.orm import Session

from ledger.attachments import attach_statement_line
from ledger.bank import (
    CURRENCY,
    Match,
    PostedPayment,
    RefusedMatch,
    Statement,
    StatementLine,
    Unmatched,
    match_statement,
    once_per_line,
    post_line_payment,
    post_matches,
    statement_line_fields,
)
from ledger.customers import Choice, match_names
from ledger.errors import InvalidInput, LedgerError, UnknownExpenseCategory
from ledger.expenses import ExpenseRule, expense_treatment, find_category, register_expense
from ledger.journal import Posting, post_entry
from ledger.money import Money
from ledger.reports.receivables import OpenInvoice, open_invoices
from ledger.vendor_rules import Rule, RuleBook, followed, remember_vendor, rule_book, vendor_in_bank_text


def vendor_of(line: StatementLine) -> str:
    """Who was paid: the payee the bank names, else the vendor in the line's text."""
    return line.counterparty.strip() or vendor_in_bank_text(line.text)


BANK_ACCOUNT = "1920"
OTHER_INCOME_ACCOUNT = "3900"
"""Annen driftsrelatert inntekt: money in that pays no invoice and that a person calls other
income (a refund, a grant, a fee received). Posted without VAT: a sale that carries VAT is
invoiced, or registered as a sale, not found on the statement afterwards."""

_WALKED_IN: frozenset[str] = frozenset({"no_match", "ambiguous", "overpayment", "invoice_not_open"})
"""The reasons money in is left unmatched that a person can settle line by line."""


@dataclass(frozen=True)
class KnownExpense:
    """Money out to a vendor the company has a rule for."""

    line: StatementLine
    rule: Rule

    @property
    def amount(self) -> Money:
        return -self.line.amount


@dataclass(frozen=True)
class StatementReview:
    """A statement's lines sorted for a person (see the module docstring)."""

    statement: Statement
    matches: tuple[Match, ...]
    known: tuple[KnownExpense, ...]
    unknown: tuple[StatementLine, ...]
    incoming: tuple[Unmatched, ...]
    left: tuple[Unmatched, ...]
    already_posted: tuple[StatementLine, ...]

    @property
    def matched_total(self) -> Money:
        return sum((m.amount for m in self.matches), Decimal("0.00"))

    @property
    def known_total(self) -> Money:
        return sum((k.amount for k in self.known), Decimal("0.00"))

    @property
    def to_post(self) -> int:
        """How many lines "ja" posts at once."""
        return len(self.matches) + len(self.known)


def _sorted(
    statement: Statement, matches: Sequence[Match], unmatched: Iterable[Unmatched], rules: RuleBook
) -> StatementReview:
    known: list[KnownExpense] = []
    unknown: list[StatementLine] = []
    incoming: list[Unmatched] = []
    left: list[Unmatched] = []
    posted: list[StatementLine] = []
    for item in unmatched:
        line = item.line
        if item.reason == "already_posted":
            posted.append(line)
        elif item.reason in _WALKED_IN and line.currency == CURRENCY and line.amount > 0:
            incoming.append(item)
        elif item.reason == "outgoing" and line.currency == CURRENCY and line.amount < 0:
            rule = rules.find(vendor_of(line), line.text)
            if rule is not None:
                known.append(KnownExpense(line, rule))
            else:
                unknown.append(line)
        else:
            left.append(item)
    return StatementReview(
        statement, tuple(matches), tuple(known), tuple(unknown), tuple(incoming), tuple(left), tuple(posted)
    )


def review_statement(session: Session, company_id: int, statement: Statement) -> StatementReview:
    """Sort the statement's lines for the company (reads only)."""
    proposal = match_statement(session, company_id, statement.lines)
    return _sorted(statement, proposal.matches, proposal.unmatched, rule_book(session, company_id))


@dataclass(frozen=True)
class BankExpense:
    """A line of money out posted as an expense (or found posted before: `repeated`)."""

    line_id: str
    entry_id: int
    voucher: str
    amount: Money
    account: str
    vat: Money
    repeated: bool


@dataclass(frozen=True)
class RefusedLine:
    """A line the books refused to post (a closed period, an account gone)."""

    line: StatementLine
    code: str
    message: str


@dataclass(frozen=True)
class PostedReview:
    """What `post_reviewed` posted and what it could not."""

    payments: tuple[PostedPayment, ...]
    expenses: tuple[BankExpense, ...]
    refused_payments: tuple[RefusedMatch, ...]
    refused_lines: tuple[RefusedLine, ...] = field(default_factory=tuple)

    @property
    def posted_now(self) -> int:
        return sum(1 for p in self.payments if not p.repeated) + sum(1 for e in self.expenses if not e.repeated)


def _needs_vehicle(session: Session, company_id: int, category: str) -> bool:
    """Whether the category's VAT depends on the company's vehicle (fuel)."""
    if not category:
        return False
    try:
        return find_category(session, company_id, category).needs_vehicle
    except UnknownExpenseCategory:
        return False


def deductible_rate(
    session: Session, company_id: int, line: StatementLine, account: str, vat_code: str, category: str
) -> Decimal:
    """The VAT rate in percent a line would deduct when posted on `account` with `vat_code`
    (0 outside the VAT register or for a passenger car's fuel); `VehicleUnknown` when it
    depends on a vehicle the company has not told us about."""
    rule = ExpenseRule(category or account, account, vat_code, _needs_vehicle(session, company_id, category), "", "")
    return expense_treatment(session, company_id, rule, line.date).rate


def post_bank_expense(
    session: Session,
    company_id: int,
    line: StatementLine,
    account: str,
    vat_code: str,
    *,
    category: str,
    user_id: int | None,
    channel: str,
) -> BankExpense:
    """Post a line of money out as an expense on `account` with `vat_code`, once per line; the
    line is kept as the voucher's documentation. The VAT follows the law as for any expense
    (`ledger.expenses.expense_treatment`): nothing deducted outside the VAT register, nor on
    fuel for a passenger car (`VehicleUnknown` while the vehicle is not known)."""
    if line.amount >= 0 or line.currency != CURRENCY:
        raise InvalidInput("only money out in NOK is posted as an expense", line_id=line.line_id)
    rule = ExpenseRule(
        category or vendor_of(line) or account, account, vat_code, _needs_vehicle(session, company_id, category), "", ""
    )

    def work(s: Session) -> dict[str, object]:
        posted = register_expense(
            s, company_id, -line.amount, rule, line.date, vendor_of(line) or None, user_id, channel, line.line_id
        )
        fields = statement_line_fields(line)
        attach_statement_line(
            s, company_id, posted.entry_id, line.line_id, fields, created_by_id=user_id, channel=channel
        )
        return {
            "entry_id": posted.entry_id,
            "voucher": f"{posted.year}-{posted.voucher_number}",
            "amount": str(posted.plan.gross),
            "account": posted.plan.treatment.account,
            "vat": str(posted.plan.vat),
        }

    outcome = once_per_line(session, company_id, line, work, posted_as=("entry_id", "account"))
    result = outcome.result
    return BankExpense(
        line_id=line.line_id,
        entry_id=int(str(result["entry_id"])),
        voucher=str(result["voucher"]),
        amount=Decimal(str(result["amount"])),
        account=str(result["account"]),
        vat=Decimal(str(result["vat"])),
        repeated=outcome.repeated,
    )


def post_reviewed(
    session: Session, company_id: int, review: StatementReview, *, user_id: int | None, channel: str
) -> PostedReview:
    """Post the review's matches (as payments) and known expenses (on their rules), each in its
    own savepoint: a refused line does not stop the rest."""
    payments, refused_payments = post_matches(
        session, company_id, review.matches, created_by_id=user_id, channel=channel
    )
    expenses: list[BankExpense] = []
    refused: list[RefusedLine] = []
    for known in review.known:
        rule = known.rule
        try:
            expense = post_bank_expense(
                session,
                company_id,
                known.line,
                rule.account,
                rule.vat_code,
                category=rule.category,
                user_id=user_id,
                channel=channel,
            )
        except LedgerError as exc:
            refused.append(RefusedLine(known.line, exc.code, str(exc)))
            continue
        expenses.append(expense)
        if not expense.repeated:
            followed(session, company_id, rule.id)
    return PostedReview(tuple(payments), tuple(expenses), tuple(refused_payments), tuple(refused))


@dataclass(frozen=True)
class Decided:
    """A line posted on a person's decision, and the rule it taught."""

    expense: BankExpense
    rule: Rule


def decide_line(
    session: Session,
    company_id: int,
    line: StatementLine,
    category: str,
    *,
    user_id: int | None,
    channel: str,
) -> Decided:
    """Post a line of money out in the expense category a person chose ("telefon") and
    remember its vendor's account and VAT code for next time."""
    chosen = find_category(session, company_id, category)
    expense = post_bank_expense(
        session,
        company_id,
        line,
        chosen.account,
        chosen.vat_code,
        category=chosen.keyword,
        user_id=user_id,
        channel=channel,
    )
    rule = remember_vendor(
        session, company_id, vendor_of(line), chosen.account, chosen.vat_code, category=chosen.keyword, user_id=user_id
    )
    return Decided(expense, rule)


def follow_rule(
    session: Session, company_id: int, line: StatementLine, rule: Rule, *, user_id: int | None, channel: str
) -> BankExpense:
    """Post a line the way its vendor's rule says (the person said yes to "Som sist: ...")."""
    expense = post_bank_expense(
        session, company_id, line, rule.account, rule.vat_code, category=rule.category, user_id=user_id, channel=channel
    )
    if not expense.repeated:
        followed(session, company_id, rule.id)
    return expense


@dataclass(frozen=True)
class BankIncome:
    """A line of money in posted as other income (or found posted before: `repeated`)."""

    line_id: str
    entry_id: int
    voucher: str
    amount: Money
    account: str
    repeated: bool


def post_other_income(
    session: Session, company_id: int, line: StatementLine, *, user_id: int | None, channel: str
) -> BankIncome:
    """Post a line of money in that pays no invoice as other operating income (1920 /
    `OTHER_INCOME_ACCOUNT`, no VAT), once per line, the line kept as the voucher's
    documentation; a person decided it, nothing guesses it."""
    if line.amount <= 0 or line.currency != CURRENCY:
        raise InvalidInput("only money in, in NOK, is posted as income", line_id=line.line_id[:50])
    payer = vendor_of(line)

    def work(s: Session) -> dict[str, object]:
        entry = post_entry(
            s,
            company_id,
            line.date,
            f"Annen inntekt {payer}".strip(),
            [
                Posting(BANK_ACCOUNT, line.amount, description=line.text),
                Posting(OTHER_INCOME_ACCOUNT, -line.amount, description=line.text),
            ],
            channel=channel,
            created_by_id=user_id,
            source=line.line_id,
        )
        attach_statement_line(
            s, company_id, entry.id, line.line_id, statement_line_fields(line), created_by_id=user_id, channel=channel
        )
        return {
            "entry_id": entry.id,
            "voucher": f"{entry.year}-{entry.voucher_number}",
            "amount": str(line.amount),
            "income_account": OTHER_INCOME_ACCOUNT,
        }

    outcome = once_per_line(session, company_id, line, work, posted_as=("income_account",))
    result = outcome.result
    return BankIncome(
        line_id=line.line_id,
        entry_id=int(str(result["entry_id"])),
        voucher=str(result["voucher"]),
        amount=Decimal(str(result["amount"])),
        account=str(result["income_account"]),
        repeated=outcome.repeated,
    )


def pay_invoice_from_line(
    session: Session,
    company_id: int,
    line: StatementLine,
    invoice_number: int,
    *,
    user_id: int | None,
    channel: str,
) -> PostedPayment:
    """Post a line of money in as a payment on the invoice a person chose, as a matched line
    is posted (`ledger.bank.post_line_payment`); `Overpayment` when it owes less."""
    return post_line_payment(session, company_id, line, invoice_number, created_by_id=user_id, channel=channel)


@dataclass(frozen=True)
class Fitting:
    """The open invoices a line of money in may pay.

    Attributes:
      invoices: likeliest first (see `invoices_fitting`).
      proposed: the one to propose for "ja": the only invoice owing exactly the amount, or the
        payer's only one doing so; None when that is not clear.
    """

    invoices: tuple[OpenInvoice, ...] = ()
    proposed: OpenInvoice | None = None


def invoices_fitting(review: StatementReview, owed: Sequence[OpenInvoice], line: StatementLine) -> Fitting:
    """The open invoices a line of money in may pay, likeliest first: those owing exactly its
    amount, the payer's own first; then the payer's other invoices owing more (a part
    payment). What the statement's matches take is counted as paid already."""
    taken: dict[int, Money] = {}
    for match in review.matches:
        taken[match.invoice_id] = taken.get(match.invoice_id, Decimal("0.00")) + match.amount
    payer = vendor_of(line)

    def left(invoice: OpenInvoice) -> Money:
        return invoice.open_amount - taken.get(invoice.invoice_id, Decimal("0.00"))

    def theirs(invoice: OpenInvoice) -> bool:
        named = match_names(payer, [Choice(invoice.customer_id, invoice.customer_name)])
        return bool(payer) and named.outcome != "none"

    exact = sorted((o for o in owed if left(o) == line.amount), key=lambda o: (not theirs(o), o.due_date, o.number))
    partly = sorted((o for o in owed if left(o) > line.amount and theirs(o)), key=lambda o: (o.due_date, o.number))
    payers = [o for o in exact if theirs(o)]
    proposed = exact[0] if len(exact) == 1 else (payers[0] if len(payers) == 1 else None)
    return Fitting(tuple(exact + partly), proposed)


@dataclass(frozen=True)
class NextLine:
    """The next line of a statement that waits for a person, and what fits it: for money
    out, the rule that fits it now (a vendor decided earlier in the same statement), if any;
    for money in, the open invoices it may pay (`invoices_fitting`).

    Attributes:
      remaining: how many lines wait, this one included.
      fitting: for money in, the invoices it may pay.
    """

    line: StatementLine
    rule: Rule | None
    remaining: int
    fitting: Fitting = field(default_factory=Fitting)

    @property
    def incoming(self) -> bool:
        return self.line.amount > 0


def next_undecided(
    session: Session, company_id: int, statement: Statement, skipped: Iterable[str] = ()
) -> NextLine | None:
    """The first line not yet posted and not skipped: the lines of money out first, then the
    money in that matched no invoice, each in statement order; None when none is left."""
    passed = set(skipped)
    review = review_statement(session, company_id, statement)
    order = {line.line_id: n for n, line in enumerate(statement.lines)}
    out = sorted([k.line for k in review.known] + list(review.unknown), key=lambda ln: order[ln.line_id])
    into = sorted((u.line for u in review.incoming), key=lambda ln: order[ln.line_id])
    waiting = [line for line in out + into if line.line_id not in passed]
    if not waiting:
        return None
    first = waiting[0]
    if first.amount > 0:
        owed = open_invoices(session, company_id)
        return NextLine(first, None, len(waiting), invoices_fitting(review, owed, first))
    rule = next((k.rule for k in review.known if k.line.line_id == first.line_id), None)
    return NextLine(first, rule, len(waiting))


_OTHER_INCOME_WORDS: tuple[str, ...] = (
    "annen inntekt", "andre inntekter", "anna inntekt", "annen innbetaling", "inntekt", "other income", "income",
    "other",
)


def means_other_income(text: str | None) -> bool:
    """Whether a person's words for a line of money in call it other income ("annen
    inntekt", "det er annen inntekt", "other income")."""
    if not text:
        return False
    words = " " + " ".join(text.casefold().split()) + " "
    return any(f" {word} " in words or f" {word}." in words for word in _OTHER_INCOME_WORDS)


def line_in(statement: Statement, line_id: str) -> StatementLine:
    """The statement's line with this id; `InvalidInput` when it has none."""
    for line in statement.lines:
        if line.line_id == line_id:
            return line
    raise InvalidInput("no such line on the statement", line_id=line_id[:50])
