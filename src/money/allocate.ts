// Splitting a rounded total over its parts so the rounded parts add up to it exactly (largest
// remainder): a foreign-currency document's SAR VAT (BT-111) over its VAT categories (docs/reports.md).
import { Decimal, dec, ZERO } from './decimal.js';

const HALALA = dec('0.01');

/**
 * Rounds each exact part to 2 decimals so that the rounded parts sum to `total` exactly.
 * Every part starts from its value rounded down to the halala; the halalas still missing to reach
 * `total` go one each to the parts with the largest remainders (ties: the larger part, then the
 * earlier one). Parts that are exactly zero never receive a halala while another part can take it,
 * so a zero-rated category never shows VAT. A surplus (a total below the sum, only for an
 * inconsistent document) is taken back from the smallest remainders. Parts may be negative.
 */
export function allocateHalalas(parts: readonly Decimal[], total: Decimal): Decimal[] {
  if (parts.length === 0) return [];
  const floors = parts.map((p) => p.toDecimalPlaces(2, Decimal.ROUND_FLOOR));
  const remainders = parts.map((p, i) => p.minus(floors[i]!));
  let missing = total
    .minus(floors.reduce((s, f) => s.plus(f), ZERO))
    .dividedBy(HALALA)
    .round()
    .toNumber();
  const eligible = parts.map((_, i) => i).filter((i) => !parts[i]!.isZero());
  const pool = eligible.length > 0 ? eligible : parts.map((_, i) => i);
  const byRemainder = [...pool].sort((a, b) => {
    const r = remainders[b]!.comparedTo(remainders[a]!);
    if (r !== 0) return r;
    const s = parts[b]!.abs().comparedTo(parts[a]!.abs());
    return s !== 0 ? s : a - b;
  });
  const out = [...floors];
  // Whole rounds over the pool first (only an inconsistent total needs them), then one halala each.
  const whole = Math.trunc(missing / pool.length);
  if (whole !== 0) for (const i of pool) out[i] = out[i]!.plus(HALALA.times(whole));
  missing -= whole * pool.length;
  // A surplus is taken back from the parts whose rounding down lost the least.
  const order = missing > 0 ? byRemainder : [...byRemainder].reverse();
  for (let k = 0; k < Math.abs(missing); k++) {
    const i = order[k]!;
    out[i] = out[i]!.plus(missing > 0 ? HALALA : HALALA.negated());
  }
  return out;
}
