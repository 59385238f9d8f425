"""`POST /api/v1/chat/files`: a statement or a receipt reaches the assistant as a message that
names the stored file; the answer is a chat turn and the next message continues it; a file of
another kind is refused in the person's language with nothing stored; a message id answers
once, and with other content is refused (409)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, select

from channels.files import file_message
from ledger.models import ConversationFile, User
from tests.channels.conftest import PDF, PNG, Books, GatewayFactory
from tests.channels.fake_rasa import FakeRasaWebhook

DATA = Path(__file__).resolve().parents[1] / "ledger" / "data"
CAMT = (DATA / "camt053_no.xml").read_bytes()
CSV = (DATA / "statement_no.csv").read_bytes()


def form(data: bytes, filename: str = "fil", **fields: str) -> aiohttp.FormData:
    body = aiohttp.FormData()
    body.add_field("file", data, filename=filename, content_type="application/octet-stream")
    for name, value in fields.items():
        body.add_field(name, value)
    return body


def owner_of(books: Books) -> dict[str, str]:
    return {"Authorization": f"Bearer {books.owner.token}"}


def stored(books: Books) -> list[ConversationFile]:
    with books.sessions.begin() as s:
        return list(s.scalars(select(ConversationFile).order_by(ConversationFile.id)))


def file_id_in(message: str) -> str:
    assert message.startswith("/received_file{")
    return str(json.loads(message[len("/received_file"):])["file_id"])


def answering_files(text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
    if text.startswith("/received_file"):
        return [{"text": "14 linjer. Bokfør de 12?", "buttons": [{"title": "Ja", "payload": "/affirm"}]}]
    return [{"text": f"echo: {text}"}]


async def test_a_statement_reaches_the_assistant_as_a_stored_file_and_ja_continues(
    start_gateway: GatewayFactory, books: Books, fake_rasa: FakeRasaWebhook
) -> None:
    fake_rasa.script = answering_files
    client = await start_gateway()
    response = await client.post("/api/v1/chat/files", data=form(CAMT, "kontoutskrift.txt", text="november"),
                                 headers=owner_of(books))
    assert response.status == 200
    body = await response.json()
    assert body["messages"][0]["text"] == "14 linjer. Bokfør de 12?"
    [row] = stored(books)
    assert (row.kind, row.statement_format, row.caption, row.filename, row.company_id) == (
        "statement", "camt.053", "november", "kontoutskrift.txt", books.company_id)
    sent = fake_rasa.received[0]
    assert sent["message"] == file_message(row.public_id) and file_id_in(sent["message"]) == row.public_id
    assert sent["metadata"]["company_id"] == books.company_id
    following = await client.post("/api/v1/chat", json={"text": "ja"}, headers=owner_of(books))
    assert (await following.json())["messages"][0]["text"] == "echo: ja"
    assert fake_rasa.received[1]["sender"] == sent["sender"]  # the same conversation


async def test_receipts_and_csv_are_taken_by_content_whatever_their_name(
    start_gateway: GatewayFactory, books: Books, fake_rasa: FakeRasaWebhook
) -> None:
    client = await start_gateway()
    for data, name in ((PNG, "statement.csv"), (PDF, "bilde.jpg"), (CSV, "kvittering.pdf")):
        response = await client.post("/api/v1/chat/files", data=form(data, name), headers=owner_of(books))
        assert response.status == 200, await response.text()
    assert [(r.kind, r.media_type) for r in stored(books)] == [
        ("receipt", "image/png"), ("receipt", "application/pdf"), ("statement", "text/csv")]


async def test_other_files_are_refused_in_the_persons_language_and_nothing_changes(
    start_gateway: GatewayFactory, books: Books, fake_rasa: FakeRasaWebhook
) -> None:
    client = await start_gateway()
    refused = await client.post("/api/v1/chat/files", data=form(b"GIF89a" + bytes(40), "kvittering.jpg"),
                                headers=owner_of(books))
    assert refused.status == 415
    error = (await refused.json())["error"]
    assert error["code"] == "file_unsupported" and "kontoutskrifter" in error["message"]
    with books.sessions.begin() as s:
        user = s.get(User, books.owner.user.id)
        assert user is not None
        user.language = "en"
    empty = await client.post("/api/v1/chat/files", data=form(b""), headers=owner_of(books))
    assert empty.status == 400 and "empty" in (await empty.json())["error"]["message"]
    big = await client.post("/api/v1/chat/files", data=form(b"\xff\xd8\xff" + bytes(10 * 1024 * 1024)),
                            headers=owner_of(books))
    assert big.status == 413 and "too large" in (await big.json())["error"]["message"]
    unreadable = await client.post("/api/v1/chat/files", data=form(
        b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
        b"<Stmt><Ntry><Amt>tusen</Amt></Ntry></Stmt></BkToCstmrStmt></Document>"), headers=owner_of(books))
    assert unreadable.status == 422 and "cannot read" in (await unreadable.json())["error"]["message"]
    assert stored(books) == [] and fake_rasa.received == []


async def test_a_message_id_answers_once_and_refuses_other_content(
    start_gateway: GatewayFactory, books: Books, fake_rasa: FakeRasaWebhook
) -> None:
    fake_rasa.script = answering_files
    client = await start_gateway()
    first = await client.post("/api/v1/chat/files", data=form(CAMT, message_id="f-1", text="nov"),
                              headers=owner_of(books))
    again = await client.post("/api/v1/chat/files", data=form(CAMT, message_id="f-1", text="nov"),
                              headers=owner_of(books))
    assert first.status == again.status == 200
    assert (await first.json()) == (await again.json())
    other_file = await client.post("/api/v1/chat/files", data=form(CSV, message_id="f-1", text="nov"),
                                   headers=owner_of(books))
    other_text = await client.post("/api/v1/chat/files", data=form(CAMT, message_id="f-1", text="des"),
                                   headers=owner_of(books))
    as_text = await client.post("/api/v1/chat", json={"text": "nov", "message_id": "f-1"}, headers=owner_of(books))
    assert other_file.status == other_text.status == as_text.status == 409
    assert len(stored(books)) == 1 and len(fake_rasa.received) == 1


async def test_files_need_a_token_and_a_company_of_ones_own(
    start_gateway: GatewayFactory, books: Books, fake_rasa: FakeRasaWebhook
) -> None:
    client = await start_gateway()
    assert (await client.post("/api/v1/chat/files", data=form(CAMT))).status == 401
    foreign = await client.post("/api/v1/chat/files", data=form(CAMT, company_id="999"), headers=owner_of(books))
    assert foreign.status == 404
    no_file = await client.post("/api/v1/chat/files", data=aiohttp.FormData({"text": "hei"}), headers=owner_of(books))
    assert no_file.status == 400
    with books.sessions.begin() as s:
        assert s.scalar(select(func.count(ConversationFile.id))) == 0


async def test_a_typed_file_message_reaches_the_assistant_as_typed_whose_action_checks_the_company(
    start_gateway: GatewayFactory, books: Books, fake_rasa: FakeRasaWebhook
) -> None:
    client = await start_gateway()
    forged = file_message("0123456789abcdef0123456789abcdef")
    response = await client.post("/api/v1/chat", json={"text": forged}, headers=owner_of(books))
    assert response.status == 200
    # Not refused for its leading "/" (buttons send "/affirm" the same way); the message is
    # signed for the sender's own company, and the action reads files of that company only.
    assert fake_rasa.received[0]["message"] == forged
    assert fake_rasa.received[0]["metadata"]["company_id"] == books.company_id
