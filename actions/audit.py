"""Who posted what ("hvem bokførte faktura 10004?", "who entered voucher 57?"): the audit
trail of an invoice or a voucher in the chat, read from `ledger.audit`."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any, Literal

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.books import reading
from actions.context import Asker
from actions.forms import KeeperAction
from actions.invoicing import invoice_number_said
from actions.replies import reply
from ledger.audit import AuditTrail, Posting, invoice_audit, voucher_audit, voucher_number_audit
from ledger.clock import OSLO
from ledger.errors import InvalidInput, NotFound

# "bilag 57", "bilag nr. 2026-57", "voucher #57": the NLU's `invoice_number` entity would read
# "bilag nr 57" as an invoice number, so a voucher named in the text is looked for first.
VOUCHER = re.compile(
    r"(?<!\w)(?:bilagsnummer|bilagsnr|bilaget|bilag|vouchers?|verifications?)\.?\s*"
    r"(?:(?:nr|no|nummer|number|#)\.?\s*)?#?\s*(?P<number>\d{4}-\d{1,9}|\d{1,9})(?!\d)",
    re.IGNORECASE,
)

Subject = tuple[Literal["invoice", "voucher"], str]


def subject_said(text: str, invoice_number: Any) -> Subject | None:
    """What the person asks about: ("voucher", "57" or "2026-57") when the text names a
    voucher, else ("invoice", "10004") from the `invoice_number` entity; None if neither."""
    found = VOUCHER.search(text or "")
    if found:
        return "voucher", found.group("number")
    number = invoice_number_said(invoice_number)
    return ("invoice", str(number)) if number is not None else None


def _posting(posting: Posting) -> dict[str, Any]:
    """A posting as the templates show it, with its time in Norway."""
    return {**asdict(posting), "at": posting.posted_at.astimezone(OSLO)}


def trail_context(trail: AuditTrail) -> dict[str, Any]:
    return {
        "kind": trail.kind,
        "invoice_number": trail.invoice_number,
        "posting": _posting(trail.posting),
        "corrections": [
            {"kind": c.kind, "credit_note_number": c.credit_note_number, "posting": _posting(c.posting)}
            for c in trail.corrections
        ],
    }


class ActionShowAudit(KeeperAction):
    """Says who posted an invoice or a voucher, when and through which channel, and what has
    corrected it since (owner and accountant)."""

    action = "action_show_audit"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, asker: Asker) -> list[EventType]:
        assert asker.company_id is not None
        text = str(tracker.latest_message.get("text") or "")
        subject = subject_said(text, next(tracker.get_latest_entity_values("invoice_number"), None))
        if subject is None:
            reply(dispatcher, asker, "audit_which.j2")
            return []
        kind, number = subject
        try:
            with reading().begin() as session:
                if kind == "invoice":
                    trail = invoice_audit(session, asker.company_id, int(number))
                elif "-" in number:
                    trail = voucher_audit(session, asker.company_id, number)
                else:
                    trail = voucher_number_audit(session, asker.company_id, int(number))
        except (NotFound, InvalidInput):
            reply(dispatcher, asker, "audit_unknown.j2", kind=kind, number=number)
            return []
        reply(dispatcher, asker, "audit_shown.j2", **trail_context(trail))
        return []
