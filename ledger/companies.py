"""Companies: creating one with its chart and owner, and the checks on what identifies it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.exceptions import ValidationError
from stdnum.no import kontonr
from stdnum.no import orgnr as orgnr_check

from ledger.chart import install_chart, install_reference_data
from ledger.errors import DuplicateName, InvalidInput, InvalidOrgnr, UnknownCompany
from ledger.identity import NewUser, add_user
from ledger.models import Company

FORMS = ("AS", "ENK")
VAT_TERMS = ("bimonthly", "annual")


def valid_orgnr(value: str) -> str:
    """The 9 digits of a Norwegian organisation number, MOD11-checked."""
    try:
        return str(orgnr_check.validate(value))
    except ValidationError as exc:
        raise InvalidOrgnr(f"not a valid organisation number: {value!r}", orgnr=value) from exc


def valid_bank_account(value: str) -> str:
    """The 11 digits of a Norwegian bank account number, MOD11-checked."""
    try:
        return str(kontonr.validate(value))
    except ValidationError as exc:
        raise InvalidInput(f"not a valid bank account number: {value!r}", bank_account=value) from exc


def company_by_id(session: Session, company_id: int) -> Company:
    """The company, or `UnknownCompany`."""
    company = session.get(Company, company_id)
    if company is None:
        raise UnknownCompany(f"no company {company_id}", company_id=company_id)
    return company


@dataclass(frozen=True)
class NewCompany:
    company: Company
    owner: NewUser


def create_company(
    session: Session,
    name: str,
    *,
    owner_name: str,
    orgnr: str | None = None,
    form: str = "AS",
    vat_registered: bool = False,
    vat_term: str = "bimonthly",
    address: str = "",
    postcode: str = "",
    city: str = "",
    email: str = "",
    bank_account: str = "",
    has_employees: bool = False,
) -> NewCompany:
    """A company with the standard chart and its owner (whose token is returned once)."""
    if not name.strip():
        raise InvalidInput("a company needs a name")
    if form not in FORMS:
        raise InvalidInput(f"form must be AS or ENK, not {form!r}", form=form)
    if vat_term not in VAT_TERMS:
        raise InvalidInput(f"unknown VAT term {vat_term!r}", vat_term=vat_term)
    number = valid_orgnr(orgnr) if orgnr else None
    if number and session.scalar(select(Company.id).where(Company.orgnr == number)) is not None:
        raise DuplicateName(f"a company with organisation number {number} exists", orgnr=number)
    install_reference_data(session)
    company = Company(
        name=name.strip(),
        orgnr=number,
        form=form,
        vat_registered=vat_registered,
        vat_term=vat_term,
        address=address,
        postcode=postcode,
        city=city,
        email=email,
        bank_account=valid_bank_account(bank_account) if bank_account else "",
        has_employees=has_employees,
    )
    session.add(company)
    session.flush()
    install_chart(session, company.id, form)
    owner = add_user(session, company.id, owner_name, "owner")
    return NewCompany(company=company, owner=owner)
