// KSA VAT rules: category codes and rates (S = 15 or 5, O = 0), exemption reason codes and texts,
// line VAT and line amount with VAT (KSA-11/KSA-12), and their decimal limits.
import type { Element } from '@xmldom/xmldom';
import type { InvoiceContext } from '../context.js';
import { catIs, dbl, fractionDigits, fmt2, isAllowance, isCharge, isVatScheme, len, nonEmpty, norm, s1, str } from '../xpath-values.js';
import { ksa } from '../define.js';
import type { Rule } from '../types.js';
import { categoryIdElements } from '../en/code-lists.js';

export const EXEMPTION_CODES: Record<string, ReadonlySet<string>> = {
  Z: new Set([
    'VATEX-SA-32',
    'VATEX-SA-33',
    'VATEX-SA-34-1',
    'VATEX-SA-34-2',
    'VATEX-SA-34-3',
    'VATEX-SA-34-4',
    'VATEX-SA-34-5',
    'VATEX-SA-35',
    'VATEX-SA-36',
    'VATEX-SA-EDU',
    'VATEX-SA-HEA',
    'VATEX-SA-MLTRY',
    'VATEX-SA-DIPLOMAT',
    'VATEX-SA-DUTYFREE',
    'VATEX-SA-ROYALDECREE',
    'VATEX-SA-32(bis)',
  ]),
  E: new Set(['VATEX-SA-29', 'VATEX-SA-29-7', 'VATEX-SA-30']),
  O: new Set(['VATEX-SA-OOS']),
};

/** BR-KSA-CL-07's prepayment list lacks the royal-decree and 32(bis) codes. */
export const PREPAYMENT_EXEMPTION_CODES: Record<string, ReadonlySet<string>> = {
  Z: new Set([...EXEMPTION_CODES.Z!].filter((code) => code !== 'VATEX-SA-ROYALDECREE' && code !== 'VATEX-SA-32(bis)')),
  E: EXEMPTION_CODES.E!,
  O: EXEMPTION_CODES.O!,
};

/** Reason code fits the category's list (or is empty), as BR-KSA-CL-04/CL-07 test it. */
export function reasonCodeOk(c: InvoiceContext, cat: Element, lists: Record<string, ReadonlySet<string>>): boolean {
  const codes = c.kids(cat, 'cbc:TaxExemptionReasonCode');
  // `normalize-space(cbc:TaxExemptionReasonCode) = ''` is also true when the code is absent.
  if (!codes.length) return true;
  const code = norm(s1(codes));
  if (code === '') return true;
  const id = norm(s1(c.kids(cat, 'cbc:ID')));
  return !code.includes(' ') && (lists[id]?.has(code) ?? false);
}

/** `ubl:Invoice/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory[normalize-space(cbc:ID) = code]` */
const docBreakdownCats = (c: InvoiceContext, codes: string[]) =>
  c.at('cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory').filter((cat) => codes.some((code) => catIs(cat, c, code)));
const hasCode = (c: InvoiceContext, cat: Element) => c.kids(cat, 'cbc:TaxExemptionReasonCode').some((e) => norm(str(e)) !== '');
const pctNotZero = (c: InvoiceContext, cat: Element) => c.kids(cat, 'cbc:Percent').some((p) => dbl(str(p)) > 0 || dbl(str(p)) < 0);

/** Any S/VAT category where BR-KSA-84 looks (its rule context): allowance/charge, breakdown, line. */
export function anySCategory(c: InvoiceContext): boolean {
  const s = (cats: readonly Element[]) => cats.some((cat) => catIs(cat, c, 'S') && isVatScheme(cat, c));
  return (
    s(
      c.path(
        c.all('cac:AllowanceCharge').filter((ac) => isCharge(ac, c) || isAllowance(ac, c)),
        'cac:TaxCategory',
      ),
    ) ||
    s(c.path(c.all('cac:TaxTotal'), 'cac:TaxSubtotal/cac:TaxCategory')) ||
    s(c.path(c.all('cac:InvoiceLine'), 'cac:Item/cac:ClassifiedTaxCategory'))
  );
}

/** BR-KSA-84's test: `floor(number(Percent)) = 15 or floor(number(Percent = 5))`. */
function rateNot15or5(c: InvoiceContext, cat: Element): boolean {
  const p = c.kids(cat, 'cbc:Percent');
  if (!p.length) return false;
  const v = dbl(str(p[0]));
  // the second half floors the boolean (Percent = 5): 1 when some Percent equals 5
  const is5 = p.some((e) => dbl(str(e)) === 5);
  return !(Math.floor(v) === 15 || is5);
}

export const vatRules: Rule[] = [
  ksa('BR-KSA-18', 'error', 'The VAT category code must be S, Z, E or O.', 'يجب أن يكون رمز فئة الضريبة S أو Z أو E أو O.', (c) =>
    categoryIdElements(c).some((e) => !' S Z E O '.includes(str(e))),
  ),
  ksa(
    'BR-KSA-11',
    'error',
    'A line in category "O" (not subject to VAT) must have rate 0 if a rate is given.',
    'يجب أن تكون نسبة ضريبة البند بالفئة "O" صفرًا إن ذُكرت.',
    (c) => c.at('cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory').some((cat) => catIs(cat, c, 'O') && pctNotZero(c, cat)),
  ),
  ksa('BR-KSA-12', 'warning', 'A document allowance in category "O" must have rate 0.', 'يجب أن تكون نسبة ضريبة الخصم بالفئة "O" صفرًا.', (c) =>
    c
      .path(
        c.documentAllowanceCharges.filter((ac) => isAllowance(ac, c)),
        'cac:TaxCategory',
      )
      .some((cat) => catIs(cat, c, 'O') && pctNotZero(c, cat)),
  ),
  ksa('BR-KSA-13', 'warning', 'A document charge in category "O" must have rate 0.', 'يجب أن تكون نسبة ضريبة الرسم بالفئة "O" صفرًا.', (c) =>
    c
      .path(
        c.documentAllowanceCharges.filter((ac) => isCharge(ac, c)),
        'cac:TaxCategory',
      )
      .some((cat) => catIs(cat, c, 'O') && pctNotZero(c, cat)),
  ),
  ksa('BR-KSA-84', 'error', 'The standard rate (category "S") must be 15 or 5.', 'يجب أن تكون النسبة الأساسية (الفئة "S") ‏15 أو 5.', (c) => {
    if (!anySCategory(c)) return false;
    const sVat = (cats: readonly Element[]) => cats.filter((cat) => catIs(cat, c, 'S') && isVatScheme(cat, c));
    return [
      ...sVat(c.at('cac:AllowanceCharge/cac:TaxCategory')),
      ...sVat(c.at('cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory')),
      ...sVat(c.at('cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory')),
      ...sVat(c.at('cac:InvoiceLine/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory')),
    ].some((cat) => rateNot15or5(c, cat));
  }),
  ksa(
    'BR-KSA-DEC-02',
    'error',
    'A VAT rate must be between 0 and 100 with at most 2 decimals and no % sign.',
    'يجب أن تكون نسبة الضريبة بين 0 و100 بمنزلتين عشريتين كحد أقصى ودون علامة %.',
    (c) =>
      [
        ...c.path(c.all('cac:AllowanceCharge'), 'cac:TaxCategory/cbc:Percent'),
        ...c.path(c.all('cac:TaxTotal'), 'cac:TaxSubtotal/cac:TaxCategory/cbc:Percent'),
        ...c.path(c.all('cac:InvoiceLine'), 'cac:Item/cac:ClassifiedTaxCategory/cbc:Percent'),
      ].some((p) => {
        const v = str(p);
        if (norm(v) === '') return false;
        const n = dbl(v);
        const isDecimal = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$/.test(v);
        return !(isDecimal && n >= 0 && n <= 100 && fractionDigits(v) <= 2 && !'%'.includes(v));
      }),
  ),
  ksa(
    'BR-KSA-23',
    'warning',
    'An exempt ("E") VAT breakdown needs an exemption reason code (BT-121).',
    'التفصيل الضريبي للفئة المعفاة "E" يتطلب رمز سبب الإعفاء (BT-121).',
    (c) => docBreakdownCats(c, ['E']).some((cat) => !hasCode(c, cat)),
  ),
  ksa('BR-KSA-24', 'warning', 'An out-of-scope ("O") VAT breakdown needs a reason code (BT-121).', 'التفصيل الضريبي للفئة "O" يتطلب رمز السبب (BT-121).', (c) =>
    docBreakdownCats(c, ['O']).some((cat) => !hasCode(c, cat)),
  ),
  ksa(
    'BR-KSA-69',
    'warning',
    'A zero-rated ("Z") VAT breakdown needs a reason code (BT-121).',
    'التفصيل الضريبي للفئة الصفرية "Z" يتطلب رمز السبب (BT-121).',
    (c) => docBreakdownCats(c, ['Z']).some((cat) => !hasCode(c, cat)),
  ),
  ksa(
    'BR-KSA-83',
    'warning',
    'A Z, E or O VAT breakdown with a reason code also needs the reason text (BT-120).',
    'التفصيل الضريبي للفئات Z أو E أو O ذو رمز السبب يتطلب نص السبب (BT-120).',
    (c) =>
      docBreakdownCats(c, ['Z', 'E', 'O']).some(
        (cat) => c.kids(cat, 'cbc:TaxExemptionReasonCode').length > 0 && !c.kids(cat, 'cbc:TaxExemptionReason').some((e) => norm(str(e)) !== ''),
      ),
  ),
  ksa(
    'BR-KSA-CL-04',
    'warning',
    "The exemption reason code (BT-121) is not in ZATCA's list for its category.",
    'رمز سبب الإعفاء (BT-121) ليس من قائمة الهيئة لفئته.',
    (c) => docBreakdownCats(c, ['Z', 'E', 'O']).some((cat) => !reasonCodeOk(c, cat, EXEMPTION_CODES)),
  ),
  ksa(
    'BR-KSA-F-06-C16',
    'warning',
    'The exemption reason text (BT-120) must have 1 to 1000 characters.',
    'يجب أن يتكون نص سبب الإعفاء (BT-120) من 1 إلى 1000 حرف.',
    (c) =>
      c.at('cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory').some((cat) => {
        if (!(catIs(cat, c, 'Z') || catIs(cat, c, 'E') || catIs(cat, c, 'O'))) return false;
        const r = c.kids(cat, 'cbc:TaxExemptionReason');
        return r.length > 0 && (len(s1(r)) > 1000 || len(s1(r)) < 1);
      }),
  ),
  ksa(
    'BR-KSA-51',
    'warning',
    'The line amount with VAT (KSA-12) must equal the line net amount (BT-131) + line VAT (KSA-11).',
    'يجب أن يساوي مبلغ البند شاملًا الضريبة (KSA-12) صافي البند (BT-131) + ضريبة البند (KSA-11).',
    (c) =>
      c.path(c.all('cac:InvoiceLine'), 'cac:TaxTotal').some((tt) => {
        const rounding = dbl(s1(c.kids(tt, 'cbc:RoundingAmount')));
        const tax = dbl(s1(c.kids(tt, 'cbc:TaxAmount')));
        const net = dbl(s1(c.kids(tt.parentNode as Element, 'cbc:LineExtensionAmount')));
        // format-number(()) is 'NaN': a missing RoundingAmount differs from any computed sum.
        const hasSum = c.kids(tt, 'cbc:TaxAmount').length && c.kids(tt.parentNode as Element, 'cbc:LineExtensionAmount').length;
        const left = c.kids(tt, 'cbc:RoundingAmount').length ? fmt2(rounding) : 'NaN';
        const right = hasSum ? fmt2(Math.floor((tax + net) * 100 + 0.5) / 100) : 'NaN';
        return left !== right;
      }),
  ),
  ksa(
    'BR-KSA-52',
    'error',
    'Every line of a standard invoice needs its VAT amount (KSA-11).',
    'يجب أن يحتوي كل بند في الفاتورة الضريبية على مبلغ الضريبة (KSA-11).',
    (c) => hasTypeCode(c) && c.isStandard && !c.all('cac:InvoiceLine').every((l) => nonEmpty(c.path(l, 'cac:TaxTotal/cbc:TaxAmount'))),
  ),
  ksa(
    'BR-KSA-53',
    'error',
    'Every line of a standard invoice needs its amount with VAT (KSA-12).',
    'يجب أن يحتوي كل بند في الفاتورة الضريبية على المبلغ شاملًا الضريبة (KSA-12).',
    (c) => hasTypeCode(c) && c.isStandard && !c.all('cac:InvoiceLine').every((l) => nonEmpty(c.path(l, 'cac:TaxTotal/cbc:RoundingAmount'))),
  ),
  ksa('BR-KSA-DEC-03', 'warning', 'A line VAT amount (KSA-11) has more than 2 decimals.', 'مبلغ ضريبة البند (KSA-11) يحتوي على أكثر من منزلتين عشريتين.', (c) =>
    c.all('cac:InvoiceLine').some((l) => fractionDigits(s1(c.path(l, 'cac:TaxTotal/cbc:TaxAmount'))) > 2),
  ),
  ksa(
    'BR-KSA-DEC-04',
    'warning',
    'A line amount with VAT (KSA-12) has more than 2 decimals.',
    'مبلغ البند شاملًا الضريبة (KSA-12) يحتوي على أكثر من منزلتين عشريتين.',
    (c) => c.all('cac:InvoiceLine').some((l) => fractionDigits(s1(c.path(l, 'cac:TaxTotal/cbc:RoundingAmount'))) > 2),
  ),
];

function hasTypeCode(c: InvoiceContext): boolean {
  return c.all('cbc:InvoiceTypeCode').some((e) => {
    const n = e.getAttribute('name') ?? '';
    return n.startsWith('01') || n.startsWith('02');
  });
}
