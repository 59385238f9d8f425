"""The web chat's server side: its files served safely, the websocket's origin check, and
signing in and chatting over the websocket (with a scripted fake Rasa behind it)."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
from aiohttp import WSMsgType, WSServerHandshakeError
from aiohttp.test_utils import TestClient

from ledger import identity
from tests.channels.conftest import Books, GatewayFactory
from tests.channels.fake_rasa import FakeRasaWebhook

Client = TestClient[Any, Any]


def own_origin(client: Client) -> str:
    return f"http://127.0.0.1:{client.port}"


async def test_the_page_is_served_with_a_strict_content_security_policy(start_gateway: GatewayFactory) -> None:
    client = await start_gateway()
    response = await client.get("/")
    assert response.status == 200
    assert response.content_type == "text/html"
    assert response.charset == "utf-8"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = await response.text()
    assert '<script type="module" src="/static/webchat.js">' in page
    assert "<script>" not in page and " style=" not in page and "onclick" not in page


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("webchat.js", "text/javascript"),
        ("webchat.css", "text/css"),
        ("lang/nb.json", "application/json"),
        ("lang/en.json", "application/json"),
        ("favicon.svg", "image/svg+xml"),
    ],
)
async def test_the_pages_files_have_their_content_types(
    start_gateway: GatewayFactory, name: str, content_type: str
) -> None:
    client = await start_gateway()
    response = await client.get(f"/static/{name}")
    assert response.status == 200
    assert response.content_type == content_type
    assert "Content-Security-Policy" in response.headers
    again = await client.get(f"/static/{name}", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status == 304


@pytest.mark.parametrize(
    "path",
    [
        "/static/",
        "/static/lang",
        "/static/lang/",
        "/static/../chat_socket.py",
        "/static/%2e%2e/chat_socket.py",
        "/static/..%2fchat_socket.py",
        "/static/lang/..%2f..%2fstatic_files.py",
        "/static//etc/passwd",
        "/static/%2fetc%2fpasswd",
        "/static/webchat.js%00.png",
        "/static/.hidden",
        "/static/index.html/..",
    ],
)
async def test_nothing_outside_the_pages_files_is_served_and_no_folder_is_listed(
    start_gateway: GatewayFactory, path: str
) -> None:
    client = await start_gateway()
    response = await client.get(path, allow_redirects=False)
    assert response.status in (404, 403, 400), (path, response.status)
    body = await response.text()
    assert "import" not in body and "root:" not in body


async def test_the_language_catalogues_say_the_same_things() -> None:
    from channels.webchat.static_files import STATIC

    def keys(node: dict[str, Any], prefix: str = "") -> set[str]:
        found: set[str] = set()
        for key, value in node.items():
            found |= keys(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key}
        return found

    nb = json.loads((STATIC / "lang" / "nb.json").read_text("utf-8"))
    en = json.loads((STATIC / "lang" / "en.json").read_text("utf-8"))
    assert keys(nb) == keys(en)


async def test_a_websocket_from_another_sites_page_is_refused(start_gateway: GatewayFactory) -> None:
    client = await start_gateway()
    for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"}, {}):
        with pytest.raises(WSServerHandshakeError) as refused:
            await client.ws_connect("/ws", headers=headers)
        assert refused.value.status == 403


async def test_a_websocket_from_the_gateways_own_page_or_an_allowed_origin_is_accepted(
    start_gateway: GatewayFactory,
) -> None:
    local = await start_gateway()
    for origin in (own_origin(local), own_origin(local).replace("127.0.0.1", "localhost")):
        ws = await local.ws_connect("/ws", headers={"Origin": origin})
        await ws.close()
    client = await start_gateway(allowed_origins=["https://chat.example.no"], public_url="https://bokbot.example/")
    for origin in ("https://chat.example.no", "https://bokbot.example", "HTTPS://BOKBOT.EXAMPLE:443"):
        ws = await client.ws_connect("/ws", headers={"Origin": origin})
        await ws.close()


async def test_the_host_header_does_not_choose_the_allowed_origin(start_gateway: GatewayFactory) -> None:
    """A page on a name that resolves to this machine (DNS rebinding) sends its own Host and
    the matching Origin; only the configured address counts."""
    client = await start_gateway()
    port = own_origin(client).rsplit(":", 1)[1]
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect(
            "/ws", headers={"Origin": f"http://rebound.example:{port}", "Host": f"rebound.example:{port}"}
        )
    assert refused.value.status == 403
    behind_proxy = await start_gateway(public_url="https://bokbot.example/")
    with pytest.raises(aiohttp.WSServerHandshakeError):
        await behind_proxy.ws_connect("/ws", headers={"Origin": own_origin(behind_proxy)})


async def signed_in(client: Client, hello: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    ws = await client.ws_connect("/ws", headers={"Origin": own_origin(client)})
    await ws.send_json(hello)
    return ws, await ws.receive_json(timeout=10)


async def test_signing_in_with_a_token_greets_the_person(start_gateway: GatewayFactory, books: Books) -> None:
    client = await start_gateway()
    ws, welcome = await signed_in(client, {"type": "hello", "token": books.owner.token})
    assert welcome == {"type": "welcome", "name": "Kari Nordmann", "company": "Fjordlys AS", "language": "nb"}
    await ws.close()


async def test_a_wrong_token_is_refused_and_the_socket_closed(start_gateway: GatewayFactory) -> None:
    client = await start_gateway()
    ws, refused = await signed_in(client, {"type": "hello", "token": "bok_not-a-real-token"})
    assert refused == {"type": "error", "code": "sign_in_failed"}
    closing = await ws.receive(timeout=5)
    assert closing.type in (WSMsgType.CLOSE, WSMsgType.CLOSED)
    assert ws.close_code == 4401


async def test_a_link_code_signs_in_once_and_gives_the_page_a_working_token(
    start_gateway: GatewayFactory, books: Books
) -> None:
    client = await start_gateway()
    ws, welcome = await signed_in(client, {"type": "hello", "code": f" {books.staff.link_code.lower()} "})
    assert welcome["name"] == "Ola Hansen"
    token = welcome["token"]
    await ws.close()
    with books.sessions.begin() as session:
        assert identity.user_by_token(session, token).id == books.staff.user.id  # type: ignore[union-attr]

    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert (await me.json())["name"] == "Ola Hansen"
    again, refused = await signed_in(client, {"type": "hello", "code": books.staff.link_code})
    assert refused["code"] == "sign_in_failed"
    await again.close()


async def test_messages_go_through_the_shared_conversation_path_once_per_client_id(
    start_gateway: GatewayFactory, books: Books, fake_rasa: FakeRasaWebhook
) -> None:
    client = await start_gateway()
    ws, _ = await signed_in(client, {"type": "hello", "token": books.owner.token})
    message = {"type": "message", "id": "6f1c2b9e-4d1a-4c1e-9a51-0c3f1f6b1a11", "text": "hei"}
    await ws.send_json(message)
    reply = await ws.receive_json(timeout=10)
    assert reply == {"type": "reply", "id": message["id"], "messages": [{"text": "echo: hei", "buttons": []}]}
    [sent] = fake_rasa.received
    assert sent["metadata"]["channel"] == "web"
    assert sent["metadata"]["message_id"] == f"web:{message['id']}"
    assert sent["metadata"]["user_id"] == books.owner.user.id

    await ws.send_json(message)  # resent after a reconnect: answered, not handled again
    assert (await ws.receive_json(timeout=10))["messages"] == reply["messages"]
    assert len(fake_rasa.received) == 1
    await ws.close()


async def test_bad_frames_and_a_silent_assistant_get_error_codes(
    start_gateway: GatewayFactory, books: Books, fake_rasa: FakeRasaWebhook
) -> None:
    client = await start_gateway()
    ws, _ = await signed_in(client, {"type": "hello", "token": books.owner.token})
    await ws.send_str("not json")
    assert await ws.receive_json(timeout=10) == {"type": "error", "code": "invalid_message"}
    await ws.send_json({"type": "message", "id": "x", "text": "hei"})
    assert (await ws.receive_json(timeout=10))["code"] == "invalid_message"
    fake_rasa.down = True
    await ws.send_json({"type": "message", "id": "a1b2c3d4e5", "text": "hei"})
    assert await ws.receive_json(timeout=10) == {"type": "error", "code": "assistant_unavailable", "id": "a1b2c3d4e5"}
    await ws.close()
