"""Bank statements: reading them (ISO 20022 camt.053, also camt.054, and a simple CSV),
matching incoming payments to open invoices, and posting the matches as payments.

Matching goes by KID first (a Bokbot KID names the invoice), then by amount and customer: an
open invoice owing exactly the amount, whose customer's name is the payer's (or whose number
is in the text). What matches is a proposal (`MatchProposal`) for a person to confirm;
`post_matches` posts the confirmed ones. Everything else is listed with the reason it was not
matched, for a person to decide.

Each statement line has a stable id (the bank's own reference where it gives one), used as
the idempotency key when it is posted: importing the same statement again posts nothing twice.
A posted line keeps what the statement said about it with its voucher, as its documentation
(`ledger.attachments.attach_statement_line`).

The CSV has one line per transaction, `date;text;amount[;KID]`, a header line optional:

    dato;tekst;beløp;kid
    03.11.2026;Innbetaling Fjord Bygg AS;6 250,00;01000000100015
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.attachments import attach_statement_line
from ledger.customers import Choice, match_names
from ledger.errors import InvalidInput, LedgerError
from ledger.idempotency import Outcome, Result, fingerprint, run_once
from ledger.invoicing import register_payment
from ledger.kid import is_valid_kid
from ledger.models import IdempotencyRecord, Invoice
from ledger.money import Money
from ledger.reports.receivables import OpenInvoice, open_invoices

SCOPE = "bank"
CURRENCY = "NOK"
MAX_STATEMENT_BYTES = 10 * 1024 * 1024

MatchRule = Literal["kid", "amount_and_customer"]
Reason = Literal[
    "outgoing",
    "currency",
    "already_posted",
    "invoice_not_open",
    "overpayment",
    "ambiguous",
    "no_match",
]


# --------------------------------------------------------------------------------------------
# Statements as values


@dataclass(frozen=True)
class StatementLine:
    """One transaction on a bank statement.

    Attributes:
      line_id: a stable id of the line: the bank's reference where there is one, else a digest
        of its content and place; the idempotency key when it is posted.
      date: the booking date.
      amount: positive for money in, negative for money out, in `currency`.
      currency: ISO 4217 code; only NOK lines are matched.
      text: the remittance text (unstructured), or "".
      counterparty: the payer (for money in) or payee, as the bank names them; "" if unknown.
      kid: the structured payment reference (KID) if the line carries one.
      account: the statement's account (11 digits for a Norwegian account).
    """

    line_id: str
    date: dt.date
    amount: Decimal
    currency: str = CURRENCY
    text: str = ""
    counterparty: str = ""
    kid: str | None = None
    account: str = ""


@dataclass(frozen=True)
class Statement:
    """A bank statement read from a file.

    Attributes:
      format: "camt.053", "camt.054" or "csv".
      lines: the transactions, in file order.
    """

    format: str
    lines: tuple[StatementLine, ...]


def _digest(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:32]


def _with_occurrence(raw: Iterable[tuple[str, StatementLine]]) -> tuple[StatementLine, ...]:
    """Lines whose id is a digest of their content get the number of the same content seen
    before, so two equal transactions on one statement stay two."""
    seen: dict[str, int] = {}
    lines = []
    for base, line in raw:
        if line.line_id:
            lines.append(line)
            continue
        count = seen.get(base, 0)
        seen[base] = count + 1
        lines.append(StatementLine(**{**line.__dict__, "line_id": f"{base}:{count}" if count else base}))
    return tuple(lines)


def _account_number(text: str) -> str:
    """A Norwegian IBAN (NO93 8601 1117 947) as the 11-digit account; anything else as given."""
    cleaned = text.replace(" ", "")
    if cleaned.upper().startswith("NO") and len(cleaned) == 15:
        return cleaned[4:]
    return cleaned


# ------------------------------------------------------------------ camt.053 / camt.054


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


class _Camt:
    """XPath over one camt document in its own namespace."""

    def __init__(self, root: etree._Element) -> None:
        self.ns = {"c": etree.QName(root).namespace or ""}

    def all(self, node: etree._Element, path: str) -> list[etree._Element]:
        found = node.xpath(path, namespaces=self.ns)
        return [n for n in found if isinstance(n, etree._Element)] if isinstance(found, list) else []

    def text(self, node: etree._Element, *paths: str) -> str:
        for path in paths:
            for found in self.all(node, path):
                value = (found.text or "").strip()
                if value:
                    return value
        return ""


def _camt_date(camt: _Camt, node: etree._Element) -> dt.date:
    value = camt.text(node, "c:BookgDt/c:Dt", "c:BookgDt/c:DtTm", "c:ValDt/c:Dt", "c:ValDt/c:DtTm")
    try:
        if "T" in value:
            return dt.datetime.fromisoformat(value).date()
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(f"a camt entry has no booking date: {value!r}", field="BookgDt") from exc


def _camt_amount(camt: _Camt, node: etree._Element, amount_path: str) -> tuple[Decimal, str]:
    amounts = camt.all(node, amount_path)
    if not amounts:
        raise InvalidInput("a camt entry has no amount", field="Amt")
    try:
        amount = Decimal((amounts[0].text or "").strip())
    except InvalidOperation as exc:
        raise InvalidInput(f"not an amount in camt: {amounts[0].text!r}", field="Amt") from exc
    return amount, str(amounts[0].get("Ccy") or CURRENCY)


def parse_camt(data: bytes) -> Statement:
    """The transactions of an ISO 20022 camt.053 statement (or camt.054 notification).

    An entry with several transaction details (a batch) gives one line per transaction; the
    KID is the structured creditor reference (`RmtInf/Strd/CdtrRefInf/Ref`).
    """
    if len(data) > MAX_STATEMENT_BYTES:
        raise InvalidInput("the statement is too large")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise InvalidInput(f"not a camt XML document: {exc}") from exc
    camt = _Camt(root)
    namespace = camt.ns["c"]
    if "camt.053" in namespace:
        fmt, reports = "camt.053", camt.all(root, "c:BkToCstmrStmt/c:Stmt")
    elif "camt.054" in namespace:
        fmt, reports = "camt.054", camt.all(root, "c:BkToCstmrDbtCdtNtfctn/c:Ntfctn")
    else:
        raise InvalidInput(f"not a camt.053 or camt.054 document: {namespace or etree.QName(root).localname}")
    raw: list[tuple[str, StatementLine]] = []
    for report in reports:
        account = _account_number(camt.text(report, "c:Acct/c:Id/c:IBAN", "c:Acct/c:Id/c:Othr/c:Id"))
        for entry in camt.all(report, "c:Ntry"):
            if camt.text(entry, "c:RvslInd").lower() == "true":
                continue  # a reversal cancels an earlier line; a person looks at those
            date = _camt_date(camt, entry)
            sign = -1 if camt.text(entry, "c:CdtDbtInd") == "DBIT" else 1
            details = camt.all(entry, "c:NtryDtls/c:TxDtls")
            entry_ref = camt.text(entry, "c:AcctSvcrRef", "c:NtryRef")
            for position, tx in enumerate(details or [entry]):
                if len(details) > 1:
                    amount, currency = _camt_amount(camt, tx, "c:AmtDtls/c:TxAmt/c:Amt|c:Amt")
                    tx_sign = -1 if camt.text(tx, "c:CdtDbtInd") == "DBIT" else sign
                else:
                    amount, currency = _camt_amount(camt, entry, "c:Amt")
                    tx_sign = sign
                kid = camt.text(tx, "c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref") or None
                text = " ".join(
                    t.strip() for t in (n.text or "" for n in camt.all(tx, "c:RmtInf/c:Ustrd")) if t.strip()
                ) or camt.text(entry, "c:AddtlNtryInf")
                party = "c:RltdPties/c:Dbtr" if tx_sign > 0 else "c:RltdPties/c:Cdtr"
                counterparty = camt.text(tx, f"{party}/c:Nm", f"{party}/c:Pty/c:Nm")
                tx_ref = camt.text(tx, "c:Refs/c:AcctSvcrRef")
                reference = tx_ref or (f"{entry_ref}/{position}" if entry_ref and len(details) > 1 else entry_ref)
                line = StatementLine(
                    line_id=f"camt:{account}:{reference}"[:200] if reference else "",
                    date=date,
                    amount=tx_sign * amount,
                    currency=currency,
                    text=text[:500],
                    counterparty=counterparty[:200],
                    kid=kid,
                    account=account,
                )
                base = f"camt:{account}:" + _digest(date, tx_sign * amount, currency, text, counterparty, kid)
                raw.append((base, line))
    return Statement(format=fmt, lines=_with_occurrence(raw))


# ------------------------------------------------------------------ CSV


def _csv_date(text: str) -> dt.date:
    value = text.strip()
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise InvalidInput(f"not a date: {text!r} (write 2026-11-03 or 03.11.2026)", value=text)


def _csv_amount(text: str) -> Decimal:
    """ "6 250,00", "-1 234,50", "6250.00" or "kr 450,-" as a Decimal."""
    value = text.strip().replace("\u00a0", "").replace(" ", "").replace("kr", "").replace(",-", "")
    if "," in value and "." in value:
        value = value.replace(".", "").replace(",", ".")
    value = value.replace(",", ".")
    if value.startswith("+"):
        value = value[1:]
    try:
        amount = Decimal(value)
    except InvalidOperation as exc:
        raise InvalidInput(f"not an amount: {text!r}", value=text) from exc
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput(f"not an amount in kroner and øre: {text!r}", value=text)
    return amount.quantize(Decimal("0.01"))


def parse_csv(data: bytes | str, *, account: str = "") -> Statement:
    """The transactions of a simple CSV statement: `date;text;amount[;KID]` (see the module
    docstring); a first line that is not a transaction is taken for a header."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    if len(text) > MAX_STATEMENT_BYTES:
        raise InvalidInput("the statement is too large")
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=";") if any(c.strip() for c in r)]
    raw: list[tuple[str, StatementLine]] = []
    for number, row in enumerate(rows, start=1):
        if len(row) < 3:
            raise InvalidInput(f"line {number} needs date;text;amount", line=number)
        try:
            date = _csv_date(row[0])
        except InvalidInput:
            if number == 1:
                continue  # a header
            raise
        amount = _csv_amount(row[2])
        kid = row[3].strip().replace(" ", "") if len(row) > 3 and row[3].strip() else None
        line = StatementLine(
            line_id="",
            date=date,
            amount=amount,
            text=row[1].strip()[:500],
            counterparty=row[1].strip()[:200],
            kid=kid,
            account=account,
        )
        raw.append((f"csv:{account}:" + _digest(date, amount, row[1].strip(), kid), line))
    return Statement(format="csv", lines=_with_occurrence(raw))


def read_statement(data: bytes, content_type: str = "") -> Statement:
    """A statement from a file: camt XML or CSV, by its content type or, failing that, by its
    first characters."""
    kind = content_type.split(";")[0].strip().lower()
    if kind.endswith("xml") or (not kind.startswith("text/csv") and data.lstrip()[:1] == b"<"):
        return parse_camt(data)
    return parse_csv(data)


# --------------------------------------------------------------------------------------------
# Matching


@dataclass(frozen=True)
class Match:
    """A statement line matched to an open invoice.

    Attributes:
      rule: "kid" (the KID named the invoice) or "amount_and_customer".
      amount: what the line pays on the invoice (the line's amount).
    """

    line: StatementLine
    invoice_id: int
    invoice_number: int
    customer_id: int
    customer_name: str
    amount: Money
    rule: MatchRule


@dataclass(frozen=True)
class Unmatched:
    """A statement line left for a person, and why.

    Attributes:
      reason: "outgoing" (money out), "currency" (not NOK), "already_posted" (imported and
        posted before), "invoice_not_open" (its KID names a paid or credited invoice),
        "overpayment" (more than the invoice owes), "ambiguous" (several customers' invoices
        fit), "no_match".
      invoice_number: the invoice the line points at, when it points at one.
    """

    line: StatementLine
    reason: Reason
    invoice_number: int | None = None


@dataclass(frozen=True)
class MatchProposal:
    """What a statement's lines were matched to, and the rest."""

    matches: tuple[Match, ...]
    unmatched: tuple[Unmatched, ...]


@dataclass
class _Owed:
    """An open invoice and what it still owes while a statement's lines are matched."""

    invoice: OpenInvoice
    owed: Money


def _invoice_with_kid(session: Session, company_id: int, kid: str) -> int | None:
    """The number of the company's invoice with this KID, open or not."""
    return session.scalar(select(Invoice.number).where(Invoice.company_id == company_id, Invoice.kid == kid))


def _posted_line_ids(session: Session, company_id: int, ids: Sequence[str]) -> set[str]:
    if not ids:
        return set()
    return set(
        session.scalars(
            select(IdempotencyRecord.key).where(
                IdempotencyRecord.company_id == company_id,
                IdempotencyRecord.scope == SCOPE,
                IdempotencyRecord.key.in_(list(ids)),
            )
        )
    )


def _names_payer(line: StatementLine, candidate: _Owed) -> bool:
    if re.search(rf"\b{candidate.invoice.number}\b", line.text):
        return True
    said = line.counterparty or line.text
    invoice = candidate.invoice
    return match_names(said, [Choice(invoice.customer_id, invoice.customer_name)]).outcome != "none"


def _due_first(invoice: OpenInvoice) -> tuple[dt.date, int]:
    return invoice.due_date, invoice.number


def match_statement(session: Session, company_id: int, lines: Iterable[StatementLine]) -> MatchProposal:
    """Match incoming NOK payments to the company's open invoices: by KID first, then by
    amount and customer. Two lines never use up more than an invoice owes."""
    statement_lines = list(lines)
    owed = [_Owed(o, o.open_amount) for o in sorted(open_invoices(session, company_id), key=_due_first)]
    by_kid = {o.invoice.kid: o for o in owed if o.invoice.kid}
    posted = _posted_line_ids(session, company_id, [line.line_id for line in statement_lines])
    matches: list[Match] = []
    unmatched: list[Unmatched] = []

    def take(line: StatementLine, target: _Owed, rule: MatchRule) -> None:
        target.owed -= line.amount
        matches.append(
            Match(
                line=line,
                invoice_id=target.invoice.invoice_id,
                invoice_number=target.invoice.number,
                customer_id=target.invoice.customer_id,
                customer_name=target.invoice.customer_name,
                amount=line.amount,
                rule=rule,
            )
        )

    for line in statement_lines:
        if line.line_id in posted:
            unmatched.append(Unmatched(line, "already_posted"))
            continue
        if line.amount <= 0:
            unmatched.append(Unmatched(line, "outgoing"))
            continue
        if line.currency != CURRENCY:
            unmatched.append(Unmatched(line, "currency"))
            continue
        kid = (line.kid or "").replace(" ", "")
        target = by_kid.get(kid) if kid and is_valid_kid(kid) else None
        closed = _invoice_with_kid(session, company_id, kid) if target is None and kid and is_valid_kid(kid) else None
        if closed is not None:
            unmatched.append(Unmatched(line, "invoice_not_open", closed))
            continue
        if target is not None:
            if target.owed <= 0:
                unmatched.append(Unmatched(line, "invoice_not_open", target.invoice.number))
            elif line.amount > target.owed:
                unmatched.append(Unmatched(line, "overpayment", target.invoice.number))
            else:
                take(line, target, "kid")
            continue
        fitting = [o for o in owed if o.owed == line.amount and _names_payer(line, o)]
        customers = {o.invoice.customer_id for o in fitting}
        if len(customers) == 1:
            take(line, fitting[0], "amount_and_customer")  # the one due first
        elif customers:
            unmatched.append(Unmatched(line, "ambiguous"))
        else:
            unmatched.append(Unmatched(line, "no_match"))
    return MatchProposal(matches=tuple(matches), unmatched=tuple(unmatched))


# --------------------------------------------------------------------------------------------
# Posting


@dataclass(frozen=True)
class PostedPayment:
    """A matched line posted as a payment (or found posted before: `repeated`)."""

    line_id: str
    invoice_number: int
    amount: Money
    payment_id: int
    repeated: bool


@dataclass(frozen=True)
class RefusedMatch:
    """A matched line the books refused to post (e.g. its date is in a closed period)."""

    match: Match
    code: str
    message: str


def _line_fingerprint(line: StatementLine) -> str:
    return fingerprint(
        {"date": line.date, "amount": line.amount, "currency": line.currency, "kid": line.kid, "text": line.text}
    )


def statement_line_fields(line: StatementLine) -> dict[str, object]:
    """What the statement said about a line, as kept with the voucher it was posted as."""
    return {
        "date": line.date.isoformat(),
        "amount": str(line.amount),
        "currency": line.currency,
        "text": line.text,
        "counterparty": line.counterparty,
        "kid": line.kid,
        "account": line.account,
    }


def once_per_line(
    session: Session,
    company_id: int,
    line: StatementLine,
    work: Callable[[Session], Result],
    *,
    posted_as: tuple[str, ...],
) -> Outcome:
    """Do `work` (a posting of `line`) once per statement line, in a savepoint: the line's id
    is the idempotency key in scope "bank" whatever the line is posted as (a payment, an
    expense, other income), so a statement imported again, or a button pressed twice, posts
    nothing twice, and a line posted one way is not posted another way too: when the result
    kept from the first time lacks the `posted_as` keys this kind of posting gives, the line
    was posted as something else and this is refused (`InvalidInput`). A refusal
    (`LedgerError`) rolls back the savepoint only."""
    with session.begin_nested():
        outcome = run_once(
            session,
            scope=SCOPE,
            key=line.line_id,
            request_hash=_line_fingerprint(line),
            company_id=company_id,
            user_id=None,
            work=work,
        )
    if any(key not in outcome.result for key in posted_as):
        raise InvalidInput("the line was posted before as something else", line_id=line.line_id[:50])
    return outcome


def post_line_payment(
    session: Session,
    company_id: int,
    line: StatementLine,
    invoice_number: int,
    *,
    created_by_id: int | None = None,
    channel: str = "import",
) -> PostedPayment:
    """Post a line of money in as a payment of its whole amount on invoice `invoice_number`,
    once per line (`once_per_line`), the line kept as the voucher's documentation; a matched
    line and a line a person pointed at an invoice are posted alike. `Overpayment` when the
    invoice owes less, `InvalidInput` for money out or another currency."""
    if line.amount <= 0 or line.currency != CURRENCY:
        raise InvalidInput("only money in, in NOK, pays an invoice", line_id=line.line_id[:50])

    def work(s: Session) -> Result:
        payment = register_payment(
            s,
            company_id,
            invoice_number,
            line.amount,
            line.date,
            created_by_id=created_by_id,
            channel=channel,
            source=line.line_id,
        )
        if payment.journal_entry_id is not None:
            # The statement line is the bank posting's documentation (bilag).
            attach_statement_line(
                s,
                company_id,
                payment.journal_entry_id,
                line.line_id,
                statement_line_fields(line),
                created_by_id=created_by_id,
                channel=channel,
            )
        return {"payment_id": payment.id, "invoice_number": invoice_number, "amount": str(line.amount)}

    outcome = once_per_line(session, company_id, line, work, posted_as=("invoice_number",))
    result = outcome.result
    return PostedPayment(
        line_id=line.line_id,
        invoice_number=int(str(result["invoice_number"])),
        amount=Decimal(str(result["amount"])),
        payment_id=int(str(result["payment_id"])),
        repeated=outcome.repeated,
    )


def post_matches(
    session: Session,
    company_id: int,
    matches: Iterable[Match],
    *,
    created_by_id: int | None = None,
    channel: str = "import",
) -> tuple[list[PostedPayment], list[RefusedMatch]]:
    """Post each match as a payment on its invoice (`post_line_payment`), each in its own
    savepoint: a refused one does not stop the rest."""
    posted: list[PostedPayment] = []
    refused: list[RefusedMatch] = []
    for match in matches:
        try:
            posted.append(
                post_line_payment(
                    session, company_id, match.line, match.invoice_number, created_by_id=created_by_id, channel=channel
                )
            )
        except LedgerError as exc:
            refused.append(RefusedMatch(match, exc.code, str(exc)))
    return posted, refused


@dataclass(frozen=True)
class ImportResult:
    """A statement imported: its lines, what matched, what was posted and what was refused."""

    statement: Statement
    proposal: MatchProposal
    posted: tuple[PostedPayment, ...]
    refused: tuple[RefusedMatch, ...]


def import_statement(
    session: Session,
    company_id: int,
    data: bytes,
    content_type: str = "",
    *,
    post: bool = True,
    created_by_id: int | None = None,
    channel: str = "import",
) -> ImportResult:
    """Read a statement, match it, and (with `post`, the person having confirmed) post the
    matches."""
    statement = read_statement(data, content_type)
    proposal = match_statement(session, company_id, statement.lines)
    posted: list[PostedPayment] = []
    refused: list[RefusedMatch] = []
    if post:
        posted, refused = post_matches(
            session, company_id, proposal.matches, created_by_id=created_by_id, channel=channel
        )
    return ImportResult(statement, proposal, tuple(posted), tuple(refused))
