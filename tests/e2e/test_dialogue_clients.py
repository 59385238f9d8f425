"""An accountant across three client companies, end to end through the chat API: the balance
of every client, who has unpaid invoices over 30 days, who has not settled VAT for the last
term, who has a VAT deadline this week, unbilled hours and the result so far; from a row's
button or by name straight into a client, and back to the overview from there. The books are
made relative to today, so the answers hold on every day of the year."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy.orm import sessionmaker

from ledger import clock
from ledger.companies import create_company
from ledger.customers import create_customer
from ledger.db import make_engine
from ledger.deadlines import upcoming_deadlines
from ledger.formatting import format_money
from ledger.identity import add_membership, add_user
from ledger.invoicing import invoice_amount
from ledger.journal import Posting, post_entry
from ledger.projects import create_project
from ledger.reports.profit_and_loss import profit_and_loss
from ledger.timesheet import log_time
from ledger.vat import settle_vat_term, term_of, vat_report
from tests.e2e.conftest import RunningStack
from tests.e2e.turns import Reply

PATIENCE = 8
"""How many times a turn refused for sending too fast is sent again, after the wait it names."""


def turn(stack: RunningStack, text: str, token: str) -> Reply:
    """Says `text` as the token's user; a message refused for coming too fast (429, nothing
    done) is sent again after the wait the answer asks for, as a patient person would."""
    for _ in range(PATIENCE):
        response = stack.chat(text, token=token, message_id=f"e2e-{uuid.uuid4().hex}")
        if response.status_code != 429:
            break
        time.sleep(float(response.headers.get("Retry-After", "2")))
    assert response.status_code == 200, response.text
    return Reply(response.json()["messages"])


def fresh(stack: RunningStack, token: str) -> None:
    """Leaves whatever question a previous test left open."""
    turn(stack, "avbryt", token)

D = Decimal


@dataclass(frozen=True)
class Accountant:
    """Randi's token and her three clients' ids."""

    token: str
    fjord: int
    nordlys: int
    hansen: int


def _where(orgnr: str) -> dict[str, str]:
    return {"orgnr": orgnr, "address": "Kaigata 2", "postcode": "5003", "city": "Bergen"}


@pytest.fixture(scope="module")
def accountant(stack: RunningStack) -> Accountant:
    """Fjord Bygg AS (VAT every two months, an invoice 31 days overdue, 4 hours unbilled),
    Nordlys Regnskap AS (an overdrawn account, its last VAT term settled) and Hansen Rør
    (an ENK outside the VAT register, an invoice 86 days overdue), all kept by one accountant."""
    today = clock.today()
    engine = make_engine(stack.database_url)
    try:
        with sessionmaker(engine, expire_on_commit=False).begin() as s:
            seller = {"bank_account": "12345678903"}
            fjord = create_company(
                s, "Fjord Bygg AS", owner_name="Kari Fjord", vat_registered=True, **_where("912345645"), **seller
            )
            fid = fjord.company.id
            capital = [Posting("1920", D(50000)), Posting("2000", D(-50000))]
            post_entry(s, fid, today, "Innskudd", capital, channel="cli")
            berg = create_customer(s, fid, "Berg Elektro AS", **_where("912345653"))
            invoice_amount(s, fid, berg.id, "10000", "Tømrerarbeid", issue_date=today - dt.timedelta(days=45))
            project = create_project(s, fid, "Tilbygg", customer_id=berg.id, hourly_rate="1000")
            log_time(s, fid, fjord.owner.user.id, project.id, today, "4")

            nordlys = create_company(s, "Nordlys Regnskap AS", owner_name="Nils Lys", vat_registered=True)
            nid = nordlys.company.id
            last_term = term_of(today).previous()
            post_entry(
                s, nid, last_term.start, "Kontorrekvisita",
                [Posting("6800", D(1000), vat_code="1"), Posting("2710", D(250), vat_code="1"),
                 Posting("1920", D(-1250))],
                channel="cli",
            )
            settle_vat_term(s, nid, last_term)

            hansen = create_company(
                s, "Hansen Rør", owner_name="Hans Rør", form="ENK", **_where("912345661"), **seller
            )
            hid = hansen.company.id
            post_entry(s, hid, today, "Innskudd", [Posting("1920", D(5000)), Posting("2000", D(-5000))], channel="cli")
            vik = create_customer(s, hid, "Vik Transport AS", **_where("912345688"))
            invoice_amount(s, hid, vik.id, "1000", "Rørlegging", issue_date=today - dt.timedelta(days=100))

            randi = add_user(s, fid, "Randi Regnskap", "accountant")
            add_membership(s, randi.user.id, nid, "accountant")
            add_membership(s, randi.user.id, hid, "accountant")
            return Accountant(randi.token, fid, nid, hid)
    finally:
        engine.dispose()


def _active_company(stack: RunningStack, token: str) -> int:
    response = stack.get("/api/v1/me", token=token)
    assert response.status_code == 200
    return int(response.json()["active_company_id"])


def _lines(reply: Reply) -> list[str]:
    return reply.text.splitlines()


def test_the_balance_of_every_client_lowest_first_with_a_button_into_each(
    stack: RunningStack, accountant: Accountant
) -> None:
    fresh(stack, accountant.token)
    reply = turn(stack, "vis saldo for alle klientene mine", accountant.token)
    assert _lines(reply)[:4] == [
        "Saldo på driftskontoen hos 3 klienter, lavest først:",
        "• Nordlys Regnskap AS: -1 250,00 kr (overtrukket)",
        "• Hansen Rør: 5 000,00 kr",
        "• Fjord Bygg AS: 50 000,00 kr",
    ]
    assert reply.payloads == [
        '/switch_company{"company": "Nordlys Regnskap AS"}',
        '/switch_company{"company": "Hansen Rør"}',
    ]
    [image] = reply.images
    chart = stack.get(image, token=accountant.token)
    assert chart.status_code == 200 and chart.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_who_has_unpaid_invoices_over_30_days(stack: RunningStack, accountant: Accountant) -> None:
    fresh(stack, accountant.token)
    reply = turn(stack, "hvem har ubetalte fakturaer over 30 dager?", accountant.token)
    assert _lines(reply)[:3] == [
        "2 av 3 klienter har ubetalte fakturaer forfalt for mer enn 30 dager siden, mest først:",
        "• Fjord Bygg AS: 12 500,00 kr over 30 dager (utestående i alt 12 500,00 kr)",
        "• Hansen Rør: 1 000,00 kr over 30 dager (utestående i alt 1 000,00 kr)",
    ]


def test_which_clients_have_not_settled_vat_for_the_last_term(stack: RunningStack, accountant: Accountant) -> None:
    fresh(stack, accountant.token)
    reply = turn(stack, "which clients haven't settled VAT for the last term?", accountant.token)
    lines = _lines(reply)
    assert lines[0] == "1 of 2 VAT-registered clients have not settled the last term:"
    last = term_of(clock.today()).previous()
    engine = make_engine(stack.database_url)
    try:
        with sessionmaker(engine).begin() as s:
            owed = vat_report(s, accountant.fjord, last).to_pay
    finally:
        engine.dispose()
    assert lines[1].startswith(
        f"• Fjord Bygg AS, term {last.number} {last.year}: to pay {format_money(owed, 'en')}, due "
    )
    assert ", not settled" in lines[1]
    assert lines[2].startswith(f"• Nordlys Regnskap AS, term {last.number} {last.year}: to get back NOK 250.00, ")
    assert lines[2].endswith(", settled")
    assert not any("Hansen" in line for line in lines)


def test_which_clients_have_a_vat_deadline_this_week(stack: RunningStack, accountant: Accountant) -> None:
    fresh(stack, accountant.token)
    today = clock.today()
    sunday = today + dt.timedelta(days=6 - today.weekday())
    engine = make_engine(stack.database_url)
    due: dict[str, list[dt.date]] = {}
    try:
        with sessionmaker(engine).begin() as s:
            for name, cid in (("Fjord Bygg AS", accountant.fjord), ("Nordlys Regnskap AS", accountant.nordlys)):
                settled_terms = {term_of(today).previous().key} if cid == accountant.nordlys else set()
                due[name] = [
                    d.due_date
                    for d in upcoming_deadlines(s, cid, today=today, days=7)
                    if d.kind == "mva" and d.due_date <= sunday and d.period not in settled_terms
                ]
    finally:
        engine.dispose()
    reply = turn(stack, "hvilke klienter har mva-frist denne uka?", accountant.token)
    lines = _lines(reply)
    with_deadline = [name for name, days in due.items() if days]
    if with_deadline:
        assert lines[0].startswith(f"{len(with_deadline)} av 3 klienter har mva-frist i perioden ")
    else:
        assert lines[0].startswith(("Ingen av de 3 klientene har mva-frist i perioden ", "0 av 3 klienter"))
    for name in with_deadline:
        line = next(line for line in lines if line.startswith(f"• {name}: "))
        assert "mva-melding for " in line
    assert not any(line.startswith("• Hansen Rør") for line in lines)


def test_unbilled_hours_and_the_result_so_far_across_clients(stack: RunningStack, accountant: Accountant) -> None:
    fresh(stack, accountant.token)
    unbilled = turn(stack, "hvilke klienter har ufakturerte timer?", accountant.token)
    assert _lines(unbilled)[:2] == [
        "1 av 3 klienter har timer som ikke er fakturert, mest først:",
        "• Fjord Bygg AS: 4 timer, 4 000,00 kr eks. mva",
    ]
    today = clock.today()
    engine = make_engine(stack.database_url)
    try:
        with sessionmaker(engine).begin() as s:
            results = {
                name: profit_and_loss(s, cid, dt.date(today.year, 1, 1), today).result
                for name, cid in (
                    ("Fjord Bygg AS", accountant.fjord),
                    ("Nordlys Regnskap AS", accountant.nordlys),
                    ("Hansen Rør", accountant.hansen),
                )
            }
    finally:
        engine.dispose()
    reply = turn(stack, "resultat hittil i år for alle klientene", accountant.token)
    lines = _lines(reply)
    assert lines[0] == f"Resultat hittil i {today.year} for 3 klienter, svakest først:"
    weakest_first = sorted(results, key=lambda name: (results[name], name))
    expected = [
        f"• {name}: {'overskudd' if results[name] >= 0 else 'underskudd'} {format_money(abs(results[name]))}"
        for name in weakest_first
    ]
    assert lines[1:4] == expected


def test_from_a_row_into_a_client_and_back_to_the_overview(stack: RunningStack, accountant: Accountant) -> None:
    fresh(stack, accountant.token)
    overview = turn(stack, "oversikt over klientene mine", accountant.token)
    assert _lines(overview)[0] == "Oversikt over 3 klienter, det som haster mest først:"
    button = next(p for p in overview.payloads if "Nordlys" in p)
    pressed = turn(stack, button, accountant.token)
    assert pressed.text == "Nå jobber du med Nordlys Regnskap AS (som regnskapsfører)."
    assert pressed.payloads == ['/switch_company{"company": "Fjord Bygg AS"}', "/clients_overview"]
    assert _active_company(stack, accountant.token) == accountant.nordlys
    assert turn(stack, "hva er saldoen?", accountant.token).text == "Saldoen på driftskontoen er -1 250,00 kr."

    by_name = turn(stack, "bytt til Fjord Bygg", accountant.token)
    assert by_name.text == "Nå jobber du med Fjord Bygg AS (som regnskapsfører)."
    assert _active_company(stack, accountant.token) == accountant.fjord

    assert by_name.payloads[-1] == "/clients_overview"
    back = turn(stack, by_name.payloads[-1], accountant.token)
    assert _lines(back)[0] == "Oversikt over 3 klienter, det som haster mest først:"
    assert _lines(back)[-1].endswith("nå jobber du med Fjord Bygg AS.")
    again = turn(stack, "vis saldo for alle klientene mine", accountant.token)
    assert _lines(again)[0] == "Saldo på driftskontoen hos 3 klienter, lavest først:"


def test_the_rest_overview_has_the_same_three_clients(stack: RunningStack, accountant: Accountant) -> None:
    response = stack.get("/api/v1/me/clients/overview", token=accountant.token, order="balance")
    assert response.status_code == 200, response.text
    companies = response.json()["companies"]
    assert [(c["name"], c["bank_balance"]) for c in companies] == [
        ("Nordlys Regnskap AS", "-1250.00"),
        ("Hansen Rør", "5000.00"),
        ("Fjord Bygg AS", "50000.00"),
    ]
    fjord = companies[2]
    assert fjord["receivables"]["total"] == "12500.00"
    assert fjord["receivables"]["buckets"]["31-60"] == "12500.00"
    assert (fjord["unbilled_hours"], fjord["unbilled_amount"]) == ("4.00", "4000.00")
    assert companies[1]["vat"] is None
    assert companies[0]["vat"]["settled"] is True
