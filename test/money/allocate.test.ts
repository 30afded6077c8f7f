// Largest-remainder allocation (docs/reports.md "Rows add up"): rounded parts always sum to the
// rounded total, zero parts stay zero, ties are deterministic, inconsistent totals stay bounded.
import { describe, expect, it } from 'vitest';
import { allocateHalalas, dec, money, ZERO } from '../../src/money/index.js';

const alloc = (parts: string[], total: string) => allocateHalalas(parts.map(dec), dec(total)).map(money);

describe('allocateHalalas', () => {
  it('USD with two rates: 15.02 and 5.02 USD at 3.75 are 56.325 and 18.825 SAR; rounded alone they give 75.16, the document says 75.15', () => {
    expect([money(dec('56.325')), money(dec('18.825'))]).toEqual(['56.33', '18.83']);
    // Equal remainders: the larger part takes the halala.
    expect(alloc(['56.325', '18.825'], '75.15')).toEqual(['56.33', '18.82']);
  });

  it('gives the missing halalas to the largest remainders, and takes a surplus from the smallest', () => {
    expect(alloc(['1.004', '1.006', '1.009'], '3.02')).toEqual(['1.00', '1.01', '1.01']);
    expect(alloc(['1.004', '1.006', '1.009'], '3.01')).toEqual(['1.00', '1.00', '1.01']);
    expect(alloc(['1.004', '1.006', '1.009'], '3.00')).toEqual(['1.00', '1.00', '1.00']);
    expect(alloc(['1.004', '1.006', '1.009'], '2.99')).toEqual(['0.99', '1.00', '1.00']);
  });

  it('never puts VAT on a zero part while another part can carry it', () => {
    expect(alloc(['0', '10.005', '0'], '10.01')).toEqual(['0.00', '10.01', '0.00']);
    expect(alloc(['0', '0'], '0.00')).toEqual(['0.00', '0.00']);
  });

  it('always sums to the total, even for a total far from the parts (bounded: whole rounds, then single halalas)', () => {
    for (const total of ['0.00', '75.15', '1000000.00', '-3.00']) {
      const out = allocateHalalas([dec('56.325'), dec('18.825'), dec('0.001')], dec(total));
      expect(money(out.reduce((s, v) => s.plus(v), ZERO))).toBe(money(dec(total)));
    }
  });

  it('handles negative parts (a category only deducted) and an empty list', () => {
    expect(alloc(['-187.5', '1068.75'], '881.25')).toEqual(['-187.50', '1068.75']);
    expect(alloc([], '0')).toEqual([]);
  });

  it('sums exactly on random documents (property): Σ rounded parts = round(Σ parts × rate)', () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let n = 0; n < 500; n++) {
      const rate = dec((3 + next() * 2).toFixed(4));
      const vats = Array.from({ length: 1 + Math.floor(next() * 4) }, () => dec((next() * 500).toFixed(2)));
      const exact = vats.map((v) => v.times(rate));
      const total = dec(money(vats.reduce((s, v) => s.plus(v), ZERO).times(rate)));
      const out = allocateHalalas(exact, total);
      expect(money(out.reduce((s, v) => s.plus(v), ZERO))).toBe(money(total));
      // Each part is its own value rounded up or down: never more than a halala away.
      for (const [i, o] of out.entries()) expect(o.minus(exact[i]!).abs().lessThan(dec('0.01'))).toBe(true);
    }
  });
});
