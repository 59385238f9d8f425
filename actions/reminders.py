"""Muting deadline reminders in the chat ("slå av påminnelser om mva", "stop reminding me
about invoices", "slå på påminnelsene igjen"): the person's own reminders on Telegram in the
company they are acting for (`ledger.reminders`). Said without a kind, right after a
reminder, it is about that reminder's kind; with nothing reminded yet, about every kind."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.books import sessions
from actions.company import latest_entity
from actions.context import Asker
from actions.forms import KeeperAction
from actions.replies import reply
from ledger.reminders import ALL_KINDS, kind_said, last_reminded_kind, set_muted

UNMUTE_INTENT = "unmute_reminders"


class ActionMuteReminder(KeeperAction):
    """Mutes (or, for `unmute_reminders`, unmutes) one kind of reminder for the asker and
    says which, and how to undo it."""

    action = "action_mute_reminder"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, asker: Asker) -> list[EventType]:
        assert asker.user_id is not None and asker.company_id is not None
        muted = (tracker.latest_message or {}).get("intent", {}).get("name") != UNMUTE_INTENT
        said = latest_entity(tracker, "reminder_kind")
        kind = kind_said(said) or kind_said((tracker.latest_message or {}).get("text"))
        with sessions().begin() as session:
            if kind is None:
                kind = (last_reminded_kind(session, asker.user_id, asker.company_id) if muted else None) or ALL_KINDS
            set_muted(session, asker.user_id, asker.company_id, kind, muted)
        reply(dispatcher, asker, "reminders_muted.j2", kind=kind, muted=muted)
        return []
