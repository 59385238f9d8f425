"""The overview across clients: each company's figures read in bulk equal what its own reports
say, and the companies come in the order that needs attention first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from ledger import clock
from ledger.companies import create_company
from ledger.customers import create_customer
from ledger.deadlines import upcoming_deadlines
from ledger.identity import add_membership, add_user
from ledger.invoicing import SaleLine, credit_invoice, issue_invoice, register_payment
from ledger.overview import Concern, Figure, clients_overview, kept_companies, ordered
from ledger.projects import create_project
from ledger.reports.balances import bank_balance
from ledger.reports.profit_and_loss import profit_and_loss
from ledger.reports.receivables import AgingBuckets, receivables_aging
from ledger.timesheet import log_time, unbilled_hours
from ledger.vat import VatTerm, settle_vat_term, vat_report
from tests.ledger.book_builders import day, post

D = Decimal
TODAY = day("2026-04-20")  # term 1 (January–February) was due on 10 April


@dataclass(frozen=True)
class Clients:
    """Three client companies kept by one accountant, and a fourth where they are staff."""

    accountant_id: int
    accountant_token: str
    fjord: int
    nordlys: int
    hansen: int
    staffed: int


def _where(orgnr: str) -> dict[str, str]:
    """What an invoice must show of a seller or buyer besides the name (bokføringsforskriften
    § 5-1-1), with made-up organisation numbers that pass the MOD11 check."""
    return {"orgnr": orgnr, "address": "Storgata 1", "postcode": "0155", "city": "Oslo"}


def _seller(orgnr: str) -> dict[str, str]:
    return {**_where(orgnr), "bank_account": "12345678903"}


def _invoice(s: Session, cid: int, customer_id: int, net: str, issued: str) -> int:
    made = issue_invoice(s, cid, customer_id, [SaleLine("Arbeid", "1", net)], issue_date=day(issued))
    return made.number


def three_clients(books: sessionmaker[Session]) -> Clients:
    with clock.pinned(TODAY), books.begin() as s:
        fjord = create_company(s, "Fjord Bygg AS", owner_name="Kari", vat_registered=True, **_seller("912345602"))
        cid = fjord.company.id
        post(s, cid, "2026-01-05 1920 50000 / 2000 -50000")
        kunde = create_customer(s, cid, "Berg Elektro AS", **_where("912345610"))
        first = _invoice(s, cid, kunde.id, "10000", "2026-01-10")  # 12 500, due 24 January
        register_payment(s, cid, first, "2500", day("2026-02-01"))
        credited = _invoice(s, cid, kunde.id, "1000", "2026-02-10")
        credit_invoice(s, cid, credited, credit_date=day("2026-02-12"))
        _invoice(s, cid, kunde.id, "4000", "2026-03-01")  # 5 000, due 15 March
        _invoice(s, cid, kunde.id, "2000", "2026-04-15")  # 2 500, not yet due
        post(s, cid, "2026-02-03 7000 400 1 / 2710 100 1 / 1920 -500")
        project = create_project(s, cid, "Tilbygg", customer_id=kunde.id, hourly_rate="1000")
        log_time(s, cid, fjord.owner.user.id, project.id, day("2026-04-14"), "3.5")

        nordlys = create_company(s, "Nordlys Regnskap AS", owner_name="Nils", vat_registered=True)
        post(s, nordlys.company.id, "2026-01-15 6300 8000 1 / 2710 2000 1 / 1920 -10000")
        settle_vat_term(s, nordlys.company.id, VatTerm(2026, 1))

        hansen = create_company(
            s, "Hansen Rør", owner_name="Hans", form="ENK", vat_registered=False, **_seller("912345629")
        )
        hid = hansen.company.id
        kunde = create_customer(s, hid, "Vik Transport AS", **_where("912345637"))
        _invoice(s, hid, kunde.id, "1000", "2025-12-01")  # due 15 December: over 90 days
        internal = create_project(s, hid, "Intern")
        log_time(s, hid, hansen.owner.user.id, internal.id, day("2026-04-16"), "2")

        staffed = create_company(s, "Strand Frisør AS", owner_name="Siri", vat_registered=True)
        accountant = add_user(s, cid, "Randi Regnskap", "accountant")
        add_membership(s, accountant.user.id, nordlys.company.id, "accountant")
        add_membership(s, accountant.user.id, hid, "owner")
        add_membership(s, accountant.user.id, staffed.company.id, "staff")
        return Clients(accountant.user.id, accountant.token, cid, nordlys.company.id, hid, staffed.company.id)


def test_the_overview_covers_the_companies_an_owner_or_accountant_keeps_but_not_where_staff(
    books: sessionmaker[Session],
) -> None:
    clients = three_clients(books)
    with books.begin() as s:
        kept = kept_companies(s, clients.accountant_id)
    assert kept == {clients.fjord: "accountant", clients.nordlys: "accountant", clients.hansen: "owner"}


def test_each_figure_equals_the_companys_own_report(books: sessionmaker[Session]) -> None:
    clients = three_clients(books)
    with clock.pinned(TODAY), books.begin() as s:
        rows = {r.company_id: r for r in clients_overview(s, [clients.fjord, clients.nordlys, clients.hansen])}
        for cid, row in rows.items():
            assert row.bank_balance == bank_balance(s, cid)
            assert row.receivables == receivables_aging(s, cid, TODAY).totals
            assert row.result == profit_and_loss(s, cid, dt.date(2026, 1, 1), TODAY).result
            assert row.deadlines == tuple(upcoming_deadlines(s, cid, today=TODAY, days=400))
            unbilled = unbilled_hours(s, cid)
            assert row.unbilled_hours == sum((u.hours for u in unbilled), D(0))
            assert row.unbilled_amount == sum((u.amount or D(0) for u in unbilled), D("0.00"))
            if row.vat is not None:
                for term, to_pay in ((row.vat.term, row.vat.to_pay), (row.vat.running_term, row.vat.running_to_pay)):
                    report = vat_report(s, cid, term)
                    assert to_pay == report.to_pay
                assert row.vat.settled == vat_report(s, cid, row.vat.term).settled

    fjord, nordlys, hansen = rows[clients.fjord], rows[clients.nordlys], rows[clients.hansen]
    assert fjord.bank_balance == D("52000.00")  # 50 000 capital + 2 500 paid − 500 fuel
    assert fjord.receivables == AgingBuckets(
        not_due=D("2500.00"), days_31_60=D("5000.00"), days_61_90=D("10000.00")
    )
    assert fjord.overdue_beyond(30) == D("15000.00")
    assert fjord.overdue_beyond(60) == D("10000.00")
    assert fjord.overdue_beyond(90) == D("0.00")
    assert fjord.vat is not None
    assert (fjord.vat.term.key, fjord.vat.to_pay, fjord.vat.settled) == ("2026-1", D("2400.00"), False)
    assert fjord.vat.due_date == dt.date(2026, 4, 10)
    assert fjord.vat.running_to_pay == D("1500.00")
    assert [t.key for t in fjord.vat.late_terms] == ["2026-1"]
    assert fjord.result == D("15600.00")
    assert (fjord.unbilled_hours, fjord.unbilled_amount) == (D("3.5"), D("3500.00"))

    assert nordlys.bank_balance == D("-10000.00")
    assert nordlys.vat is not None
    assert (nordlys.vat.to_pay, nordlys.vat.settled, nordlys.vat.late_terms) == (D("-2000.00"), True, ())
    assert nordlys.result == D("-8000.00")

    assert hansen.vat is None
    assert hansen.receivables.days_over_90 == D("1000.00")
    assert (hansen.unbilled_hours, hansen.unbilled_amount) == (D("2"), D("0.00"))
    assert hansen.next_deadline is not None and hansen.next_deadline.kind == "skattemelding"


def test_what_needs_attention_comes_first(books: sessionmaker[Session]) -> None:
    clients = three_clients(books)
    with clock.pinned(TODAY), books.begin() as s:
        rows = clients_overview(s, [clients.hansen, clients.nordlys, clients.fjord])
    by_id = {r.company_id: r for r in rows}
    assert by_id[clients.fjord].concerns == (
        Concern.VAT_LATE, Concern.OVERDUE, Concern.UNBILLED,
    )
    assert by_id[clients.nordlys].concerns == (Concern.BANK_NEGATIVE, Concern.LOSS)
    assert by_id[clients.hansen].concerns == (Concern.OVERDUE_90, Concern.OVERDUE, Concern.UNBILLED)
    assert [r.name for r in rows] == ["Fjord Bygg AS", "Nordlys Regnskap AS", "Hansen Rør"]

    def names(figure: Figure, **options: int) -> list[str]:
        return [r.name for r in ordered(rows, figure, **options)]

    assert names(Figure.BALANCE) == ["Nordlys Regnskap AS", "Hansen Rør", "Fjord Bygg AS"]
    assert names(Figure.UNPAID) == ["Fjord Bygg AS", "Hansen Rør", "Nordlys Regnskap AS"]
    assert names(Figure.UNPAID, overdue_days=90) == ["Hansen Rør", "Fjord Bygg AS", "Nordlys Regnskap AS"]
    assert names(Figure.VAT) == ["Fjord Bygg AS", "Nordlys Regnskap AS", "Hansen Rør"]
    assert names(Figure.UNBILLED) == ["Fjord Bygg AS", "Hansen Rør", "Nordlys Regnskap AS"]
    assert names(Figure.RESULT) == ["Nordlys Regnskap AS", "Hansen Rør", "Fjord Bygg AS"]
    # The VAT return of term 1 is met where the term is settled; Fjord Bygg's is still open.
    assert by_id[clients.nordlys].next_deadline is not None
    assert by_id[clients.nordlys].next_deadline.period != "2026-1"
    assert names(Figure.DEADLINES)[0] == "Fjord Bygg AS"


def test_a_vat_term_settled_late_is_no_longer_late_and_the_next_is_not_yet_due(books: sessionmaker[Session]) -> None:
    clients = three_clients(books)
    with clock.pinned(TODAY), books.begin() as s:
        settle_vat_term(s, clients.fjord, VatTerm(2026, 1))
    with clock.pinned(TODAY), books.begin() as s:
        (row,) = clients_overview(s, [clients.fjord])
    assert row.vat is not None
    assert (row.vat.settled, row.vat.late_terms) == (True, ())
    assert Concern.VAT_LATE not in row.concerns


def test_an_annual_term_company_reports_last_year_and_unknown_ids_are_left_out(books: sessionmaker[Session]) -> None:
    with clock.pinned(TODAY), books.begin() as s:
        made = create_company(s, "Liten AS", owner_name="Lise", vat_registered=True, vat_term="annual")
        cid = made.company.id
        post(s, cid, "2025-06-01 1920 1250 / 3000 -1000 3 / 2700 -250 3")
        post(s, cid, "2026-02-01 1920 625 / 3000 -500 3 / 2700 -125 3")
    with clock.pinned(TODAY), books.begin() as s:
        rows = clients_overview(s, [cid, 999_999])
    assert [r.company_id for r in rows] == [cid]
    vat = rows[0].vat
    assert vat is not None
    assert (vat.term.key, vat.to_pay, vat.due_date) == ("2025-annual", D("250.00"), dt.date(2026, 3, 10))
    assert (vat.running_term.key, vat.running_to_pay) == ("2026-annual", D("125.00"))
    assert [t.key for t in vat.late_terms] == ["2025-annual"]
    assert rows[0].result == D("500.00")


def test_no_companies_no_rows(books: sessionmaker[Session]) -> None:
    with books.begin() as s:
        assert clients_overview(s, []) == []
