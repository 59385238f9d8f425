"""Greeting, help, out of scope, not understood and switching company, as the action server
runs them."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session, sessionmaker

from actions.company import (
    ActionDefaultFallback,
    ActionGoodbye,
    ActionGreet,
    ActionHelp,
    ActionNotUnderstood,
    ActionOutOfScope,
    ActionSwitchCompany,
)
from ledger.identity import add_membership, add_user
from ledger.models import User
from tests.actions.chat_builders import Conversation, Person, action_books, new_company, run, said

__all__ = ["action_books"]


def accountant_with_two_clients(books: sessionmaker[Session]) -> tuple[Person, int, int]:
    fjord = new_company(books, "Fjord Bygg AS")
    nordlys = new_company(books, "Nordlys Regnskap AS")
    with books.begin() as session:
        new = add_user(session, fjord.company_id, "Reidun Regnskap", "accountant")
        add_membership(session, new.user.id, nordlys.company_id, "accountant")
        return Person(new.user.id, fjord.company_id, "accountant"), fjord.company_id, nordlys.company_id


def active_company(books: sessionmaker[Session], user_id: int) -> int | None:
    with books.begin() as session:
        user = session.get(User, user_id)
        assert user is not None
        return user.active_company_id


def test_help_gives_one_sentence_then_examples_in_the_askers_language(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books)
    nb = run(ActionHelp(), said("hjelp", intent="help", asker=owner, language="nb"))
    en = run(ActionHelp(), said("help", intent="help", asker=owner, language="en"))
    assert nb.text.startswith("Jeg fører regnskapet")
    assert "• hva er saldoen?" in nb.text
    assert en.text.startswith("I keep the books")
    assert "• what's my balance?" in en.text
    assert 4 <= nb.text.count("• ") <= 6 and 4 <= en.text.count("• ") <= 6


def test_staff_are_shown_only_what_they_may_do(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books)
    with action_books.begin() as session:
        staff_user = add_user(session, owner.company_id, "Ola Ansatt", "staff").user.id
    staff = Person(staff_user, owner.company_id, "staff")
    reply = run(ActionHelp(), said("hjelp", intent="help", asker=staff)).text
    assert "timer" in reply
    assert "saldo" not in reply and "fakturer" not in reply


def test_out_of_scope_and_not_understood_answer_with_examples_and_do_nothing(
    action_books: sessionmaker[Session],
) -> None:
    owner = new_company(action_books)
    out = run(ActionOutOfScope(), said("skriv et dikt", intent="out_of_scope", asker=owner))
    unclear = run(ActionNotUnderstood(), said("blørk", intent="nlu_fallback", asker=owner))
    assert out.text.startswith("Det kan jeg dessverre ikke hjelpe med")
    assert unclear.text.startswith("Det skjønte jeg ikke helt")
    assert out.events == [] and unclear.events == []
    assert "• " in out.text and "• " in unclear.text


def test_goodbye_says_goodbye_and_changes_nothing(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books)
    result = run(ActionGoodbye(), said("ha det", intent="goodbye", asker=owner))
    assert result.texts == ["Ha det! Jeg er her når du trenger meg."]
    assert result.events == []


def test_goodbye_in_the_middle_of_a_form_leaves_it_with_nothing_posted(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books)
    domain = {"forms": {"log_time_form": {"required_slots": ["time_hours", "time_project"]}}}
    conversation = Conversation(slots={"time_project": "Support"}, active_loop="log_time_form",
                                requested_slot="time_hours")
    result = run(ActionGoodbye(), said("bye", intent="goodbye", asker=owner, language="en",
                                       conversation=conversation), domain)
    assert result.texts == ["Bye! I've put aside what we were doing, and nothing was posted. "
                            "I'm here whenever you need me."]
    assert {"event": "active_loop", "name": None, "timestamp": None} in result.events
    assert result.slots()["time_project"] is None and result.slots()["requested_slot"] is None


def test_the_default_fallback_forgets_the_message(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books)
    result = run(ActionDefaultFallback(), said("what?", intent="greet", asker=owner, language="en"))
    assert result.text.startswith("I didn't quite get that")
    assert result.events == [{"event": "rewind", "timestamp": None}]


def test_greeting_works_before_signing_in(action_books: sessionmaker[Session]) -> None:
    assert run(ActionGreet(), said("hei", intent="greet")).text.startswith("Hei!")


def test_an_accountant_switches_client_by_name(action_books: sessionmaker[Session]) -> None:
    accountant, _fjord, nordlys = accountant_with_two_clients(action_books)
    result = run(ActionSwitchCompany(), said("bytt til nordlys", intent="switch_company",
                                             entities={"company": "nordlys"}, asker=accountant))
    assert result.texts == ["Nå jobber du med Nordlys Regnskap AS (som regnskapsfører)."]
    assert active_company(action_books, accountant.user_id) == nordlys
    assert {"event": "reset_slots", "timestamp": None} in result.events


def test_a_company_name_the_nlu_took_for_another_kind_of_name_is_switched_to(
    action_books: sessionmaker[Session],
) -> None:
    accountant, _fjord, nordlys = accountant_with_two_clients(action_books)
    result = run(ActionSwitchCompany(), said("switch to Nordlys Regnskap", intent="switch_company",
                                             entities={"vendor": "Nordlys Regnskap"}, asker=accountant,
                                             language="en"))
    assert result.texts == ["You are now working on Nordlys Regnskap AS (as accountant)."]
    assert active_company(action_books, accountant.user_id) == nordlys


def test_a_name_that_fits_several_companies_gets_a_button_each(action_books: sessionmaker[Session]) -> None:
    accountant, fjord, _nordlys = accountant_with_two_clients(action_books)
    eiendom = new_company(action_books, "Fjord Eiendom AS")
    with action_books.begin() as session:
        add_membership(session, accountant.user_id, eiendom.company_id, "accountant")
    result = run(ActionSwitchCompany(), said("switch to fjord", intent="switch_company",
                                             entities={"company": "fjord"}, asker=accountant, language="en"))
    assert result.texts == ['Several of your companies match "fjord". Which one do you mean?']
    assert [b["title"] for b in result.buttons] == ["Fjord Bygg AS", "Fjord Eiendom AS"]
    assert active_company(action_books, accountant.user_id) == fjord


def test_without_a_name_the_companies_are_offered_as_buttons(action_books: sessionmaker[Session]) -> None:
    accountant, _fjord, _nordlys = accountant_with_two_clients(action_books)
    result = run(ActionSwitchCompany(), said("bytt selskap", intent="switch_company", asker=accountant))
    assert result.texts == ["Hvilket selskap vil du jobbe med? Nå jobber du med Fjord Bygg AS."]
    payloads = [b["payload"] for b in result.buttons]
    assert payloads == [
        '/switch_company{"company": "Fjord Bygg AS"}',
        '/switch_company{"company": "Nordlys Regnskap AS"}',
    ]
    assert json.loads(payloads[1].removeprefix("/switch_company")) == {"company": "Nordlys Regnskap AS"}


def test_another_users_company_is_never_switched_to(action_books: sessionmaker[Session]) -> None:
    accountant, fjord, _nordlys = accountant_with_two_clients(action_books)
    new_company(action_books, "Hemmelig Kunde AS")
    result = run(ActionSwitchCompany(), said("bytt til hemmelig kunde", intent="switch_company",
                                             entities={"company": "hemmelig kunde"}, asker=accountant))
    assert result.texts == [
        "Jeg finner ikke noe selskap som heter «hemmelig kunde» blant dine. "
        "Du har tilgang til: Fjord Bygg AS, Nordlys Regnskap AS."
    ]
    assert active_company(action_books, accountant.user_id) == fjord


def test_an_owner_of_one_company_is_told_so(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books)
    result = run(ActionSwitchCompany(), said("switch company", intent="switch_company", asker=owner, language="en"))
    assert result.texts == ["You only have access to Fjord Bygg AS, so that is where you work."]


def test_an_answer_without_words_keeps_the_language_of_the_conversation(action_books: sessionmaker[Session]) -> None:
    from actions.context import language_of

    owner = new_company(action_books)
    earlier = said("log time on support", intent="log_time", asker=owner, language="en")
    conversation = Conversation(events=list(earlier.events))
    for answer in ("1.5", "450 kr", '/choose{"project": "Support"}', "/affirm"):
        assert language_of(said(answer, asker=owner, language="nb", conversation=conversation)) == "en", answer
    assert language_of(said("ja takk", asker=owner, language="nb", conversation=conversation)) == "nb"
