"""Checking the bank balance ("hva er saldoen?", "what's my balance"), now or on a past day
("hva hadde vi på konto 1. oktober?", "saldoen i september" is the balance at its end)."""

from __future__ import annotations

import datetime as dt

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.books import reading
from actions.context import Asker
from actions.forms import KeeperAction
from actions.periods import parse_day, parse_period
from actions.replies import render
from ledger import clock
from ledger.reports.balances import bank_balance


class ActionCheckBalance(KeeperAction):
    """Says what the company has on its bank account (1920) now, or had on a past day."""

    action = "action_check_balance"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, asker: Asker) -> list[EventType]:
        assert asker.company_id is not None
        day = asked_day(tracker)
        with reading().begin() as session:
            balance = bank_balance(session, asker.company_id, on=day)
        dispatcher.utter_message(text=render(asker.language, "balance.j2", balance=balance, day=day))
        return []


def asked_day(tracker: Tracker) -> dt.date | None:
    """The past day the balance is asked for: a day said ("1. oktober", "i går"), else the
    end of a span said ("i september"); None for now (nothing said, or today or later)."""
    day = parse_day(next(tracker.get_latest_entity_values("date"), None))
    if day is None:
        span = parse_period(next(tracker.get_latest_entity_values("period"), None))
        day = span[1] if span is not None else None
    if day is None or day >= clock.today():
        return None
    return day
