"""`rasa run` as Bokbot runs it: the API token from the environment, and Rasa's costliest
needless work per turn taken out.

Runs in the Rasa process (Python 3.10): `bot.stack` starts it as
`python -c RASA_WITH_TOKEN run ...`, which imports this module and calls `main()`.

What is changed, and why (measured in `bench/RESULTS.md`, "Chat under load"):

- **An action server's answer is checked against a schema compiled once.** Rasa 3.6 checks
  every answer of the action server with `jsonschema.validate(answer, schema)`, which first
  checks the schema itself against JSON Schema's meta-schema and builds a new validator: on
  this machine about 10 ms of CPU per action call, more than half of what Rasa spends on a
  turn, to learn every time that its own constant schema is well formed. The answer is
  still checked, with the same errors (the same `ValidationError`, the same message); only
  the schema's check and the validator are made once per process.
- **An event's class is found by its name in a table.** To read each stored event back (every
  event of the session, and every event an action returns), Rasa walks the whole tree of
  event classes, asking each whether it has that name: a tenth of a turn's time. The table
  maps each name to the class Rasa's walk would find first, and is made again when a name is
  missing from it (an event class defined later).
- **The model's objects are kept out of Python's full garbage collections.** A loaded model
  (TensorFlow, the featurisers, the domain) is millions of objects that live as long as the
  model; Python's full collection walks them all, here 250–600 ms a time with the process
  answering nobody, a dozen times in 20 s under load: most of the slowest turns. After a
  model is loaded, and again after the first turn it answers (which builds TensorFlow's
  graphs), what exists is collected once and frozen (`gc.freeze`), so full collections walk
  only what came since. A new model unfreezes first, so the old one is collected.
- **The dialogue states are carried forward from turn to turn** instead of being worked out
  from the whole session for each predicted action (`bot.dialogue_states`): what a turn cost
  grew with the length of the conversation.
- **The intent classifier remembers its verdicts on the texts it read last**
  (`bot.classifier_cache`): people repeat "ja", "takk", "hva er saldoen?", and the network
  gives the same verdict on the same text every time.
- **An action is sent the conversation's recent events, not all of them.** Rasa sends the
  action server every event of the session with every action call (each message with its
  whole parse), and the action server reads it all back: by a working day's afternoon,
  hundreds of kilobytes per action, encoded and decoded on every turn. The actions look back
  a few messages at most (the buttons of the last question, whether a "ja" answers the
  proposal just made), so a call carries the events since the person's `RECENT_TURNS`-th last
  message, and before them, for each slot, the event that last set it (an action can still
  tell how many messages ago a proposal was made). Everything else an action is given (the
  slots, the latest message, the active form) is as before.
- **The action server is called over a connection kept open.** Rasa opened a new HTTP
  session, and so a new connection, for every action call; each endpoint now keeps one
  session per event loop, with connections reused while idle for less than
  `KEEP_ALIVE_SECONDS` (the action server keeps them for 120 s, so it never closes one the
  client is about to reuse).
"""

from __future__ import annotations

import gc
import os
import runpy
import sys
from functools import cache
from typing import Any

TOKEN_VARIABLE = "BOKBOT_RASA_TOKEN"
KEEP_ALIVE_SECONDS = 30.0
RECENT_TURNS = 12


@cache
def _action_answer_validator() -> Any:
    """The validator of an action server's answer, built (and its schema checked) once."""
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    """`RemoteAction._validate_action_result` with the validator made once: raises Rasa's
    error for an answer that does not fit, as Rasa's own does (`jsonschema.validate` reports
    the best match of the errors found)."""
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    error = best_match(_action_answer_validator().iter_errors(result))
    if error is None:
        return True
    assert isinstance(error, ValidationError)
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


_event_classes: dict[str, Any] = {}


def resolve_event_by_type(type_name: str, default: Any = None) -> Any:
    """`Event.resolve_by_type` from a table of the event classes by name (the first found in
    Rasa's order, as its walk returns), made again when the name is not in it."""
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    if type_name not in _event_classes:
        table: dict[str, Any] = {}
        for cls in all_subclasses(Event):
            table.setdefault(cls.type_name, cls)
        _event_classes.clear()
        _event_classes.update(table)
    if type_name in _event_classes:
        return _event_classes[type_name]
    if type_name == "topic":
        return None  # as Rasa: old TopicSet events are ignored
    if default is not None:
        return default
    raise ValueError(f"Unknown event name '{type_name}'.")


_freeze_after_turn = False


def freeze_what_lives() -> None:
    """Collects what is garbage now and keeps everything still alive out of later collections."""
    gc.collect()
    gc.freeze()


def _frozen_after_loading(load_model: Any) -> Any:
    def load(self: Any, *args: Any, **kwargs: Any) -> Any:
        global _freeze_after_turn
        gc.unfreeze()  # the model loaded before (if any) is garbage once replaced
        loaded = load_model(self, *args, **kwargs)
        freeze_what_lives()
        _freeze_after_turn = True
        return loaded

    return load


def _frozen_after_first_turn(handle_message: Any) -> Any:
    async def handle(self: Any, *args: Any, **kwargs: Any) -> Any:
        global _freeze_after_turn
        answer = await handle_message(self, *args, **kwargs)
        if _freeze_after_turn:
            _freeze_after_turn = False
            freeze_what_lives()
        return answer

    return handle


def recent_events(events: Any, turns: int = RECENT_TURNS) -> list[Any]:
    """The events an action is sent (see the module docstring): those since the `turns`-th
    last user message, after the last setting of each slot before it (in their order)."""
    from rasa.shared.core.events import SlotSet, UserUttered

    events = list(events)
    start, seen = 0, 0
    for i in range(len(events) - 1, -1, -1):
        if isinstance(events[i], UserUttered):
            seen += 1
            if seen == turns:
                start = i
                break
    last_set: dict[str, int] = {}
    for i in range(start):
        if isinstance(events[i], SlotSet):
            last_set[events[i].key] = i
    return [events[i] for i in sorted(last_set.values())] + events[start:]


def action_call_format(self: Any, tracker: Any, domain: Any) -> dict[str, Any]:
    """`RemoteAction._action_call_format` of Rasa 3.6 with the recent events only."""
    import rasa
    from rasa.shared.core.trackers import EventVerbosity

    state = tracker.current_state(EventVerbosity.NONE)
    state["events"] = [event.as_dict() for event in recent_events(tracker.events)]
    result = {"next_action": self._name, "sender_id": tracker.sender_id, "tracker": state, "version": rasa.__version__}
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
        result["domain"] = domain.as_dict()
    return result


class _Lent:
    """`async with` around a session that stays open afterwards."""

    def __init__(self, session: Any) -> None:
        self.session = session

    async def __aenter__(self) -> Any:
        return self.session

    async def __aexit__(self, *_: object) -> None:
        return None


_sessions: dict[int, tuple[Any, Any, Any]] = {}


def kept_session(self: Any) -> _Lent:
    """`EndpointConfig.session`: the endpoint's session on the running event loop, made on
    first use with the endpoint's headers, authentication and time limit, as Rasa makes it."""
    import asyncio

    import aiohttp
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

    loop = asyncio.get_running_loop()
    kept = _sessions.get(id(self))
    if kept is None or kept[0] is not loop or kept[2].closed:
        auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
        session = aiohttp.ClientSession(
            headers=self.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEP_ALIVE_SECONDS),
        )
        kept = (loop, self, session)  # the endpoint itself too: its id is not reused while kept
        _sessions[id(self)] = kept
    return _Lent(kept[2])


_installed = False


def install() -> None:
    """Put the changes above into Rasa (before it serves anything; once)."""
    global _installed
    if _installed:
        return
    _installed = True
    from rasa.core.actions.action import RemoteAction
    from rasa.core.agent import Agent
    from rasa.shared.core.events import Event
    from rasa.utils.endpoints import EndpointConfig

    from bot import classifier_cache, dialogue_states

    Agent.load_model = _frozen_after_loading(Agent.load_model)  # type: ignore[method-assign]
    Agent.handle_message = _frozen_after_first_turn(Agent.handle_message)  # type: ignore[method-assign]

    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    RemoteAction._action_call_format = action_call_format  # type: ignore[method-assign]
    Event.resolve_by_type = staticmethod(resolve_event_by_type)  # type: ignore[method-assign,assignment]
    EndpointConfig.session = kept_session  # type: ignore[method-assign,assignment]
    dialogue_states.install()
    classifier_cache.install()


def main() -> None:
    """`rasa <arguments>` with `--auth-token` from `BOKBOT_RASA_TOKEN` (popped from the
    environment, so no child process and no process listing shows it), after `install()`."""
    install()
    token = os.environ.pop(TOKEN_VARIABLE, None)
    # One argument with "=": a token may begin with "-", which argparse would take for an option.
    sys.argv = ["rasa", *sys.argv[1:], *([f"--auth-token={token}"] if token is not None else [])]
    runpy.run_module("rasa", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
