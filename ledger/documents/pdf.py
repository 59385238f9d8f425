"""The invoice and credit note as PDF, for people: Jinja2 HTML rendered by WeasyPrint.

The page shows what bokføringsforskriften § 5-1-1 asks for: number and date; the seller's
name, address and organisation number (followed by "MVA" when VAT-registered, and
"Foretaksregisteret" for an AS); the buyer's name, address and organisation number; what was
delivered and when, quantity and price; VAT per rate in NOK; the total; due date, bank
account and KID. Words come from ``templates/{nb,en}/invoice.html.j2``, the layout from
``templates/invoice_layout.html.j2`` and ``templates/invoice.css``.
"""

from __future__ import annotations

from weasyprint import HTML

from ledger.documents.model import InvoiceDocument
from ledger.documents.rendering import TEMPLATES_DIR, render


def invoice_html(doc: InvoiceDocument) -> str:
    """The invoice or credit note page as HTML, in the document's language."""
    return render(doc.language, "invoice.html.j2", doc=doc)


def invoice_pdf(doc: InvoiceDocument) -> bytes:
    """The invoice or credit note as an A4 PDF, in the document's language."""
    pdf: bytes = HTML(string=invoice_html(doc), base_url=str(TEMPLATES_DIR) + "/").write_pdf()
    return pdf


def pdf_filename(doc: InvoiceDocument) -> str:
    """``faktura-10023.pdf``, ``invoice-10023.pdf``, ``kreditnota-10024.pdf``, ``credit-note-10024.pdf``."""
    return doc.file_name("pdf")
