"""Files in the web chat page, in a real browser: a statement picked with the paper clip and
a receipt dropped on the conversation go to the gateway over HTTP with the tab's token, the
answer is shown with its buttons, and a "Ja" continues the same conversation; a refused file
is answered in the page's words of the person's language."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, expect
from sqlalchemy import select

from ledger.models import ConversationFile
from tests.channels.conftest import PNG, Books, GatewayFactory
from tests.channels.fake_rasa import FakeRasaWebhook
from tests.channels.test_webchat_browser import browser, open_page

__all__ = ["browser"]

pytestmark = pytest.mark.browser

CAMT = (Path(__file__).resolve().parents[1] / "ledger" / "data" / "camt053_no.xml").read_bytes()


def summarising(text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
    if text.startswith("/received_file"):
        return [{"text": "7 linjer. Bokfør de 3?",
                 "buttons": [{"title": "Ja", "payload": "/affirm"}, {"title": "Nei", "payload": "/deny"}]}]
    if text == "/affirm":
        return [{"text": "Ført: 3 innbetalinger."}]
    return [{"text": f"echo: {text}"}]


def stored(books: Books) -> list[ConversationFile]:
    with books.sessions.begin() as s:
        return list(s.scalars(select(ConversationFile).order_by(ConversationFile.id)))


async def test_a_picked_statement_is_answered_and_ja_continues_the_conversation(
    start_gateway: GatewayFactory, books: Books, fake_rasa: FakeRasaWebhook, browser: Browser
) -> None:
    fake_rasa.script = summarising
    client = await start_gateway()
    page, problems = await open_page(browser, f"http://127.0.0.1:{client.port}/#token={books.owner.token}")
    await expect(page.locator("#who")).to_have_text("Kari Nordmann · Fjordlys AS")
    await page.get_by_role("textbox", name="Melding").fill("november")
    async with page.expect_file_chooser() as choosing:
        await page.get_by_role("button", name="Send en fil (kontoutskrift eller kvittering)").click()
    chooser = await choosing.value
    await chooser.set_files({"name": "november.xml", "mimeType": "application/xml", "buffer": CAMT})
    await expect(page.locator(".from-bot .text").last).to_have_text("7 linjer. Bokfør de 3?")
    await expect(page.locator(".from-me .text").last).to_have_text("📎 november.xml november")
    await page.get_by_role("button", name="Ja", exact=True).click()
    await expect(page.locator(".from-bot .text").last).to_have_text("Ført: 3 innbetalinger.")
    [row] = stored(books)
    assert (row.kind, row.filename, row.caption, row.channel) == ("statement", "november.xml", "november", "web")
    assert fake_rasa.texts()[1] == "/affirm"
    assert fake_rasa.received[0]["sender"] == fake_rasa.received[1]["sender"]
    assert problems == []


async def test_a_dropped_receipt_is_taken_and_a_refused_file_is_said(
    start_gateway: GatewayFactory, books: Books, fake_rasa: FakeRasaWebhook, browser: Browser
) -> None:
    fake_rasa.script = summarising
    client = await start_gateway()
    page, problems = await open_page(browser, f"http://127.0.0.1:{client.port}/#token={books.owner.token}")
    await expect(page.locator("#who")).to_have_text("Kari Nordmann · Fjordlys AS")

    async def drop(name: str, data: bytes, kind: str) -> None:
        transfer = await page.evaluate_handle(
            """([name, data, kind]) => {
                const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
                const transfer = new DataTransfer();
                transfer.items.add(new File([bytes], name, { type: kind }));
                return transfer;
            }""",
            [name, base64.b64encode(data).decode(), kind],
        )
        await page.dispatch_event("#chat", "dragover", {"dataTransfer": transfer})
        await page.dispatch_event("#chat", "drop", {"dataTransfer": transfer})

    await drop("kvittering.png", PNG, "image/png")
    await expect(page.locator(".from-me .text").last).to_have_text("📎 kvittering.png")
    await expect(page.locator(".from-bot .text")).to_have_count(2)  # the greeting and the answer
    await drop("kvittering.jpg", b"GIF89a" + bytes(40), "image/jpeg")
    await expect(page.locator(".from-system .text").last).to_contain_text("Den filen kan jeg ikke bruke.")
    assert [(r.kind, r.media_type) for r in stored(books)] == [("receipt", "image/png")]
    assert problems == [] or all("415" in p for p in problems)
