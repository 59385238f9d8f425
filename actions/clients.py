"""Questions across every company whose books the asker keeps, as an accountant or an owner
("vis saldo for alle klientene mine", "hvem har ubetalte fakturaer over 30 dager?", "hvilke
klienter har mva-frist denne uka?", "which clients haven't settled VAT for the last term?").

One answer per question: a line per client, in the order that needs attention first (the
ledger's `ordered`), a button into each client (the same `switch_company` payload as "bytt
til Fjord Bygg"), and a chart of the clients side by side where a figure compares well. Staff
memberships are not part of it: a person sees the clients whose books they keep.

The intent is one (`clients_overview`); which figure is asked for is read from the words of
the message by `figure_asked`, a pure function like the other entity parsers (the NLU's
name extractor would trim a figure's words as if they were a customer's name): the bank
balance, unpaid invoices (more than N days overdue with `overdue_days_asked`), VAT,
deadlines (in the NLU's `period` when one is said), unbilled hours, the result so far this
year, or everything when the message names no figure.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.books import reading
from actions.client_charts import clients_chart
from actions.company import switch_button
from actions.context import Asker
from actions.periods import parse_period, period_label
from actions.replies import Answer, render
from actions.reports import deadline_values
from ledger import clock
from ledger.deadlines import Deadline
from ledger.overview import ClientFigures, Figure, clients_overview, kept_companies, ordered
from ledger.vat import VatTerm

log = logging.getLogger(__name__)

SHOWN = 10
"""Clients named in one answer (with a button each); the rest are counted."""

# Checked in this order: "mva-frist" is about a deadline, "which clients owe VAT" about VAT.
_FIGURE_WORDS: tuple[tuple[Figure, re.Pattern[str]], ...] = (
    (Figure.DEADLINES, re.compile(r"frist|deadline|due date|innlevering|file\b|filing")),
    (Figure.VAT, re.compile(r"\bmva|moms|merverdi|\bvat\b|vat[- ]")),
    (Figure.UNBILLED, re.compile(r"ufakturer|ikke (?:er )?fakturert|unbilled|uninvoiced|not (?:yet )?(?:been )?"
                                 r"(?:invoiced|billed)|\btimer\b|\bhours\b")),
    (Figure.UNPAID, re.compile(r"ubetal|utestående|forfal|skyld|fordring|purr|betal|unpaid|overdue|outstanding"
                               r"|\bowe|receivable|\bpay")),
    (Figure.RESULT, re.compile(r"resultat|overskudd|underskudd|\btap\b|lønnsom|tjen|profit|\bloss|result|earn")),
    (Figure.BALANCE, re.compile(r"saldo|bank|konto|penger|likvid|cash|balan|money")),
)
_OVERDUE_DAYS = re.compile(
    r"(?:over|mer enn|eldre enn|utover|more than|older than|over|past|beyond)\s+(\d{1,3})\s*"
    r"(?:dager|dgaer|dagar|døgn|days?|d)\b"
)
_VAT_WORDS = _FIGURE_WORDS[1][1]


def figure_asked(text: str) -> Figure:
    """The figure a question across clients is about, by its words; `ALL` when it names none
    ("oversikt over klientene mine")."""
    words = text.casefold()
    return next((figure for figure, pattern in _FIGURE_WORDS if pattern.search(words)), Figure.ALL)


def overdue_days_asked(text: str) -> int:
    """How many days past due an unpaid invoice must be to count ("over 30 dager" → 30; 0
    when the question says nothing of it: everything overdue)."""
    found = _OVERDUE_DAYS.search(text.casefold())
    return int(found.group(1)) if found else 0


def about_vat_only(text: str) -> bool:
    """Whether a question about deadlines asks about VAT returns only ("mva-frist")."""
    return bool(_VAT_WORDS.search(text.casefold()))


@dataclass(frozen=True)
class Question:
    """A question across clients, as read from one message.

    Attributes:
      figure: what it is about.
      overdue_days: for unpaid invoices, how far past due counts.
      window: for deadlines, the days asked about (None: each client's next one).
      vat_only: for deadlines, only VAT returns.
    """

    figure: Figure
    overdue_days: int
    window: tuple[dt.date, dt.date] | None
    vat_only: bool


def question_of(tracker: Tracker) -> Question:
    text = str((tracker.latest_message or {}).get("text") or "")
    figure = figure_asked(text)
    window = parse_period(next(tracker.get_latest_entity_values("period"), None))
    return Question(
        figure=figure,
        overdue_days=overdue_days_asked(text),
        window=window if figure == Figure.DEADLINES else None,
        vat_only=figure == Figure.DEADLINES and about_vat_only(text),
    )


def _term_values(term: VatTerm, language: str) -> dict[str, Any]:
    return {
        "key": term.key,
        "number": term.number,
        "year": term.year,
        "annual": term.kind == "annual",
        "months": period_label(term.start, term.end, language),
        "due_date": term.due_date,
    }


def _deadlines_asked(row: ClientFigures, question: Question) -> list[Deadline]:
    """The client's open deadlines the question is about: those in its window, else the next."""
    found = [d for d in row.open_deadlines if not question.vat_only or d.kind == "mva"]
    if question.window is None:
        return found[:1]
    first, last = question.window
    return [d for d in found if first <= d.due_date <= last]


def _row_values(row: ClientFigures, question: Question, role: str, language: str) -> dict[str, Any]:
    vat = row.vat
    return {
        "name": row.name,
        "role": role,
        "bank_balance": row.bank_balance,
        "receivable": row.receivables.total,
        "overdue": row.receivables.overdue,
        "overdue_asked": row.overdue_beyond(question.overdue_days),
        "over_90": row.receivables.days_over_90,
        "vat": None
        if vat is None
        else {
            "term": _term_values(vat.term, language),
            "to_pay": vat.to_pay,
            "settled": vat.settled,
            "late": [_term_values(t, language) for t in vat.late_terms],
        },
        "deadlines": [deadline_values(d, language) for d in _deadlines_asked(row, question)],
        "next_deadline": deadline_values(row.next_deadline, language) if row.next_deadline else None,
        "unbilled_hours": row.unbilled_hours,
        "unbilled_amount": row.unbilled_amount,
        "result": row.result,
        "concerns": [c.value for c in row.concerns],
    }


def _concerned(row: ClientFigures, question: Question) -> bool:
    """Whether the client belongs in the answer: everyone for the balance, the result and the
    whole picture; for the others, those the question finds something for."""
    match question.figure:
        case Figure.UNPAID:
            return row.overdue_beyond(question.overdue_days) > 0
        case Figure.VAT:
            return row.vat is not None
        case Figure.DEADLINES:
            late_vat = question.window is None or question.window[0] <= row.on
            return bool(_deadlines_asked(row, question)) or bool(late_vat and row.vat and row.vat.late_terms)
        case Figure.UNBILLED:
            return row.unbilled_hours > 0
        case _:
            return True


def _chart_values(rows: list[ClientFigures], question: Question) -> list[Decimal] | None:
    """The amount per client a chart of the answer shows; None when the figure is no one amount."""
    match question.figure:
        case Figure.BALANCE:
            return [r.bank_balance for r in rows]
        case Figure.UNPAID:
            return [r.overdue_beyond(question.overdue_days) for r in rows]
        case Figure.RESULT:
            return [r.result for r in rows]
        case Figure.UNBILLED:
            return [r.unbilled_amount for r in rows]
        case _:
            return None


def _chart(rows: list[ClientFigures], question: Question, language: str) -> str | None:
    """A bar per client for the figures that compare as one amount, when there are two or more."""
    values = _chart_values(rows, question)
    if values is None or len(rows) < 2:
        return None
    title = render(language, "chart_clients_title.j2", figure=question.figure.value, days=question.overdue_days)
    try:
        return clients_chart([r.name for r in rows], values, title, language)
    except Exception:  # a chart is a nicety; the figures are in the text
        log.exception("the clients chart could not be drawn")
        return None


class ActionClientsOverview(Answer):
    """Answers a question across the asker's clients with one list, the clients needing
    attention first, a button into each and, where it helps, a chart."""

    action = "action_clients_overview"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, asker: Asker) -> list[EventType]:
        if asker.user_id is None:
            dispatcher.utter_message(text=render(asker.language, "not_signed_in.j2"))
            return []
        question = question_of(tracker)
        today = clock.today()
        with reading().begin() as session:
            kept = kept_companies(session, asker.user_id)
            rows = clients_overview(session, kept, on=today)
        if not rows:
            dispatcher.utter_message(text=render(asker.language, "staff_refused.j2"))
            return []
        in_order = ordered(rows, question.figure, overdue_days=question.overdue_days)
        listed = [r for r in in_order if _concerned(r, question)]
        shown = listed[:SHOWN]
        current = next((r.name for r in rows if r.company_id == asker.company_id), None)
        text = render(
            asker.language,
            f"clients_{question.figure.value}.j2",
            rows=[_row_values(r, question, kept[r.company_id], asker.language) for r in shown],
            more=len(listed) - len(shown),
            total=len(rows),
            listed=len(listed),
            days=question.overdue_days,
            window=question.window,
            window_label=period_label(*question.window, asker.language) if question.window else None,
            vat_only=question.vat_only,
            unsettled=sum(1 for r in listed if r.vat is not None and not r.vat.settled),
            in_window=sum(1 for r in listed if _deadlines_asked(r, question)),
            today=today,
            current=current,
        )
        buttons = [switch_button(r.name) for r in shown if r.company_id != asker.company_id]
        image = _chart(shown, question, asker.language)
        if image:
            dispatcher.utter_message(json_message={"text": text, "image": image, "buttons": buttons})
        else:
            dispatcher.utter_message(text=text, buttons=buttons)
        return []
