// The prepayments a final invoice deducts, read from its stored XML: each adjustment line that
// references a prepayment invoice (386) and carries its taxable amount and VAT (docs/zatca-notes.md §1.4).
import type { Element } from '@xmldom/xmldom';
import type { PrepaidLine } from '../issuing/index.js';
import { dec, money } from '../money/index.js';
import { childElements, findPath, firstChild, NS, parseInvoiceXml, textOf } from '../xml/parse.js';

const text = (el: Element | undefined): string | undefined => textOf(el)?.trim() || undefined;

/**
 * The adjustment lines of a document: `cac:InvoiceLine` with a `cac:DocumentReference` whose
 * `cbc:DocumentTypeCode` is 386 (BR-KSA-74), and the line's `cac:TaxSubtotal` holding the prepaid
 * taxable amount (KSA-31), its VAT (KSA-32) and category and rate (KSA-33/34, BR-KSA-75).
 */
export function prepaymentLinesOf(xml: string): PrepaidLine[] {
  const root = parseInvoiceXml(xml).documentElement!;
  const out: PrepaidLine[] = [];
  for (const line of childElements(root, NS.cac, 'InvoiceLine')) {
    const ref = firstChild(line, NS.cac, 'DocumentReference');
    if (!ref || text(firstChild(ref, NS.cbc, 'DocumentTypeCode')) !== '386') continue;
    const subtotal = findPath(line, 'cac:TaxTotal/cac:TaxSubtotal');
    const category = subtotal && findPath(subtotal, 'cac:TaxCategory');
    if (!subtotal || !category) continue;
    const exemptionCode = text(findPath(category, 'cbc:TaxExemptionReasonCode'));
    out.push({
      invoiceId: text(firstChild(ref, NS.cbc, 'ID')) ?? '',
      invoiceUuid: text(firstChild(ref, NS.cbc, 'UUID')) ?? '',
      category: text(findPath(category, 'cbc:ID')) ?? '',
      rate: dec(text(findPath(category, 'cbc:Percent')) ?? '0').toFixed(2),
      ...(exemptionCode !== undefined && { exemptionCode }),
      taxable: money(dec(text(findPath(subtotal, 'cbc:TaxableAmount')) ?? '0')),
      vat: money(dec(text(findPath(subtotal, 'cbc:TaxAmount')) ?? '0')),
    });
  }
  return out;
}
