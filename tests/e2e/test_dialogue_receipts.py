"""Receipt photos, end to end over the real processes: a photo sent to `POST /api/v1/chat/files`
is read by OCR in the gateway, the assistant asks what it was (a vendor never decided),
proposes the expense ("Kvittering fra ...: ..., kontorrekvisita (6800), 25 % mva ... Bokføre?"),
and "ja" posts it with the photo as the voucher's attachment; a photo sent after an expense
was posted without its receipt is kept with that voucher; the same over Telegram (a fake Bot
API), pressing the buttons. Needs the model trained with the files and receipts domain and
NLU (bot/domain/files.yml, bot/domain/receipts.yml)."""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
from decimal import Decimal
from typing import Any

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from ledger import clock
from ledger.db import make_engine
from ledger.models import JournalEntry, VoucherAttachment
from tests.channels.fake_telegram import FakeTelegram, button_update, photo_update, text_update
from tests.e2e.conftest import RunningStack
from tests.e2e.receipt_pictures import receipt_picture
from tests.e2e.test_telegram_e2e import REPLY_SECONDS, new_owner
from tests.e2e.turns import Reply, api, fresh, journal_entries, turn

pytestmark = pytest.mark.e2e

OFFICE = '/categorise_receipt{"expense_category": "kontorrekvisita"}'


def send_file(stack: RunningStack, data: bytes, name: str) -> Reply:
    files = {"file": (name, data, "application/octet-stream")}
    form = {"message_id": f"e2e-receipt-{secrets.token_hex(8)}"}
    response = requests.post(f"{stack.gateway_url}api/v1/chat/files", files=files, data=form,
                             headers={"Authorization": f"Bearer {stack.owner_token}"}, timeout=120)
    assert response.status_code == 200, response.text
    return Reply(response.json()["messages"])


def forget_vendor(stack: RunningStack, key: str) -> None:
    """The vendor is one never decided (whichever test ran before)."""
    for rule in api(stack, "vendor-rules")["vendor_rules"]:
        if key in rule["vendor_key"]:
            address = f"{stack.gateway_url}api/v1/companies/{stack.company_id}/vendor-rules/{rule['id']}"
            gone = requests.delete(address, headers={"Authorization": f"Bearer {stack.owner_token}"}, timeout=60)
            assert gone.status_code == 204


def voucher_in(text: str) -> str:
    found = re.search(r"bilag (\d{4}-\d+)", text)
    assert found, text
    return found.group(1)


def test_a_receipt_photo_is_proposed_and_posted_on_ja_with_the_photo_attached(stack: RunningStack) -> None:
    fresh(stack)
    forget_vendor(stack, "clas ohlson")
    today = clock.today()
    photo = receipt_picture("Clas Ohlson", today, Decimal("487.30"), item="Skrivebordslampe")
    before = len(journal_entries(stack))

    question = send_file(stack, photo, "IMG_4711.png")
    assert question.text == f"Kvittering fra Clas Ohlson {today:%d.%m.%Y}: 487,30 kr. Hva var dette?"
    assert OFFICE in question.payloads
    assert len(journal_entries(stack)) == before

    summary = turn(stack, OFFICE)
    assert summary.texts[0].splitlines() == [
        f"Kvittering fra Clas Ohlson {today:%d.%m.%Y}: 487,30 kr, kontorrekvisita (6800), 25 % mva 97,46 kr, "
        "betalt med Visa.",
        "Bokføre?",
    ]
    assert summary.payloads == ["/affirm", "/deny"]

    posted = turn(stack, "ja")
    assert posted.text.startswith("Ført som bilag ") and "med kvitteringen som vedlegg" in posted.text
    assert "Neste gang foreslår jeg det samme for Clas Ohlson." in posted.text
    voucher = voucher_in(posted.text)
    kept = api(stack, f"journal/{voucher}/attachments")
    assert kept["missing_documentation"] is False
    [attachment] = kept["attachments"]
    assert (attachment["content_type"], attachment["sha256"]) == ("image/png", hashlib.sha256(photo).hexdigest())
    assert len(journal_entries(stack)) == before + 1

    again = send_file(stack, photo, "IMG_4711.png")
    assert again.text == f"Den kvitteringen har jeg allerede, ved bilag {voucher}. Ingenting nytt er bokført."


def test_a_photo_sent_after_an_expense_was_posted_without_it_is_kept_with_that_voucher(stack: RunningStack) -> None:
    fresh(stack)
    summary = turn(stack, "jeg betalte 312,70 kr for parkering")
    assert summary.payloads == ["/affirm", "/deny"], summary.text
    posted = turn(stack, "ja")
    assert "Har du kvitteringen?" in posted.text
    voucher = voucher_in(posted.text)
    before = len(journal_entries(stack))

    photo = receipt_picture("Onepark Parkering", clock.today(), Decimal("312.70"), item="Parkering 2 t")
    offer = send_file(stack, photo, "parkering.png")
    assert offer.text == f"Legge kvitteringen ved bilag {voucher} (Onepark Parkering, 312,70 kr)?"
    done = turn(stack, "ja")
    assert done.text == f"Kvitteringen er lagt ved bilag {voucher}."
    kept = api(stack, f"journal/{voucher}/attachments")
    assert kept["missing_documentation"] is False and len(kept["attachments"]) == 1
    assert len(journal_entries(stack)) == before


def _attachment_of(stack: RunningStack, digest: str) -> tuple[str, str, Decimal] | None:
    """The channel, voucher and amount of the attachment with this digest, if it is kept."""
    engine = make_engine(stack.database_url)
    try:
        with sessionmaker(engine).begin() as session:
            row = session.scalar(select(VoucherAttachment).where(VoucherAttachment.sha256 == digest))
            if row is None:
                return None
            entry = session.get(JournalEntry, row.journal_entry_id)
            assert entry is not None
            amount = sum((line.debit for line in entry.lines), Decimal(0))
            return row.channel, f"{entry.year}-{entry.voucher_number}", amount
    finally:
        engine.dispose()


def _buttons(call: Any) -> dict[str, str]:
    keyboard = call.params.get("reply_markup", {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in keyboard for b in row}


def _shown(call: Any, message_id: int) -> dict[str, Any]:
    return {"message_id": message_id, "text": call.params["text"], "reply_markup": call.params["reply_markup"]}


async def test_a_receipt_photo_on_telegram_is_posted_with_the_photo_attached(
    stack: RunningStack, telegram: FakeTelegram
) -> None:
    await asyncio.to_thread(forget_vendor, stack, "papirhuset")
    code = new_owner(stack, "Telegram Kvittering")
    telegram.queue(text_update(71016, f"/start {code}"))
    await telegram.wait_for("sendMessage")

    today = clock.today()
    photo = receipt_picture("Papirhuset Oslo", today, Decimal("1249.50"), item="Kopipapir 10 pk")
    telegram.store("receipt-large", photo)
    telegram.queue(photo_update(71016, ["receipt-large"], size=len(photo)))
    question = (await telegram.wait_for("sendMessage", 2, timeout=REPLY_SECONDS))[1]
    assert question.params["text"] == f"Kvittering fra Papirhuset Oslo {today:%d.%m.%Y}: 1 249,50 kr. Hva var dette?"
    assert "kontorrekvisita" in _buttons(question), question.params

    telegram.queue(button_update(71016, _buttons(question)["kontorrekvisita"], on_message=_shown(question, 81)))
    summary = (await telegram.wait_for("sendMessage", 3, timeout=REPLY_SECONDS))[2]
    assert summary.params["text"].startswith(f"Kvittering fra Papirhuset Oslo {today:%d.%m.%Y}: 1 249,50 kr, "
                                             "kontorrekvisita (6800), 25 % mva 249,90 kr")
    assert "Ja" in _buttons(summary), summary.params

    telegram.queue(button_update(71016, _buttons(summary)["Ja"], on_message=_shown(summary, 82)))
    posted = (await telegram.wait_for("sendMessage", 4, timeout=REPLY_SECONDS))[3]
    assert posted.params["text"].startswith("Ført som bilag ")
    assert "med kvitteringen som vedlegg" in posted.params["text"]
    kept = await asyncio.to_thread(_attachment_of, stack, hashlib.sha256(photo).hexdigest())
    assert kept == ("telegram", voucher_in(posted.params["text"]), Decimal("1249.50"))
