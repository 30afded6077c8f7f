// Money primitives: half-up rounding to 2 decimals, fixed 2-decimal text, VAT of a base and the
// net part of a VAT-inclusive amount (docs/zatca-notes.md §2.5, §4).
import { describe, expect, it } from 'vitest';
import { dec, decimalsOf, money, netOfGross, round2, sum, vatOf } from '../../src/money/index.js';

describe('money', () => {
  it('rounds half-up to 2 decimals (docs/zatca-notes.md §2.5), never through binary floats', () => {
    expect(money(round2(dec('2.675')))).toBe('2.68'); // a float would give 2.67
    expect(money(round2(dec('1.005')))).toBe('1.01');
    expect(money(round2(dec('0.004')))).toBe('0.00');
    expect(money(dec(0.1).plus(dec(0.2)))).toBe('0.30');
  });

  it('writes exactly two decimals, and no negative zero', () => {
    expect(money(dec('4'))).toBe('4.00');
    expect(money(dec('-0.001'))).toBe('0.00');
    expect(money(dec('-0.01'))).toBe('-0.01');
    expect(money(dec('123456789012.5'))).toBe('123456789012.50');
  });

  it('VAT of 869.57 at 15 % is 130.44 (SDK "Standard Invoice with Payable Rounding Adjustment")', () => {
    expect(money(vatOf(dec('869.57'), dec(15)))).toBe('130.44');
  });

  it('net of 1000.00 VAT-inclusive at 15 % is 869.57 (docs/zatca-notes.md §4 tax-inclusive prices)', () => {
    expect(money(netOfGross(dec('1000.00'), dec(15)))).toBe('869.57');
    expect(money(netOfGross(dec('25.00'), dec(15)))).toBe('21.74');
  });

  it('sums and counts decimals', () => {
    expect(money(sum([dec('1.10'), dec('2.20'), dec('3.30')]))).toBe('6.60');
    expect(decimalsOf('2.000000')).toBe(6);
    expect(decimalsOf('15')).toBe(0);
  });
});
