// VAT breakdown: document allowances/charges per category, then one subtotal per category (per rate
// for S) whose VAT comes from its own rounded taxable amount (BR-CO-17, BR-S/Z/E/O-08/09, docs/zatca-notes.md §2.7).
import { FawtaraError } from '../../errors.js';
import { dec, type Decimal as Fixed, HUNDRED, money, netOfGross, round2, vatOf, ZERO } from '../../money/decimal.js';
import { defaultExemptionReason, type TaxCategoryCode } from '../codes.js';
import type { ComputedDocumentAllowanceCharge, ComputedPrepaymentLine, ComputedSubtotal } from '../computed.js';
import type { DocumentAllowanceCharge, TaxCategory } from '../schema.js';
import { categoryRate, categoryRateText, computedCategory, type LineResult } from './lines.js';

interface Group {
  code: TaxCategoryCode;
  rate: Fixed;
  linesNet: Fixed;
  linesGross: Fixed;
  allowances: Fixed;
  charges: Fixed;
  /** Allowances and charges as the customer sees them (VAT-inclusive mode). */
  grossAdjust: Fixed;
  exemptionCode?: string;
  exemptionReason?: string;
}

/** Z, E and O have one subtotal each (BR-Z/E/O-08 compare every subtotal with all lines); S one per rate. */
function groupKey(c: TaxCategory): string {
  return c.code === 'S' ? 'S:' + categoryRateText(c) : c.code;
}

export interface BreakdownResult {
  allowanceCharges: ComputedDocumentAllowanceCharge[];
  subtotals: ComputedSubtotal[];
  allowanceTotal: Fixed;
  chargeTotal: Fixed;
  taxTotal: Fixed;
  /** Σ what the customer pays (lines and allowances/charges gross), for VAT-inclusive rounding. */
  customerTotal: Fixed;
}

export function computeBreakdown(
  lines: Array<{ result: LineResult; category: TaxCategory }>,
  documentAllowanceCharges: DocumentAllowanceCharge[],
  prepaymentLines: ComputedPrepaymentLine[],
  pricesIncludeVat: boolean,
): BreakdownResult {
  const groups = new Map<string, Group>();
  const group = (c: TaxCategory): Group => {
    const key = groupKey(c);
    let g = groups.get(key);
    if (!g) {
      g = { code: c.code, rate: categoryRate(c), linesNet: ZERO, linesGross: ZERO, allowances: ZERO, charges: ZERO, grossAdjust: ZERO };
      groups.set(key, g);
    }
    if (g.exemptionCode === undefined && c.exemptionCode !== undefined) g.exemptionCode = c.exemptionCode;
    if (g.exemptionReason === undefined && c.exemptionReason !== undefined) g.exemptionReason = c.exemptionReason;
    return g;
  };
  for (const { result, category } of lines) {
    const g = group(category);
    g.linesNet = g.linesNet.plus(result.net);
    g.linesGross = g.linesGross.plus(result.gross);
  }

  let allowanceTotal = ZERO;
  let chargeTotal = ZERO;
  const allowanceCharges = documentAllowanceCharges.map((ac): ComputedDocumentAllowanceCharge => {
    const g = group(ac.taxCategory);
    const isCharge = ac.kind === 'charge';
    const { amount, written } = documentChargeAmount(ac, g, pricesIncludeVat);
    if (isCharge) {
      g.charges = g.charges.plus(amount);
      chargeTotal = chargeTotal.plus(amount);
    } else {
      g.allowances = g.allowances.plus(amount);
      allowanceTotal = allowanceTotal.plus(amount);
    }
    return {
      chargeIndicator: isCharge,
      ...(ac.reasonCode !== undefined && { reasonCode: ac.reasonCode }),
      ...(ac.reason !== undefined && { reason: ac.reason }),
      ...written,
      amount: money(amount),
      category: computedCategory(ac.taxCategory),
    };
  });

  // A category used only by a prepayment line still needs its subtotal (BR-S/Z/E/O-01).
  for (const p of prepaymentLines) {
    const code = p.category.code;
    if ([...groups.values()].some((g) => g.code === code)) continue;
    group({
      code,
      rate: p.category.rate,
      ...(p.exemptionCode !== undefined && { exemptionCode: p.exemptionCode }),
      ...(p.exemptionReason !== undefined && { exemptionReason: p.exemptionReason }),
    });
  }

  const { subtotals, taxTotal, customerTotal } = subtotalsOf(groups.values());
  return { allowanceCharges, subtotals, allowanceTotal, chargeTotal, taxTotal, customerTotal };
}

/** One subtotal per category group, with the document's VAT total and what the customer pays. */
function subtotalsOf(groups: Iterable<Group>): { subtotals: ComputedSubtotal[]; taxTotal: Fixed; customerTotal: Fixed } {
  let taxTotal = ZERO;
  let customerTotal = ZERO;
  const subtotals: ComputedSubtotal[] = [];
  for (const g of groups) {
    const taxable = g.linesNet.minus(g.allowances).plus(g.charges);
    if (taxable.isNegative()) {
      throw new FawtaraError('INVALID_INPUT', `allowanceCharges: the allowances of category ${g.code} exceed its lines; the taxable amount would be negative`, {
        field: 'allowanceCharges',
        rule: 'BR-KSA-F-04',
        messageAr: `allowanceCharges: خصومات الفئة ${g.code} تتجاوز بنودها؛ المبلغ الخاضع سيكون سالباً`,
      });
    }
    const vat = g.code === 'S' ? vatOf(taxable, g.rate) : ZERO;
    taxTotal = taxTotal.plus(vat);
    customerTotal = customerTotal.plus(g.linesGross).plus(g.grossAdjust);
    const exemptionCode = g.code === 'S' ? undefined : (g.exemptionCode ?? (g.code === 'O' ? 'VATEX-SA-OOS' : undefined));
    const exemptionReason = exemptionCode === undefined ? undefined : (g.exemptionReason ?? defaultExemptionReason(exemptionCode));
    subtotals.push({
      category: { code: g.code, rate: g.rate.toFixed(2) },
      taxableAmount: money(taxable),
      taxAmount: money(vat),
      ...(exemptionCode !== undefined && { exemptionCode }),
      ...(exemptionReason !== undefined && { exemptionReason }),
    });
  }
  return { subtotals, taxTotal, customerTotal };
}

/** The net amount of a document allowance or charge (and its percent/base as written); adds its gross to the group's. */
function documentChargeAmount(
  ac: DocumentAllowanceCharge,
  g: Group,
  pricesIncludeVat: boolean,
): { amount: Fixed; written: Pick<ComputedDocumentAllowanceCharge, 'percent' | 'baseAmount'> } {
  const isCharge = ac.kind === 'charge';
  let amount: Fixed;
  let written: Pick<ComputedDocumentAllowanceCharge, 'percent' | 'baseAmount'> = {};
  if (!pricesIncludeVat) {
    if (ac.amount !== undefined) amount = dec(ac.amount);
    else {
      const base = ac.baseAmount !== undefined ? dec(ac.baseAmount) : g.linesNet;
      amount = round2(base.times(dec(ac.percent!)).dividedBy(HUNDRED));
      written = { percent: dec(ac.percent!).toFixed(2), baseAmount: money(base) };
    }
    g.grossAdjust = isCharge ? g.grossAdjust.plus(amount.plus(vatOf(amount, g.rate))) : g.grossAdjust.minus(amount.plus(vatOf(amount, g.rate)));
  } else {
    // VAT-inclusive input: the amount (or percentage of the gross base) is what the customer
    // sees; the XML carries its net part, without percentage/base (they would not multiply out).
    const grossAmount =
      ac.amount !== undefined
        ? dec(ac.amount)
        : round2((ac.baseAmount !== undefined ? dec(ac.baseAmount) : g.linesGross).times(dec(ac.percent!)).dividedBy(HUNDRED));
    amount = netOfGross(grossAmount, g.rate);
    g.grossAdjust = isCharge ? g.grossAdjust.plus(grossAmount) : g.grossAdjust.minus(grossAmount);
  }
  return { amount, written };
}
