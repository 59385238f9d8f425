"""Questions across an accountant's clients, as the action server answers them: which figure
a question is about, one list with the client needing attention first, a button into each
client, a chart where it helps, and nothing for staff."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session, sessionmaker

from actions.clients import ActionClientsOverview, about_vat_only, figure_asked, overdue_days_asked
from actions.company import ActionSwitchCompany
from ledger import clock
from ledger.identity import add_user
from ledger.overview import Figure
from ledger.settings import get_settings
from tests.actions.chat_builders import Person, action_books, painted, run, said
from tests.ledger.test_overview import TODAY, Clients, three_clients

__all__ = ["action_books"]


@pytest.mark.parametrize(
    ("text", "figure"),
    [
        ("vis saldo for alle klientene mine", Figure.BALANCE),
        ("hvilke klienter har mva-frist denne uka?", Figure.DEADLINES),
        ("hvem har ubetalte fakturaer over 30 dager?", Figure.UNPAID),
        ("which clients haven't settled VAT for the last term?", Figure.VAT),
        ("hvilke klienter har ikke gjort opp mva for forrige termin", Figure.VAT),
        ("which clients owe vat", Figure.VAT),
        ("hvilke klienter har ufakturerte timer", Figure.UNBILLED),
        ("which clients have unbilled hours", Figure.UNBILLED),
        ("resultat hittil i år for alle klientene", Figure.RESULT),
        ("which clients are making a loss", Figure.RESULT),
        ("which clients are low on cash", Figure.BALANCE),
        ("upcoming deadlines for all my clients", Figure.DEADLINES),
        ("who has unpaid invoices older than 60 days?", Figure.UNPAID),
        ("oversikt over klientene mine", Figure.ALL),
        ("/clients_overview", Figure.ALL),
    ],
)
def test_the_figure_asked_for_is_read_from_the_words(text: str, figure: Figure) -> None:
    assert figure_asked(text) == figure


def test_how_far_past_due_and_whether_only_vat_deadlines_are_asked_for() -> None:
    assert overdue_days_asked("hvem har ubetalte fakturaer over 30 dager?") == 30
    assert overdue_days_asked("who has unpaid invoices older than 60 days?") == 60
    assert overdue_days_asked("fakturaer forfalt for mer enn 45 dager siden") == 45
    assert overdue_days_asked("hvilke klienter har forfalte fakturaer") == 0
    assert about_vat_only("hvilke klienter har mva-frist denne uka?")
    assert not about_vat_only("frister for alle klientene mine")


def _accountant(clients: Clients) -> Person:
    return Person(clients.accountant_id, clients.fjord, "accountant")


def _ask(asker: Person, text: str, language: str = "nb", **entities: str) -> tuple[str, list[str], list[str]]:
    tracker = said(text, intent="clients_overview", asker=asker, entities=entities, language=language)
    result = run(ActionClientsOverview(), tracker)
    return result.text, [b["payload"] for b in result.buttons], result.images


def test_balances_of_every_client_lowest_first_with_a_button_into_each_other_client(
    action_books: sessionmaker[Session],
) -> None:
    clients = three_clients(action_books)
    with clock.pinned(TODAY):
        text, payloads, images = _ask(_accountant(clients), "vis saldo for alle klientene mine")
    assert text.splitlines() == [
        "Saldo på driftskontoen hos 3 klienter, lavest først:",
        "• Nordlys Regnskap AS: -10 000,00 kr (overtrukket)",
        "• Hansen Rør: 0,00 kr",
        "• Fjord Bygg AS: 52 000,00 kr",
        "Trykk på en klient (eller skriv «bytt til» og navnet) for å jobbe i den; nå jobber du med Fjord Bygg AS.",
    ]
    assert payloads == ['/switch_company{"company": "Nordlys Regnskap AS"}', '/switch_company{"company": "Hansen Rør"}']
    [image] = images
    png = get_settings().var_dir / "charts" / image.rsplit("/", 1)[1]
    assert painted(png)[:8] == b"\x89PNG\r\n\x1a\n"


def test_unpaid_invoices_over_30_days_name_only_the_clients_that_have_them(
    action_books: sessionmaker[Session],
) -> None:
    clients = three_clients(action_books)
    with clock.pinned(TODAY):
        text, payloads, _ = _ask(_accountant(clients), "hvem har ubetalte fakturaer over 30 dager?")
    assert text.splitlines()[:3] == [
        "2 av 3 klienter har ubetalte fakturaer forfalt for mer enn 30 dager siden, mest først:",
        "• Fjord Bygg AS: 15 000,00 kr over 30 dager (utestående i alt 17 500,00 kr)",
        "• Hansen Rør: 1 000,00 kr over 30 dager (utestående i alt 1 000,00 kr, av dette 1 000,00 kr over 90 dager)",
    ]
    assert payloads == ['/switch_company{"company": "Hansen Rør"}']


def test_vat_not_settled_for_the_last_term_comes_first_in_english(action_books: sessionmaker[Session]) -> None:
    clients = three_clients(action_books)
    with clock.pinned(TODAY):
        text, _, images = _ask(_accountant(clients), "which clients haven't settled VAT for the last term?", "en")
    assert text.splitlines()[:3] == [
        "1 of 2 VAT-registered clients have not settled the last term:",
        "• Fjord Bygg AS, term 1 2026: to pay NOK 2,400.00, due 10 April 2026, not settled. "
        "Overdue and not settled: term 1 2026 (due 10 April 2026)",
        "• Nordlys Regnskap AS, term 1 2026: to get back NOK 2,000.00, due 10 April 2026, settled",
    ]
    assert images == []


def test_vat_deadlines_this_week_with_late_terms_said(action_books: sessionmaker[Session]) -> None:
    clients = three_clients(action_books)
    monday = dt.date(2026, 6, 8)  # term 2 (March–April) is due on Wednesday 10 June
    week = f"{monday}/{monday + dt.timedelta(days=6)}"
    with clock.pinned(monday):
        text, payloads, _ = _ask(_accountant(clients), "hvilke klienter har mva-frist denne uka?", period=week)
    lines = text.splitlines()
    assert lines[0].startswith("2 av 3 klienter har mva-frist i perioden ")
    assert lines[1:3] == [
        "• Fjord Bygg AS: 10. juni 2026, mva-melding for 2. termin 2026. "
        "Forfalt og ikke oppgjort: 1. termin 2026 (frist 10. april 2026)",
        "• Nordlys Regnskap AS: 10. juni 2026, mva-melding for 2. termin 2026",
    ]
    assert payloads == ['/switch_company{"company": "Nordlys Regnskap AS"}']


def test_unbilled_hours_and_the_result_so_far(action_books: sessionmaker[Session]) -> None:
    clients = three_clients(action_books)
    with clock.pinned(TODAY):
        unbilled, _, _ = _ask(_accountant(clients), "hvilke klienter har ufakturerte timer")
        result, _, _ = _ask(_accountant(clients), "which clients are making a loss", "en")
    assert unbilled.splitlines()[:3] == [
        "2 av 3 klienter har timer som ikke er fakturert, mest først:",
        "• Fjord Bygg AS: 3,5 timer, 3 500,00 kr eks. mva",
        "• Hansen Rør: 2 timer",
    ]
    assert result.splitlines()[:4] == [
        "Result so far in 2026 for 3 clients, the weakest first:",
        "• Nordlys Regnskap AS: loss NOK 8,000.00",
        "• Hansen Rør: profit NOK 0.00",
        "• Fjord Bygg AS: profit NOK 15,600.00",
    ]


def test_the_whole_picture_puts_the_most_urgent_client_first(action_books: sessionmaker[Session]) -> None:
    clients = three_clients(action_books)
    with clock.pinned(TODAY):
        text, _, _ = _ask(_accountant(clients), "oversikt over klientene mine")
    lines = text.splitlines()
    assert lines[0] == "Oversikt over 3 klienter, det som haster mest først:"
    assert [line.split(":")[0] for line in lines[1:4]] == ["• Fjord Bygg AS", "• Nordlys Regnskap AS", "• Hansen Rør"]
    assert "1. termin 2026 å betale 2 400,00 kr, ikke oppgjort (forfalt)" in lines[1]


def test_someone_who_keeps_no_books_is_told_politely(action_books: sessionmaker[Session]) -> None:
    clients = three_clients(action_books)
    with action_books.begin() as session:
        staff = add_user(session, clients.fjord, "Ola Ansatt", "staff").user.id
    with clock.pinned(TODAY):
        text, payloads, _ = _ask(Person(staff, clients.fjord, "staff"), "vis saldo for alle klientene mine")
    assert text.startswith("Beklager, med en ansatt-tilgang")
    assert payloads == []


def test_switching_into_a_client_offers_the_way_back_and_the_overview(action_books: sessionmaker[Session]) -> None:
    clients = three_clients(action_books)
    with clock.pinned(TODAY):
        _, payloads, _ = _ask(_accountant(clients), "vis saldo for alle klientene mine")
        pressed = run(ActionSwitchCompany(), said(
            payloads[0], intent="switch_company", entities={"company": "Nordlys Regnskap AS"},
            asker=_accountant(clients),
        ))
    assert pressed.texts == ["Nå jobber du med Nordlys Regnskap AS (som regnskapsfører)."]
    assert pressed.buttons == [
        {"title": "← Tilbake til Fjord Bygg AS", "payload": '/switch_company{"company": "Fjord Bygg AS"}'},
        {"title": "Alle klientene", "payload": "/clients_overview"},
    ]
    with clock.pinned(TODAY):
        text, _, _ = _ask(Person(clients.accountant_id, clients.nordlys, "accountant"), "/clients_overview")
    assert text.splitlines()[0] == "Oversikt over 3 klienter, det som haster mest først:"
