"""Customers and projects: numbers, unique names, checked organisation numbers, and names as
people say them resolved to one, several or none."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ledger.customers import (
    Choice,
    create_customer,
    customer_by_number,
    find_customer,
    fold_name,
    get_customer,
    list_customers,
    match_names,
    resolve_customer,
)
from ledger.errors import DuplicateName, InvalidAmount, InvalidInput, InvalidOrgnr, UnknownCustomer, UnknownProject
from ledger.projects import billing_rate, close_project, create_project, get_project, list_projects, resolve_project
from tests.ledger.builders import sales_books

CUSTOMERS = [
    Choice(1, "Fjord Bygg AS", 10000),
    Choice(2, "Nordlys Regnskap AS", 10001),
    Choice(3, "Hansen Rør AS", 10002),
    Choice(4, "Bergen Bakeri AS", 10003),
    Choice(5, "Hansen & Dahl Elektro AS", 10004),
]


def resolved(said: str) -> tuple[str, list[str]]:
    result = match_names(said, CUSTOMERS)
    return result.outcome, [c.name for c in result.candidates]


def test_folding_drops_case_company_form_and_norwegian_letters() -> None:
    assert fold_name("Hansen Rør AS") == "hansen ror"
    assert fold_name("  BERGEN   bakeri a.s ") == "bergen bakeri"
    assert fold_name("Hansen Roer") == "hansen ror"
    assert fold_name("AS") == "as"


@pytest.mark.parametrize(
    ("said", "outcome", "names"),
    [
        ("Fjord Bygg AS", "exact", ["Fjord Bygg AS"]),
        ("fjord bygg", "exact", ["Fjord Bygg AS"]),
        ("FJORD BYGG A/S", "exact", ["Fjord Bygg AS"]),
        ("fjord", "one", ["Fjord Bygg AS"]),
        ("nordlys", "one", ["Nordlys Regnskap AS"]),
        ("hansen ror", "exact", ["Hansen Rør AS"]),
        ("hansen rør", "exact", ["Hansen Rør AS"]),
        ("hansen", "several", ["Hansen & Dahl Elektro AS", "Hansen Rør AS"]),
        ("fjor bygg", "one", ["Fjord Bygg AS"]),
        ("bergn bakri", "one", ["Bergen Bakeri AS"]),
        ("10003", "exact", ["Bergen Bakeri AS"]),
        ("Telenor", "none", []),
        ("", "none", []),
    ],
)
def test_names_as_said_resolve(said: str, outcome: str, names: list[str]) -> None:
    assert resolved(said) == (outcome, names)


def test_resolution_gives_the_chosen_one_only_without_doubt() -> None:
    chosen = match_names("fjord", CUSTOMERS).chosen
    assert chosen is not None and (chosen.id, chosen.number) == (1, 10000)
    assert match_names("hansen", CUSTOMERS).chosen is None


def test_customers_are_numbered_from_10000_and_found_again(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    with sqlite_books.begin() as s:
        third = create_customer(s, sb.company_id, "  Hansen   Rør AS ", email="post@hansenror.no", hourly_rate="850")
        assert (third.number, third.name, third.hourly_rate) == (10002, "Hansen Rør AS", Decimal("850.00"))
        assert [c.number for c in list_customers(s, sb.company_id)] == [10000, 10002, 10001]
        assert customer_by_number(s, sb.company_id, 10002).id == third.id
        assert find_customer(s, sb.company_id, "hansen ror") is not None
        assert (
            resolve_customer(s, sb.company_id, "hansen").chosen
            == resolve_customer(s, sb.company_id, "hansen").candidates[0]
        )


def test_customer_names_and_orgnr_are_unique_per_company(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    other = sales_books(sqlite_books, name="Annet AS")
    for name, orgnr in (("fjord bygg as", None), ("FJORD BYGG", None), ("Ny Kunde AS", "934567897")):
        with pytest.raises(DuplicateName), sqlite_books.begin() as s:
            create_customer(s, sb.company_id, name, orgnr=orgnr)
    with sqlite_books.begin() as s:
        # The same name in another company is a different customer; numbers run per company.
        assert get_customer(s, other.company_id, other.fjord_id).number == 10000
        assert create_customer(s, sb.company_id, "Ny Kunde AS").number == 10002


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"name": "  "}, InvalidInput),
        ({"name": "X" * 201}, InvalidInput),
        ({"name": "Ok AS", "orgnr": "123456789"}, InvalidOrgnr),
        ({"name": "Ok AS", "email": "ikke en adresse"}, InvalidInput),
        ({"name": "Ok AS", "hourly_rate": "-100"}, InvalidAmount),
        ({"name": "Ok AS", "hourly_rate": "100.555"}, InvalidAmount),
        ({"name": "Ok AS", "hourly_rate": "mye"}, InvalidAmount),
    ],
)
def test_bad_customer_details_are_refused(
    sqlite_books: sessionmaker[Session], kwargs: dict[str, str], error: type
) -> None:
    sb = sales_books(sqlite_books)
    with pytest.raises(error), sqlite_books.begin() as s:
        create_customer(s, sb.company_id, **kwargs)
    with sqlite_books.begin() as s:
        assert len(list_customers(s, sb.company_id)) == 2


def test_unknown_names_and_foreign_ids_are_unknown_customers(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    other = sales_books(sqlite_books, name="Annet AS")
    with sqlite_books.begin() as s:
        with pytest.raises(UnknownCustomer):
            resolve_customer(s, sb.company_id, "Telenor")
        with pytest.raises(UnknownCustomer):
            get_customer(s, sb.company_id, other.fjord_id)


def test_projects_have_a_customer_a_rate_and_resolve_by_name(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    with sqlite_books.begin() as s:
        support = create_project(s, sb.company_id, "Support", customer_id=sb.nordlys_id)
        assert billing_rate(support) is None
        s.get(type(support.customer), sb.nordlys_id).hourly_rate = Decimal("850.00")  # type: ignore[union-attr]
        assert billing_rate(support) == Decimal("850.00")
        assert billing_rate(get_project(s, sb.company_id, sb.hytte_id)) == Decimal("1100.00")
        assert resolve_project(s, sb.company_id, "hemsedal").chosen is not None
        assert resolve_project(s, sb.company_id, "nettsiden").outcome == "one"
        assert resolve_project(s, sb.company_id, "Support").outcome == "exact"
        assert [p.name for p in list_projects(s, sb.company_id, customer_id=sb.nordlys_id)] == ["Nettside", "Support"]
        with pytest.raises(UnknownProject):
            resolve_project(s, sb.company_id, "Kontorflytting")
        close_project(s, sb.company_id, support.id)
        with pytest.raises(UnknownProject):
            resolve_project(s, sb.company_id, "Support")


def test_project_names_are_unique_and_customers_must_be_the_companys(sqlite_books: sessionmaker[Session]) -> None:
    sb = sales_books(sqlite_books)
    other = sales_books(sqlite_books, name="Annet AS")
    with pytest.raises(DuplicateName), sqlite_books.begin() as s:
        create_project(s, sb.company_id, "nettside")
    with pytest.raises(UnknownCustomer), sqlite_books.begin() as s:
        create_project(s, sb.company_id, "Lånt kunde", customer_id=other.fjord_id)
    with pytest.raises(UnknownProject), sqlite_books.begin() as s:
        get_project(s, sb.company_id, other.hytte_id)
