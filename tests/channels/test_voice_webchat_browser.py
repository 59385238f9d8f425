"""The web chat's microphone in a real browser: Chromium's fake microphone plays a command said
by espeak-ng, the page records it (MediaRecorder), sends it to `/api/v1/chat/voice` with the
token, shows what was heard as the person's message and the answer below it. The assistant is
a scripted fake Rasa."""

from __future__ import annotations

import asyncio
import io
import wave
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright, expect

from ledger.customers import create_customer
from tests.channels.conftest import Books, GatewayFactory
from tests.channels.fake_rasa import FakeRasaWebhook
from tests.channels.test_webchat_browser import CHROMIUM, CHROMIUM_ARGS, open_page, scripted
from tests.voice.speech import spoken

pytestmark = [pytest.mark.browser, pytest.mark.voice]

SAID = "fakturer Fjord Bygg for 5 timer"


def padded(wav: bytes, before: float, after: float) -> bytes:
    """`wav` with silence before and after (the fake microphone starts with the recording)."""
    with wave.open(io.BytesIO(wav)) as source:
        rate, width, frames = source.getframerate(), source.getsampwidth(), source.readframes(source.getnframes())
    out = io.BytesIO()
    with wave.open(out, "wb") as target:
        target.setnchannels(1)
        target.setsampwidth(width)
        target.setframerate(rate)
        target.writeframes(bytes(int(rate * before) * width) + frames + bytes(int(rate * after) * width))
    return out.getvalue()


@pytest.fixture
async def speaking_browser(tmp_path: Path) -> AsyncIterator[Browser]:
    """Chromium whose microphone says `SAID` once, then stays silent."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (Debian package 'chromium')")
    microphone = tmp_path / "microphone.wav"
    microphone.write_bytes(padded(spoken(SAID, "nb"), 0.3, 6.0))
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={microphone}%noloop",
        "--autoplay-policy=no-user-gesture-required",
    ]
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)
        yield chromium
        await chromium.close()


async def test_a_command_spoken_into_the_microphone_is_shown_as_heard_and_answered(
    start_gateway: GatewayFactory, books: Books, fake_rasa: FakeRasaWebhook, speaking_browser: Browser
) -> None:
    with books.sessions.begin() as session:
        create_customer(session, books.company_id, "Fjord Bygg AS")
    fake_rasa.script = scripted(books)
    client = await start_gateway()
    page, problems = await open_page(speaking_browser, f"http://127.0.0.1:{client.port}/#token={books.owner.token}")
    await expect(page.locator("#who")).to_have_text("Kari Nordmann · Fjordlys AS")

    mic = page.locator("#mic")
    await expect(mic).to_be_visible()
    await expect(mic).to_have_attribute("aria-label", "Snakk inn en melding")
    await mic.click()
    await expect(mic).to_have_attribute("aria-pressed", "true")
    await expect(page.locator("#status")).to_contain_text("Lytter")
    await asyncio.sleep(4.0)
    await mic.click()
    await expect(mic).to_have_attribute("aria-pressed", "false")

    mine = page.locator(".message.from-me .text")
    await expect(mine.last).to_have_text(f"🎤 «{SAID}»", timeout=60_000)
    answer = page.locator(".message.from-bot .text").last
    await expect(answer).to_have_text("Fakturere Fjord Bygg for 2 timer, 2 500,00 kr?")
    assert fake_rasa.texts() == [SAID]
    assert fake_rasa.received[0]["metadata"]["channel"] == "voice"
    await expect(page.locator("#typing")).to_be_hidden()
    assert problems == []
