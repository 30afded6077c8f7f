// Decimal money for every VAT figure: a decimal.js clone fixed to ZATCA's half-up rounding, plus
// parsing of input numbers and the fixed 2-decimal text the XML carries. Floats never touch amounts.
import DecimalModule, { type Decimal as DecimalJs } from 'decimal.js';

type DecimalConstructor = typeof DecimalJs;
// decimal.js ships ESM at runtime but CommonJS-style types: under NodeNext the default import is
// typed as the module object, while at run time it is the constructor. Take whichever is real.
const DecimalBase: DecimalConstructor =
  (DecimalModule as unknown as { default?: DecimalConstructor }).default ?? (DecimalModule as unknown as DecimalConstructor);

/** Our Decimal constructor: 40 significant digits, half-up, never exponent notation in toString. */
export const Decimal: DecimalConstructor = DecimalBase.clone({
  precision: 40,
  rounding: DecimalBase.ROUND_HALF_UP,
  toExpNeg: -40,
  toExpPos: 40,
});
export type Decimal = DecimalJs;

export type DecimalInput = string | number | DecimalJs;

export const ZERO = new Decimal(0);
export const HUNDRED = new Decimal(100);

/** A Decimal from a JSON number or decimal string. JSON numbers go through their shortest text form. */
export function dec(value: DecimalInput): Decimal {
  return value instanceof DecimalBase ? value : new Decimal(typeof value === 'number' ? String(value) : value);
}

/** Half-up to 2 decimals (the XML Implementation Standard's rounding, docs/zatca-notes.md §2.5). */
export function round2(value: Decimal): Decimal {
  return value.toDecimalPlaces(2, DecimalBase.ROUND_HALF_UP);
}

/** Exactly two decimals, as every amount in our XML is written (`4.60`, `0.00`, `-0.01`). */
export function money(value: Decimal): string {
  const s = value.toFixed(2, DecimalBase.ROUND_HALF_UP);
  return s === '-0.00' ? '0.00' : s;
}

/** VAT of a taxable amount at a percentage rate: round2(base × rate / 100). */
export function vatOf(base: Decimal, ratePercent: Decimal): Decimal {
  return round2(base.times(ratePercent).dividedBy(HUNDRED));
}

/** Net part of a VAT-inclusive amount: round2(gross / (1 + rate/100)) (docs/zatca-notes.md §4 tax-inclusive prices). */
export function netOfGross(gross: Decimal, ratePercent: Decimal): Decimal {
  return round2(gross.dividedBy(ratePercent.dividedBy(HUNDRED).plus(1)));
}

export function sum(values: Iterable<Decimal>): Decimal {
  let total = ZERO;
  for (const v of values) total = total.plus(v);
  return total;
}

/** Number of decimals written in a decimal text (`2.000000` → 6, `15` → 0). */
export function decimalsOf(text: string): number {
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

/** Plain text of a Decimal without exponent (`1e-7` never appears). */
export function plain(value: Decimal): string {
  return value.toFixed();
}
