"""`/api/v1/companies/{cid}/projects`: list and create projects, and resolve a name as said
(owner and accountant)."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.orm import Session

from channels.api.body import optional_int, optional_number, required_str
from channels.api.common import authorise, in_db, json_response, query_int, read_json
from channels.api.customers import resolution_json
from ledger.models import Project
from ledger.permissions import Capability
from ledger.projects import billing_rate, create_project, get_project, list_projects, resolve_project

routes = web.RouteTableDef()



def project_json(project: Project) -> dict[str, Any]:
    return {
        "id": project.id,
        "name": project.name,
        "customer_id": project.customer_id,
        "hourly_rate": project.hourly_rate,
        "billing_rate": billing_rate(project),
        "active": project.active,
    }


@routes.get("/api/v1/companies/{cid}/projects")
async def projects(request: web.Request) -> web.Response:
    """The company's active projects (`?customer_id=` for one customer's)."""
    customer_id = query_int(request, "customer_id")

    def read(session: Session) -> dict[str, Any]:
        _, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        return {"projects": [project_json(p) for p in list_projects(session, company_id, customer_id=customer_id)]}

    return json_response(await in_db(request, read))


@routes.post("/api/v1/companies/{cid}/projects")
async def add_project(request: web.Request) -> web.Response:
    """Adds a project (`name`, `customer_id`, `hourly_rate`)."""
    body = await read_json(request)
    name = required_str(body, "name")
    customer_id = optional_int(body, "customer_id")
    rate = optional_number(body, "hourly_rate")

    def write(session: Session) -> dict[str, Any]:
        _, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        return project_json(create_project(session, company_id, name, customer_id=customer_id, hourly_rate=rate))

    return json_response(await in_db(request, write), status=201)


@routes.get("/api/v1/companies/{cid}/projects/resolve")
async def resolve(request: web.Request) -> web.Response:
    """Which project `?name=` means: "exact", "one" or "several" candidates (404 for none)."""
    said = request.query.get("name", "")

    def read(session: Session) -> dict[str, Any]:
        _, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        return resolution_json(resolve_project(session, company_id, said))

    return json_response(await in_db(request, read))


@routes.get(r"/api/v1/companies/{cid}/projects/{project_id:\d+}")
async def project(request: web.Request) -> web.Response:
    """One project."""
    project_id = int(request.match_info["project_id"])

    def read(session: Session) -> dict[str, Any]:
        _, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        return project_json(get_project(session, company_id, project_id))

    return json_response(await in_db(request, read))
