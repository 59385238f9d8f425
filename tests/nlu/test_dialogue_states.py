"""The dialogue states carried forward between turns (`bot.dialogue_states`) are exactly the
ones Rasa works out afresh: on every conversation the bot's own stories and rules make, at
every event as it grows, for each way the policies ask, and when events are taken back."""

from __future__ import annotations

import copy
import random
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.importers.importer import TrainingDataImporter

from bot import dialogue_states
from bot.dialogue_states import PastStates

ROOT = Path(__file__).resolve().parents[2]
RASAS_APPLIED_EVENTS = DialogueStateTracker.applied_events  # before any test installs ours


@pytest.fixture(scope="module")
def bot() -> tuple[Domain, list[list[Event]]]:
    """The bot's domain and the conversations its stories and rules describe (events only)."""
    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "bot" / "config.yml"), str(ROOT / "bot" / "domain"), [str(ROOT / "bot" / "data")]
    )
    domain = importer.get_domain()
    generated = TrainingDataGenerator(
        importer.get_stories(), domain, remove_duplicates=True, augmentation_factor=0
    ).generate()
    conversations = [list(t.events) for t in generated if len(t.events) > 3]
    assert len(conversations) > 20  # the bot's stories and rules, with its forms
    return domain, conversations


def ways_of_asking(domain: Domain) -> list[tuple[bool, bool, dict | None]]:
    """The arguments the policies ask with: Memoization's, TED's (rule-only turns hidden) and
    the rule policy's (with the slots and loops that appear only in rules)."""
    rule_only = {"slots": [s.name for s in domain.slots][:5], "loops": list(domain.form_names)[:2]}
    return [(False, False, None), (True, False, None), (False, True, rule_only), (True, True, None)]


def rasas(tracker: DialogueStateTracker, domain: Domain, asking: tuple[bool, bool, dict | None]) -> list:
    return domain.states_for_tracker_history(tracker, *asking)


def growing(domain: Domain, sender: str) -> DialogueStateTracker:
    return DialogueStateTracker(sender, domain.slots)


def test_states_equal_rasas_at_every_event_of_every_conversation(bot: tuple[Domain, list[list[Event]]]) -> None:
    domain, conversations = bot
    past_states = PastStates()
    compared = 0
    for n, events in enumerate(conversations):
        tracker = growing(domain, f"conversation-{n}")
        for event in events:
            tracker.update(event)
            for asking in ways_of_asking(domain):
                assert past_states(tracker, domain, *asking) == rasas(tracker, domain, asking)
                compared += 1
    assert compared > 1000


def test_states_equal_rasas_when_events_are_taken_back(bot: tuple[Domain, list[list[Event]]]) -> None:
    """Reverted utterances and actions, restarts and new sessions in the middle of long
    conversations (several of the bot's conversations one after another)."""
    domain, conversations = bot
    chance = random.Random(7)
    past_states = PastStates()
    takings_back = [
        lambda: [UserUtteranceReverted()],
        lambda: [ActionReverted()],
        lambda: [Restarted()],
        lambda: [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")],
    ]
    for round_ in range(12):
        tracker = growing(domain, f"long-{round_}")
        for events in chance.sample(conversations, 6):
            for event in copy.deepcopy(events):
                tracker.update(event)
                if isinstance(event, UserUttered) and chance.random() < 0.25:
                    for taken_back in chance.choice(takings_back)():
                        tracker.update(taken_back)
                for asking in ways_of_asking(domain):
                    assert past_states(tracker, domain, *asking) == rasas(tracker, domain, asking)


def test_applied_events_equal_rasas_as_the_conversation_grows_and_is_taken_back(
    bot: tuple[Domain, list[list[Event]]],
) -> None:
    """Forms activated for the first time late in a session change how earlier events fold."""
    domain, conversations = bot
    chance = random.Random(11)
    steps = carried = 0
    for round_ in range(12):
        tracker = growing(domain, f"applied-{round_}")
        for events in chance.sample(conversations, 6):
            for event in copy.deepcopy(events):
                before = tracker.__dict__.get(dialogue_states._FOLDED)
                tracker.update(event)
                if isinstance(event, UserUttered) and chance.random() < 0.25:
                    tracker.update(chance.choice([UserUtteranceReverted(), ActionReverted(), Restarted()]))
                assert dialogue_states.applied_events(tracker) == RASAS_APPLIED_EVENTS(tracker)
                steps += 1
                carried += tracker.__dict__[dialogue_states._FOLDED] is before  # went on from the last fold
                assert dialogue_states.applied_events(tracker) == RASAS_APPLIED_EVENTS(tracker)  # asked again
    assert carried > steps * 0.8  # the rest: a form new to the session, the first event
    copied = DialogueStateTracker.from_events("copied", list(tracker.events), domain.slots)
    assert dialogue_states.applied_events(copied) == RASAS_APPLIED_EVENTS(tracker)
    returned = dialogue_states.applied_events(tracker)
    returned.clear()  # the caller's list: what is kept is not changed
    assert dialogue_states.applied_events(tracker) == RASAS_APPLIED_EVENTS(tracker)


def test_a_conversation_read_afresh_or_another_trackers_events_are_replayed_whole(
    bot: tuple[Domain, list[list[Event]]],
) -> None:
    """The same conversation with other event objects (read again from the database), and a
    shorter or different history under the same name, give Rasa's states, not the kept ones."""
    domain, conversations = bot
    past_states = PastStates()
    longest = max(conversations, key=len)
    other = next(c for c in conversations if c != longest)
    asking = ways_of_asking(domain)[2]
    tracker = DialogueStateTracker.from_events("same", longest, domain.slots)
    assert past_states(tracker, domain, *asking) == rasas(tracker, domain, asking)
    for events in (copy.deepcopy(longest), longest[: len(longest) // 2], other, longest):
        tracker = DialogueStateTracker.from_events("same", events, domain.slots)
        assert past_states(tracker, domain, *asking) == rasas(tracker, domain, asking)


def test_what_a_caller_changes_in_the_states_does_not_reach_the_next_caller(
    bot: tuple[Domain, list[list[Event]]],
) -> None:
    """Rasa's featurisers delete the last user input's intent or text in place."""
    domain, conversations = bot
    past_states = PastStates()
    events = max(conversations, key=len)
    tracker = DialogueStateTracker.from_events("edited", events, domain.slots)
    asking = ways_of_asking(domain)[0]
    for state in past_states(tracker, domain, *asking)[-dialogue_states.COPIED_AT_THE_END:]:
        for sub_state in state.values():
            sub_state.clear()
    assert past_states(tracker, domain, *asking) == rasas(tracker, domain, asking)


def test_the_least_recently_asked_conversations_are_forgotten(bot: tuple[Domain, list[list[Event]]]) -> None:
    domain, conversations = bot
    past_states = PastStates(keep=3)
    for n in range(5):
        tracker = DialogueStateTracker.from_events(f"person-{n}", conversations[n], domain.slots)
        past_states(tracker, domain)
    assert len(past_states._replays) == 3
    assert {key[0] for key in past_states._replays} == {"person-2", "person-3", "person-4"}


def test_installed_for_conversations_not_for_trackers_that_keep_their_own(
    bot: tuple[Domain, list[list[Event]]],
) -> None:
    domain, conversations = bot
    original = DialogueStateTracker.past_states
    try:
        dialogue_states.install()
        assert DialogueStateTracker.past_states is not original
        tracker = DialogueStateTracker.from_events("installed", conversations[0], domain.slots)
        assert tracker.past_states(domain) == rasas(tracker, domain, (False, False, None))
        assert tracker.applied_events() == RASAS_APPLIED_EVENTS(tracker)
        rule_tracker = DialogueStateTracker("rule", domain.slots, is_rule_tracker=True)
        for event in conversations[0]:
            rule_tracker.update(event)
        assert rule_tracker.past_states(domain) == rasas(rule_tracker, domain, (False, False, None))
    finally:
        DialogueStateTracker.past_states = original  # type: ignore[method-assign]
        DialogueStateTracker.applied_events = RASAS_APPLIED_EVENTS  # type: ignore[method-assign]
