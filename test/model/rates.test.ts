// Dated standard rates (model/codes.ts STANDARD_RATE_PERIODS): category S without a rate means the rate in
// force on the document's date, a prepayment adjustment's on its prepayment invoice's date (BR-KSA-84 accepts 15 and 5).
import { describe, expect, it } from 'vitest';
import { LATEST_STANDARD_RATE, STANDARD_RATES, standardRateOn } from '../../src/model/codes.js';
import { computeInvoice, parseInvoiceInput, type InvoiceInputJson } from '../../src/model/index.js';
import { baseInvoice } from './fixtures.js';

const computed = (json: InvoiceInputJson) => computeInvoice(parseInvoiceInput(json));

describe('dated standard rates', () => {
  it('5% from 2018-01-01, 15% from 2020-07-01', () => {
    expect(standardRateOn('2018-01-01')).toBe('5');
    expect(standardRateOn('2020-06-30')).toBe('5');
    expect(standardRateOn('2020-07-01')).toBe('15');
    expect(standardRateOn('2026-12-07')).toBe('15');
    expect(LATEST_STANDARD_RATE).toBe('15');
    expect([...STANDARD_RATES].sort()).toEqual(['15', '5']);
  });

  it('a current document defaults S to 15.00', () => {
    expect(computed(baseInvoice()).lines[0]!.category.rate).toBe('15.00');
  });

  it('a document dated before 2020-07-01 defaults S to 5.00; a rate given stays', () => {
    const old = { ...baseInvoice(), issueDate: '2020-06-15', delivery: { actualDate: '2020-06-15' } };
    expect(computed(old).lines[0]!.category.rate).toBe('5.00');
    const given = { ...old, lines: [{ ...baseInvoice().lines[0]!, taxCategory: { code: 'S' as const, rate: '15' } }] };
    expect(computed(given).lines[0]!.category.rate).toBe('15.00');
  });

  it("a prepayment adjustment takes the rate of its prepayment invoice's date", () => {
    const pa = (issueDate: string) => ({
      name: 'Advance received',
      invoiceId: 'PRE-1',
      invoiceUuid: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      issueDate,
      issueTime: '10:00:00',
      taxableAmount: '1.00',
    });
    const json = { ...baseInvoice(), lines: [{ ...baseInvoice().lines[0]!, unitPrice: '100.00' }] };
    expect(computed({ ...json, prepaymentAdjustments: [pa('2020-05-01')] }).prepaymentLines[0]!.category.rate).toBe('5.00');
    expect(computed({ ...json, prepaymentAdjustments: [pa('2022-05-01')] }).prepaymentLines[0]!.category.rate).toBe('15.00');
  });
});
