"""The dialogue states of a conversation, worked out once and carried forward from turn to turn
(in the Rasa process, Python 3.10; installed by `bot.rasa_server`).

Each policy asks for the states of the whole conversation before every action it predicts
(`DialogueStateTracker.past_states`), and Rasa works them out afresh each time: it replays
every event of the session on an empty tracker and builds a state at each action. That is
three replays of the whole session for each predicted action, so a turn costs more the longer
the person has been talking: a bookkeeper's session lasts the working day (it ends after four
hours of silence), and by its afternoon the replays were most of a turn's time.

`PastStates` keeps, per conversation and per kind of question (the arguments a policy asks
with), the replayed tracker and the states so far, and on the next question replays only the
events that are new. Rasa's events are never changed, but the list of events it replays (the
"applied" events) is not only ever appended to: a reverted utterance, a form's repeated
happy-path step or a restart take events off its end. So what was replayed is compared with
what is to be replayed, event by event (the same objects: the tracker store hands a turn the
tracker the last turn saved), and the replay goes on from where they part: from a copy of the
replayed tracker kept at each of the last few turns, or from the start when they part earlier
(a conversation read afresh from the database, another process's turn). The loop is Rasa's
own (`Domain.states_for_tracker_history` 3.6) with its state carried between calls, and it is
tested against Rasa's function on the bot's stories and rules, as they grow and as they are
taken back (`tests/nlu/test_dialogue_states.py`).

Callers get a list of their own; the states near its end, which the featurisers edit in place
(the last user input), are copies, so that nothing a policy does reaches what is kept.

The list of applied events itself (`DialogueStateTracker.applied_events`) is carried forward
the same way, on the tracker: Rasa works it out from the whole session each time it is asked,
several times for each predicted action. It is a fold over the events that depends only on
the events so far and on the names of the forms the session activates anywhere; so the
events already folded are not folded again unless the session has activated a form it had not
before (`applied_events`).
"""

from __future__ import annotations

import copy
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any

from rasa.shared.core.constants import ACTION_LISTEN_NAME, PREVIOUS_ACTION
from rasa.shared.core.domain import Domain, State, SubState
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

KEEP_CONVERSATIONS = 2000
"""Conversations whose states are kept (the least recently asked about are forgotten)."""
KEEP_CHECKPOINTS = 8
"""Copies of the replayed tracker kept, one at each of the conversation's last turns: a form's
repeated step takes back at most the events since its previous step."""
COPIED_AT_THE_END = 10
"""States at the end of a returned list that are copies (featurisers edit the last one)."""


@dataclass
class _Checkpoint:
    position: int  # events replayed
    tracker: DialogueStateTracker
    states: int  # states made
    last_ml_action: SubState | None
    turn_was_hidden: bool


@dataclass
class _Replay:
    domain: Domain
    tracker: DialogueStateTracker
    applied: list[Event] = field(default_factory=list)
    states: list[State] = field(default_factory=list)
    last_ml_action: SubState | None = None
    turn_was_hidden: bool = False
    checkpoints: list[_Checkpoint] = field(default_factory=list)


def _snapshot(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """A copy of a replayed tracker that the replay going on does not change: what events
    change in place (slots, the active loop) is copied, the rest is replaced by them."""
    kept = copy.copy(tracker)
    kept.slots = {name: copy.copy(slot) for name, slot in tracker.slots.items()}
    kept.events = deque(tracker.events, maxlen=tracker.events.maxlen)
    kept.active_loop = copy.copy(tracker.active_loop)
    return kept


def _own_copy(state: State) -> State:
    return {kind: dict(sub_state) if isinstance(sub_state, dict) else sub_state for kind, sub_state in state.items()}


class PastStates:
    """`DialogueStateTracker.past_states`, carried forward between the calls for a
    conversation; the arguments are Rasa's."""

    def __init__(self, keep: int = KEEP_CONVERSATIONS) -> None:
        self.keep = keep
        self._replays: OrderedDict[tuple[Any, ...], _Replay] = OrderedDict()

    def __call__(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: dict[str, Any] | None = None,
    ) -> list[State]:
        key = (tracker.sender_id, omit_unset_slots, ignore_rule_only_turns, repr(rule_only_data))
        applied = tracker.applied_events()
        replay = self._resumed(self._replays.get(key), applied, tracker, domain)
        self._replays[key] = replay
        self._replays.move_to_end(key)
        while len(self._replays) > self.keep:
            self._replays.popitem(last=False)

        arguments = (domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        new = applied[len(replay.applied):]
        listens = [i for i, event in enumerate(new) if _is_listen(event)]
        checkpoint_at = set(listens[-KEEP_CHECKPOINTS:])
        for i, event in enumerate(new):
            if isinstance(event, ActionExecuted):
                if i in checkpoint_at:
                    replay.checkpoints.append(_Checkpoint(
                        len(replay.applied), _snapshot(replay.tracker), len(replay.states),
                        replay.last_ml_action, replay.turn_was_hidden,
                    ))
                state, replay.last_ml_action, replay.turn_was_hidden = _state_before(
                    replay.tracker, event.hide_rule_turn, replay.states,
                    replay.last_ml_action, replay.turn_was_hidden, *arguments,
                )
                if state is not None:
                    replay.states.append(state)
            replay.tracker.update(event)
            replay.applied.append(event)
        del replay.checkpoints[:-KEEP_CHECKPOINTS]

        last, _, _ = _state_before(
            replay.tracker, False, replay.states, replay.last_ml_action, replay.turn_was_hidden, *arguments
        )
        states = list(replay.states)
        if last is not None:
            states.append(last)
        start = max(0, len(states) - COPIED_AT_THE_END)
        states[start:] = [_own_copy(state) for state in states[start:]]
        return states

    @staticmethod
    def _resumed(
        replay: _Replay | None, applied: list[Event], tracker: DialogueStateTracker, domain: Domain
    ) -> _Replay:
        """The replay to go on from: the kept one as far as it agrees with `applied`."""
        if replay is not None and replay.domain is domain:
            agreed = next(
                (i for i, (was, now) in enumerate(zip(replay.applied, applied, strict=False)) if was is not now),
                min(len(replay.applied), len(applied)),
            )
            if agreed == len(replay.applied):
                return replay
            usable = [c for c in replay.checkpoints if c.position <= agreed]
            if usable:
                back = usable[-1]
                return _Replay(
                    domain, _snapshot(back.tracker), replay.applied[: back.position],
                    replay.states[: back.states], back.last_ml_action, back.turn_was_hidden, usable,
                )
        # Rasa's own starting point (`init_copy`); only the last events are needed on it.
        start = DialogueStateTracker(tracker.sender_id, tracker.slots.values(), max_event_history=2)
        return _Replay(domain, start)


def _is_listen(event: Event) -> bool:
    return isinstance(event, ActionExecuted) and event.action_name == ACTION_LISTEN_NAME


def _state_before(
    tracker: DialogueStateTracker,
    hide_rule_turn: bool,
    states: list[State],
    last_ml_action: SubState | None,
    turn_was_hidden: bool,
    domain: Domain,
    omit_unset_slots: bool,
    ignore_rule_only_turns: bool,
    rule_only_data: dict[str, Any] | None,
) -> tuple[State | None, SubState | None, bool]:
    """One step of Rasa's `Domain.states_for_tracker_history`: the state of `tracker` (None
    for a hidden rule turn) and the loop's carried values after it."""
    if ignore_rule_only_turns:
        if not turn_was_hidden:
            last_ml_action = domain._get_prev_action_sub_state(tracker)
        if not tracker.followup_action and tracker.latest_action_name != tracker.active_loop_name:
            turn_was_hidden = hide_rule_turn
        if turn_was_hidden:
            return None, last_ml_action, turn_was_hidden
    state = domain.get_active_state(tracker, omit_unset_slots=omit_unset_slots)
    if ignore_rule_only_turns:
        domain._remove_rule_only_features(state, rule_only_data)
        if states:
            domain._substitute_rule_only_user_input(state, states[-1])
        if last_ml_action:
            state[PREVIOUS_ACTION] = last_ml_action
    return domain._clean_state(state), last_ml_action, turn_was_hidden


@dataclass
class _Folded:
    count: int  # events folded
    first: Event
    last: Event
    loop_names: frozenset[str]
    applied: list[Event]


_FOLDED = "_bokbot_applied_events"


def applied_events(tracker: DialogueStateTracker) -> list[Event]:
    """`DialogueStateTracker.applied_events` of Rasa 3.6, folding only the events that are new
    since the last time it was asked of this tracker (see the module docstring)."""
    events = tracker.events
    folded: _Folded | None = tracker.__dict__.get(_FOLDED)
    if (
        folded is not None
        and len(events) >= folded.count
        and events[0] is folded.first
        and events[folded.count - 1] is folded.last
    ):
        new = (events[i] for i in range(folded.count, len(events)))
        loop_names = folded.loop_names | {e.name for e in new if isinstance(e, ActiveLoop) and e.name}
        if loop_names != folded.loop_names:
            folded = None  # a form the earlier events did not know: they fold otherwise now
    else:
        folded = None
        loop_names = frozenset(e.name for e in events if isinstance(e, ActiveLoop) and e.name)
    if not events:
        return []
    if folded is None:
        folded = _Folded(0, events[0], events[0], frozenset(loop_names), [])
    applied = folded.applied
    for i in range(folded.count, len(events)):
        event = events[i]
        if isinstance(event, (Restarted, SessionStarted)):
            applied.clear()
        elif isinstance(event, ActionReverted):
            tracker._undo_till_previous(ActionExecuted, applied)
        elif isinstance(event, UserUtteranceReverted):
            tracker._undo_till_previous(UserUttered, applied)
            tracker._undo_till_previous(ActionExecuted, applied)
        elif (
            isinstance(event, ActionExecuted)
            and event.action_name in loop_names
            and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
        ):
            tracker._undo_till_previous_loop_execution(event.action_name, applied)
        else:
            applied.append(event)
    folded.count, folded.last = len(events), events[-1]
    tracker.__dict__[_FOLDED] = folded
    return list(applied)


def install() -> None:
    """Conversations' trackers answer `past_states` from a `PastStates` and `applied_events`
    by `applied_events` (other trackers, such as training's, as before)."""
    past_states = PastStates()
    rasas = DialogueStateTracker.past_states

    def carried_forward(
        self: DialogueStateTracker,
        domain: Domain,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: dict[str, Any] | None = None,
    ) -> list[State]:
        if type(self) is not DialogueStateTracker or self.is_rule_tracker:
            return rasas(self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        return past_states(self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)

    DialogueStateTracker.past_states = carried_forward  # type: ignore[method-assign]

    rasas_applied = DialogueStateTracker.applied_events

    def folded_forward(self: DialogueStateTracker) -> list[Event]:
        if type(self) is not DialogueStateTracker or self.is_rule_tracker:
            return rasas_applied(self)
        return applied_events(self)

    DialogueStateTracker.applied_events = folded_forward  # type: ignore[method-assign]
