// The figures the VAT report needs from each document, taken from the computed invoice (the same
// numbers the XML carries), with per-category amounts in SAR for foreign-currency documents.
import type { ComputedInvoice } from '../model/index.js';
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
}

export function documentTotals(inv: ComputedInvoice): DocumentTotals {
  const rate = inv.currency === 'SAR' || !inv.exchangeRate ? dec(1) : dec(inv.exchangeRate);
  const breakdown = inv.subtotals.map(
    (s): VatLine => ({
      category: s.category.code,
      rate: s.category.rate,
      ...(s.exemptionCode !== undefined && { exemptionCode: s.exemptionCode }),
      taxable: s.taxableAmount,
      vat: s.taxAmount,
      taxableSar: money(dec(s.taxableAmount).times(rate)),
      vatSar: money(dec(s.taxAmount).times(rate)),
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
  };
}
