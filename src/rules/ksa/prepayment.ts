// KSA prepayment rules: the adjustment lines that reference prepayment (386) invoices, their VAT
// subtotals (KSA-31..34), reason codes, and the PrepaidAmount reconciliation (BR-KSA-73..82, -93..96).
import type { Element } from '@xmldom/xmldom';
import type { InvoiceContext } from '../context.js';
import { catIs, dbl, dblSum, dec, dec1, fmt2, fractionDigits, isVatScheme, len, norm, s1, str } from '../xpath-values.js';
import { ksa } from '../define.js';
import type { Rule } from '../types.js';
import { anySCategory, PREPAYMENT_EXEMPTION_CODES, reasonCodeOk } from './vat.js';

/** `/ubl:Invoice/cac:LegalMonetaryTotal/cbc:PrepaidAmount > 0` (existential, as doubles). */
const prepaidPositive = (c: InvoiceContext) => c.at('cac:LegalMonetaryTotal/cbc:PrepaidAmount').some((p) => dbl(str(p)) > 0);
const lineSubtotals = (c: InvoiceContext) => c.path(c.lines, 'cac:TaxTotal/cac:TaxSubtotal');

/** Line VAT subtotal categories of one code with scheme VAT. */
const lineSubtotalCats = (c: InvoiceContext, code: string) =>
  c.at('cac:InvoiceLine/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory').filter((cat) => catIs(cat, c, code) && isVatScheme(cat, c));

/** BR-KSA-79: prepayment VAT = taxable × rate / 100, per line subtotal (two variants by category). */
function prepaymentVatWrong(c: InvoiceContext, sub: Element): boolean {
  const cats = c.kids(sub, 'cac:TaxCategory');
  const ids = cats.flatMap((cat) => c.kids(cat, 'cbc:ID')).map((e) => norm(str(e)));
  const pcts = c.path(cats, 'cbc:Percent');
  const tax = fmt2(c.kids(sub, 'cbc:TaxAmount').length ? dbl(s1(c.kids(sub, 'cbc:TaxAmount'))) : undefined);
  const zeroLike = !ids.includes('S') && ((ids.includes('O') && pcts.length === 0) || ids.includes('E') || ids.includes('Z') || norm(s1(pcts)) === '');
  if (zeroLike) {
    // zero-rated reading: the VAT must be 0.00 and equal taxable × rate rounded
    if (tax !== '0.00') return true;
    const taxable = dec1(c.kids(sub, 'cbc:TaxableAmount'));
    const pct = dec1(pcts);
    if (!taxable || !pct) return true;
    const expected = taxable.times(pct).div(100).times(100).plus(0.5).floor().div(100);
    return tax !== fmt2(expected);
  }
  if (norm(s1(pcts)) === '') return true;
  const taxable = dbl(s1(c.kids(sub, 'cbc:TaxableAmount')));
  const vatPct = c.path(
    cats.filter((cat) => isVatScheme(cat, c)),
    'cbc:Percent',
  );
  if (!vatPct.length) return true;
  const pct = dbl(s1(vatPct));
  const x = Math.floor(((taxable * pct) / 100) * 100 + 0.01 + 0.5) / 100;
  return ![x - 0.01, x + 0.01, x].some((v) => fmt2(v) === tax);
}

function prepaymentCatRateNotZero(c: InvoiceContext, code: string): boolean {
  return (
    prepaidPositive(c) &&
    lineSubtotals(c).some((sub) => {
      const cats = c.kids(sub, 'cac:TaxCategory').filter((cat) => catIs(cat, c, code) && isVatScheme(cat, c));
      return cats.length > 0 && !dec1(c.path(c.kids(sub, 'cac:TaxCategory'), 'cbc:Percent'))?.eq(0);
    })
  );
}

export const prepaymentRules: Rule[] = [
  ksa(
    'BR-KSA-80',
    'warning',
    'The prepaid amount (BT-113) must equal the sum of the prepayment taxable amounts (KSA-31) and VAT (KSA-32).',
    'يجب أن يساوي المبلغ المدفوع مسبقًا (BT-113) مجموع المبالغ الخاضعة للضريبة (KSA-31) والضريبة (KSA-32) للدفعات المقدمة.',
    (c) => {
      const pp = c.at('cac:LegalMonetaryTotal/cbc:PrepaidAmount');
      const exists = pp.length > 0;
      const prepaid = exists ? dec(s1(pp)) : undefined;
      if (exists && !prepaid) return true;
      const taxableEls = c.at('cac:InvoiceLine/cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount');
      const taxEls = c.at('cac:InvoiceLine/cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount');
      const taxableSum = dblSum(taxableEls);
      const taxSum = dblSum(taxEls);
      const total = taxableSum + taxSum;
      const codes = c.at('cac:InvoiceLine/cac:DocumentReference/cbc:DocumentTypeCode');
      const anyNot386 = codes.some((e) => str(e) !== '386');
      const p = prepaid ? prepaid.toNumber() : 0;
      return (
        ((p === 0 || !exists) && (taxableEls.length > 0 || taxEls.length > 0)) ||
        (p !== 0 && taxableSum > 0 && taxSum > 0 && anyNot386) ||
        fmt2(prepaid ?? 0) !== fmt2(total)
      );
    },
  ),
  ksa(
    'BR-KSA-73',
    'warning',
    'With a prepaid amount, each prepayment line needs the prepayment invoice number, issue date, issue time and type code.',
    'عند وجود مبلغ مدفوع مسبقًا يجب أن يحتوي كل بند دفعة مقدمة على رقم فاتورة الدفعة وتاريخها ووقتها ورمز نوعها.',
    (c) => {
      if (!prepaidPositive(c)) return false;
      if (c.at('cac:InvoiceLine/cac:DocumentReference').length === 0) return c.lines.length > 0;
      return c
        .path(c.lines, 'cac:DocumentReference')
        .some((r) => !['cbc:ID', 'cbc:IssueDate', 'cbc:IssueTime', 'cbc:DocumentTypeCode'].every((n) => c.kids(r, n).length > 0));
    },
  ),
  ksa(
    'BR-KSA-74',
    'error',
    'The prepayment document type code (KSA-30) must be 386.',
    'يجب أن يكون رمز نوع مستند الدفعة المقدمة (KSA-30) ‏386.',
    (c) =>
      prepaidPositive(c) &&
      c
        .path(c.lines, 'cac:DocumentReference')
        .some((r) => c.kids(r, 'cbc:DocumentTypeCode').some((t) => str(t) !== '386') && norm(s1(c.kids(r, 'cbc:DocumentTypeCode'))) !== '386'),
  ),
  ksa(
    'BR-KSA-75',
    'warning',
    'A prepayment line needs its VAT category taxable amount, VAT amount, category code and rate (KSA-31..34).',
    'بند الدفعة المقدمة يتطلب المبلغ الخاضع ومبلغ الضريبة ورمز الفئة والنسبة (KSA-31..34).',
    (c) =>
      prepaidPositive(c) &&
      c.lines.some((l) => {
        if (!c.kids(l, 'cac:DocumentReference').length) return false;
        const subs = c.path(l, 'cac:TaxTotal/cac:TaxSubtotal');
        return !(
          c.path(subs, 'cbc:TaxAmount').length &&
          c.path(subs, 'cac:TaxCategory/cbc:Percent').length &&
          c.path(subs, 'cbc:TaxableAmount').length &&
          c.path(subs, 'cac:TaxCategory/cbc:ID').length
        );
      }),
  ),
  ksa('BR-KSA-76', 'warning', 'A zero-rated ("Z") prepayment line must have rate 0.', 'يجب أن تكون نسبة بند الدفعة المقدمة بالفئة "Z" صفرًا.', (c) =>
    prepaymentCatRateNotZero(c, 'Z'),
  ),
  ksa('BR-KSA-77', 'warning', 'An exempt ("E") prepayment line must have rate 0.', 'يجب أن تكون نسبة بند الدفعة المقدمة بالفئة "E" صفرًا.', (c) =>
    prepaymentCatRateNotZero(c, 'E'),
  ),
  ksa('BR-KSA-78', 'warning', 'An out-of-scope ("O") prepayment line must have rate 0.', 'يجب أن تكون نسبة بند الدفعة المقدمة بالفئة "O" صفرًا.', (c) =>
    prepaymentCatRateNotZero(c, 'O'),
  ),
  ksa(
    'BR-KSA-79',
    'warning',
    'The prepayment VAT amount (KSA-32) must equal taxable amount (KSA-31) × rate (KSA-34) / 100.',
    'يجب أن يساوي مبلغ ضريبة الدفعة المقدمة (KSA-32) المبلغ الخاضع (KSA-31) × النسبة (KSA-34) / 100.',
    (c) => lineSubtotals(c).some((sub) => prepaymentVatWrong(c, sub)),
  ),
  ksa(
    'BR-KSA-82',
    'error',
    'A prepayment line must have zero price, net amount, line VAT, amount with VAT and allowances.',
    'يجب أن تكون قيم السعر والمبلغ الصافي وضريبة البند والمبلغ شاملًا الضريبة والخصومات صفرًا في بند الدفعة المقدمة.',
    (c) =>
      prepaidPositive(c) &&
      c.lines.some((l) =>
        c.kids(l, 'cac:DocumentReference').some((r) => {
          if (c.kids(r, 'cbc:DocumentTypeCode').some((t) => str(t) !== '386')) return false;
          const zero = (els: readonly Element[]) => els.some((e) => dbl(str(e)) === 0);
          const bad =
            !zero(c.kids(l, 'cbc:LineExtensionAmount')) ||
            !zero(c.path(l, 'cac:TaxTotal/cbc:TaxAmount')) ||
            !zero(c.path(l, 'cac:TaxTotal/cbc:RoundingAmount')) ||
            !zero(c.path(l, 'cac:Price/cbc:PriceAmount'));
          const acs = c.kids(l, 'cac:AllowanceCharge');
          return bad || (acs.length > 0 && !zero(c.path(acs, 'cbc:Amount')));
        }),
      ),
  ),
  ksa(
    'BR-KSA-DEC-06',
    'warning',
    'Prepayment taxable and VAT amounts (KSA-31/KSA-32) must have at most 2 decimals.',
    'يجب ألا تتجاوز المبالغ الخاضعة ومبالغ ضريبة الدفعات المقدمة (KSA-31/KSA-32) منزلتين عشريتين.',
    (c) =>
      prepaidPositive(c) &&
      lineSubtotals(c).some((s) => fractionDigits(s1(c.kids(s, 'cbc:TaxableAmount'))) > 2 || fractionDigits(s1(c.kids(s, 'cbc:TaxAmount'))) > 2),
  ),
  ksa(
    'BR-KSA-93',
    'warning',
    'A zero-rated ("Z") prepayment line needs an exemption reason code (KSA-41).',
    'بند الدفعة المقدمة بالفئة "Z" يتطلب رمز سبب الإعفاء (KSA-41).',
    (c) => anySCategory(c) && lineSubtotalCats(c, 'Z').some((cat) => !c.kids(cat, 'cbc:TaxExemptionReasonCode').some((e) => norm(str(e)) !== '')),
  ),
  ksa(
    'BR-KSA-94',
    'warning',
    'An exempt ("E") prepayment line needs an exemption reason code (KSA-41).',
    'بند الدفعة المقدمة بالفئة "E" يتطلب رمز سبب الإعفاء (KSA-41).',
    (c) => anySCategory(c) && lineSubtotalCats(c, 'E').some((cat) => !c.kids(cat, 'cbc:TaxExemptionReasonCode').some((e) => norm(str(e)) !== '')),
  ),
  ksa(
    'BR-KSA-95',
    'warning',
    'An out-of-scope ("O") prepayment line needs a reason code (KSA-41).',
    'بند الدفعة المقدمة بالفئة "O" يتطلب رمز السبب (KSA-41).',
    (c) => anySCategory(c) && lineSubtotalCats(c, 'O').some((cat) => !c.kids(cat, 'cbc:TaxExemptionReasonCode').some((e) => norm(str(e)) !== '')),
  ),
  ksa(
    'BR-KSA-96',
    'warning',
    'A Z, E or O prepayment line with a reason code needs the reason text (KSA-42).',
    'بند الدفعة المقدمة بالفئات Z أو E أو O ذو رمز السبب يتطلب نص السبب (KSA-42).',
    (c) =>
      anySCategory(c) &&
      zeoLineCats(c).some(
        (cat) => c.kids(cat, 'cbc:TaxExemptionReasonCode').length > 0 && !c.kids(cat, 'cbc:TaxExemptionReason').some((e) => norm(str(e)) !== ''),
      ),
  ),
  ksa(
    'BR-KSA-CL-07',
    'warning',
    "A prepayment line's exemption reason code (KSA-41) is not in ZATCA's list for its category.",
    'رمز سبب الإعفاء لبند الدفعة المقدمة (KSA-41) ليس من قائمة الهيئة لفئته.',
    (c) => anySCategory(c) && zeoLineCats(c).some((cat) => !reasonCodeOk(c, cat, PREPAYMENT_EXEMPTION_CODES)),
  ),
  ksa(
    'BR-KSA-F-06-C39',
    'warning',
    "A prepayment line's exemption reason text (KSA-42) must have 1 to 1000 characters.",
    'يجب أن يتكون نص سبب الإعفاء لبند الدفعة المقدمة (KSA-42) من 1 إلى 1000 حرف.',
    (c) =>
      anySCategory(c) &&
      zeoLineCats(c).some((cat) => {
        const r = c.kids(cat, 'cbc:TaxExemptionReason');
        return r.length > 0 && (len(s1(r)) > 1000 || len(s1(r)) < 1);
      }),
  ),
];

const zeoLineCats = (c: InvoiceContext) =>
  [...lineSubtotalCats(c, 'O'), ...lineSubtotalCats(c, 'E'), ...lineSubtotalCats(c, 'Z')].filter((v, i, a) => a.indexOf(v) === i);
