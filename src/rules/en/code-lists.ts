// EN16931 code-list rules (BR-CL-*, ZATCA's copy): document types, currencies, countries, payment
// means and VAT categories checked against their code lists, and amounts' decimal places.
import type { Element } from '@xmldom/xmldom';
import { CREDIT_NOTE_TYPE_CODES, COUNTRIES, CURRENCIES, INVOICE_TYPE_CODES, PAYMENT_MEANS_EN, VAT_CATEGORIES_EN } from '../codes.js';
import type { InvoiceContext } from '../context.js';
import { inCodeList, len, str } from '../xpath-values.js';
import { en } from '../define.js';
import type { Rule } from '../types.js';

const AMOUNT_ELEMENTS = [
  'cbc:Amount',
  'cbc:BaseAmount',
  'cbc:PriceAmount',
  'cbc:TaxAmount',
  'cbc:TaxableAmount',
  'cbc:LineExtensionAmount',
  'cbc:TaxExclusiveAmount',
  'cbc:TaxInclusiveAmount',
  'cbc:AllowanceTotalAmount',
  'cbc:ChargeTotalAmount',
  'cbc:PrepaidAmount',
  'cbc:PayableRoundingAmount',
  'cbc:PayableAmount',
];

/** The four places a VAT category code sits (`/ubl:Invoice/…/cbc:ID`). */
export function categoryIdElements(c: InvoiceContext): Element[] {
  return [
    ...c.at('cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID'),
    ...c.at('cac:InvoiceLine/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID'),
    ...c.at('cac:AllowanceCharge/cac:TaxCategory/cbc:ID'),
    ...c.at('cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory/cbc:ID'),
  ];
}

export const codeRules: Rule[] = [
  en(
    'BR-CL-01',
    'error',
    'The invoice type code (BT-3) is not a UNTDID 1001 document type.',
    'رمز نوع الفاتورة (BT-3) ليس من قائمة UNTDID 1001.',
    (c) =>
      c.all('cbc:InvoiceTypeCode').some((e) => !inCodeList(INVOICE_TYPE_CODES, str(e))) ||
      c.all('cbc:CreditNoteTypeCode').some((e) => !inCodeList(CREDIT_NOTE_TYPE_CODES, str(e))),
  ),
  en(
    'BR-CL-03',
    'error',
    'An amount carries a currencyID that is not an ISO 4217 currency code.',
    'أحد المبالغ يحمل رمز عملة (currencyID) ليس من قائمة ISO 4217.',
    (c) =>
      AMOUNT_ELEMENTS.some((n) =>
        c.all(n).some((e) => {
          const cur = e.getAttributeNode('currencyID');
          return !!cur && len(cur.value) > 0 && !inCodeList(CURRENCIES, cur.value);
        }),
      ),
  ),
  en('BR-CL-04', 'error', 'The invoice currency code (BT-5) is not an ISO 4217 currency code.', 'رمز عملة الفاتورة (BT-5) ليس من قائمة ISO 4217.', (c) =>
    c.all('cbc:DocumentCurrencyCode').some((e) => !inCodeList(CURRENCIES, str(e))),
  ),
  en('BR-CL-05', 'error', 'The tax currency code (BT-6) is not an ISO 4217 currency code.', 'رمز عملة الضريبة (BT-6) ليس من قائمة ISO 4217.', (c) =>
    c.all('cbc:TaxCurrencyCode').some((e) => !inCodeList(CURRENCIES, str(e))),
  ),
  en('BR-CL-14', 'warning', 'A country code is not an ISO 3166-1 alpha-2 code.', 'رمز دولة ليس من قائمة ISO 3166-1.', (c) =>
    c.path(c.all('cac:Country'), 'cbc:IdentificationCode').some((e) => !inCodeList(COUNTRIES, str(e))),
  ),
  en('BR-CL-16', 'warning', 'A payment means code (BT-81) is not from UNTDID 4461.', 'رمز وسيلة الدفع (BT-81) ليس من قائمة UNTDID 4461.', (c) =>
    c.path(c.all('cac:PaymentMeans'), 'cbc:PaymentMeansCode').some((e) => !inCodeList(PAYMENT_MEANS_EN, str(e))),
  ),
  en('BR-CL-18', 'error', 'A VAT category code is not from UNCL 5305.', 'رمز فئة الضريبة ليس من قائمة UNCL 5305.', (c) =>
    categoryIdElements(c).some((e) => !inCodeList(VAT_CATEGORIES_EN, str(e))),
  ),
];
