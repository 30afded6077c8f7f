// Property tests: over random invoices (lines, quantities, prices incl. VAT-inclusive, categories,
// allowances/charges, currencies, prepayments) every ZATCA arithmetic rule holds on the strings.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isFawtaraError } from '../../src/errors.js';
import { computeInvoice, parseInvoiceInput, type InvoiceInputJson } from '../../src/model/index.js';
import { arithmeticViolations } from './arithmetic.js';
import { baseInvoice } from './fixtures.js';

const amount = (maxCents: number) => fc.integer({ min: 0, max: maxCents }).map((c) => (c / 100).toFixed(2));
const quantity = fc
  .tuple(fc.integer({ min: 1, max: 5000 }), fc.constantFrom(0, 1, 2, 3, 6))
  .map(([n, dp]) => (dp === 0 ? String(n) : (n / 10 ** Math.min(dp, 3)).toFixed(dp)))
  .filter((q) => Number(q) > 0);
const unitPrice = fc.oneof(
  amount(2_000_000),
  fc.integer({ min: 1, max: 9_999_999 }).map((m) => (m / 1000).toFixed(3)),
);
const category = fc.constantFrom(
  { code: 'S' as const, rate: '15' },
  { code: 'S' as const, rate: '5' },
  { code: 'Z' as const, exemptionCode: 'VATEX-SA-35' },
  { code: 'E' as const, exemptionCode: 'VATEX-SA-29' },
  { code: 'O' as const },
);
const lineAllowanceCharge = fc.oneof(
  fc.integer({ min: 0, max: 5000 }).map((p) => ({ kind: 'allowance' as const, percent: (p / 100).toFixed(2), reason: 'Discount' })),
  amount(5000).map((a) => ({ kind: 'charge' as const, amount: a, reasonCode: 'ZZZ', reason: 'Packing' })),
);
const line = fc
  .record({
    name: fc.constantFrom('Item one', 'قلم رصاص', 'Coffee | قهوة'),
    quantity,
    unitPrice,
    baseQuantity: fc.option(fc.constantFrom('1', '2', '3', '12', '0.5'), { nil: undefined }),
    taxCategory: category,
    allowanceCharges: fc.array(lineAllowanceCharge, { maxLength: 2 }),
    discountShare: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
  })
  .map(({ discountShare, ...l }) =>
    // Price-level discount (BR-KSA-EN16931-07): a share of the unit price, 2 decimals.
    discountShare === undefined ? l : { ...l, priceDiscount: (Math.floor(Number(l.unitPrice) * discountShare) / 100).toFixed(2) },
  );
const documentAllowanceCharge = fc.oneof(
  fc.integer({ min: 0, max: 3000 }).map((p) => ({ kind: 'allowance' as const, percent: (p / 100).toFixed(2), reason: 'discount' })),
  fc.integer({ min: 0, max: 2000 }).map((p) => ({ kind: 'charge' as const, percent: (p / 100).toFixed(2), reasonCode: 'ZZZ', reason: 'Service charge' })),
  amount(1000).map((a) => ({ kind: 'charge' as const, amount: a, reasonCode: 'LF', reason: 'Legalisation fee' })),
);
const currency = fc.constantFrom({ currency: 'SAR' }, { currency: 'USD', exchangeRate: '3.75' }, { currency: 'EUR', exchangeRate: '4.0712' });

const invoiceArbitrary = fc
  .record({
    lines: fc.array(line, { minLength: 1, maxLength: 8 }),
    docAcs: fc.array(fc.tuple(documentAllowanceCharge, fc.nat()), { maxLength: 3 }),
    pricesIncludeVat: fc.boolean(),
    currency,
    prepay: fc.option(fc.tuple(amount(50_000), fc.constantFrom('15', '5')), { nil: undefined }),
    kind: fc.constantFrom('standard' as const, 'simplified' as const),
  })
  .map((g): InvoiceInputJson => {
    // Document allowances/charges use a category some line has, as real invoices do.
    const allowanceCharges = g.docAcs.map(([ac, i]) => ({ ...ac, taxCategory: g.lines[i % g.lines.length]!.taxCategory }));
    return {
      ...baseInvoice(g.kind),
      ...g.currency,
      pricesIncludeVat: g.pricesIncludeVat,
      lines: g.lines.map((l) => ({ ...l, ...(l.baseQuantity === undefined && { baseQuantity: undefined }) })),
      allowanceCharges,
      ...(g.prepay && {
        prepaymentAdjustments: [
          {
            name: 'Advance received',
            invoiceId: 'ADV-1',
            invoiceUuid: 'a79760f7-2f48-4da9-85a5-40459a147c80',
            issueDate: '2022-08-15',
            issueTime: '12:28:17',
            taxableAmount: g.prepay[0],
            taxCategory: { code: 'S' as const, rate: g.prepay[1] },
          },
        ],
      }),
    };
  });

/** Compute, or undefined when the random input is rejected for a negative total (BR-KSA-F-04). */
function tryCompute(json: InvoiceInputJson) {
  try {
    return computeInvoice(parseInvoiceInput(JSON.parse(JSON.stringify(json))));
  } catch (error) {
    if (isFawtaraError(error) && error.rule === 'BR-KSA-F-04') return undefined;
    throw error;
  }
}

describe('computeInvoice arithmetic (properties)', () => {
  it('BR-CO-10…17, BR-KSA-51, BR-KSA-EN16931-03/07/11, BR-S/Z/E/O-08/09, BR-KSA-79/80 hold on every computed invoice (docs/zatca-notes.md §2.5, §2.8)', () => {
    let computed = 0;
    fc.assert(
      fc.property(invoiceArbitrary, (json) => {
        const inv = tryCompute(json);
        fc.pre(inv !== undefined);
        computed++;
        expect(arithmeticViolations(inv!)).toEqual([]);
      }),
      { numRuns: 400 },
    );
    expect(computed).toBeGreaterThan(200);
  });

  it('VAT-inclusive prices: the amount due equals what the customer was shown (docs/zatca-notes.md §4, SDK "Standard Invoice with Payable Rounding Adjustment")', () => {
    fc.assert(
      fc.property(
        fc.array(
          line.map((l) => ({ ...l, allowanceCharges: [], baseQuantity: undefined, priceDiscount: undefined })),
          { minLength: 1, maxLength: 10 },
        ),
        (lines) => {
          const inv = tryCompute({ ...baseInvoice('simplified'), pricesIncludeVat: true, lines });
          fc.pre(inv !== undefined);
          // Customer total = Σ round2(quantity × gross price) over the lines.
          let shown = 0n;
          for (const l of lines) {
            const [qi, qf = ''] = l.quantity.split('.');
            const [pi, pf = ''] = l.unitPrice.split('.');
            const q = BigInt(qi! + qf);
            const p = BigInt(pi! + pf);
            const scale = 10n ** BigInt(qf.length + pf.length);
            // round half-up to cents
            shown += (q * p * 100n * 2n + scale) / (2n * scale);
          }
          const payable = BigInt(inv!.totals.payableAmount.replace('.', ''));
          expect(payable).toBe(shown);
          // The cents between line VATs and category VATs are absorbed, never more than ½ cent per line.
          const rounding = Math.abs(Number(inv!.totals.payableRoundingAmount));
          expect(rounding).toBeLessThanOrEqual(0.005 * lines.length + 0.01);
          expect(arithmeticViolations(inv!)).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
