// Document totals (LegalMonetaryTotal and the SAR VAT total) from lines, allowances/charges,
// breakdown and prepayments, so BR-CO-10…16 and BR-KSA-80 hold on the written strings (docs/zatca-notes.md §2.8).
import { FawtaraError } from '../../errors.js';
import { dec, type Decimal as Fixed, money, round2, sum, ZERO } from '../../money/decimal.js';
import type { ComputedTotals } from '../computed.js';
import type { BreakdownResult } from './breakdown.js';

const ONE = dec(1);

export interface TotalsInput {
  lineNets: Fixed[];
  breakdown: BreakdownResult;
  /** Σ(prepaid taxable + prepaid VAT) of the adjustment lines (BR-KSA-80). */
  prepaid: Fixed;
  pricesIncludeVat: boolean;
  /** Rounding asked for in the input (e.g. cash rounding), added to the automatic one. */
  extraRounding: Fixed;
  currency: string;
  exchangeRate: Fixed | undefined;
}

export function computeTotals(t: TotalsInput): ComputedTotals {
  const lineExtension = sum(t.lineNets);
  const taxExclusive = lineExtension.minus(t.breakdown.allowanceTotal).plus(t.breakdown.chargeTotal);
  if (taxExclusive.isNegative()) {
    throw new FawtaraError('INVALID_INPUT', 'allowanceCharges: document allowances exceed the lines; the total would be negative', {
      field: 'allowanceCharges',
      rule: 'BR-KSA-F-04',
      messageAr: 'allowanceCharges: الخصومات تتجاوز البنود؛ الإجمالي سيكون سالباً',
    });
  }
  const taxInclusive = taxExclusive.plus(t.breakdown.taxTotal);
  // VAT-inclusive prices: the payable is what the customer was shown; the cents lost between
  // per-line and per-category VAT rounding go into PayableRoundingAmount (docs/zatca-notes.md §4, SDK
  // "Standard Invoice with Payable Rounding Adjustment": 1000.01 − 0.01 = 1000.00).
  const automatic = t.pricesIncludeVat ? t.breakdown.customerTotal.minus(taxInclusive) : ZERO;
  const rounding = automatic.plus(t.extraRounding);
  const payable = taxInclusive.minus(t.prepaid).plus(rounding);
  if (payable.isNegative()) {
    throw new FawtaraError('INVALID_INPUT', 'prepaymentAdjustments: the prepaid amount exceeds the invoice total; the amount due would be negative', {
      field: 'prepaymentAdjustments',
      rule: 'BR-KSA-F-04',
      messageAr: 'prepaymentAdjustments: المبلغ المدفوع مقدماً يتجاوز إجمالي الفاتورة',
    });
  }
  const taxSar = t.currency === 'SAR' ? t.breakdown.taxTotal : round2(t.breakdown.taxTotal.times(t.exchangeRate ?? ONE));
  return {
    lineExtensionAmount: money(lineExtension),
    allowanceTotalAmount: money(t.breakdown.allowanceTotal),
    chargeTotalAmount: money(t.breakdown.chargeTotal),
    taxExclusiveAmount: money(taxExclusive),
    taxAmount: money(t.breakdown.taxTotal),
    taxAmountSar: money(taxSar),
    taxInclusiveAmount: money(taxInclusive),
    prepaidAmount: money(t.prepaid),
    payableRoundingAmount: money(rounding),
    payableAmount: money(payable),
  };
}
