"""A receipt in the chat: read from the text OCR stored with it, proposed as the expense it
documents ("Kvittering fra ... Bokføre?"), posted on "ja" with the picture kept as the
voucher's attachment and the vendor remembered; what the receipt does not say is asked
(what it was, van or car, whether equipment lasts); a receipt for an expense just posted
without one is kept with that voucher; an unreadable one posts nothing."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from actions.confirmation import ActionConfirm
from actions.receipts import ActionCategoriseReceipt
from actions.statements import ActionCategoriseStatementLine, ActionReceivedFile
from bench.receipts import make_receipt
from channels.files import file_message
from ledger import clock
from ledger.attachments import fetch_attachment, is_missing_documentation, list_attachments
from ledger.conversation_files import store_file
from ledger.expenses import register_expense, set_vehicle
from ledger.models import Company, JournalEntry
from ledger.vendor_rules import remember_vendor, rule_for
from tests.actions.chat_builders import Conversation, Person, Said, action_books, run, said
from tests.ledger.builders import sales_books

__all__ = ["action_books"]

DAY = dt.date(2026, 11, 5)

CIRCLE_K = """CIRCLE K MAJORSTUEN
Kirkeveien 64, 0367 Oslo
Dato: 03.11.2026 14:32
Diesel 53,49 l              749,00
----------------------------------
Totalt                      749,00
MVA 25%                     149,80
BankAxept                   749,00
Takk for handelen!
"""

CLAS_OHLSON = """Clas Ohlson
Storgata 12, 0155 Oslo
Dato: 04.11.2026
Skrivebordslampe            499,00
Sum                         499,00
Mva 25%                      99,80
Visa                        499,00
"""

TOOLS = """Verktøysenteret AS
Industriveien 4, 1400 Ski
Dato: 04.11.2026
Søylebormaskin           50 000,00
Totalt                   50 000,00
MVA 25%                  10 000,00
Faktura                  50 000,00
"""


def picture(label: str = "kvittering") -> bytes:
    """A small PNG (the kind of file a voucher keeps), different for each label."""
    image = Image.new("L", (60, 20), 250)
    image.putpixel((len(label) % 60, 5), 0)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", pnginfo=None)
    return buffer.getvalue() + label.encode()


def owner_books(books: sessionmaker[Session], *, vehicle: str | None = "van") -> tuple[Person, Person]:
    sb = sales_books(books)
    if vehicle:
        with books.begin() as s:
            set_vehicle(s, sb.company_id, vehicle)
    return Person(sb.owner_id, sb.company_id, "owner"), Person(sb.staff_id, sb.company_id, "staff")


def stored_receipt(books: sessionmaker[Session], person: Person, text: str | None, data: bytes | None = None) -> str:
    with books.begin() as s:
        row = store_file(s, person.company_id, person.user_id, data or picture(text or "none"), channel="web",
                         filename="kvittering.png", ocr_text=text)
        return row.public_id


def circle_k_sent(books: sessionmaker[Session], data: bytes | None = None) -> tuple[Person, str]:
    """An owner whose company drives a van and knows Circle K Majorstuen as fuel, and the id of
    Circle K's receipt stored as sent (the picture `data`, when given)."""
    owner, _ = owner_books(books)
    with books.begin() as s:
        remember_vendor(s, owner.company_id, "Circle K Majorstuen", "7000", "1", category="drivstoff")
    return owner, stored_receipt(books, owner, CIRCLE_K, data)


def send_receipt(asker: Person, file_id: str) -> Said:
    return run(ActionReceivedFile(), said(file_message(file_id), intent="received_file",
                                          entities={"file_id": file_id}, asker=asker, language="nb"))


def after(previous: Said, text: str, asker: Person, *, intent: str, entities: dict[str, str] | None = None,
          message_id: str = "m2") -> Any:
    slots = previous.slots()
    events = [{"event": "slot", "name": k, "value": v} for k, v in slots.items()]
    conversation = Conversation(slots={**slots, "language": "nb"}, events=events)
    return said(text, intent=intent, entities=entities, asker=asker, language="nb", message_id=message_id,
                conversation=conversation)


def vouchers(books: sessionmaker[Session]) -> int:
    with books.begin() as s:
        return int(s.scalar(select(func.count(JournalEntry.id))) or 0)


def newest_entry(books: sessionmaker[Session]) -> tuple[int, int, str, list[tuple[str, Decimal, str | None]]]:
    with books.begin() as s:
        entry = s.scalars(select(JournalEntry).order_by(JournalEntry.id.desc())).first()
        assert entry is not None
        lines = [(line.account, line.debit - line.credit, line.vat_code) for line in entry.lines]
        return entry.id, entry.company_id, entry.date.isoformat(), lines


def test_a_receipt_of_a_known_vendor_is_proposed_and_posted_on_ja_with_the_picture_attached(
    action_books: sessionmaker[Session],
) -> None:
    data = picture("circle k")
    owner, file_id = circle_k_sent(action_books, data)
    before = vouchers(action_books)
    with clock.pinned(DAY):
        summary = send_receipt(owner, file_id)
        assert summary.text.splitlines() == [
            "Kvittering fra CIRCLE K MAJORSTUEN 03.11.2026: 749,00 kr, drivstoff (7000), 25 % mva 149,80 kr, "
            "betalt med BankAxept.",
            "Bokføre?",
        ]
        assert [b["payload"] for b in summary.buttons] == ["/affirm", "/deny"]
        assert summary.slots()["pending"]["kind"] == "post_receipt"
        assert vouchers(action_books) == before  # nothing before "ja"

        posted = run(ActionConfirm(), after(summary, "ja", owner, intent="affirm"))
    assert posted.text.startswith("Ført som bilag 2026-")
    assert "149,80 kr i mva-fradrag, med kvitteringen som vedlegg" in posted.text
    assert posted.slots()["receipt"] is None
    assert vouchers(action_books) == before + 1
    entry_id, company_id, day, lines = newest_entry(action_books)
    assert (company_id, day) == (owner.company_id, "2026-11-03")
    assert sorted(lines) == [("1920", Decimal("-749.00"), None), ("2710", Decimal("149.80"), "1"),
                             ("7000", Decimal("599.20"), "1")]
    with action_books.begin() as s:
        [kept] = list_attachments(s, owner.company_id, entry_id)
        assert (kept.filename, kept.content_type, kept.channel) == ("kvittering.png", "image/png", "api")
        assert fetch_attachment(s, owner.company_id, kept.id).content == data
        assert not is_missing_documentation(s, owner.company_id, entry_id)


def test_an_unknown_vendor_is_asked_what_it_was_then_proposed_posted_and_remembered(
    action_books: sessionmaker[Session],
) -> None:
    owner, _ = owner_books(action_books)
    file_id = stored_receipt(action_books, owner, CLAS_OHLSON)
    with clock.pinned(DAY):
        question = send_receipt(owner, file_id)
        assert question.text == "Kvittering fra Clas Ohlson 04.11.2026: 499,00 kr. Hva var dette?"
        pick = '/categorise_receipt{"expense_category": "kontorrekvisita"}'
        assert pick in [b["payload"] for b in question.buttons]
        assert question.slots()["receipt"]["file_id"] == file_id and question.slots()["pending"] is None

        summary = run(ActionCategoriseReceipt(), after(question, pick, owner, intent="categorise_receipt",
                                                       entities={"expense_category": "kontorrekvisita"}))
        assert summary.text.splitlines()[0] == (
            "Kvittering fra Clas Ohlson 04.11.2026: 499,00 kr, kontorrekvisita (6800), 25 % mva 99,80 kr, "
            "betalt med Visa.")
        posted = run(ActionConfirm(), after(summary, "ja", owner, intent="affirm", message_id="m3"))
    assert "konto 6800" in posted.text
    assert "Neste gang foreslår jeg det samme for Clas Ohlson." in posted.text
    with action_books.begin() as s:
        rule = rule_for(s, owner.company_id, "CLAS OHLSON")
        assert rule is not None and (rule.account, rule.vat_code, rule.category) == ("6800", "1", "kontorrekvisita")

    # The next receipt from the shop is proposed as last time, with no question.
    second = stored_receipt(action_books, owner, CLAS_OHLSON.replace("499,00", "199,00").replace("99,80", "39,80"))
    with clock.pinned(DAY):
        again = send_receipt(owner, second)
    assert again.text.splitlines()[0].startswith("Kvittering fra Clas Ohlson 04.11.2026: 199,00 kr, kontorrekvisita")


def test_a_category_typed_for_a_waiting_receipt_proposes_that_receipt(action_books: sessionmaker[Session]) -> None:
    owner, _ = owner_books(action_books)
    file_id = stored_receipt(action_books, owner, CLAS_OHLSON)
    with clock.pinned(DAY):
        question = send_receipt(owner, file_id)
        typed = run(ActionCategoriseStatementLine(), after(question, "kontorrekvisita", owner,
                                                           intent="categorise_statement_line"))
        assert typed.slots()["pending"]["kind"] == "post_receipt"
        assert "kontorrekvisita (6800)" in typed.text

        unknown = run(ActionCategoriseReceipt(), after(question, "sjokoladefabrikk", owner,
                                                       intent="categorise_receipt"))
    assert unknown.texts[0] == "Jeg vet ikke hvilken konto «sjokoladefabrikk» hører til."
    assert unknown.texts[1].endswith("Hva var dette?") and unknown.slots()["receipt"]["file_id"] == file_id


def test_fuel_for_a_vehicle_not_known_asks_van_or_car_and_remembers_it(action_books: sessionmaker[Session]) -> None:
    owner, _ = owner_books(action_books, vehicle=None)
    file_id = stored_receipt(action_books, owner, CIRCLE_K)
    with clock.pinned(DAY):
        question = send_receipt(owner, file_id)
        fuel = '/categorise_receipt{"expense_category": "drivstoff"}'
        asked = run(ActionCategoriseReceipt(), after(question, fuel, owner, intent="categorise_receipt",
                                                     entities={"expense_category": "drivstoff"}))
        assert "varebil eller en personbil" in asked.text
        car = '/categorise_receipt{"expense_category": "drivstoff", "vehicle": "car"}'
        assert car in [b["payload"] for b in asked.buttons]
        summary = run(ActionCategoriseReceipt(), after(asked, car, owner, intent="categorise_receipt",
                                                       entities={"expense_category": "drivstoff", "vehicle": "car"},
                                                       message_id="m3"))
    assert summary.texts[0].startswith("Notert: selskapet har personbil.")
    assert "drivstoff (7000), uten mva-fradrag" in summary.texts[1]
    with action_books.begin() as s:
        company = s.get(Company, owner.company_id)
        assert company is not None and company.vehicle == "car"


def test_equipment_over_the_limit_asks_whether_it_lasts_and_no_shows_it_as_a_cost(
    action_books: sessionmaker[Session],
) -> None:
    owner, _ = owner_books(action_books)
    file_id = stored_receipt(action_books, owner, TOOLS)
    with clock.pinned(DAY):
        question = send_receipt(owner, file_id)
        tools = '/categorise_receipt{"expense_category": "verktøy"}'
        asset = run(ActionCategoriseReceipt(), after(question, tools, owner, intent="categorise_receipt",
                                                     entities={"expense_category": "verktøy"}))
        assert "verktøy (1200, driftsmiddel)" in asset.text
        assert "Er dette utstyr som varer i 3 år eller mer?" in asset.text
        cost = run(ActionConfirm(), after(asset, "nei", owner, intent="deny", message_id="m3"))
        assert cost.slots()["pending"]["kind"] == "post_receipt"
        assert "Er dette utstyr" not in cost.text and cost.text.endswith("Bokføre?")
        posted = run(ActionConfirm(), after(cost, "ja", owner, intent="affirm", message_id="m4"))
    assert posted.text.startswith("Ført som bilag") and "(driftsmiddel)" not in posted.text
    assert "1200" not in [account for account, _, _ in newest_entry(action_books)[3]]


def test_a_receipt_for_an_expense_just_posted_without_one_is_kept_with_that_voucher(
    action_books: sessionmaker[Session],
) -> None:
    owner, _ = owner_books(action_books)
    with clock.pinned(DAY), action_books.begin() as s:
        other = register_expense(s, owner.company_id, "120", "parkering", DAY, "Onepark", owner.user_id, "web")
        posted = register_expense(s, owner.company_id, "749", "drivstoff", dt.date(2026, 11, 3), "Circle K",
                                  owner.user_id, "web")
        voucher = f"{posted.year}-{posted.voucher_number}"
    file_id = stored_receipt(action_books, owner, CIRCLE_K)
    before = vouchers(action_books)
    with clock.pinned(DAY):
        offer = send_receipt(owner, file_id)
        assert offer.text == f"Legge kvitteringen ved bilag {voucher} (CIRCLE K MAJORSTUEN, 749,00 kr)?"
        assert offer.slots()["pending"]["kind"] == "attach_receipt"
        done = run(ActionConfirm(), after(offer, "ja", owner, intent="affirm"))
    assert done.text == f"Kvitteringen er lagt ved bilag {voucher}."
    assert vouchers(action_books) == before
    with action_books.begin() as s:
        assert not is_missing_documentation(s, owner.company_id, posted.entry_id)
        assert is_missing_documentation(s, owner.company_id, other.entry_id)


def test_no_to_keeping_it_with_the_voucher_proposes_the_receipt_as_an_expense_of_its_own(
    action_books: sessionmaker[Session],
) -> None:
    owner, _ = owner_books(action_books)
    with action_books.begin() as s:
        remember_vendor(s, owner.company_id, "Circle K Majorstuen", "7000", "1", category="drivstoff")
    with clock.pinned(DAY), action_books.begin() as s:
        register_expense(s, owner.company_id, "749", "drivstoff", DAY, "Circle K", owner.user_id, "web")
    file_id = stored_receipt(action_books, owner, CIRCLE_K)
    with clock.pinned(DAY):
        offer = send_receipt(owner, file_id)
        own = run(ActionConfirm(), after(offer, "nei", owner, intent="deny"))
    assert own.slots()["pending"]["kind"] == "post_receipt"
    assert own.text.startswith("Kvittering fra CIRCLE K MAJORSTUEN 03.11.2026: 749,00 kr, drivstoff (7000)")


def test_an_old_voucher_or_another_amount_is_not_taken_for_the_receipts(action_books: sessionmaker[Session]) -> None:
    owner, _ = owner_books(action_books)
    with clock.pinned(dt.date(2026, 10, 20)), action_books.begin() as s:
        register_expense(s, owner.company_id, "749", "drivstoff", dt.date(2026, 10, 20), "Circle K", owner.user_id,
                         "web")
    with clock.pinned(DAY), action_books.begin() as s:
        register_expense(s, owner.company_id, "750", "drivstoff", DAY, "Circle K", owner.user_id, "web")
    file_id = stored_receipt(action_books, owner, CIRCLE_K)
    with clock.pinned(DAY):
        answer = send_receipt(owner, file_id)
    assert answer.text.startswith("Kvittering fra CIRCLE K MAJORSTUEN")  # a new expense, not an attachment


def test_an_unreadable_receipt_is_answered_and_nothing_is_posted(action_books: sessionmaker[Session]) -> None:
    owner, _ = owner_books(action_books)
    before = vouchers(action_books)
    with clock.pinned(DAY):
        for text in (None, "", "~~ ## ~~\n|||"):
            answer = send_receipt(owner, stored_receipt(action_books, owner, text, picture(repr(text))))
            assert answer.text.startswith("Jeg klarte ikke å lese kvitteringen, så ingenting er bokført.")
            assert answer.slots()["receipt"] is None and "pending" not in answer.slots()
    assert vouchers(action_books) == before


def test_a_receipt_without_a_total_asks_for_the_expense_typed(action_books: sessionmaker[Session]) -> None:
    owner, _ = owner_books(action_books)
    file_id = stored_receipt(action_books, owner, "Circle K Majorstuen\nDato: 03.11.2026\nTakk for handelen!")
    with clock.pinned(DAY):
        answer = send_receipt(owner, file_id)
    assert answer.text.startswith("Jeg fant ikke totalbeløpet på kvitteringen fra Circle K Majorstuen")
    assert "pending" not in answer.slots()


def test_a_receipt_without_a_date_is_proposed_on_the_day_it_was_sent_and_says_so(
    action_books: sessionmaker[Session],
) -> None:
    owner, _ = owner_books(action_books)
    with clock.pinned(DAY):
        file_id = stored_receipt(action_books, owner, CLAS_OHLSON.replace("Dato: 04.11.2026\n", ""))
        question = send_receipt(owner, file_id)
        summary = run(ActionCategoriseReceipt(), after(question, "kontorrekvisita", owner,
                                                       intent="categorise_receipt"))
    assert summary.texts[0].splitlines()[:2] == [
        "Kvittering fra Clas Ohlson 05.11.2026: 499,00 kr, kontorrekvisita (6800), 25 % mva 99,80 kr, betalt med Visa.",
        "Datoen stod ikke på kvitteringen, så jeg bruker dagen du sendte den.",
    ]


def test_the_same_receipt_again_is_not_posted_twice(action_books: sessionmaker[Session]) -> None:
    owner, _ = owner_books(action_books)
    with action_books.begin() as s:
        remember_vendor(s, owner.company_id, "Circle K Majorstuen", "7000", "1", category="drivstoff")
    data = picture("once")
    first = stored_receipt(action_books, owner, CIRCLE_K, data)
    second = stored_receipt(action_books, owner, CIRCLE_K, data)
    with clock.pinned(DAY):
        summary = send_receipt(owner, first)
        stale = send_receipt(owner, second)  # the same photo, before the first "ja"
        run(ActionConfirm(), after(summary, "ja", owner, intent="affirm"))
        again = send_receipt(owner, second)
        twice = run(ActionConfirm(), after(stale, "ja", owner, intent="affirm", message_id="m3"))
    voucher = again.text.split("bilag ")[1].split(".")[0]
    assert again.text == f"Den kvitteringen har jeg allerede, ved bilag {voucher}. Ingenting nytt er bokført."
    assert twice.text.startswith("Regnskapet har endret seg siden jeg viste oppsummeringen, så jeg førte ingenting.")
    with action_books.begin() as s:
        assert s.scalar(select(func.count(JournalEntry.id)).where(JournalEntry.company_id == owner.company_id)) == 1


def test_staff_receipts_are_kept_but_not_proposed_and_another_companys_file_reads_nothing(
    action_books: sessionmaker[Session],
) -> None:
    owner, staff = owner_books(action_books)
    file_id = stored_receipt(action_books, staff, CIRCLE_K)
    with clock.pinned(DAY):
        kept = send_receipt(staff, file_id)
        assert kept.text == "Takk, jeg har tatt imot kvitteringen og tatt vare på den."
        assert "pending" not in kept.slots()
        stranger = Person(owner.user_id, owner.company_id + 1000, "owner")
        assert send_receipt(stranger, file_id).text.startswith("Den filen finner jeg ikke")


def test_a_receipt_drawn_and_read_by_ocr_is_proposed_with_its_total_and_date(
    action_books: sessionmaker[Session],
) -> None:
    from channels.files import receipt_text

    owner, _ = owner_books(action_books)
    receipt = make_receipt(0)
    with action_books.begin() as s:
        remember_vendor(s, owner.company_id, receipt.truth.vendor, "6800", "1", category="kontorrekvisita")
    file_id = stored_receipt(action_books, owner, receipt_text(receipt.image), receipt.image)
    with clock.pinned(DAY):
        summary = send_receipt(owner, file_id)
    assert summary.slots()["pending"]["kind"] == "post_receipt"
    values = summary.slots()["pending"]["values"]
    assert (values["amount"], values["date"]) == (str(receipt.truth.total), receipt.truth.date.isoformat())


def test_no_to_the_expense_posts_nothing_and_offers_the_other_categories(action_books: sessionmaker[Session]) -> None:
    owner, file_id = circle_k_sent(action_books)
    before = vouchers(action_books)
    with clock.pinned(DAY):
        summary = send_receipt(owner, file_id)
        other = run(ActionConfirm(), after(summary, "nei", owner, intent="deny"))
        assert other.text.startswith("Greit, ingenting er bokført. Var kvitteringen noe annet enn drivstoff?")
        payloads = [b["payload"] for b in other.buttons]
        assert '/categorise_receipt{"expense_category": "drivstoff"}' not in payloads
        parking = '/categorise_receipt{"expense_category": "parkering"}'
        assert parking in payloads and other.slots()["pending"] is None
        again = run(ActionCategoriseReceipt(), after(other, parking, owner, intent="categorise_receipt",
                                                     entities={"expense_category": "parkering"}, message_id="m3"))
    assert "749,00 kr, parkering (" in again.text and again.slots()["pending"]["kind"] == "post_receipt"
    assert vouchers(action_books) == before


def test_a_receipt_is_proposed_and_posted_in_english_for_a_person_who_writes_english(
    action_books: sessionmaker[Session],
) -> None:
    owner, _ = owner_books(action_books)
    file_id = stored_receipt(action_books, owner, CLAS_OHLSON)
    english = Conversation(slots={"language": "en"}, events=[])
    with clock.pinned(DAY):
        question = run(ActionReceivedFile(), said(file_message(file_id), intent="received_file",
                                                  entities={"file_id": file_id}, asker=owner, language="en",
                                                  conversation=english))
        assert question.text == "Receipt from Clas Ohlson 04/11/2026: NOK 499.00. What was it for?"
        slots = {**question.slots(), "language": "en"}
        pick = '/categorise_receipt{"expense_category": "office supplies"}'
        summary = run(ActionCategoriseReceipt(), said(
            pick, intent="categorise_receipt", entities={"expense_category": "office supplies"}, asker=owner,
            language="en", message_id="m2", conversation=Conversation(slots=slots, events=[])))
        assert summary.text.splitlines() == [
            "Receipt from Clas Ohlson 04/11/2026: NOK 499.00, office supplies (6800), 25 % VAT NOK 99.80, "
            "paid by Visa.",
            "Shall I post it?",
        ]
        slots = {**summary.slots(), "language": "en"}
        events = [{"event": "slot", "name": k, "value": v} for k, v in slots.items()]
        posted = run(ActionConfirm(), said("yes", intent="affirm", asker=owner, language="en", message_id="m3",
                                           conversation=Conversation(slots=slots, events=events)))
    assert posted.text.startswith("Posted as voucher 2026-")
    assert "with the receipt attached" in posted.text


def test_fuel_from_a_known_vendor_asks_van_or_car_once_and_proposes_as_last_time(
    action_books: sessionmaker[Session],
) -> None:
    owner, _ = owner_books(action_books, vehicle=None)
    with action_books.begin() as s:
        remember_vendor(s, owner.company_id, "Circle K Majorstuen", "7000", "1", category="drivstoff")
    file_id = stored_receipt(action_books, owner, CIRCLE_K)
    with clock.pinned(DAY):
        asked = send_receipt(owner, file_id)
        van = '/categorise_receipt{"vehicle": "van"}'
        assert [b["payload"] for b in asked.buttons] == [van, '/categorise_receipt{"vehicle": "car"}']
        summary = run(ActionCategoriseReceipt(), after(asked, van, owner, intent="categorise_receipt",
                                                       entities={"vehicle": "van"}))
    assert summary.texts[0] == "Notert: selskapet har varebil. Det husker jeg til neste gang."
    assert summary.texts[1].startswith("Kvittering fra CIRCLE K MAJORSTUEN 03.11.2026: 749,00 kr, drivstoff (7000), "
                                       "25 % mva 149,80 kr")


def test_a_receipt_whose_vat_changed_since_the_summary_is_not_posted(action_books: sessionmaker[Session]) -> None:
    owner, file_id = circle_k_sent(action_books)
    before = vouchers(action_books)
    with clock.pinned(DAY):
        summary = send_receipt(owner, file_id)
        assert "25 % mva 149,80 kr" in summary.text
        with action_books.begin() as s:
            set_vehicle(s, owner.company_id, "car")  # a passenger car's fuel deducts no VAT
        answered = run(ActionConfirm(), after(summary, "ja", owner, intent="affirm"))
    assert answered.texts == ["Regnskapet har endret seg siden jeg viste oppsummeringen, så jeg førte ingenting. "
                              "Be om det på nytt, så viser jeg de nye tallene."]
    assert vouchers(action_books) == before
