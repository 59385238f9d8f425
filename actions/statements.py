"""Files in the conversation, and a bank statement gone through with the person who sent it.

The gateway stores a file and sends `/received_file{"file_id": ...}`; `ActionReceivedFile`
reads the file from the books, only for the company the signed message is for (a message
naming another company's file reads nothing). A statement is read and sorted
(`ledger.statement_review`) and answered with what was found: "14 linjer: 9 innbetalinger
matcher fakturaer (62 300 kr), 3 kjente utgifter, 2 ukjente. Bokfør de 12?". "ja" posts the
matches and the known expenses (`post_statement`), then the lines of money out without a
rule are asked about one at a time ("-1 249 kr Telenor 03.11: telefon, 25 % mva?"): "ja"
takes the proposed category, a button picks another (intent `categorise_statement_line`),
"Hopp over" leaves the line (intent `skip_statement_line`). Each decision posts that line and
teaches the vendor's account and VAT code for next time (`ledger.vendor_rules`). After them,
the money in that paid no invoice it could be matched to, the same way ("+5 000 kr fra Fjord
Bygg 03.11: hvilken faktura?"): a button per open invoice it may pay
(`categorise_statement_line` with an `invoice_number`), "Annen inntekt" (with the
`expense_category` "annen inntekt"), "Hopp over"; "ja" when one invoice clearly fits. A receipt is
read and proposed as an expense by `actions.receipts`; a category typed while no statement
line but a receipt waits is that receipt's.

The walk's state is the `statement_review` slot: `{"file_id", "company_id", "user_id",
"line_id", "skipped"}`; the lines themselves are read from the stored file each time, so
what was posted meanwhile (from another chat, a re-sent statement) is never asked again.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.books import sessions
from actions.confirmation import (
    AFFIRM_PAYLOAD,
    PENDING_SLOT,
    WALK_SLOT,
    ActionCancel,
    ChangedSinceShown,
    Done,
    confirmed,
    on_deny,
    propose,
    refusal,
)
from actions.context import LANGUAGES, Asker, asker_of, own_file_state, says_nothing_of_language
from actions.expenses import COMMON_CATEGORIES
from actions.forms import KeeperAction
from actions.receipts import answer_receipt, categorise_receipt, waiting_receipt
from actions.replies import Answer, render, reply
from ledger.bank import StatementLine
from ledger.conversation_files import file_for, statement_of
from ledger.errors import InvalidInput, LedgerError, UnknownExpenseCategory, VehicleUnknown
from ledger.expenses import ExpenseRule, find_category
from ledger.models import JournalEntry, Payment, User
from ledger.permissions import Capability, may
from ledger.reports.account_totals import chart_of
from ledger.statement_review import (
    NextLine,
    StatementReview,
    decide_line,
    deductible_rate,
    follow_rule,
    line_in,
    means_other_income,
    next_undecided,
    pay_invoice_from_line,
    post_other_income,
    post_reviewed,
    review_statement,
    vendor_of,
)
from ledger.vat import rate_on
from ledger.vendor_rules import Rule, likely_category, rule_book

FILE_SLOT = "file_id"
REVIEW_SLOT = WALK_SLOT
CATEGORY_ENTITY = "expense_category"
INVOICE_ENTITY = "invoice_number"
OTHER_INCOME_SAID = {"nb": "annen inntekt", "en": "other income"}
CATEGORISE_INTENT = "categorise_statement_line"
SKIP_PAYLOAD = "/skip_statement_line"
NEXT_LINE_ACTION = "action_next_statement_line"
MAX_BUTTONS = 5


def _file_id(tracker: Tracker) -> str:
    """The file the latest message names (`/received_file{"file_id": ...}`)."""
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == FILE_SLOT and entity.get("value"):
            return str(entity["value"])[:32]
    return str(tracker.get_slot(FILE_SLOT) or "")[:32]


def _entity(tracker: Tracker, name: str) -> str:
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == name and entity.get("value"):
            return str(entity["value"])
    return ""


def _review_state(asker: Asker, file_id: str, skipped: list[str] | None = None, line_id: str = "") -> dict[str, Any]:
    return {
        "file_id": file_id,
        "company_id": asker.company_id,
        "user_id": asker.user_id,
        "line_id": line_id,
        "skipped": skipped or [],
    }


def _summary(review: StatementReview) -> dict[str, Any]:
    """What a statement's summary shows (the figures for the template; counts for the check
    on "ja")."""
    return {
        "lines": len(review.statement.lines),
        "matched": len(review.matches),
        "matched_total": review.matched_total,
        "known": len(review.known),
        "known_total": review.known_total,
        "unknown": len(review.unknown),
        "incoming": len(review.incoming),
        "left": len(review.left),
        "already_posted": len(review.already_posted),
        "to_post": review.to_post,
    }


def _in_their_language(tracker: Tracker, asker: Asker) -> Asker:
    """The asker, in the language they last wrote in when this conversation has not shown it
    yet (a file sent first says nothing of language)."""
    if tracker.get_slot("language") in LANGUAGES or asker.user_id is None:
        return asker
    for event in tracker.events or []:
        if event.get("event") == "user" and not says_nothing_of_language(str(event.get("text") or "")):
            return asker
    with sessions().begin() as session:
        user = session.get(User, asker.user_id)
        language = user.language if user is not None and user.language in LANGUAGES else asker.language
    return replace(asker, language=language)


def _kind_of(asker: Asker, file_id: str) -> str | None:
    """"statement" or "receipt" for the company's file; None for a file it does not have."""
    assert asker.company_id is not None
    with sessions().begin() as session:
        row = file_for(session, asker.company_id, file_id)
        return row.kind if row is not None else None


class ActionReceivedFile(Answer):
    """Reads a file sent in the chat: a statement is summarised and its postings proposed; a
    receipt is read and its expense proposed (`actions.receipts`)."""

    action = "action_received_file"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, asker: Asker) -> list[EventType]:
        if not asker.known:
            reply(dispatcher, asker, "not_signed_in.j2")
            return [SlotSet(FILE_SLOT, None)]
        asker = _in_their_language(tracker, asker)
        assert asker.company_id is not None
        file_id = _file_id(tracker)
        if not file_id:  # words about a file, not the file itself
            reply(dispatcher, asker, "file_how.j2", channel=asker.channel)
            return []
        if _kind_of(asker, file_id) == "receipt":
            return [SlotSet(FILE_SLOT, file_id), *answer_receipt(dispatcher, asker, file_id)]
        with sessions().begin() as session:
            row = file_for(session, asker.company_id, file_id)
            if row is None:
                reply(dispatcher, asker, "file_unknown.j2")
                return [SlotSet(FILE_SLOT, None)]
            if not may(asker.role, Capability.KEEP_BOOKS):
                reply(dispatcher, asker, "staff_refused.j2")
                return [SlotSet(FILE_SLOT, None)]
            try:
                review = review_statement(session, asker.company_id, statement_of(row))
            except LedgerError as error:
                dispatcher.utter_message(text=refusal(asker.language, error))
                return [SlotSet(FILE_SLOT, None)]
            shown = _summary(review)
        state = SlotSet(REVIEW_SLOT, _review_state(asker, file_id))
        if review.to_post == 0:
            reply(dispatcher, asker, "statement_summary.j2", ask=False, **shown)
            follow = [FollowupAction(NEXT_LINE_ACTION)] if review.unknown or review.incoming else []
            return [SlotSet(FILE_SLOT, file_id), state, SlotSet(PENDING_SLOT, None), *follow]
        values = {"file_id": file_id, "to_post": review.to_post,
                  "total": str(review.matched_total + review.known_total)}
        events = propose(
            dispatcher, asker.language, "post_statement", values, "statement_summary.j2",
            shown={**shown, "ask": True}, asker=asker,
        )
        return [SlotSet(FILE_SLOT, file_id), state, *events]


def _statement(session: Session, asker: Asker, file_id: str) -> Any:
    assert asker.company_id is not None
    row = file_for(session, asker.company_id, file_id)
    if row is None:
        raise InvalidInput("the statement is not in these books", field="file_id")
    return statement_of(row)


@confirmed("post_statement")
def post_statement(session: Session, asker: Asker, values: dict[str, Any]) -> Done:
    """Posts a statement's matches and known expenses, as its summary showed them; then the
    lines left to decide are asked about."""
    assert asker.company_id is not None
    review = review_statement(session, asker.company_id, _statement(session, asker, str(values["file_id"])))
    total = str(review.matched_total + review.known_total)
    if (review.to_post, total) != (values.get("to_post"), values.get("total")):
        raise ChangedSinceShown("the statement's lines were posted or changed since the summary")
    posted = post_reviewed(session, asker.company_id, review, user_id=asker.user_id, channel=asker.channel)
    refused = len(posted.refused_payments) + len(posted.refused_lines)
    return Done(
        "statement_posted.j2",
        {
            "payments": sum(1 for p in posted.payments if not p.repeated),
            "expenses": sum(1 for e in posted.expenses if not e.repeated),
            "refused": refused,
            "unknown": len(review.unknown),
            "incoming": len(review.incoming),
        },
        events=(FollowupAction(NEXT_LINE_ACTION),) if review.unknown or review.incoming else (),
    )


def _category_buttons(language: str, leave_out: str | None) -> list[dict[str, str]]:
    """A button per common category (but the one already proposed), and "Hopp over"."""
    options = [c for c in COMMON_CATEGORIES.get(language, COMMON_CATEGORIES["nb"]) if c != leave_out]
    buttons = [
        {"title": option, "payload": f'/{CATEGORISE_INTENT}{{"{CATEGORY_ENTITY}": "{option}"}}'}
        for option in options[: MAX_BUTTONS - 1]
    ]
    buttons.append({"title": render(language, "button_skip.j2"), "payload": SKIP_PAYLOAD})
    return buttons


def _rate(session: Session, asker: Asker, line: StatementLine, account: str, vat_code: str, category: str) -> Decimal:
    """The VAT rate the line would deduct, as the question shows it."""
    if not account:
        return Decimal(0)
    assert asker.company_id is not None
    try:
        return deductible_rate(session, asker.company_id, line, account, vat_code, category)
    except VehicleUnknown:
        return rate_on(session, vat_code, line.date)  # asked about when it is posted


def ask_next_line(
    dispatcher: CollectingDispatcher, asker: Asker, state: dict[str, Any]
) -> list[EventType]:
    """Asks about the statement's next line of money out, proposing its rule ("Som sist: ...")
    or the likely category for "ja"; says so when none is left."""
    assert asker.company_id is not None
    file_id = str(state.get("file_id") or "")
    skipped = [str(s) for s in state.get("skipped") or []]
    with sessions().begin() as session:
        statement = _statement(session, asker, file_id)
        waiting = next_undecided(session, asker.company_id, statement, skipped)
        if waiting is None:
            reply(dispatcher, asker, "statement_done.j2", skipped=len(skipped))
            return [SlotSet(REVIEW_SLOT, None), SlotSet(PENDING_SLOT, None)]
        if waiting.incoming:
            return _ask_income(dispatcher, asker, state, waiting, skipped)
        line = waiting.line
        rule: Rule | None = waiting.rule
        guess: ExpenseRule | None = None
        if rule is None:
            guess = likely_category(session, asker.company_id, line.text, vendor_of(line), language=asker.language)
        category = rule.category if rule else (guess.keyword if guess else "")
        account = rule.account if rule else (guess.account if guess else "")
        vat_code = rule.vat_code if rule else (guess.vat_code if guess else "")
        chart = chart_of(session, asker.company_id)
        named = chart.get(account)
        shown = {
            "amount": line.amount,
            "vendor": vendor_of(line) or line.text,
            "date": line.date,
            "rule": rule is not None,
            "category": category,
            "account": account,
            "account_name": (named.name_en if asker.language == "en" else named.name_nb) if named else "",
            "vat_code": vat_code,
            "rate": _rate(session, asker, line, account, vat_code, rule.category if rule else category),
            "remaining": waiting.remaining,
        }
    events: list[EventType] = [SlotSet(REVIEW_SLOT, {**state, "line_id": line.line_id, "skipped": skipped})]
    buttons = _category_buttons(asker.language, category or None)
    if account:
        values = {
            "file_id": file_id, "line_id": line.line_id, "account": account, "vat_code": vat_code,
            "category": category, "rule_id": rule.id if rule else None,
        }
        yes = {"title": render(asker.language, "button_yes.j2"), "payload": AFFIRM_PAYLOAD}
        text = render(asker.language, "statement_line_question.j2", **shown)
        dispatcher.utter_message(text=text, buttons=[yes, *buttons])
        pending = {"kind": "statement_line", "values": values, "user_id": asker.user_id,
                   "company_id": asker.company_id}
        return [*events, SlotSet(PENDING_SLOT, pending)]
    dispatcher.utter_message(text=render(asker.language, "statement_line_question.j2", **shown), buttons=buttons)
    return [*events, SlotSet(PENDING_SLOT, None)]


def _income_buttons(language: str, waiting: NextLine, leave_out: int | None) -> list[dict[str, str]]:
    """A button per open invoice the line may pay (but the one proposed), "Annen inntekt" and
    "Hopp over"."""
    buttons = [
        {
            "title": render(language, "button_statement_invoice.j2", number=o.number, customer=o.customer_name,
                            owed=o.open_amount),
            "payload": f'/{CATEGORISE_INTENT}{{"{INVOICE_ENTITY}": "{o.number}"}}',
        }
        for o in waiting.fitting.invoices
        if o.number != leave_out
    ][: MAX_BUTTONS - 2]
    other = OTHER_INCOME_SAID.get(language, OTHER_INCOME_SAID["nb"])
    buttons.append({"title": render(language, "button_other_income.j2"),
                    "payload": f'/{CATEGORISE_INTENT}{{"{CATEGORY_ENTITY}": "{other}"}}'})
    buttons.append({"title": render(language, "button_skip.j2"), "payload": SKIP_PAYLOAD})
    return buttons


def _ask_income(
    dispatcher: CollectingDispatcher, asker: Asker, state: dict[str, Any], waiting: NextLine, skipped: list[str]
) -> list[EventType]:
    """Asks which invoice a line of money in pays ("+5 000 kr fra Fjord Bygg 03.11: hvilken
    faktura?"), proposing for "ja" the one invoice that clearly fits, if one does."""
    line = waiting.line
    proposed = waiting.fitting.proposed
    shown = {
        "amount": line.amount,
        "payer": vendor_of(line) or line.text,
        "date": line.date,
        "invoices": len(waiting.fitting.invoices),
        "proposed": proposed.number if proposed else None,
        "customer": proposed.customer_name if proposed else "",
        "owed": proposed.open_amount if proposed else None,
        "remaining": waiting.remaining,
    }
    events: list[EventType] = [SlotSet(REVIEW_SLOT, {**state, "line_id": line.line_id, "skipped": skipped})]
    text = render(asker.language, "statement_income_question.j2", **shown)
    buttons = _income_buttons(asker.language, waiting, proposed.number if proposed else None)
    if proposed is None:
        dispatcher.utter_message(text=text, buttons=buttons)
        return [*events, SlotSet(PENDING_SLOT, None)]
    yes = {"title": render(asker.language, "button_yes.j2"), "payload": AFFIRM_PAYLOAD}
    dispatcher.utter_message(text=text, buttons=[yes, *buttons])
    values = {"file_id": str(state.get("file_id") or ""), "line_id": line.line_id,
              "invoice_number": proposed.number, "amount": str(line.amount)}
    pending = {"kind": "statement_income", "values": values, "user_id": asker.user_id,
               "company_id": asker.company_id}
    return [*events, SlotSet(PENDING_SLOT, pending)]


def _income_reply(
    session: Session, line: StatementLine, *, invoice: int | None, entry_id: int | None, account: str,
    repeated: bool,
) -> Done:
    """What a line of money in posted says: the voucher, and the invoice it paid or the
    account it was taken to as other income."""
    entry = session.get(JournalEntry, entry_id) if entry_id is not None else None
    return Done(
        "statement_income_posted.j2",
        {
            "voucher": f"{entry.year}-{entry.voucher_number}" if entry else "", "amount": line.amount,
            "payer": vendor_of(line) or line.text, "invoice": invoice, "account": account, "repeated": repeated,
        },
        events=(FollowupAction(NEXT_LINE_ACTION),),
    )


def _pay_from_line(session: Session, asker: Asker, line: StatementLine, number: int) -> Done:
    assert asker.company_id is not None
    paid = pay_invoice_from_line(session, asker.company_id, line, number, user_id=asker.user_id,
                                 channel=asker.channel)
    payment = session.get(Payment, paid.payment_id)
    return _income_reply(session, line, invoice=paid.invoice_number,
                         entry_id=payment.journal_entry_id if payment else None, account="", repeated=paid.repeated)


@confirmed("statement_income")
def post_statement_income(session: Session, asker: Asker, values: dict[str, Any]) -> Done:
    """Posts the line of money in as a payment on the invoice the question proposed."""
    line = line_in(_statement(session, asker, str(values["file_id"])), str(values["line_id"]))
    if str(line.amount) != str(values.get("amount")):
        raise ChangedSinceShown("the statement line is not the one asked about")
    return _pay_from_line(session, asker, line, int(values["invoice_number"]))


@on_deny("statement_income")
def ask_for_another_invoice(
    dispatcher: CollectingDispatcher, asker: Asker, values: dict[str, Any]
) -> list[EventType] | None:
    """A "nei" to the invoice proposed for money in: which then, or other income? (the same
    line, the proposed invoice left out of the buttons; the walk goes on)."""
    if asker.company_id is None:
        return None
    try:
        with sessions().begin() as session:
            statement = _statement(session, asker, str(values["file_id"]))
            line = line_in(statement, str(values["line_id"]))
            passed = [ln.line_id for ln in statement.lines if ln.line_id != line.line_id]
            waiting = next_undecided(session, asker.company_id, statement, passed)
    except LedgerError:
        return None
    if waiting is None or waiting.line.line_id != line.line_id:
        return None
    text = render(asker.language, "statement_income_other.j2", amount=line.amount,
                  payer=vendor_of(line) or line.text, date=line.date)
    leave_out = int(values["invoice_number"]) if values.get("invoice_number") else None
    dispatcher.utter_message(text=text, buttons=_income_buttons(asker.language, waiting, leave_out))
    return []


def _invoice_said(tracker: Tracker, said: str) -> int | None:
    """The invoice number a person picked (a button's entity) or typed ("faktura 10003")."""
    value = _entity(tracker, INVOICE_ENTITY) or ("" if said.startswith("/") else said)
    found = re.search(r"\b(\d{1,9})\b", value)
    return int(found.group(1)) if found else None


def _decide_income(
    dispatcher: CollectingDispatcher, tracker: Tracker, asker: Asker, state: dict[str, Any], line: StatementLine
) -> list[EventType]:
    """Posts the line of money in asked about as the person said: a payment on the invoice
    they picked or typed, or other income; anything else asks again, posting nothing."""
    assert asker.company_id is not None
    said = str((tracker.latest_message or {}).get("text") or "")
    number = _invoice_said(tracker, said)
    other = means_other_income(_entity(tracker, CATEGORY_ENTITY) or ("" if said.startswith("/") else said))
    if number is None and not other:
        reply(dispatcher, asker, "statement_income_unclear.j2")
        return ask_next_line(dispatcher, asker, state)
    try:
        with sessions().begin() as session:
            if number is not None:
                done = _pay_from_line(session, asker, line, number)
            else:
                income = post_other_income(session, asker.company_id, line, user_id=asker.user_id,
                                           channel=asker.channel)
                done = _income_reply(session, line, invoice=None, entry_id=income.entry_id, account=income.account,
                                     repeated=income.repeated)
    except LedgerError as error:
        dispatcher.utter_message(text=refusal(asker.language, error))
        return ask_next_line(dispatcher, asker, state)  # the same line again, with its buttons
    reply(dispatcher, asker, done.template, **done.values)
    return ask_next_line(dispatcher, asker, state)


def _posted_reply(
    line: StatementLine, voucher: str, account: str, vat: Decimal, learned: Rule | None, repeated: bool
) -> Done:
    """What a decided line's reply says: the voucher, and the rule it taught, if any."""
    return Done(
        "statement_line_posted.j2",
        {
            "voucher": voucher, "amount": -line.amount, "vendor": vendor_of(line) or line.text,
            "account": account, "vat": vat, "repeated": repeated,
            "learned": learned.vendor_name if learned else "", "learned_account": learned.account if learned else "",
        },
        events=(FollowupAction(NEXT_LINE_ACTION),),
    )


@confirmed("statement_line")
def post_statement_line(session: Session, asker: Asker, values: dict[str, Any]) -> Done:
    """Posts the line the way the question proposed: its vendor's rule, or the likely
    category (which the vendor then keeps)."""
    assert asker.company_id is not None
    line = line_in(_statement(session, asker, str(values["file_id"])), str(values["line_id"]))
    if values.get("rule_id"):
        rule = rule_book(session, asker.company_id).find(vendor_of(line), line.text)
        if rule is None or (rule.id, rule.account, rule.vat_code) != (
            values.get("rule_id"), values.get("account"), values.get("vat_code")
        ):
            raise ChangedSinceShown("the vendor's rule changed since the question")
        expense = follow_rule(session, asker.company_id, line, rule, user_id=asker.user_id, channel=asker.channel)
        return _posted_reply(line, expense.voucher, expense.account, expense.vat, None, expense.repeated)
    chosen = find_category(session, asker.company_id, str(values["category"]))
    if (chosen.account, chosen.vat_code) != (values.get("account"), values.get("vat_code")):
        raise ChangedSinceShown("the category's account changed since the question")
    decided = decide_line(session, asker.company_id, line, chosen.keyword, user_id=asker.user_id,
                          channel=asker.channel)
    expense = decided.expense
    return _posted_reply(line, expense.voucher, expense.account, expense.vat, decided.rule, expense.repeated)


@on_deny("statement_line")
def ask_for_another_category(
    dispatcher: CollectingDispatcher, asker: Asker, values: dict[str, Any]
) -> list[EventType] | None:
    """A "nei" to the category proposed for a line: what was it then? (the same line, with the
    other categories as buttons; the walk goes on)."""
    if asker.company_id is None:
        return None
    try:
        with sessions().begin() as session:
            line = line_in(_statement(session, asker, str(values["file_id"])), str(values["line_id"]))
    except LedgerError:
        return None
    text = render(asker.language, "statement_line_other.j2", amount=line.amount,
                  vendor=vendor_of(line) or line.text, date=line.date)
    dispatcher.utter_message(text=text, buttons=_category_buttons(asker.language, str(values.get("category") or "")))
    return []


def _walk(tracker: Tracker, asker: Asker) -> dict[str, Any] | None:
    """The statement walk in progress, if it is this person's in this company."""
    return own_file_state(tracker, REVIEW_SLOT, asker)


class ActionNextStatementLine(KeeperAction):
    """Asks about the statement's next line of money out (after "ja" to the summary, or after
    a line was decided)."""

    action = NEXT_LINE_ACTION

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, asker: Asker) -> list[EventType]:
        state = _walk(tracker, asker)
        if state is None:
            reply(dispatcher, asker, "statement_no_walk.j2")
            return [SlotSet(REVIEW_SLOT, None)]
        try:
            return ask_next_line(dispatcher, asker, state)
        except LedgerError as error:
            dispatcher.utter_message(text=refusal(asker.language, error))
            return [SlotSet(REVIEW_SLOT, None), SlotSet(PENDING_SLOT, None)]


class ActionCategoriseStatementLine(KeeperAction):
    """Posts the line asked about in the category the person picked, remembers the vendor,
    and asks about the next line."""

    action = "action_categorise_statement_line"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, asker: Asker) -> list[EventType]:
        assert asker.company_id is not None
        state = _walk(tracker, asker)
        said = str((tracker.latest_message or {}).get("text") or "")
        category = _entity(tracker, CATEGORY_ENTITY) or ("" if said.startswith("/") else said)
        if state is None or not state.get("line_id"):
            receipt = waiting_receipt(tracker, asker)
            if receipt is not None:  # a category typed for a receipt's question
                try:
                    return categorise_receipt(dispatcher, tracker, asker, receipt)
                except LedgerError as error:
                    dispatcher.utter_message(text=refusal(asker.language, error))
                    return []
            reply(dispatcher, asker, "statement_no_walk.j2")
            return [SlotSet(REVIEW_SLOT, None)]
        try:
            with sessions().begin() as session:
                line = line_in(_statement(session, asker, str(state["file_id"])), str(state["line_id"]))
        except LedgerError as error:
            dispatcher.utter_message(text=refusal(asker.language, error))
            return []
        try:
            if line.amount > 0:
                return _decide_income(dispatcher, tracker, asker, state, line)
            with sessions().begin() as session:
                decided = decide_line(session, asker.company_id, line, category, user_id=asker.user_id,
                                      channel=asker.channel)
                expense = decided.expense
                done = _posted_reply(line, expense.voucher, expense.account, expense.vat, decided.rule,
                                     expense.repeated)
        except UnknownExpenseCategory:
            reply(dispatcher, asker, "expense_category_unknown.j2", said=category)
            return ask_next_line(dispatcher, asker, state)  # the same line again, with its buttons
        except LedgerError as error:
            dispatcher.utter_message(text=refusal(asker.language, error))
            return []
        reply(dispatcher, asker, done.template, **done.values)
        return ask_next_line(dispatcher, asker, state)


class ActionSkipStatementLine(KeeperAction):
    """Leaves the line asked about for later and asks about the next one ("Hopp over", or
    typed: "hopp over denne", "skip it")."""

    action = "action_skip_statement_line"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """"Hopp over" typed when no statement line is asked about is about whatever is in
        progress (people say it to drop a form or a proposal too): it is left as "avbryt"
        leaves it, and nothing is posted. The button's payload keeps its own answer."""
        said = str((tracker.latest_message or {}).get("text") or "").strip()
        walk = _walk(tracker, asker_of(tracker))
        if said and not said.startswith("/") and (walk is None or not walk.get("line_id")):
            return ActionCancel().run(dispatcher, tracker, domain)
        return super().run(dispatcher, tracker, domain)

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, asker: Asker) -> list[EventType]:
        state = _walk(tracker, asker)
        if state is None or not state.get("line_id"):
            reply(dispatcher, asker, "statement_no_walk.j2")
            return [SlotSet(REVIEW_SLOT, None)]
        skipped = [*[str(s) for s in state.get("skipped") or []], str(state["line_id"])]
        try:
            return ask_next_line(dispatcher, asker, {**state, "skipped": skipped})
        except LedgerError as error:
            dispatcher.utter_message(text=refusal(asker.language, error))
            return [SlotSet(REVIEW_SLOT, None), SlotSet(PENDING_SLOT, None)]
