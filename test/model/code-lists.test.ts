// The builder's code lists (model/codes.ts) and the validator's (rules/, spelled as ZATCA's R3.4.8 rule set
// spells them) agree: what the builder offers is exactly what the rules accept — payment means (BR-KSA-16),
// exemption reason codes per category (BR-KSA-CL-04) and their prepayment subset (BR-KSA-CL-07), party
// identification schemes (BR-KSA-08, BR-KSA-14).
import { describe, expect, it } from 'vitest';
import { BUYER_ID_SCHEMES, EXEMPTION_CODES, NOT_FOR_PREPAYMENT, PAYMENT_MEANS_CODES, SELLER_ID_SCHEMES } from '../../src/model/codes.js';
import { PAYMENT_MEANS_KSA } from '../../src/rules/codes.js';
import { BUYER_SCHEMES, SELLER_SCHEMES } from '../../src/rules/ksa/parties.js';
import { EXEMPTION_CODES as RULE_EXEMPTION_CODES, PREPAYMENT_EXEMPTION_CODES } from '../../src/rules/ksa/vat.js';

const sorted = (values: Iterable<string>) => [...values].sort();

describe('code lists: builder = validator', () => {
  it('payment means (BR-KSA-16)', () => {
    expect(sorted(PAYMENT_MEANS_CODES)).toEqual(sorted(PAYMENT_MEANS_KSA));
  });

  it('exemption reason codes per category (BR-KSA-CL-04)', () => {
    for (const category of ['E', 'Z', 'O'] as const) {
      expect(sorted(Object.keys(EXEMPTION_CODES[category])), category).toEqual(sorted(RULE_EXEMPTION_CODES[category]!));
    }
  });

  it('codes not allowed on a prepayment (BR-KSA-CL-07)', () => {
    for (const category of ['E', 'Z', 'O'] as const) {
      const excluded = sorted(Object.keys(EXEMPTION_CODES[category]).filter((code) => !PREPAYMENT_EXEMPTION_CODES[category]!.has(code)));
      expect(excluded, category).toEqual(sorted(Object.keys(EXEMPTION_CODES[category]).filter((code) => NOT_FOR_PREPAYMENT.has(code))));
    }
  });

  it('seller (BR-KSA-08) and buyer (BR-KSA-14) identification schemes', () => {
    expect(sorted(SELLER_ID_SCHEMES)).toEqual(sorted(SELLER_SCHEMES));
    expect(sorted(BUYER_ID_SCHEMES)).toEqual(sorted(BUYER_SCHEMES));
  });
});
