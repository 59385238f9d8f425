"""The `bokbot` command line: set up the books, train, run the assistant, manage companies.

Examples (each runs as shown on a fresh checkout after `make setup`):

    bokbot db upgrade
    bokbot company create --name "Fjord Bygg AS" --orgnr 987654325 --vat-registered --owner "Kari Nordmann" --json
    bokbot user add --company 1 --name "Ola Hansen" --role staff --json
    bokbot demo
    bokbot up
    bokbot export saft --company 1 --year 2026
    bokbot export journal --company 1 --out books.journal && hledger -f books.journal bal
    bokbot backup books.backup
    BOKBOT_DATABASE_URL=sqlite:///var/restored.db bokbot restore books.backup
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot import training
from ledger import identity
from ledger.companies import create_company, update_company
from ledger.db import session_factory
from ledger.errors import LedgerError
from ledger.migrate import upgrade
from ledger.models import Company
from ledger.settings import Settings, get_settings


def _print(value: Any, as_json: bool, text: str) -> None:
    print(json.dumps(value) if as_json else text)


def cmd_db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    upgrade(settings.database_url)
    print(f"The database is up to date ({_safe_url(settings.database_url)}).")
    return 0


def cmd_company_create(settings: Settings, args: argparse.Namespace) -> int:
    upgrade(settings.database_url)
    with session_factory(settings.database_url).begin() as session:
        created = create_company(
            session,
            args.name,
            owner_name=args.owner,
            orgnr=args.orgnr,
            form=args.form,
            vat_registered=args.vat_registered,
            vat_term=args.vat_term,
            bank_account=args.bank_account or "",
            address=args.address or "",
            postcode=args.postcode or "",
            city=args.city or "",
        )
        result = {
            "company_id": created.company.id,
            "owner_token": created.owner.token,
            "owner_user_id": created.owner.user.id,
            "owner_link_code": created.owner.link_code,
        }
    _print(
        result,
        args.json,
        f"Created company {result['company_id']} ({args.name}).\n"
        f"Owner's API token (shown once): {result['owner_token']}\n"
        f"Owner's Telegram link code: {result['owner_link_code']}",
    )
    return 0


COMPANY_DETAILS = ("address", "postcode", "city", "bank_account", "orgnr", "email", "name")
"""What `bokbot company set` changes (the details an invoice must show, and the name)."""


def cmd_company_set(settings: Settings, args: argparse.Namespace) -> int:
    changes = {field: getattr(args, field) for field in COMPANY_DETAILS if getattr(args, field) is not None}
    if not changes:
        raise LedgerError("say what to set: " + ", ".join(f"--{f.replace('_', '-')}" for f in COMPANY_DETAILS))
    upgrade(settings.database_url)
    with session_factory(settings.database_url).begin() as session:
        company = update_company(session, args.company, **changes)
        result = {
            "company_id": company.id,
            **{field: getattr(company, field) for field in ("name", "orgnr", "address", "postcode", "city")},
            "bank_account": company.bank_account or None,
        }
    _print(result, args.json, f"Company {company.id} ({result['name']}): set {', '.join(sorted(changes))}.")
    return 0


def cmd_user_add(settings: Settings, args: argparse.Namespace) -> int:
    upgrade(settings.database_url)
    with session_factory(settings.database_url).begin() as session:
        if args.user is not None:
            identity.add_membership(session, args.user, args.company, args.role)
            result: dict[str, Any] = {"user_id": args.user, "token": None, "link_code": None}
        else:
            if not args.name:
                raise LedgerError("--name is needed for a new user")
            new = identity.add_user(session, args.company, args.name, args.role, email=args.email or "")
            result = {"user_id": new.user.id, "token": new.token, "link_code": new.link_code}
    _print(
        result,
        args.json,
        f"User {result['user_id']} is now {args.role} in company {args.company}."
        + (f"\nAPI token (shown once): {result['token']}\nTelegram link code: {result['link_code']}"
           if result["token"] else ""),
    )
    return 0


def demo_file(settings: Settings) -> Path:
    return settings.var_dir / "demo.json"


def ensure_demo(settings: Settings, say: bool = True) -> dict[str, Any] | None:
    """Create the demo company on an empty database; its details (with the owner's token)
    are kept in `var/demo.json`, readable only by this user."""
    from ledger.demo import create_demo_company

    with session_factory(settings.database_url).begin() as session:
        if session.scalar(select(func.count(Company.id))):
            return _read_demo(settings)
        demo = create_demo_company(session)
        details = {
            "company_id": demo.company.id,
            "company_name": demo.company.name,
            "owner_token": demo.owner_token,
            "owner_link_code": demo.owner_link_code,
            "staff_token": demo.staff_token,
        }
    path = demo_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(details, indent=2))
    os.chmod(path, 0o600)
    if say:
        print(f"Created the demo company {details['company_name']} (id {details['company_id']}).")
    return details


def _read_demo(settings: Settings) -> dict[str, Any] | None:
    path = demo_file(settings)
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    upgrade(settings.database_url)
    details = ensure_demo(settings, say=not args.json)
    if details is None:
        print("The database already has companies; no demo company was added.")
        return 0
    _print(details, args.json, _sign_in_text(settings, details))
    return 0


def _sign_in_text(settings: Settings, details: dict[str, Any]) -> str:
    return (
        f"Web chat: {settings.web_url}#token={details['owner_token']}\n"
        f"Demo owner's token: {details['owner_token']}\n"
        f"Demo owner's Telegram link code: /start {details['owner_link_code']}"
    )


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from ledger import clock
    from ledger.exports import journal_text, saft_file

    today = clock.today()
    with session_factory(settings.database_url).begin() as session:
        if session.get(Company, args.company) is None:
            raise LedgerError(f"no company {args.company}")
        if args.kind == "saft":
            data, name = saft_file(session, args.company, args.year or today.year, user_id="cli", created=today)
        else:
            first = dt.date.fromisoformat(args.date_from) if args.date_from else None
            last = dt.date.fromisoformat(args.date_to) if args.date_to else today
            data, name = journal_text(session, args.company, first, last).encode("utf-8"), "bokbot.journal"
    if args.out == "-":
        sys.stdout.buffer.write(data)
        return 0
    target = Path(args.out or name)
    target.write_bytes(data)
    print(f"Wrote {target} ({len(data)} bytes).", file=sys.stderr)
    return 0


def cmd_train(settings: Settings, args: argparse.Namespace) -> int:
    model = training.train(settings.models_dir, force=args.force)
    print(f"Model: {model}")
    return 0


def cmd_up(settings: Settings, args: argparse.Namespace) -> int:
    from bot.stack import ReplicasNeedSharedState, Stack, check_replicas

    try:
        check_replicas(settings, args.replicas)
    except ReplicasNeedSharedState as exc:
        print(f"bokbot: {exc}", file=sys.stderr)
        return 2
    upgrade(settings.database_url)
    details = ensure_demo(settings) if not args.no_demo else None
    model = training.model_path(settings.models_dir)
    if not model.exists():
        print("Training the assistant's model for the current training data (a few minutes)...")
    model = training.train(settings.models_dir)
    print("Starting Bokbot...")
    stack = Stack(settings, model, args.replicas)
    stack.start()
    print(f"\nBokbot is running. Web chat: {settings.web_url}")
    if args.replicas > 1:
        last = settings.gateway_port + args.replicas - 1
        print(f"{args.replicas} gateways listen on ports {settings.gateway_port}-{last}: put a reverse proxy in front.")
    if details:
        print(_sign_in_text(settings, details))
    print("Press Ctrl-C to stop.")
    stack.wait()
    return 0


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    from ledger.backup import backup

    target = backup(settings.database_url, Path(args.file))
    print(f"Backed up {_safe_url(settings.database_url)} into {target} ({target.stat().st_size} bytes).")
    return 0


def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    from ledger.backup import restore

    done = restore(settings.database_url, Path(args.file))
    moved = f", migrated from {done.revision} to {done.head}" if done.upgraded else f" (migration {done.head})"
    print(f"Restored {args.file} into {_safe_url(settings.database_url)}{moved}.")
    return 0


def cmd_shell(settings: Settings, args: argparse.Namespace) -> int:
    from channels.shell import run_shell

    token = args.token or (_read_demo(settings) or {}).get("owner_token")
    if not token:
        print("Give a token with --token (see `bokbot user add`).", file=sys.stderr)
        return 2
    return run_shell(args.url or settings.web_url, token)


def _safe_url(url: str) -> str:
    return url.split("@")[-1] if "@" in url else url


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="bokbot", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = p.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", help="start the gateway, Rasa server and action server")
    up.add_argument("--no-demo", action="store_true", help="do not create the demo company on an empty database")
    up.add_argument(
        "--replicas", type=int, default=1, metavar="N",
        help="N gateways, Rasa servers and action servers on consecutive ports (N>1 needs PostgreSQL and Redis)",
    )
    up.set_defaults(run=cmd_up)

    train = sub.add_parser("train", help="train the Rasa model into models/")
    train.add_argument("--force", action="store_true", help="train even if a model for this data exists")
    train.set_defaults(run=cmd_train)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply migrations to BOKBOT_DATABASE_URL").set_defaults(run=cmd_db_upgrade)

    demo = sub.add_parser("demo", help="create a demo company with customers, projects, hours and invoices")
    demo.add_argument("--json", action="store_true")
    demo.set_defaults(run=cmd_demo)

    company = sub.add_parser("company", help="companies")
    company_sub = company.add_subparsers(dest="company_command", required=True)
    create = company_sub.add_parser("create", help="create a company with the NS 4102 chart and its owner")
    create.add_argument("--name", required=True)
    create.add_argument("--orgnr")
    create.add_argument("--form", choices=["AS", "ENK"], default="AS")
    create.add_argument("--vat-registered", action="store_true")
    create.add_argument("--vat-term", choices=["bimonthly", "annual"], default="bimonthly")
    create.add_argument("--bank-account")
    create.add_argument("--address", help="street address, as invoices show it")
    create.add_argument("--postcode")
    create.add_argument("--city")
    create.add_argument("--owner", required=True, help="the owner's name")
    create.add_argument("--json", action="store_true")
    create.set_defaults(run=cmd_company_create)
    change = company_sub.add_parser("set", help="set a company's details (what its invoices must show)")
    change.add_argument("--company", type=int, required=True, help="the company's id")
    change.add_argument("--name")
    change.add_argument("--orgnr")
    change.add_argument("--address")
    change.add_argument("--postcode")
    change.add_argument("--city")
    change.add_argument("--bank-account", dest="bank_account")
    change.add_argument("--email")
    change.add_argument("--json", action="store_true")
    change.set_defaults(run=cmd_company_set)

    user = sub.add_parser("user", help="users")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    add = user_sub.add_parser("add", help="add a user to a company")
    add.add_argument("--company", type=int, required=True)
    add.add_argument("--name")
    add.add_argument("--email")
    add.add_argument("--role", choices=list(identity.ROLES), required=True)
    add.add_argument("--user", type=int, help="an existing user (e.g. an accountant) to add to this company")
    add.add_argument("--json", action="store_true")
    add.set_defaults(run=cmd_user_add)

    export = sub.add_parser("export", help="SAF-T Financial file or plain-text journal of a company")
    export.add_argument("kind", choices=["saft", "journal"], help="saft: SAF-T 1.30 XML; journal: hledger")
    export.add_argument("--company", type=int, required=True)
    export.add_argument("--year", type=int, help="the SAF-T year (default: this year)")
    export.add_argument("--from", dest="date_from", help="journal: first date (default: the first entry)")
    export.add_argument("--to", dest="date_to", help="journal: last date (default: today)")
    export.add_argument("--out", help="file to write (default: the standard file name; - for standard output)")
    export.set_defaults(run=cmd_export)

    backup = sub.add_parser("backup", help="back up the books into FILE (safe while Bokbot runs)")
    backup.add_argument("file", metavar="FILE")
    backup.set_defaults(run=cmd_backup)
    restore = sub.add_parser("restore", help="restore the backup FILE into an empty BOKBOT_DATABASE_URL")
    restore.add_argument("file", metavar="FILE")
    restore.set_defaults(run=cmd_restore)

    shell = sub.add_parser("shell", help="chat with the assistant in the terminal")
    shell.add_argument("--token")
    shell.add_argument("--url", help="the gateway's address (default: this installation's)")
    shell.set_defaults(run=cmd_shell)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = get_settings()
    try:
        code: int = args.run(settings, args)
    except LedgerError as exc:
        print(f"bokbot: {exc}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
