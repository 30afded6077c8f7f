// Inputs on which ZATCA's compiled schematrons stop with an XPath dynamic error instead of rule
// findings (several items where a cast, an operator or a string function takes one; a text that
// cannot be cast to xs:double or xs:boolean where the XSL compares it with a number or a boolean).
// The SDK then reports the whole EN or KSA layer as one failed transformation. Each guard below is
// a case observed with the team oracle (Saxon running ZATCA's XSLs; test/rules/built-mutants.test.ts);
// single-rule cases (BR-KSA-03, BR-KSA-98, BR-KSA-EN16931-11) raise it in their own rule.
import type { Element } from '@xmldom/xmldom';
import type { InvoiceContext } from './context.js';
import { bool, dbl, str, xpathError } from './xpath-values.js';
import type { Rule } from './types.js';

/** `xs:double(x)` of an untyped value fails (general comparison with a number). */
const notDouble = (e: Element): boolean => Number.isNaN(dbl(str(e))) && str(e).trim() !== 'NaN';

/** `cac:AllowanceCharge[cbc:ChargeIndicator = false()]`: "no" is not an xs:boolean. */
function chargeIndicators(indicators: readonly Element[]): void {
  for (const i of indicators) if (bool(str(i)) === undefined) xpathError(`'${str(i)}' cannot be cast to xs:boolean`);
}

function shared(c: InvoiceContext): void {
  // VAT rates are compared with numbers (`cbc:Percent > 0`, `= 0`): breakdown, line and document allowance/charge rates.
  const rates = [
    ...c.path(c.at('cac:TaxTotal/cac:TaxSubtotal'), 'cac:TaxCategory/cbc:Percent'),
    ...c.path(c.lines, 'cac:Item/cac:ClassifiedTaxCategory/cbc:Percent'),
    ...c.path(c.documentAllowanceCharges, 'cac:TaxCategory/cbc:Percent'),
  ];
  for (const p of rates) if (notDouble(p)) xpathError(`'${str(p)}' cannot be cast to xs:double`);
}

/** EN16931 layer (CEN-EN16931-UBL.xsl). */
export const enDynamicErrors: Rule = {
  id: 'TRANSFORM',
  flag: 'error',
  layer: 'EN',
  en: 'The EN16931 rules cannot be evaluated on this document.',
  ar: 'تعذر تقييم قواعد EN16931 على هذا المستند.',
  check(c) {
    const totals = c.kids(c.root, 'cac:LegalMonetaryTotal');
    // BR-CO-* arithmetic on `cac:LegalMonetaryTotal/cbc:…Amount` and `xs:decimal(cbc:PayableAmount)`.
    if (totals.length > 1) xpathError('several cac:LegalMonetaryTotal in an arithmetic expression');
    for (const amount of ['cbc:PayableAmount', 'cbc:TaxInclusiveAmount', 'cbc:PrepaidAmount']) {
      if (totals.some((t) => c.kids(t, amount).length > 1)) xpathError(`xs:decimal() of several ${amount}`);
    }
    // string-length() of the seller name (BR-KSA-F-06-C*).
    if (c.at('cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName').length > 1)
      xpathError('string-length() of several seller names');
    // Only the document-level allowance/charge templates test the indicator (observed: a line-level one does not fail EN).
    chargeIndicators(c.path(c.documentAllowanceCharges, 'cbc:ChargeIndicator'));
    shared(c);
    return false;
  },
};

/** KSA layer (20210819_ZATCA_E-invoice_Validation_Rules.xsl). */
export const ksaDynamicErrors: Rule = {
  id: 'TRANSFORM',
  flag: 'error',
  layer: 'KSA',
  en: 'The KSA rules cannot be evaluated on this document.',
  ar: 'تعذر تقييم قواعد الهيئة على هذا المستند.',
  check(c) {
    // xs:decimal() of the prepaid amount (BR-KSA-80).
    if (c.at('cac:LegalMonetaryTotal/cbc:PrepaidAmount').length > 1) xpathError('xs:decimal() of several cbc:PrepaidAmount');
    // string-length() of the seller identification scheme (BR-KSA-08, F-06).
    const schemes = c.at('cac:AccountingSupplierParty/cac:Party/cac:PartyIdentification/cbc:ID').filter((e) => e.hasAttribute('schemeID'));
    if (schemes.length > 1) xpathError('string-length() of several seller schemeID');
    // string-length() of the buyer street (BR-KSA-F-06-C*).
    if (c.path(c.all('cac:AccountingCustomerParty'), 'cac:Party/cac:PostalAddress/cbc:StreetName').length > 1)
      xpathError('string-length() of several buyer street names');
    // substring-after() of the line VAT amount (BR-KSA-DEC-03).
    if (c.lines.some((l) => c.path(l, 'cac:TaxTotal/cbc:TaxAmount').length > 1)) xpathError('substring-after() of several line VAT amounts');
    chargeIndicators(c.all('cbc:ChargeIndicator'));
    shared(c);
    return false;
  },
};
