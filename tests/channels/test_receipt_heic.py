"""A receipt photographed on an iPhone arrives as HEIC: it is taken, made into a JPEG that OCR
reads and that is stored (so that a browser shows it), its name saying it was converted; a
file that only starts like HEIC is stored as it came, unread, and the assistant still hears
of it."""

from __future__ import annotations

import io

import pillow_heif
from PIL import Image

from bench.receipts import make_receipt
from channels.files import file_message
from channels.receipts.heic import is_heic, jpeg_rendition
from ledger.receipts import read_receipt_text
from tests.channels.conftest import Books, GatewayFactory
from tests.channels.fake_rasa import FakeRasaWebhook
from tests.channels.test_receipt_ocr_gateway import form, stored


def as_heic(picture: bytes, *, orientation: int | None = None) -> bytes:
    """The picture encoded as HEIC by pillow-heif, as an iPhone stores a photo."""
    image = Image.open(io.BytesIO(picture)).convert("RGB")
    heif = pillow_heif.from_pillow(image)
    out = io.BytesIO()
    exif = None
    if orientation is not None:
        tags = Image.Exif()
        tags[0x0112] = orientation
        exif = tags.tobytes()
    heif.save(out, quality=95, exif=exif)
    return out.getvalue()


async def test_a_heic_receipt_is_stored_as_a_jpeg_that_ocr_reads(
    start_gateway: GatewayFactory, books: Books, fake_rasa: FakeRasaWebhook
) -> None:
    receipt = make_receipt(0)
    heic = as_heic(receipt.image)
    assert is_heic(heic) and not is_heic(receipt.image)
    client = await start_gateway()
    response = await client.post("/api/v1/chat/files", data=form(heic, "IMG_0042.HEIC"),
                                 headers={"Authorization": f"Bearer {books.owner.token}"})
    assert response.status == 200, await response.text()
    [row] = stored(books)
    assert (row.kind, row.media_type, row.filename) == ("receipt", "image/jpeg", "IMG_0042.HEIC.jpg")
    assert row.content[:3] == b"\xff\xd8\xff"
    with Image.open(io.BytesIO(row.content)) as kept:
        assert kept.format == "JPEG" and kept.size == Image.open(io.BytesIO(receipt.image)).size
    assert row.ocr_text
    reading = read_receipt_text(row.ocr_text)
    assert reading.total is not None and reading.total.value == receipt.truth.total
    assert reading.date is not None and reading.date.value == receipt.truth.date
    assert fake_rasa.received[0]["message"] == file_message(row.public_id)


async def test_a_file_that_only_starts_like_heic_is_kept_as_it_came_and_unread(
    start_gateway: GatewayFactory, books: Books, fake_rasa: FakeRasaWebhook
) -> None:
    broken = as_heic(make_receipt(1).image)[:60] + b"\x00" * 200
    client = await start_gateway()
    response = await client.post("/api/v1/chat/files", data=form(broken, "IMG_0043.HEIC"),
                                 headers={"Authorization": f"Bearer {books.owner.token}"})
    assert response.status == 200, await response.text()
    [row] = stored(books)
    assert (row.media_type, row.filename, row.content, row.ocr_text) == ("image/heic", "IMG_0043.HEIC", broken, None)
    assert fake_rasa.received[0]["message"] == file_message(row.public_id)


def test_a_heic_photo_taken_sideways_is_turned_upright_in_its_jpeg() -> None:
    wide = io.BytesIO()
    Image.new("RGB", (80, 40), "white").save(wide, format="PNG")
    jpeg = jpeg_rendition(as_heic(wide.getvalue(), orientation=6))  # "rotate 90° clockwise to view"
    with Image.open(io.BytesIO(jpeg)) as upright:
        assert upright.format == "JPEG" and upright.size == (40, 80)
