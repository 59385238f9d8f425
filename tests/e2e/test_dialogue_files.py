"""Files in the conversation, end to end over the real processes: a camt.053 statement sent
to `POST /api/v1/chat/files` is summarised, "ja" posts the payment it matches, then the
unknown lines are asked about one by one ("ja" to the likely category, a button for another),
each decision posted and remembered as a vendor rule; the same statement again posts
nothing; a made-up file id reads nothing; the rules are listed and changed in the chat and
over REST. Needs the model trained with the files domain and NLU (bot/domain/files.yml)."""

from __future__ import annotations

import secrets
from decimal import Decimal

import requests

from bench.statements import _entry as camt_entry
from bench.statements import camt053
from ledger import clock
from tests.e2e.conftest import RunningStack
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
