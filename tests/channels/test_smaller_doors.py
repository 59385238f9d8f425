"""The smaller doors stay shut: link codes cannot be guessed by opening many sockets, a web
chat sign-in leaves the API token alone, secrets are keyed with the server secret, and
malformed requests get a 4xx, never a 500."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from typing import Any

import pytest
from sqlalchemy import select

from channels.download_grants import issue_grant, user_for_grant
from ledger import clock, identity
from ledger.models import User
from tests.channels.conftest import Books, GatewayFactory
from tests.channels.test_webchat import own_origin


async def hello(client: Any, frame: dict[str, Any]) -> dict[str, Any]:
    ws = await client.ws_connect("/ws", headers={"Origin": own_origin(client)})
    await ws.send_json(frame)
    answer: dict[str, Any] = await ws.receive_json(timeout=10)
    await ws.close()
    return answer


@pytest.fixture(autouse=True)
def no_sign_in_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.modules["channels.webchat.chat_socket"], "FAILED_SIGN_IN_DELAY_SECONDS", 0.0)


async def test_wrong_link_codes_from_one_address_stop_even_the_right_code_for_a_while(
    start_gateway: GatewayFactory, books: Books
) -> None:
    client = await start_gateway()
    for guess in range(5):  # each on a socket of its own
        assert (await hello(client, {"type": "hello", "code": f"WRONG{guess:03d}"}))["code"] == "sign_in_failed"
    refused = await hello(client, {"type": "hello", "code": books.staff.link_code})
    assert refused["code"] == "sign_in_failed"
    with books.sessions.begin() as session:  # the code was not spent
        staff = session.get(User, books.staff.user.id)
        assert staff is not None and staff.link_code_hash is not None


async def test_a_web_chat_sign_in_leaves_the_api_token_working(start_gateway: GatewayFactory, books: Books) -> None:
    client = await start_gateway()
    welcome = await hello(client, {"type": "hello", "code": books.staff.link_code})
    assert welcome["type"] == "welcome" and welcome["token"] != books.staff.token
    for token in (books.staff.token, welcome["token"]):
        me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status == 200


def test_link_codes_and_grants_are_keyed_with_the_server_secret(books: Books) -> None:
    with books.sessions.begin() as session:
        stored = session.scalar(select(User.link_code_hash).where(User.id == books.owner.user.id))
        assert stored != hashlib.sha256(books.owner.link_code.encode()).hexdigest()
        grant = issue_grant(session, books.owner.user.id, "/api/v1/x.pdf")
        assert user_for_grant(session, grant, "/api/v1/x.pdf") == books.owner.user.id
        user = session.get(User, books.owner.user.id)
        assert user is not None
        # someone who read the database alone cannot make a grant
        import base64
        import hmac

        expires = int(clock.now().timestamp()) + 60
        message = f"download-grant\n{user.id}\n{expires}\n/api/v1/x.pdf".encode()
        forged = base64.urlsafe_b64encode(
            hmac.new(user.token_hash.encode(), message, hashlib.sha256).digest()
        ).rstrip(b"=").decode()
        assert user_for_grant(session, f"grant.{user.id}.{expires}.{forged}", "/api/v1/x.pdf") is None
        assert user_for_grant(session, f"grant.{10**30}.{expires}.{forged}", "/api/v1/x.pdf") is None
        assert identity.redeem_link_code(session, books.owner.link_code, 4_000_000_000_123) is not None


def test_the_books_file_is_readable_by_its_owner_only(books: Books) -> None:
    path = books.url.removeprefix("sqlite:///")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        ("[" * 5000 + "]" * 5000, {}),
        ('{"text": "\\ud800 saldo"}', {}),
        ('{"text": "saldo", "company_id": 123456789012345678901234567890}', {}),
        (b"\xff\xfe\x00{", {}),
        ('{"text": {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": {"j": {"k": {"l": {"m": {"n": {"o": '
         '{"p": {"q": {"r": {"s": {"t": {"u": {"v": 1}}}}}}}}}}}}}}}}}}}}}}', {}),
    ],
)
async def test_malformed_chat_bodies_get_a_4xx(
    start_gateway: GatewayFactory, books: Books, body: str | bytes, headers: dict[str, str]
) -> None:
    client = await start_gateway()
    response = await client.post(
        "/api/v1/chat", data=body, headers={"Authorization": f"Bearer {books.owner.token}", **headers}
    )
    assert 400 <= response.status < 500, await response.text()


async def test_a_bogus_charset_is_read_as_utf8(start_gateway: GatewayFactory, books: Books) -> None:
    client = await start_gateway()
    response = await client.post(
        "/api/v1/chat", data=json.dumps({"text": "hva er saldoen?"}).encode(),
        headers={"Authorization": f"Bearer {books.owner.token}", "Content-Type": "application/json; charset=bogus-8"},
    )
    assert response.status == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/companies/99999999999999999999999/customers",
        "/api/v1/companies/1/customers/99999999999999999999999",
        "/api/v1/companies/1/invoices/99999999999999999999999",
        "/api/v1/companies/1/invoices/99999999999999999999999.pdf",
        "/api/v1/companies/1/projects/99999999999999999999999",
    ],
)
async def test_huge_numbers_in_paths_get_a_404(start_gateway: GatewayFactory, books: Books, path: str) -> None:
    client = await start_gateway()
    response = await client.get(path, headers={"Authorization": f"Bearer {books.owner.token}"})
    assert response.status == 404


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer ", "Bearer \u00e6\u00f8\u00e5", "Bearer " + "x" * 10_000, "Basic abc", "Bearer a b c",
     "bearer\tbok_x", "Bearer grant.1.2", "Bearer grant.x.y.z", "Bearer grant.99999999999999999999.1.z"],
)
async def test_malformed_bearer_tokens_get_a_4xx(start_gateway: GatewayFactory, header: str) -> None:
    client = await start_gateway()
    response = await client.get("/api/v1/me", headers={"Authorization": header.encode("utf-8").decode("latin-1")})
    assert response.status in (400, 401)  # 400: a header longer than HTTP servers take


def test_database_errors_carry_no_values(books: Books) -> None:
    """A failed statement's message (which reaches logs) names no values: they may be names,
    amounts or token hashes."""
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError) as failed, books.sessions.begin() as session:
        taken = session.scalar(select(User.token_hash).where(User.id == books.owner.user.id))
        session.add(User(name="Secret Name", email="", token_hash=taken, language="nb"))
        session.flush()
    assert "Secret Name" not in str(failed.value) and str(taken) not in str(failed.value)
