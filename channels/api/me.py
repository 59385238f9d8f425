"""`GET /api/v1/me`: who the token belongs to and which companies they may act for."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.orm import Session

from channels.api.common import in_db, json_response, user_id_of
from ledger import identity
from ledger.models import Company, User

routes = web.RouteTableDef()


@routes.get("/api/v1/me")
async def me(request: web.Request) -> web.Response:
    """The user, the companies they may act for, and their role in each."""
    user_id = user_id_of(request)

    def read(session: Session) -> dict[str, Any]:
        user = session.get(User, user_id)
        assert user is not None
        companies = []
        for m in identity.memberships_of(session, user.id):
            company = session.get(Company, m.company_id)
            assert company is not None
            companies.append({"id": company.id, "name": company.name, "orgnr": company.orgnr, "role": m.role})
        return {
            "id": user.id,
            "name": user.name,
            "language": user.language,
            "active_company_id": user.active_company_id,
            "telegram_linked": user.telegram_user_id is not None,
            "companies": companies,
        }

    return json_response(await in_db(request, read))
