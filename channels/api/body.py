"""Fields of a JSON request body and the `Idempotency-Key` header, read with their types checked.

A field of the wrong JSON type (a list where a number belongs, a number where a name belongs)
is a 400 here; a value of the right type that the books refuse ("mange" hours, an amount with
three decimals) goes on to the ledger, whose domain error becomes a 422.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from aiohttp import web

from channels.api.common import ApiError

IDEMPOTENCY_HEADER = "Idempotency-Key"

Number = Decimal | int | str
"""A number as it came: exact JSON numbers are Decimal or int; text is left to the ledger."""


def _bad(name: str, what: str) -> ApiError:
    return ApiError(400, "invalid_input", f"{name} must be {what}")


def required_int(body: dict[str, Any], name: str) -> int:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(name, "a whole number")
    return value


def optional_int(body: dict[str, Any], name: str) -> int | None:
    return None if body.get(name) is None else required_int(body, name)


def required_str(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str):
        raise _bad(name, "text")
    return value


def optional_str(body: dict[str, Any], name: str, default: str = "") -> str:
    return default if body.get(name) is None else required_str(body, name)


def optional_bool(body: dict[str, Any], name: str, default: bool) -> bool:
    value = body.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise _bad(name, "true or false")
    return value


def optional_date(body: dict[str, Any], name: str) -> dt.date | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _bad(name, "a date (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise _bad(name, "a date (YYYY-MM-DD)") from exc


def required_date(body: dict[str, Any], name: str) -> dt.date:
    value = optional_date(body, name)
    if value is None:
        raise _bad(name, "a date (YYYY-MM-DD)")
    return value


def required_number(body: dict[str, Any], name: str) -> Number:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise _bad(name, "a number")
    return value


def optional_number(body: dict[str, Any], name: str) -> Number | None:
    return None if body.get(name) in (None, "") else required_number(body, name)


def idempotency_key(request: web.Request, *, required: bool) -> str | None:
    """The request's `Idempotency-Key`; 400 when it is required and missing or too long."""
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not key:
        if required:
            raise ApiError(400, "idempotency_key_required", f"send an {IDEMPOTENCY_HEADER} header with this request")
        return None
    if len(key) > 200:
        raise ApiError(400, "invalid_idempotency_key", f"the {IDEMPOTENCY_HEADER} has at most 200 characters")
    return key
