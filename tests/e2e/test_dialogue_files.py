"""Files in the conversation, end to end over the real processes: a camt.053 statement sent
to `POST /api/v1/chat/files` is summarised, "ja" posts the payment it matches, then the
unknown lines are asked about one by one ("ja" to the likely category, a button for another),
each decision posted and remembered as a vendor rule, and the next statement's line of that
vendor posted on the first "ja" without a question; the same statement again posts nothing; a
statement sent on Telegram (fake Bot API server) goes the same way; a made-up file id reads
nothing; the rules are listed and changed in the chat and over REST. Needs the model trained
with the files domain and NLU (bot/domain/files.yml)."""

from __future__ import annotations

import asyncio
import secrets
from decimal import Decimal
from typing import Any

import requests

from bench.statements import _entry as camt_entry
from bench.statements import camt053
from ledger import clock
from tests.channels.fake_telegram import FakeTelegram, button_update, document_update, text_update
from tests.e2e.conftest import RunningStack
from tests.e2e.test_telegram_e2e import REPLY_SECONDS, new_owner
from tests.e2e.turns import Reply, api, fresh, journal_entries, turn

CATEGORY = '/categorise_statement_line{"expense_category": "kontorrekvisita"}'


def send_file(stack: RunningStack, data: bytes, *, name: str = "kontoutskrift.xml", text: str = "",
              message_id: str | None = None) -> requests.Response:
    files = {"file": (name, data, "application/octet-stream")}
    form = {"message_id": message_id or f"e2e-file-{secrets.token_hex(8)}", **({"text": text} if text else {})}
    return requests.post(f"{stack.gateway_url}api/v1/chat/files", files=files, data=form,
                         headers={"Authorization": f"Bearer {stack.owner_token}"}, timeout=120)


def statement(stack: RunningStack) -> tuple[bytes, int]:
    """A statement of today: an open invoice paid by its KID, Telenor, and a shop never seen."""
    unpaid = [i for i in api(stack, "invoices", status="unpaid")["invoices"] if i.get("kid")]
    assert unpaid, "the demo company has an unpaid invoice with a KID"
    invoice = unpaid[0]
    today = clock.today()
    run = secrets.token_hex(4)
    shop = f"Butikk {run} AS"
    data = camt053([
        camt_entry(f"{run}-1", today, Decimal(invoice["total"]), "Kunde", kid=invoice["kid"]),
        camt_entry(f"{run}-2", today, Decimal("-1249.00"), "Telenor Norge AS", text="Abonnement"),
        camt_entry(f"{run}-3", today, Decimal("-349.00"), shop, text="Varekjøp"),
    ], f"E2E-{run}")
    return data, int(invoice["number"])


def forget_telenor(stack: RunningStack) -> None:
    """Telenor is a vendor never decided (whichever test ran before)."""
    for rule in api(stack, "vendor-rules")["vendor_rules"]:
        if "telenor" in rule["vendor_key"]:
            address = f"{stack.gateway_url}api/v1/companies/{stack.company_id}/vendor-rules/{rule['id']}"
            gone = requests.delete(address, headers={"Authorization": f"Bearer {stack.owner_token}"}, timeout=60)
            assert gone.status_code == 204


def test_a_statement_in_the_chat_is_posted_and_its_unknown_lines_decided_one_by_one(stack: RunningStack) -> None:
    fresh(stack)
    forget_telenor(stack)
    data, number = statement(stack)
    before = len(journal_entries(stack))
    response = send_file(stack, data)
    assert response.status_code == 200, response.text
    summary = Reply(response.json()["messages"])
    assert summary.text.startswith("3 linjer: 1 innbetalinger matcher fakturaer")
    assert "2 ukjente" in summary.text and "Bokfør de 1?" in summary.text
    assert summary.payloads == ["/affirm", "/deny"]
    assert len(journal_entries(stack)) == before

    posted = turn(stack, "ja")
    assert posted.texts[0].startswith("Ført: 1 innbetalinger og 0 utgifter.")
    assert posted.texts[1] == f"-1 249,00 kr Telenor Norge AS {clock.today():%d.%m.%Y}: telefon, 25 % mva?"
    assert posted.payloads[0] == "/affirm" and posted.payloads[-1] == "/skip_statement_line"
    assert number in [i["number"] for i in api(stack, "invoices", status="paid")["invoices"]]

    telenor = turn(stack, "ja")
    assert telenor.texts[0].startswith("Ført som bilag ") and "konto 6900" in telenor.texts[0]
    assert telenor.texts[1].startswith("-349,00 kr Butikk ")
    assert CATEGORY in telenor.payloads

    shop = turn(stack, CATEGORY)
    assert "konto 6800" in shop.texts[0]
    assert shop.texts[-1].startswith("Ferdig med kontoutskriften.")
    entries = journal_entries(stack)
    assert len(entries) == before + 3
    rules = {r["vendor"]: r["account"] for r in api(stack, "vendor-rules")["vendor_rules"]}
    assert rules["Telenor Norge AS"] == "6900"

    again = Reply(send_file(stack, data).json()["messages"])
    assert "3 ført fra før" in again.text and "Bokfør" not in again.text
    assert len(journal_entries(stack)) == before + 3


def test_a_made_up_file_id_reads_nothing(stack: RunningStack) -> None:
    fresh(stack)
    forged = turn(stack, '/received_file{"file_id": "0123456789abcdef0123456789abcdef"}')
    assert forged.text == "Den filen finner jeg ikke i dette regnskapet. Send den gjerne på nytt."


def test_a_file_of_another_kind_is_refused_in_words(stack: RunningStack) -> None:
    refused = send_file(stack, b"GIF89a" + bytes(64), name="kvittering.jpg")
    assert refused.status_code == 415
    assert refused.json()["error"]["message"].startswith("Den filen kan jeg ikke bruke.")


def test_the_rules_are_listed_and_changed_in_the_chat(stack: RunningStack) -> None:
    fresh(stack)
    changed = turn(stack, "endre regelen for Telenor til kontorrekvisita")
    assert "Telenor" in changed.text and "6800" in changed.text
    listed = turn(stack, "hvilke leverandørregler har du lært?")
    assert "Telenor" in listed.text and "6800" in listed.text
    english = turn(stack, "show the vendor rules")
    assert english.text.startswith("This is what I propose")


def test_a_vendor_decided_once_is_proposed_the_same_next_time_without_a_question(stack: RunningStack) -> None:
    """The rule learnt from one statement's line is used for the next statement's line of the
    same vendor: it is among the known expenses posted on the first "ja", on the same account."""
    fresh(stack)
    forget_telenor(stack)
    today = clock.today()
    first_run, second_run = secrets.token_hex(4), secrets.token_hex(4)
    first = camt053([camt_entry(f"{first_run}-1", today, Decimal("-1249.00"), "Telenor Norge AS",
                                text="Abonnement")], f"E2E-{first_run}")
    asked = Reply(send_file(stack, first).json()["messages"])
    assert "1 ukjente" in asked.text and "Telenor Norge AS" in asked.text and "telefon, 25 % mva?" in asked.text
    decided = turn(stack, "ja")
    assert decided.texts[0].startswith("Ført som bilag ") and "konto 6900" in decided.texts[0]
    before = len(journal_entries(stack))

    second = camt053([camt_entry(f"{second_run}-1", today, Decimal("-1399.00"), "Telenor Norge AS",
                                 text="Abonnement")], f"E2E-{second_run}")
    summary = Reply(send_file(stack, second).json()["messages"])
    assert "1 kjente utgifter (1 399,00 kr)" in summary.text and "0 ukjente" in summary.text
    assert "Bokfør de 1?" in summary.text
    posted = turn(stack, "ja")
    assert posted.texts[0].startswith("Ført: 0 innbetalinger og 1 utgifter.")
    entries = journal_entries(stack)
    assert len(entries) == before + 1
    newest = max(entries, key=lambda e: (e["year"], e["voucher_number"]))
    assert {line["account"] for line in newest["lines"]} >= {"6900", "1920"}


def _buttons(call: Any) -> dict[str, str]:
    keyboard = call.params.get("reply_markup", {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in keyboard for b in row}


async def test_a_statement_sent_on_telegram_is_summarised_and_its_line_posted_on_the_button(
    stack: RunningStack, telegram: FakeTelegram
) -> None:
    await asyncio.to_thread(forget_telenor, stack)
    code = new_owner(stack, "Telegram Kontoutskrift")
    telegram.queue(text_update(71017, f"/start {code}"))
    await telegram.wait_for("sendMessage")

    today = clock.today()
    run = secrets.token_hex(4)
    data = camt053([camt_entry(f"{run}-1", today, Decimal("-1249.00"), "Telenor Norge AS", text="Abonnement")],
                   f"E2E-{run}")
    before = len(await asyncio.to_thread(journal_entries, stack))
    telegram.store("statement-1", data)
    telegram.queue(document_update(71017, "statement-1", file_name="kontoutskrift.xml", size=len(data)))
    sent = await telegram.wait_for("sendMessage", 3, timeout=REPLY_SECONDS)
    texts = [call.params["text"] for call in sent[1:]]
    assert texts[0].startswith("1 linjer: 0 innbetalinger matcher fakturaer"), texts
    question = sent[2]
    assert question.params["text"] == f"-1 249,00 kr Telenor Norge AS {today:%d.%m.%Y}: telefon, 25 % mva?"
    assert "Ja" in _buttons(question), question.params

    shown = {"message_id": 91, "text": question.params["text"], "reply_markup": question.params["reply_markup"]}
    telegram.queue(button_update(71017, _buttons(question)["Ja"], on_message=shown))
    posted = (await telegram.wait_for("sendMessage", 4, timeout=REPLY_SECONDS))[3]
    assert posted.params["text"].startswith("Ført som bilag ") and "konto 6900" in posted.params["text"]
    assert len(await asyncio.to_thread(journal_entries, stack)) == before + 1
