// computeInvoice: parsed input → fully computed invoice (every amount a final 2-decimal string).
// Order: lines, prepayment lines, breakdown with document allowances/charges, totals.
import { randomUUID } from 'node:crypto';
import { dec, type Decimal, money, vatOf, ZERO } from '../../money/decimal.js';
import { INITIAL_PIH } from '../chain.js';
import {
  defaultExemptionReason,
  LATEST_STANDARD_RATE,
  standardRateOn,
  DOCUMENT_TYPE_CODES,
  INVOICE_KIND_PREFIX,
  DEFAULT_NOTE_PAYMENT_MEANS,
} from '../codes.js';
import type { ComputedInvoice, ComputedPrepaymentLine } from '../computed.js';
import type { InvoiceFlags, InvoiceInput, TaxCategory } from '../schema.js';
import { computeBreakdown } from './breakdown.js';
import { categoryRate, computedCategory, computeLine } from './lines.js';
import { computeTotals } from './totals.js';

/** KSA-2 (`InvoiceTypeCode/@name`): NN P N E S B [C [G]] — 7 characters unless C or G is needed (docs/zatca-notes.md §1.2). */
export function transactionCode(kind: InvoiceInput['kind'], flags: InvoiceFlags): string {
  const bit = (b: boolean | undefined) => (b ? '1' : '0');
  let code = INVOICE_KIND_PREFIX[kind] + bit(flags.thirdParty) + bit(flags.nominal) + bit(flags.export) + bit(flags.summary) + bit(flags.selfBilled);
  if (flags.continuousSupply || flags.b2g) code += bit(flags.continuousSupply);
  if (flags.b2g) code += '1';
  return code;
}

/**
 * Category S without a rate means the standard rate in force on the document's date (a prepayment
 * adjustment: on the prepayment invoice's date). The lines module defaults to the latest rate, so
 * only documents dated in an earlier period are rewritten here, once, before computing.
 */
function withDatedStandardRate(input: InvoiceInput): InvoiceInput {
  const onDate = standardRateOn(input.issueDate);
  const fill = <T extends { taxCategory: TaxCategory }>(x: T, rate: string): T =>
    x.taxCategory.code === 'S' && x.taxCategory.rate === undefined ? { ...x, taxCategory: { ...x.taxCategory, rate } } : x;
  const dated = input.prepaymentAdjustments.some((pa) => standardRateOn(pa.issueDate) !== LATEST_STANDARD_RATE);
  if (onDate === LATEST_STANDARD_RATE && !dated) return input;
  return {
    ...input,
    lines: onDate === LATEST_STANDARD_RATE ? input.lines : input.lines.map((l) => fill(l, onDate)),
    allowanceCharges: onDate === LATEST_STANDARD_RATE ? input.allowanceCharges : input.allowanceCharges.map((ac) => fill(ac, onDate)),
    prepaymentAdjustments: input.prepaymentAdjustments.map((pa) => fill(pa, standardRateOn(pa.issueDate))),
  };
}

/** Prepayment adjustment lines (KSA-31, KSA-32, BT-113): their amounts, category and the prepaid total. */
function computePrepaymentLines(input: InvoiceInput): { prepaymentLines: ComputedPrepaymentLine[]; prepaid: Decimal } {
  let prepaid = ZERO;
  const prepaymentLines = input.prepaymentAdjustments.map((pa, i): ComputedPrepaymentLine => {
    const taxable = dec(pa.taxableAmount);
    const rate = categoryRate(pa.taxCategory);
    const vat = pa.vatAmount !== undefined ? dec(pa.vatAmount) : pa.taxCategory.code === 'S' ? vatOf(taxable, rate) : ZERO;
    prepaid = prepaid.plus(taxable).plus(vat);
    const exemptionCode =
      pa.taxCategory.code === 'S' ? undefined : (pa.taxCategory.exemptionCode ?? (pa.taxCategory.code === 'O' ? 'VATEX-SA-OOS' : undefined));
    const exemptionReason = exemptionCode === undefined ? undefined : (pa.taxCategory.exemptionReason ?? defaultExemptionReason(exemptionCode));
    return {
      id: pa.id ?? String(input.lines.length + i + 1),
      name: pa.name,
      unitCode: pa.unitCode,
      invoiceId: pa.invoiceId,
      invoiceUuid: pa.invoiceUuid,
      issueDate: pa.issueDate,
      issueTime: pa.issueTime,
      taxableAmount: money(taxable),
      taxAmount: money(vat),
      category: computedCategory(pa.taxCategory),
      ...(exemptionCode !== undefined && { exemptionCode }),
      ...(exemptionReason !== undefined && { exemptionReason }),
    };
  });
  return { prepaymentLines, prepaid };
}

/** Payment means as given; a note's reason is KSA-10 = PaymentMeans/InstructionNote (BR-KSA-17). */
function paymentMeansOf(input: InvoiceInput): ComputedInvoice['paymentMeans'] {
  const paymentMeans = input.paymentMeans.map((pm) => ({ code: pm.code, ...(pm.instructionNote !== undefined && { instructionNote: pm.instructionNote }) }));
  if (input.reason !== undefined) {
    if (paymentMeans.length === 0) paymentMeans.push({ code: DEFAULT_NOTE_PAYMENT_MEANS });
    paymentMeans[0] = { ...paymentMeans[0]!, instructionNote: input.reason };
  }
  return paymentMeans;
}

export function computeInvoice(given: InvoiceInput): ComputedInvoice {
  const input = withDatedStandardRate(given);
  const lineResults = input.lines.map((line, i) => computeLine(line, i, input.pricesIncludeVat));

  const { prepaymentLines, prepaid } = computePrepaymentLines(input);

  const breakdown = computeBreakdown(
    lineResults.map((result, i) => ({ result, category: input.lines[i]!.taxCategory })),
    input.allowanceCharges,
    prepaymentLines,
    input.pricesIncludeVat,
  );
  const exchangeRate = input.exchangeRate === undefined ? undefined : dec(input.exchangeRate);
  const totals = computeTotals({
    lineNets: lineResults.map((r) => r.net),
    breakdown,
    prepaid,
    pricesIncludeVat: input.pricesIncludeVat,
    extraRounding: input.payableRoundingAmount === undefined ? ZERO : dec(input.payableRoundingAmount),
    currency: input.currency,
    exchangeRate,
  });

  const paymentMeans = paymentMeansOf(input);

  return {
    id: input.id,
    uuid: input.uuid ?? randomUUID(),
    documentType: input.documentType,
    typeCode: DOCUMENT_TYPE_CODES[input.documentType],
    kind: input.kind,
    transactionCode: transactionCode(input.kind, input.flags),
    issueDate: input.issueDate,
    issueTime: input.issueTime,
    icv: input.icv,
    pih: input.pih ?? INITIAL_PIH,
    currency: input.currency,
    ...(exchangeRate !== undefined && input.currency !== 'SAR' && { exchangeRate: exchangeRate.toFixed() }),
    writeTaxExchangeRate: input.writeTaxExchangeRate && input.currency !== 'SAR',
    pricesIncludeVat: input.pricesIncludeVat,
    notes: input.notes.map((n) => ({ text: n.text, ...(n.language !== undefined && { language: n.language }) })),
    ...(input.orderReference !== undefined && { orderReference: input.orderReference }),
    ...(input.contractReference !== undefined && { contractReference: input.contractReference }),
    ...(input.billingReference !== undefined && { billingReference: input.billingReference }),
    seller: input.seller,
    ...(input.buyer !== undefined && { buyer: input.buyer }),
    ...(input.delivery !== undefined && { delivery: input.delivery }),
    paymentMeans,
    allowanceCharges: breakdown.allowanceCharges,
    lines: lineResults.map((r) => r.line),
    prepaymentLines,
    subtotals: breakdown.subtotals,
    totals,
    input,
  };
}
