// Shared by the report and archive tests: a second branch with its own unit, and an independent
// reading of a stored document's TaxTotals (no figure taken from the database's report columns).
import { addBranch, bulkOnboard, resolveUnit } from '../../src/egs/index.js';
import { dec, ZERO, type Decimal } from '../../src/money/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import type { Branch, EgsUnit } from '../../src/store/index.js';
import { childElements, findPath, NS, parseInvoiceXml, textOf } from '../../src/xml/parse.js';
import { CHAIN_BRANCHES, CHAIN_VAT, otpsFor } from '../egs/helpers.js';
import type { IssuingFleet } from '../issuing/helpers.js';

/** Adds branch Jeddah with one onboarded unit (`JED-1`). */
export async function secondBranch(f: IssuingFleet, sim: RunningSimulator): Promise<{ branch: Branch; unit: EgsUnit }> {
  const branch = await addBranch(f.ctx, f.taxpayer, CHAIN_BRANCHES[1]!);
  const [otp] = otpsFor(sim, CHAIN_VAT, 1);
  const r = await bulkOnboard(f.ctx, f.taxpayer, [{ branch: branch.name, serial: '1-Fawtara|2-POS|3-JED1', name: 'JED-1', title: '1100', otp: otp! }]);
  if (!r.every((x) => x.ok)) throw new Error(JSON.stringify(r));
  return { branch, unit: await resolveUnit(f.ctx, f.taxpayer, 'JED-1') };
}

export interface XmlVat {
  sign: 1 | -1;
  currency: string;
  /** VAT in SAR: the TaxTotal whose amount is in SAR and that has no subtotals. */
  vatSar: Decimal;
  categories: Array<{ key: string; taxable: Decimal; vat: Decimal }>;
}

/** Reads the figures straight from the XML the document was stamped as. */
export function vatFromXml(xml: string): XmlVat {
  const root = parseInvoiceXml(xml).documentElement!;
  const code = textOf(findPath(root, 'cbc:InvoiceTypeCode'))!.trim();
  const currency = textOf(findPath(root, 'cbc:DocumentCurrencyCode'))!.trim();
  let vatSar = ZERO;
  const categories: XmlVat['categories'] = [];
  for (const total of childElements(root, NS.cac, 'TaxTotal')) {
    const subtotals = childElements(total, NS.cac, 'TaxSubtotal');
    const amount = findPath(total, 'cbc:TaxAmount')!;
    if (subtotals.length === 0) {
      if (amount.getAttribute('currencyID') === 'SAR') vatSar = dec(textOf(amount)!.trim());
      continue;
    }
    for (const s of subtotals) {
      const cat = findPath(s, 'cac:TaxCategory')!;
      const exemption = textOf(findPath(cat, 'cbc:TaxExemptionReasonCode'))?.trim();
      const key = [
        textOf(findPath(cat, 'cbc:ID'))!.trim(),
        dec(textOf(findPath(cat, 'cbc:Percent'))!.trim()).toFixed(2),
        ...(exemption ? [exemption] : []),
      ].join(':');
      categories.push({ key, taxable: dec(textOf(findPath(s, 'cbc:TaxableAmount'))!.trim()), vat: dec(textOf(findPath(s, 'cbc:TaxAmount'))!.trim()) });
    }
  }
  return { sign: code === '381' ? -1 : 1, currency, vatSar, categories };
}
