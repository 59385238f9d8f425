"""A bank statement in the chat: the summary of what was found and "Bokfør de N?", the known
lines posted on "ja", then the unknown lines asked about one at a time (the likely category
for "ja", buttons for others, "Hopp over"), each decision posted and remembered; a file that
is not the company's reads nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from actions.confirmation import ActionCancel, ActionConfirm
from actions.statements import (
    ActionCategoriseStatementLine,
    ActionNextStatementLine,
    ActionReceivedFile,
    ActionSkipStatementLine,
)
from bench.statements import _entry as camt_entry
from bench.statements import camt053
from channels.files import file_message
from ledger import clock
from ledger.conversation_files import store_file
from ledger.invoicing import issue_invoice
from ledger.models import JournalEntry, User
from ledger.vendor_rules import remember_vendor, vendor_rules
from tests.actions.chat_builders import Conversation, Person, Said, action_books, run, said
from tests.ledger.builders import line, sales_books

__all__ = ["action_books"]


def books_with_statement(books: sessionmaker[Session]) -> tuple[Person, Person, str, int]:
    """An owner, a staff member, a stored statement and its invoice's number: one payment by
    KID (6 250), Staples known by a rule, Telenor and Circle K unknown, a stranger's money in."""
    sb = sales_books(books)
    with books.begin() as s:
        invoice = issue_invoice(s, sb.company_id, sb.fjord_id, [line("5 × 1000 Rådgivning")],
                                issue_date=dt.date(2026, 10, 20))
        remember_vendor(s, sb.company_id, "Staples AS", "6800", "1", category="kontorrekvisita")
        data = camt053([
            camt_entry("L1", dt.date(2026, 11, 2), invoice.total, "Fjord Bygg AS", kid=invoice.kid),
            camt_entry("L2", dt.date(2026, 11, 3), Decimal("-1249.00"), "Telenor Norge AS", text="Abonnement"),
            camt_entry("L3", dt.date(2026, 11, 4), Decimal("-450.00"), "STAPLES NORGE", text="Varekjøp"),
            camt_entry("L4", dt.date(2026, 11, 5), Decimal("-800.00"), "Circle K Majorstuen", text="Varekjøp"),
            camt_entry("L5", dt.date(2026, 11, 6), Decimal("300.00"), "Per Olsen", text="Vipps"),
        ], "S-NOV")
        row = store_file(s, sb.company_id, sb.owner_id, data, channel="web")
        file_id, number = row.public_id, invoice.number
    owner = Person(sb.owner_id, sb.company_id, "owner")
    staff = Person(sb.staff_id, sb.company_id, "staff")
    return owner, staff, file_id, number


def send_file(asker: Person, file_id: str) -> Said:
    text = file_message(file_id)
    return run(ActionReceivedFile(), said(text, intent="received_file", entities={"file_id": file_id}, asker=asker,
                                          language="nb"))


def after(previous: Said, text: str, asker: Person, *, intent: str, entities: dict[str, str] | None = None,
          message_id: str = "m2") -> Any:
    slots = previous.slots()
    events = [{"event": "slot", "name": k, "value": v} for k, v in slots.items()]
    conversation = Conversation(slots={**slots, "language": "nb"}, events=events)
    return said(text, intent=intent, entities=entities, asker=asker, language="nb", message_id=message_id,
                conversation=conversation)


def followups(answer: Said) -> list[str]:
    return [e["name"] for e in answer.events if e.get("event") == "followup"]


def vouchers(books: sessionmaker[Session]) -> int:
    with books.begin() as s:
        return int(s.scalar(select(func.count(JournalEntry.id))) or 0)


def test_a_statement_is_summarised_posted_on_ja_and_its_unknown_lines_asked_one_by_one(
    action_books: sessionmaker[Session],
) -> None:
    owner, _, file_id, _ = books_with_statement(action_books)
    before = vouchers(action_books)
    with clock.pinned(dt.date(2026, 11, 30)):
        summary = send_file(owner, file_id)
        assert summary.text.splitlines() == [
            "5 linjer: 1 innbetalinger matcher fakturaer (6 250,00 kr), 1 kjente utgifter (450,00 kr), 2 ukjente, "
            "1 innbetalinger uten faktura.",
            "Bokfør de 2?",
        ]
        assert [b["payload"] for b in summary.buttons] == ["/affirm", "/deny"]
        assert summary.slots()["pending"]["kind"] == "post_statement"
        assert vouchers(action_books) == before  # nothing before "ja"

        posted = run(ActionConfirm(), after(summary, "ja", owner, intent="affirm"))
        assert posted.text.startswith("Ført: 1 innbetalinger og 1 utgifter.")
        assert followups(posted) == ["action_next_statement_line"]
        assert vouchers(action_books) == before + 2

        first = run(ActionNextStatementLine(), after(summary, "ja", owner, intent="affirm"))
        assert first.text == "-1 249,00 kr Telenor Norge AS 03.11.2026: telefon, 25 % mva?"
        titles = [b["title"] for b in first.buttons]
        assert titles[0] == "Ja" and titles[-1] == "Hopp over" and "telefon" not in titles
        assert first.slots()["pending"]["values"]["account"] == "6900"

        telenor = run(ActionConfirm(), after(first, "ja", owner, intent="affirm", message_id="m3"))
        assert telenor.text.startswith("Ført som bilag ") and "konto 6900" in telenor.text
        assert "Neste gang foreslår jeg det samme for Telenor Norge AS." in telenor.text

        second = run(ActionNextStatementLine(), after(first, "ja", owner, intent="affirm", message_id="m3"))
        assert second.text == "-800,00 kr Circle K Majorstuen 05.11.2026: drivstoff, 25 % mva?"
        pick = '/categorise_statement_line{"expense_category": "kontorrekvisita"}'
        assert pick in [b["payload"] for b in second.buttons]
        picked = run(ActionCategoriseStatementLine(), after(
            second, pick, owner, intent="categorise_statement_line",
            entities={"expense_category": "kontorrekvisita"}, message_id="m4"))
        assert "konto 6800" in picked.texts[0]
        # Then the money in that paid no invoice: none is open for 300 kr.
        assert picked.texts[1] == (
            "+300,00 kr fra Per Olsen 06.11.2026: ingen åpen faktura passer. Annen inntekt, eller skriv "
            "fakturanummeret.")
        assert [b["title"] for b in picked.buttons] == ["Annen inntekt", "Hopp over"]
        income = run(ActionCategoriseStatementLine(), after(
            picked, picked.buttons[0]["payload"], owner, intent="categorise_statement_line",
            entities={"expense_category": "annen inntekt"}, message_id="m5"))
        assert "som annen inntekt på konto 3900, uten mva." in income.texts[0]
        assert income.texts[1].startswith("Ferdig med kontoutskriften.")
    assert vouchers(action_books) == before + 5
    with action_books.begin() as s:
        rules = {r.vendor_name: (r.account, r.vat_code) for r in vendor_rules(s, owner.company_id)}
    assert rules == {"Staples AS": ("6800", "1"), "Telenor Norge AS": ("6900", "1"),
                     "Circle K Majorstuen": ("6800", "1")}


def test_the_same_statement_again_posts_nothing_and_asks_only_what_was_skipped(
    action_books: sessionmaker[Session],
) -> None:
    owner, _, file_id, _ = books_with_statement(action_books)
    with clock.pinned(dt.date(2026, 11, 30)):
        summary = send_file(owner, file_id)
        run(ActionConfirm(), after(summary, "ja", owner, intent="affirm"))
        first = run(ActionNextStatementLine(), after(summary, "ja", owner, intent="affirm"))
        skipped = run(ActionSkipStatementLine(), after(first, "/skip_statement_line", owner,
                                                       intent="skip_statement_line", message_id="m3"))
        assert skipped.text.startswith("-800,00 kr Circle K")
        income = run(ActionSkipStatementLine(), after(skipped, "/skip_statement_line", owner,
                                                      intent="skip_statement_line", message_id="m4"))
        assert income.text.startswith("+300,00 kr fra Per Olsen")
        done = run(ActionSkipStatementLine(), after(income, "/skip_statement_line", owner,
                                                    intent="skip_statement_line", message_id="m5"))
        assert done.text.startswith("Ferdig med kontoutskriften. 3 linjer hoppet du over")
        count = vouchers(action_books)
        again = send_file(owner, file_id)
        assert again.text.splitlines()[0].endswith("1 innbetalinger uten faktura, 2 ført fra før.")
        assert "Bokfør" not in again.text
        assert followups(again) == ["action_next_statement_line"]
    assert vouchers(action_books) == count


def test_a_file_of_another_company_or_a_made_up_one_reads_nothing(action_books: sessionmaker[Session]) -> None:
    owner, _, file_id, _ = books_with_statement(action_books)
    other = sales_books(action_books, name="Annet AS")
    stranger = Person(other.owner_id, other.company_id, "owner")
    for asker, named in ((stranger, file_id), (owner, "f" * 32)):
        answer = send_file(asker, named)
        assert answer.text == "Den filen finner jeg ikke i dette regnskapet. Send den gjerne på nytt."
        assert answer.slots() == {"file_id": None}


def test_staff_may_not_go_through_a_statement(action_books: sessionmaker[Session]) -> None:
    _, staff, file_id, _ = books_with_statement(action_books)
    answer = send_file(staff, file_id)
    assert answer.text.startswith("Beklager, med en ansatt-tilgang")
    walk = run(ActionNextStatementLine(), said("/skip_statement_line", intent="skip_statement_line", asker=staff))
    assert walk.text.startswith("Beklager, med en ansatt-tilgang")


def test_a_category_typed_that_fits_none_is_said_and_the_same_line_asked_again(
    action_books: sessionmaker[Session],
) -> None:
    owner, _, file_id, _ = books_with_statement(action_books)
    with clock.pinned(dt.date(2026, 11, 30)):
        summary = send_file(owner, file_id)
        run(ActionConfirm(), after(summary, "ja", owner, intent="affirm"))
        first = run(ActionNextStatementLine(), after(summary, "ja", owner, intent="affirm"))
        count = vouchers(action_books)
        typed = run(ActionCategoriseStatementLine(), after(first, "sjokoladefontene", owner,
                                                           intent="categorise_statement_line", message_id="m3"))
        assert typed.texts == ["Jeg vet ikke hvilken konto «sjokoladefontene» hører til.", first.text]
        assert vouchers(action_books) == count
        plain = run(ActionCategoriseStatementLine(), after(first, "telefon", owner,
                                                           intent="categorise_statement_line", message_id="m4"))
        assert "konto 6900" in plain.texts[0]


def test_a_statement_sent_first_is_answered_in_the_language_the_person_last_wrote_in(
    action_books: sessionmaker[Session],
) -> None:
    owner, _, file_id, _ = books_with_statement(action_books)
    with action_books.begin() as s:
        user = s.get(User, owner.user_id)
        assert user is not None
        user.language = "en"
    with clock.pinned(dt.date(2026, 11, 30)):
        summary = send_file(owner, file_id)
    assert summary.texts[0].startswith("5 lines: 1 payments match invoices (NOK 6,250.00)")
    assert summary.texts[0].endswith("Post the 2?")


def test_no_to_the_proposed_category_asks_what_it_was_then_and_posts_nothing(
    action_books: sessionmaker[Session],
) -> None:
    owner, _, file_id, _ = books_with_statement(action_books)
    with clock.pinned(dt.date(2026, 11, 30)):
        summary = send_file(owner, file_id)
        run(ActionConfirm(), after(summary, "ja", owner, intent="affirm"))
        first = run(ActionNextStatementLine(), after(summary, "ja", owner, intent="affirm"))
        count = vouchers(action_books)
        denied = run(ActionConfirm(), after(first, "nei", owner, intent="deny", message_id="m3"))
        assert denied.text == (
            "Hva var -1 249,00 kr Telenor Norge AS 03.11.2026 da? Velg under, eller skriv hva det var.")
        payloads = [b["payload"] for b in denied.buttons]
        assert '/categorise_statement_line{"expense_category": "telefon"}' not in payloads
        assert payloads[-1] == "/skip_statement_line" and len(payloads) == 5
        assert denied.slots() == {"pending": None, "resume_form": None}
    assert vouchers(action_books) == count


def test_skip_typed_during_a_walk_skips_the_line_and_outside_one_leaves_what_is_in_progress(
    action_books: sessionmaker[Session],
) -> None:
    owner, _, file_id, _ = books_with_statement(action_books)
    with clock.pinned(dt.date(2026, 11, 30)):
        summary = send_file(owner, file_id)
        run(ActionConfirm(), after(summary, "ja", owner, intent="affirm"))
        first = run(ActionNextStatementLine(), after(summary, "ja", owner, intent="affirm"))
        count = vouchers(action_books)
        typed = run(ActionSkipStatementLine(), after(first, "hopp over denne", owner, intent="skip_statement_line",
                                                     message_id="m3"))
        assert typed.text.startswith("-800,00 kr Circle K")
        assert typed.slots()["statement_review"]["skipped"] == [first.slots()["statement_review"]["line_id"]]
        assert vouchers(action_books) == count
    outside = run(ActionSkipStatementLine(), said("hopp over", intent="skip_statement_line", asker=owner,
                                                  language="nb"))
    assert outside.text == "Greit, det er ingenting å avbryte."
    pressed = run(ActionSkipStatementLine(), said("/skip_statement_line", intent="skip_statement_line",
                                                  asker=owner, language="nb"))
    assert pressed.text.startswith("Jeg går ikke gjennom noen kontoutskrift med deg nå.")


def test_cancel_during_a_walk_ends_it_posts_nothing_and_the_statement_sent_again_asks_the_rest(
    action_books: sessionmaker[Session],
) -> None:
    owner, _, file_id, _ = books_with_statement(action_books)
    with clock.pinned(dt.date(2026, 11, 30)):
        summary = send_file(owner, file_id)
        run(ActionConfirm(), after(summary, "ja", owner, intent="affirm"))
        first = run(ActionNextStatementLine(), after(summary, "ja", owner, intent="affirm"))
        count = vouchers(action_books)
        stopped = run(ActionCancel(), after(first, "avbryt", owner, intent="cancel", message_id="m3"))
        assert stopped.text == "Avbrutt. Ingenting er ført."
        assert stopped.slots()["statement_review"] is None
        assert stopped.slots()["pending"] is None
        assert vouchers(action_books) == count
        again = send_file(owner, file_id)
        assert again.text.splitlines()[0].endswith("2 ukjente, 1 innbetalinger uten faktura, 2 ført fra før.")
        assert followups(again) == ["action_next_statement_line"]
        asked = run(ActionNextStatementLine(), after(again, "ok", owner, intent="affirm", message_id="m4"))
        assert asked.text.startswith("-1 249,00 kr Telenor Norge AS 03.11.2026")
    assert vouchers(action_books) == count
