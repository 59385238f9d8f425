"""`/api/v1/companies/{cid}/time-entries`: everyone logs and reads hours, staff only their own;
another company's owner gets 404."""

from __future__ import annotations

import pytest

from ledger.timesheet import log_time
from tests.api.sales_gateway import SalesGateway, error_code, sales_gateway
from tests.ledger.builders import day

__all__ = ["sales_gateway"]


def seed(gw: SalesGateway) -> None:
    with gw.books.begin() as s:
        log_time(s, gw.cid, gw.sb.owner_id, gw.sb.hytte_id, day("2026-11-02"), "7.5")
        log_time(s, gw.cid, gw.sb.staff_id, gw.sb.nettside_id, day("2026-11-03"), "3")


@pytest.mark.parametrize(
    ("role", "status", "count"), [("owner", 200, 2), ("accountant", 200, 2), ("staff", 200, 1), ("foreign", 404, 0)]
)
async def test_list_time_entries_per_role(sales_gateway: SalesGateway, role: str, status: int, count: int) -> None:
    seed(sales_gateway)
    response = await sales_gateway.call("GET", "/time-entries?from=2026-11-01&to=2026-11-30", role)
    assert response.status == status
    if status == 200:
        entries = (await response.json())["time_entries"]
        assert len(entries) == count
        assert set(entries[0]) >= {"date", "hours", "project_id", "user_id", "invoiced"}
        if role == "staff":
            assert entries[0]["user_id"] == sales_gateway.sb.staff_id and entries[0]["hours"] == "3.00"


async def test_staff_asking_for_someone_elses_hours_get_403(sales_gateway: SalesGateway) -> None:
    response = await sales_gateway.call("GET", f"/time-entries?user_id={sales_gateway.sb.owner_id}", "staff")
    assert response.status == 403
    assert await error_code(response) == "forbidden"
    mine = await sales_gateway.call("GET", f"/time-entries?user_id={sales_gateway.sb.staff_id}", "staff")
    assert mine.status == 200


@pytest.mark.parametrize(("role", "status"), [("owner", 201), ("accountant", 201), ("staff", 201), ("foreign", 404)])
async def test_log_hours_per_role(sales_gateway: SalesGateway, role: str, status: int) -> None:
    body = {"date": "2026-11-04", "hours": 7.5, "project_id": sales_gateway.sb.hytte_id, "description": "Grunnmur"}
    response = await sales_gateway.call("POST", "/time-entries", role, json=body)
    assert response.status == status
    if status == 201:
        entry = await response.json()
        assert (entry["hours"], entry["date"], entry["invoiced"]) == ("7.50", "2026-11-04", False)


@pytest.mark.parametrize(("role", "status"), [("owner", 201), ("accountant", 201), ("staff", 403)])
async def test_logging_for_someone_else(sales_gateway: SalesGateway, role: str, status: int) -> None:
    target = sales_gateway.sb.owner_id if role == "staff" else sales_gateway.sb.staff_id
    body = {"date": "2026-11-04", "hours": "2", "project_id": sales_gateway.sb.hytte_id, "user_id": target}
    response = await sales_gateway.call("POST", "/time-entries", role, json=body)
    assert response.status == status
    if status == 201:
        assert (await response.json())["user_id"] == target


async def test_a_repeated_idempotency_key_logs_once(sales_gateway: SalesGateway) -> None:
    body = {"date": "2026-11-04", "hours": "2", "project_id": sales_gateway.sb.hytte_id}
    first = await sales_gateway.call("POST", "/time-entries", "staff", json=body, headers={"Idempotency-Key": "t-1"})
    again = await sales_gateway.call("POST", "/time-entries", "staff", json=body, headers={"Idempotency-Key": "t-1"})
    assert (first.status, again.status) == (201, 200)
    assert (await first.json())["id"] == (await again.json())["id"]
    other = {**body, "hours": "3"}
    conflict = await sales_gateway.call(
        "POST", "/time-entries", "staff", json=other, headers={"Idempotency-Key": "t-1"}
    )
    assert conflict.status == 409


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"hours": -2}, 422, "invalid_hours"),
        ({"hours": "mange"}, 422, "invalid_hours"),
        ({"hours": 25}, 422, "invalid_hours"),
        ({"hours": [1]}, 400, "invalid_input"),
        ({"date": "i går"}, 400, "invalid_input"),
        ({"project_id": None}, 400, "invalid_input"),
    ],
)
async def test_bad_hours_are_refused_and_nothing_is_logged(
    sales_gateway: SalesGateway, change: dict[str, object], status: int, code: str
) -> None:
    body = {"date": "2026-11-04", "hours": "2", "project_id": sales_gateway.sb.hytte_id} | change
    response = await sales_gateway.call("POST", "/time-entries", json=body)
    assert response.status == status
    assert await error_code(response) == code
    listed = await (await sales_gateway.call("GET", "/time-entries")).json()
    assert listed["time_entries"] == []


async def test_another_companys_project_is_404(sales_gateway: SalesGateway) -> None:
    body = {"date": "2026-11-04", "hours": "2", "project_id": sales_gateway.other.hytte_id}
    response = await sales_gateway.call("POST", "/time-entries", json=body)
    assert response.status == 404
    assert await error_code(response) == "unknown_project"
