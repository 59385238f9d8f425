"""The element order of UBL 2.1, for the parts an EHF invoice or credit note uses.

The UBL 2.1 schemas are not among the shared data files, so the tests check the structure
that matters for a generated document here: every element is one UBL allows in its parent,
and siblings come in the schema's sequence. The table is proved on the official PEPPOL
examples (see ``test_ehf.py``).
"""

from __future__ import annotations

from lxml import etree

# Parent: its children in the schema's sequence (continuation lines are indented).
_TABLE = """
Invoice: UBLExtensions UBLVersionID CustomizationID ProfileID ProfileExecutionID ID CopyIndicator UUID
    IssueDate IssueTime DueDate InvoiceTypeCode Note TaxPointDate DocumentCurrencyCode TaxCurrencyCode
    PricingCurrencyCode PaymentCurrencyCode PaymentAlternativeCurrencyCode AccountingCostCode
    AccountingCost LineCountNumeric BuyerReference InvoicePeriod OrderReference BillingReference
    DespatchDocumentReference ReceiptDocumentReference StatementDocumentReference
    OriginatorDocumentReference ContractDocumentReference AdditionalDocumentReference ProjectReference
    Signature AccountingSupplierParty AccountingCustomerParty PayeeParty BuyerCustomerParty
    SellerSupplierParty TaxRepresentativeParty Delivery DeliveryTerms PaymentMeans PaymentTerms
    PrepaidPayment AllowanceCharge TaxExchangeRate PricingExchangeRate PaymentExchangeRate
    PaymentAlternativeExchangeRate TaxTotal WithholdingTaxTotal LegalMonetaryTotal InvoiceLine
CreditNote: UBLExtensions UBLVersionID CustomizationID ProfileID ProfileExecutionID ID CopyIndicator
    UUID IssueDate IssueTime TaxPointDate CreditNoteTypeCode Note DocumentCurrencyCode TaxCurrencyCode
    PricingCurrencyCode PaymentCurrencyCode PaymentAlternativeCurrencyCode AccountingCostCode
    AccountingCost LineCountNumeric BuyerReference InvoicePeriod DiscrepancyResponse OrderReference
    BillingReference DespatchDocumentReference ReceiptDocumentReference ContractDocumentReference
    AdditionalDocumentReference StatementDocumentReference OriginatorDocumentReference Signature
    AccountingSupplierParty AccountingCustomerParty PayeeParty BuyerCustomerParty SellerSupplierParty
    TaxRepresentativeParty Delivery DeliveryTerms PaymentMeans PaymentTerms TaxExchangeRate
    PricingExchangeRate PaymentExchangeRate PaymentAlternativeExchangeRate AllowanceCharge TaxTotal
    LegalMonetaryTotal CreditNoteLine
Party: MarkCareIndicator MarkAttentionIndicator WebsiteURI LogoReferenceID EndpointID
    IndustryClassificationCode PartyIdentification PartyName Language PostalAddress PhysicalLocation
    PartyTaxScheme PartyLegalEntity Contact Person AgentParty ServiceProviderParty PowerOfAttorney
    FinancialAccount
PostalAddress: ID AddressTypeCode AddressFormatCode Postbox Floor Room StreetName AdditionalStreetName
    BlockName BuildingName BuildingNumber InhouseMail Department MarkAttention MarkCare
    PlotIdentification CitySubdivisionName CityName PostalZone CountrySubentity CountrySubentityCode
    Region District TimezoneOffset AddressLine Country LocationCoordinate
PartyName: Name
Country: IdentificationCode Name
PartyTaxScheme: RegistrationName CompanyID TaxLevelCode ExemptionReasonCode ExemptionReason
    RegistrationAddress TaxScheme
PartyLegalEntity: RegistrationName CompanyID RegistrationDate RegistrationExpirationDate
    CompanyLegalFormCode CompanyLegalForm SoleProprietorshipIndicator CompanyLiquidationStatusCode
    CorporateStockAmount FullyPaidSharesIndicator RegistrationAddress CorporateRegistrationScheme
    HeadOfficeParty ShareholderParty
Contact: ID Name Telephone Telefax ElectronicMail Note OtherCommunication
InvoicePeriod: StartDate StartTime EndDate EndTime DurationMeasure DescriptionCode Description
OrderReference: ID SalesOrderID CopyIndicator UUID IssueDate IssueTime CustomerReference
BillingReference: InvoiceDocumentReference SelfBilledInvoiceDocumentReference
    CreditNoteDocumentReference SelfBilledCreditNoteDocumentReference DebitNoteDocumentReference
    ReminderDocumentReference AdditionalDocumentReference BillingReferenceLine
InvoiceDocumentReference: ID CopyIndicator UUID IssueDate IssueTime DocumentTypeCode DocumentType XPath
    LanguageID LocaleCode VersionID DocumentStatusCode DocumentDescription Attachment ValidityPeriod
    IssuerParty ResultOfVerification
Delivery: ID Quantity MinimumQuantity MaximumQuantity ActualDeliveryDate ActualDeliveryTime
    LatestDeliveryDate LatestDeliveryTime ReleaseID TrackingID DeliveryAddress DeliveryLocation
    AlternativeDeliveryLocation RequestedDeliveryPeriod PromisedDeliveryPeriod EstimatedDeliveryPeriod
    CarrierParty DeliveryParty NotifyParty Despatch DeliveryTerms MinimumDeliveryUnit
    MaximumDeliveryUnit Shipment
PaymentMeans: ID PaymentMeansCode PaymentDueDate PaymentChannelCode InstructionID InstructionNote
    PaymentID CardAccount PayerFinancialAccount PayeeFinancialAccount CreditAccount PaymentMandate
    TradeFinancing
PayeeFinancialAccount: ID Name AliasName AccountTypeCode AccountFormatCode CurrencyCode PaymentNote
    FinancialInstitutionBranch Country
TaxTotal: TaxAmount RoundingAmount TaxEvidenceIndicator TaxIncludedIndicator TaxSubtotal
TaxSubtotal: TaxableAmount TaxAmount CalculationSequenceNumeric TransactionCurrencyTaxAmount Percent
    BaseUnitMeasure PerUnitAmount TierRange TierRatePercent TaxCategory
TaxCategory: ID Name Percent BaseUnitMeasure PerUnitAmount TaxExemptionReasonCode TaxExemptionReason
    TierRange TierRatePercent TaxScheme
ClassifiedTaxCategory: ID Name Percent BaseUnitMeasure PerUnitAmount TaxExemptionReasonCode
    TaxExemptionReason TierRange TierRatePercent TaxScheme
TaxScheme: ID Name TaxTypeCode CurrencyCode JurisdictionRegionAddress
LegalMonetaryTotal: LineExtensionAmount TaxExclusiveAmount TaxInclusiveAmount AllowanceTotalAmount
    ChargeTotalAmount PrepaidAmount PayableRoundingAmount PayableAmount PayableAlternativeAmount
InvoiceLine: ID UUID Note InvoicedQuantity LineExtensionAmount TaxPointDate AccountingCostCode
    AccountingCost PaymentPurposeCode FreeOfChargeIndicator InvoicePeriod OrderLineReference
    DespatchLineReference ReceiptLineReference BillingReference DocumentReference PricingReference
    OriginatorParty Delivery PaymentTerms AllowanceCharge TaxTotal WithholdingTaxTotal Item Price
    DeliveryTerms SubInvoiceLine ItemPriceExtension
Item: Description PackQuantity PackSizeNumeric CatalogueIndicator Name HazardousRiskIndicator
    AdditionalInformation Keyword BrandName ModelName BuyersItemIdentification SellersItemIdentification
    ManufacturersItemIdentification StandardItemIdentification CatalogueItemIdentification
    AdditionalItemIdentification CatalogueDocumentReference ItemSpecificationDocumentReference
    OriginCountry CommodityClassification TransactionConditions HazardousItem ClassifiedTaxCategory
    AdditionalItemProperty ManufacturerParty InformationContentProviderParty OriginAddress ItemInstance
    Certificate Dimension
Price: PriceAmount BaseQuantity PriceChangeReason PriceTypeCode PriceType OrderableUnitFactorRate
    ValidityPeriod PriceList AllowanceCharge PricingExchangeRate
CreditNoteLine: ID UUID Note CreditedQuantity LineExtensionAmount TaxPointDate AccountingCostCode
    AccountingCost PaymentPurposeCode FreeOfChargeIndicator InvoicePeriod OrderLineReference
    DiscrepancyResponse DespatchLineReference ReceiptLineReference BillingReference DocumentReference
    PricingReference OriginatorParty Delivery TaxTotal AllowanceCharge Item Price DeliveryTerms
    SubCreditNoteLine ItemPriceExtension
AccountingSupplierParty: CustomerAssignedAccountID AdditionalAccountID DataSendingCapability Party
    DespatchContact AccountingContact SellerContact
AccountingCustomerParty: CustomerAssignedAccountID SupplierAssignedAccountID AdditionalAccountID Party
    DeliveryContact AccountingContact BuyerContact
"""


def _parse(table: str) -> dict[str, list[str]]:
    order: dict[str, list[str]] = {}
    parent = ""
    for raw in table.strip().splitlines():
        if raw[:1].isspace():
            order[parent].extend(raw.split())
        else:
            parent, children = raw.split(":", 1)
            order[parent] = children.split()
    return order


ORDER = _parse(_TABLE)


def structure_errors(root: etree._Element, *, allow_unknown: bool = False) -> list[str]:
    """Children that UBL does not allow where they are, or that come out of order.

    Elements whose parent is not in the table are not looked into; with ``allow_unknown``,
    children missing from a known parent's list are skipped instead of reported.
    """
    errors: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        parent_name = etree.QName(el).localname
        order = ORDER.get(parent_name)
        if order is None:
            continue
        last = -1
        for child in el:
            if not isinstance(child.tag, str):
                continue
            name = etree.QName(child).localname
            if name not in order:
                if not allow_unknown:
                    errors.append(f"{parent_name}/{name}: not allowed there")
                continue
            position = order.index(name)
            if position < last:
                errors.append(f"{parent_name}/{name}: out of order")
            last = position
    return errors
