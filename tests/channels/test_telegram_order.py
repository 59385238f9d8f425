"""One chat's Telegram updates are handled one at a time and in update id order even when
Telegram posts them to two gateways at once: two gateways in webhook mode share one Redis and
one set of books, and a fake Rasa holds each message for a while and records when it held it.
Below them, the chats' queues themselves (`channels.telegram.ordering`) on the local Redis."""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
import secrets
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from redis.asyncio import Redis

from channels.telegram.ordering import ChatQueues
from channels.telegram.service import TelegramService
from channels.telegram.settings import TelegramSettings
from ledger import identity
from tests.channels.conftest import REDIS_URL, Books, GatewayFactory, free_port
from tests.channels.fake_rasa import FakeRasaWebhook, Held
from tests.channels.fake_telegram import FakeTelegram, text_update

SECRET = "s3cret-for-the-ordered-hook"
KARI = 4242  # the owner's Telegram user id, and her private chat's id
OLA = 4343  # the staff member's
STRANGER = 9999  # nobody's

Gateway = TestClient[web.Request, web.Application]

# A person may send many messages here: what is measured is the order, not the limits.
GENEROUS_LIMITS = {"chat_in_flight": 20, "chat_per_minute": 6000.0, "chat_burst": 1000}


def link(books: Books, user: identity.NewUser, telegram_id: int) -> None:
    with books.sessions.begin() as session:
        assert identity.redeem_link_code(session, user.link_code, telegram_id) is not None


async def until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("not within the time given")
        await asyncio.sleep(0.02)


@pytest.fixture
async def prefix(monkeypatch: pytest.MonkeyPatch, books: Books) -> AsyncIterator[str]:
    """A key prefix of this test's own on the local Redis for the chats' queues; those keys,
    and the people's limits the gateways kept there, are removed afterwards."""
    name = f"bokbot-test-{secrets.token_hex(6)}:"
    monkeypatch.setattr(TelegramService, "key_prefix", name)
    yield name
    client = Redis.from_url(REDIS_URL)
    patterns = [f"{name}*", *(f"bokbot:limits:{u.user.id}:*" for u in (books.owner, books.staff))]
    for pattern in patterns:
        keys = [key async for key in client.scan_iter(match=pattern)]
        if keys:
            await client.delete(*keys)
    await client.aclose()


@pytest.fixture
def webhook_settings(telegram_settings: TelegramSettings) -> TelegramSettings:
    return telegram_settings.model_copy(
        update={"webhook_url": "https://bokbot.example/telegram/webhook", "webhook_secret": SECRET}
    )


@pytest.fixture
async def two_gateways(
    start_gateway: GatewayFactory, webhook_settings: TelegramSettings, prefix: str
) -> list[Gateway]:
    """Two gateways in webhook mode on the same books and the same Redis, as behind a proxy."""
    return [await start_gateway(telegram=webhook_settings, redis_url=REDIS_URL, **GENEROUS_LIMITS) for _ in range(2)]


async def post(gateway: Gateway, update: dict[str, Any]) -> int:
    """Posts `update` to the gateway's webhook as Telegram does; the answer's status."""
    response = await gateway.post("/telegram/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    return response.status


async def post_all(gateways: list[Gateway], updates: list[dict[str, Any]]) -> list[int]:
    """Posts the updates all at once, alternately to each gateway."""
    return list(await asyncio.gather(*(post(gateways[n % len(gateways)], u) for n, u in enumerate(updates))))


def held_for(rasa: FakeRasaWebhook, user: identity.NewUser) -> list[Held]:
    return sorted((h for h in rasa.held if h.sender == f"user-{user.user.id}"), key=lambda h: h.started)


def one_at_a_time(held: list[Held]) -> bool:
    return all(later.started >= earlier.ended for earlier, later in itertools.pairwise(held))


def sent_to(telegram: FakeTelegram, chat: int) -> list[str]:
    return [c.params["text"] for c in telegram.of("sendMessage") if c.params["chat_id"] == str(chat)]


async def test_one_chats_updates_posted_to_two_gateways_at_once_are_handled_one_at_a_time_in_order(
    two_gateways: list[Gateway], fake_rasa: FakeRasaWebhook, fake_telegram: FakeTelegram, books: Books
) -> None:
    link(books, books.owner, KARI)
    fake_rasa.delay = 0.3
    updates = [text_update(KARI, f"melding {n}") for n in range(1, 9)]
    texts = [f"melding {n}" for n in range(1, 9)]
    assert await post(two_gateways[0], updates[0]) == 200
    # While the first is being answered the rest arrive at both gateways at once, last first.
    assert await post_all(two_gateways, updates[:0:-1]) == [200] * 7

    await until(lambda: len(held_for(fake_rasa, books.owner)) == 8)
    held = held_for(fake_rasa, books.owner)
    assert [h.message for h in held] == texts
    assert one_at_a_time(held)
    await until(lambda: len(sent_to(fake_telegram, KARI)) == 8)
    assert sent_to(fake_telegram, KARI) == [f"echo: {t}" for t in texts]


async def test_two_chats_are_handled_at_the_same_time_each_in_its_own_order(
    two_gateways: list[Gateway], fake_rasa: FakeRasaWebhook, books: Books
) -> None:
    link(books, books.owner, KARI)
    link(books, books.staff, OLA)
    fake_rasa.delay = 0.3
    karis = [text_update(KARI, f"kari {n}") for n in range(1, 5)]
    olas = [text_update(OLA, f"ola {n}") for n in range(1, 5)]
    assert await post_all(two_gateways, [karis[0], olas[0]]) == [200, 200]
    assert await post_all(two_gateways, [*karis[:0:-1], *olas[:0:-1]]) == [200] * 6

    await until(lambda: len(fake_rasa.held) == 8)
    kari, ola = held_for(fake_rasa, books.owner), held_for(fake_rasa, books.staff)
    assert [h.message for h in kari] == [f"kari {n}" for n in range(1, 5)]
    assert [h.message for h in ola] == [f"ola {n}" for n in range(1, 5)]
    assert one_at_a_time(kari) and one_at_a_time(ola)
    assert fake_rasa.most_in_flight == 2  # one of each chat at once
    assert any(k.started < o.ended and o.started < k.ended for k in kari for o in ola)


async def test_an_update_delivered_again_to_either_gateway_is_handled_once(
    two_gateways: list[Gateway], fake_rasa: FakeRasaWebhook, fake_telegram: FakeTelegram, books: Books
) -> None:
    # Nothing else stops a stranger's update from being handled twice: each handling would
    # tell them again how to get access.
    update = text_update(STRANGER, "hei")
    assert await post_all(two_gateways, [update, update, update, update]) == [200] * 4
    await until(lambda: len(sent_to(fake_telegram, STRANGER)) >= 1)
    assert await post_all(two_gateways, [update, update]) == [200, 200]
    await fake_telegram.settle()
    assert len(sent_to(fake_telegram, STRANGER)) == 1

    link(books, books.owner, KARI)
    again = text_update(KARI, "saldo")
    assert await post_all(two_gateways, [again, again]) == [200, 200]
    await until(lambda: len(sent_to(fake_telegram, KARI)) == 1)
    await fake_telegram.settle()
    assert fake_rasa.texts() == ["saldo"]
    assert sent_to(fake_telegram, KARI) == ["echo: saldo"]


async def test_a_chat_left_locked_by_a_gateway_that_stopped_is_taken_over_once_its_lock_expires(
    two_gateways: list[Gateway], fake_rasa: FakeRasaWebhook, books: Books, prefix: str
) -> None:
    link(books, books.owner, KARI)
    client = Redis.from_url(REDIS_URL)
    try:
        lock = ChatQueues(client, handle=lambda update: asyncio.sleep(0), key_prefix=prefix).lock_key(KARI)
        await client.set(lock, "a-gateway-that-died", px=1500)
        updates = [text_update(KARI, f"melding {n}") for n in range(1, 4)]
        assert await post(two_gateways[1], updates[0]) == 200
        assert await post_all(two_gateways, updates[:0:-1]) == [200, 200]
        await asyncio.sleep(1.0)
        assert fake_rasa.held == []  # the chat is held by the gateway that died, for now

        await until(lambda: len(fake_rasa.held) == 3, timeout=10.0)
        assert [h.message for h in fake_rasa.held] == ["melding 1", "melding 2", "melding 3"]
        for _ in range(100):  # and the gateway that took over lets go once done
            if await client.get(lock) is None:
                break
            await asyncio.sleep(0.05)
        assert await client.get(lock) is None
    finally:
        await client.aclose()


async def test_while_redis_cannot_be_reached_updates_are_handled_in_the_gateway_they_reach(
    start_gateway: GatewayFactory, webhook_settings: TelegramSettings, fake_telegram: FakeTelegram,
    books: Books, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="channels.telegram.ordering")
    link(books, books.owner, KARI)
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    gateway = await start_gateway(telegram=webhook_settings, redis_url=nowhere, **GENEROUS_LIMITS)
    assert await post(gateway, text_update(KARI, "hei")) == 200
    assert await post(gateway, text_update(KARI, "og så")) == 200
    await until(lambda: len(sent_to(fake_telegram, KARI)) == 2)
    assert sent_to(fake_telegram, KARI) == ["echo: hei", "echo: og så"]
    warnings = [r for r in caplog.records if "Telegram updates are handled in the gateway" in r.getMessage()]
    assert len(warnings) == 1


# The chats' queues on their own: several "gateways" (ChatQueues on their own connections) and
# a handler that records what it handled and when.


class Recorder:
    """A handler that takes a random little while per update and notes, per chat, each
    update id with when it started and ended."""

    def __init__(self, *, pause: float = 0.01) -> None:
        self.handled: dict[int, list[tuple[int, float, float]]] = {}
        self.pause = pause

    async def __call__(self, update: dict[str, Any]) -> None:
        started = time.monotonic()
        await asyncio.sleep(random.uniform(0, self.pause))
        self.handled.setdefault(update["chat"], []).append((update["update_id"], started, time.monotonic()))

    def ids(self, chat: int) -> list[int]:
        return [update_id for update_id, _, _ in self.handled.get(chat, [])]


@pytest.fixture
async def clients() -> AsyncIterator[list[Redis]]:
    made = [Redis.from_url(REDIS_URL) for _ in range(3)]
    yield made
    for client in made:
        await client.aclose()


async def test_an_update_queued_just_as_the_holder_lets_go_is_not_left_behind(
    clients: list[Redis], redis_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = Recorder()
    holder = ChatQueues(clients[0], recorder, key_prefix=redis_prefix)
    adder = ChatQueues(clients[1], recorder, key_prefix=redis_prefix)
    release = holder._release
    late: list[bool] = []

    async def letting_go(chat_id: int, token: str) -> int:
        # Between the holder's last look at the empty queue and its letting go, another
        # gateway queues an update: its drain finds the chat held and leaves it to the holder.
        if not late:
            late.append(await adder.put(7, 2, {"update_id": 2, "chat": 7}))
            await adder.drain(7)
            await asyncio.sleep(0.2)  # the drain `put` started has found the chat held too
            assert recorder.ids(7) == [1]
        return await release(chat_id, token)

    monkeypatch.setattr(holder, "_release", letting_go)
    assert await holder.put(7, 1, {"update_id": 1, "chat": 7})
    await until(lambda: recorder.ids(7) == [1, 2], timeout=5.0)  # no sweep runs here
    assert late == [True]


async def test_updates_put_through_many_gateways_are_all_handled_once_in_order_one_at_a_time(
    clients: list[Redis], redis_prefix: str
) -> None:
    recorder = Recorder()
    gateways = [ChatQueues(client, recorder, key_prefix=redis_prefix) for client in clients]

    async def chat_writes(chat: int, first_id: int) -> None:
        for update_id in range(first_id, first_id + 40):
            # Telegram delivers each update once more now and then, possibly elsewhere.
            for _ in range(2 if update_id % 5 == 0 else 1):
                await random.choice(gateways).put(chat, update_id, {"update_id": update_id, "chat": chat})
            await asyncio.sleep(random.uniform(0, 0.01))

    await asyncio.gather(chat_writes(1, 100), chat_writes(2, 200), chat_writes(3, 300))
    await until(lambda: all(len(recorder.ids(chat)) >= 40 for chat in (1, 2, 3)), timeout=10.0)  # no sweep
    await asyncio.sleep(0.2)
    for chat in (1, 2, 3):
        assert recorder.ids(chat) == list(range(chat * 100, chat * 100 + 40))
        spans = recorder.handled[chat]
        assert all(later[1] >= earlier[2] for earlier, later in itertools.pairwise(spans))
    assert Counter(len(v) for v in recorder.handled.values()) == Counter({40: 3})


async def test_an_update_that_fails_is_logged_by_id_and_does_not_hold_up_its_chat(
    clients: list[Redis], redis_prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    recorder = Recorder()

    async def failing_on_the_first(update: dict[str, Any]) -> None:
        if update["update_id"] == 1:
            raise ValueError("the handler broke")
        await recorder(update)

    queues = ChatQueues(clients[0], failing_on_the_first, key_prefix=redis_prefix)
    await queues.put(5, 1, {"update_id": 1, "chat": 5, "text": "private words"})
    await queues.put(5, 2, {"update_id": 2, "chat": 5})
    await until(lambda: recorder.ids(5) == [2], timeout=5.0)
    assert "Telegram update 1 failed" in caplog.text
    assert "private words" not in caplog.text
    assert await clients[0].zcard(queues.queue_key(5)) == 0


async def test_a_stopping_gateway_leaves_what_it_has_not_begun_to_the_others(
    clients: list[Redis], redis_prefix: str
) -> None:
    recorder = Recorder(pause=0.0)
    started = asyncio.Event()
    finish = asyncio.Event()

    async def slow(update: dict[str, Any]) -> None:
        started.set()
        await finish.wait()
        await recorder(update)

    stopping = ChatQueues(clients[0], slow, key_prefix=redis_prefix)
    other = ChatQueues(clients[1], recorder, key_prefix=redis_prefix, sweep_seconds=0.1)
    async with stopping.sweeping():
        await stopping.put(9, 1, {"update_id": 1, "chat": 9})
        await stopping.put(9, 2, {"update_id": 2, "chat": 9})
        await started.wait()
        asyncio.get_running_loop().call_later(0.2, finish.set)
    # The update at hand was finished; the next one waits in Redis, for whoever sweeps.
    assert recorder.ids(9) == [1]
    assert await clients[0].zcard(stopping.queue_key(9)) == 1
    async with other.sweeping():
        await until(lambda: recorder.ids(9) == [1, 2], timeout=5.0)
