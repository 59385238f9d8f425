"""`/metrics` on the gateway: turns by channel and outcome, their latency, errors and postings
by kind, in Prometheus' text format; read from this machine or with the metrics token only."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from ledger.journal import Posting, post_entry
from tests.channels.conftest import Books, GatewayFactory
from tests.channels.fake_rasa import FakeRasaWebhook


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def _scrape(client: Any, **headers: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await client.get("/metrics", headers=headers)
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    return _samples(await response.text())


def _turns(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], outcome: str) -> float:
    return samples.get(("bokbot_chat_turns_total", (("channel", "api"), ("outcome", outcome))), 0.0)


async def _chat(client: Any, books: Books, text: str) -> int:
    response = await client.post(
        "/api/v1/chat", data=json.dumps({"text": text}).encode(),
        headers={"Authorization": f"Bearer {books.owner.token}", "Content-Type": "application/json"},
    )
    return int(response.status)


async def test_turns_are_counted_by_channel_and_outcome_and_timed(
    start_gateway: GatewayFactory, books: Books, fake_rasa: FakeRasaWebhook
) -> None:
    client = await start_gateway()
    before = await _scrape(client)
    assert await _chat(client, books, "hei") == 200
    fake_rasa.down = True
    assert await _chat(client, books, "hei igjen") >= 500
    after = await _scrape(client)

    assert _turns(after, "answered") == _turns(before, "answered") + 1
    assert _turns(after, "unavailable") == _turns(before, "unavailable") + 1
    errors = ("bokbot_gateway_errors_total", (("kind", "rasa_unavailable"),))
    assert after[errors] == before.get(errors, 0.0) + 1
    timed = ("bokbot_chat_turn_seconds_count", (("channel", "api"),))
    assert after[timed] == before.get(timed, 0.0) + 2


async def test_postings_are_counted_by_kind_from_the_books(start_gateway: GatewayFactory, books: Books) -> None:
    client = await start_gateway()
    with books.sessions.begin() as s:
        post_entry(s, books.company_id, dt.date(2026, 3, 1), "Innskudd",
                   [Posting("1920", Decimal("100")), Posting("2000", Decimal("-100"))], channel="cli")
    samples = await _scrape(client)
    assert samples[("bokbot_postings_total", (("kind", "other"),))] == 1
    assert samples[("bokbot_postings_total", (("kind", "invoice"),))] == 0


async def test_a_request_relayed_by_a_proxy_needs_the_metrics_token(start_gateway: GatewayFactory) -> None:
    client = await start_gateway(metrics_token="scrape-secret")
    relayed = {"X-Forwarded-For": "203.0.113.9"}
    refused = await client.get("/metrics", headers=relayed)
    assert refused.status == 403
    assert "bokbot_" not in await refused.text()
    wrong = await client.get("/metrics", headers={**relayed, "Authorization": "Bearer guess"})
    assert wrong.status == 403
    assert await _scrape(client, **relayed, Authorization="Bearer scrape-secret")


async def test_without_a_token_only_this_machine_reads_the_metrics(start_gateway: GatewayFactory) -> None:
    client = await start_gateway(trusted_proxies=["127.0.0.1"])
    # The trusted proxy on loopback names a client elsewhere: that client is not this machine.
    refused = await client.get("/metrics", headers={"X-Forwarded-For": "198.51.100.7"})
    assert refused.status == 403
    empty_token = await client.get("/metrics", headers={"X-Forwarded-For": "198.51.100.7", "Authorization": "Bearer "})
    assert empty_token.status == 403
    assert await _scrape(client)


async def test_a_turn_rasa_leaves_unanswered_tells_the_person_to_try_again_and_may_be_sent_again(
    start_gateway: GatewayFactory, books: Books, fake_rasa: FakeRasaWebhook
) -> None:
    client = await start_gateway()
    before = await _scrape(client)
    fake_rasa.script = lambda text, metadata: []  # an action failed: the action server is down
    body = json.dumps({"text": "ja", "message_id": "m-ja"}).encode()
    headers = {"Authorization": f"Bearer {books.owner.token}", "Content-Type": "application/json"}

    first = await client.post("/api/v1/chat", data=body, headers=headers)
    assert first.status == 200
    assert [m["text"] for m in (await first.json())["messages"]] == [
        "Assistenten fikk ikke svart akkurat nå. Prøv igjen om litt – ingenting er bokført."
    ]
    fake_rasa.script = lambda text, metadata: [{"text": f"echo: {text}"}]
    again = await client.post("/api/v1/chat", data=body, headers=headers)
    assert [m["text"] for m in (await again.json())["messages"]] == ["echo: ja"]
    assert fake_rasa.texts().count("ja") == 2  # the message id was freed, so Rasa heard it again

    after = await _scrape(client)
    assert _turns(after, "unanswered") == _turns(before, "unanswered") + 1
    unanswered = ("bokbot_gateway_errors_total", (("kind", "unanswered"),))
    assert after[unanswered] == before.get(unanswered, 0.0) + 1
