"""`/api/v1/companies/{cid}/vendor-rules`: the vendor rules the assistant learned (a vendor's
cost account and VAT code, proposed again next time), listed, changed and removed by the
owner and the accountant."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.orm import Session

from channels.api.body import optional_str
from channels.api.common import ApiError, authorise, in_db, json_response, read_json
from ledger.errors import UnknownAccount
from ledger.permissions import Capability
from ledger.vendor_rules import Rule, change_vendor_rule, delete_vendor_rule, vendor_rules

routes = web.RouteTableDef()

FIELDS = ("account", "vat_code", "category")


def rule_json(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "vendor": rule.vendor_name,
        "vendor_key": rule.vendor_key,
        "category": rule.category,
        "account": rule.account,
        "vat_code": rule.vat_code,
        "times_used": rule.times_used,
    }


@routes.get("/api/v1/companies/{cid}/vendor-rules")
async def list_rules(request: web.Request) -> web.Response:
    """The company's vendor rules, by vendor."""

    def read(session: Session) -> dict[str, Any]:
        _, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        return {"vendor_rules": [rule_json(r) for r in vendor_rules(session, company_id)]}

    return json_response(await in_db(request, read))


@routes.put(r"/api/v1/companies/{cid}/vendor-rules/{rule_id:\d+}")
async def change_rule(request: web.Request) -> web.Response:
    """Sets a rule's `account`, `vat_code` (a purchase code) and `category`; fields left out
    stay as they are."""
    rule_id = int(request.match_info["rule_id"])
    body = await read_json(request)
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise ApiError(400, "invalid_input", f"a vendor rule has no field {unknown[0]!r}")
    if not body:
        raise ApiError(400, "invalid_input", "give the account, vat_code or category to set")
    changes = {field: optional_str(body, field) for field in FIELDS if field in body}

    def write(session: Session) -> dict[str, Any]:
        user, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        try:
            return rule_json(change_vendor_rule(session, company_id, rule_id, user_id=user.id, **changes))
        except UnknownAccount as exc:  # a field of the body, not the address: refused, not "not found"
            raise ApiError(422, exc.code, str(exc)) from exc

    return json_response(await in_db(request, write))


@routes.delete(r"/api/v1/companies/{cid}/vendor-rules/{rule_id:\d+}")
async def remove_rule(request: web.Request) -> web.Response:
    """Forgets a rule: the vendor is asked about again next time."""
    rule_id = int(request.match_info["rule_id"])

    def write(session: Session) -> None:
        _, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        delete_vendor_rule(session, company_id, rule_id)

    await in_db(request, write)
    return web.Response(status=204)
