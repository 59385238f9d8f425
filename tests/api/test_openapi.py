"""`GET /api/v1/openapi.json`: an OpenAPI 3.1 document that lists every mounted /api/v1 route."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from channels.app import create_app
from ledger.settings import Settings


def _app(tmp_path: Path) -> Any:
    return create_app(Settings(database_url=f"sqlite:///{tmp_path / 'books.db'}", var_dir=tmp_path))


def mounted_api_routes(app: Any) -> set[tuple[str, str]]:
    """(method, path template) of every route under /api/v1, regular expressions dropped."""
    found = set()
    for route in app.router.routes():
        canonical = route.resource.canonical if route.resource else ""
        if canonical.startswith("/api/v1") and route.method not in ("HEAD", "OPTIONS", "*"):
            found.add((route.method.lower(), re.sub(r"\{(\w+):[^}]+\}", r"{\1}", canonical)))
    return found


async def test_openapi_document_lists_every_mounted_route(tmp_path: Path, aiohttp_client: Any) -> None:
    app = _app(tmp_path)
    client: TestClient = await aiohttp_client(app)
    response = await client.get("/api/v1/openapi.json")  # no token needed
    assert response.status == 200
    document = await response.json()
    assert document["openapi"].startswith("3.1")
    documented = {(method, p) for p, methods in document["paths"].items() for method in methods}
    mounted = mounted_api_routes(app)
    assert not mounted - documented, f"routes missing from the OpenAPI document: {sorted(mounted - documented)}"
    assert not documented - mounted, f"documented routes that are not mounted: {sorted(documented - mounted)}"


async def test_every_path_parameter_is_declared_and_every_ref_resolves(tmp_path: Path, aiohttp_client: Any) -> None:
    client: TestClient = await aiohttp_client(_app(tmp_path))
    document = await (await client.get("/api/v1/openapi.json")).json()
    for p, methods in document["paths"].items():
        names = set(re.findall(r"\{(\w+)\}", p))
        for method, op in methods.items():
            declared = {x["name"] for x in op.get("parameters", []) if x["in"] == "path"}
            assert declared == names, (method, p)
    text = str(document)
    for kind, name in re.findall(r"#/components/(\w+)/(\w+)", text):
        assert name in document["components"][kind], name


# Routes the contract names that open work has not built yet: each is neither mounted nor
# documented until it is, and then it must leave this table (the test below says so).
NOT_YET_BUILT: dict[tuple[str, str], str] = {
}


def contract_routes() -> set[tuple[str, str]]:
    """(method, path) of every route the API contract (`shared/spec/api.md`) names."""
    contract = Settings().shared_data.parent / "spec" / "api.md"
    assert contract.exists(), f"the API contract is missing: {contract}"
    found = re.findall(
        r"`((?:GET|POST|PATCH|PUT|DELETE)(?:/(?:GET|POST|PATCH|PUT|DELETE))*) (/api/v1/[^ `?]+)",
        contract.read_text(encoding="utf-8"),
    )
    routes = set()
    for methods, route in found:
        for method in methods.split("/"):
            routes.add((method.lower(), route))
    return routes


def test_the_contracts_routes_are_all_documented_and_mounted(tmp_path: Path) -> None:
    from channels.api.openapi import PATHS

    routes = contract_routes()
    assert len(routes) >= 20
    mounted = mounted_api_routes(_app(tmp_path))
    for method, route in sorted(routes):
        if (method, route) in NOT_YET_BUILT:
            assert (method, route) not in mounted, f"{method} {route} is built now: take it out of NOT_YET_BUILT"
            assert method not in PATHS.get(route, {}), f"{method} {route} is documented but not built"
            continue
        assert method in PATHS.get(route, {}), f"the contract's {method.upper()} {route} is not documented"
        assert (method, route) in mounted, f"the contract's {method.upper()} {route} is not mounted"
