"""`/api/v1/companies/{cid}/expense-categories` (the words for spending and the account and
VAT code each means; a company can add its own) and `/api/v1/companies/{cid}/expenses`
(post money spent, once per `Idempotency-Key`; equipment over the capitalisation limit is a
fixed asset, `durable` answering whether it lasts 3 years or more where the category leaves
it open; the answer says whether the receipt is still missing); owner and accountant."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.orm import Session

from channels.api.body import idempotency_key, optional_bool, optional_date, optional_str, required_number, required_str
from channels.api.common import authorise, in_db, json_response, read_json
from channels.api.idempotent import respond_once
from ledger import clock
from ledger.attachments import is_missing_documentation
from ledger.expenses import ExpenseRule, add_expense_category, expense_categories, register_expense
from ledger.idempotency import Result
from ledger.models import JournalEntry
from ledger.permissions import Capability

routes = web.RouteTableDef()


def category_json(rule: ExpenseRule) -> dict[str, Any]:
    return {
        "keyword": rule.keyword,
        "account": rule.account,
        "vat_code": rule.vat_code,
        "needs_vehicle": rule.needs_vehicle,
        "note_nb": rule.note_nb,
        "note_en": rule.note_en,
        "company_specific": rule.company_specific,
    }


@routes.get("/api/v1/companies/{cid}/expense-categories")
async def categories(request: web.Request) -> web.Response:
    """The categories that apply to the company: its own first, then the defaults."""

    def read(session: Session) -> dict[str, Any]:
        _, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        return {"categories": [category_json(r) for r in expense_categories(session, company_id)]}

    return json_response(await in_db(request, read))


@routes.post("/api/v1/companies/{cid}/expense-categories")
async def add_category(request: web.Request) -> web.Response:
    """Teaches the company a word (`keyword`, `account`, `vat_code`, `needs_vehicle`,
    `note_nb`, `note_en`); its own word overrides a default with the same name."""
    body = await read_json(request)
    keyword = required_str(body, "keyword")
    account = required_str(body, "account")
    vat_code = required_str(body, "vat_code")
    needs_vehicle = optional_bool(body, "needs_vehicle", False)
    note_nb = optional_str(body, "note_nb")
    note_en = optional_str(body, "note_en")

    def write(session: Session) -> dict[str, Any]:
        _, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        rule = add_expense_category(
            session, company_id, keyword, account, vat_code,
            needs_vehicle=needs_vehicle, note_nb=note_nb, note_en=note_en,
        )
        return category_json(rule)

    return json_response(await in_db(request, write), status=201)


@routes.post("/api/v1/companies/{cid}/expenses")
async def add_expense(request: web.Request) -> web.Response:
    """Posts money spent (`amount` incl. VAT, `category`, `date`, `vendor`), once per
    `Idempotency-Key`; answers with the voucher and its lines."""
    key = idempotency_key(request, required=True)
    body = await read_json(request)
    amount = required_number(body, "amount")
    category = required_str(body, "category")
    day = optional_date(body, "date") or clock.today()
    vendor = optional_str(body, "vendor") or None
    durable = None if body.get("durable") is None else optional_bool(body, "durable", False)
    source = f"api:{key}"

    def work(session: Session, company_id: int, user_id: int) -> Result:
        posted = register_expense(
            session, company_id, amount, category, day, vendor, user_id, "api", source, durable=durable
        )
        return {"entry_id": posted.entry_id}

    def answer(session: Session, company_id: int, result: Result) -> dict[str, Any]:
        entry = session.get(JournalEntry, int(str(result["entry_id"])))
        assert entry is not None and entry.company_id == company_id
        return {
            "voucher": f"{entry.year}-{entry.voucher_number}",
            "date": entry.date,
            "description": entry.description,
            "lines": [
                {"account": line.account, "debit": line.debit, "credit": line.credit, "vat_code": line.vat_code}
                for line in entry.lines
            ],
            "missing_documentation": is_missing_documentation(session, company_id, entry.id),
        }

    return await respond_once(request, "api:expenses", body, key, work, answer)
