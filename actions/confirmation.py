"""Showing exactly what will be posted, and posting it only on "ja".

Every action that writes to the books works in two steps. First it `propose`s: it stores
what it wants to do in the `pending` slot (a JSON-serialisable `{"kind", "values", ...}`),
shows the summary (customer, lines, net, VAT, total, accounts, due date) and offers Ja/Nei
buttons (payloads `/affirm` and `/deny`). Then `ActionConfirm` (the rules send every
`affirm` and `deny` to it) either posts, through the function registered for that kind with
`@confirmed("<kind>")`, or clears the slot and says that nothing was posted.

A "ja" only confirms the question it answers: if the person has said anything else since the
proposal, or the proposal was made for another user or company, nothing is posted.

A proposal is posted at most once. Each one gets an id when it is made (`pending["id"]`), and
the posting claims that id through the ledger's idempotency records in the same transaction
as the entries it writes. The action server may die after that commit and before its reply
reaches Rasa: the person then heard that nothing was posted, the `pending` slot still holds
the proposal, and a second "ja" finds the id claimed, posts nothing and repeats what the
first one posted ("Dette er allerede bokført: ... (bilag 2026-12)").

    @confirmed("create_invoice")
    def post_invoice(session: Session, asker: Asker, values: dict[str, Any]) -> Done:
        invoice = issue_invoice(session, asker.company_id, ..., created_by_id=asker.user_id)
        return Done("invoice_created.j2", {"number": invoice.number, ...})

    return propose(dispatcher, asker.language, "create_invoice", values, "invoice_summary.j2",
                   shown={"lines": lines, "total": total}, asker=asker)

A form's submit is a `ProposeAction`: it forgets the form's slots, checks that the person may
do this and that the form was answered, and proposes what its `proposal` says; a refusal from
the ledger while working out the summary (`dry_run`) is said instead.
"""

from __future__ import annotations

import logging
import secrets
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.books import sessions
from actions.context import Asker, asker_of
from actions.replies import Answer, render
from ledger.errors import LedgerError
from ledger.idempotency import Key, Outcome, Result, fingerprint, lookup, run_once
from ledger.models import JournalEntry
from ledger.permissions import Capability, may

log = logging.getLogger(__name__)

PENDING_SLOT = "pending"
RESUME_SLOT = "resume_form"
"""The form to go back to after an offer made inside it was accepted; a rule per form
(`bot/data/*.yml`) starts that form when action_confirm sets this slot."""
AFFIRM_PAYLOAD = "/affirm"
DENY_PAYLOAD = "/deny"
IDEMPOTENCY_SCOPE = "chat-confirm"
"""Where a "ja" is claimed by its message id, for a proposal made before proposals had ids."""
PROPOSAL_SCOPE = "proposal"
"""Where a proposal's id is claimed by the posting it led to."""

T = TypeVar("T")


class ChangedSinceShown(LedgerError):
    """The books changed between the summary and the "ja" (say, more hours were logged), so
    what would be posted is not what was shown; nothing is posted."""

    code = "changed_since_shown"


@dataclass(frozen=True)
class Done:
    """What a confirmed action did, for the reply.

    Attributes:
      template: the reply template ("invoice_created.j2"), rendered in the asker's language.
      values: what the template shows.
      attachment: a link to a document the reply carries (an invoice's PDF), if any.
      events: slot events the posting implies (e.g. forgetting the last invoice asked about).
    """

    template: str
    values: Mapping[str, Any] = field(default_factory=dict)
    attachment: str | None = None
    events: tuple[EventType, ...] = ()


Poster = Callable[[Session, Asker, dict[str, Any]], Done]
"""Posts a confirmed action inside the caller's transaction and says what it did."""

_POSTERS: dict[str, Poster] = {}


def confirmed(kind: str) -> Callable[[Poster], Poster]:
    """Registers the function that carries out a confirmed action of this `kind`."""

    def register(poster: Poster) -> Poster:
        _POSTERS[kind] = poster
        return poster

    return register


def poster_for(kind: str) -> Poster | None:
    return _POSTERS.get(kind)


Follower = Callable[[CollectingDispatcher, Asker, dict[str, Any]], list[EventType] | None]
"""What a "nei" to a proposal of one kind leads to: the events of a new proposal it made
(say, the same expense as a cost after "no, it does not last 3 years"), or None for the
usual "nothing was posted"."""

_ON_DENY: dict[str, Follower] = {}


def on_deny(kind: str) -> Callable[[Follower], Follower]:
    """Registers what a "nei" to a proposal of this `kind` leads to (see `Follower`)."""

    def register(follower: Follower) -> Follower:
        _ON_DENY[kind] = follower
        return follower

    return register


def dry_run(work: Callable[[Session], T]) -> T:
    """What `work` would do to the books, without keeping it: it runs in a transaction that is
    rolled back, so a summary shows exactly what the real posting will post. `work` must
    return plain values, not rows (they are gone after the rollback)."""
    session = sessions()()
    try:
        return work(session)
    finally:
        session.rollback()
        session.close()


def entry_shown(session: Session, entry_id: int | None) -> dict[str, Any]:
    """The lines a posting puts in the books (account, debit, credit, VAT code) and its voucher
    ("2026-14"), for a summary or a reply."""
    entry = session.get(JournalEntry, entry_id) if entry_id else None
    return {
        "postings": [
            {"account": line.account, "debit": line.debit, "credit": line.credit, "vat_code": line.vat_code}
            for line in (entry.lines if entry else [])
        ],
        "voucher": f"{entry.year}-{entry.voucher_number}" if entry else "",
    }


def resume_events(resume: Mapping[str, Any] | None, **filled: Any) -> tuple[EventType, ...]:
    """The events that take the person back into the form they were in when an offer was
    made (`{"form": ..., "slots": {...}}`), with `filled` added to its slots: the slots, and
    `resume_form`, on which a rule starts the form again."""
    if not resume or not resume.get("form"):
        return ()
    slots = {**(resume.get("slots") or {}), **filled}
    events: list[EventType] = [SlotSet(name, value) for name, value in slots.items() if value is not None]
    return (*events, SlotSet(RESUME_SLOT, str(resume["form"])))


def yes_no_buttons(language: str) -> list[dict[str, str]]:
    """The Ja/Nei buttons under a summary."""
    return [
        {"title": render(language, "button_yes.j2"), "payload": AFFIRM_PAYLOAD},
        {"title": render(language, "button_no.j2"), "payload": DENY_PAYLOAD},
    ]


def propose(
    dispatcher: CollectingDispatcher,
    language: str,
    kind: str,
    values: Mapping[str, Any],
    summary_template: str,
    *,
    shown: Mapping[str, Any] | None = None,
    asker: Asker | None = None,
) -> list[EventType]:
    """Shows what will be done and asks Ja/Nei; the events that remember the proposal.

    `values` must be JSON-serialisable (amounts as strings): they are kept in the `pending`
    slot until the answer comes, and handed to the registered poster. The summary is
    rendered with `values` and, over them, `shown` (the figures as Decimals and dates, for
    the template's filters). `asker` ties the proposal to one user and company.
    """
    if kind not in _POSTERS:
        raise KeyError(f"no poster registered for {kind!r}")
    context = {k: v for k, v in {**values, **(shown or {})}.items() if k not in ("language", "template")}
    text = render(language, summary_template, **context)
    dispatcher.utter_message(text=text, buttons=yes_no_buttons(language))
    # 128 random bits: unique without asking the database, which a summary does not write to.
    pending: dict[str, Any] = {"kind": kind, "values": dict(values), "id": secrets.token_hex(16)}
    if asker is not None:
        pending["user_id"] = asker.user_id
        pending["company_id"] = asker.company_id
    return [SlotSet(PENDING_SLOT, pending), SlotSet("language", language)]


@dataclass(frozen=True)
class Proposal:
    """What a form's submit proposes: `values` for the `pending` slot and the poster
    (JSON-serialisable), and `shown`, the figures as the summary shows them."""

    values: Mapping[str, Any]
    shown: Mapping[str, Any] | None = None


class ProposeAction(Action, ABC):
    """The submit of a form that writes to the books: forgets the form's `slots`, and unless
    the asker may not (`capability`) or the form was left unanswered (a `required` slot is
    empty), shows the summary of the `kind` of posting and asks Ja/Nei.

    Abstract, so that the action server registers only the concrete ones."""

    action: ClassVar[str]
    kind: ClassVar[str]
    summary: ClassVar[str]
    slots: ClassVar[tuple[str, ...]]
    required: ClassVar[tuple[str, ...]]
    capability: ClassVar[Capability] = Capability.KEEP_BOOKS

    def name(self) -> str:
        return self.action

    @abstractmethod
    def proposal(self, tracker: Tracker, asker: Asker) -> Proposal | None:
        """What to propose, from the form's slots; None for nothing. May raise a LedgerError,
        which is said instead."""

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        asker = asker_of(tracker)
        forget: list[EventType] = [SlotSet(slot, None) for slot in self.slots]
        if not asker.known or not may(asker.role, self.capability):
            return forget
        if not all(tracker.get_slot(slot) for slot in self.required):
            return forget  # the form was left without an answer; it has said why
        try:
            proposal = self.proposal(tracker, asker)
        except LedgerError as error:
            dispatcher.utter_message(text=refusal(asker.language, error))
            return forget
        if proposal is None:
            return forget
        return forget + propose(
            dispatcher, asker.language, self.kind, proposal.values, self.summary, shown=proposal.shown, asker=asker
        )


def _user_messages_since_proposal(tracker: Tracker) -> int | None:
    """How many user messages came after the `pending` slot was last filled (None if unknown)."""
    count = 0
    for event in reversed(tracker.events or []):
        kind = event.get("event")
        if kind == "user":
            count += 1
        elif kind == "slot" and event.get("name") == PENDING_SLOT and event.get("value"):
            return count
    return None


def _answers_the_proposal(tracker: Tracker, pending: Mapping[str, Any], asker: Asker) -> bool:
    if pending.get("user_id") is not None and pending.get("user_id") != asker.user_id:
        return False
    if pending.get("company_id") is not None and pending.get("company_id") != asker.company_id:
        return False
    since = _user_messages_since_proposal(tracker)
    return since is None or since <= 1


def say(
    dispatcher: CollectingDispatcher,
    text: str,
    *,
    attachment: str | None = None,
    buttons: list[dict[str, str]] | None = None,
) -> None:
    """One message; with an attachment (a PDF link) it goes as one custom message, so text
    and link arrive together."""
    if attachment:
        dispatcher.utter_message(json_message={"text": text, "attachment": attachment, "buttons": buttons or []})
    else:
        dispatcher.utter_message(text=text, buttons=buttons or [])


def intent_of(tracker: Tracker) -> str | None:
    intent = (tracker.latest_message or {}).get("intent") or {}
    name = intent.get("name")
    return str(name) if name else None


def refusal(language: str, error: LedgerError) -> str:
    """A refused request in words: the error's code picks the sentence."""
    return render(language, "refused.j2", code=error.code, details=error.details)


class ActionConfirm(Answer):
    """Posts the pending action on "ja"; clears it and says nothing was posted on "nei"."""

    action = "action_confirm"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, asker: Asker) -> list[EventType]:
        language = asker.language
        pending = tracker.get_slot(PENDING_SLOT)
        yes = intent_of(tracker) == "affirm"
        if not isinstance(pending, dict) or not pending.get("kind"):
            dispatcher.utter_message(text=render(language, "nothing_pending.j2", yes=yes))
            return [SlotSet(RESUME_SLOT, None)]
        clear: list[EventType] = [SlotSet(PENDING_SLOT, None), SlotSet(RESUME_SLOT, None)]
        where = _claim_key(pending, asker, tracker) if asker.known else None
        # Before anything else: the "ja" whose reply was lost is one more user message since
        # the proposal, and whatever the person says now, they must hear that it was posted.
        first = _posted_before(where, pending)
        if first is not None:
            _say_repeated(dispatcher, language, first)
            return clear
        if not yes:
            follower = _ON_DENY.get(str(pending["kind"]))
            if follower is not None and asker.known and _answers_the_proposal(tracker, pending, asker):
                followed = follower(dispatcher, asker, dict(pending.get("values") or {}))
                if followed is not None:
                    return clear + followed
            dispatcher.utter_message(text=render(language, "confirm_denied.j2"))
            return clear
        if not asker.known:
            dispatcher.utter_message(text=render(language, "not_signed_in.j2"))
            return clear
        if not _answers_the_proposal(tracker, pending, asker):
            dispatcher.utter_message(text=render(language, "confirm_stale.j2"))
            return clear
        poster = poster_for(str(pending["kind"]))
        if poster is None:
            log.error("no poster for pending kind %r", pending["kind"])
            dispatcher.utter_message(text=render(language, "confirm_stale.j2"))
            return clear
        values = dict(pending.get("values") or {})
        outcome: list[Done] = []
        posted: Outcome | None = None

        def work(session: Session) -> Result:
            done = poster(session, asker, values)
            outcome.append(done)
            text = render(language, done.template, **done.values)
            return {"template": done.template, "attachment": done.attachment, "text": text}

        try:
            with sessions().begin() as session:
                if where is not None:
                    posted = run_once(
                        session,
                        scope=where.scope,
                        key=where.key,
                        request_hash=fingerprint(pending),
                        company_id=where.company_id,
                        user_id=where.user_id,
                        work=work,
                    )
                else:
                    work(session)
        except LedgerError as error:
            dispatcher.utter_message(text=refusal(language, error))
            return clear
        if not outcome:  # claimed by another "ja" at the same moment: it posted, not this one
            _say_repeated(dispatcher, language, posted.result if posted is not None else {})
            return clear
        done = outcome[0]
        say(dispatcher, render(language, done.template, **done.values), attachment=done.attachment)
        return clear + list(done.events)


def _claim_key(pending: Mapping[str, Any], asker: Asker, tracker: Tracker) -> Key | None:
    """What a posting claims so that it happens once: the proposal's id, or for a proposal
    made before proposals had one, the message id of the "ja" (None when there is neither)."""
    proposal_id = pending.get("id")
    if isinstance(proposal_id, str) and proposal_id.strip():
        return Key(PROPOSAL_SCOPE, proposal_id[-200:], asker.company_id, asker.user_id)
    message_id = asker.message_id or str((tracker.latest_message or {}).get("message_id") or "")
    if not message_id:
        return None
    return Key(IDEMPOTENCY_SCOPE, message_id[-200:], asker.company_id, asker.user_id)


def _posted_before(where: Key | None, pending: Mapping[str, Any]) -> Result | None:
    """What the first posting of this proposal answered, if it was posted; None if not."""
    if where is None:
        return None
    session = sessions()()
    try:
        claimed = lookup(session, where, fingerprint(pending))
    except LedgerError:
        return None  # the key was used for something else: the posting's own claim refuses it
    finally:
        session.close()
    if claimed is None or claimed.outcome is None:
        return None
    return claimed.outcome.result


def _say_repeated(dispatcher: CollectingDispatcher, language: str, first: Mapping[str, Any]) -> None:
    """Says that the proposal was posted before, with what was said then (and its document)."""
    attachment = first.get("attachment")
    say(
        dispatcher,
        render(language, "confirm_repeated.j2", first=str(first.get("text") or "")),
        attachment=str(attachment) if attachment else None,
    )


class ActionCancel(Action):
    """Leaves any form at once, forgets what was pending and says so ("avbryt", "cancel")."""

    def name(self) -> str:
        return "action_cancel"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        language = asker_of(tracker).language
        active = active_form(tracker)
        walking = bool(tracker.get_slot(WALK_SLOT))
        had_something = bool(active) or bool(tracker.get_slot(PENDING_SLOT)) or walking
        dispatcher.utter_message(text=render(language, "cancelled.j2", had_something=had_something))
        events = leaving_events(tracker, domain)
        if walking:
            # The statement's remaining lines are left unposted; sending the statement again
            # takes up the walk where it stopped (what was posted is never posted twice).
            events.append(SlotSet(WALK_SLOT, None))
        return events


WALK_SLOT = "statement_review"
"""A bank statement's lines being asked about one by one (`actions.statements`)."""


def active_form(tracker: Tracker) -> str | None:
    """The form the person is in the middle of, if any."""
    name = (tracker.active_loop or {}).get("name")
    return str(name) if name else None


def proposal_waiting(tracker: Tracker) -> bool:
    """A summary was just shown and waits for its Ja/Nei: nothing was said since but the
    latest message."""
    pending = tracker.get_slot(PENDING_SLOT)
    if not isinstance(pending, dict) or not pending.get("kind"):
        return False
    since = _user_messages_since_proposal(tracker)
    return since is None or since <= 1


def leaving_events(tracker: Tracker, domain: Mapping[str, Any]) -> list[EventType]:
    """The events that leave whatever is in progress: the form (its slots emptied) and a
    proposal waiting for Ja/Nei. Nothing is posted."""
    events: list[EventType] = [
        ActiveLoop(None),
        SlotSet("requested_slot", None),
        SlotSet(PENDING_SLOT, None),
        SlotSet(RESUME_SLOT, None),
    ]
    events.extend(SlotSet(slot, None) for slot in form_slots(domain, active_form(tracker)))
    return events


def form_slots(domain: Mapping[str, Any], form: str | None) -> list[str]:
    """The slots a form asks for (emptied when it is left)."""
    if not form:
        return []
    spec = (domain.get("forms") or {}).get(form) or {}
    return [str(s) for s in spec.get("required_slots") or []]
