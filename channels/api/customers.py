"""`/api/v1/companies/{cid}/customers`: list, create, read one, and resolve a name as said
(owner and accountant)."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.orm import Session

from channels.api.body import optional_number, optional_str, required_str
from channels.api.common import ApiError, authorise, in_db, json_response, read_json
from ledger.customers import (
    Resolution,
    create_customer,
    get_customer,
    list_customers,
    resolve_customer,
    update_customer,
)
from ledger.models import Customer
from ledger.permissions import Capability

routes = web.RouteTableDef()



def customer_json(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.id,
        "number": customer.number,
        "name": customer.name,
        "orgnr": customer.orgnr,
        "email": customer.email,
        "address": customer.address,
        "postcode": customer.postcode,
        "city": customer.city,
        "hourly_rate": customer.hourly_rate,
    }


def resolution_json(resolution: Resolution) -> dict[str, Any]:
    return {
        "said": resolution.said,
        "outcome": resolution.outcome,
        "candidates": [
            {"id": c.id, "name": c.name, "number": c.number, "score": c.score} for c in resolution.candidates
        ],
    }


@routes.get("/api/v1/companies/{cid}/customers")
async def customers(request: web.Request) -> web.Response:
    """The company's customers by name."""

    def read(session: Session) -> dict[str, Any]:
        _, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        return {"customers": [customer_json(c) for c in list_customers(session, company_id)]}

    return json_response(await in_db(request, read))


@routes.patch(r"/api/v1/companies/{cid}/customers/{customer_id:\d+}")
async def change_customer(request: web.Request) -> web.Response:
    """Changes a customer's details (`name`, `orgnr`, `email`, `address`, `postcode`, `city`);
    fields left out stay as they are."""
    customer_id = int(request.match_info["customer_id"])
    body = await read_json(request)
    fields = ("name", "orgnr", "email", "address", "postcode", "city")
    unknown = sorted(set(body) - set(fields))
    if unknown:
        raise ApiError(400, "invalid_input", f"a customer has no field {unknown[0]!r}")
    changes = {field: optional_str(body, field) for field in fields if field in body}

    def write(session: Session) -> dict[str, Any]:
        _, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        return customer_json(update_customer(session, company_id, customer_id, **changes))

    return json_response(await in_db(request, write))


@routes.post("/api/v1/companies/{cid}/customers")
async def add_customer(request: web.Request) -> web.Response:
    """Adds a customer (`name`, `orgnr`, `email`, `address`, `postcode`, `city`, `hourly_rate`)."""
    body = await read_json(request)
    name = required_str(body, "name")
    orgnr = optional_str(body, "orgnr") or None
    details = {field: optional_str(body, field) for field in ("email", "address", "postcode", "city")}
    rate = optional_number(body, "hourly_rate")

    def write(session: Session) -> dict[str, Any]:
        _, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        return customer_json(create_customer(session, company_id, name, orgnr=orgnr, hourly_rate=rate, **details))

    return json_response(await in_db(request, write), status=201)


@routes.get("/api/v1/companies/{cid}/customers/resolve")
async def resolve(request: web.Request) -> web.Response:
    """Which customer `?name=` means: "exact", "one" or "several" candidates (404 for none)."""
    said = request.query.get("name", "")

    def read(session: Session) -> dict[str, Any]:
        _, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        return resolution_json(resolve_customer(session, company_id, said))

    return json_response(await in_db(request, read))


@routes.get(r"/api/v1/companies/{cid}/customers/{customer_id:\d+}")
async def customer(request: web.Request) -> web.Response:
    """One customer."""
    customer_id = int(request.match_info["customer_id"])

    def read(session: Session) -> dict[str, Any]:
        _, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        return customer_json(get_customer(session, company_id, customer_id))

    return json_response(await in_db(request, read))
