"""Bodies generated from the OpenAPI document's own request schemas, sent to every write
route as the owner: valid or not, every answer is a documented kind of answer (2xx or 4xx),
never a 500. Example counts are bounded so `make test` stays quick."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels.api.openapi import PATHS, SCHEMAS
from tests.api.report_fixtures import Gateway, gateway
from tests.api.test_authorization_matrix import PATH_VALUES

__all__ = ["gateway"]


def resolved(schema: Any) -> Any:
    """`schema` with every `$ref` to the document's components written out."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            return resolved(SCHEMAS[schema["$ref"].split("/")[-1]])
        return {k: resolved(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [resolved(v) for v in schema]
    return schema


def from_schema(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values that fit `schema`, for the JSON Schema our document uses (objects, strings with
    patterns and formats, numbers, booleans, arrays, enums, nullable types)."""
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        return st.one_of(*(from_schema({**schema, "type": k}) for k in kind))
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(min_value=schema.get("minimum", -(2**40)), max_value=schema.get("maximum", 2**40))
    if kind == "number":
        return st.decimals(allow_nan=False, allow_infinity=False, places=2).map(float)
    if kind == "string":
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True)
        if schema.get("format") == "date":
            return st.dates().map(lambda d: d.isoformat())
        return st.text(min_size=schema.get("minLength", 0), max_size=200)
    if kind == "array":
        return st.lists(from_schema(schema.get("items", {})), min_size=schema.get("minItems", 0), max_size=4)
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    return st.fixed_dictionaries(
        {name: from_schema(sub) for name, sub in properties.items() if name in required},
        optional={name: from_schema(sub) for name, sub in properties.items() if name not in required},
    )


def write_routes() -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path, methods in PATHS.items():
        for method, operation in methods.items():
            content = (operation.get("requestBody") or {}).get("content") or {}
            schema = (content.get("application/json") or {}).get("schema")
            if schema is not None and "/chat" not in path:  # the chat has its own fuzz test
                found.append((method, path, resolved(schema)))
    return sorted(found, key=lambda r: (r[1], r[0]))


def _url(gateway: Gateway, path: str) -> str:
    return re.sub(
        r"\{(\w+)\}",
        lambda m: str(gateway.company_id) if m.group(1) == "cid" else PATH_VALUES.get(m.group(1), "1"),
        path,
    )


@pytest.mark.parametrize(("method", "path", "schema"), write_routes(), ids=lambda v: v if isinstance(v, str) else "")
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(data=st.data())
async def test_generated_bodies_never_crash_a_write_route(
    gateway: Gateway, method: str, path: str, schema: dict[str, Any], data: st.DataObject
) -> None:
    body = data.draw(st.one_of(from_schema(schema), st.dictionaries(st.text(max_size=20), st.text(max_size=50))))
    headers = {**gateway.auth("owner"), "Idempotency-Key": "fuzz"}
    response = await gateway.client.request(method.upper(), _url(gateway, path), json=body, headers=headers)
    assert response.status < 500, (body, await response.text())
