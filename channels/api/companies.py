"""`PATCH /api/v1/companies/{cid}`: the company's details, which its invoices must show
(bokføringsforskriften § 5-1-1): `address`, `postcode`, `city`, `bank_account`, `orgnr`,
`email`, `name` (owner and accountant). Fields left out stay as they are; a company without
them answers 422 `invoice_details_missing` when it invoices, naming what to set here."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.orm import Session

from channels.api.body import required_str
from channels.api.common import ApiError, authorise, in_db, json_response, read_json
from ledger.companies import DETAILS, update_company
from ledger.models import Company
from ledger.permissions import Capability

routes = web.RouteTableDef()


def company_json(company: Company) -> dict[str, Any]:
    """The company's details as the API shows them."""
    return {
        "id": company.id,
        "name": company.name,
        "form": company.form,
        "orgnr": company.orgnr,
        "vat_registered": company.vat_registered,
        "address": company.address,
        "postcode": company.postcode,
        "city": company.city,
        "email": company.email,
        "bank_account": company.bank_account or None,
    }


@routes.patch(r"/api/v1/companies/{cid:\d+}")
async def change_company(request: web.Request) -> web.Response:
    """Changes the company's details; 400 for a field it does not have or one that is not
    text, 422 for a value the books refuse (an organisation number or bank account that fails
    its check digit, an empty address)."""
    body = await read_json(request)
    unknown = sorted(set(body) - set(DETAILS))
    if unknown:
        raise ApiError(400, "invalid_input", f"a company has no field {unknown[0]!r} to change")
    if not body:
        raise ApiError(400, "invalid_input", f"name at least one of {', '.join(DETAILS)}")
    changes = {field: required_str(body, field) for field in body}

    def write(session: Session) -> dict[str, Any]:
        _, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        return company_json(update_company(session, company_id, **changes))

    return json_response(await in_db(request, write))
