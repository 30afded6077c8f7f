// The figures the VAT report needs from each document, taken from the computed invoice (the same
// numbers the XML carries), with per-category amounts in SAR for foreign-currency documents.
import type { ComputedInvoice } from '../model/index.js';
import { allocateHalalas } from '../money/allocate.js';
import { dec, money } from '../money/decimal.js';

export interface VatLine {
  category: string;
  rate: string;
  exemptionCode?: string;
  taxable: string;
  vat: string;
  taxableSar: string;
  vatSar: string;
}

/** A prepayment the final invoice deducts (adjustment line, spec §1.4): KSA-31..34, document currency. */
export interface PrepaidLine {
  /** The prepayment invoice (386): its number (BT-1) and UUID as the adjustment line references them. */
  invoiceId: string;
  invoiceUuid: string;
  category: string;
  rate: string;
  exemptionCode?: string;
  taxable: string;
  vat: string;
}

export interface DocumentTotals {
  currency: string;
  exchangeRate: string | null;
  taxExclusive: string;
  tax: string;
  taxSar: string;
  taxInclusive: string;
  payable: string;
  taxableSar: string;
  breakdown: VatLine[];
  /** The prepayments deducted (final invoices only; empty otherwise). */
  prepaid: PrepaidLine[];
}

export function documentTotals(inv: ComputedInvoice): DocumentTotals {
  const rate = inv.currency === 'SAR' || !inv.exchangeRate ? dec(1) : dec(inv.exchangeRate);
  // The categories' SAR VAT add up to the document's SAR VAT total (BT-111) to the halala.
  const vatSar = allocateHalalas(
    inv.subtotals.map((s) => dec(s.taxAmount).times(rate)),
    dec(inv.totals.taxAmountSar),
  );
  const breakdown = inv.subtotals.map(
    (s, i): VatLine => ({
      category: s.category.code,
      rate: s.category.rate,
      ...(s.exemptionCode !== undefined && { exemptionCode: s.exemptionCode }),
      taxable: s.taxableAmount,
      vat: s.taxAmount,
      taxableSar: money(dec(s.taxableAmount).times(rate)),
      vatSar: money(vatSar[i]!),
    }),
  );
  return {
    currency: inv.currency,
    exchangeRate: inv.currency === 'SAR' ? null : (inv.exchangeRate ?? null),
    taxExclusive: inv.totals.taxExclusiveAmount,
    tax: inv.totals.taxAmount,
    taxSar: inv.totals.taxAmountSar,
    taxInclusive: inv.totals.taxInclusiveAmount,
    payable: inv.totals.payableAmount,
    taxableSar: money(breakdown.reduce((n, l) => n.plus(l.taxableSar), dec(0))),
    breakdown,
    prepaid: inv.prepaymentLines.map(
      (p): PrepaidLine => ({
        invoiceId: p.invoiceId,
        invoiceUuid: p.invoiceUuid,
        category: p.category.code,
        rate: p.category.rate,
        ...(p.exemptionCode !== undefined && { exemptionCode: p.exemptionCode }),
        taxable: p.taxableAmount,
        vat: p.taxAmount,
      }),
    ),
  };
}
