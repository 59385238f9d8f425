"""A bank statement gone through with a person: what each line is, what can be posted at
once, and the lines to decide one by one.

`review_statement` sorts a statement's lines (beancount-style: values, the caller words them):

- `matches`: money in that pays an open invoice (`ledger.bank.match_statement`);
- `known`: money out to a vendor the company has a rule for (`ledger.vendor_rules`), to be
  posted as an expense on that rule's account and VAT code;
- `unknown`: money out to a vendor without a rule, for a person to categorise;
- `left`: money in that matched no invoice, and lines in another currency: listed, not posted;
- `already_posted`: lines posted from an earlier import of the same statement.

`post_reviewed` posts the matches and the known expenses; `decide_line` posts one unknown
line in the category a person chose and remembers the vendor. Every line posts once: its id
is the idempotency key (scope "bank", as for payments), so a statement sent again, or a
button pressed twice, posts nothing twice. Each bank posting keeps its statement line as its
documentation (`ledger.attachments`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.orm import Session

from ledger.attachments import attach_statement_line
from ledger.bank import (
    CURRENCY,
    SCOPE,
    Match,
    PostedPayment,
    RefusedMatch,
    Statement,
    StatementLine,
    Unmatched,
    _line_fingerprint,
    match_statement,
    post_matches,
    statement_line_fields,
)
from ledger.errors import InvalidInput, LedgerError, UnknownExpenseCategory
from ledger.expenses import ExpenseRule, expense_treatment, find_category, register_expense
from ledger.idempotency import run_once
from ledger.money import Money
from ledger.vendor_rules import Rule, RuleBook, followed, remember_vendor, rule_book, vendor_in_bank_text


def vendor_of(line: StatementLine) -> str:
    """Who was paid: the payee the bank names, else the vendor in the line's text."""
    return line.counterparty.strip() or vendor_in_bank_text(line.text)


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
    left: list[Unmatched] = []
    posted: list[StatementLine] = []
    for item in unmatched:
        line = item.line
        if item.reason == "already_posted":
            posted.append(line)
        elif item.reason == "outgoing" and line.currency == CURRENCY and line.amount < 0:
            rule = rules.find(vendor_of(line), line.text)
            if rule is not None:
                known.append(KnownExpense(line, rule))
            else:
                unknown.append(line)
        else:
            left.append(item)
    return StatementReview(statement, tuple(matches), tuple(known), tuple(unknown), tuple(left), tuple(posted))


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

    with session.begin_nested():
        outcome = run_once(
            session,
            scope=SCOPE,
            key=line.line_id,
            request_hash=_line_fingerprint(line),
            company_id=company_id,
            user_id=None,
            work=work,
        )
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
class NextLine:
    """The next line of a statement that waits for a person, and the rule that fits it now
    (a vendor decided earlier in the same statement), if any."""

    line: StatementLine
    rule: Rule | None
    remaining: int


def next_undecided(
    session: Session, company_id: int, statement: Statement, skipped: Iterable[str] = ()
) -> NextLine | None:
    """The first line of money out not yet posted and not skipped; None when none is left."""
    passed = set(skipped)
    review = review_statement(session, company_id, statement)
    waiting = [k.line for k in review.known] + list(review.unknown)
    order = {line.line_id: n for n, line in enumerate(statement.lines)}
    waiting = sorted((line for line in waiting if line.line_id not in passed), key=lambda ln: order[ln.line_id])
    if not waiting:
        return None
    first = waiting[0]
    rule = next((k.rule for k in review.known if k.line.line_id == first.line_id), None)
    return NextLine(first, rule, len(waiting))


def line_in(statement: Statement, line_id: str) -> StatementLine:
    """The statement's line with this id; `InvalidInput` when it has none."""
    for line in statement.lines:
        if line.line_id == line_id:
            return line
    raise InvalidInput("no such line on the statement", line_id=line_id[:50])
