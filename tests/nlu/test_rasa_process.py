"""What the Rasa process runs beside Rasa itself (`bot.rasa_server`, `bot.tracker_store`),
tested in Rasa's own runtime: the shortcuts give exactly what Rasa's own code gives, and the
conversation kept between turns is never one the database does not hold."""

from __future__ import annotations

import asyncio
import gc
import sqlite3
from pathlib import Path

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses

from bot import rasa_server
from bot.tracker_store import BokbotSQLTrackerStore

RASAS_ACTION_CALL_FORMAT = RemoteAction._action_call_format  # before any test installs ours

DOMAIN = Domain.from_dict(
    {
        "intents": ["greet", "create_invoice"],
        "slots": {"customer": {"type": "text", "mappings": [{"type": "custom"}]}},
        "responses": {"utter_greet": [{"text": "Hei"}]},
    }
)


def run(coroutine):  # type: ignore[no-untyped-def]
    return asyncio.run(coroutine)


# --- the action server's answers are checked as before ------------------------------------

ANSWERS = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "customer", "value": "Fjord Bygg"}], "responses": [{"text": "Hei"}]},
    {"events": [{"event": "nonsense"}], "responses": []},
    {"events": [{"event": "slot"}], "responses": []},
    {"events": "not a list", "responses": []},
    {"events": [], "responses": ["not an object"]},
]


@pytest.mark.parametrize("answer", ANSWERS)
def test_an_action_answer_is_accepted_or_refused_as_rasa_does(answer: dict) -> None:
    schema = RemoteAction.action_response_format_spec()
    try:
        jsonschema.validate(answer, schema)
        expected = None
    except jsonschema.ValidationError as error:
        expected = error.message
    if expected is None:
        assert rasa_server.validate_action_result(None, answer) is True
    else:
        with pytest.raises(jsonschema.ValidationError) as raised:
            rasa_server.validate_action_result(None, answer)
        assert raised.value.message.startswith(expected)
        assert "Failed to validate Action server response" in raised.value.message


def test_installed_into_rasa() -> None:
    rasa_server.install()
    assert RemoteAction._validate_action_result is rasa_server.validate_action_result
    assert Event.resolve_by_type("slot") is SlotSet
    assert RemoteAction._action_call_format is rasa_server.action_call_format


# --- an event's class by its name --------------------------------------------------------


def _rasas_walk(type_name: str) -> type | None:
    for cls in all_subclasses(Event):
        if cls.type_name == type_name:
            return cls
    return None


def test_every_event_name_finds_the_class_rasas_walk_finds() -> None:
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert {"user", "action", "slot", "session_started", "active_loop"} <= names
    for name in names:
        assert rasa_server.resolve_event_by_type(name) is _rasas_walk(name)


def test_an_unknown_event_name_is_refused_or_defaulted_as_rasa_does() -> None:
    with pytest.raises(ValueError, match="Unknown event name 'no such event'"):
        rasa_server.resolve_event_by_type("no such event")
    assert rasa_server.resolve_event_by_type("no such event", SlotSet) is SlotSet
    assert rasa_server.resolve_event_by_type("topic") is None


def test_an_event_class_defined_later_is_found() -> None:
    rasa_server.resolve_event_by_type("slot")  # the table is made

    class LaterEvent(SlotSet):
        type_name = "bokbot_test_later_event"

    assert rasa_server.resolve_event_by_type("bokbot_test_later_event") is LaterEvent


# --- the conversation kept between turns ----------------------------------------------------


def _store(path: Path) -> BokbotSQLTrackerStore:
    return BokbotSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path))


def _turn(tracker: DialogueStateTracker, text: str, customer: str) -> None:
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered(text, {"name": "create_invoice", "confidence": 1.0}))
    tracker.update(SlotSet("customer", customer))
    tracker.update(ActionExecuted("utter_greet"))


def _new_tracker(sender: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    return tracker


def _one_turn_saved(path: Path) -> tuple[BokbotSQLTrackerStore, DialogueStateTracker]:
    """A store on `path` and the tracker of one turn it saved."""
    store = _store(path)
    tracker = _new_tracker("person")
    _turn(tracker, "fakturer Fjord Bygg", "Fjord Bygg")
    run(store.save(tracker))
    return store, tracker


def _rasas_read(path: Path) -> DialogueStateTracker:
    return run(SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path)).retrieve("person"))


def _events(tracker: DialogueStateTracker) -> list[dict]:
    return [event.as_dict() for event in tracker.events]


def _rows(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as connection:
        return connection.execute(
            "SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id"
        ).fetchall()


def test_the_events_are_stored_as_rasas_own_store_stores_them(tmp_path: Path) -> None:
    ours, rasas = tmp_path / "ours.db", tmp_path / "rasas.db"
    store, plain = _store(ours), SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(rasas))
    tracker = _new_tracker("person")
    _turn(tracker, "fakturer Fjord Bygg", "Fjord Bygg")
    run(store.save(tracker))
    run(plain.save(tracker))
    again, from_plain = run(store.retrieve("person")), run(plain.retrieve("person"))
    assert again is tracker
    second_turn = [
        ActionExecuted("action_listen"),
        UserUttered("og Vestland Snekker", {"name": "create_invoice", "confidence": 1.0}),
        SlotSet("customer", "Vestland Snekker"),
        ActionExecuted("utter_greet"),
    ]
    for event in second_turn:  # the same events, timestamps and all
        again.update(event)
        from_plain.update(event)
    run(store.save(again))
    run(plain.save(from_plain))
    assert _rows(ours) == _rows(rasas)
    assert len(_rows(ours)) == 10


def test_the_next_turn_gets_the_tracker_the_last_one_saved(tmp_path: Path) -> None:
    store, tracker = _one_turn_saved(tmp_path / "c.db")
    assert run(store.retrieve("person")) is tracker


def test_what_another_process_wrote_is_read_from_the_database(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    here, there = _store(path), _store(path)
    tracker = _new_tracker("person")
    _turn(tracker, "fakturer Fjord Bygg", "Fjord Bygg")
    run(here.save(tracker))
    elsewhere = run(there.retrieve("person"))
    _turn(elsewhere, "nei, Vestland Snekker", "Vestland Snekker")
    run(there.save(elsewhere))
    read = run(here.retrieve("person"))
    assert read is not tracker
    assert read.get_slot("customer") == "Vestland Snekker"
    assert len(read.events) == len(elsewhere.events)


def test_a_turn_that_failed_before_saving_leaves_nothing_of_itself(tmp_path: Path) -> None:
    store, _ = _one_turn_saved(tmp_path / "c.db")
    half = run(store.retrieve("person"))
    _turn(half, "nei, Vestland Snekker", "Vestland Snekker")  # and then the turn fails: no save
    read = run(store.retrieve("person"))
    assert read is not half
    assert read.get_slot("customer") == "Fjord Bygg"
    assert _events(read) == _events(_rasas_read(tmp_path / "c.db"))


def test_a_new_session_is_read_as_rasa_reads_it(tmp_path: Path) -> None:
    store, tracker = _one_turn_saved(tmp_path / "c.db")
    tracker = run(store.retrieve("person"))
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    _turn(tracker, "hei igjen", "Vestland Snekker")
    run(store.save(tracker))
    read = run(store.retrieve("person"))
    assert read is not tracker
    assert read.get_slot("customer") == "Vestland Snekker"
    assert _events(read) == _events(_rasas_read(tmp_path / "c.db"))  # the latest session only


def test_a_new_model_reads_the_conversation_again(tmp_path: Path) -> None:
    store, tracker = _one_turn_saved(tmp_path / "c.db")
    store.domain = Domain.from_dict(DOMAIN.as_dict())
    read = run(store.retrieve("person"))
    assert read is not tracker
    assert read.get_slot("customer") == "Fjord Bygg"


# --- what lives as long as the model is kept out of full collections ----------------------


def test_a_model_is_frozen_once_loaded_and_after_its_first_turn_and_the_old_one_unfrozen() -> None:
    frozen_while_loading: list[int] = []
    answered: list[int] = []

    def load(self: object) -> None:
        frozen_while_loading.append(gc.get_freeze_count())

    async def handle(self: object) -> str:
        answered.append(gc.get_freeze_count())
        return "svar"

    loading, answering = rasa_server._frozen_after_loading(load), rasa_server._frozen_after_first_turn(handle)
    try:
        gc.unfreeze()
        loading(None)
        assert frozen_while_loading == [0] and gc.get_freeze_count() > 0
        kept = [[number] for number in range(1000)]  # what the first turn builds (TensorFlow's graphs)
        assert run(answering(None)) == "svar"
        after_first_turn = gc.get_freeze_count()
        assert after_first_turn >= answered[0] + len(kept)
        run(answering(None))
        assert gc.get_freeze_count() == after_first_turn  # frozen after the first turn only
        loading(None)
        assert frozen_while_loading[1] == 0  # a new model: the old one can be collected
    finally:
        gc.unfreeze()


# --- an action is sent the recent events ---------------------------------------------------


def long_conversation(turns: int) -> DialogueStateTracker:
    """`turns` turns: the person writes, the customer slot is set on some, a proposal is made on
    the third turn (and never answered), the assistant listens."""
    tracker = DialogueStateTracker("someone", DOMAIN.slots)
    for turn in range(turns):
        tracker.update(UserUttered(f"message {turn}", {"name": "greet", "confidence": 1.0}))
        if turn % 4 == 0:
            tracker.update(SlotSet("customer", f"Kunde {turn}"))
        tracker.update(ActionExecuted("action_listen"))
    return tracker


def test_an_action_is_sent_the_recent_turns_and_each_slots_last_setting_before() -> None:
    tracker = long_conversation(30)
    sent = rasa_server.recent_events(tracker.events, turns=12)
    users = [e for e in sent if isinstance(e, UserUttered)]
    assert [u.text for u in users] == [f"message {turn}" for turn in range(18, 30)]
    before = sent[: sent.index(users[0])]
    assert before == [SlotSet("customer", "Kunde 16")]  # the last setting before the window
    assert sent[len(before):] == list(tracker.events)[list(tracker.events).index(users[0]):]


def test_a_short_conversation_is_sent_whole() -> None:
    tracker = long_conversation(5)
    assert rasa_server.recent_events(tracker.events, turns=12) == list(tracker.events)


def test_an_action_call_is_rasas_but_for_the_events() -> None:
    tracker = long_conversation(30)
    action = RemoteAction("action_something", None)
    ours = rasa_server.action_call_format(action, tracker, DOMAIN)
    rasas = RASAS_ACTION_CALL_FORMAT(action, tracker, DOMAIN)
    assert ours["tracker"].pop("events") == [e.as_dict() for e in rasa_server.recent_events(tracker.events)]
    rasas["tracker"].pop("events")
    assert ours == rasas
