"""Expenses through the chat, end to end: the van-or-car question, the summary with the lines,
"yes" posting them, "no" posting nothing, "undo" reversing, staff refused; the journal read
back through the REST API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.e2e.conftest import RunningStack
from tests.e2e.turns import Reply, fresh, journal_entries, turn

VAN = '/choose{"vehicle": "van"}'


def lines_of(entry: dict[str, Any]) -> list[tuple[str, Decimal, Decimal, str | None]]:
    return sorted(
        (line["account"], Decimal(line["debit"]), Decimal(line["credit"]), line["vat_code"]) for line in entry["lines"]
    )


def answer_van_or_car(stack: RunningStack, reply: Reply) -> Reply:
    """Presses "Van" when asked (the demo company's vehicle is unknown until someone says)."""
    if VAN in reply.payloads:
        assert "van or a passenger car" in reply.text
        reply = turn(stack, VAN)
        assert "Noted: the company has a van." in reply.text
    return reply


def test_an_english_fuel_expense_is_shown_with_7000_and_2710_and_posted_on_yes(stack: RunningStack) -> None:
    fresh(stack)
    before = len(journal_entries(stack))
    summary = answer_van_or_car(stack, turn(stack, "I paid 450 kr for fuel"))
    text = summary.text
    assert "Expense NOK 450.00: fuel" in text
    assert "• 7000 " in text and "debit NOK 360.00 (VAT code 1)" in text
    assert "• 2710 " in text and "debit NOK 90.00 (VAT code 1)" in text
    assert "• 1920 " in text and "credit NOK 450.00" in text
    assert "Account 7000, VAT code 1: fuel for a van carries deductible input VAT." in text
    assert summary.payloads[-2:] == ["/affirm", "/deny"]
    assert len(journal_entries(stack)) == before

    posted = turn(stack, "yes")
    assert posted.text.startswith("Posted as voucher ")
    entries = journal_entries(stack)
    assert len(entries) == before + 1
    assert lines_of(entries[-1]) == [
        ("1920", Decimal("0.00"), Decimal("450.00"), None),
        ("2710", Decimal("90.00"), Decimal("0.00"), "1"),
        ("7000", Decimal("360.00"), Decimal("0.00"), "1"),
    ]
    assert entries[-1]["created_by"] == "Kari Nordmann"
    assert entries[-1]["source"].startswith("chat:")


def test_no_posts_nothing_and_undo_reverses_the_posting_in_norwegian(stack: RunningStack) -> None:
    fresh(stack)
    before = len(journal_entries(stack))
    lunch = turn(stack, "jeg betalte 640 kr for lunsj med kunde")
    assert "Utgift 640,00 kr: lunsj med kunde" in lunch.text
    assert "• 7350 " in lunch.text and "(mval. § 8-3)" in lunch.text
    assert "Ingenting er ført" in turn(stack, "nei").text
    assert len(journal_entries(stack)) == before

    parking = turn(stack, "jeg betalte 120 kr for parkering")
    assert "• 7140 " in parking.text
    assert turn(stack, "ja").text.startswith("Ført som bilag ")
    posted = journal_entries(stack)[-1]
    assert lines_of(posted) == [
        ("1920", Decimal("0.00"), Decimal("120.00"), None),
        ("7140", Decimal("120.00"), Decimal("0.00"), "0"),
    ]

    turn(stack, "angre")
    entries = journal_entries(stack)
    assert len(entries) == before + 2
    assert entries[-1]["reverses_id"] == posted["id"]
    assert lines_of(entries[-1]) == [
        ("1920", Decimal("120.00"), Decimal("0.00"), None),
        ("7140", Decimal("0.00"), Decimal("120.00"), "0"),
    ]


def test_a_missing_amount_is_asked_for(stack: RunningStack) -> None:
    fresh(stack)
    asked = turn(stack, "jeg har kjøpt kontorrekvisita")
    assert "Hvor mye var det, med mva?" in asked.text
    summary = turn(stack, "249")
    assert "Utgift 249,00 kr: kontorrekvisita" in summary.text
    assert "• 6800 " in summary.text
    assert "Ingenting er ført" in turn(stack, "nei").text


def test_staff_may_not_register_expenses(stack: RunningStack) -> None:
    fresh(stack, stack.staff_token)
    before = len(journal_entries(stack))
    reply = turn(stack, "jeg betalte 100 kr for parkering", stack.staff_token)
    assert "egne timer" in reply.text
    assert len(journal_entries(stack)) == before
