"""The conversation around the work, end to end: an accountant switching client company,
help whose examples the assistant itself understands, and questions out of scope answered
helpfully with nothing posted."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy.orm import sessionmaker

from ledger.companies import create_company
from ledger.db import make_engine
from ledger.identity import add_membership, add_user
from tests.e2e.conftest import RunningStack
from tests.e2e.turns import fresh, journal_entries, turn

HELP_INTENTS = {
    "fakturer Fjord Bygg for 5 timer": "create_invoice",
    "før 3 timer på Nettside i går": "log_time",
    "jeg betalte 450 kr for drivstoff": "register_expense",
    "hva er saldoen?": "check_balance",
    "hvor mye mva skal vi betale?": "show_vat",
    "vis resultatet hittil i år": "show_profit",
    "invoice Fjord Bygg for 5 hours": "create_invoice",
    "log 3 hours on Website yesterday": "log_time",
    "I paid 450 kr for fuel": "register_expense",
    "what's my balance?": "check_balance",
    "how much VAT do we owe?": "show_vat",
    "show the profit so far this year": "show_profit",
}


@pytest.fixture(scope="module")
def accountant(stack: RunningStack) -> tuple[str, int]:
    """An accountant of the demo company who also keeps the books of Fjordlys Konsult AS:
    their token and the second company's id."""
    engine = make_engine(stack.database_url)
    try:
        with sessionmaker(engine, expire_on_commit=False).begin() as session:
            other = create_company(session, "Fjordlys Konsult AS", owner_name="Per Fjordlys", vat_registered=True)
            new = add_user(session, stack.company_id, "Randi Regnskap", "accountant")
            add_membership(session, new.user.id, other.company.id, "accountant")
            return new.token, other.company.id
    finally:
        engine.dispose()


def active_company(stack: RunningStack, token: str) -> int:
    response = stack.get("/api/v1/me", token=token)
    assert response.status_code == 200
    return int(response.json()["active_company_id"])


def test_an_accountant_switches_client_by_name_and_works_there(
    stack: RunningStack, accountant: tuple[str, int]
) -> None:
    token, other = accountant
    fresh(stack, token)
    assert active_company(stack, token) == stack.company_id
    switched = turn(stack, "bytt til fjordlys", token)
    assert switched.text == "Nå jobber du med Fjordlys Konsult AS (som regnskapsfører)."
    assert active_company(stack, token) == other
    assert turn(stack, "hva er saldoen?", token).text == "Saldoen på driftskontoen er 0,00 kr."

    back = turn(stack, "switch to Fjelltopp Digital", token)
    assert back.text == "You are now working on Fjelltopp Digital AS (as accountant)."
    assert active_company(stack, token) == stack.company_id


def test_switching_without_a_name_offers_the_companies(stack: RunningStack, accountant: tuple[str, int]) -> None:
    token, _ = accountant
    fresh(stack, token)
    offered = turn(stack, "bytt selskap", token)
    assert offered.payloads == [
        '/switch_company{"company": "Fjelltopp Digital AS"}',
        '/switch_company{"company": "Fjordlys Konsult AS"}',
    ]
    assert active_company(stack, token) == stack.company_id


@pytest.mark.parametrize(
    ("question", "start"),
    [
        ("skriv et dikt om våren", ("Det kan jeg dessverre ikke hjelpe med", "Det skjønte jeg ikke helt")),
        ("what's the weather like in Bergen tomorrow?", ("Sorry, I can't help with that", "I didn't quite get that")),
    ],
)
def test_out_of_scope_gets_a_helpful_answer_and_nothing_is_posted(
    stack: RunningStack, question: str, start: tuple[str, ...]
) -> None:
    fresh(stack)
    before = journal_entries(stack)
    reply = turn(stack, question)
    assert reply.text.startswith(start)
    assert reply.text.count("• ") >= 4
    assert journal_entries(stack) == before


def test_the_help_examples_are_understood_by_the_assistant(stack: RunningStack) -> None:
    fresh(stack)
    nb, en = turn(stack, "hjelp").text, turn(stack, "help").text
    examples = [line.removeprefix("• ") for line in (nb + "\n" + en).splitlines() if line.startswith("• ")]
    assert sorted(examples) == sorted(HELP_INTENTS)
    for example in examples:
        parsed = requests.post(
            f"{stack.rasa_url}/model/parse", params={"token": stack.rasa_token}, json={"text": example}, timeout=30
        ).json()
        assert parsed["intent"]["name"] == HELP_INTENTS[example], example


def test_greeting_in_both_languages(stack: RunningStack) -> None:
    assert turn(stack, "hei").text.startswith("Hei! Jeg er Bokbot.")
    assert turn(stack, "hello there").text.startswith("Hi! I'm Bokbot.")
