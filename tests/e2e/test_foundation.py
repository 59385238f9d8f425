"""One question all the way through: web/REST → gateway → Rasa → action server → ledger."""

from __future__ import annotations

import requests
from sqlalchemy.orm import sessionmaker

from ledger.db import make_engine
from ledger.formatting import format_money
from ledger.reports.balances import bank_balance
from tests.e2e.conftest import RunningStack, texts


def demo_bank_balance(stack: RunningStack) -> str:
    engine = make_engine(stack.database_url)
    try:
        with sessionmaker(engine).begin() as session:
            return str(bank_balance(session, stack.company_id))
    finally:
        engine.dispose()


def test_balance_question_in_norwegian_is_answered_from_the_books(stack: RunningStack) -> None:
    from decimal import Decimal

    expected = format_money(Decimal(demo_bank_balance(stack)), "nb")
    assert texts(stack.chat("hva er saldoen?")) == [f"Saldoen på driftskontoen er {expected}."]


def test_balance_question_in_english_is_answered_in_english(stack: RunningStack) -> None:
    from decimal import Decimal

    expected = format_money(Decimal(demo_bank_balance(stack)), "en")
    assert texts(stack.chat("what's my balance?")) == [f"Your bank balance is {expected}."]


def test_staff_are_told_politely_that_balances_are_not_theirs(stack: RunningStack) -> None:
    reply = " ".join(texts(stack.chat("hva er saldoen?", token=stack.staff_token)))
    assert "egne timer" in reply
    assert "kr" not in reply


def test_me_lists_the_companies_and_roles(stack: RunningStack) -> None:
    response = stack.get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert [(c["id"], c["role"]) for c in body["companies"]] == [(stack.company_id, "owner")]


def test_requests_without_a_valid_token_get_401_and_change_nothing(stack: RunningStack) -> None:
    before = demo_bank_balance(stack)
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic abc"}):
        assert requests.get(f"{stack.gateway_url}api/v1/me", headers=headers, timeout=10).status_code == 401
        response = requests.post(
            f"{stack.gateway_url}api/v1/chat", json={"text": "hva er saldoen?"}, headers=headers, timeout=10
        )
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
        response = requests.get(
            f"{stack.gateway_url}api/v1/companies/{stack.company_id}/invoices", headers=headers, timeout=10
        )
        assert response.status_code == 401
    assert demo_bank_balance(stack) == before


def test_the_same_message_id_twice_gets_the_first_answer(stack: RunningStack) -> None:
    first = stack.chat("saldo?", message_id="e2e-balance-1")
    second = stack.chat("saldo?", message_id="e2e-balance-1")
    assert texts(first) == texts(second)
    assert texts(first)[0].startswith("Saldoen")


def journal_size(stack: RunningStack) -> int:
    response = stack.get(f"api/v1/companies/{stack.company_id}/journal", **{"from": "2000-01-01", "to": "2099-12-31"})
    assert response.status_code == 200
    return len(response.json()["entries"])


def test_a_reused_id_with_other_content_is_refused_alike_by_chat_and_rest(stack: RunningStack) -> None:
    """A chat message id and an Idempotency-Key are the same promise: sent again with other
    content, both answer 409 with the same error code and post nothing."""
    before = journal_size(stack)
    first = stack.chat("hva er saldoen?", message_id="e2e-reused-1")
    assert first.status_code == 200
    chat_again = stack.chat("jeg betalte 450 kr for drivstoff i dag", message_id="e2e-reused-1")
    customers = stack.get(f"api/v1/companies/{stack.company_id}/customers").json()["customers"]
    url = f"{stack.gateway_url}api/v1/companies/{stack.company_id}/invoices"
    headers = {"Authorization": f"Bearer {stack.owner_token}", "Idempotency-Key": "e2e-reused-2"}
    line = {"description": "Rådgivning", "quantity": "1", "unit_price": "1000", "vat_code": "3"}
    invoice = {"customer_id": customers[0]["id"], "lines": [line]}
    rest_first = requests.post(url, json=invoice, headers=headers, timeout=30)
    assert rest_first.status_code == 201, rest_first.text
    rest_again = requests.post(url, json={**invoice, "lines": [{**line, "unit_price": "2000"}]}, headers=headers,
                               timeout=30)
    assert (chat_again.status_code, rest_again.status_code) == (409, 409)
    assert chat_again.json()["error"]["code"] == rest_again.json()["error"]["code"] == "idempotency_conflict"
    assert journal_size(stack) == before + 1  # the first invoice only
    third = stack.chat("hva er saldoen?", message_id="e2e-reused-1")
    assert texts(third) == texts(first)


def test_the_web_chat_page_is_served(stack: RunningStack) -> None:
    response = requests.get(stack.gateway_url, timeout=10)
    assert response.status_code == 200
    assert "text/html" in response.headers["Content-Type"]
