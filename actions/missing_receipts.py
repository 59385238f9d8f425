"""Which expenses are still missing their receipt ("hvilke utgifter mangler kvittering?",
"which expenses have no receipt?").

An expense is posted at once, receipt or not; until a receipt is kept with its voucher the
ledger counts it as missing its documentation (`ledger.attachments`). This answer lists
those vouchers, oldest first, and says how to send what is missing.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.books import reading
from actions.context import Asker
from actions.forms import KeeperAction
from actions.replies import reply
from ledger.attachments import vouchers_missing_documentation

SHOWN = 10
"""At most this many vouchers are listed in one answer; the rest are counted."""


class ActionListMissingReceipts(KeeperAction):
    """Lists the company's expenses whose receipt has not been sent yet."""

    action = "action_list_missing_receipts"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, asker: Asker) -> list[EventType]:
        assert asker.company_id is not None
        with reading().begin() as session:
            missing = vouchers_missing_documentation(session, asker.company_id)
        reply(
            dispatcher,
            asker,
            "missing_receipts.j2",
            vouchers=missing[:SHOWN],
            more=max(len(missing) - SHOWN, 0),
            total=len(missing),
        )
        return []
