"""EHF: the invoice and credit note as PEPPOL BIS Billing 3.0 UBL 2.1 XML, for machines.

Built from an :class:`~ledger.documents.model.InvoiceDocument` alone, and valid against both
official schematron files (``peppol/sch/`` in the shared data; see
:mod:`ledger.documents.schematron`), including the Norwegian rules:

* NO-R-001: the seller's VAT identifier is "NO" + orgnr + "MVA", sent only when the seller is
  VAT-registered;
* NO-R-002: an AS sends "Foretaksregisteret" as a tax scheme "TAX" registration.

VAT categories (UNCL 5305) from the SAF-T codes: "3", "31", "33" are S (standard rates), "5"
is Z (zero-rated, *fritatt*), "6" is E (exempt, outside the VAT act, with a reason), and a
seller that is not VAT-registered sends every line as O (not subject to VAT, with a reason,
and neither the seller's nor the buyer's VAT identifier, rule BR-O-02).
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from ledger.documents.model import CENT, InvoiceDocument, InvoiceLine, Party
from ledger.errors import LedgerError

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
ORGNR_SCHEME = "0192"  # ISO 6523 ICD for Norwegian organisation numbers (Enhetsregisteret)
CREDIT_TRANSFER = "30"  # UNCL 4461
INVOICE_TYPE = "380"  # UNCL 1001 commercial invoice
CREDIT_NOTE_TYPE = "381"  # UNCL 1001 credit note

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
_CAC = f"{{{CAC_NS}}}"
_CBC = f"{{{CBC_NS}}}"

STANDARD_RATE_CODES = frozenset({"3", "31", "32", "33"})
ZERO_RATED_CODES = frozenset({"5", "51", "52"})
OUTSIDE_VAT_ACT_CODES = frozenset({"6", "7"})

# The exemption reasons travel in the document's language; the category code says the same
# for machines.
_EXEMPTION_REASONS = {
    "E": {
        "nb": "Omsetning utenfor merverdiavgiftsloven",
        "en": "Outside the scope of the Norwegian VAT Act",
    },
    "O": {
        "nb": "Selger er ikke registrert i Merverdiavgiftsregisteret",
        "en": "Seller is not registered for VAT",
    },
}


class EhfNotPossible(LedgerError):
    """The document cannot be sent as EHF (e.g. the buyer has no organisation number)."""

    code = "ehf_not_possible"


def vat_category(vat_code: str, seller_vat_registered: bool) -> str:
    """The UNCL 5305 VAT category of a line with SAF-T code ``vat_code``."""
    if not seller_vat_registered:
        return "O"
    if vat_code in STANDARD_RATE_CODES:
        return "S"
    if vat_code in ZERO_RATED_CODES:
        return "Z"
    if vat_code in OUTSIDE_VAT_ACT_CODES:
        return "E"
    raise EhfNotPossible(f"VAT code {vat_code!r} is not a sales code of a VAT-registered seller")


def build_ehf(doc: InvoiceDocument) -> etree._Element:
    """The EHF ``Invoice`` or ``CreditNote`` element of ``doc``."""
    _check(doc)
    credit = doc.is_credit_note
    root_ns = CREDIT_NOTE_NS if credit else INVOICE_NS
    root = etree.Element(
        f"{{{root_ns}}}{'CreditNote' if credit else 'Invoice'}",
        nsmap={None: root_ns, "cac": CAC_NS, "cbc": CBC_NS},  # type: ignore[dict-item]
    )
    _cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    _cbc(root, "ProfileID", PROFILE_ID)
    _cbc(root, "ID", doc.number)
    _cbc(root, "IssueDate", doc.issue_date.isoformat())
    if credit:
        _cbc(root, "CreditNoteTypeCode", CREDIT_NOTE_TYPE)
    else:
        _cbc(root, "DueDate", doc.due_date.isoformat())
        _cbc(root, "InvoiceTypeCode", INVOICE_TYPE)
    if doc.note:
        _cbc(root, "Note", doc.note)
    _cbc(root, "DocumentCurrencyCode", doc.currency)
    # PEPPOL-EN16931-R003: a buyer reference or an order reference must be there.
    if doc.buyer_reference or not doc.order_reference:
        _cbc(root, "BuyerReference", doc.buyer_reference or doc.buyer.contact_name or doc.number)
    if doc.delivery_start:
        period = _cac(root, "InvoicePeriod")
        _cbc(period, "StartDate", doc.delivery_start.isoformat())
        if doc.delivery_end:
            _cbc(period, "EndDate", doc.delivery_end.isoformat())
    if doc.order_reference:
        _cbc(_cac(root, "OrderReference"), "ID", doc.order_reference)
    if credit and doc.credited_invoice_number:
        ref = _cac(_cac(root, "BillingReference"), "InvoiceDocumentReference")
        _cbc(ref, "ID", doc.credited_invoice_number)
        if doc.credited_invoice_date:
            _cbc(ref, "IssueDate", doc.credited_invoice_date.isoformat())

    seller_registered = doc.seller.vat_registered
    _party(_cac(root, "AccountingSupplierParty"), doc.seller, seller=True, send_vat_id=seller_registered)
    _party(
        _cac(root, "AccountingCustomerParty"),
        doc.buyer,
        seller=False,
        send_vat_id=seller_registered and doc.buyer.vat_registered,
    )
    delivery_date = _single_delivery_date(doc)
    if delivery_date is not None:
        _cbc(_cac(root, "Delivery"), "ActualDeliveryDate", delivery_date)
    if not credit and doc.seller.bank_account:
        means = _cac(root, "PaymentMeans")
        _cbc(means, "PaymentMeansCode", CREDIT_TRANSFER)
        if doc.kid:
            _cbc(means, "PaymentID", doc.kid)
        _cbc(_cac(means, "PayeeFinancialAccount"), "ID", doc.seller.bank_account)

    tax_total = _cac(root, "TaxTotal")
    _amount(tax_total, "TaxAmount", doc.vat, doc.currency)
    for entry in doc.vat_breakdown:
        subtotal = _cac(tax_total, "TaxSubtotal")
        _amount(subtotal, "TaxableAmount", entry.base, doc.currency)
        _amount(subtotal, "TaxAmount", entry.vat, doc.currency)
        _tax_category(subtotal, "TaxCategory", entry.code, entry.rate, doc, with_reason=True)

    totals = _cac(root, "LegalMonetaryTotal")
    _amount(totals, "LineExtensionAmount", doc.net, doc.currency)
    _amount(totals, "TaxExclusiveAmount", doc.net, doc.currency)
    _amount(totals, "TaxInclusiveAmount", doc.total, doc.currency)
    _amount(totals, "PayableAmount", doc.total, doc.currency)

    for number, line in enumerate(doc.lines, start=1):
        _line(root, number, line, doc)
    return root


def ehf_xml(doc: InvoiceDocument) -> bytes:
    """The EHF of ``doc`` as UTF-8 XML bytes with an XML declaration."""
    return etree.tostring(build_ehf(doc), xml_declaration=True, encoding="UTF-8", pretty_print=True)


def ehf_filename(doc: InvoiceDocument) -> str:
    """The attachment name of the EHF: ``faktura-10023.xml`` / ``invoice-10023.xml``."""
    return doc.file_name("xml")


# --------------------------------------------------------------------------------------------


def _check(doc: InvoiceDocument) -> None:
    if not doc.seller.orgnr:
        raise EhfNotPossible("the seller has no organisation number")
    if not doc.buyer.orgnr:
        raise EhfNotPossible("EHF needs the buyer's organisation number (its PEPPOL address)")
    if not doc.lines:
        raise EhfNotPossible("a document needs at least one line")
    if not doc.seller.vat_registered and any(line.vat_rate for line in doc.lines):
        raise EhfNotPossible("a seller that is not VAT-registered cannot charge VAT")


def _cbc(parent: etree._Element, name: str, text: str) -> etree._Element:
    el = etree.SubElement(parent, _CBC + name)
    el.text = text
    return el


def _cac(parent: etree._Element, name: str) -> etree._Element:
    return etree.SubElement(parent, _CAC + name)


def _money(value: Decimal) -> str:
    return str(value.quantize(CENT))


def _number(value: Decimal) -> str:
    """A quantity, price or rate without needless zeros or exponent: 7.5, 1000, 0.125."""
    text = format(value.normalize(), "f")
    return text if text not in ("-0", "") else "0"


def _amount(parent: etree._Element, name: str, value: Decimal, currency: str) -> None:
    _cbc(parent, name, _money(value)).set("currencyID", currency)


def _party(parent: etree._Element, party: Party, *, seller: bool, send_vat_id: bool) -> None:
    el = _cac(parent, "Party")
    assert party.orgnr is not None
    _cbc(el, "EndpointID", party.orgnr).set("schemeID", ORGNR_SCHEME)
    _cbc(_cac(el, "PartyName"), "Name", party.name)
    address = _cac(el, "PostalAddress")
    street, more = party.street
    if street:
        _cbc(address, "StreetName", street)
    if more:
        _cbc(address, "AdditionalStreetName", more)
    if party.city:
        _cbc(address, "CityName", party.city)
    if party.postcode:
        _cbc(address, "PostalZone", party.postcode)
    _cbc(_cac(address, "Country"), "IdentificationCode", party.country)
    if send_vat_id:
        scheme = _cac(el, "PartyTaxScheme")
        _cbc(scheme, "CompanyID", f"{party.country}{party.orgnr}MVA")
        _cbc(_cac(scheme, "TaxScheme"), "ID", "VAT")
    if seller and party.is_as:
        scheme = _cac(el, "PartyTaxScheme")
        _cbc(scheme, "CompanyID", "Foretaksregisteret")
        _cbc(_cac(scheme, "TaxScheme"), "ID", "TAX")
    legal = _cac(el, "PartyLegalEntity")
    _cbc(legal, "RegistrationName", party.name)
    _cbc(legal, "CompanyID", party.orgnr).set("schemeID", ORGNR_SCHEME)
    if party.contact_name or party.phone or party.email:
        contact = _cac(el, "Contact")
        if party.contact_name:
            _cbc(contact, "Name", party.contact_name)
        if party.phone:
            _cbc(contact, "Telephone", party.phone)
        if party.email:
            _cbc(contact, "ElectronicMail", party.email)


def _tax_category(
    parent: etree._Element, name: str, code: str, rate: Decimal, doc: InvoiceDocument, *, with_reason: bool
) -> None:
    category = vat_category(code, doc.seller.vat_registered)
    el = _cac(parent, name)
    _cbc(el, "ID", category)
    if category != "O":  # BR-O-05: no rate for "not subject to VAT"
        _cbc(el, "Percent", _number(rate))
    if with_reason and category in _EXEMPTION_REASONS:
        _cbc(el, "TaxExemptionReason", _EXEMPTION_REASONS[category][doc.language])
    _cbc(_cac(el, "TaxScheme"), "ID", "VAT")


def _line(root: etree._Element, number: int, line: InvoiceLine, doc: InvoiceDocument) -> None:
    credit = doc.is_credit_note
    # BR-27: a price is never negative; a discount is a negative quantity at a positive price.
    negative = line.unit_price < 0
    quantity, price = (-line.quantity, -line.unit_price) if negative else (line.quantity, line.unit_price)
    el = _cac(root, "CreditNoteLine" if credit else "InvoiceLine")
    _cbc(el, "ID", str(number))
    _cbc(el, "CreditedQuantity" if credit else "InvoicedQuantity", _number(quantity)).set("unitCode", line.unit)
    _amount(el, "LineExtensionAmount", line.net, doc.currency)
    if line.delivery_date:
        period = _cac(el, "InvoicePeriod")
        _cbc(period, "StartDate", line.delivery_date.isoformat())
        _cbc(period, "EndDate", line.delivery_date.isoformat())
    item = _cac(el, "Item")
    _cbc(item, "Name", line.description)
    _tax_category(item, "ClassifiedTaxCategory", line.vat_code, line.vat_rate, doc, with_reason=False)
    _cbc(_cac(el, "Price"), "PriceAmount", _number(price)).set("currencyID", doc.currency)


def _single_delivery_date(doc: InvoiceDocument) -> str | None:
    """The actual delivery date (BT-72) when there is one: no period, a single date."""
    if doc.delivery_start is None and doc.delivery_end is not None:
        return doc.delivery_end.isoformat()
    dates = {line.delivery_date for line in doc.lines}
    if doc.delivery_start is None and doc.delivery_end is None and len(dates) == 1:
        (only,) = dates
        return only.isoformat() if only else None
    return None
