// The figures the VAT report needs from each document — from the computed invoice at issue, or from the
// verified XML of a synced document (issuing/xml-facts.ts) — with per-category amounts in SAR.
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

/** A prepayment the final invoice deducts (adjustment line, docs/zatca-notes.md §1.4): KSA-31..34, document currency. */
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

/** What the totals are computed from: the computed invoice at issue, or the verified XML of a synced document. */
export interface TotalsSource {
  currency: string;
  /** SAR per unit of the document currency; absent for SAR documents. */
  exchangeRate?: string;
  subtotals: ReadonlyArray<{ category: string; rate: string; exemptionCode?: string; taxable: string; tax: string }>;
  totals: { taxExclusive: string; tax: string; taxSar: string; taxInclusive: string; payable: string };
  prepaid: ReadonlyArray<Omit<PrepaidLine, 'exemptionCode'> & { exemptionCode?: string }>;
}

/** The one derivation of a document's stored figures (SAR per category by largest remainder). */
export function totalsOf(src: TotalsSource): DocumentTotals {
  const rate = src.currency === 'SAR' || !src.exchangeRate ? dec(1) : dec(src.exchangeRate);
  // The categories' SAR VAT add up to the document's SAR VAT total (BT-111) to the halala.
  const vatSar = allocateHalalas(
    src.subtotals.map((s) => dec(s.tax).times(rate)),
    dec(src.totals.taxSar),
  );
  const breakdown = src.subtotals.map(
    (s, i): VatLine => ({
      category: s.category,
      rate: s.rate,
      ...(s.exemptionCode !== undefined && { exemptionCode: s.exemptionCode }),
      taxable: s.taxable,
      vat: s.tax,
      taxableSar: money(dec(s.taxable).times(rate)),
      vatSar: money(vatSar[i]!),
    }),
  );
  return {
    currency: src.currency,
    exchangeRate: src.currency === 'SAR' ? null : (src.exchangeRate ?? null),
    taxExclusive: src.totals.taxExclusive,
    tax: src.totals.tax,
    taxSar: src.totals.taxSar,
    taxInclusive: src.totals.taxInclusive,
    payable: src.totals.payable,
    taxableSar: money(breakdown.reduce((n, l) => n.plus(l.taxableSar), dec(0))),
    breakdown,
    prepaid: src.prepaid.map(
      (p): PrepaidLine => ({
        invoiceId: p.invoiceId,
        invoiceUuid: p.invoiceUuid,
        category: p.category,
        rate: p.rate,
        ...(p.exemptionCode !== undefined && { exemptionCode: p.exemptionCode }),
        taxable: p.taxable,
        vat: p.vat,
      }),
    ),
  };
}

export function documentTotals(inv: ComputedInvoice): DocumentTotals {
  return totalsOf({
    currency: inv.currency,
    ...(inv.exchangeRate !== undefined && { exchangeRate: inv.exchangeRate }),
    subtotals: inv.subtotals.map((s) => ({
      category: s.category.code,
      rate: s.category.rate,
      ...(s.exemptionCode !== undefined && { exemptionCode: s.exemptionCode }),
      taxable: s.taxableAmount,
      tax: s.taxAmount,
    })),
    totals: {
      taxExclusive: inv.totals.taxExclusiveAmount,
      tax: inv.totals.taxAmount,
      taxSar: inv.totals.taxAmountSar,
      taxInclusive: inv.totals.taxInclusiveAmount,
      payable: inv.totals.payableAmount,
    },
    prepaid: inv.prepaymentLines.map((p) => ({
      invoiceId: p.invoiceId,
      invoiceUuid: p.invoiceUuid,
      category: p.category.code,
      rate: p.category.rate,
      ...(p.exemptionCode !== undefined && { exemptionCode: p.exemptionCode }),
      taxable: p.taxableAmount,
      vat: p.taxAmount,
    })),
  });
}
