"""The gateway serves the assistant's chart pictures by their random names, and nothing else;
one still being painted (its marker beside it) is waited for."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from aiohttp.test_utils import TestClient

from channels.app import create_app
from ledger.settings import Settings

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
NAME = "0123456789abcdef0123456789abcdef.png"


def settings_for(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'books.db'}", var_dir=tmp_path / "var")


async def test_a_chart_is_served_by_its_name_without_a_token(tmp_path: Path, aiohttp_client) -> None:  # type: ignore[no-untyped-def]
    settings = settings_for(tmp_path)
    (settings.var_dir / "charts").mkdir(parents=True)
    (settings.var_dir / "charts" / NAME).write_bytes(PNG)
    client: TestClient = await aiohttp_client(create_app(settings))
    response = await client.get(f"/charts/{NAME}")
    assert response.status == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert await response.read() == PNG


async def test_anything_but_a_charts_name_is_not_found(tmp_path: Path, aiohttp_client) -> None:  # type: ignore[no-untyped-def]
    settings = settings_for(tmp_path)
    (settings.var_dir / "charts").mkdir(parents=True)
    (settings.var_dir / "charts" / NAME).write_bytes(PNG)
    (settings.var_dir / "secret.png").write_bytes(PNG)
    (settings.var_dir / "charts" / "notes.txt").write_text("x")
    client: TestClient = await aiohttp_client(create_app(settings))
    for path in (
        "/charts/",
        "/charts/notes.txt",
        "/charts/..%2Fsecret.png",
        "/charts/../secret.png",
        f"/charts/{NAME.upper()}",
        "/charts/ffffffffffffffffffffffffffffffff.png",
        f"/charts/{NAME}/x",
    ):
        response = await client.get(path)
        assert response.status == 404, path


async def fetched_while_painting(tmp_path: Path, aiohttp_client, painted: bool) -> tuple[int, bytes, float]:  # type: ignore[no-untyped-def]
    """(status, body, seconds) of fetching a chart whose marker says it is being painted, while
    0.3 s later the painting ends: with the picture written (`painted`) or without (failed)."""
    settings = settings_for(tmp_path)
    folder = settings.var_dir / "charts"
    folder.mkdir(parents=True)
    marker = folder / f"{NAME}.painting"
    marker.touch()
    client: TestClient = await aiohttp_client(create_app(settings))

    async def paint() -> None:
        await asyncio.sleep(0.3)
        if painted:
            (folder / NAME).write_bytes(PNG)
        marker.unlink()

    painting = asyncio.create_task(paint())
    started = time.monotonic()
    response = await client.get(f"/charts/{NAME}")
    body = await response.read()
    await painting
    return response.status, body, time.monotonic() - started


async def test_a_chart_still_being_painted_is_waited_for(tmp_path: Path, aiohttp_client) -> None:  # type: ignore[no-untyped-def]
    status, body, _ = await fetched_while_painting(tmp_path, aiohttp_client, painted=True)
    assert (status, body) == (200, PNG)


async def test_a_chart_whose_painting_failed_is_not_found_once_its_marker_goes(tmp_path: Path, aiohttp_client) -> None:  # type: ignore[no-untyped-def]
    status, _, seconds = await fetched_while_painting(tmp_path, aiohttp_client, painted=False)
    assert status == 404
    assert seconds < 5
