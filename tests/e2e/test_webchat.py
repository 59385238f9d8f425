"""The web chat as a person uses it, in a real browser (Chromium through Playwright) against
the real assistant: sign in with the address the demo prints, ask for an invoice, press
"Ja", read the answer and download the invoice's PDF."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from ledger.db import make_engine
from ledger.models import Invoice
from ledger.settings import PROJECT_ROOT
from tests.e2e.conftest import RunningStack

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

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
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
REPLY_SECONDS = 120_000  # ms; the first turn may wait for the model to warm up


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (Debian package 'chromium')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="nb-NO", accept_downloads=True, viewport={"width": 900, "height": 860})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: _note(problems, message))
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    context.close()
    assert problems == [], problems  # no script errors, no Content-Security-Policy violations


def _note(problems: list[str], message: ConsoleMessage) -> None:
    if message.type == "error":
        problems.append(message.text)


def invoices(stack: RunningStack) -> int:
    engine = make_engine(stack.database_url)
    try:
        with sessionmaker(engine).begin() as session:
            count = select(func.count(Invoice.id)).where(Invoice.company_id == stack.company_id)
            return int(session.scalar(count) or 0)
    finally:
        engine.dispose()


def test_a_person_invoices_a_customer_in_the_web_chat_and_downloads_the_pdf(
    stack: RunningStack, page: Page
) -> None:
    before = invoices(stack)
    page.goto(f"{stack.gateway_url}#token={stack.owner_token}")

    # Signed in; the token left the address bar at once.
    expect(page.locator("#who")).to_be_visible()
    assert "token" not in page.url
    assert page.evaluate("document.documentElement.lang") == "nb"
    message = page.get_by_role("textbox", name="Melding")
    expect(message).to_be_focused()

    message.fill("fakturer Fjord Bygg for 2 timer")
    message.press("Enter")
    expect(page.locator(".from-me .text").last).to_have_text(re.compile("fakturer Fjord Bygg for 2 timer"))
    yes = page.get_by_role("button", name="Ja", exact=True)
    expect(yes).to_be_visible(timeout=REPLY_SECONDS)
    yes.click()
    expect(page.locator(".from-me .text").last).to_have_text(re.compile("Ja"))

    download_button = page.locator("button.file")
    expect(download_button).to_be_visible(timeout=REPLY_SECONDS)
    answer = page.locator(".from-bot").filter(has=download_button).last
    expect(answer).to_contain_text(re.compile(r"Faktura \d+ til Fjord Bygg"))
    assert invoices(stack) == before + 1

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "webchat.png"), full_page=True)
    with page.expect_download(timeout=60_000) as downloading:
        download_button.click()
    download = downloading.value
    assert re.fullmatch(r"\d+\.pdf|faktura.*\.pdf", download.suggested_filename, re.IGNORECASE)
    saved = ARTIFACTS / download.suggested_filename
    download.save_as(str(saved))
    assert saved.read_bytes().startswith(b"%PDF")


def test_the_conversation_survives_a_reload_in_the_same_tab(stack: RunningStack, page: Page) -> None:
    page.goto(f"{stack.gateway_url}#token={stack.owner_token}")
    message = page.get_by_role("textbox", name="Melding")
    message.fill("hva er saldoen?")
    message.press("Enter")
    expect(page.locator(".from-bot").last).to_contain_text("Saldoen", timeout=REPLY_SECONDS)
    page.reload()
    expect(page.locator(".from-me .text")).to_have_text(["hva er saldoen?"])
    expect(page.locator("#who")).to_be_visible()


def test_a_wrong_link_code_is_refused_in_english_for_an_english_browser(
    stack: RunningStack, browser: Browser
) -> None:
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(stack.gateway_url)
    code = page.get_by_label("Link code")
    expect(code).to_be_focused()
    code.fill("WRONG234")
    code.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("did not work", timeout=15_000)
    context.close()


def test_keyboard_only_a_person_can_send_and_choose(stack: RunningStack, page: Page) -> None:
    page.goto(f"{stack.gateway_url}#token={stack.owner_token}")
    expect(page.get_by_role("textbox", name="Melding")).to_be_focused()
    page.keyboard.type("fakturer Fjord Bygg for 2 timer")
    page.keyboard.press("Enter")
    no = page.get_by_role("button", name="Nei", exact=True)
    expect(no).to_be_visible(timeout=REPLY_SECONDS)
    for _ in range(12):  # back from the message box to the reply's buttons
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement && document.activeElement.textContent") == "Nei":
            break
    expect(no).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".from-me .text").last).to_have_text(re.compile("Nei"))
    expect(page.get_by_role("textbox", name="Melding")).to_be_focused()
