"""Every invoice the product can issue is a valid EHF: no fatal rule in either schematron file."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from lxml import etree

from ledger.documents import shared_data
from ledger.documents.ehf import (
    CUSTOMIZATION_ID,
    PROFILE_ID,
    EhfNotPossible,
    build_ehf,
    ehf_filename,
    ehf_xml,
    vat_category,
)
from ledger.documents.model import InvoiceDocument
from ledger.documents.schematron import Finding, fatal, validate_ehf

from .builders import (
    BUYER,
    CONSULTING,
    SELLER_AS,
    SELLER_ENK,
    SELLER_NOT_VAT_REGISTERED,
    SEVERAL_RATES,
    credit_note,
    invoice,
    line,
)
from .ubl_structure import structure_errors

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}

DOCUMENTS: dict[str, InvoiceDocument] = {
    "vat-registered AS, 25 %": invoice(SELLER_AS, BUYER, CONSULTING),
    "several rates on one invoice": invoice(SELLER_AS, BUYER, SEVERAL_RATES),
    "seller not VAT-registered": invoice(SELLER_NOT_VAT_REGISTERED, BUYER, CONSULTING),
    "ENK": invoice(SELLER_ENK, BUYER, [line("Snekring", "12.25 HUR x 650", "3")], period=None),
    "credit note": credit_note(invoice(SELLER_AS, BUYER, SEVERAL_RATES)),
    "English invoice": invoice(SELLER_AS, BUYER, CONSULTING, language="en", order_reference="PO-778"),
    "order reference only": invoice(SELLER_AS, BUYER, CONSULTING, buyer_reference=None, order_reference="4500"),
    "buyer not VAT-registered": invoice(SELLER_AS, replace(BUYER, vat_registered=False), CONSULTING),
    "AS not VAT-registered": invoice(replace(SELLER_AS, vat_registered=False), BUYER, CONSULTING),
    "discount line": invoice(SELLER_AS, BUYER, [*CONSULTING, line("Rabatt", "1 EA x -500", "3")]),
}


def xpath(root: etree._Element, path: str) -> list[str]:
    return [str(v) for v in root.xpath(path, namespaces=NS)]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_issued_document_passes_both_schematron_files(name: str) -> None:
    findings = validate_ehf(ehf_xml(DOCUMENTS[name]))
    assert fatal(findings) == []


@pytest.mark.parametrize("name", DOCUMENTS)
def test_issued_document_follows_the_ubl_structure(name: str) -> None:
    assert structure_errors(build_ehf(DOCUMENTS[name])) == []


def test_the_ubl_structure_table_agrees_with_the_official_examples() -> None:
    peppol = shared_data.peppol_dir()
    examples = sorted((peppol / "examples").glob("*.xml")) + sorted((peppol / "national-examples").glob("*/*.xml"))
    for path in examples:
        assert structure_errors(etree.parse(str(path)).getroot(), allow_unknown=True) == [], path.name


@pytest.mark.skipif(
    not (shared_data.shared_data_dir() / "ubl" / "maindoc" / "UBL-Invoice-2.1.xsd").is_file(),
    reason="the UBL 2.1 schemas are not among the shared data files (ubl/maindoc/UBL-Invoice-2.1.xsd)",
)
@pytest.mark.parametrize("name", DOCUMENTS)
def test_issued_document_is_valid_against_the_ubl_schema(name: str) -> None:
    doc = DOCUMENTS[name]
    main = "UBL-CreditNote-2.1.xsd" if doc.is_credit_note else "UBL-Invoice-2.1.xsd"
    schema = etree.XMLSchema(etree.parse(str(shared_data.shared_data_dir() / "ubl" / "maindoc" / main)))
    schema.assertValid(build_ehf(doc))


def warnings(findings: list[Finding]) -> set[str]:
    return {f.rule_id for f in findings if not f.is_fatal}


def test_an_as_says_foretaksregisteret_and_draws_no_warning() -> None:
    root = build_ehf(DOCUMENTS["vat-registered AS, 25 %"])
    supplier = "/*/cac:AccountingSupplierParty/cac:Party"
    assert xpath(root, f"{supplier}/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='TAX']/cbc:CompanyID/text()") == [
        "Foretaksregisteret"
    ]
    assert xpath(root, f"{supplier}/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID/text()") == [
        "NO923609016MVA"
    ]
    assert warnings(validate_ehf(root)) == set()


def test_an_enk_is_not_in_foretaksregisteret_so_only_no_r_002_warns() -> None:
    findings = validate_ehf(build_ehf(DOCUMENTS["ENK"]))
    assert warnings(findings) == {"NO-R-002"}


def test_a_seller_not_registered_for_vat_sends_category_o_and_no_vat_ids() -> None:
    root = build_ehf(DOCUMENTS["seller not VAT-registered"])
    assert xpath(root, "//cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']") == []
    assert set(xpath(root, "//cac:ClassifiedTaxCategory/cbc:ID/text() | //cac:TaxCategory/cbc:ID/text()")) == {"O"}
    assert xpath(root, "//cac:ClassifiedTaxCategory/cbc:Percent") == []
    assert xpath(root, "//cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReason/text()") == [
        "Selger er ikke registrert i Merverdiavgiftsregisteret"
    ]
    assert xpath(root, "/*/cac:TaxTotal/cbc:TaxAmount/text()") == ["0.00"]


def test_several_rates_give_one_subtotal_each_with_its_category() -> None:
    root = build_ehf(DOCUMENTS["several rates on one invoice"])
    subtotals = [
        (
            st.findtext("cac:TaxCategory/cbc:ID", namespaces=NS),
            st.findtext("cac:TaxCategory/cbc:Percent", namespaces=NS),
            st.findtext("cbc:TaxableAmount", namespaces=NS),
            st.findtext("cbc:TaxAmount", namespaces=NS),
        )
        for st in root.iterfind("cac:TaxTotal/cac:TaxSubtotal", NS)
    ]
    assert subtotals == [
        ("S", "25", "9000.00", "2250.00"),
        ("S", "15", "1798.80", "269.82"),
        ("S", "12", "2350.00", "282.00"),
        ("Z", "0", "800.00", "0.00"),
        ("E", "0", "125.50", "0.00"),
    ]
    assert xpath(root, "/*/cac:LegalMonetaryTotal/cbc:PayableAmount/text()") == ["16876.12"]


def test_the_invoice_carries_kid_bank_account_due_date_and_profile() -> None:
    root = build_ehf(DOCUMENTS["vat-registered AS, 25 %"])
    assert xpath(root, "/*/cbc:CustomizationID/text()") == [CUSTOMIZATION_ID]
    assert xpath(root, "/*/cbc:ProfileID/text()") == [PROFILE_ID]
    assert xpath(root, "/*/cac:PaymentMeans/cbc:PaymentID/text()") == ["100232"]
    assert xpath(root, "/*/cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID/text()") == ["86011117947"]
    assert xpath(root, "/*/cbc:DueDate/text()") == ["2026-11-16"]
    assert xpath(root, "/*/cac:AccountingCustomerParty/cac:Party/cbc:EndpointID/@schemeID") == ["0192"]
    assert xpath(root, "/*/cac:AccountingCustomerParty/cac:Party/cbc:EndpointID/text()") == ["923609040"]
    assert xpath(root, "/*/cbc:BuyerReference/text()") == ["Per Hansen"]


def test_a_credit_note_refers_to_the_invoice_it_credits() -> None:
    root = build_ehf(DOCUMENTS["credit note"])
    assert etree.QName(root).localname == "CreditNote"
    assert xpath(root, "/*/cbc:CreditNoteTypeCode/text()") == ["381"]
    ref = "/*/cac:BillingReference/cac:InvoiceDocumentReference"
    assert xpath(root, f"{ref}/cbc:ID/text()") == ["10023"]
    assert xpath(root, f"{ref}/cbc:IssueDate/text()") == ["2026-11-02"]
    assert len(xpath(root, "/*/cac:CreditNoteLine/cbc:CreditedQuantity")) == 5


def test_english_documents_give_exemption_reasons_in_english() -> None:
    doc = invoice(SELLER_AS, BUYER, [line("Handling fee", "1 EA x 100", "6")], language="en")
    root = build_ehf(doc)
    assert xpath(root, "//cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReason/text()") == [
        "Outside the scope of the Norwegian VAT Act"
    ]
    assert fatal(validate_ehf(root)) == []
    assert ehf_filename(doc) == "invoice-10023.xml"
    assert ehf_filename(DOCUMENTS["credit note"]) == "kreditnota-10024.xml"


def test_a_buyer_without_organisation_number_cannot_get_ehf() -> None:
    with pytest.raises(EhfNotPossible):
        build_ehf(invoice(SELLER_AS, replace(BUYER, orgnr=None), CONSULTING))


def test_a_seller_not_registered_for_vat_cannot_charge_it() -> None:
    doc = invoice(SELLER_AS, BUYER, CONSULTING)
    with pytest.raises(EhfNotPossible):
        build_ehf(replace(doc, seller=SELLER_NOT_VAT_REGISTERED))


def test_vat_codes_map_to_peppol_categories() -> None:
    assert [vat_category(code, True) for code in ("3", "31", "33", "5", "6")] == ["S", "S", "S", "Z", "E"]
    assert vat_category("", False) == "O"
    with pytest.raises(EhfNotPossible):
        vat_category("1", True)  # a purchase code never goes on a sales invoice


def test_a_wrong_total_is_caught_by_the_rules() -> None:
    doc = DOCUMENTS["vat-registered AS, 25 %"]
    findings = fatal(validate_ehf(ehf_xml(replace(doc, total=doc.total + Decimal("1.00")))))
    assert "BR-CO-15" in {f.rule_id for f in findings}


def test_ehf_xml_is_utf8_with_a_declaration() -> None:
    xml = ehf_xml(DOCUMENTS["several rates on one invoice"])
    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert "Lunsj til workshop" in xml.decode("utf-8")


def test_each_line_says_when_it_was_delivered() -> None:
    doc = invoice(
        SELLER_AS,
        BUYER,
        [
            line("Montering", "3 HUR x 900", "3", "2026-10-05"),
            line("Service", "2 HUR x 900", "3", "2026-10-19"),
        ],
    )
    root = build_ehf(doc)
    assert xpath(root, "//cac:InvoiceLine/cac:InvoicePeriod/cbc:StartDate/text()") == [
        "2026-10-05",
        "2026-10-19",
    ]
    assert fatal(validate_ehf(root)) == []
    assert structure_errors(root) == []


def test_a_discount_is_a_negative_quantity_at_a_positive_price() -> None:
    root = build_ehf(DOCUMENTS["discount line"])
    assert xpath(root, "//cac:InvoiceLine[2]/cbc:InvoicedQuantity/text()") == ["-1"]
    assert xpath(root, "//cac:InvoiceLine[2]/cac:Price/cbc:PriceAmount/text()") == ["500"]
    assert xpath(root, "//cac:InvoiceLine[2]/cbc:LineExtensionAmount/text()") == ["-500.00"]
    assert xpath(root, "/*/cac:LegalMonetaryTotal/cbc:PayableAmount/text()") == ["5625.00"]
