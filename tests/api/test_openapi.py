"""`GET /api/v1/openapi.json`: an OpenAPI 3.1 document that lists every mounted /api/v1 route."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from channels.app import create_app
from ledger.settings import Settings


def _app(tmp_path: Path) -> Any:
    return create_app(Settings(database_url=f"sqlite:///{tmp_path / 'books.db'}", var_dir=tmp_path, telegram_token=""))


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
    missing = mounted_api_routes(app) - documented
    assert not missing, f"routes missing from the OpenAPI document: {sorted(missing)}"


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


def test_the_contracts_routes_are_all_documented() -> None:
    from channels.api.openapi import PATHS

    contract = Settings().shared_data.parent / "spec" / "api.md"
    if not contract.exists():
        return
    routes = re.findall(r"`((?:GET|POST)(?:/POST)?) (/api/v1/[^ `?]+)", contract.read_text(encoding="utf-8"))
    assert len(routes) >= 15
    for method, route in routes:
        for one in method.split("/"):
            assert one.lower() in PATHS[route], (one, route)
