"""`bokbot shell`: a terminal chat against a running gateway's REST chat API."""

from __future__ import annotations

import asyncio
import io
from typing import Any

from channels.shell import run_shell
from tests.channels.conftest import Books, GatewayFactory, invoicing
from tests.channels.fake_rasa import FakeRasaWebhook


async def shell(url: str, token: str, typed: str, **options: Any) -> tuple[int, str]:
    out = io.StringIO()
    code = await asyncio.to_thread(run_shell, url, token, stdin=io.StringIO(typed), stdout=out, **options)
    return code, out.getvalue()


async def test_a_number_presses_the_button_it_stands_for(
    start_gateway: GatewayFactory, books: Books, fake_rasa: FakeRasaWebhook
) -> None:
    fake_rasa.script = invoicing(books)
    client = await start_gateway()
    code, printed = await shell(
        f"http://127.0.0.1:{client.port}", books.owner.token, "fakturer Fjord Bygg for 2 timer\n\n1\n"
    )
    assert code == 0
    assert printed.startswith("Logget inn som Kari Nordmann (Fjordlys AS).")
    assert "> Fakturere Fjord Bygg for 2 timer, 2 500,00 kr?\n  [1] Ja\n  [2] Nei\n" in printed
    assert (
        f"Faktura 10001 er laget.\n[vedlegg] http://127.0.0.1:{client.port}"
        f"/api/v1/companies/{books.company_id}/test-documents/faktura-10001.pdf\n"
    ) in printed
    assert fake_rasa.texts() == ["fakturer Fjord Bygg for 2 timer", "/affirm"]
    assert all(r["metadata"]["message_id"].startswith("api:cli-") for r in fake_rasa.received)


async def test_a_number_without_buttons_is_sent_as_it_is(
    start_gateway: GatewayFactory, books: Books, fake_rasa: FakeRasaWebhook
) -> None:
    client = await start_gateway()
    code, printed = await shell(f"http://127.0.0.1:{client.port}/", books.owner.token, "7\n")
    assert code == 0
    assert "echo: 7" in printed
    assert fake_rasa.texts() == ["7"]


async def test_a_wrong_token_or_a_missing_gateway_is_said_plainly(start_gateway: GatewayFactory) -> None:
    client = await start_gateway()
    code, printed = await shell(f"http://127.0.0.1:{client.port}", "bok_wrong", "hei\n", language="en")
    assert code == 1
    assert printed.startswith("The token was not accepted")
    code, printed = await shell("http://127.0.0.1:9", "bok_wrong", "hei\n")
    assert code == 2
    assert "Får ikke kontakt med Bokbot" in printed


async def test_when_the_assistant_is_down_the_shell_says_so_and_goes_on(
    start_gateway: GatewayFactory, books: Books, fake_rasa: FakeRasaWebhook
) -> None:
    client = await start_gateway()
    fake_rasa.down = True
    code, printed = await shell(f"http://127.0.0.1:{client.port}", books.owner.token, "hei\nhei igjen\n")
    assert code == 0
    assert printed.count("Assistenten svarer ikke akkurat nå.") == 2
