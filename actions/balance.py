"""Checking the bank balance ("hva er saldoen?", "what's my balance")."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.books import sessions
from actions.context import asker_of
from actions.replies import render
from ledger.reports.balances import bank_balance


class ActionCheckBalance(Action):
    """Says what the company has on its bank account (1920) now."""

    def name(self) -> str:
        return "action_check_balance"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        asker = asker_of(tracker)
        if not asker.known:
            dispatcher.utter_message(text=render(asker.language, "not_signed_in.j2"))
            return []
        if asker.role == "staff":
            dispatcher.utter_message(text=render(asker.language, "staff_refused.j2"))
            return []
        assert asker.company_id is not None
        with sessions().begin() as session:
            balance = bank_balance(session, asker.company_id)
        dispatcher.utter_message(text=render(asker.language, "balance.j2", balance=balance))
        return []
