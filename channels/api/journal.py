"""`GET /api/v1/companies/{cid}/journal?from=&to=`: the journal entries of a period with their
lines; `POST .../journal/{voucher}/corrections`: correct a voucher (owner and accountant)."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from channels.api.body import idempotency_key
from channels.api.common import authorise, in_db, json_response, query_period
from channels.api.idempotent import respond_once
from ledger import clock
from ledger.corrections import correct_entry, find_voucher
from ledger.idempotency import Result
from ledger.models import JournalEntry, User
from ledger.permissions import Capability

routes = web.RouteTableDef()



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
    first, last = query_period(request, clock.today())

    def read(session: Session) -> dict[str, Any]:
        _, company_id = authorise(session, request, Capability.KEEP_BOOKS)
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


@routes.post(r"/api/v1/companies/{cid}/journal/{voucher:\d{4}-\d{1,9}}/corrections")
async def correct(request: web.Request) -> web.Response:
    """Corrects one voucher by the ledger's one policy (an invoice is credited, a payment
    reversed, anything else reversed); once per `Idempotency-Key`."""
    voucher = request.match_info["voucher"]
    key = idempotency_key(request, required=False)

    def work(session: Session, company_id: int, user_id: int) -> Result:
        entry = find_voucher(session, company_id, voucher)
        done = correct_entry(session, entry, user_id=user_id, channel="api", source=f"api:{key}" if key else "")
        return {
            "kind": done.kind,
            "voucher": done.voucher,
            "reversal": done.reversal,
            "amount": done.amount,
            "invoice_number": done.invoice_number,
            "credit_note_number": done.credit_note_number,
        }

    def answer(session: Session, company_id: int, result: Result) -> dict[str, Any]:
        return dict(result)

    return await respond_once(request, "api:corrections", {"voucher": voucher}, key, work, answer)
