"""`GET /api/v1/companies/{cid}/journal?from=&to=`: the journal entries of a period with their
lines (owner and accountant)."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from channels.api.common import authorise, in_db, json_response, query_period
from ledger.models import JournalEntry, User
from ledger.workdays import today_in_oslo

routes = web.RouteTableDef()

READERS = ("owner", "accountant")


def _entry(entry: JournalEntry, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": entry.id,
        "year": entry.year,
        "voucher_number": entry.voucher_number,
        "date": entry.date,
        "description": entry.description,
        "channel": entry.channel,
        "source": entry.source,
        "created_at": entry.created_at,
        "created_by": names.get(entry.created_by_id) if entry.created_by_id else None,
        "reverses_id": entry.reverses_id,
        "lines": [
            {
                "account": line.account,
                "debit": line.debit,
                "credit": line.credit,
                "vat_code": line.vat_code,
                "vat_base": line.vat_base,
                "description": line.description,
                "customer_id": line.customer_id,
                "supplier_id": line.supplier_id,
                "project_id": line.project_id,
            }
            for line in entry.lines
        ],
    }


@routes.get("/api/v1/companies/{cid}/journal")
async def journal(request: web.Request) -> web.Response:
    """The entries dated `from` to `to` (default: this year so far), by date and voucher."""
    first, last = query_period(request, today_in_oslo())

    def read(session: Session) -> dict[str, Any]:
        _, company_id = authorise(session, request, *READERS)
        entries = session.scalars(
            select(JournalEntry)
            .where(JournalEntry.company_id == company_id, JournalEntry.date >= first, JournalEntry.date <= last)
            .options(selectinload(JournalEntry.lines))
            .order_by(JournalEntry.date, JournalEntry.voucher_number)
        ).all()
        user_ids = {e.created_by_id for e in entries if e.created_by_id}
        names = {u.id: u.name for u in session.scalars(select(User).where(User.id.in_(user_ids)))}
        return {"from": first, "to": last, "entries": [_entry(e, names) for e in entries]}

    return json_response(await in_db(request, read))
