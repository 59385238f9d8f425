"""A receipt sent through `POST /api/v1/chat/files` is read by OCR in the gateway, and its text
is stored with the file for the assistant to read; a reading that takes too long is given up,
the file kept without text and still handed to the assistant (which says it could not read
it); a statement is not read by OCR."""

from __future__ import annotations

import time

import aiohttp
import pytest
from sqlalchemy import select

import channels.files
from bench.receipts import make_receipt
from channels.files import file_message
from ledger.models import ConversationFile
from ledger.receipts import read_receipt_text
from tests.channels.conftest import Books, GatewayFactory
from tests.channels.fake_rasa import FakeRasaWebhook
from tests.channels.test_chat_files import CSV


def form(data: bytes, filename: str) -> aiohttp.FormData:
    body = aiohttp.FormData()
    body.add_field("file", data, filename=filename, content_type="application/octet-stream")
    return body


def stored(books: Books) -> list[ConversationFile]:
    with books.sessions.begin() as s:
        return list(s.scalars(select(ConversationFile).order_by(ConversationFile.id)))


async def test_a_receipt_photo_is_read_by_ocr_and_its_text_stored_with_the_file(
    start_gateway: GatewayFactory, books: Books, fake_rasa: FakeRasaWebhook
) -> None:
    receipt = make_receipt(0)
    client = await start_gateway()
    response = await client.post("/api/v1/chat/files", data=form(receipt.image, "IMG_0042.png"),
                                 headers={"Authorization": f"Bearer {books.owner.token}"})
    assert response.status == 200, await response.text()
    [row] = stored(books)
    assert row.kind == "receipt" and row.ocr_text
    reading = read_receipt_text(row.ocr_text)
    assert reading.total is not None and reading.total.value == receipt.truth.total
    assert reading.date is not None and reading.date.value == receipt.truth.date
    assert fake_rasa.received[0]["message"] == file_message(row.public_id)


async def test_a_reading_that_takes_too_long_is_given_up_and_the_file_kept_without_text(
    start_gateway: GatewayFactory, books: Books, fake_rasa: FakeRasaWebhook, monkeypatch: pytest.MonkeyPatch
) -> None:
    def slow(data: bytes, options: object = None) -> str:
        time.sleep(1.5)
        return "Totalt 749,00"

    monkeypatch.setattr(channels.files, "receipt_text", slow)
    monkeypatch.setattr(channels.files, "OCR_SECONDS", 0.2)
    client = await start_gateway()
    started = time.monotonic()
    response = await client.post("/api/v1/chat/files", data=form(make_receipt(2).image, "kvittering.png"),
                                 headers={"Authorization": f"Bearer {books.owner.token}"})
    assert response.status == 200
    assert time.monotonic() - started < 1.4  # answered without waiting for the reading
    [row] = stored(books)
    assert (row.kind, row.ocr_text) == ("receipt", None)
    assert fake_rasa.received[0]["message"] == file_message(row.public_id)


async def test_a_statement_is_not_read_by_ocr(
    start_gateway: GatewayFactory, books: Books, fake_rasa: FakeRasaWebhook, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(data: bytes, options: object = None) -> str:
        raise AssertionError("a statement was given to OCR")

    monkeypatch.setattr(channels.files, "receipt_text", never)
    client = await start_gateway()
    response = await client.post("/api/v1/chat/files", data=form(CSV, "kontoutskrift.csv"),
                                 headers={"Authorization": f"Bearer {books.owner.token}"})
    assert response.status == 200
    [row] = stored(books)
    assert (row.kind, row.ocr_text) == ("statement", None)
