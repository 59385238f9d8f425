"""Every route of the OpenAPI document, for every kind of caller: no token and a bad token get
401; another company's owner gets 404 for this company's routes; staff get 403 wherever their
role does not reach (they log hours); owner and accountant are never refused; nobody gets a
500, whatever the route is asked with."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ledger.permissions import Capability, roles_that_may
from tests.api.report_fixtures import Gateway, gateway

__all__ = ["gateway"]

CALLERS = ("owner", "accountant", "staff", "foreign", "no token", "bad token")
PATH_VALUES = {
    "number": "10001",
    "customer_id": "1",
    "project_id": "1",
    "name": "trial-balance",
    "term": "2026-1",
    "voucher": "2001-999",
}
STAFF_ROUTES = {"/api/v1/companies/{cid}/time-entries"}
"""Routes a staff member may use (their own hours); every other company route is refused."""
PUBLIC = {"/api/v1/openapi.json"}


def _routes() -> list[tuple[str, str]]:
    from channels.api.openapi import PATHS

    return sorted((method, path) for path, methods in PATHS.items() for method in methods)


def _headers(gateway: Gateway, caller: str) -> dict[str, str]:
    if caller == "no token":
        return {}
    if caller == "bad token":
        return {"Authorization": "Bearer bok_this-is-no-token"}
    return gateway.auth(caller)


def _url(gateway: Gateway, path: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(gateway.company_id) if name == "cid" else PATH_VALUES.get(name, "1")

    return re.sub(r"\{(\w+)\}", value, path)


@pytest.mark.parametrize(("method", "path"), _routes())
async def test_every_route_for_every_caller(gateway: Gateway, method: str, path: str) -> None:
    seen: dict[str, int] = {}
    for caller in CALLERS:
        kwargs: dict[str, Any] = {"headers": _headers(gateway, caller)}
        if method in ("post", "patch", "put"):
            kwargs["json"] = {}
        response = await gateway.client.request(method.upper(), _url(gateway, path), **kwargs)
        seen[caller] = response.status
        assert response.status < 500, (caller, await response.text())
    if path in PUBLIC:
        return
    assert seen["no token"] == 401 and seen["bad token"] == 401, seen
    if "{cid}" in path:
        assert seen["foreign"] == 404, seen
        staff_may = path in STAFF_ROUTES
        assert staff_may or seen["staff"] == 403, seen
    for bookkeeper in roles_that_may(Capability.KEEP_BOOKS):
        assert seen[bookkeeper] not in (401, 403), seen
