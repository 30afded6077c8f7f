// A document's figures for the VAT return, on the structure of ZATCA's three "Advance Payment
// adjustments" samples (SDK Data/Samples/Standard/Invoice): the breakdown as written (not reduced by
// the prepayment, docs/zatca-notes.md §1.4), the prepayment lines (KSA-31/32, 386 references) and the balance the
// final invoice adds; and SAR VAT per category that adds up to the document's BT-111.
import { describe, expect, it } from 'vitest';
import { documentTotals } from '../../src/issuing/index.js';
import { computeInvoice, parseInvoiceInput } from '../../src/model/index.js';
import { unsignedXml } from '../../src/ubl/document.js';
import { writeInvoice } from '../../src/ubl/writer.js';
import { documentFigures } from '../../src/reports/figures.js';
import { prepaymentLinesOf } from '../../src/reports/prepaid.js';
import { readSdk, SDK_MISSING_MESSAGE, sdkDir } from '../helpers/sdk.js';
import { scenarioJson } from '../helpers/scenarios.js';
import { vatFromXml } from './helpers.js';

const SAMPLE = (name: string) => readSdk('Data', 'Samples', 'Standard', 'Invoice', `${name}.xml`);

/** The stored breakdown of a sample, read from its XML (the TaxTotal with subtotals). */
function breakdownOf(xml: string) {
  return vatFromXml(xml).categories.map((c) => {
    const [category, rate] = c.key.split(':') as [string, string];
    return { category, rate, taxable: c.taxable.toFixed(2), vat: c.vat.toFixed(2), taxableSar: '', vatSar: '' };
  });
}

describe.skipIf(!sdkDir)('prepayments on the SDK advance-payment samples', () => {
  if (!sdkDir) console.warn(SDK_MISSING_MESSAGE);

  it('"Advance Payment adjustments": S 1900/285 as written, 1000/150 prepaid (invoice 46531, 386): the final invoice adds 900/135', () => {
    const xml = SAMPLE('Advance Payment adjustments');
    const prepaid = prepaymentLinesOf(xml);
    expect(prepaid).toEqual([
      { invoiceId: '46531', invoiceUuid: 'a79760f7-2f48-4da9-85a5-40459a147c80', category: 'S', rate: '15.00', taxable: '1000.00', vat: '150.00' },
    ]);
    const f = documentFigures(breakdownOf(xml), prepaid, null, '285');
    expect(f.stated.map((l) => [l.key, l.taxableSar, l.vatSar])).toEqual([['S:15.00', '1900.00', '285.00']]);
    expect(f.prepaid.map((l) => [l.key, l.invoiceId, l.taxableSar, l.vatSar])).toEqual([['S:15.00', '46531', '1000.00', '150.00']]);
    expect(f.net.map((l) => [l.key, l.taxable, l.vat, l.taxableSar, l.vatSar])).toEqual([['S:15.00', '900.00', '135.00', '900.00', '135.00']]);
    expect([f.statedVatSar, f.prepaidVatSar, f.vatSar, f.taxableSar]).toEqual(['285.00', '150.00', '135.00', '900.00']);
  });

  it('"… with foreign currency invoice": USD at 3.75 (BT-111 1068.75 SAR): 562.50 SAR prepaid VAT, the final invoice adds 506.25', () => {
    const xml = SAMPLE('Advance Payment adjustments with foreign currency invoice');
    const x = vatFromXml(xml);
    expect([x.currency, x.vatSar.toFixed(2)]).toEqual(['USD', '1068.75']);
    const f = documentFigures(breakdownOf(xml), prepaymentLinesOf(xml), '3.75', '1068.75');
    expect(f.net.map((l) => [l.key, l.taxable, l.vat, l.taxableSar, l.vatSar])).toEqual([['S:15.00', '900.00', '135.00', '3375.00', '506.25']]);
    expect([f.statedVatSar, f.prepaidVatSar, f.vatSar]).toEqual(['1068.75', '562.50', '506.25']);
  });

  it('"… with rate change scenarios": the advance was taxed at 5 %, the supply at 15 %: S 15 % adds 1900/285, S 5 % gives back 1000/50', () => {
    const xml = SAMPLE('Advance Payment adjustments with rate change scenarios');
    const f = documentFigures(breakdownOf(xml), prepaymentLinesOf(xml), null, '285');
    expect(f.net.map((l) => [l.key, l.taxableSar, l.vatSar])).toEqual([
      ['S:15.00', '1900.00', '285.00'],
      ['S:5.00', '-1000.00', '-50.00'],
    ]);
    // With the prepayment invoice's own 1000/50 at 5 %, the period holds 285 VAT: 50 with the advance, 235 with the balance.
    expect(f.vatSar).toBe('235.00');
  });

  it('issuing records the same prepayments the XML carries (the scenarios built from those samples)', () => {
    for (const name of ['advance-payment-adjustments', 'advance-payment-foreign-currency', 'advance-payment-rate-change']) {
      const inv = computeInvoice(parseInvoiceInput(scenarioJson(name)));
      expect(documentTotals(inv).prepaid).toEqual(prepaymentLinesOf(unsignedXml(writeInvoice(inv))));
    }
  });
});

describe('SAR per category adds up to the document SAR VAT total (BT-111)', () => {
  it('a USD document with two rates: 15.02 + 5.02 USD VAT at 3.75 → 56.33 + 18.82 = 75.15 SAR (not 56.33 + 18.83 = 75.16)', () => {
    const breakdown = [
      { category: 'S', rate: '15.00', taxable: '100.13', vat: '15.02', taxableSar: '', vatSar: '' },
      { category: 'S', rate: '5.00', taxable: '100.40', vat: '5.02', taxableSar: '', vatSar: '' },
      { category: 'Z', rate: '0.00', exemptionCode: 'VATEX-SA-32', taxable: '10.00', vat: '0.00', taxableSar: '', vatSar: '' },
    ];
    const f = documentFigures(breakdown, [], '3.75', '75.15');
    expect(f.net.map((l) => [l.key, l.taxableSar, l.vatSar])).toEqual([
      ['S:15.00', '375.49', '56.33'],
      ['S:5.00', '376.50', '18.82'],
      ['Z:0.00:VATEX-SA-32', '37.50', '0.00'],
    ]);
    expect(f.vatSar).toBe('75.15');
  });

  it('issuing stores the same allocation in the breakdown', () => {
    const json = scenarioJson('export-usd');
    Object.assign(json, {
      lines: [
        { name: 'Item A', quantity: '1', unitPrice: '100.13', taxCategory: { code: 'S', rate: '15' } },
        { name: 'Item B', quantity: '1', unitPrice: '100.40', taxCategory: { code: 'S', rate: '5' } },
      ],
    });
    const t = documentTotals(computeInvoice(parseInvoiceInput(json)));
    expect([t.taxSar, ...t.breakdown.map((l) => l.vatSar)]).toEqual(['75.15', '56.33', '18.82']);
  });
});
