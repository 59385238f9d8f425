"""`/api/v1/companies/{cid}/reminders`: each person mutes and unmutes their own reminders."""

from __future__ import annotations

import pytest

from tests.api.report_fixtures import Gateway, gateway

__all__ = ["gateway"]


def url(gateway: Gateway, kind: str = "") -> str:
    base = f"/api/v1/companies/{gateway.company_id}/reminders"
    return f"{base}/{kind}" if kind else base


def muted(body: dict[str, object]) -> set[str]:
    return {r["kind"] for r in body["reminders"] if r["muted"]}  # type: ignore[attr-defined, index]


async def test_a_person_mutes_one_kind_for_themselves_only_and_unmutes_it(gateway: Gateway) -> None:
    response = await gateway.client.put(url(gateway, "mva"), json={"muted": True}, headers=gateway.auth("owner"))
    assert response.status == 200
    body = await response.json()
    assert (body["kind"], body["muted"]) == ("mva", True)
    assert muted(body) == {"mva"}
    assert body["lead_days"] == [7, 1]

    theirs = await (await gateway.client.get(url(gateway), headers=gateway.auth("accountant"))).json()
    assert muted(theirs) == set()

    await gateway.client.put(url(gateway, "mva"), json={"muted": False}, headers=gateway.auth("owner"))
    mine = await (await gateway.client.get(url(gateway), headers=gateway.auth("owner"))).json()
    assert muted(mine) == set()


async def test_muting_all_mutes_every_kind(gateway: Gateway) -> None:
    response = await gateway.client.put(url(gateway, "all"), json={"muted": True}, headers=gateway.auth("accountant"))
    body = await response.json()
    assert muted(body) == {"mva", "a-melding", "aksjonaerregisteroppgave", "skattemelding", "generalforsamling",
                           "arsregnskap", "invoice"}


@pytest.mark.parametrize(
    ("kind", "body", "status"),
    [("birthdays", {"muted": True}, 404), ("mva", {}, 400), ("mva", {"muted": "ja"}, 400)],
)
async def test_an_unknown_kind_or_a_body_without_muted_changes_nothing(
    gateway: Gateway, kind: str, body: dict[str, object], status: int
) -> None:
    response = await gateway.client.put(url(gateway, kind), json=body, headers=gateway.auth("owner"))
    assert response.status == status
    assert "error" in await response.json()
    mine = await (await gateway.client.get(url(gateway), headers=gateway.auth("owner"))).json()
    assert muted(mine) == set()


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("accountant", 200), ("staff", 403), ("foreign", 404)])
async def test_reminder_settings_for_every_role(gateway: Gateway, role: str, status: int) -> None:
    response = await gateway.client.put(url(gateway, "invoice"), json={"muted": True}, headers=gateway.auth(role))
    assert response.status == status
