"""The web chat page in a real browser (Chromium through Playwright) against the gateway
with a scripted fake Rasa: signing in both ways, buttons, the typing indicator, a picture
and a file download that need the token. The real assistant: tests/e2e/test_webchat.py."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.channels.conftest import PDF, Books, GatewayFactory, document_path
from tests.channels.fake_rasa import FakeRasaWebhook

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (Debian package 'chromium')")
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        await chromium.close()


def scripted(books: Books) -> Any:
    def script(text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        if text.startswith("fakturer"):
            return [{
                "text": "Fakturere Fjord Bygg for 2 timer, 2 500,00 kr?",
                "buttons": [{"title": "Ja", "payload": "/affirm"}, {"title": "Nei", "payload": "/deny"}],
            }]
        if text == "/affirm":
            return [{"custom": {
                "text": "Faktura 10001 til Fjord Bygg er utstedt.",
                "attachment": document_path(books.company_id, "10001.pdf"),
            }}]
        if text == "graf":
            return [{"text": "Resultat", "image": document_path(books.company_id, "resultat.png")}]
        return [{"text": f"echo: {text}"}]

    return script


async def open_page(browser: Browser, url: str, locale: str = "nb-NO") -> tuple[Page, list[str]]:
    context = await browser.new_context(locale=locale, accept_downloads=True, viewport={"width": 420, "height": 800})
    page = await context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    await page.goto(url)
    return page, problems


async def test_signing_in_from_the_address_then_invoicing_with_a_button_and_downloading_the_pdf(
    start_gateway: GatewayFactory, books: Books, fake_rasa: FakeRasaWebhook, browser: Browser, tmp_path: Path
) -> None:
    fake_rasa.script = scripted(books)
    client = await start_gateway()
    page, problems = await open_page(browser, f"http://127.0.0.1:{client.port}/#token={books.owner.token}")

    await expect(page.locator("#who")).to_have_text("Kari Nordmann · Fjordlys AS")
    assert "token" not in page.url
    message = page.get_by_role("textbox", name="Melding")
    await expect(message).to_be_focused()
    await message.fill("fakturer Fjord Bygg for 2 timer")
    await message.press("Enter")
    await page.get_by_role("button", name="Ja", exact=True).click()
    await expect(page.locator(".from-me .text")).to_have_text(["fakturer Fjord Bygg for 2 timer", "Ja"])
    await expect(page.get_by_role("button", name="Nei", exact=True)).to_be_disabled()

    download_button = page.get_by_role("button", name="Last ned 10001.pdf")
    await expect(download_button).to_be_visible()
    async with page.expect_download() as downloading:
        await download_button.click()
    download = await downloading.value
    assert download.suggested_filename == "10001.pdf"
    await download.save_as(tmp_path / "10001.pdf")
    assert (tmp_path / "10001.pdf").read_bytes() == PDF

    assert fake_rasa.texts() == ["fakturer Fjord Bygg for 2 timer", "/affirm"]
    assert {r["metadata"]["channel"] for r in fake_rasa.received} == {"web"}
    assert problems == []


async def test_signing_in_with_a_link_code_keeps_the_token_for_the_tab_only(
    start_gateway: GatewayFactory, books: Books, browser: Browser
) -> None:
    client = await start_gateway()
    page, problems = await open_page(browser, f"http://127.0.0.1:{client.port}/", locale="en-US")
    code = page.get_by_label("Link code")
    await expect(code).to_be_focused()
    await code.fill(books.owner.link_code)
    await code.press("Enter")
    await expect(page.locator("#who")).to_have_text("Kari Nordmann · Fjordlys AS")
    token = await page.evaluate("sessionStorage.getItem('bokbot.token')")
    assert token and token.startswith("bok_")
    assert await page.evaluate("localStorage.length") == 0
    assert await page.evaluate("document.cookie") == ""

    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_label("Link code")).to_be_visible()
    assert await page.evaluate("sessionStorage.getItem('bokbot.token')") is None
    assert problems == []


async def test_a_picture_from_the_gateway_is_shown(
    start_gateway: GatewayFactory, books: Books, fake_rasa: FakeRasaWebhook, browser: Browser
) -> None:
    fake_rasa.script = scripted(books)
    client = await start_gateway()
    page, problems = await open_page(browser, f"http://127.0.0.1:{client.port}/#token={books.owner.token}")
    message = page.get_by_role("textbox", name="Melding")
    await message.fill("graf")
    await message.press("Enter")
    picture = page.locator(".picture img")
    await expect(picture).to_have_attribute("src", re.compile("^blob:"))
    await expect(picture).to_have_attribute("alt", "Resultat")
    assert problems == []
