"""`POST /api/v1/chat/voice` against the gateway with a scripted fake Rasa: a spoken command
heard with the company's own names and handed on as text, the answer spoken back, audio that
cannot be heard refused without reaching the assistant, and "svar med tale" remembered."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from ledger.customers import create_customer
from ledger.models import User
from ledger.projects import create_project
from tests.channels.conftest import Books, GatewayFactory
from tests.channels.fake_rasa import FakeRasaWebhook
from tests.voice.speech import as_ogg_opus, silence, spoken, tone

pytestmark = pytest.mark.voice


@pytest.fixture
def named_books(books: Books) -> Books:
    with books.sessions.begin() as session:
        create_customer(session, books.company_id, "Fjord Bygg AS")
        create_customer(session, books.company_id, "Hansen Rør AS")
        create_project(session, books.company_id, "Nettside")
    return books


def bearer(books: Books) -> dict[str, str]:
    return {"Authorization": f"Bearer {books.owner.token}"}


async def post_audio(client: Any, books: Books, body: bytes, content_type: str, **query: str) -> Any:
    headers = bearer(books) | {"Content-Type": content_type}
    return await client.post("/api/v1/chat/voice", data=body, headers=headers, params=query)


async def test_a_spoken_command_is_heard_with_the_companys_names_and_answered_in_speech(
    start_gateway: GatewayFactory, named_books: Books, fake_rasa: FakeRasaWebhook
) -> None:
    client = await start_gateway()
    voice_note = as_ogg_opus(spoken("fakturer Fjord Bygg for 5 timer", "nb"))
    response = await post_audio(client, named_books, voice_note, "audio/ogg")
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["transcript"] == "fakturer Fjord Bygg for 5 timer"
    assert body["language"] == "nb"
    assert fake_rasa.texts() == ["fakturer Fjord Bygg for 5 timer"]
    assert fake_rasa.received[0]["metadata"]["channel"] == "voice"
    assert body["messages"] == [{"text": "echo: fakturer Fjord Bygg for 5 timer", "buttons": []}]
    prefix = "data:audio/ogg;codecs=opus;base64,"
    assert body["audio"].startswith(prefix)
    assert base64.b64decode(body["audio"][len(prefix):])[:4] == b"OggS"


async def test_an_english_command_in_a_wav_file_is_heard_in_english(
    start_gateway: GatewayFactory, named_books: Books, fake_rasa: FakeRasaWebhook
) -> None:
    client = await start_gateway()
    response = await post_audio(client, named_books, spoken("log 2 hours on Nettside", "en"), "audio/wav")
    assert response.status == 200, await response.text()
    body = await response.json()
    assert (body["transcript"], body["language"]) == ("log 2 hours on Nettside", "en")


async def test_a_customer_added_after_the_first_turn_is_heard_in_the_next(
    start_gateway: GatewayFactory, named_books: Books, fake_rasa: FakeRasaWebhook
) -> None:
    client = await start_gateway()
    first = await post_audio(client, named_books, spoken("hva er saldoen", "nb"), "audio/wav")
    assert first.status == 200
    with named_books.sessions.begin() as session:
        create_customer(session, named_books.company_id, "Solberg Maling AS")
    response = await post_audio(client, named_books, spoken("fakturer Solberg Maling for 3 timer", "nb"), "audio/wav")
    transcript = (await response.json())["transcript"]
    assert transcript.startswith("fakturer Solberg Maling"), transcript
    assert transcript.endswith("3 timer"), transcript


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b"", "audio/ogg", 400, "audio_empty"),
        (b"hva er saldoen?", "text/plain", 415, "audio_unsupported_format"),
        (b"%PDF-1.4 this is no audio at all" * 20, "audio/ogg", 422, "audio_not_audio"),
        (silence(2.0), "audio/wav", 422, "audio_silent"),
        (tone(31.0), "audio/wav", 413, "audio_too_long"),
    ],
    ids=["empty", "not-an-audio-type", "not-audio", "silent", "too-long"],
)
async def test_audio_that_cannot_be_heard_gets_a_clear_answer_and_changes_nothing(
    start_gateway: GatewayFactory, named_books: Books, fake_rasa: FakeRasaWebhook,
    body: bytes, content_type: str, status: int, code: str,
) -> None:
    client = await start_gateway()
    response = await post_audio(client, named_books, body, content_type)
    assert response.status == status, await response.text()
    error = (await response.json())["error"]
    assert error["code"] == code
    assert "Ingenting er endret." in error["message"]
    assert fake_rasa.received == []


async def test_asking_to_be_answered_by_voice_is_remembered_without_asking_the_assistant(
    start_gateway: GatewayFactory, named_books: Books, fake_rasa: FakeRasaWebhook
) -> None:
    client = await start_gateway()
    response = await post_audio(client, named_books, spoken("svar med tale", "nb"), "audio/wav")
    body = await response.json()
    assert body["transcript"] == "svar med tale"
    assert "svarer med tale" in body["messages"][0]["text"]
    with named_books.sessions.begin() as session:
        assert session.get(User, named_books.owner.user.id).voice_replies is True  # type: ignore[union-attr]

    response = await post_audio(client, named_books, spoken("svar med tekst", "nb"), "audio/wav")
    assert (await response.json())["transcript"] == "svar med tekst"
    with named_books.sessions.begin() as session:
        assert session.get(User, named_books.owner.user.id).voice_replies is False  # type: ignore[union-attr]
    assert fake_rasa.received == []


async def test_without_a_token_nothing_is_heard(start_gateway: GatewayFactory, named_books: Books) -> None:
    client = await start_gateway()
    response = await client.post("/api/v1/chat/voice", data=silence(1.0), headers={"Content-Type": "audio/wav"})
    assert response.status == 401
