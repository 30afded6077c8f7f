// One counted document's VAT figures per category, in its currency and in SAR: its breakdown as
// written, the prepayments it deducts, and what it adds to the return (the difference), unsigned.
import type { PrepaidLine, VatLine as StoredVatLine } from '../issuing/index.js';
import { allocateHalalas, dec, money, type Decimal, ZERO } from '../money/index.js';

/** Figures of one VAT category (`S:15.00`, `Z:0.00:VATEX-SA-32`) of one document. */
export interface CategoryFigures {
  /** Category, rate and exemption reason: the drill-down key. */
  key: string;
  category: string;
  rate: string;
  exemptionCode: string | null;
  /** In the document currency. */
  taxable: string;
  vat: string;
  /** In SAR. */
  taxableSar: string;
  vatSar: string;
}

/** A prepayment deducted by a final invoice, with the prepayment invoice (386) it references. */
export interface PrepaidFigures extends CategoryFigures {
  invoiceId: string;
  invoiceUuid: string;
}

export interface DocumentFigures {
  /** The breakdown as the document writes it (BT-116/117); VAT in SAR sums to its SAR total BT-111. */
  stated: CategoryFigures[];
  /** The prepayments it deducts (KSA-31/32); VAT in SAR sums to `prepaidVatSar`. */
  prepaid: PrepaidFigures[];
  /** What it adds to the return: stated − prepaid per category (a category only prepaid is negative). */
  net: CategoryFigures[];
  statedVatSar: string;
  prepaidVatSar: string;
  /** Σ net: `statedVatSar − prepaidVatSar`, and the net taxable amount in SAR. */
  vatSar: string;
  taxableSar: string;
}

export function lineKey(l: { category: string; rate: string; exemptionCode?: string | null }): string {
  return [l.category, l.rate, ...(l.exemptionCode ? [l.exemptionCode] : [])].join(':');
}

type Amounts = { category: string; rate: string; exemptionCode?: string | null | undefined; taxable: string; vat: string };

/**
 * Amounts in SAR: taxable per category rounded half-up to the halala; VAT split over the categories
 * by largest remainder so it sums exactly to `vatSarTotal` (allocateHalalas, docs/reports.md).
 */
function inSar<T extends Amounts>(lines: readonly T[], rate: Decimal, vatSarTotal: Decimal): Array<T & CategoryFigures> {
  const vatSar = allocateHalalas(
    lines.map((l) => dec(l.vat).times(rate)),
    vatSarTotal,
  );
  return lines.map((l, i) => ({
    ...l,
    key: lineKey(l),
    exemptionCode: l.exemptionCode ?? null,
    taxable: money(dec(l.taxable)),
    vat: money(dec(l.vat)),
    taxableSar: money(dec(l.taxable).times(rate)),
    vatSar: money(vatSar[i]!),
  }));
}

/**
 * A document's figures from its stored breakdown, the prepayments it deducts, its exchange rate
 * (null: SAR) and its SAR VAT total BT-111. The deduction's SAR VAT is the prepaid VAT at the
 * document's own rate, rounded once — the final invoice adds only the balance.
 */
export function documentFigures(
  breakdown: readonly StoredVatLine[],
  prepaid: readonly PrepaidLine[],
  exchangeRate: string | null,
  vatSar: string,
): DocumentFigures {
  const rate = exchangeRate ? dec(exchangeRate) : dec(1);
  const stated = inSar(
    breakdown.map(({ category, rate: r, exemptionCode, taxable, vat }) => ({ category, rate: r, exemptionCode, taxable, vat })),
    rate,
    dec(vatSar),
  );
  const prepaidVat = prepaid.reduce((s, p) => s.plus(p.vat), ZERO);
  const deducted = inSar(
    prepaid.map(({ invoiceId, invoiceUuid, category, rate: r, exemptionCode, taxable, vat }) => ({
      invoiceId,
      invoiceUuid,
      category,
      rate: r,
      exemptionCode,
      taxable,
      vat,
    })),
    rate,
    dec(money(prepaidVat.times(rate))),
  );
  const net = new Map<string, CategoryFigures>();
  const add = (l: CategoryFigures, sign: 1 | -1) => {
    const zero = { taxable: '0.00', vat: '0.00', taxableSar: '0.00', vatSar: '0.00' };
    const n = net.get(l.key) ?? { key: l.key, category: l.category, rate: l.rate, exemptionCode: l.exemptionCode, ...zero };
    const plus = (a: string, b: string) => money(dec(a).plus(dec(b).times(sign)));
    net.set(l.key, {
      ...n,
      taxable: plus(n.taxable, l.taxable),
      vat: plus(n.vat, l.vat),
      taxableSar: plus(n.taxableSar, l.taxableSar),
      vatSar: plus(n.vatSar, l.vatSar),
    });
  };
  for (const l of stated) add(l, 1);
  for (const l of deducted) add(l, -1);
  const lines = [...net.values()];
  const prepaidVatSar = deducted.reduce((s, l) => s.plus(l.vatSar), ZERO);
  const statedVatSar = stated.reduce((s, l) => s.plus(l.vatSar), ZERO);
  return {
    stated,
    prepaid: deducted,
    net: lines,
    statedVatSar: money(statedVatSar),
    prepaidVatSar: money(prepaidVatSar),
    vatSar: money(lines.reduce((s, l) => s.plus(l.vatSar), ZERO)),
    taxableSar: money(lines.reduce((s, l) => s.plus(l.taxableSar), ZERO)),
  };
}
