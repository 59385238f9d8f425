"""Companies: creating one with its chart and owner, changing its details, and the checks on
what identifies it.

The details are what its invoices must show (bokføringsforskriften § 5-1-1): address,
postcode and city, organisation number and the bank account to pay to; each is checked where
it can be (organisation numbers and bank accounts by their MOD11 check digit)."""

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
from ledger.text import without_controls

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


DETAIL_LENGTHS = {"name": 200, "address": 200, "postcode": 10, "city": 100, "email": 200}
"""The text details a company has, and how long each may be."""
DETAILS = (*DETAIL_LENGTHS, "orgnr", "bank_account")


def _detail(field: str, value: str) -> str:
    """A text detail as stored: no control characters, single spaces, not empty, not too long."""
    cleaned = " ".join(without_controls(value).split())
    if not cleaned:
        raise InvalidInput(f"the company's {field} cannot be empty", field=field)
    if len(cleaned) > DETAIL_LENGTHS[field]:
        raise InvalidInput(f"the company's {field} has at most {DETAIL_LENGTHS[field]} characters", field=field)
    if field == "email" and ("@" not in cleaned or " " in cleaned):
        raise InvalidInput(f"not an e-mail address: {cleaned!r}", field=field)
    return cleaned


def _refuse_taken_orgnr(session: Session, number: str, other_than: int | None = None) -> None:
    taken = session.scalar(select(Company.id).where(Company.orgnr == number))
    if taken is not None and taken != other_than:
        raise DuplicateName(f"a company with organisation number {number} exists", orgnr=number)


def update_company(session: Session, company_id: int, **changes: str) -> Company:
    """Change the company's `name`, `address`, `postcode`, `city`, `email`, `orgnr` or
    `bank_account` (the others stay as they are). Refused, changing nothing: an empty or
    over-long text, an organisation number or bank account that fails its check, an
    organisation number another company has."""
    unknown = sorted(set(changes) - set(DETAILS))
    if unknown:
        raise InvalidInput(f"a company has no {unknown[0]} to change", field=unknown[0])
    company = company_by_id(session, company_id)
    values: dict[str, str] = {}
    for field, value in changes.items():
        if not isinstance(value, str):
            raise InvalidInput(f"the company's {field} is text", field=field)
        if field == "orgnr":
            values[field] = valid_orgnr(value)
            _refuse_taken_orgnr(session, values[field], other_than=company.id)
        elif field == "bank_account":
            values[field] = valid_bank_account(value)
        else:
            values[field] = _detail(field, value)
    for field, value in values.items():
        setattr(company, field, value)
    session.flush()
    return company


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
    if number:
        _refuse_taken_orgnr(session, number)
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
