"""Reports in the chat: the result ("hvordan går det?"), the VAT of a term ("hvor mye mva skal
vi betale?") and the statutory deadlines ("hvilke frister har vi?").

Each answer starts with the key figure, then the detail: the result against the same period
last year with a chart of the result month by month; the VAT to pay or get back with its due
date, then the base and VAT per code; the next deadlines with their dates and what late
annual accounts cost. The figures are the ledger's reports, the same the REST API serves.
Reports are for owners and accountants; staff are told politely.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.books import reading
from actions.charts import profit_by_month_chart
from actions.context import Asker
from actions.forms import KeeperAction
from actions.periods import month_span, parse_period, period_label
from actions.replies import render
from ledger import clock
from ledger.companies import company_by_id
from ledger.deadlines import Deadline, upcoming_deadlines
from ledger.reports.monthly import MonthResult, monthly_results
from ledger.reports.profit_and_loss import profit_and_loss
from ledger.vat import VatReport, VatTerm, company_term_kind, term_of, terms_between, vat_report

log = logging.getLogger(__name__)

DEADLINES_SHOWN = 5


def _period(tracker: Tracker) -> tuple[dt.date, dt.date] | None:
    return parse_period(next(tracker.get_latest_entity_values("period"), None))


def _months_in(results: tuple[MonthResult, ...], first: dt.date, last: dt.date) -> list[MonthResult]:
    return [m for m in results if m.month <= last and month_span(m.month)[1] >= first]


class ActionShowProfit(KeeperAction):
    """The result of a period (so far this year unless said), against the same period last
    year, with a chart of the result month by month."""

    action = "action_show_profit"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, asker: Asker) -> list[EventType]:
        assert asker.company_id is not None
        today = clock.today()
        first, last = _period(tracker) or (dt.date(today.year, 1, 1), today)
        with reading().begin() as session:
            report = profit_and_loss(session, asker.company_id, first, last)
            months = _months_in(monthly_results(session, asker.company_id, last.year), first, last)
            wanted = {m.month.month for m in months}
            before = [m for m in monthly_results(session, asker.company_id, last.year - 1) if m.month.month in wanted]
        text = render(
            asker.language,
            "report_profit.j2",
            period=period_label(first, last, asker.language),
            previous_period=period_label(report.previous_from, report.previous_to, asker.language),
            result=report.result,
            previous_result=report.previous_result,
            change=report.result - report.previous_result,
            income=report.total_income,
            costs=report.total_costs,
            groups=report.groups,
        )
        _say_with_chart(dispatcher, asker, text, months, before)
        return []


def _say_with_chart(
    dispatcher: CollectingDispatcher, asker: Asker, text: str, months: list[MonthResult], before: list[MonthResult]
) -> None:
    """The text and, when there is anything to draw, the chart in the same message."""
    image = None
    if months and any(m.income or m.costs for m in months + before):
        try:
            image = profit_by_month_chart(months, before, asker.language)
        except Exception:  # a chart is a nicety; the figures are in the text
            log.exception("the profit chart could not be drawn")
    if image:
        dispatcher.utter_message(json_message={"text": text, "image": image, "buttons": []})
    else:
        dispatcher.utter_message(text=text)


def _term_values(report: VatReport, language: str, today: dt.date) -> dict[str, Any]:
    term = report.term
    return {
        "number": term.number,
        "annual": term.kind == "annual",
        "year": term.year,
        "months": period_label(term.start, term.end, language),
        "to_pay": report.to_pay,
        "output_vat": report.output_vat,
        "input_vat": report.input_vat,
        "due_date": report.due_date,
        "settled": report.settled,
        "running": term.end >= today,
        "lines": [
            {
                "code": line.code,
                "rate": line.rate,
                "name": line.name_en if language == "en" else line.name_nb,
                "base": line.base,
                "vat": line.vat,
            }
            for line in report.lines
        ],
    }


class ActionShowVat(KeeperAction):
    """The VAT of the term(s) a period covers; without one, the last term that has ended (the
    next to pay) and the running one so far."""

    action = "action_show_vat"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, asker: Asker) -> list[EventType]:
        assert asker.company_id is not None
        today = clock.today()
        span = _period(tracker)
        with reading().begin() as session:
            company = company_by_id(session, asker.company_id)
            if not company.vat_registered:
                dispatcher.utter_message(text=render(asker.language, "report_vat_not_registered.j2"))
                return []
            kind = company_term_kind(company)
            terms: list[VatTerm]
            if span is not None:
                terms = terms_between(span[0], span[1], kind)
            else:
                current = term_of(today, kind)
                terms = [current.previous(), current]
            reports = [vat_report(session, asker.company_id, term) for term in terms]
        dispatcher.utter_message(
            text=render(
                asker.language,
                "report_vat.j2",
                terms=[_term_values(r, asker.language, today) for r in reports],
                total=sum((r.to_pay for r in reports), Decimal("0.00")),
            )
        )
        return []


class ActionShowDeadlines(KeeperAction):
    """The company's next statutory deadlines with their dates, and what late annual accounts
    cost."""

    action = "action_show_deadlines"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, asker: Asker) -> list[EventType]:
        assert asker.company_id is not None
        today = clock.today()
        with reading().begin() as session:
            within_a_year = upcoming_deadlines(session, asker.company_id, today=today, days=400)
        fee = next((d.late_fee_rule for d in within_a_year if d.late_fee_rule is not None), None)
        dispatcher.utter_message(
            text=render(
                asker.language,
                "report_deadlines.j2",
                deadlines=[deadline_values(d, asker.language) for d in within_a_year[:DEADLINES_SHOWN]],
                fee=fee,
            )
        )
        return []


def deadline_values(deadline: Deadline, language: str) -> dict[str, Any]:
    """A deadline as the reply names it: its VAT term or month spelled out."""
    year, _, rest = deadline.period.partition("-")
    month = None
    if deadline.kind == "a-melding" and rest.isdigit():
        month = period_label(*month_span(dt.date(int(year), int(rest), 1)), language)
    return {
        "kind": deadline.kind,
        "due_date": deadline.due_date,
        "statutory_date": deadline.statutory_date,
        "moved": deadline.due_date != deadline.statutory_date,
        "year": year,
        "term": int(rest) if deadline.kind == "mva" and rest.isdigit() else None,
        "month": month,
    }
