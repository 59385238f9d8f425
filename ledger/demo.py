"""The demo company: a small, VAT-registered Norwegian AS with a few weeks of real-looking books,
so that the web chat and `bokbot demo` have something to show without any setup.

Fjelltopp Digital AS (a made-up company; its organisation number and bank account merely pass
the MOD11 checks) has an owner and one employee, five customers, four projects with hourly
rates, hours logged on the working days of the last five weeks, four invoices (two paid, one
sent and not yet due, one overdue), a few expenses, and an opening balance posted against
equity (2000 share capital, 2050 other equity) chosen so that the bank balance after
everything is exactly 12 500,00 kr.

Everything is deterministic: dates are counted back from the clock's today and nothing is
random. The expenses outweigh what customers can have paid in any five weeks of the year, so
the opening bank balance is always above the share capital and other equity is a credit on
every day of the year (the tests build the demo on each of them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import TypedDict

from sqlalchemy.orm import Session

from ledger import clock
from ledger.companies import create_company
from ledger.customers import create_customer
from ledger.expenses import register_expense
from ledger.identity import add_user
from ledger.invoicing import invoice_amount, invoice_unbilled_hours, mark_sent, register_payment
from ledger.journal import Posting, post_entry
from ledger.models import Company, Customer, Project, User
from ledger.money import ZERO, Money, round_money
from ledger.projects import create_project
from ledger.timesheet import log_time, unbilled_hours
from ledger.vat import rate_on
from ledger.workdays import is_working_day

DEMO_NAME = "Fjelltopp Digital AS"
DEMO_ORGNR = "998877660"
DEMO_BANK_ACCOUNT = "15031234562"
SHARE_CAPITAL = Decimal("30000.00")
BANK_TARGET = Decimal("12500.00")
CHANNEL = "system"
SOURCE = "demo"


@dataclass(frozen=True)
class DemoCompany:
    """The demo company and the secrets of its people (shown once).

    Attributes:
      company: the company.
      owner, staff: its owner (Kari Nordmann) and employee (Ola Hansen).
      owner_token, staff_token: their API tokens (the web chat signs in with them).
      owner_link_code: the owner's Telegram link code.
    """

    company: Company
    owner: User
    staff: User
    owner_token: str
    staff_token: str
    owner_link_code: str


class _Who(TypedDict):
    """Who posts the demo's vouchers, and how."""

    created_by_id: int
    channel: str
    source: str


@dataclass(frozen=True)
class _Customer:
    """A customer of the demo company: `create_customer`'s arguments by name."""

    name: str
    orgnr: str
    email: str
    address: str
    postcode: str
    city: str
    hourly_rate: str | None = None


CUSTOMERS = (
    _Customer("Fjord Bygg AS", "923456783", "post@fjordbygg.example", "Sjøgata 4", "5003", "Bergen", "1100"),
    _Customer("Nordlys Regnskap AS", "934567897", "faktura@nordlys.example", "Storgata 20", "9008", "Tromsø"),
    _Customer("Hansen Rør AS", "987654325", "ola@hansenror.example", "Industriveien 7", "3036", "Drammen", "850"),
    _Customer("Bergen Bakeri AS", "812345672", "hei@bergenbakeri.example", "Bryggen 12", "5003", "Bergen"),
    _Customer("Lofoten Sjømat AS", "888777660", "post@lofotensjomat.example", "Havna 1", "8373", "Ballstad"),
)

PROJECTS = (
    # name, customer, hourly rate
    ("Nettside", "Nordlys Regnskap AS", "950"),
    ("Support", "Hansen Rør AS", "850"),
    ("Hyttebygg Hemsedal", "Fjord Bygg AS", "1100"),
    ("Kassesystem", "Bergen Bakeri AS", "900"),
)


EXPENSES = (
    # days ago, amount including VAT, category, vendor
    (40, "25000", "husleie", "Oslo Næringseiendom AS"),
    (31, "18750", "laptop", "Elkjøp"),
    (24, "1249", "kontorrekvisita", "Clas Ohlson"),
    (12, "599", "telefon", "Telenor"),
    (10, "25000", "husleie", "Oslo Næringseiendom AS"),
)


def _working_days(first: dt.date, last: dt.date) -> list[dt.date]:
    days = []
    day = first
    while day <= last:
        if is_working_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _log_hours(
    session: Session, company_id: int, owner: User, staff: User, projects: dict[str, Project], today: dt.date
) -> None:
    """Five weeks of hours: the owner alternates Nettside and Hyttebygg and answers Support,
    the employee draws the cabin and sets up the bakery's cash register system."""
    for i, day in enumerate(_working_days(today - dt.timedelta(days=35), today - dt.timedelta(days=1))):
        if i % 2 == 0:
            log_time(session, company_id, owner.id, projects["Nettside"].id, day, "3.5", description="Utvikling")
        else:
            log_time(
                session, company_id, owner.id, projects["Hyttebygg Hemsedal"].id, day, "4", description="Prosjektering"
            )
        log_time(session, company_id, owner.id, projects["Support"].id, day, "0.5", description="Brukerstøtte")
        log_time(session, company_id, owner.id, projects["Support"].id, day, "1", description="Internt", billable=False)
        if i % 3 == 0:
            log_time(session, company_id, staff.id, projects["Kassesystem"].id, day, "4", description="Oppsett")
            log_time(session, company_id, staff.id, projects["Support"].id, day, "3.5", description="Brukerstøtte")
        else:
            log_time(
                session, company_id, staff.id, projects["Hyttebygg Hemsedal"].id, day, "6", description="Tegninger"
            )
            log_time(session, company_id, staff.id, projects["Support"].id, day, "1.5", description="Brukerstøtte")


def create_demo_company(session: Session, *, today: dt.date | None = None) -> DemoCompany:
    """Create the demo company with its people, customers, projects, hours, invoices, expenses
    and opening balance (see the module docstring) as of `today` (the clock's by default);
    returns it with the owner's token."""
    with clock.pinned(today or clock.today()):
        return _create_demo_company(session)


def _create_demo_company(session: Session) -> DemoCompany:
    now = clock.today()

    def ago(days: int) -> dt.date:
        return now - dt.timedelta(days=days)

    made = create_company(
        session,
        DEMO_NAME,
        owner_name="Kari Nordmann",
        orgnr=DEMO_ORGNR,
        form="AS",
        vat_registered=True,
        address="Storgata 12",
        postcode="0155",
        city="Oslo",
        email="post@fjelltopp.example",
        bank_account=DEMO_BANK_ACCOUNT,
    )
    company, owner = made.company, made.owner.user
    cid = company.id
    staff = add_user(session, cid, "Ola Hansen", "staff", email="ola@fjelltopp.example")
    customers: dict[str, Customer] = {c.name: create_customer(session, cid, **asdict(c)) for c in CUSTOMERS}
    projects = {
        name: create_project(session, cid, name, customer_id=customers[customer].id, hourly_rate=rate)
        for name, customer, rate in PROJECTS
    }
    _log_hours(session, cid, owner, staff.user, projects, now)

    # Posted in date order, so that voucher numbers follow the calendar. The opening balance
    # is what the bank must have held for it to end at BANK_TARGET: the target, less what
    # customers will have paid, plus what the expenses will have cost.
    website_hours = unbilled_hours(session, cid, project_id=projects["Nettside"].id, through=ago(21))
    website_total = sum((_vat_included(session, row.amount or ZERO, ago(21)) for row in website_hours), ZERO)
    cabin_net = Decimal("8000.00")
    paid_in = _vat_included(session, cabin_net, ago(30)) + website_total
    spent = sum((Decimal(amount) for _, amount, _, _ in EXPENSES), ZERO)
    _opening_balance(session, cid, owner.id, ago(42), BANK_TARGET - paid_in + spent)

    def expense(days: int) -> None:
        for when, amount, category, vendor in EXPENSES:
            if when == days:
                register_expense(session, cid, amount, category, ago(days), vendor, owner.id, CHANNEL, SOURCE)

    who = _Who(created_by_id=owner.id, channel=CHANNEL, source=SOURCE)
    expense(40)
    invoice_amount(
        session, cid, customers["Lofoten Sjømat AS"].id, "4500", "Rådgivning, nettbutikk", issue_date=ago(33), **who
    )
    expense(31)
    cabin = invoice_amount(
        session, cid, customers["Fjord Bygg AS"].id, cabin_net, "Forprosjekt hytte", issue_date=ago(30), **who
    )
    mark_sent(session, cid, cabin.number)
    expense(24)
    website = invoice_unbilled_hours(session, cid, project_id=projects["Nettside"].id, issue_date=ago(21), **who)
    mark_sent(session, cid, website.number)
    register_payment(session, cid, cabin.number, cabin.total, ago(16), **who)
    expense(12)
    expense(10)
    bakery = invoice_unbilled_hours(session, cid, project_id=projects["Kassesystem"].id, issue_date=ago(7), **who)
    mark_sent(session, cid, bakery.number)
    register_payment(session, cid, website.number, website.total, ago(7), **who)
    return DemoCompany(
        company=company,
        owner=owner,
        staff=staff.user,
        owner_token=made.owner.token,
        staff_token=staff.token,
        owner_link_code=made.owner.link_code,
    )


def _vat_included(session: Session, net: Money, day: dt.date) -> Money:
    """`net` with 25 % VAT (code 3 on `day`) added, as an invoice rounds it."""
    return net + round_money(net * rate_on(session, "3", day) / 100)


def _opening_balance(session: Session, company_id: int, owner_id: int, day: dt.date, bank: Money) -> None:
    """The bank at the start of the demo, against share capital (2000) and other equity (2050)."""
    postings = [Posting("1920", bank), Posting("2000", -SHARE_CAPITAL)]
    if bank != SHARE_CAPITAL:
        postings.append(Posting("2050", SHARE_CAPITAL - bank))
    post_entry(
        session,
        company_id,
        day,
        "Inngående balanse",
        postings,
        channel=CHANNEL,
        created_by_id=owner_id,
        source=SOURCE,
    )
