"""Nothing a gateway process learns is kept only in that process: two gateways (here two
instances on their own connections, as two processes would have) see the same per-user limits
through Redis, the same wrong link codes and the same Telegram button payloads through the
database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections.abc import AsyncIterator, Iterator

import pytest
from redis.asyncio import Redis
from sqlalchemy.orm import Session, sessionmaker
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message

from channels.conversation import Button
from channels.limits import RedisUserLimits, SignInThrottle, TooBusy, UserLimits, user_limits
from channels.telegram.keyboards import Keyboards
from ledger import clock, shared_state
from ledger.db import make_engine
from tests.channels.conftest import REDIS_URL, Books, FakeRasaWebhook, GatewayFactory


@pytest.fixture
def two_processes(db_url: str) -> Iterator[tuple[sessionmaker[Session], sessionmaker[Session]]]:
    """Sessions of two gateway processes on the same books, each with its own engine."""
    engines = [make_engine(db_url), make_engine(db_url)]
    yield sessionmaker(engines[0], expire_on_commit=False), sessionmaker(engines[1], expire_on_commit=False)
    for engine in engines:
        engine.dispose()


@pytest.fixture
async def two_redis_clients() -> AsyncIterator[tuple[Redis, Redis]]:
    clients = (Redis.from_url(REDIS_URL), Redis.from_url(REDIS_URL))
    yield clients
    for client in clients:
        await client.aclose()


async def test_places_in_flight_are_shared_by_gateways_when_limits_are_in_redis(
    two_redis_clients: tuple[Redis, Redis], redis_prefix: str
) -> None:
    first, second = (RedisUserLimits(c, max_in_flight=2, per_minute=600, burst=10, key_prefix=redis_prefix)
                     for c in two_redis_clients)
    async with first.admit(7), second.admit(7):
        for limits in (first, second):
            with pytest.raises(TooBusy):
                async with limits.admit(7):
                    pass
        async with second.admit(8):  # someone else is not held up
            pass
    async with first.admit(7):  # both places came back
        pass


async def test_the_burst_is_one_bucket_over_all_gateways_when_limits_are_in_redis(
    two_redis_clients: tuple[Redis, Redis], redis_prefix: str
) -> None:
    first, second = (RedisUserLimits(c, max_in_flight=5, per_minute=60, burst=3, key_prefix=redis_prefix)
                     for c in two_redis_clients)
    for limits in (first, second, first):
        async with limits.admit(7):
            pass
    with pytest.raises(TooBusy) as refused:
        async with second.admit(7):
            pass
    assert 0 < refused.value.retry_after <= 1.0  # one message a second comes back
    await asyncio.sleep(refused.value.retry_after + 0.05)
    async with second.admit(7):
        pass


async def test_a_place_held_by_a_dead_gateway_comes_back_when_its_lease_ends(
    two_redis_clients: tuple[Redis, Redis], redis_prefix: str
) -> None:
    dying = RedisUserLimits(two_redis_clients[0], max_in_flight=1, burst=10, key_prefix=redis_prefix,
                            lease_seconds=0.3)
    alive = RedisUserLimits(two_redis_clients[1], max_in_flight=1, burst=10, key_prefix=redis_prefix)
    held = dying.admit(7)
    await held.__aenter__()  # the process dies here: the place is never given back
    with pytest.raises(TooBusy):
        async with alive.admit(7):
            pass
    await asyncio.sleep(0.4)
    async with alive.admit(7):
        pass


async def test_messages_pass_within_the_process_limits_when_redis_cannot_be_reached() -> None:
    unreachable = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    limits = RedisUserLimits(unreachable, max_in_flight=1, burst=3, per_minute=60)
    for _ in range(3):
        async with limits.admit(7):
            pass
    with pytest.raises(TooBusy):
        async with limits.admit(7):
            pass
    await unreachable.aclose()


def test_limits_are_kept_in_the_process_without_redis_and_in_redis_with_it() -> None:
    assert isinstance(user_limits(None, 2, 30, 10), UserLimits)
    client = Redis.from_url(REDIS_URL)
    assert isinstance(user_limits(client, 2, 30, 10), RedisUserLimits)


async def test_wrong_link_codes_count_in_every_gateway_when_they_come_through_several(
    two_processes: tuple[sessionmaker[Session], sessionmaker[Session]],
) -> None:
    first, second = (SignInThrottle(s, per_source=3, overall=5) for s in two_processes)
    await first.failed("198.51.100.7")
    await second.failed("198.51.100.7")
    assert await first.allowed("198.51.100.7")
    await first.failed("198.51.100.7")
    assert not await second.allowed("198.51.100.7")  # three from one address, over two gateways
    assert await second.allowed("203.0.113.9")
    await second.failed("203.0.113.9")
    await first.failed("192.0.2.1")
    assert not await first.allowed("192.0.2.200")  # five overall: everyone waits


def test_old_wrong_link_codes_stop_counting_and_are_dropped(
    two_processes: tuple[sessionmaker[Session], sessionmaker[Session]],
) -> None:
    sessions = two_processes[0]
    start = clock.now()
    window = dt.timedelta(minutes=10)
    with sessions.begin() as session:
        shared_state.record_sign_in_failure(session, "telegram:42", keep=window, now=start)
        assert shared_state.sign_in_failures(session, "telegram:42", within=window, now=start) == 1
        later = start + dt.timedelta(minutes=11)
        assert shared_state.sign_in_failures(session, "telegram:42", within=window, now=later) == 0
        shared_state.record_sign_in_failure(session, "telegram:43", keep=window, now=later)
        assert shared_state.sign_in_failures(session, None, within=dt.timedelta(days=1), now=later) == 1


async def test_a_long_button_payload_is_found_by_the_gateway_that_receives_the_press(
    two_processes: tuple[sessionmaker[Session], sessionmaker[Session]],
) -> None:
    sender, receiver = (Keyboards(s) for s in two_processes)
    long_payload = '/inform{"customer": "Fjord Bygg AS", "hours": 7.5, "project": "Nettside for Fjord Bygg"}'
    markup = await sender.markup((Button("Ja", "/affirm"), Button("Fjord Bygg", long_payload)))
    data = [key.callback_data for row in markup.inline_keyboard for key in row]
    assert data[0] == "/affirm"  # short payloads travel as they are
    assert isinstance(data[1], str) and len(data[1].encode()) <= 64 and data[1] != long_payload
    assert await receiver.payload(data[1], None) == long_payload
    assert await receiver.payload("/affirm", None) == "/affirm"


async def test_a_forgotten_button_payload_is_sent_as_the_buttons_title(
    two_processes: tuple[sessionmaker[Session], sessionmaker[Session]],
) -> None:
    keyboards = Keyboards(two_processes[1])
    unknown = Keyboards.callback_data("/inform" + "x" * 80)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Fjord Bygg", callback_data=unknown)]])
    message = Message.de_json(
        {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "reply_markup": markup.to_dict()}, None
    )
    assert await keyboards.payload(unknown, message) == "Fjord Bygg"
    assert await keyboards.payload(unknown, None) == ""


async def test_a_flood_spread_over_two_gateways_gets_one_persons_share_when_limits_are_in_redis(
    start_gateway: GatewayFactory, fake_rasa: FakeRasaWebhook, books: Books
) -> None:
    database = random.randint(1, 15)  # a Redis database of this test's own: user ids repeat between tests
    redis_url = f"redis://127.0.0.1:6379/{database}"
    fake_rasa.delay = 0.5
    gateways = [await start_gateway(redis_url=redis_url) for _ in range(2)]
    owner = {"Authorization": f"Bearer {books.owner.token}"}
    try:
        flood = [gateways[i % 2].post("/api/v1/chat", json={"text": f"saldo {i}"}, headers=owner) for i in range(30)]
        statuses = [r.status for r in await asyncio.gather(*flood)]
        assert statuses.count(429) >= 20 and statuses.count(200) <= 10
        assert fake_rasa.most_in_flight <= 2  # two places for the person, whichever gateway
    finally:
        client = Redis.from_url(redis_url)
        keys = [key async for key in client.scan_iter(match=f"bokbot:limits:{books.owner.user.id}:*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()
