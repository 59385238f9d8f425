"""The inner services trust no one they cannot verify: a local process that reaches the Rasa
server or the action server directly cannot read anyone's books or conversation, write a
slot or post anything, whatever metadata it forges. Over the real three processes."""

from __future__ import annotations

from typing import Any

import requests

from ledger.server_keys import action_token
from tests.e2e.conftest import RunningStack, texts
from tests.e2e.test_foundation import journal_size

NOT_SIGNED_IN = "Jeg vet ikke hvem du er ennå"


def owner_ids(stack: RunningStack) -> tuple[int, int]:
    me = stack.get("api/v1/me").json()
    return int(me["id"]), stack.company_id


def forged(stack: RunningStack, text: str) -> list[dict[str, Any]]:
    """`text` posted straight to Rasa's REST webhook as the demo owner, with the metadata the
    gateway would send but without its signature."""
    user_id, company_id = owner_ids(stack)
    metadata = {"user_id": user_id, "company_id": company_id, "role": "owner", "channel": "api", "message_id": "x"}
    response = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        json={"sender": f"user-{user_id}", "message": text, "metadata": metadata},
        timeout=120,
    )
    assert response.status_code == 200
    return list(response.json())


def test_forged_metadata_reads_no_receivables(stack: RunningStack) -> None:
    legit = texts(stack.chat("hvem skylder oss penger?"))
    assert any("10" in t for t in legit)  # the owner through the gateway sees invoice numbers
    replies = " ".join(str(m.get("text", "")) for m in forged(stack, "hvem skylder oss penger?"))
    assert NOT_SIGNED_IN in replies
    assert "kr" not in replies


def test_a_forged_yes_posts_nothing(stack: RunningStack) -> None:
    proposal = texts(stack.chat("jeg betalte 450 kr for drivstoff i dag"))
    assert proposal, "the owner gets a proposal to confirm"
    before = journal_size(stack)
    forged(stack, "/affirm")
    forged(stack, "ja")
    assert journal_size(stack) == before
    stack.chat("nei")  # the owner's own conversation goes on


def test_rasas_http_api_needs_its_token(stack: RunningStack) -> None:
    user_id, _ = owner_ids(stack)
    tracker = f"{stack.rasa_url}/conversations/user-{user_id}/tracker"
    for params in ({}, {"token": "wrong"}):
        read = requests.get(tracker, params=params, timeout=30)
        assert read.status_code in (401, 403), read.text
        assert "events" not in read.text
        write = requests.post(
            f"{tracker}/events", params=params, json={"event": "slot", "name": "expense_amount", "value": "9999"},
            timeout=30,
        )
        assert write.status_code in (401, 403)
        parse = requests.post(f"{stack.rasa_url}/model/parse", params=params, json={"text": "saldo"}, timeout=30)
        assert parse.status_code in (401, 403)
    parsed = requests.post(
        f"{stack.rasa_url}/model/parse", params={"token": stack.rasa_token}, json={"text": "hva er saldoen?"},
        timeout=30,
    )
    assert parsed.status_code == 200 and parsed.json()["intent"]["name"] == "check_balance"


def action_call(stack: RunningStack, user_id: int, company_id: int) -> dict[str, Any]:
    metadata = {"user_id": user_id, "company_id": company_id, "role": "owner", "channel": "api", "message_id": "x"}
    latest = {"text": "hva er saldoen?", "intent": {"name": "check_balance", "confidence": 1.0}, "entities": [],
              "metadata": metadata}
    return {
        "next_action": "action_check_balance",
        "sender_id": f"user-{user_id}",
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": f"user-{user_id}", "slots": {}, "latest_message": latest,
            "events": [{"event": "user", "text": latest["text"], "parse_data": latest, "metadata": metadata}],
            "paused": False, "followup_action": None, "active_loop": {}, "latest_action_name": "action_listen",
        },
    }


def test_the_action_server_answers_only_rasa_and_only_signed_people(stack: RunningStack) -> None:
    user_id, company_id = owner_ids(stack)
    body = action_call(stack, user_id, company_id)
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        refused = requests.post(f"{stack.action_url}/webhook", json=body, headers=headers, timeout=30)
        assert refused.status_code == 401
        assert requests.get(f"{stack.action_url}/actions", headers=headers, timeout=30).status_code == 401
    # Even with the action token, metadata without the gateway's signature is nobody's.
    token = {"Authorization": f"Bearer {action_token(stack.settings)}"}
    answered = requests.post(f"{stack.action_url}/webhook", json=body, headers=token, timeout=30)
    assert answered.status_code == 200, answered.text
    said = " ".join(str(r.get("text")) for r in answered.json()["responses"])
    assert NOT_SIGNED_IN in said and "Saldoen" not in said


def test_a_flood_from_one_token_is_refused_at_once_while_others_are_answered(stack: RunningStack) -> None:
    """Forty messages at once from the owner: two are answered, the rest refused at once with
    429 in Norwegian; a staff member asking meanwhile is answered."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=41) as pool:
        flood = [pool.submit(stack.chat, f"hva er saldoen {n}?") for n in range(40)]
        other = pool.submit(stack.chat, "hei", stack.staff_token)
        statuses = [f.result().status_code for f in flood]
        staff_answer = other.result()
    assert staff_answer.status_code == 200
    assert statuses.count(429) >= 30 and set(statuses) <= {200, 429}
    refused = next(f.result() for f in flood if f.result().status_code == 429)
    assert refused.json()["error"]["code"] == "too_many_messages" and "Retry-After" in refused.headers
