"""Reports in the chat: the key figure first, the same figures as the ledger's reports, a chart
of the result, and staff told politely."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from actions.reports import ActionShowDeadlines, ActionShowProfit, ActionShowVat
from ledger import clock
from ledger.expenses import register_expense
from ledger.identity import add_user
from ledger.journal import Posting, post_entry
from ledger.models import Company
from ledger.settings import get_settings
from tests.actions.chat_builders import Person, action_books, new_company, painted, run, said

__all__ = ["action_books"]

TODAY = clock.today()


def sale(books: sessionmaker[Session], company_id: int, day: dt.date, net: str) -> None:
    """A sale of `net` plus 25 % VAT, paid straight to the bank."""
    vat = Decimal(net) / 4
    with books.begin() as session:
        post_entry(session, company_id, day, "Salg", [
            Posting("1920", Decimal(net) + vat),
            Posting("3000", -Decimal(net), vat_code="3"),
            Posting("2700", -vat, vat_code="3", vat_base=Decimal(net)),
        ], channel="api")


def test_profit_is_the_result_against_last_year_with_a_chart(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books, vat_registered=True)
    sale(action_books, owner.company_id, dt.date(TODAY.year, 1, 15), "10000")
    sale(action_books, owner.company_id, dt.date(TODAY.year - 1, 1, 15), "4000")
    with action_books.begin() as session:
        company = session.get(Company, owner.company_id)
        assert company is not None
        company.vehicle = "van"
        register_expense(session, owner.company_id, "500", "drivstoff", dt.date(TODAY.year, 1, 20), None,
                         owner.user_id, "api")
    shown = run(ActionShowProfit(), said("vis resultatet", intent="show_profit", asker=owner,
                                         entities={"period": f"{TODAY.year}-01-01/{TODAY.year}-01-31"}))
    text = shown.texts[0]
    assert text.startswith(f"Overskudd 9 600,00 kr (januar {TODAY.year}), mot 4 000,00 kr samme periode i fjor "
                           "(+5 600,00 kr).")
    assert "Inntekter 10 000,00 kr, kostnader 400,00 kr" in text
    [image] = shown.images
    assert image.startswith("/charts/") and image.endswith(".png")
    png = get_settings().var_dir / "charts" / Path(image).name
    assert painted(png)[:8] == b"\x89PNG\r\n\x1a\n"


def test_profit_in_english_without_a_period_is_this_year_so_far(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books)
    shown = run(ActionShowProfit(), said("show the profit", intent="show_profit", asker=owner, language="en"))
    assert shown.texts[0].startswith("Profit NOK 0.00 (")
    assert shown.images == []


def test_vat_per_term_to_pay_with_the_due_date_and_per_code(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books, vat_registered=True)
    sale(action_books, owner.company_id, dt.date(2026, 9, 15), "10000")
    with action_books.begin() as session:
        company = session.get(Company, owner.company_id)
        assert company is not None
        company.vehicle = "van"
        register_expense(session, owner.company_id, "500", "drivstoff", dt.date(2026, 10, 2), None,
                         owner.user_id, "api")
    shown = run(ActionShowVat(), said("mva for september og oktober", intent="show_vat", asker=owner,
                                      entities={"period": "2026-09-01/2026-10-31"}))
    assert shown.texts == [
        "Mva 5. termin (september–oktober 2026): å betale 2 400,00 kr, frist 10. desember 2026.\n"
        "• Kode 3 (25 %): grunnlag 10 000,00 kr, mva 2 500,00 kr\n"
        "• Kode 1 (25 %): grunnlag 400,00 kr, mva 100,00 kr"
    ]
    english = run(ActionShowVat(), said("vat for september and october", intent="show_vat", asker=owner,
                                        language="en", entities={"period": "2026-09-01/2026-10-31"}))
    assert english.texts[0].startswith(
        "VAT term 5 (September – October 2026): NOK 2,400.00 to pay, due 10 December 2026."
    )


def test_a_company_outside_the_vat_register_is_told_so(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books, vat_registered=False)
    shown = run(ActionShowVat(), said("hvor mye mva skal vi betale?", intent="show_vat", asker=owner))
    assert shown.texts == ["Selskapet er ikke mva-registrert, så det er ingen mva å betale eller få tilbake."]


def test_deadlines_have_dates_and_the_late_fee_rule(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books, vat_registered=True)
    shown = run(ActionShowDeadlines(), said("hvilke frister har vi?", intent="show_deadlines", asker=owner))
    lines = shown.texts[0].splitlines()
    assert lines[0] == "Neste frister:"
    assert 1 <= len([line for line in lines if line.startswith("• ")]) <= 5
    assert any("mva-melding og betaling for" in line for line in lines)
    assert lines[-1].startswith("For sent årsregnskap koster ett rettsgebyr (")
    assert "høyst 52 rettsgebyr" in lines[-1]


def test_staff_are_refused_every_report(action_books: sessionmaker[Session]) -> None:
    owner = new_company(action_books, vat_registered=True)
    with action_books.begin() as session:
        staff = Person(add_user(session, owner.company_id, "Ola", "staff").user.id, owner.company_id, "staff")
    for action, intent in ((ActionShowProfit(), "show_profit"), (ActionShowVat(), "show_vat"),
                           (ActionShowDeadlines(), "show_deadlines")):
        shown = run(action, said("vis", intent=intent, asker=staff))
        assert len(shown.texts) == 1 and "egne timer" in shown.texts[0]
        assert "kr" not in shown.texts[0]
