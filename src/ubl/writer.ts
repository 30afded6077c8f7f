// The UBL writer: a computed invoice → UnsignedInvoice, UBL 2.1 text in ZATCA's element order and
// already in C14N form, built by plain string concatenation (the hot path; docs/zatca-notes.md §2, §5 shortcut).
import { escapeC14nAttribute as attr, escapeC14nText as esc } from '../xml/c14n.js';
import { NS } from '../xml/namespaces.js';
import { computeInvoice } from '../model/compute/index.js';
import type { ComputedAllowanceCharge, ComputedCategory, ComputedInvoice, ComputedLine, ComputedPrepaymentLine, ComputedSubtotal } from '../model/computed.js';
import { parseInvoiceInput } from '../model/parse.js';
import type { Address, LocalizedText } from '../model/schema.js';
import type { UnsignedInvoice } from './document.js';

const INDENT = '    ';
/** Newline + indentation for each depth, so no loop builds whitespace. */
const NL = Array.from({ length: 12 }, (_, depth) => '\n' + INDENT.repeat(depth));

export const ROOT_START = `<Invoice xmlns="${NS.invoice}" xmlns:cac="${NS.cac}" xmlns:cbc="${NS.cbc}" xmlns:ext="${NS.ext}">`;

/** `Arabic | English` when both are given, as in ZATCA's samples. */
export function localized(text: LocalizedText): string {
  if (typeof text === 'string') return text;
  if (text.ar !== undefined && text.en !== undefined) return `${text.ar} | ${text.en}`;
  return (text.ar ?? text.en)!;
}

/** `<tag>text</tag>` at `depth`, text escaped for C14N. */
function el(depth: number, tag: string, text: string): string {
  return NL[depth] + '<' + tag + '>' + esc(text) + '</' + tag + '>';
}

/** An amount element; every amount carries the document currency (BR-KSA-CL-02). */
function amount(depth: number, tag: string, value: string, currency: string): string {
  return NL[depth] + '<cbc:' + tag + ' currencyID="' + currency + '">' + value + '</cbc:' + tag + '>';
}

function taxScheme(depth: number): string {
  return NL[depth] + '<cac:TaxScheme>' + NL[depth + 1] + '<cbc:ID>VAT</cbc:ID>' + NL[depth] + '</cac:TaxScheme>';
}

function taxCategory(depth: number, tag: string, c: ComputedCategory, exemptionCode?: string, exemptionReason?: string): string {
  let s = NL[depth] + '<cac:' + tag + '>' + NL[depth + 1] + '<cbc:ID>' + c.code + '</cbc:ID>' + NL[depth + 1] + '<cbc:Percent>' + c.rate + '</cbc:Percent>';
  if (exemptionCode !== undefined) s += el(depth + 1, 'cbc:TaxExemptionReasonCode', exemptionCode);
  if (exemptionReason !== undefined) s += el(depth + 1, 'cbc:TaxExemptionReason', exemptionReason);
  return s + taxScheme(depth + 1) + NL[depth] + '</cac:' + tag + '>';
}

function address(depth: number, a: Address): string {
  let s = NL[depth] + '<cac:PostalAddress>' + el(depth + 1, 'cbc:StreetName', localized(a.street));
  if (a.additionalStreet !== undefined) s += el(depth + 1, 'cbc:AdditionalStreetName', localized(a.additionalStreet));
  if (a.buildingNumber !== undefined) s += el(depth + 1, 'cbc:BuildingNumber', a.buildingNumber);
  if (a.district !== undefined) s += el(depth + 1, 'cbc:CitySubdivisionName', localized(a.district));
  s += el(depth + 1, 'cbc:CityName', localized(a.city));
  if (a.postalCode !== undefined) s += el(depth + 1, 'cbc:PostalZone', a.postalCode);
  if (a.province !== undefined) s += el(depth + 1, 'cbc:CountrySubentity', localized(a.province));
  return (
    s +
    NL[depth + 1] +
    '<cac:Country>' +
    el(depth + 2, 'cbc:IdentificationCode', a.country) +
    NL[depth + 1] +
    '</cac:Country>' +
    NL[depth] +
    '</cac:PostalAddress>'
  );
}

/** Party children in UBL order: PartyIdentification, PartyName, PostalAddress, PartyTaxScheme, PartyLegalEntity (docs/zatca-notes.md §2.3). */
function party(
  identification: { scheme: string; value: string } | undefined,
  partyName: string | undefined,
  postal: Address | undefined,
  vatNumber: string | undefined,
  name: string | undefined,
): string {
  let s = NL[2] + '<cac:Party>';
  if (identification) {
    s +=
      NL[3] +
      '<cac:PartyIdentification>' +
      NL[4] +
      '<cbc:ID schemeID="' +
      attr(identification.scheme) +
      '">' +
      esc(identification.value) +
      '</cbc:ID>' +
      NL[3] +
      '</cac:PartyIdentification>';
  }
  if (partyName !== undefined) s += NL[3] + '<cac:PartyName>' + el(4, 'cbc:Name', partyName) + NL[3] + '</cac:PartyName>';
  if (postal) s += address(3, postal);
  if (vatNumber !== undefined) s += NL[3] + '<cac:PartyTaxScheme>' + el(4, 'cbc:CompanyID', vatNumber) + taxScheme(4) + NL[3] + '</cac:PartyTaxScheme>';
  if (name !== undefined) s += NL[3] + '<cac:PartyLegalEntity>' + el(4, 'cbc:RegistrationName', name) + NL[3] + '</cac:PartyLegalEntity>';
  return s + NL[2] + '</cac:Party>';
}

function allowanceCharge(depth: number, ac: ComputedAllowanceCharge, currency: string, category?: ComputedCategory): string {
  let s = NL[depth] + '<cac:AllowanceCharge>' + NL[depth + 1] + '<cbc:ChargeIndicator>' + (ac.chargeIndicator ? 'true' : 'false') + '</cbc:ChargeIndicator>';
  if (ac.reasonCode !== undefined) s += el(depth + 1, 'cbc:AllowanceChargeReasonCode', ac.reasonCode);
  if (ac.reason !== undefined) s += el(depth + 1, 'cbc:AllowanceChargeReason', ac.reason);
  if (ac.percent !== undefined) s += NL[depth + 1] + '<cbc:MultiplierFactorNumeric>' + ac.percent + '</cbc:MultiplierFactorNumeric>';
  s += amount(depth + 1, 'Amount', ac.amount, currency);
  if (ac.baseAmount !== undefined) s += amount(depth + 1, 'BaseAmount', ac.baseAmount, currency);
  if (category) s += taxCategory(depth + 1, 'TaxCategory', category);
  return s + NL[depth] + '</cac:AllowanceCharge>';
}

function subtotal(depth: number, st: ComputedSubtotal | ComputedPrepaymentLine, currency: string): string {
  return (
    NL[depth] +
    '<cac:TaxSubtotal>' +
    amount(depth + 1, 'TaxableAmount', st.taxableAmount, currency) +
    amount(depth + 1, 'TaxAmount', st.taxAmount, currency) +
    taxCategory(depth + 1, 'TaxCategory', st.category, st.exemptionCode, st.exemptionReason) +
    NL[depth] +
    '</cac:TaxSubtotal>'
  );
}

function item(name: string, category: ComputedCategory): string {
  return NL[2] + '<cac:Item>' + el(3, 'cbc:Name', name) + taxCategory(3, 'ClassifiedTaxCategory', category) + NL[2] + '</cac:Item>';
}

function invoiceLine(line: ComputedLine, currency: string): string {
  const unit = attr(line.unitCode);
  let s =
    NL[1] +
    '<cac:InvoiceLine>' +
    el(2, 'cbc:ID', line.id) +
    NL[2] +
    '<cbc:InvoicedQuantity unitCode="' +
    unit +
    '">' +
    line.quantity +
    '</cbc:InvoicedQuantity>' +
    amount(2, 'LineExtensionAmount', line.lineExtensionAmount, currency);
  for (const ac of line.allowanceCharges) s += allowanceCharge(2, ac, currency);
  s +=
    NL[2] +
    '<cac:TaxTotal>' +
    amount(3, 'TaxAmount', line.taxAmount, currency) +
    amount(3, 'RoundingAmount', line.roundingAmount, currency) +
    NL[2] +
    '</cac:TaxTotal>' +
    item(line.name, line.category) +
    NL[2] +
    '<cac:Price>' +
    amount(3, 'PriceAmount', line.priceAmount, currency);
  if (line.baseQuantity !== undefined) s += NL[3] + '<cbc:BaseQuantity unitCode="' + unit + '">' + line.baseQuantity + '</cbc:BaseQuantity>';
  if (line.priceDiscount) {
    // Price-level allowance: net price = gross price − discount (BR-KSA-EN16931-06/07).
    s +=
      NL[3] +
      '<cac:AllowanceCharge>' +
      NL[4] +
      '<cbc:ChargeIndicator>false</cbc:ChargeIndicator>' +
      amount(4, 'Amount', line.priceDiscount.amount, currency) +
      amount(4, 'BaseAmount', line.priceDiscount.baseAmount, currency) +
      NL[3] +
      '</cac:AllowanceCharge>';
  }
  return s + NL[2] + '</cac:Price>' + NL[1] + '</cac:InvoiceLine>';
}

/** Adjustment line of a final invoice for one prepayment (docs/zatca-notes.md §1.4; quantity `0.00`, never `0`: BR-22). */
function prepaymentLine(p: ComputedPrepaymentLine, currency: string): string {
  return (
    NL[1] +
    '<cac:InvoiceLine>' +
    el(2, 'cbc:ID', p.id) +
    NL[2] +
    '<cbc:InvoicedQuantity unitCode="' +
    attr(p.unitCode) +
    '">0.00</cbc:InvoicedQuantity>' +
    amount(2, 'LineExtensionAmount', '0.00', currency) +
    NL[2] +
    '<cac:DocumentReference>' +
    el(3, 'cbc:ID', p.invoiceId) +
    el(3, 'cbc:UUID', p.invoiceUuid) +
    el(3, 'cbc:IssueDate', p.issueDate) +
    el(3, 'cbc:IssueTime', p.issueTime) +
    NL[3] +
    '<cbc:DocumentTypeCode>386</cbc:DocumentTypeCode>' +
    NL[2] +
    '</cac:DocumentReference>' +
    NL[2] +
    '<cac:TaxTotal>' +
    amount(3, 'TaxAmount', '0.00', currency) +
    amount(3, 'RoundingAmount', '0.00', currency) +
    subtotal(3, p, currency) +
    NL[2] +
    '</cac:TaxTotal>' +
    item(p.name, p.category) +
    NL[2] +
    '<cac:Price>' +
    amount(3, 'PriceAmount', '0.00', currency) +
    NL[2] +
    '</cac:Price>' +
    NL[1] +
    '</cac:InvoiceLine>'
  );
}

function writeHead(inv: ComputedInvoice): string {
  let s =
    NL[1] +
    '<cbc:ProfileID>reporting:1.0</cbc:ProfileID>' +
    el(1, 'cbc:ID', inv.id) +
    el(1, 'cbc:UUID', inv.uuid) +
    NL[1] +
    '<cbc:IssueDate>' +
    inv.issueDate +
    '</cbc:IssueDate>' +
    NL[1] +
    '<cbc:IssueTime>' +
    inv.issueTime +
    '</cbc:IssueTime>' +
    NL[1] +
    '<cbc:InvoiceTypeCode name="' +
    inv.transactionCode +
    '">' +
    inv.typeCode +
    '</cbc:InvoiceTypeCode>';
  for (const n of inv.notes) {
    s += n.language !== undefined ? NL[1] + '<cbc:Note languageID="' + attr(n.language) + '">' + esc(n.text) + '</cbc:Note>' : el(1, 'cbc:Note', n.text);
  }
  s += NL[1] + '<cbc:DocumentCurrencyCode>' + inv.currency + '</cbc:DocumentCurrencyCode>' + NL[1] + '<cbc:TaxCurrencyCode>SAR</cbc:TaxCurrencyCode>';
  if (inv.orderReference !== undefined) s += NL[1] + '<cac:OrderReference>' + el(2, 'cbc:ID', inv.orderReference) + NL[1] + '</cac:OrderReference>';
  if (inv.billingReference) {
    const b = inv.billingReference;
    s += NL[1] + '<cac:BillingReference>' + NL[2] + '<cac:InvoiceDocumentReference>' + el(3, 'cbc:ID', b.invoiceId);
    if (b.uuid !== undefined) s += el(3, 'cbc:UUID', b.uuid);
    if (b.issueDate !== undefined) s += el(3, 'cbc:IssueDate', b.issueDate);
    s += NL[2] + '</cac:InvoiceDocumentReference>' + NL[1] + '</cac:BillingReference>';
  }
  if (inv.contractReference !== undefined)
    s += NL[1] + '<cac:ContractDocumentReference>' + el(2, 'cbc:ID', inv.contractReference) + NL[1] + '</cac:ContractDocumentReference>';
  return (
    s +
    NL[1] +
    '<cac:AdditionalDocumentReference>' +
    NL[2] +
    '<cbc:ID>ICV</cbc:ID>' +
    NL[2] +
    '<cbc:UUID>' +
    inv.icv +
    '</cbc:UUID>' +
    NL[1] +
    '</cac:AdditionalDocumentReference>' +
    NL[1] +
    '<cac:AdditionalDocumentReference>' +
    NL[2] +
    '<cbc:ID>PIH</cbc:ID>' +
    NL[2] +
    '<cac:Attachment>' +
    NL[3] +
    '<cbc:EmbeddedDocumentBinaryObject mimeCode="text/plain">' +
    esc(inv.pih) +
    '</cbc:EmbeddedDocumentBinaryObject>' +
    NL[2] +
    '</cac:Attachment>' +
    NL[1] +
    '</cac:AdditionalDocumentReference>'
  );
}

function writeTail(inv: ComputedInvoice, sellerName: string): string {
  const cur = inv.currency;
  const seller = inv.seller;
  let s =
    NL[1] +
    '<cac:AccountingSupplierParty>' +
    party(seller.identification, seller.branchName === undefined ? undefined : localized(seller.branchName), seller.address, seller.vatNumber, sellerName) +
    NL[1] +
    '</cac:AccountingSupplierParty>';
  const b = inv.buyer;
  // A simplified document without buyer keeps an empty AccountingCustomerParty, as the samples do.
  s += NL[1] + '<cac:AccountingCustomerParty>';
  if (b) s += party(b.identification, undefined, b.address, b.vatNumber, b.name === undefined ? undefined : localized(b.name));
  s += NL[1] + '</cac:AccountingCustomerParty>';
  const d = inv.delivery;
  if (d && (d.actualDate !== undefined || d.latestDate !== undefined)) {
    s += NL[1] + '<cac:Delivery>';
    if (d.actualDate !== undefined) s += NL[2] + '<cbc:ActualDeliveryDate>' + d.actualDate + '</cbc:ActualDeliveryDate>';
    if (d.latestDate !== undefined) s += NL[2] + '<cbc:LatestDeliveryDate>' + d.latestDate + '</cbc:LatestDeliveryDate>';
    s += NL[1] + '</cac:Delivery>';
  }
  for (const pm of inv.paymentMeans) {
    s += NL[1] + '<cac:PaymentMeans>' + el(2, 'cbc:PaymentMeansCode', pm.code);
    if (pm.instructionNote !== undefined) s += el(2, 'cbc:InstructionNote', pm.instructionNote);
    s += NL[1] + '</cac:PaymentMeans>';
  }
  for (const ac of inv.allowanceCharges) s += allowanceCharge(1, ac, cur, ac.category);
  if (inv.writeTaxExchangeRate && inv.exchangeRate !== undefined) {
    s +=
      NL[1] +
      '<cac:TaxExchangeRate>' +
      NL[2] +
      '<cbc:SourceCurrencyCode>' +
      cur +
      '</cbc:SourceCurrencyCode>' +
      NL[2] +
      '<cbc:TargetCurrencyCode>SAR</cbc:TargetCurrencyCode>' +
      NL[2] +
      '<cbc:CalculationRate>' +
      inv.exchangeRate +
      '</cbc:CalculationRate>' +
      NL[1] +
      '</cac:TaxExchangeRate>';
  }
  const t = inv.totals;
  // Always both TaxTotals: first in SAR without subtotals (BT-111, QR tag 5), then the breakdown (docs/zatca-notes.md §2.7).
  s += NL[1] + '<cac:TaxTotal>' + NL[2] + '<cbc:TaxAmount currencyID="SAR">' + t.taxAmountSar + '</cbc:TaxAmount>' + NL[1] + '</cac:TaxTotal>';
  s += NL[1] + '<cac:TaxTotal>' + amount(2, 'TaxAmount', t.taxAmount, cur);
  for (const st of inv.subtotals) s += subtotal(2, st, cur);
  s += NL[1] + '</cac:TaxTotal>';
  s +=
    NL[1] +
    '<cac:LegalMonetaryTotal>' +
    amount(2, 'LineExtensionAmount', t.lineExtensionAmount, cur) +
    amount(2, 'TaxExclusiveAmount', t.taxExclusiveAmount, cur) +
    amount(2, 'TaxInclusiveAmount', t.taxInclusiveAmount, cur) +
    amount(2, 'AllowanceTotalAmount', t.allowanceTotalAmount, cur) +
    amount(2, 'ChargeTotalAmount', t.chargeTotalAmount, cur) +
    amount(2, 'PrepaidAmount', t.prepaidAmount, cur);
  if (t.payableRoundingAmount !== '0.00') s += amount(2, 'PayableRoundingAmount', t.payableRoundingAmount, cur);
  s += amount(2, 'PayableAmount', t.payableAmount, cur) + NL[1] + '</cac:LegalMonetaryTotal>';
  for (const line of inv.lines) s += invoiceLine(line, cur);
  for (const p of inv.prepaymentLines) s += prepaymentLine(p, cur);
  return s + '\n</Invoice>';
}

/** Write a computed invoice as UBL 2.1 in canonical form, split where the stamp goes. */
export function writeInvoice(inv: ComputedInvoice): UnsignedInvoice {
  const sellerName = localized(inv.seller.name);
  return {
    rootStart: ROOT_START,
    head: writeHead(inv),
    tail: writeTail(inv, sellerName),
    indent: INDENT,
    facts: {
      id: inv.id,
      uuid: inv.uuid,
      simplified: inv.kind === 'simplified',
      issueDate: inv.issueDate,
      issueTime: inv.issueTime,
      sellerName,
      sellerVatNumber: inv.seller.vatNumber,
      payableAmount: inv.totals.payableAmount,
      taxTotalSar: inv.totals.taxAmountSar,
      icv: inv.icv,
      pih: inv.pih,
    },
  };
}

/** JSON input → UnsignedInvoice: parse (throws FawtaraError), compute, write. */
export function buildInvoice(json: unknown): UnsignedInvoice {
  return writeInvoice(computeInvoice(parseInvoiceInput(json)));
}
