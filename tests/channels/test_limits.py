"""One person cannot stall everyone: a few messages in flight per user and a sustained rate,
refused at once with a sentence in their language (429 on the API), while others go on."""

from __future__ import annotations

import asyncio

import pytest

from channels.limits import TooBusy, UserLimits
from tests.channels.conftest import Books, FakeRasaWebhook, GatewayFactory


async def test_a_user_has_two_places_and_a_burst_then_a_steady_rate() -> None:
    limits = UserLimits(max_in_flight=2, per_minute=60, burst=3)
    async with limits.admit(1), limits.admit(1):
        with pytest.raises(TooBusy):
            async with limits.admit(1):
                pass
        async with limits.admit(2):  # someone else is not held up
            pass
    async with limits.admit(1):
        pass
    with pytest.raises(TooBusy) as refused:
        async with limits.admit(1):
            pass
    assert 0 < refused.value.retry_after <= 1.0


async def test_a_flood_from_one_token_is_refused_fast_and_others_are_answered(
    start_gateway: GatewayFactory, fake_rasa: FakeRasaWebhook, books: Books
) -> None:
    fake_rasa.delay = 0.5
    client = await start_gateway()
    owner = {"Authorization": f"Bearer {books.owner.token}"}
    staff = {"Authorization": f"Bearer {books.staff.token}"}
    flood = [client.post("/api/v1/chat", json={"text": f"saldo {i}"}, headers=owner) for i in range(40)]
    other = client.post("/api/v1/chat", json={"text": "hei"}, headers=staff)
    responses = await asyncio.gather(*flood, other)
    statuses = [r.status for r in responses[:-1]]
    assert responses[-1].status == 200  # the other user got an answer
    assert statuses.count(200) <= 10 and statuses.count(429) >= 30
    refused = next(r for r in responses[:-1] if r.status == 429)
    body = await refused.json()
    assert body["error"]["code"] == "too_many_messages"
    assert "Vent litt" in body["error"]["message"]  # Norwegian, the owner's language
    assert int(refused.headers["Retry-After"]) >= 1
    assert fake_rasa.most_in_flight <= 3  # two of the owner's and the other user's
