"""`GET /api/v1/companies/{cid}/reports/{name}?from=&to=`: the books' reports as JSON (owner
and accountant): trial-balance, profit-and-loss, balance-sheet, receivables, payables, vat,
bank-balance, monthly-results and hours. `to` defaults to today (in Oslo) and `from` to
1 January of `to`'s year; the reports that are "at a date" use `to`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from aiohttp import web
from sqlalchemy.orm import Session

from channels.api.common import ApiError, authorise, in_db, json_response, query_period
from ledger import clock
from ledger.permissions import Capability
from ledger.reports.balance_sheet import BalanceLine, balance_sheet
from ledger.reports.balances import BANK_ACCOUNT, bank_balance
from ledger.reports.hours import HoursTotal, hours_report
from ledger.reports.monthly import monthly_results
from ledger.reports.payables import payables
from ledger.reports.profit_and_loss import ResultGroup, profit_and_loss
from ledger.reports.receivables import receivables_aging
from ledger.reports.trial_balance import trial_balance
from ledger.vat import VatReport, parse_term, vat_report, vat_reports_between

routes = web.RouteTableDef()

Period = tuple[dt.date, dt.date]
Report = Callable[[Session, int, Period, web.Request], dict[str, Any]]


def _trial_balance(session: Session, company_id: int, period: Period, request: web.Request) -> dict[str, Any]:
    tb = trial_balance(session, company_id, *period)
    return {
        "from": tb.date_from,
        "to": tb.date_to,
        "accounts": [
            {
                "account": r.account,
                "name_nb": r.name_nb,
                "name_en": r.name_en,
                "kind": r.kind,
                "opening": r.opening,
                "debit": r.debit,
                "credit": r.credit,
                "closing": r.closing,
            }
            for r in tb.rows
        ],
        "totals": {
            "opening": tb.total_opening,
            "debit": tb.total_debit,
            "credit": tb.total_credit,
            "closing": tb.total_closing,
        },
        "balanced": tb.balanced,
    }


def _group(g: ResultGroup) -> dict[str, Any]:
    return {
        "group": g.group,
        "name_nb": g.name_nb,
        "name_en": g.name_en,
        "amount": g.amount,
        "previous": g.previous,
        "accounts": [
            {
                "account": a.account,
                "name_nb": a.name_nb,
                "name_en": a.name_en,
                "amount": a.amount,
                "previous": a.previous,
            }
            for a in g.accounts
        ],
    }


def _profit_and_loss(session: Session, company_id: int, period: Period, request: web.Request) -> dict[str, Any]:
    pl = profit_and_loss(session, company_id, *period)
    return {
        "from": pl.date_from,
        "to": pl.date_to,
        "previous_from": pl.previous_from,
        "previous_to": pl.previous_to,
        "income": [_group(g) for g in pl.income],
        "costs": [_group(g) for g in pl.costs],
        "total_income": pl.total_income,
        "total_costs": pl.total_costs,
        "result": pl.result,
        "previous_total_income": pl.previous_total_income,
        "previous_total_costs": pl.previous_total_costs,
        "previous_result": pl.previous_result,
    }


def _lines(lines: tuple[BalanceLine, ...]) -> list[dict[str, Any]]:
    return [{"account": x.account, "name_nb": x.name_nb, "name_en": x.name_en, "amount": x.amount} for x in lines]


def _balance_sheet(session: Session, company_id: int, period: Period, request: web.Request) -> dict[str, Any]:
    bs = balance_sheet(session, company_id, period[1])
    return {
        "on": bs.on,
        "assets": _lines(bs.assets),
        "liabilities": _lines(bs.liabilities),
        "equity": _lines(bs.equity),
        "current_year_result": bs.current_year_result,
        "earlier_years_result": bs.earlier_years_result,
        "total_assets": bs.total_assets,
        "total_liabilities": bs.total_liabilities,
        "total_equity": bs.total_equity,
        "balanced": bs.balanced,
    }


def _receivables(session: Session, company_id: int, period: Period, request: web.Request) -> dict[str, Any]:
    aging = receivables_aging(session, company_id, period[1])
    return {
        "on": aging.on,
        "customers": [
            {
                "customer_id": c.customer_id,
                "customer_number": c.customer_number,
                "name": c.name,
                "buckets": c.buckets.as_dict(),
                "total": c.buckets.total,
                "invoices": [
                    {
                        "number": i.number,
                        "issue_date": i.issue_date,
                        "due_date": i.due_date,
                        "total": i.total,
                        "paid": i.paid,
                        "credited": i.credited,
                        "open": i.open_amount,
                        "days_overdue": i.days_overdue,
                        "bucket": i.bucket,
                    }
                    for i in c.invoices
                ],
            }
            for c in aging.customers
        ],
        "buckets": aging.totals.as_dict(),
        "total": aging.total,
    }


def _payables(session: Session, company_id: int, period: Period, request: web.Request) -> dict[str, Any]:
    owed = payables(session, company_id, period[1])
    return {
        "on": owed.on,
        "suppliers": [
            {"supplier_id": s.supplier_id, "supplier_number": s.supplier_number, "name": s.name, "amount": s.amount}
            for s in owed.suppliers
        ],
        "total": owed.total,
    }


def vat_report_json(report: VatReport) -> dict[str, Any]:
    return {
        "term": report.term.key,
        "kind": report.term.kind,
        "from": report.term.start,
        "to": report.term.end,
        "due_date": report.due_date,
        "vat_registered": report.vat_registered,
        "settled": report.settled,
        "lines": [
            {
                "code": line.code,
                "direction": line.direction,
                "rate": f"{line.rate:.2f}",
                "name_nb": line.name_nb,
                "name_en": line.name_en,
                "base": line.base,
                "vat": line.vat,
            }
            for line in report.lines
        ],
        "output_vat": report.output_vat,
        "input_vat": report.input_vat,
        "to_pay": report.to_pay,
    }


def _vat(session: Session, company_id: int, period: Period, request: web.Request) -> dict[str, Any]:
    """Per term overlapping the period, or the one `?term=2026-5`."""
    term = request.query.get("term")
    if term:
        reports = [vat_report(session, company_id, parse_term(term))]
    else:
        reports = vat_reports_between(session, company_id, *period)
    return {"terms": [vat_report_json(r) for r in reports]}


def _bank_balance(session: Session, company_id: int, period: Period, request: web.Request) -> dict[str, Any]:
    return {"account": BANK_ACCOUNT, "on": period[1], "balance": bank_balance(session, company_id, on=period[1])}


def _monthly(session: Session, company_id: int, period: Period, request: web.Request) -> dict[str, Any]:
    months = monthly_results(session, company_id, period[1].year)
    return {
        "year": period[1].year,
        "months": [{"month": m.month, "income": m.income, "costs": m.costs, "result": m.result} for m in months],
    }


def _hours_total(t: HoursTotal) -> dict[str, Any]:
    return {
        "id": t.id,
        "name": t.name,
        "hours": f"{t.hours:.2f}",
        "billable_hours": f"{t.billable_hours:.2f}",
        "invoiced_hours": f"{t.invoiced_hours:.2f}",
    }


def _hours(session: Session, company_id: int, period: Period, request: web.Request) -> dict[str, Any]:
    report = hours_report(session, company_id, *period)
    return {
        "from": period[0],
        "to": period[1],
        "rows": [
            {
                "user_id": r.user_id,
                "user_name": r.user_name,
                "project_id": r.project_id,
                "project_name": r.project_name,
                "hours": f"{r.hours:.2f}",
                "billable_hours": f"{r.billable_hours:.2f}",
                "invoiced_hours": f"{r.invoiced_hours:.2f}",
            }
            for r in report.rows
        ],
        "people": [_hours_total(t) for t in report.people],
        "projects": [_hours_total(t) for t in report.projects],
        "total": f"{report.total:.2f}",
    }


REPORTS: dict[str, Report] = {
    "trial-balance": _trial_balance,
    "profit-and-loss": _profit_and_loss,
    "balance-sheet": _balance_sheet,
    "receivables": _receivables,
    "payables": _payables,
    "vat": _vat,
    "bank-balance": _bank_balance,
    "monthly-results": _monthly,
    "hours": _hours,
}


@routes.get("/api/v1/companies/{cid}/reports/{name}")
async def report(request: web.Request) -> web.Response:
    """One report of the company for `from`..`to`."""
    name = request.match_info["name"]
    build = REPORTS.get(name)
    period = query_period(request, clock.today())

    def read(session: Session) -> dict[str, Any]:
        _, company_id = authorise(session, request, Capability.KEEP_BOOKS)
        if build is None:
            raise ApiError(404, "unknown_report", f"no report {name!r}; there are: {', '.join(REPORTS)}")
        return {"report": name, **build(session, company_id, period, request)}

    return json_response(await in_db(request, read))
