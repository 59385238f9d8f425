"""`GET /api/v1/openapi.json`: the REST API described as an OpenAPI 3.1 document.

The document is data, written out below: every `/api/v1` route of the API contract with its
parameters, bodies and answers. A test checks that each route mounted on the gateway appears
here, so a new route cannot ship undocumented.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

routes = web.RouteTableDef()


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def json_body(schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    return {"description": description or "OK", "content": {"application/json": {"schema": schema}}}


def query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


def path(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema or {"type": "integer"},
    }


CID = path("cid", "The company's id (a company the token's user does not belong to is 404).")
NUMBER = path("number", "The invoice's number in the company's series.")
FROM = query("from", "First day (YYYY-MM-DD); default 1 January of `to`'s year.", {"type": "string", "format": "date"})
TO = query("to", "Last day (YYYY-MM-DD); default today in Oslo.", {"type": "string", "format": "date"})
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "The same key twice posts once and returns the first result; other content is 409.",
    "schema": {"type": "string", "maxLength": 200},
}

ERRORS = {
    "400": {"$ref": "#/components/responses/BadRequest"},
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "403": {"$ref": "#/components/responses/Forbidden"},
    "404": {"$ref": "#/components/responses/NotFound"},
    "422": {"$ref": "#/components/responses/Refused"},
}


def operation(
    summary: str,
    response: dict[str, Any],
    *,
    parameters: list[dict[str, Any]] | None = None,
    body: dict[str, Any] | None = None,
    tag: str,
    status: str = "200",
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "tags": [tag],
        "parameters": parameters or [],
        "responses": {status: response, **(extra or {}), **ERRORS},
    }
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return op


MONEY = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "description": 'NOK with two decimals, e.g. "6250.00".'}
HOURS = {"type": "string", "pattern": r"^\d+\.\d{2}$", "description": 'Hours with two decimals, e.g. "7.50".'}
DATE = {"type": "string", "format": "date"}
REMINDER_KIND = {
    "type": "string",
    "enum": [
        "mva", "a-melding", "aksjonaerregisteroppgave", "skattemelding", "generalforsamling", "arsregnskap",
        "invoice", "all",
    ],
}
REMINDER_SETTINGS = {
    "type": "object",
    "properties": {
        "lead_days": {"type": "array", "items": {"type": "integer"}, "description": "Days before a due date."},
        "reminders": {
            "type": "array",
            "items": {"type": "object", "properties": {"kind": REMINDER_KIND, "muted": {"type": "boolean"}}},
        },
        "kind": REMINDER_KIND,
        "muted": {"type": "boolean"},
    },
}
EXPENSE_CATEGORY = {
    "type": "object",
    "properties": {
        "keyword": {"type": "string"},
        "account": {"type": "string"},
        "vat_code": {"type": "string"},
        "needs_vehicle": {"type": "boolean"},
        "note_nb": {"type": "string"},
        "note_en": {"type": "string"},
        "company_specific": {"type": "boolean"},
    },
}

SCHEMAS: dict[str, Any] = {
    "Money": MONEY,
    "Hours": HOURS,
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            }
        },
    },
    "Me": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "language": {"type": "string", "enum": ["nb", "en"]},
            "active_company_id": {"type": ["integer", "null"]},
            "telegram_linked": {"type": "boolean"},
            "companies": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "orgnr": {"type": ["string", "null"]},
                        "role": {"type": "string", "enum": ["owner", "accountant", "staff"]},
                    },
                },
            },
        },
    },
    "ChatRequest": {
        "type": "object",
        "required": ["text"],
        "properties": {
            "text": {"type": "string"},
            "company_id": {"type": "integer"},
            "message_id": {"type": "string", "description": "The same id twice answers once and posts once."},
        },
    },
    "ChatReply": {
        "type": "object",
        "properties": {
            "transcript": {"type": "string", "description": "Voice turns only: what was heard."},
            "language": {"type": "string", "enum": ["nb", "en"], "description": "Voice turns only: language heard."},
            "audio": {
                "type": ["string", "null"],
                "description": "Voice turns only: the reply spoken (OGG Opus, a data: address); null if silent.",
            },
            "messages": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "text": {"type": "string"},
                        "buttons": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {"title": {"type": "string"}, "payload": {"type": "string"}},
                            },
                        },
                        "image": {"type": "string"},
                        "attachment": {"type": "string"},
                    },
                },
            },
        },
    },
    "CustomerInput": {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string"},
            "orgnr": {"type": "string", "pattern": r"^\d{9}$"},
            "email": {"type": "string"},
            "address": {"type": "string"},
            "postcode": {"type": "string"},
            "city": {"type": "string"},
            "hourly_rate": MONEY,
        },
    },
    "Customer": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "number": {"type": "integer"},
            "name": {"type": "string"},
            "orgnr": {"type": ["string", "null"]},
            "email": {"type": "string"},
            "address": {"type": "string"},
            "postcode": {"type": "string"},
            "city": {"type": "string"},
            "hourly_rate": {"oneOf": [MONEY, {"type": "null"}]},
        },
    },
    "ProjectInput": {
        "type": "object",
        "required": ["name"],
        "properties": {"name": {"type": "string"}, "customer_id": {"type": "integer"}, "hourly_rate": MONEY},
    },
    "Project": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "customer_id": {"type": ["integer", "null"]},
            "hourly_rate": {"oneOf": [MONEY, {"type": "null"}]},
            "active": {"type": "boolean"},
        },
    },
    "Resolution": {
        "type": "object",
        "properties": {
            "said": {"type": "string"},
            "outcome": {"type": "string", "enum": ["exact", "one", "several"]},
            "candidates": {"type": "array", "items": {"type": "object"}},
        },
    },
    "TimeEntryInput": {
        "type": "object",
        "required": ["date", "hours", "project_id"],
        "properties": {
            "date": DATE,
            "hours": {"type": ["string", "number"]},
            "project_id": {"type": "integer"},
            "description": {"type": "string"},
            "billable": {"type": "boolean"},
            "user_id": {"type": "integer"},
        },
    },
    "TimeEntry": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "date": DATE,
            "hours": HOURS,
            "project_id": {"type": "integer"},
            "user_id": {"type": "integer"},
            "description": {"type": "string"},
            "billable": {"type": "boolean"},
            "invoiced": {"type": "boolean"},
        },
    },
    "InvoiceLineInput": {
        "type": "object",
        "required": ["description", "quantity", "unit_price"],
        "properties": {
            "description": {"type": "string"},
            "quantity": {"type": ["string", "number"]},
            "unit_price": {"type": ["string", "number"]},
            "vat_code": {"type": "string", "enum": ["3", "31", "33", "5", "6"]},
            "project_id": {"type": "integer"},
        },
    },
    "InvoiceInput": {
        "type": "object",
        "required": ["customer_id", "lines"],
        "properties": {
            "customer_id": {"type": "integer"},
            "lines": {"type": "array", "minItems": 1, "items": ref("InvoiceLineInput")},
            "issue_date": DATE,
            "delivery_from": {**DATE, "description": "First day delivered; default the issue date."},
            "delivery_to": {**DATE, "description": "Last day delivered; default delivery_from."},
        },
    },
    "CreditInput": {
        "type": "object",
        "description": (
            "Nothing: all that is left of the invoice. `lines`: those lines (all that is left of each, a "
            "`quantity` or an `amount` before VAT of it); `hours`: that many off the line of hours; `amount`: "
            "that much before VAT off the one line. What was paid beyond what is left owed is paid back only "
            "with `refund`."
        ),
        "properties": {
            "date": DATE,
            "lines": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["line"],
                    "properties": {
                        "line": {"type": "integer", "minimum": 1, "description": "The line's place, from 1."},
                        "quantity": {"type": ["string", "number"]},
                        "amount": {"type": ["string", "number"]},
                    },
                },
            },
            "hours": {"type": ["string", "number"]},
            "amount": {"type": ["string", "number"]},
            "refund": {"type": "boolean"},
        },
    },
    "CompanyInput": {
        "type": "object",
        "additionalProperties": False,
        "minProperties": 1,
        "description": "What an invoice must show of its seller (bokføringsforskriften § 5-1-1).",
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "address": {"type": "string", "minLength": 1},
            "postcode": {"type": "string", "minLength": 1},
            "city": {"type": "string", "minLength": 1},
            "email": {"type": "string"},
            "orgnr": {"type": "string", "pattern": r"^\d{9}$"},
            "bank_account": {"type": "string", "pattern": r"^\d{11}$"},
        },
    },
    "Company": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "form": {"type": "string", "enum": ["AS", "ENK"]},
            "orgnr": {"type": ["string", "null"]},
            "vat_registered": {"type": "boolean"},
            "address": {"type": "string"},
            "postcode": {"type": "string"},
            "city": {"type": "string"},
            "email": {"type": "string"},
            "bank_account": {"type": ["string", "null"]},
        },
    },
    "Correction": {
        "type": "object",
        "description": "What correcting a voucher did; posted vouchers are never changed.",
        "properties": {
            "kind": {"type": "string", "enum": ["credited", "credit_note_final", "payment_reversed", "reversed"]},
            "voucher": {"type": "string", "description": "The corrected voucher, YYYY-N."},
            "reversal": {"type": "string", "description": "The correcting voucher, YYYY-N; empty if none."},
            "amount": MONEY,
            "invoice_number": {"type": ["integer", "null"]},
            "credit_note_number": {"type": ["integer", "null"]},
        },
    },
    "Invoice": {
        "type": "object",
        "properties": {
            "number": {"type": "integer"},
            "kind": {"type": "string", "enum": ["invoice", "credit_note"]},
            "customer_id": {"type": "integer"},
            "issue_date": DATE,
            "due_date": DATE,
            "kid": {"type": "string"},
            "delivery_from": {**DATE, "description": "First day delivered (billed hours: the first worked)."},
            "delivery_to": {**DATE, "description": "Last day delivered; equal to delivery_from for one day."},
            "net": MONEY,
            "vat": MONEY,
            "total": MONEY,
            "credited": {**MONEY, "description": "What credit notes took off it so far."},
            "status": {"type": "string", "enum": ["draft", "sent", "unpaid", "paid", "credited", "issued"]},
            "lines": {
                "type": "array",
                "description": "Each line's `vat` is its share of its rate's VAT: the lines add up to `vat`.",
                "items": {"type": "object"},
            },
        },
    },
    "PaymentInput": {
        "type": "object",
        "required": ["amount"],
        "properties": {"amount": {"type": ["string", "number"]}, "date": DATE},
    },
    "JournalLine": {
        "type": "object",
        "properties": {
            "account": {"type": "string", "pattern": r"^\d{4}$"},
            "debit": MONEY,
            "credit": MONEY,
            "vat_code": {"type": ["string", "null"]},
            "vat_base": {"oneOf": [MONEY, {"type": "null"}]},
            "description": {"type": "string"},
            "customer_id": {"type": ["integer", "null"]},
            "supplier_id": {"type": ["integer", "null"]},
            "project_id": {"type": ["integer", "null"]},
        },
    },
    "JournalEntry": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "year": {"type": "integer"},
            "voucher_number": {"type": "integer"},
            "date": DATE,
            "description": {"type": "string"},
            "channel": {"type": "string"},
            "source": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
            "created_by": {"type": ["string", "null"]},
            "reverses_id": {"type": ["integer", "null"]},
            "lines": {"type": "array", "items": ref("JournalLine")},
        },
    },
    "Journal": {
        "type": "object",
        "properties": {"from": DATE, "to": DATE, "entries": {"type": "array", "items": ref("JournalEntry")}},
    },
    "Report": {
        "type": "object",
        "required": ["report"],
        "description": (
            "`report` names the report; the rest depends on it. trial-balance: accounts (account, opening, "
            "debit, credit, closing), totals, balanced. profit-and-loss: income and costs by group with the "
            "same period last year, result. balance-sheet: assets, liabilities, equity, this and earlier "
            "years' result. receivables: customers with buckets not_due, 0-30, 31-60, 61-90, 90+ and their "
            "open invoices. payables: suppliers and amounts. vat: terms with lines per code (base, vat), "
            "output_vat, input_vat, to_pay, due_date. bank-balance: account, on, balance. monthly-results: "
            "months with income, costs, result. hours: per person and project."
        ),
        "properties": {"report": {"type": "string"}},
        "additionalProperties": True,
    },
    "VatTermStatus": {
        "type": "object",
        "properties": {"term": {"type": "string"}, "start": DATE, "end": DATE, "due_date": DATE},
    },
    "ClientFigures": {
        "type": "object",
        "properties": {
            "company_id": {"type": "integer"},
            "name": {"type": "string"},
            "role": {"type": "string", "enum": ["owner", "accountant"]},
            "bank_balance": MONEY,
            "receivables": {
                "type": "object",
                "properties": {
                    "total": MONEY,
                    "overdue": MONEY,
                    "buckets": {
                        "type": "object",
                        "description": 'Open amounts by days past due: "not_due", "0-30", "31-60", "61-90", "90+".',
                        "additionalProperties": MONEY,
                    },
                },
            },
            "vat": {
                "description": "The last VAT term that has ended; null when the company is not VAT-registered.",
                "oneOf": [
                    {"type": "null"},
                    {
                        "allOf": [ref("VatTermStatus")],
                        "type": "object",
                        "properties": {
                            "to_pay": MONEY,
                            "settled": {"type": "boolean"},
                            "running": {
                                "allOf": [ref("VatTermStatus")],
                                "type": "object",
                                "properties": {"to_pay": MONEY},
                            },
                            "late_terms": {"type": "array", "items": ref("VatTermStatus")},
                        },
                    },
                ],
            },
            "next_deadline": {"oneOf": [{"type": "null"}, ref("Deadline")]},
            "unbilled_hours": HOURS,
            "unbilled_amount": MONEY,
            "result_this_year": MONEY,
            "concerns": {
                "type": "array",
                "description": "What needs attention, most urgent first.",
                "items": {
                    "type": "string",
                    "enum": [
                        "vat_late",
                        "bank_negative",
                        "deadline_soon",
                        "overdue_90",
                        "overdue",
                        "vat_unsettled",
                        "loss",
                        "unbilled",
                    ],
                },
            },
        },
    },
    "ClientsOverview": {
        "type": "object",
        "properties": {
            "today": DATE,
            "order": {"type": "string"},
            "companies": {"type": "array", "items": ref("ClientFigures")},
        },
    },
    "Deadline": {
        "type": "object",
        "properties": {
            "kind": {
                "type": "string",
                "enum": [
                    "mva",
                    "a-melding",
                    "aksjonaerregisteroppgave",
                    "skattemelding",
                    "generalforsamling",
                    "arsregnskap",
                ],
            },
            "due_date": DATE,
            "statutory_date": DATE,
            "period": {"type": "string", "description": "A VAT term (2026-5), a month (2026-10) or a year (2025)."},
            "late_fee_rule": {
                "oneOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "properties": {
                            "code": {"type": "string"},
                            "law": {"type": "string"},
                            "steps": {"type": "array", "items": {"type": "object"}},
                            "max_rettsgebyr": {"type": "integer"},
                            "rettsgebyr": MONEY,
                            "rettsgebyr_year": {
                                "type": "integer",
                                "description": "The year whose rettsgebyr was used.",
                            },
                            "fee_year": {
                                "type": "integer",
                                "description": "The due date's year; when it differs from rettsgebyr_year, "
                                "that year's figure is not known yet and the latest earlier one was used.",
                            },
                            "rettsgebyr_source": {"type": "string"},
                            "max_fee": MONEY,
                        },
                    },
                ]
            },
        },
    },
    "Deadlines": {
        "type": "object",
        "properties": {"today": DATE, "deadlines": {"type": "array", "items": ref("Deadline")}},
    },
    "VatSettlement": {
        "type": "object",
        "properties": {
            "term": {"type": "string"},
            "entry_id": {"type": ["integer", "null"]},
            "amount": MONEY,
            "closed_through": DATE,
            "report": {"type": "object", "description": "The term's VAT report, as in reports/vat."},
        },
    },
    "VendorRule": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "vendor": {"type": "string", "description": "The vendor's name as last seen."},
            "vendor_key": {"type": "string", "description": "The name as rules know it."},
            "category": {"type": "string", "description": "The expense category word it came from, or empty."},
            "account": {"type": "string"},
            "vat_code": {"type": "string", "description": "A purchase VAT code (1, 11, 13 or 0)."},
            "times_used": {"type": "integer"},
        },
    },
    "BankImport": {
        "type": "object",
        "description": "The statement's lines, which were matched to which invoices, and what was posted.",
        "additionalProperties": True,
    },
}

REPORT_NAMES = [
    "trial-balance",
    "profit-and-loss",
    "balance-sheet",
    "receivables",
    "payables",
    "vat",
    "bank-balance",
    "monthly-results",
    "hours",
]

PATHS: dict[str, Any] = {
    "/api/v1/openapi.json": {
        "get": {
            "summary": "This document",
            "tags": ["meta"],
            "security": [],
            "responses": {"200": json_body({"type": "object"})},
        }
    },
    "/api/v1/me": {
        "get": operation("The user, the companies they may act for, their role in each", json_body(ref("Me")), tag="me")
    },
    "/api/v1/me/clients/overview": {
        "get": operation(
            "Per company whose books the user keeps (owner, accountant): bank balance, receivables and overdue, "
            "VAT of the last term with its due date, next deadline, unbilled hours, result this year",
            json_body(ref("ClientsOverview")),
            parameters=[
                query(
                    "order",
                    "attention (what needs attention first; the default), balance, unpaid, vat, deadlines, "
                    "unbilled or result.",
                    {
                        "type": "string",
                        "enum": ["attention", "balance", "unpaid", "vat", "deadlines", "unbilled", "result"],
                    },
                )
            ],
            tag="me",
        )
    },
    "/api/v1/chat": {
        "post": operation(
            "One chat turn as the token's user", json_body(ref("ChatReply")), body=ref("ChatRequest"), tag="chat"
        )
    },
    "/api/v1/chat/voice": {
        "post": {
            "summary": "One spoken chat turn: what was heard, the answer, and the answer spoken",
            "description": (
                "The body is the audio itself, at most 30 seconds. Audio that cannot be heard is refused "
                "(the error's message is a sentence for the person) and changes nothing. `audio` is the "
                "reply spoken, OGG Opus as a data: address."
            ),
            "tags": ["chat"],
            "parameters": [
                query("company_id", "The company to act for; default the user's active one.", {"type": "integer"}),
                query("language", "What the person speaks, if known; default: heard from the audio.",
                      {"type": "string", "enum": ["nb", "en"]}),
                query("message_id", "The channel's id of the message: the same id twice answers once.",
                      {"type": "string", "maxLength": 200}),
            ],
            "requestBody": {
                "required": True,
                "content": {
                    kind: {"schema": {"type": "string", "format": "binary"}}
                    for kind in ("audio/ogg", "audio/webm", "audio/wav")
                },
            },
            "responses": {
                "200": json_body(ref("ChatReply")),
                "413": json_body(ref("Error"), "Longer than 30 seconds or 5 MB"),
                "415": json_body(ref("Error"), "Not a format we read (OGG, WebM or WAV)"),
                "503": json_body(ref("Error"), "The assistant is not answering right now"),
                **ERRORS,
            },
        }
    },
    "/api/v1/chat/files": {
        "post": {
            "summary": "A file sent into the conversation (bank statement or receipt), answered like a chat turn",
            "description": (
                "The file's kind is found from its content: a bank statement (camt.053, camt.054 or CSV) or a "
                "receipt (JPEG, PNG, HEIC, WebP or PDF), at most 10 MB. The answer is a chat turn, and the next "
                "message continues it (\"ja\" posts what a statement's summary proposed). A refused file changes "
                "nothing; the error's message is a sentence for the person. The same `message_id` with the same "
                "file and text answers once; with other content it is 409."
            ),
            "tags": ["chat"],
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["file"],
                            "properties": {
                                "file": {"type": "string", "format": "binary"},
                                "company_id": {"type": "integer"},
                                "text": {"type": "string", "description": "Words sent with the file."},
                                "message_id": {"type": "string", "maxLength": 200},
                                "channel": {"type": "string", "enum": ["api", "web"]},
                            },
                        }
                    }
                },
            },
            "responses": {
                "200": json_body(ref("ChatReply")),
                "409": json_body(ref("Error"), "The message id was used for other content, or is being answered"),
                "413": json_body(ref("Error"), "Larger than 10 MB"),
                "415": json_body(ref("Error"), "Not a bank statement or a receipt"),
                "503": json_body(ref("Error"), "The assistant is not answering right now"),
                **ERRORS,
            },
        }
    },
    "/api/v1/companies/{cid}": {
        "patch": operation(
            "Change the company's details, which its invoices must show (fields left out stay as they are)",
            json_body(ref("Company")),
            parameters=[CID],
            body=ref("CompanyInput"),
            tag="companies",
        )
    },
    "/api/v1/companies/{cid}/customers": {
        "get": operation(
            "The company's customers",
            json_body({"type": "array", "items": ref("Customer")}),
            parameters=[CID],
            tag="customers",
        ),
        "post": operation(
            "Create a customer",
            json_body(ref("Customer")),
            parameters=[CID],
            body=ref("CustomerInput"),
            tag="customers",
            status="201",
        ),
    },
    "/api/v1/companies/{cid}/customers/resolve": {
        "get": operation(
            "Which customer a name as said means",
            json_body(ref("Resolution")),
            parameters=[CID, query("name", "The name as said.")],
            tag="customers",
        )
    },
    "/api/v1/companies/{cid}/customers/{customer_id}": {
        "get": operation(
            "One customer",
            json_body(ref("Customer")),
            parameters=[CID, path("customer_id", "The customer's id.")],
            tag="customers",
        ),
        "patch": operation(
            "Change a customer's details (fields left out stay as they are)",
            json_body(ref("Customer")),
            parameters=[CID, path("customer_id", "The customer's id.")],
            body={
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "orgnr": {"type": ["string", "null"], "pattern": r"^\d{9}$"},
                    "email": {"type": "string"},
                    "address": {"type": "string"},
                    "postcode": {"type": "string"},
                    "city": {"type": "string"},
                },
            },
            tag="customers",
        ),
    },
    "/api/v1/companies/{cid}/projects": {
        "get": operation(
            "The company's projects",
            json_body({"type": "array", "items": ref("Project")}),
            parameters=[CID, query("customer_id", "Only this customer's.", {"type": "integer"})],
            tag="projects",
        ),
        "post": operation(
            "Create a project",
            json_body(ref("Project")),
            parameters=[CID],
            body=ref("ProjectInput"),
            tag="projects",
            status="201",
        ),
    },
    "/api/v1/companies/{cid}/projects/resolve": {
        "get": operation(
            "Which project a name as said means",
            json_body(ref("Resolution")),
            parameters=[CID, query("name", "The name as said.")],
            tag="projects",
        )
    },
    "/api/v1/companies/{cid}/projects/{project_id}": {
        "get": operation(
            "One project",
            json_body(ref("Project")),
            parameters=[CID, path("project_id", "The project's id.")],
            tag="projects",
        )
    },
    "/api/v1/companies/{cid}/time-entries": {
        "get": operation(
            "Hours logged (staff: their own)",
            json_body({"type": "array", "items": ref("TimeEntry")}),
            parameters=[
                CID,
                FROM,
                TO,
                query("user_id", "Only this person's.", {"type": "integer"}),
                query("project_id", "Only this project's.", {"type": "integer"}),
            ],
            tag="time",
        ),
        "post": operation(
            "Log hours",
            json_body(ref("TimeEntry")),
            parameters=[CID, IDEMPOTENCY_KEY],
            body=ref("TimeEntryInput"),
            tag="time",
            status="201",
        ),
    },
    "/api/v1/companies/{cid}/invoices": {
        "get": operation(
            "Invoices and credit notes",
            json_body({"type": "array", "items": ref("Invoice")}),
            parameters=[
                CID,
                query(
                    "status", "Only these.", {"type": "string", "enum": ["draft", "sent", "unpaid", "paid", "credited"]}
                ),
            ],
            tag="invoices",
        ),
        "post": operation(
            "Issue and post an invoice",
            json_body(ref("Invoice"), "Issued"),
            parameters=[CID, IDEMPOTENCY_KEY],
            body=ref("InvoiceInput"),
            tag="invoices",
            status="201",
            extra={"200": json_body(ref("Invoice"), "The same key again: the first invoice, nothing posted")},
        ),
    },
    "/api/v1/companies/{cid}/invoices/{number}": {
        "get": operation("One invoice", json_body(ref("Invoice")), parameters=[CID, NUMBER], tag="invoices")
    },
    "/api/v1/companies/{cid}/invoices/{number}.pdf": {
        "get": {
            "summary": "The invoice as PDF",
            "tags": ["invoices"],
            "parameters": [CID, NUMBER],
            "responses": {
                "200": {
                    "description": "PDF",
                    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
                },
                **ERRORS,
            },
        }
    },
    "/api/v1/companies/{cid}/invoices/{number}.xml": {
        "get": {
            "summary": "The invoice as EHF (PEPPOL BIS Billing 3.0) XML",
            "tags": ["invoices"],
            "parameters": [CID, NUMBER],
            "responses": {
                "200": {"description": "UBL XML", "content": {"application/xml": {"schema": {"type": "string"}}}},
                **ERRORS,
            },
        }
    },
    "/api/v1/companies/{cid}/invoices/{number}/payments": {
        "post": operation(
            "Register a payment",
            json_body({"type": "object"}),
            parameters=[CID, NUMBER, IDEMPOTENCY_KEY],
            body=ref("PaymentInput"),
            tag="invoices",
            status="201",
        )
    },
    "/api/v1/companies/{cid}/invoices/{number}/credit-notes": {
        "post": operation(
            "Credit all or part of the invoice, paying back what was paid with `refund`",
            json_body(ref("Invoice")),
            parameters=[CID, NUMBER, IDEMPOTENCY_KEY],
            body=ref("CreditInput"),
            tag="invoices",
            status="201",
        )
    },
    "/api/v1/companies/{cid}/invoices/{number}/sent": {
        "post": operation(
            "Record that the invoice went to the customer",
            json_body(ref("Invoice")),
            parameters=[CID, NUMBER],
            tag="invoices",
        )
    },
    "/api/v1/companies/{cid}/journal": {
        "get": operation(
            "Journal entries with their lines (owner, accountant)",
            json_body(ref("Journal")),
            parameters=[CID, FROM, TO],
            tag="books",
        )
    },
    "/api/v1/companies/{cid}/journal/{voucher}/corrections": {
        "post": operation(
            "Correct a voucher: an invoice is credited, a payment reversed, anything else reversed",
            json_body(ref("Correction"), "Corrected"),
            parameters=[CID, path("voucher", "The voucher, YYYY-N (e.g. 2026-14)."), IDEMPOTENCY_KEY],
            tag="journal",
            status="201",
        )
    },
    "/api/v1/companies/{cid}/reports/{name}": {
        "get": operation(
            "A report (owner, accountant)",
            json_body(ref("Report")),
            parameters=[
                CID,
                path("name", "Which report.", {"type": "string", "enum": REPORT_NAMES}),
                FROM,
                TO,
                query("term", "vat only: one term, e.g. 2026-5 or 2026-annual."),
            ],
            tag="books",
        )
    },
    "/api/v1/companies/{cid}/vat/{term}/settlement": {
        "post": operation(
            "Settle a VAT term: move 2700 and 2710 to 2740 and close its period (owner, accountant)",
            json_body(ref("VatSettlement"), "Settled"),
            parameters=[CID, path("term", "The term: 2026-5 (bimonthly) or 2026-annual.", {"type": "string"})],
            tag="books",
            status="201",
        )
    },
    "/api/v1/companies/{cid}/deadlines": {
        "get": operation(
            "Upcoming statutory deadlines (owner, accountant)",
            json_body(ref("Deadlines")),
            parameters=[CID, query("days", "How far ahead (1–3660, default 365).", {"type": "integer"})],
            tag="books",
        )
    },
    "/api/v1/companies/{cid}/reminders": {
        "get": operation(
            "Which deadline reminders the user gets on Telegram in the company, per kind (owner, accountant)",
            json_body(REMINDER_SETTINGS),
            parameters=[CID],
            tag="books",
        )
    },
    "/api/v1/companies/{cid}/reminders/{kind}": {
        "put": operation(
            "Mute or unmute one kind of deadline reminder for the user (7 and 1 days before it falls due)",
            json_body(REMINDER_SETTINGS),
            parameters=[CID, path("kind", "A reminder kind, or all for every kind.", REMINDER_KIND)],
            body={"type": "object", "required": ["muted"], "properties": {"muted": {"type": "boolean"}}},
            tag="books",
        )
    },
    "/api/v1/companies/{cid}/expense-categories": {
        "get": operation(
            "The words for spending and the account and VAT code each means (owner, accountant)",
            json_body({"type": "object", "properties": {"categories": {"type": "array", "items": EXPENSE_CATEGORY}}}),
            parameters=[CID],
            tag="costs",
        ),
        "post": operation(
            "Teach the company a word for spending; it overrides a default of the same word (owner, accountant)",
            json_body(EXPENSE_CATEGORY, "Added"),
            parameters=[CID],
            body={
                "type": "object",
                "required": ["keyword", "account", "vat_code"],
                "properties": {
                    "keyword": {"type": "string"},
                    "account": {"type": "string", "pattern": r"^\d{4}$"},
                    "vat_code": {"type": "string", "enum": ["0", "1", "11", "13"]},
                    "needs_vehicle": {"type": "boolean"},
                    "note_nb": {"type": "string"},
                    "note_en": {"type": "string"},
                },
            },
            tag="costs",
            status="201",
        ),
    },
    "/api/v1/companies/{cid}/expenses": {
        "post": operation(
            "Post money spent, VAT included, by category (owner, accountant); once per Idempotency-Key",
            json_body(
                {
                    "type": "object",
                    "properties": {
                        "voucher": {"type": "string"},
                        "date": DATE,
                        "description": {"type": "string"},
                        "lines": {"type": "array", "items": {"type": "object"}},
                        "missing_documentation": {
                            "type": "boolean",
                            "description": "No receipt is kept with it yet: POST it to "
                            "journal/{voucher}/attachments.",
                        },
                    },
                },
                "Posted (200 for a repeated key)",
            ),
            parameters=[CID, IDEMPOTENCY_KEY],
            body={
                "type": "object",
                "required": ["amount", "category"],
                "properties": {
                    "amount": MONEY,
                    "category": {"type": "string", "description": 'As said: "drivstoff", "lunsj med kunde".'},
                    "date": DATE,
                    "vendor": {"type": "string"},
                    "durable": {
                        "type": "boolean",
                        "description": "Whether equipment lasts 3 years or more. Equipment costing the "
                        "capitalisation limit or more without VAT (NOK 30 000 from 2024, 15 000 before) is posted "
                        "as a fixed asset (12xx) unless this is false; where the category leaves it open (tools) "
                        "it is required, else 422 equipment_life_unknown.",
                    },
                },
            },
            tag="costs",
            status="201",
        )
    },
    "/api/v1/companies/{cid}/export/saft": {
        "get": {
            "summary": "SAF-T Financial 1.30 XML of a year (owner, accountant)",
            "tags": ["exports"],
            "parameters": [CID, query("year", "The year (default this year).", {"type": "integer"})],
            "responses": {
                "200": {"description": "SAF-T XML", "content": {"application/xml": {"schema": {"type": "string"}}}},
                **ERRORS,
            },
        }
    },
    "/api/v1/companies/{cid}/export/journal": {
        "get": {
            "summary": "The books as a plain-text journal for hledger and ledger-cli (owner, accountant)",
            "tags": ["exports"],
            "parameters": [
                CID,
                query(
                    "format", "hledger (ledger-cli reads the same).", {"type": "string", "enum": ["hledger", "ledger"]}
                ),
                query("from", "First day; balances before it become one opening entry.", DATE),
                TO,
            ],
            "responses": {
                "200": {"description": "Journal text", "content": {"text/plain": {"schema": {"type": "string"}}}},
                **ERRORS,
            },
        }
    },
    "/api/v1/companies/{cid}/bank/statements": {
        "post": {
            "summary": "Import a bank statement (camt.053 XML or CSV) and match payments to invoices",
            "tags": ["bank"],
            "parameters": [CID, query("post", "Post the matched payments (default true).", {"type": "boolean"})],
            "requestBody": {
                "required": True,
                "content": {
                    "application/xml": {"schema": {"type": "string"}},
                    "text/csv": {"schema": {"type": "string"}},
                    "multipart/form-data": {
                        "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
                    },
                },
            },
            "responses": {"200": json_body(ref("BankImport")), **ERRORS},
        }
    },
    "/api/v1/companies/{cid}/vendor-rules": {
        "get": operation(
            "The vendor rules the assistant learned: a vendor's account and VAT code, proposed again next time",
            json_body(
                {"type": "object", "properties": {"vendor_rules": {"type": "array", "items": ref("VendorRule")}}}
            ),
            parameters=[CID],
            tag="bank",
        )
    },
    "/api/v1/companies/{cid}/vendor-rules/{rule_id}": {
        "put": operation(
            "Change a vendor rule's account, VAT code or category (fields left out stay as they are)",
            json_body(ref("VendorRule")),
            parameters=[CID, path("rule_id", "The rule's id.")],
            body={
                "type": "object",
                "properties": {
                    "account": {"type": "string"},
                    "vat_code": {"type": "string"},
                    "category": {"type": "string"},
                },
            },
            tag="bank",
        ),
        "delete": operation(
            "Forget a vendor rule (the vendor is asked about again)",
            {"description": "Forgotten"},
            parameters=[CID, path("rule_id", "The rule's id.")],
            tag="bank",
            status="204",
        ),
    },
}


# Voucher documentation (bilag): receipts and statement lines kept with posted vouchers.
VOUCHER = path("voucher", "The voucher, YYYY-N (e.g. 2026-14).", {"type": "string"})
SCHEMAS.update(
    {
        "Attachment": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "voucher": {"type": "string"},
                "kind": {"type": "string", "enum": ["receipt", "statement_line"]},
                "filename": {"type": "string"},
                "content_type": {
                    "type": "string",
                    "description": "Read from the file's first bytes: application/pdf, image/jpeg, image/png, "
                    "image/webp, image/heic (application/json for a bank statement line).",
                },
                "size": {"type": "integer"},
                "sha256": {"type": "string"},
                "created_at": {"type": "string", "format": "date-time"},
                "created_by_id": {"type": ["integer", "null"]},
                "channel": {"type": "string"},
                "url": {"type": "string", "description": "Where to GET the file."},
            },
        },
        "Attachments": {
            "type": "object",
            "properties": {
                "voucher": {"type": "string"},
                "missing_documentation": {
                    "type": "boolean",
                    "description": "The voucher needs documentation (an expense its receipt) and has none yet.",
                },
                "attachments": {"type": "array", "items": ref("Attachment")},
            },
        },
        "MissingDocumentation": {
            "type": "object",
            "properties": {
                "vouchers": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "voucher": {"type": "string"},
                            "date": DATE,
                            "description": {"type": "string"},
                            "amount": MONEY,
                            "needs": {"type": "string", "enum": ["receipt"]},
                            "attachments_url": {"type": "string"},
                        },
                    },
                }
            },
        },
    }
)
PATHS.update(
    {
        "/api/v1/companies/{cid}/journal/{voucher}/attachments": {
            "get": operation(
                "The documents kept with a voucher (receipts, the bank statement line), owner and accountant",
                json_body(ref("Attachments")),
                parameters=[CID, VOUCHER],
                tag="journal",
            ),
            "post": {
                "summary": "Keep a receipt (PDF, JPEG, PNG, WebP or HEIC, at most 10 MB) with a voucher; "
                "the same bytes again are kept once (200)",
                "tags": ["journal"],
                "parameters": [
                    CID,
                    VOUCHER,
                    query("filename", "The file's name when the body is the file itself."),
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {"file": {"type": "string", "format": "binary"}},
                            }
                        },
                    },
                },
                "responses": {
                    "201": json_body(ref("Attachment"), "Kept"),
                    "200": json_body(ref("Attachment"), "Kept before"),
                    "413": json_body(ref("Error"), "The file is larger than a document may be"),
                    **ERRORS,
                },
            },
        },
        "/api/v1/companies/{cid}/journal/{voucher}/attachments/{attachment_id}": {
            "get": {
                "summary": "One document's file, with its own content type",
                "tags": ["journal"],
                "parameters": [CID, VOUCHER, path("attachment_id", "The document's id.")],
                "responses": {
                    "200": {
                        "description": "The file",
                        "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
                    },
                    **ERRORS,
                },
            }
        },
        "/api/v1/companies/{cid}/vouchers/missing-documentation": {
            "get": operation(
                "The vouchers that need documentation (an expense its receipt) and have none yet",
                json_body(ref("MissingDocumentation")),
                parameters=[
                    CID,
                    query("from", "First day (YYYY-MM-DD); default: from the first voucher.", DATE),
                    query("to", "Last day (YYYY-MM-DD); default: to the last voucher.", DATE),
                ],
                tag="journal",
            )
        },
    }
)


# The audit trail (channels/api/audit.py, ledger/audit.py).
_POSTING_FIELDS: dict[str, Any] = {
    "voucher": {"type": "string", "description": "The voucher, YYYY-N."},
    "date": DATE,
    "description": {"type": "string"},
    "posted_by": {"type": ["string", "null"], "description": "Who posted it; null when the system did."},
    "posted_by_id": {"type": ["integer", "null"]},
    "posted_at": {"type": "string", "format": "date-time", "description": "When it was written (UTC)."},
    "channel": {"type": "string", "enum": ["telegram", "web", "api", "cli", "import", "system"]},
}
SCHEMAS.update(
    {
        "AuditTrail": {
            "type": "object",
            "description": "Who posted a voucher or an invoice, when, through which channel, and what "
            "corrected it since (posted vouchers are never changed: a correction is a later voucher).",
            "properties": {
                **_POSTING_FIELDS,
                "kind": {"type": "string", "enum": ["invoice", "credit_note", "voucher"]},
                "invoice_number": {"type": ["integer", "null"]},
                "corrections": {
                    "type": "array",
                    "description": "Reversing vouchers and credit notes against it, oldest first.",
                    "items": {
                        "type": "object",
                        "properties": {
                            **_POSTING_FIELDS,
                            "kind": {"type": "string", "enum": ["reversal", "credit_note"]},
                            "credit_note_number": {"type": ["integer", "null"]},
                        },
                    },
                },
            },
        }
    }
)
PATHS.update(
    {
        "/api/v1/companies/{cid}/journal/{voucher}/audit": {
            "get": operation(
                "Who posted a voucher, when, through which channel, and its corrections (owner, accountant)",
                json_body(ref("AuditTrail")),
                parameters=[CID, VOUCHER],
                tag="journal",
            )
        },
        "/api/v1/companies/{cid}/invoices/{number}/audit": {
            "get": operation(
                "Who posted an invoice, when, through which channel, and the credit notes against it "
                "(owner, accountant)",
                json_body(ref("AuditTrail")),
                parameters=[CID, NUMBER],
                tag="invoices",
            )
        },
    }
)


def _error(description: str) -> dict[str, Any]:
    return json_body(ref("Error"), description)


OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Bokbot REST API",
        "version": "1",
        "description": (
            'Accounting for Norwegian small businesses. Money is a decimal string ("6250.00"), dates are '
            'ISO. Errors are {"error": {"code", "message"}} with a 4xx status; nothing is half-written. '
            "Roles: owner and accountant may do everything in their companies; staff log and see their own "
            "hours only. A token never reaches another company's data: such a request is 404."
        ),
    },
    "servers": [{"url": "/"}],
    "security": [{"bearer": []}],
    "paths": PATHS,
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": SCHEMAS,
        "responses": {
            "BadRequest": _error("A parameter or body that is not what it should be"),
            "Unauthorized": _error("No valid bearer token"),
            "Forbidden": _error("The role may not do this"),
            "NotFound": _error("No such thing in a company of the token's user"),
            "Refused": _error("The books refuse the request (closed period, bad amount...); nothing was written"),
        },
    },
}


@routes.get("/api/v1/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    """The API described as OpenAPI 3.1 (no token needed)."""
    return web.json_response(OPENAPI)
