"""Files sent into the conversation: taken as a bank statement or a receipt by their content
(never their name), refused when empty, too large or of another kind with nothing stored,
and read back only by the company they were sent to."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ledger.conversation_files import MAX_FILE_BYTES, FileRefused, classify, file_for, statement_of, store_file
from ledger.models import ConversationFile
from tests.ledger.builders import sales_books

DATA = Path(__file__).parent / "data"

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(100)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(100)
PDF = b"%PDF-1.7\n" + bytes(100)
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(100)
HEIC = b"\x00\x00\x00\x18ftypheic" + bytes(100)


@pytest.mark.parametrize(
    ("data", "kind", "media_type", "fmt"),
    [
        (JPEG, "receipt", "image/jpeg", ""),
        (PNG, "receipt", "image/png", ""),
        (PDF, "receipt", "application/pdf", ""),
        (WEBP, "receipt", "image/webp", ""),
        (HEIC, "receipt", "image/heic", ""),
        ((DATA / "camt053_no.xml").read_bytes(), "statement", "application/xml", "camt.053"),
        ((DATA / "statement_no.csv").read_bytes(), "statement", "text/csv", "csv"),
    ],
)
def test_files_are_known_by_their_content(data: bytes, kind: str, media_type: str, fmt: str) -> None:
    found = classify(data)
    assert (found.kind, found.media_type, found.statement_format) == (kind, media_type, fmt)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"GIF89a" + bytes(50), "unsupported"),
        (b"<html><body>not a statement</body></html>", "unsupported"),
        (b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>', "unsupported"),
        (b"Hei, her er en vanlig tekst uten semikolon\n", "unsupported"),
        (b"PK\x03\x04" + bytes(100), "unsupported"),
        (b"\xff\xd8\xff" + bytes(MAX_FILE_BYTES), "too_large"),
    ],
)
def test_other_files_are_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(FileRefused) as refused:
        classify(data)
    assert refused.value.reason == reason


def test_a_file_is_stored_for_its_company_and_read_by_no_other(books: sessionmaker[Session]) -> None:
    sb = sales_books(books)
    other = sales_books(books, name="Annet AS")
    data = (DATA / "camt053_no.xml").read_bytes()
    with books.begin() as s:
        row = store_file(s, sb.company_id, sb.owner_id, data, channel="web", filename="nov.txt", caption="november")
        public_id = row.public_id
    with books.begin() as s:
        mine = file_for(s, sb.company_id, public_id)
        assert mine is not None and mine.kind == "statement" and mine.caption == "november"
        assert len(statement_of(mine).lines) == 7
        assert file_for(s, other.company_id, public_id) is None
        assert file_for(s, sb.company_id, "0" * 32) is None


def test_a_refused_file_stores_nothing(books: sessionmaker[Session]) -> None:
    sb = sales_books(books)
    with books.begin() as s:
        with pytest.raises(FileRefused) as refused:
            store_file(s, sb.company_id, sb.owner_id, b"dato;tekst;bel\xc3\xb8p\n2026-11-03;Kaffe;hundre\n",
                       channel="api")
        assert refused.value.reason == "unsupported"
        with pytest.raises(FileRefused):
            store_file(s, sb.company_id, sb.owner_id, b"\x00\x01\x02", channel="api", filename="kvittering.jpg")
    with books.begin() as s:
        assert s.scalar(select(func.count(ConversationFile.id))) == 0
