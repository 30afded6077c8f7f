// EN16931 rules (ZATCA's trimmed copy) on document-level presence, references, lines' basic fields
// and field lengths ZATCA added to the EN file (BR-KSA-F-06-C1/C2/C8/C10/C17-C20/C27/C30/C31).
import type { InvoiceContext } from '../context.js';
import { len, nonEmpty, s1, str, isVatScheme, fractionDigits } from '../xpath-values.js';
import { en } from '../define.js';
import type { Rule } from '../types.js';

const supplier = (c: InvoiceContext) => c.at('cac:AccountingSupplierParty/cac:Party');
const customer = (c: InvoiceContext) => c.at('cac:AccountingCustomerParty/cac:Party');

export const documentRules: Rule[] = [
  en('BR-02', 'warning', 'The invoice number (BT-1) is missing.', 'رقم الفاتورة (BT-1) مفقود.', (c) => !nonEmpty(c.at('cbc:ID'))),
  en('BR-KSA-F-06-C1', 'warning', 'The invoice number (BT-1) is longer than 127 characters.', 'رقم الفاتورة (BT-1) أطول من 127 حرفًا.', (c) => {
    const id = c.at('cbc:ID');
    return id.length > 0 && len(s1(id)) > 127;
  }),
  en('BR-KSA-F-06-C2', 'warning', 'An invoice note (BT-22) is longer than 1000 characters.', 'ملاحظة الفاتورة (BT-22) أطول من 1000 حرف.', (c) =>
    c.at('cbc:Note').some((n) => {
      for (let t = n.firstChild; t; t = t.nextSibling) if (t.nodeType === 3 && len(t.nodeValue ?? '') > 1000) return true;
      return false;
    }),
  ),
  en('BR-03', 'error', 'The issue date (BT-2) is missing.', 'تاريخ إصدار الفاتورة (BT-2) مفقود.', (c) => !nonEmpty(c.at('cbc:IssueDate'))),
  en(
    'BR-04',
    'error',
    'The invoice type code (BT-3) is missing.',
    'رمز نوع الفاتورة (BT-3) مفقود.',
    (c) => !nonEmpty(c.at('cbc:InvoiceTypeCode')) && !nonEmpty(c.at('cbc:CreditNoteTypeCode')),
  ),
  en('BR-05', 'error', 'The invoice currency code (BT-5) is missing.', 'رمز عملة الفاتورة (BT-5) مفقود.', (c) => !nonEmpty(c.at('cbc:DocumentCurrencyCode'))),
  en(
    'BR-06',
    'warning',
    "The seller's name (BT-27) is missing.",
    'اسم البائع (BT-27) مفقود.',
    (c) => !nonEmpty(c.path(supplier(c), 'cac:PartyLegalEntity/cbc:RegistrationName')),
  ),
  en('BR-KSA-F-06-C10', 'warning', "The seller's name (BT-27) must have 1 to 1000 characters.", 'يجب أن يتكون اسم البائع (BT-27) من 1 إلى 1000 حرف.', (c) => {
    const n = c.path(supplier(c), 'cac:PartyLegalEntity/cbc:RegistrationName');
    return n.length > 0 && (len(s1(n)) > 1000 || len(s1(n)) < 1);
  }),
  en('BR-KSA-F-06-C8', 'warning', "The seller's province (BT-39) is longer than 127 characters.", 'اسم منطقة البائع (BT-39) أطول من 127 حرفًا.', (c) => {
    const n = c.path(supplier(c), 'cac:PostalAddress/cbc:CountrySubentity');
    return n.length > 0 && len(s1(n)) > 127;
  }),
  en(
    'BR-08',
    'warning',
    "The seller's postal address (BG-5) is missing.",
    'العنوان البريدي للبائع (BG-5) مفقود.',
    (c) => c.path(supplier(c), 'cac:PostalAddress').length === 0,
  ),
  en('BR-KSA-F-06-C27', 'warning', "The buyer's province (BT-54) is longer than 127 characters.", 'اسم منطقة المشتري (BT-54) أطول من 127 حرفًا.', (c) => {
    const n = c.path(customer(c), 'cac:PostalAddress/cbc:CountrySubentity');
    return n.length > 0 && len(s1(n)) > 127;
  }),
  en('BR-16', 'error', 'The invoice has no invoice line (BG-25).', 'الفاتورة لا تحتوي على أي بند (BG-25).', (c) => c.lines.length === 0),
  en(
    'BR-53',
    'warning',
    'When a tax currency (BT-6) is given, the VAT total in that currency (BT-111) must be present and carry it.',
    'عند تحديد عملة الضريبة (BT-6) يجب ذكر إجمالي الضريبة بتلك العملة (BT-111).',
    (c) => {
      const tcc = c.at('cbc:TaxCurrencyCode');
      if (!tcc.length) return false;
      const plain = c.kids(c.root, 'cac:TaxTotal').filter((t) => c.kids(t, 'cac:TaxSubtotal').length === 0);
      const badCurrency = c.path(plain, 'cbc:TaxAmount').some((a) => {
        const cur = a.getAttributeNode('currencyID');
        return cur !== null && !tcc.some((t) => str(t) === cur.value);
      });
      return badCurrency || plain.some((t) => c.kids(t, 'cbc:TaxAmount').length === 0);
    },
  ),
  en('BR-KSA-F-06-C17', 'error', 'An invoice line identifier (BT-126) must have 1 to 6 characters.', 'يجب أن يتكون معرّف البند (BT-126) من 1 إلى 6 أحرف.', (c) =>
    c.all('cac:InvoiceLine').some((l) => {
      const id = c.kids(l, 'cbc:ID');
      return id.length > 0 && (len(s1(id)) > 6 || len(s1(id)) < 1);
    }),
  ),
  en(
    'BR-KSA-F-06-C30',
    'warning',
    "The buyer's item identifier (BT-156) is longer than 127 characters.",
    'معرّف السلعة لدى المشتري (BT-156) أطول من 127 حرفًا.',
    (c) => c.all('cac:InvoiceLine').some((l) => itemIdTooLong(c, l, 'cac:BuyersItemIdentification')),
  ),
  en(
    'BR-KSA-F-06-C31',
    'warning',
    "The seller's item identifier (BT-155) is longer than 127 characters.",
    'معرّف السلعة لدى البائع (BT-155) أطول من 127 حرفًا.',
    (c) => c.all('cac:InvoiceLine').some((l) => itemIdTooLong(c, l, 'cac:SellersItemIdentification')),
  ),
  en(
    'BR-KSA-F-06-C20',
    'warning',
    'The standard item identifier (BT-157) is longer than 127 characters.',
    'المعرّف القياسي للسلعة (BT-157) أطول من 127 حرفًا.',
    (c) => c.all('cac:InvoiceLine').some((l) => itemIdTooLong(c, l, 'cac:StandardItemIdentification')),
  ),
  en('BR-52', 'warning', 'An additional document reference (BG-24) has no identifier (BT-122).', 'مرجع مستند إضافي (BG-24) بلا معرّف (BT-122).', (c) =>
    c.all('cac:AdditionalDocumentReference').some((r) => !nonEmpty(c.kids(r, 'cbc:ID'))),
  ),
  en(
    'BR-54',
    'error',
    'An item attribute (BG-32) needs both a name (BT-160) and a value (BT-161).',
    'يجب أن تحتوي خاصية السلعة (BG-32) على اسم (BT-160) وقيمة (BT-161).',
    (c) => c.all('cac:AdditionalItemProperty').some((p) => c.kids(p, 'cbc:Name').length === 0 || c.kids(p, 'cbc:Value').length === 0),
  ),
  en(
    'BR-49',
    'warning',
    'A payment instruction (BG-16) of a tax invoice needs a payment means code (BT-81).',
    'يجب أن تحتوي تعليمات الدفع (BG-16) في الفاتورة الضريبية على رمز وسيلة الدفع (BT-81).',
    (c) => c.isStandard && c.all('cac:PaymentMeans').some((p) => c.kids(p, 'cbc:PaymentMeansCode').length === 0),
  ),
  en(
    'BR-55',
    'error',
    'A preceding-invoice reference (BG-3) needs the preceding invoice number (BT-25).',
    'يجب أن يحتوي مرجع الفاتورة السابقة (BG-3) على رقمها (BT-25).',
    (c) => c.all('cac:BillingReference').some((b) => !nonEmpty(c.path(b, 'cac:InvoiceDocumentReference/cbc:ID'))),
  ),
  en('BR-09', 'warning', "The seller's country code (BT-40) is missing.", 'رمز دولة البائع (BT-40) مفقود.', (c) =>
    c.path(c.all('cac:AccountingSupplierParty'), 'cac:Party/cac:PostalAddress').some((a) => !nonEmpty(c.path(a, 'cac:Country/cbc:IdentificationCode'))),
  ),
];

function itemIdTooLong(c: InvoiceContext, line: Parameters<InvoiceContext['kids']>[0], what: string): boolean {
  const id = c.path(line, `cac:Item/${what}/cbc:ID`);
  return id.length > 0 && len(s1(id)) > 127;
}

/** Rules on each invoice line's own fields (pattern context `cac:InvoiceLine`). */
export const lineRules: Rule[] = [
  en('BR-KSA-F-06-C18', 'warning', 'The unit of measure code (BT-130) is longer than 127 characters.', 'رمز وحدة القياس (BT-130) أطول من 127 حرفًا.', (c) =>
    c.all('cac:InvoiceLine').some((l) => {
      const u = c.kids(l, 'cbc:InvoicedQuantity')[0]?.getAttributeNode('unitCode');
      return !!u && len(u.value) > 127;
    }),
  ),
  en('BR-KSA-F-06-C19', 'warning', 'The item name (BT-153) must have 3 to 1000 characters.', 'يجب أن يتكون اسم السلعة (BT-153) من 3 إلى 1000 حرف.', (c) =>
    c.all('cac:InvoiceLine').some((l) => {
      const n = c.path(l, 'cac:Item/cbc:Name');
      return n.length > 0 && (len(s1(n)) > 1000 || len(s1(n)) < 3);
    }),
  ),
  en('BR-KSA-F-C-01', 'warning', 'The item name (BT-153) is only digits; give a real description.', 'اسم السلعة (BT-153) أرقام فقط؛ اكتب وصفًا حقيقيًا.', (c) =>
    c.all('cac:InvoiceLine').some((l) => {
      const n = c.path(l, 'cac:Item/cbc:Name');
      return n.length > 0 && /^\p{Nd}+$/u.test(s1(n));
    }),
  ),
  en('BR-21', 'warning', 'An invoice line has no identifier (BT-126).', 'بند في الفاتورة بلا معرّف (BT-126).', (c) =>
    c.all('cac:InvoiceLine').some((l) => !nonEmpty(c.kids(l, 'cbc:ID'))),
  ),
  en(
    'BR-22',
    'error',
    'An invoice line has no invoiced quantity (BT-129), or the quantity is written as "0".',
    'بند في الفاتورة بلا كمية (BT-129) أو كميته مكتوبة "0".',
    (c) =>
      c.all('cac:InvoiceLine').some((l) => {
        const q = c.kids(l, 'cbc:InvoicedQuantity');
        if (!q.length) return true;
        return q.some((e) => {
          for (let t = e.firstChild; t; t = t.nextSibling) if (t.nodeType === 3 && t.nodeValue === '0') return true;
          return false;
        });
      }),
  ),
  en('BR-24', 'error', 'An invoice line has no net amount (BT-131).', 'بند في الفاتورة بلا مبلغ صافٍ (BT-131).', (c) =>
    c.all('cac:InvoiceLine').some((l) => c.kids(l, 'cbc:LineExtensionAmount').length === 0),
  ),
  en('BR-25', 'warning', 'An invoice line has no item name (BT-153).', 'بند في الفاتورة بلا اسم سلعة (BT-153).', (c) =>
    c.all('cac:InvoiceLine').some((l) => !nonEmpty(c.path(l, 'cac:Item/cbc:Name'))),
  ),
  en('BR-26', 'error', 'An invoice line has no item net price (BT-146).', 'بند في الفاتورة بلا سعر صافٍ للسلعة (BT-146).', (c) =>
    c.all('cac:InvoiceLine').some((l) => c.path(l, 'cac:Price/cbc:PriceAmount').length === 0),
  ),
  en('BR-CO-04', 'error', 'An invoice line has no VAT category code (BT-151).', 'بند في الفاتورة بلا رمز فئة ضريبة (BT-151).', (c) =>
    c
      .all('cac:InvoiceLine')
      .some((l) => !c.path(l, 'cac:Item/cac:ClassifiedTaxCategory').some((cat) => isVatScheme(cat, c) && c.kids(cat, 'cbc:ID').length > 0)),
  ),
  en(
    'BR-DEC-23',
    'warning',
    'An invoice line net amount (BT-131) has more than 2 decimals.',
    'المبلغ الصافي للبند (BT-131) يحتوي على أكثر من منزلتين عشريتين.',
    (c) => c.all('cac:InvoiceLine').some((l) => fractionDigits(s1(c.kids(l, 'cbc:LineExtensionAmount'))) > 2),
  ),
];
