// Scenario fixtures (test/fixtures/scenarios): each builds, is canonical, and reproduces the
// amounts of the SDK sample it mirrors (named in its $comment) — docs/zatca-notes.md §2.8, §1.4.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeInvoice, parseInvoiceInput } from '../../src/model/index.js';
import { unsignedXml, XML_DECLARATION } from '../../src/ubl/document.js';
import { buildInvoice } from '../../src/ubl/writer.js';
import { canonicalize } from '../../src/xml/c14n.js';
import { childElements, findPath, NS, parseXml, textOf } from '../../src/xml/parse.js';
import type { Element } from '@xmldom/xmldom';
import { repoRoot, sdkDir, sdkPath } from '../helpers/sdk.js';
import { arithmeticViolations } from '../model/arithmetic.js';

const dir = join(repoRoot, 'test', 'fixtures', 'scenarios');
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();

const num = (s: string | undefined) => (s === undefined ? undefined : Number(s).toFixed(2));

/** Amount figures of a document, as numbers with 2 decimals, for comparison across writers. */
function figures(xml: string): Record<string, string | undefined> {
  const root = parseXml(xml).documentElement!;
  const out: Record<string, string | undefined> = {};
  const lmt = findPath(root, 'cac:LegalMonetaryTotal')!;
  for (const el of childElements(lmt)) {
    const v = num(textOf(el));
    // Optional zero totals are written by us, not always by the samples.
    if (v !== '0.00') out[`LMT.${el.localName}`] = v;
  }
  childElements(root, NS.cac, 'TaxTotal').forEach((tt, i) => {
    out[`TaxTotal${i}`] = num(textOf(childElements(tt, NS.cbc, 'TaxAmount')[0]));
    childElements(tt, NS.cac, 'TaxSubtotal').forEach((st: Element) => {
      const cat = textOf(findPath(st, 'cac:TaxCategory/cbc:ID'));
      out[`Sub.${cat}.taxable`] = num(textOf(findPath(st, 'cbc:TaxableAmount')));
      out[`Sub.${cat}.tax`] = num(textOf(findPath(st, 'cbc:TaxAmount')));
    });
  });
  childElements(root, NS.cac, 'InvoiceLine').forEach((l, i) => {
    out[`Line${i}.net`] = num(textOf(findPath(l, 'cbc:LineExtensionAmount')));
    out[`Line${i}.vat`] = num(textOf(findPath(l, 'cac:TaxTotal/cbc:TaxAmount')));
    out[`Line${i}.withVat`] = num(textOf(findPath(l, 'cac:TaxTotal/cbc:RoundingAmount')));
    out[`Line${i}.code`] = textOf(findPath(l, 'cac:Item/cac:ClassifiedTaxCategory/cbc:ID'));
  });
  out['KSA-2'] = findPath(root, 'cbc:InvoiceTypeCode')!.getAttribute('name') ?? undefined;
  out['BT-3'] = textOf(findPath(root, 'cbc:InvoiceTypeCode'));
  out['currency'] = textOf(findPath(root, 'cbc:DocumentCurrencyCode'));
  return out;
}

describe('scenario fixtures', () => {
  it('cover every SDK sample scenario plus prepayment, service charge, deposit and POS receipt', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(23);
  });

  for (const file of fixtures) {
    const json = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { $comment?: string };
    const sample = /^SDK sample: (.+)$/.exec(json.$comment ?? '')?.[1];
    const title = sample ? `${file} mirrors the amounts of SDK sample "${sample}"` : `${file} builds, is canonical and balanced (BR-CO-*)`;
    it(title, () => {
      const doc = buildInvoice(json);
      const xml = unsignedXml(doc);
      expect(canonicalize(parseXml(xml))).toBe(xml.slice(XML_DECLARATION.length));
      expect(arithmeticViolations(computeInvoice(parseInvoiceInput(json)))).toEqual([]);
      if (!sample || !sdkDir) return;
      const ours = figures(xml);
      const theirs = figures(readFileSync(sdkPath('Data', 'Samples', sample), 'utf8'));
      for (const [k, v] of Object.entries(theirs)) if (v !== '0.00') expect([k, ours[k]]).toEqual([k, v]);
    });
  }
});
