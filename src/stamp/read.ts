// Reading invoice facts from a DOM we did not write: what stamping and verification need (QR source
// texts, ICV/PIH, the parts of a signature) and everything a printed document shows.
import type { Document, Element } from '@xmldom/xmldom';
import { childElements, findPath, firstChild, NS, textOf } from '../xml/parse.js';

export interface QrSourceTexts {
  sellerName?: string;
  sellerVatNumber?: string;
  issueDate?: string;
  issueTime?: string;
  payableAmount?: string;
  /**
   * Text of the first cac:TaxTotal's TaxAmount: what ZATCA's SDK writes in QR tag 5 and compares it
   * with (238-R3.2.7 sample Standard_Invoice_USD.xml carries the USD total there). Our writer puts
   * the SAR total without subtotals first, so for our documents this is the SAR VAT total.
   */
  firstTaxTotal?: string;
  /** The TaxTotal without subtotals (ZATCA's SAR total); falls back to the first TaxTotal. */
  taxTotalSar?: string;
  /** True when the KSA-2 code starts with 02 (simplified). */
  simplified: boolean;
  invoiceTypeName?: string;
  uuid?: string;
  id?: string;
}

export function readQrSources(doc: Document): QrSourceTexts {
  const root = doc.documentElement!;
  const typeCode = firstChild(root, NS.cbc, 'InvoiceTypeCode');
  const name = typeCode?.getAttribute('name') ?? undefined;
  const taxTotals = childElements(root, NS.cac, 'TaxTotal');
  const plain = taxTotals.find((t) => !firstChild(t, NS.cac, 'TaxSubtotal')) ?? taxTotals[0];
  return {
    sellerName: textOf(findPath(root, 'cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName')),
    sellerVatNumber: textOf(findPath(root, 'cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID')),
    issueDate: textOf(firstChild(root, NS.cbc, 'IssueDate')),
    issueTime: textOf(firstChild(root, NS.cbc, 'IssueTime')),
    payableAmount: textOf(findPath(root, 'cac:LegalMonetaryTotal/cbc:PayableAmount')),
    firstTaxTotal: taxTotals[0] ? textOf(firstChild(taxTotals[0], NS.cbc, 'TaxAmount')) : undefined,
    taxTotalSar: plain ? textOf(firstChild(plain, NS.cbc, 'TaxAmount')) : undefined,
    simplified: !!name && name.startsWith('02'),
    invoiceTypeName: name,
    uuid: textOf(firstChild(root, NS.cbc, 'UUID')),
    id: textOf(firstChild(root, NS.cbc, 'ID')),
  };
}

/** The root's cac:AdditionalDocumentReference whose cbc:ID is `id` (ICV, PIH, QR). */
export function documentReference(doc: Document, id: string): Element | undefined {
  return childElements(doc.documentElement!, NS.cac, 'AdditionalDocumentReference').find((r) => (textOf(firstChild(r, NS.cbc, 'ID')) ?? '').trim() === id);
}

export function readIcv(doc: Document): string | undefined {
  const ref = documentReference(doc, 'ICV');
  return ref ? textOf(firstChild(ref, NS.cbc, 'UUID')) : undefined;
}

/** UUID, ICV and PIH as the document writes them, trimmed; the ICV as a number only when it is digits. */
export function readChainFacts(doc: Document): { uuid: string | null; icv: number | null; pih: string | null } {
  const icv = readIcv(doc)?.trim();
  return {
    uuid: textOf(findPath(doc.documentElement!, 'cbc:UUID'))?.trim() ?? null,
    icv: icv && /^\d+$/.test(icv) ? Number(icv) : null,
    pih: readAttachment(doc, 'PIH')?.text.trim() ?? null,
  };
}

/** Text of the attachment of a PIH or QR reference. */
export function readAttachment(doc: Document, id: string): { element: Element; text: string } | undefined {
  const ref = documentReference(doc, id);
  const el = ref ? findPath(ref, 'cac:Attachment/cbc:EmbeddedDocumentBinaryObject') : undefined;
  return el ? { element: el, text: el.textContent ?? '' } : undefined;
}

export interface SignatureParts {
  signature: Element;
  /** DigestValue of the `invoiceSignedData` reference. */
  invoiceDigest?: string;
  /** DigestValue of the `#xadesSignedProperties` reference. */
  signedPropertiesDigest?: string;
  signatureValue?: string;
  certificateText?: string;
  signedProperties?: Element;
  certDigest?: string;
  issuerName?: string;
  serialNumber?: string;
  signingTime?: string;
}

/** All ds:Signature elements inside the root's UBLExtensions. */
export function findSignatures(doc: Document): Element[] {
  const out: Element[] = [];
  for (const ext of childElements(doc.documentElement!, undefined, 'UBLExtensions')) {
    const list = ext.getElementsByTagNameNS(NS.ds, 'Signature');
    for (let i = 0; i < list.length; i++) out.push(list.item(i)!);
  }
  return out;
}

export function readSignatureParts(signature: Element): SignatureParts {
  const parts: SignatureParts = { signature };
  const signedInfo = firstChild(signature, NS.ds, 'SignedInfo');
  for (const ref of signedInfo ? childElements(signedInfo, NS.ds, 'Reference') : []) {
    const digest = textOf(firstChild(ref, NS.ds, 'DigestValue'))?.trim();
    if (ref.getAttribute('URI') === '#xadesSignedProperties') parts.signedPropertiesDigest = digest;
    else if (ref.getAttribute('Id') === 'invoiceSignedData' || ref.getAttribute('URI') === '') parts.invoiceDigest ??= digest;
  }
  parts.signatureValue = textOf(firstChild(signature, NS.ds, 'SignatureValue'))?.trim();
  parts.certificateText = textOf(findPath(signature, 'ds:KeyInfo/ds:X509Data/ds:X509Certificate'));
  const sps = signature.getElementsByTagNameNS(NS.xades, 'SignedProperties');
  for (let i = 0; i < sps.length; i++) {
    const sp = sps.item(i)!;
    if (sp.getAttribute('Id') === 'xadesSignedProperties' || !parts.signedProperties) parts.signedProperties = sp;
  }
  const sp = parts.signedProperties;
  if (sp) {
    const one = (ns: string, name: string): string | undefined => {
      const l = sp.getElementsByTagNameNS(ns, name);
      return l.length ? (l.item(0)!.textContent ?? '').trim() : undefined;
    };
    parts.signingTime = one(NS.xades, 'SigningTime');
    parts.issuerName = one(NS.ds, 'X509IssuerName');
    parts.serialNumber = one(NS.ds, 'X509SerialNumber');
    const certDigest = sp.getElementsByTagNameNS(NS.xades, 'CertDigest');
    if (certDigest.length) parts.certDigest = textOf(firstChild(certDigest.item(0)!, NS.ds, 'DigestValue'))?.trim();
  }
  return parts;
}

// --- everything a printed document shows (src/render): parties, lines, VAT breakdown, totals ----

export interface AddressFacts {
  street?: string;
  additionalStreet?: string;
  building?: string;
  /** cbc:PlotIdentification, the KSA additional number. */
  plot?: string;
  district?: string;
  city?: string;
  postalZone?: string;
  province?: string;
  country?: string;
}

export interface PartyFacts {
  name?: string;
  vatNumber?: string;
  /** cac:PartyIdentification ids with their scheme (CRN, NAT, OTH…). */
  ids: Array<{ scheme: string; value: string }>;
  address: AddressFacts;
}

export interface AllowanceChargeFacts {
  charge: boolean;
  amount?: string;
  reason?: string;
  reasonCode?: string;
  /** MultiplierFactorNumeric: the percentage, when given. */
  percent?: string;
  category?: string;
  rate?: string;
}

export interface TaxSubtotalFacts {
  taxable?: string;
  tax?: string;
  currency?: string;
  category?: string;
  rate?: string;
  exemptionCode?: string;
  exemptionReason?: string;
}

export interface LineFacts {
  id?: string;
  name?: string;
  quantity?: string;
  unitCode?: string;
  price?: string;
  priceBaseQuantity?: string;
  /** cac:Price/cac:AllowanceCharge: the discount already taken off the price, per unit. */
  priceDiscount?: string;
  lineExtension?: string;
  allowanceCharges: AllowanceChargeFacts[];
  /** Line VAT (KSA-11) and the line amount with VAT (KSA-12). */
  vatAmount?: string;
  amountWithVat?: string;
  category?: string;
  rate?: string;
  /** A prepayment adjustment line: the prepayment invoice and the amounts it prepaid (KSA-26…34). */
  prepayment?: { id?: string; uuid?: string; issueDate?: string; issueTime?: string; subtotal?: TaxSubtotalFacts };
}

export interface DocumentContent {
  profileId?: string;
  id?: string;
  uuid?: string;
  issueDate?: string;
  issueTime?: string;
  typeCode?: string;
  /** KSA-2 `@name`, e.g. `0100000`. */
  typeName?: string;
  currency?: string;
  taxCurrency?: string;
  exchangeRate?: string;
  notes: string[];
  /** cac:BillingReference: the invoice(s) a credit or debit note corrects. */
  billingReferences: Array<{ id?: string; issueDate?: string }>;
  /** PaymentMeans/InstructionNote: the reason for a credit or debit note (KSA-10). */
  instructionNotes: string[];
  paymentMeans: string[];
  icv?: string;
  qr?: string;
  supplyDate?: string;
  supplyEndDate?: string;
  seller: PartyFacts;
  buyer?: PartyFacts;
  allowanceCharges: AllowanceChargeFacts[];
  taxTotals: Array<{ amount?: string; currency?: string; subtotals: TaxSubtotalFacts[] }>;
  totals: Partial<
    Record<'lineExtension' | 'taxExclusive' | 'taxInclusive' | 'allowanceTotal' | 'chargeTotal' | 'prepaid' | 'payableRounding' | 'payable', string>
  >;
  lines: LineFacts[];
}

const text = (from: Element | undefined, path: string): string | undefined => {
  const t = from ? textOf(findPath(from, path))?.trim() : undefined;
  return t === '' ? undefined : t;
};

function readParty(party: Element | undefined): PartyFacts {
  const address = party ? firstChild(party, NS.cac, 'PostalAddress') : undefined;
  return {
    name: text(party, 'cac:PartyLegalEntity/cbc:RegistrationName'),
    vatNumber: text(party, 'cac:PartyTaxScheme/cbc:CompanyID'),
    ids: (party ? childElements(party, NS.cac, 'PartyIdentification') : []).flatMap((p) => {
      const id = firstChild(p, NS.cbc, 'ID');
      const value = textOf(id)?.trim();
      return value ? [{ scheme: id!.getAttribute('schemeID') ?? '', value }] : [];
    }),
    address: {
      street: text(address, 'cbc:StreetName'),
      additionalStreet: text(address, 'cbc:AdditionalStreetName'),
      building: text(address, 'cbc:BuildingNumber'),
      plot: text(address, 'cbc:PlotIdentification'),
      district: text(address, 'cbc:CitySubdivisionName'),
      city: text(address, 'cbc:CityName'),
      postalZone: text(address, 'cbc:PostalZone'),
      province: text(address, 'cbc:CountrySubentity'),
      country: text(address, 'cac:Country/cbc:IdentificationCode'),
    },
  };
}

function readAllowanceCharge(ac: Element): AllowanceChargeFacts {
  return {
    charge: text(ac, 'cbc:ChargeIndicator') === 'true',
    amount: text(ac, 'cbc:Amount'),
    reason: text(ac, 'cbc:AllowanceChargeReason'),
    reasonCode: text(ac, 'cbc:AllowanceChargeReasonCode'),
    percent: text(ac, 'cbc:MultiplierFactorNumeric'),
    category: text(ac, 'cac:TaxCategory/cbc:ID'),
    rate: text(ac, 'cac:TaxCategory/cbc:Percent'),
  };
}

function readSubtotal(st: Element): TaxSubtotalFacts {
  return {
    taxable: text(st, 'cbc:TaxableAmount'),
    tax: text(st, 'cbc:TaxAmount'),
    currency: findPath(st, 'cbc:TaxAmount')?.getAttribute('currencyID') ?? undefined,
    category: text(st, 'cac:TaxCategory/cbc:ID'),
    rate: text(st, 'cac:TaxCategory/cbc:Percent'),
    exemptionCode: text(st, 'cac:TaxCategory/cbc:TaxExemptionReasonCode'),
    exemptionReason: text(st, 'cac:TaxCategory/cbc:TaxExemptionReason'),
  };
}

function readLine(line: Element): LineFacts {
  const ref = firstChild(line, NS.cac, 'DocumentReference');
  const taxTotal = firstChild(line, NS.cac, 'TaxTotal');
  const prepaid = taxTotal ? firstChild(taxTotal, NS.cac, 'TaxSubtotal') : undefined;
  return {
    id: text(line, 'cbc:ID'),
    name: text(line, 'cac:Item/cbc:Name'),
    quantity: text(line, 'cbc:InvoicedQuantity'),
    unitCode: findPath(line, 'cbc:InvoicedQuantity')?.getAttribute('unitCode') ?? undefined,
    price: text(line, 'cac:Price/cbc:PriceAmount'),
    priceBaseQuantity: text(line, 'cac:Price/cbc:BaseQuantity'),
    priceDiscount: text(line, 'cac:Price/cac:AllowanceCharge/cbc:Amount'),
    lineExtension: text(line, 'cbc:LineExtensionAmount'),
    allowanceCharges: childElements(line, NS.cac, 'AllowanceCharge').map(readAllowanceCharge),
    vatAmount: text(taxTotal, 'cbc:TaxAmount'),
    amountWithVat: text(taxTotal, 'cbc:RoundingAmount'),
    category: text(line, 'cac:Item/cac:ClassifiedTaxCategory/cbc:ID'),
    rate: text(line, 'cac:Item/cac:ClassifiedTaxCategory/cbc:Percent'),
    ...(ref && {
      prepayment: {
        id: text(ref, 'cbc:ID'),
        uuid: text(ref, 'cbc:UUID'),
        issueDate: text(ref, 'cbc:IssueDate'),
        issueTime: text(ref, 'cbc:IssueTime'),
        ...(prepaid && { subtotal: readSubtotal(prepaid) }),
      },
    }),
  };
}

/** What a printed document shows, read from the XML as written (no figure is recomputed). */
export function readDocumentContent(doc: Document): DocumentContent {
  const root = doc.documentElement!;
  const kids = (ns: string, name: string): Element[] => childElements(root, ns, name);
  const all = (name: string): string[] => kids(NS.cbc, name).flatMap((n) => (textOf(n)?.trim() ? [textOf(n)!.trim()] : []));
  const totals = firstChild(root, NS.cac, 'LegalMonetaryTotal');
  const customer = findPath(root, 'cac:AccountingCustomerParty/cac:Party');
  return {
    profileId: text(root, 'cbc:ProfileID'),
    id: text(root, 'cbc:ID'),
    uuid: text(root, 'cbc:UUID'),
    issueDate: text(root, 'cbc:IssueDate'),
    issueTime: text(root, 'cbc:IssueTime'),
    typeCode: text(root, 'cbc:InvoiceTypeCode'),
    typeName: findPath(root, 'cbc:InvoiceTypeCode')?.getAttribute('name') ?? undefined,
    currency: text(root, 'cbc:DocumentCurrencyCode'),
    taxCurrency: text(root, 'cbc:TaxCurrencyCode'),
    exchangeRate: text(root, 'cac:TaxExchangeRate/cbc:CalculationRate'),
    notes: all('Note'),
    billingReferences: kids(NS.cac, 'BillingReference').map((b) => ({
      id: text(b, 'cac:InvoiceDocumentReference/cbc:ID'),
      issueDate: text(b, 'cac:InvoiceDocumentReference/cbc:IssueDate'),
    })),
    instructionNotes: kids(NS.cac, 'PaymentMeans').flatMap((p) => childElements(p, NS.cbc, 'InstructionNote').map((n) => (textOf(n) ?? '').trim())),
    paymentMeans: kids(NS.cac, 'PaymentMeans').flatMap((p) => text(p, 'cbc:PaymentMeansCode') ?? []),
    icv: readIcv(doc)?.trim(),
    qr: readAttachment(doc, 'QR')?.text.trim() || undefined,
    supplyDate: text(root, 'cac:Delivery/cbc:ActualDeliveryDate'),
    supplyEndDate: text(root, 'cac:Delivery/cbc:LatestDeliveryDate'),
    seller: readParty(findPath(root, 'cac:AccountingSupplierParty/cac:Party')),
    ...(customer && { buyer: readParty(customer) }),
    allowanceCharges: kids(NS.cac, 'AllowanceCharge').map(readAllowanceCharge),
    taxTotals: kids(NS.cac, 'TaxTotal').map((t) => ({
      amount: text(t, 'cbc:TaxAmount'),
      currency: findPath(t, 'cbc:TaxAmount')?.getAttribute('currencyID') ?? undefined,
      subtotals: childElements(t, NS.cac, 'TaxSubtotal').map(readSubtotal),
    })),
    totals: {
      lineExtension: text(totals, 'cbc:LineExtensionAmount'),
      taxExclusive: text(totals, 'cbc:TaxExclusiveAmount'),
      taxInclusive: text(totals, 'cbc:TaxInclusiveAmount'),
      allowanceTotal: text(totals, 'cbc:AllowanceTotalAmount'),
      chargeTotal: text(totals, 'cbc:ChargeTotalAmount'),
      prepaid: text(totals, 'cbc:PrepaidAmount'),
      payableRounding: text(totals, 'cbc:PayableRoundingAmount'),
      payable: text(totals, 'cbc:PayableAmount'),
    },
    lines: kids(NS.cac, 'InvoiceLine').map(readLine),
  };
}
