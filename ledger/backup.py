"""Backups of the books and their restore, on either backend.

A backup is one file. On SQLite it is a copy of the database made through SQLite's online
backup API (`sqlite3.Connection.backup`), which reads a consistent snapshot while the gateway
and the action server go on writing; on PostgreSQL it is `pg_dump --format=custom`, read back
with `pg_restore` (both from the `postgresql-client` package), likewise a consistent snapshot
of a running database.

A restore goes only into an empty database: restoring over books would mix two sets of
vouchers and number series, so a database that holds any table is refused and left as it
was. After the restore the migration revision the backup carries is checked against the
migrations this version knows: an older one is brought up to date, an unknown (newer) one is
reported, since this version cannot read those books.

The file always starts with its backend's signature ("SQLite format 3" or "PGDMP"), so a
backup of one backend offered to the other is refused before anything is written.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from ledger.db import make_engine
from ledger.errors import LedgerError
from ledger.migrate import alembic_config, upgrade

SQLITE_SIGNATURE = b"SQLite format 3\x00"
PG_SIGNATURE = b"PGDMP"


class BackupFailed(LedgerError):
    """The backup or restore could not be made; the message says why."""

    code = "backup_failed"


class RestoreTargetNotEmpty(LedgerError):
    """The database to restore into already holds tables; nothing was written."""

    code = "restore_target_not_empty"


class UnknownRevision(LedgerError):
    """The restored books carry a migration revision this version does not know."""

    code = "unknown_revision"


@dataclass(frozen=True)
class Restored:
    """What a restore found and did.

    Attributes:
      revision: the migration revision the backup carried (None if it had no Alembic table).
      head: the newest revision this version knows; the books are at it after the restore.
      upgraded: whether migrations were applied to bring the restored books to `head`.
    """

    revision: str | None
    head: str
    upgraded: bool


def _backend(url: str) -> str:
    backend = make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupFailed(f"backups are made of SQLite and PostgreSQL books, not {backend}")
    return backend


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupFailed("an in-memory SQLite database has nothing to back up or restore into")
    return Path(database)


def _private_temp_beside(target: Path) -> Path:
    """A new file (mode 600) in the target's folder: the backup is written there and renamed
    into place, so that a failed run never leaves a half file under the backup's name."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    return Path(name)


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The libpq connection string of `url` and the environment for the client programs.

    The password goes through `PGPASSWORD` in the child's environment, never on its command
    line, where any user of the machine could read it."""
    parts = {
        "host": url.host or "",
        "port": str(url.port or ""),
        "dbname": url.database or "",
        "user": url.username or "",
    }
    for key, value in url.query.items():
        parts[key] = value if isinstance(value, str) else value[-1]
    def quoted(value: str) -> str:
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"

    conninfo = " ".join(f"{key}={quoted(value)}" for key, value in parts.items() if value)
    # The child needs the rest of the environment (PATH, locale, PGSSL* files) as well.
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    return conninfo, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise BackupFailed(f"{command[0]} is not installed (Debian package postgresql-client)") from error
    if done.returncode != 0:
        raise BackupFailed(f"{what} failed: {done.stderr.strip() or done.returncode}")


def backup(url: str, target: Path) -> Path:
    """Write a backup of the books at `url` into `target` (replacing it when the backup is
    complete); safe while the product runs. Returns `target`."""
    backend = _backend(url)
    partial = _private_temp_beside(target)
    try:
        if backend == "sqlite":
            source_path = _sqlite_path(url)
            if not source_path.exists():
                raise BackupFailed(f"there is no database at {source_path}")
            source = sqlite3.connect(f"{source_path.as_uri()}?mode=ro", uri=True)
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)
                # The copy stands alone: no write-ahead log beside it.
                copy.execute("PRAGMA journal_mode=DELETE")
            finally:
                copy.close()
                source.close()
        else:
            conninfo, env = _libpq(make_url(url))
            _run(
                ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}", conninfo],
                env,
                "pg_dump",
            )
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _tables(url: str) -> list[str]:
    """The tables the database at `url` holds (none for a database that does not exist yet)."""
    if _backend(url) == "sqlite" and not _sqlite_path(url).exists():
        return []
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                query = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            else:
                query = (
                    "SELECT tablename FROM pg_tables "
                    "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
                )
            return sorted(conn.execute(text(query)).scalars())
    finally:
        engine.dispose()


def _revision(url: str) -> str | None:
    if "alembic_version" not in _tables(url):
        return None
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def _check_signature(source: Path, backend: str) -> None:
    if not source.is_file():
        raise BackupFailed(f"there is no backup file at {source}")
    with source.open("rb") as f:
        head = f.read(len(SQLITE_SIGNATURE))
    expected = SQLITE_SIGNATURE if backend == "sqlite" else PG_SIGNATURE
    if head.startswith(expected):
        return
    if head.startswith(SQLITE_SIGNATURE) or head.startswith(PG_SIGNATURE):
        found = "SQLite" if head.startswith(SQLITE_SIGNATURE) else "PostgreSQL"
        raise BackupFailed(f"{source} is a {found} backup; restore it into a {found} database")
    raise BackupFailed(f"{source} is not a Bokbot backup (neither a SQLite file nor a pg_dump archive)")


def restore(url: str, source: Path) -> Restored:
    """Restore the backup `source` into the empty database at `url`, then bring it to the
    newest migration. Refuses (writing nothing) a database that holds any table."""
    backend = _backend(url)
    _check_signature(source, backend)
    present = _tables(url)
    if present:
        shown = ", ".join(present[:5]) + (", ..." if len(present) > 5 else "")
        raise RestoreTargetNotEmpty(
            f"the database to restore into is not empty (it holds {len(present)} tables: {shown}); "
            "restore only into a new, empty database",
            tables=present,
        )
    if backend == "sqlite":
        target = _sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Made readable by its owner only before SQLite creates it, like the product's own file.
        os.close(os.open(target, os.O_RDWR | os.O_CREAT, 0o600))
        # Into the target's own connection, in one step: SQLite writes it as one transaction
        # and keeps the target's write-ahead log consistent.
        backup_file = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        copy = sqlite3.connect(target)
        try:
            backup_file.backup(copy)
        finally:
            copy.close()
            backup_file.close()
    else:
        conninfo, env = _libpq(make_url(url))
        # One transaction: a restore that fails leaves the database as empty as it was.
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={conninfo}",
                str(source),
            ],
            env,
            "pg_restore",
        )
    return _bring_to_head(url)


def _bring_to_head(url: str) -> Restored:
    scripts = ScriptDirectory.from_config(alembic_config(url))
    head = scripts.get_current_head()
    assert head is not None  # the project always ships its migrations
    revision = _revision(url)
    if revision is None:
        raise UnknownRevision("the restored database carries no migration revision: it is not Bokbot's books")
    try:
        scripts.get_revision(revision)
    except CommandError as error:
        raise UnknownRevision(
            f"the backup is at migration {revision}, which this version of Bokbot does not know "
            f"(its newest is {head}); restore it with the version that made it",
            revision=revision,
        ) from error
    if revision == head:
        return Restored(revision, head, upgraded=False)
    upgrade(url)
    return Restored(revision, head, upgraded=True)
