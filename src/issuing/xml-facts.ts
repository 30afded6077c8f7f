// The stored facts of a document read from its verified XML (a branch's synced document): kind, type,
// buyer, references and every VAT figure, derived through the same `totalsOf` as local issuing.
import type { Document } from '@xmldom/xmldom';
import { DOCUMENT_TYPE_CODES, INVOICE_KIND_PREFIX, type DocumentType } from '../model/codes.js';
import { dec, money } from '../money/decimal.js';
import { readAttachment, readDocumentContent, readIcv, type DocumentContent, type TaxSubtotalFacts } from '../stamp/read.js';
import { totalsOf, type DocumentTotals } from './totals.js';

export interface XmlFacts {
  kind: 'standard' | 'simplified';
  documentType: DocumentType;
  typeCode: string;
  transactionCode: string;
  number: string;
  uuid: string;
  icv: number;
  pih: string;
  issueDate: string;
  issueTime: string;
  sellerVat: string;
  buyerVat: string | null;
  buyerName: string | null;
  originalNumber: string | null;
  qr: string | null;
  totals: DocumentTotals;
}

/** An amount as ZATCA's rules allow it (BR-DEC-*: at most two decimals) and bounded in digits. */
const AMOUNT = /^-?\d{1,15}(\.\d{1,2})?$/;
const RATE = /^\d{1,6}(\.\d{1,6})?$/;

class FactProblem extends Error {}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined || value === '') throw new FactProblem(`the document has no ${what}`);
  return value;
}

function amount(value: string | undefined, what: string): string {
  const v = need(value, what);
  if (!AMOUNT.test(v)) throw new FactProblem(`${what} "${v.slice(0, 40)}" is not an amount with at most 15 digits and 2 decimals`);
  return v;
}

const DOCUMENT_TYPE_OF_CODE = new Map(Object.entries(DOCUMENT_TYPE_CODES).map(([type, code]) => [code as string, type as DocumentType]));

function subtotalOf(s: TaxSubtotalFacts, what: string) {
  return {
    category: need(s.category, `${what} category (BT-118)`),
    rate: need(s.rate, `${what} rate (BT-119)`),
    ...(s.exemptionCode !== undefined && { exemptionCode: s.exemptionCode }),
    taxable: amount(s.taxable, `${what} taxable amount (BT-116)`),
    tax: amount(s.tax, `${what} VAT amount (BT-117)`),
  };
}

/** The two TaxTotals every document carries (BR-KSA-EN16931-09): the one with subtotals (document currency) and the SAR total without them. */
function taxTotalsOf(c: DocumentContent) {
  const withSubtotals = c.taxTotals.filter((t) => t.subtotals.length > 0);
  const sar = c.taxTotals.filter((t) => t.subtotals.length === 0 && t.currency === 'SAR');
  if (withSubtotals.length !== 1)
    throw new FactProblem(`the document has ${withSubtotals.length} TaxTotals with subtotals; exactly one is required (BR-KSA-EN16931-09)`);
  if (sar.length !== 1) throw new FactProblem(`the document has ${sar.length} SAR TaxTotals without subtotals; exactly one is required (BR-KSA-EN16931-09)`);
  return { breakdown: withSubtotals[0]!, sar: sar[0]! };
}

function readFacts(doc: Document, claimedExchangeRate: string | null): XmlFacts {
  const c = readDocumentContent(doc);
  const typeCode = need(c.typeCode, 'InvoiceTypeCode (BT-3)');
  const documentType = DOCUMENT_TYPE_OF_CODE.get(typeCode);
  if (!documentType) throw new FactProblem(`InvoiceTypeCode ${typeCode} is not one of 388, 381, 383, 386 (BR-KSA-05)`);
  const transactionCode = need(c.typeName, 'InvoiceTypeCode name (KSA-2)');
  const prefix = transactionCode.slice(0, 2);
  const kind = prefix === INVOICE_KIND_PREFIX.standard ? 'standard' : prefix === INVOICE_KIND_PREFIX.simplified ? 'simplified' : undefined;
  if (!kind || !/^0[12][01]{5}$/.test(transactionCode)) throw new FactProblem(`KSA-2 "${transactionCode.slice(0, 20)}" is not a transaction code (BR-KSA-06)`);
  const currency = need(c.currency, 'DocumentCurrencyCode (BT-5)');
  const { breakdown, sar } = taxTotalsOf(c);
  const taxSar = amount(sar.amount, 'SAR VAT total (BT-111)');
  const tax = amount(breakdown.amount, 'VAT total (BT-110)');
  // The rate is in the XML when the document writes TaxExchangeRate; otherwise the branch's claimed
  // rate is used only if it reproduces the SAR VAT total the XML states (BR-KSA-EN16931-09).
  let exchangeRate: string | undefined;
  if (currency !== 'SAR') {
    exchangeRate = c.exchangeRate ?? claimedExchangeRate ?? undefined;
    if (exchangeRate === undefined || !RATE.test(exchangeRate)) throw new FactProblem('a foreign-currency document needs an exchange rate to SAR (BT-111)');
    if (money(dec(tax).times(exchangeRate)) !== money(dec(taxSar)))
      throw new FactProblem(`VAT ${tax} ${currency} × rate ${exchangeRate} is not the SAR VAT total ${taxSar} the document states`);
  }
  const totals = totalsOf({
    currency,
    ...(exchangeRate !== undefined && { exchangeRate }),
    subtotals: breakdown.subtotals.map((s, i) => subtotalOf(s, `VAT breakdown ${i + 1}`)),
    totals: {
      taxExclusive: amount(c.totals.taxExclusive, 'TaxExclusiveAmount (BT-109)'),
      tax,
      taxSar,
      taxInclusive: amount(c.totals.taxInclusive, 'TaxInclusiveAmount (BT-112)'),
      payable: amount(c.totals.payable, 'PayableAmount (BT-115)'),
    },
    prepaid: c.lines.flatMap((l, i) => {
      if (!l.prepayment) return [];
      const s = subtotalOf(l.prepayment.subtotal ?? {}, `prepayment line ${i + 1}`);
      return [
        { invoiceId: need(l.prepayment.id, 'prepayment invoice id (KSA-26)'), invoiceUuid: need(l.prepayment.uuid, 'prepayment UUID'), ...s, vat: s.tax },
      ];
    }),
  });
  const icvText = need(readIcv(doc)?.trim(), 'ICV (KSA-16)');
  if (!/^\d{1,18}$/.test(icvText)) throw new FactProblem(`ICV "${icvText.slice(0, 20)}" is not a whole number (BR-KSA-33)`);
  return {
    kind,
    documentType,
    typeCode,
    transactionCode,
    number: need(c.id, 'invoice number (BT-1)'),
    uuid: need(c.uuid, 'UUID (KSA-1)'),
    icv: Number(icvText),
    pih: need(readAttachment(doc, 'PIH')?.text.trim(), 'PIH (KSA-13)'),
    issueDate: need(c.issueDate, 'IssueDate (BT-2)'),
    issueTime: need(c.issueTime, 'IssueTime (KSA-25)'),
    sellerVat: need(c.seller.vatNumber, 'seller VAT number (BT-31)'),
    buyerVat: c.buyer?.vatNumber ?? null,
    buyerName: c.buyer?.name ?? null,
    originalNumber: c.billingReferences[0]?.id ?? null,
    qr: c.qr ?? null,
    totals,
  };
}

/** Facts of a verified document, or the problem that makes it unusable (named for the incident). */
export function documentFactsOfXml(doc: Document, claimedExchangeRate: string | null = null): { facts: XmlFacts } | { problem: string } {
  try {
    return { facts: readFacts(doc, claimedExchangeRate) };
  } catch (error) {
    if (error instanceof FactProblem) return { problem: error.message };
    throw error;
  }
}
