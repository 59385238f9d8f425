"""The ledger's domain exceptions; the edges (chat, REST, CLI) word them for people.

Each carries a stable `code` (used by the REST API's error body) and the values a reply
template needs in `details`.
"""

from __future__ import annotations

from typing import Any


class LedgerError(Exception):
    """A request the books refuse; nothing was written."""

    code = "ledger_error"

    def __init__(self, message: str = "", **details: Any) -> None:
        super().__init__(message or self.code)
        self.details = details


class NotFound(LedgerError):
    code = "not_found"


class UnknownCompany(NotFound):
    code = "unknown_company"


class UnknownCustomer(NotFound):
    code = "unknown_customer"


class UnknownProject(NotFound):
    code = "unknown_project"


class UnknownInvoice(NotFound):
    code = "unknown_invoice"


class UnknownAccount(NotFound):
    code = "unknown_account"


class UnknownVatCode(LedgerError):
    code = "unknown_vat_code"


class UnknownExpenseCategory(NotFound):
    code = "unknown_expense_category"


class VehicleUnknown(LedgerError):
    """The VAT on this expense depends on whether the company's vehicle is a van or a car."""

    code = "vehicle_unknown"


class EquipmentLifeUnknown(LedgerError):
    """A purchase at or over the capitalisation limit is an asset if it lasts 3 years or
    more, and the category does not tell (tools may be consumables): say `durable`.
    `details` has `keyword`, `asset_account`, `limit` and `min_life_years`."""

    code = "equipment_life_unknown"


class Forbidden(LedgerError):
    code = "forbidden"


class InvalidAmount(LedgerError):
    code = "invalid_amount"


class InvalidHours(LedgerError):
    code = "invalid_hours"


class InvalidOrgnr(LedgerError):
    code = "invalid_orgnr"


class InvalidInput(LedgerError):
    code = "invalid_input"


class UnbalancedEntry(LedgerError):
    code = "unbalanced_entry"


class PeriodLocked(LedgerError):
    code = "period_locked"


class AlreadyReversed(LedgerError):
    code = "already_reversed"


class NothingToUndo(LedgerError):
    code = "nothing_to_undo"


class NothingToInvoice(LedgerError):
    code = "nothing_to_invoice"


class InvoiceNotOpen(LedgerError):
    code = "invoice_not_open"


class Overpayment(LedgerError):
    code = "overpayment"


class IdempotencyConflict(LedgerError):
    code = "idempotency_conflict"


class DuplicateName(LedgerError):
    code = "duplicate_name"


class EarlierTermUnsettled(LedgerError):
    """VAT terms are settled in order: an earlier term of the company is still open.

    `details` names the term asked for (`term`) and the first open one (`earlier`, with its
    `earlier_year`, `earlier_number` and `earlier_kind`)."""

    code = "earlier_term_unsettled"


class InvoiceDetailsMissing(LedgerError):
    """An invoice cannot be issued without what bokføringsforskriften § 5-1-1 asks it to show.

    `details` names the seller (`seller`) and buyer (`buyer`, `customer_id`), and what each
    lacks (`missing_seller`, `missing_buyer`: field names such as "address", "postcode",
    "city", "orgnr", "bank_account")."""

    code = "invoice_details_missing"


class InvalidAttachment(LedgerError):
    """A document that cannot be kept with a voucher: empty, too large, or of a kind we do not
    keep (receipts are PDF, JPEG, PNG, WebP or HEIC). `details` has `reason` and the limits."""

    code = "invalid_attachment"
