// EN16931 VAT rules (ZATCA's copy): allowance/charge fields, the VAT breakdown (BR-45..48,
// BR-CO-17) and the per-category rules for S, Z, E and O; the code-list rules are in en/code-lists.ts.
import type { Element } from '@xmldom/xmldom';
import type { InvoiceContext } from '../context.js';
import { Decimal, catIs, dbl, dec1, decSum, fractionDigits, isAllowance, isCharge, isVatScheme, norm, s1, str } from '../xpath-values.js';
import { en } from '../define.js';
import type { Rule } from '../types.js';

const docAc = (c: InvoiceContext, charge: boolean) => c.documentAllowanceCharges.filter((ac) => (charge ? isCharge(ac, c) : isAllowance(ac, c)));
const lineAc = (c: InvoiceContext, charge: boolean) =>
  c.path(c.all('cac:InvoiceLine'), 'cac:AllowanceCharge').filter((ac) => (charge ? isCharge(ac, c) : isAllowance(ac, c)));
const over2 = (c: InvoiceContext, els: readonly Element[], name: string) => els.some((e) => fractionDigits(s1(c.kids(e, name))) > 2);

/** VAT categories (with scheme VAT) of a kind, anywhere the rule looks. */
function vatCats(c: InvoiceContext, cats: readonly Element[], code: string): Element[] {
  return cats.filter((cat) => catIs(cat, c, code) && isVatScheme(cat, c));
}

/** Breakdown categories `/*\/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory[ID=code][VAT]`. */
const breakdownCats = (c: InvoiceContext, code: string) => vatCats(c, c.at('cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory'), code);

/** Is the category used on a line or a document allowance/charge (BR-x-01 / BR-x-08 first part)? */
function categoryUsed(c: InvoiceContext, code: string, lineLevelAc: boolean): boolean {
  const acCats = lineLevelAc ? c.path(c.all('cac:AllowanceCharge'), 'cac:TaxCategory') : c.path(c.documentAllowanceCharges, 'cac:TaxCategory');
  const lineCats = lineLevelAc ? c.all('cac:ClassifiedTaxCategory') : c.path(c.lines, 'cac:Item/cac:ClassifiedTaxCategory');
  return vatCats(c, acCats, code).length > 0 || vatCats(c, lineCats, code).length > 0;
}

/** Σ lines of the category + Σ its document charges − Σ its document allowances (decimal). */
function categoryBase(c: InvoiceContext, code: string): Decimal | undefined {
  const lines = c.lines.filter((l) => c.path(l, 'cac:Item/cac:ClassifiedTaxCategory/cbc:ID').some((id) => norm(str(id)) === code));
  const ofCat = (ac: Element) => c.path(ac, 'cac:TaxCategory/cbc:ID').some((id) => norm(str(id)) === code);
  const a = decSum(c.path(lines, 'cbc:LineExtensionAmount'));
  const ch = decSum(c.path(docAc(c, true).filter(ofCat), 'cbc:Amount'));
  const al = decSum(c.path(docAc(c, false).filter(ofCat), 'cbc:Amount'));
  return a && ch && al ? a.plus(ch).minus(al) : undefined;
}

/** BR-x-08 for Z, E, O: each breakdown of the category is compared with the whole category base. */
function breakdownBaseWrong(c: InvoiceContext, code: string): boolean {
  const cats = breakdownCats(c, code);
  if (!cats.length) return false;
  if (!categoryUsed(c, code, false)) return true;
  const base = categoryBase(c, code);
  return cats.some((cat) => {
    const taxable = dec1(c.kids(cat.parentNode as Element, 'cbc:TaxableAmount'));
    return !(taxable && base && taxable.eq(base));
  });
}

function breakdownVatNotZero(c: InvoiceContext, code: string): boolean {
  return breakdownCats(c, code).some((cat) => !dec1(c.kids(cat.parentNode as Element, 'cbc:TaxAmount'))?.eq(0));
}

/** XPath round() on doubles: half toward +∞. */
const roundD = (x: number) => Math.floor(x + 0.5);

/** format-number(x, '0.00') on a double (half to even), read back as a double. */
function fmt00(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  return Number(new Decimal(x).toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN).toFixed(2));
}

/** BR-CO-17 / BR-S-09: VAT = taxable × rate within ± 0.01 per invoice line (double arithmetic). */
function vatOutOfTolerance(c: InvoiceContext, subtotal: Element): boolean {
  const taxAmounts = c.kids(subtotal, 'cbc:TaxAmount');
  const taxables = c.kids(subtotal, 'cbc:TaxableAmount');
  const rates = c.path(
    c.kids(subtotal, 'cac:TaxCategory').filter((cat) => isVatScheme(cat, c)),
    'cbc:Percent',
  );
  if (taxAmounts.length !== 1 || taxables.length !== 1 || rates.length !== 1) return true;
  const tax = dbl(str(taxAmounts[0]));
  const taxable = dbl(str(taxables[0]));
  const rate = dbl(str(rates[0]));
  const tolerance = c.all('cac:InvoiceLine').length * 0.01;
  const shouldBe = roundD(fmt00(taxable * (rate / 100)) * 100) / 100;
  const upper = roundD((shouldBe + tolerance) * 100) / 100;
  const lower = roundD((shouldBe - tolerance) * 100) / 100;
  return !((tax <= upper && tax >= lower) || tax === shouldBe);
}

const pctNotZero = (c: InvoiceContext, cat: Element) => !dec1(c.kids(cat, 'cbc:Percent'))?.eq(0);
const pctNotPositive = (c: InvoiceContext, cat: Element) => !c.kids(cat, 'cbc:Percent').some((p) => dbl(str(p)) > 0);

export const allowanceChargeRules: Rule[] = [
  en('BR-31', 'error', 'A document allowance (BG-20) has no amount (BT-92).', 'خصم على مستوى المستند (BG-20) بلا مبلغ (BT-92).', (c) =>
    docAc(c, false).some((ac) => c.kids(ac, 'cbc:Amount').length === 0),
  ),
  en('BR-32', 'error', 'A document allowance (BG-20) has no VAT category code (BT-95).', 'خصم على مستوى المستند (BG-20) بلا رمز فئة ضريبة (BT-95).', (c) =>
    docAc(c, false).some(
      (ac) =>
        !c
          .path(
            c.kids(ac, 'cac:TaxCategory').filter((cat) => isVatScheme(cat, c)),
            'cbc:ID',
          )
          .some((id) => str(id) !== ''),
    ),
  ),
  en(
    'BR-DEC-01',
    'warning',
    'A document allowance amount (BT-92) has more than 2 decimals.',
    'مبلغ الخصم على مستوى المستند (BT-92) يحتوي على أكثر من منزلتين عشريتين.',
    (c) => over2(c, docAc(c, false), 'cbc:Amount'),
  ),
  en(
    'BR-DEC-02',
    'warning',
    'A document allowance base amount (BT-93) has more than 2 decimals.',
    'أساس الخصم على مستوى المستند (BT-93) يحتوي على أكثر من منزلتين عشريتين.',
    (c) => over2(c, docAc(c, false), 'cbc:BaseAmount'),
  ),
  en('BR-36', 'warning', 'A document charge (BG-21) has no amount (BT-99).', 'رسم على مستوى المستند (BG-21) بلا مبلغ (BT-99).', (c) =>
    docAc(c, true).some((ac) => c.kids(ac, 'cbc:Amount').length === 0),
  ),
  en('BR-37', 'warning', 'A document charge (BG-21) has no VAT category code (BT-102).', 'رسم على مستوى المستند (BG-21) بلا رمز فئة ضريبة (BT-102).', (c) =>
    docAc(c, true).some((ac) => c.path(ac, 'cac:TaxCategory/cbc:ID').length === 0),
  ),
  en(
    'BR-DEC-05',
    'warning',
    'A document charge amount (BT-99) has more than 2 decimals.',
    'مبلغ الرسم على مستوى المستند (BT-99) يحتوي على أكثر من منزلتين عشريتين.',
    (c) => over2(c, docAc(c, true), 'cbc:Amount'),
  ),
  en(
    'BR-DEC-06',
    'warning',
    'A document charge base amount (BT-100) has more than 2 decimals.',
    'أساس الرسم على مستوى المستند (BT-100) يحتوي على أكثر من منزلتين عشريتين.',
    (c) => over2(c, docAc(c, true), 'cbc:BaseAmount'),
  ),
  en('BR-43', 'warning', 'A line charge (BG-28) has no amount (BT-141).', 'رسم على مستوى البند (BG-28) بلا مبلغ (BT-141).', (c) =>
    lineAcAny(c, true).some((ac) => c.kids(ac, 'cbc:Amount').length === 0),
  ),
  en(
    'BR-DEC-27',
    'warning',
    'A line charge amount (BT-141) has more than 2 decimals.',
    'مبلغ الرسم على مستوى البند (BT-141) يحتوي على أكثر من منزلتين عشريتين.',
    (c) => over2(c, lineAcAny(c, true), 'cbc:Amount'),
  ),
  en(
    'BR-DEC-28',
    'warning',
    'A line charge base amount (BT-142) has more than 2 decimals.',
    'أساس الرسم على مستوى البند (BT-142) يحتوي على أكثر من منزلتين عشريتين.',
    (c) => over2(c, lineAcAny(c, true), 'cbc:BaseAmount'),
  ),
  // In ZATCA's file a rule without assertions on the same line allowances comes first in the same
  // pattern, so these three never fire on an Invoice; kept so every rule id exists here.
  en('BR-41', 'error', 'A line allowance (BG-27) has no amount (BT-136).', 'خصم على مستوى البند (BG-27) بلا مبلغ (BT-136).', () => false),
  en(
    'BR-DEC-24',
    'warning',
    'A line allowance amount (BT-136) has more than 2 decimals.',
    'مبلغ الخصم على مستوى البند (BT-136) يحتوي على أكثر من منزلتين عشريتين.',
    () => false,
  ),
  en(
    'BR-DEC-25',
    'warning',
    'A line allowance base amount (BT-137) has more than 2 decimals.',
    'أساس الخصم على مستوى البند (BT-137) يحتوي على أكثر من منزلتين عشريتين.',
    () => false,
  ),
];

/** `//cac:InvoiceLine/cac:AllowanceCharge[…]` (any line, at any depth). */
function lineAcAny(c: InvoiceContext, charge: boolean): Element[] {
  return lineAc(c, charge);
}

export const breakdownRules: Rule[] = [
  en('BR-45', 'error', 'A VAT breakdown (BG-23) has no taxable amount (BT-116).', 'تفصيل ضريبي (BG-23) بلا مبلغ خاضع للضريبة (BT-116).', (c) =>
    c.at('cac:TaxTotal/cac:TaxSubtotal').some((s) => c.kids(s, 'cbc:TaxableAmount').length === 0),
  ),
  en('BR-46', 'error', 'A VAT breakdown (BG-23) has no VAT amount (BT-117).', 'تفصيل ضريبي (BG-23) بلا مبلغ ضريبة (BT-117).', (c) =>
    c.at('cac:TaxTotal/cac:TaxSubtotal').some((s) => c.kids(s, 'cbc:TaxAmount').length === 0),
  ),
  en('BR-47', 'error', 'A VAT breakdown (BG-23) has no VAT category code (BT-118).', 'تفصيل ضريبي (BG-23) بلا رمز فئة ضريبة (BT-118).', (c) =>
    c.at('cac:TaxTotal/cac:TaxSubtotal').some(
      (s) =>
        c.path(
          c.kids(s, 'cac:TaxCategory').filter((cat) => isVatScheme(cat, c)),
          'cbc:ID',
        ).length === 0,
    ),
  ),
  en(
    'BR-48',
    'error',
    'A VAT breakdown (BG-23) has no VAT rate (BT-119), and its category is not "O".',
    'تفصيل ضريبي (BG-23) بلا نسبة ضريبة (BT-119) وفئته ليست "O".',
    (c) =>
      c.at('cac:TaxTotal/cac:TaxSubtotal').some((s) => {
        const cats = c.kids(s, 'cac:TaxCategory').filter((cat) => isVatScheme(cat, c));
        return !(c.path(cats, 'cbc:Percent').length > 0 || cats.some((cat) => norm(s1(c.kids(cat, 'cbc:ID'))) === 'O'));
      }),
  ),
  en(
    'BR-CO-17',
    'warning',
    'A breakdown VAT amount (BT-117) must equal taxable amount × rate / 100, rounded (tolerance 0.01 per line).',
    'يجب أن يساوي مبلغ ضريبة الفئة (BT-117) المبلغ الخاضع × النسبة / 100 مقرّبًا (بسماحية 0.01 لكل بند).',
    (c) => c.at('cac:TaxTotal/cac:TaxSubtotal').some((s) => vatOutOfTolerance(c, s)),
  ),
  en(
    'BR-DEC-19',
    'warning',
    'A breakdown taxable amount (BT-116) has more than 2 decimals.',
    'المبلغ الخاضع للضريبة في التفصيل (BT-116) يحتوي على أكثر من منزلتين عشريتين.',
    (c) => over2(c, c.at('cac:TaxTotal/cac:TaxSubtotal'), 'cbc:TaxableAmount'),
  ),
  en(
    'BR-DEC-20',
    'warning',
    'A breakdown VAT amount (BT-117) has more than 2 decimals.',
    'مبلغ الضريبة في التفصيل (BT-117) يحتوي على أكثر من منزلتين عشريتين.',
    (c) => over2(c, c.at('cac:TaxTotal/cac:TaxSubtotal'), 'cbc:TaxAmount'),
  ),
];

function usedWithoutBreakdown(c: InvoiceContext, code: string): boolean {
  return categoryUsed(c, code, true) && breakdownCats(c, code).length === 0;
}

function zeroRatedChargeWrong(c: InvoiceContext, code: string): boolean {
  const charges = vatCats(c, c.path(docAc(c, true), 'cac:TaxCategory'), code);
  if (!charges.length) return false;
  return !c.at('cac:AllowanceCharge/cac:TaxCategory/cbc:Percent').some((p) => dbl(str(p)) === 0);
}

export const categoryRules: Rule[] = [
  en(
    'BR-S-01',
    'warning',
    'Lines or allowances/charges use category "S" but the VAT breakdown has no "S" entry.',
    'توجد بنود أو خصومات/رسوم بالفئة "S" دون تفصيل ضريبي لها.',
    (c) => usedWithoutBreakdown(c, 'S'),
  ),
  en(
    'BR-Z-01',
    'warning',
    'Lines or allowances/charges use category "Z" but the VAT breakdown has no "Z" entry.',
    'توجد بنود أو خصومات/رسوم بالفئة "Z" دون تفصيل ضريبي لها.',
    (c) => usedWithoutBreakdown(c, 'Z'),
  ),
  en(
    'BR-E-01',
    'warning',
    'Lines or allowances/charges use category "E" but the VAT breakdown has no "E" entry.',
    'توجد بنود أو خصومات/رسوم بالفئة "E" دون تفصيل ضريبي لها.',
    (c) => usedWithoutBreakdown(c, 'E'),
  ),
  en(
    'BR-O-01',
    'warning',
    'Lines or allowances/charges use category "O" but the VAT breakdown has no "O" entry.',
    'توجد بنود أو خصومات/رسوم بالفئة "O" دون تفصيل ضريبي لها.',
    (c) => usedWithoutBreakdown(c, 'O'),
  ),
  en('BR-Z-07', 'error', 'A document charge in category "Z" must have VAT rate 0.', 'يجب أن تكون نسبة ضريبة الرسم بالفئة "Z" صفرًا.', (c) =>
    zeroRatedChargeWrong(c, 'Z'),
  ),
  en('BR-E-07', 'error', 'A document charge in category "E" must have VAT rate 0.', 'يجب أن تكون نسبة ضريبة الرسم بالفئة "E" صفرًا.', (c) =>
    zeroRatedChargeWrong(c, 'E'),
  ),
  en('BR-S-05', 'warning', 'A line in category "S" must have a VAT rate above 0.', 'يجب أن تكون نسبة ضريبة البند بالفئة "S" أكبر من صفر.', (c) =>
    vatCats(c, c.path(c.all('cac:InvoiceLine'), 'cac:Item/cac:ClassifiedTaxCategory'), 'S').some((cat) => pctNotPositive(c, cat)),
  ),
  en('BR-S-06', 'error', 'An allowance in category "S" must have a VAT rate above 0.', 'يجب أن تكون نسبة ضريبة الخصم بالفئة "S" أكبر من صفر.', (c) =>
    vatCats(c, c.path(anyAc(c, false), 'cac:TaxCategory'), 'S').some((cat) => pctNotPositive(c, cat)),
  ),
  en('BR-S-07', 'warning', 'A charge in category "S" must have a VAT rate above 0.', 'يجب أن تكون نسبة ضريبة الرسم بالفئة "S" أكبر من صفر.', (c) =>
    vatCats(c, c.path(anyAc(c, true), 'cac:TaxCategory'), 'S').some((cat) => pctNotPositive(c, cat)),
  ),
  en(
    'BR-S-08',
    'warning',
    'The "S" taxable amounts (BT-116) must equal the "S" lines − allowances + charges.',
    'يجب أن يساوي المبلغ الخاضع للفئة "S" (BT-116) مجموع بنودها − الخصومات + الرسوم.',
    (c) => {
      const cats = breakdownCats(c, 'S');
      if (!cats.length) return false;
      if (!categoryUsed(c, 'S', false)) return true;
      const base = categoryBase(c, 'S');
      return cats.some((cat) => {
        const total = (cat.parentNode as Element).parentNode as Element;
        const subs = c.kids(total, 'cac:TaxSubtotal').filter((s) => c.path(s, 'cac:TaxCategory/cbc:ID').some((id) => norm(str(id)) === 'S'));
        const sum = decSum(c.path(subs, 'cbc:TaxableAmount'));
        return !(sum && base && sum.eq(base));
      });
    },
  ),
  en(
    'BR-S-09',
    'warning',
    'The "S" breakdown VAT (BT-117) must equal taxable amount × rate / 100 (tolerance 0.01 per line).',
    'يجب أن يساوي مبلغ ضريبة الفئة "S" (BT-117) المبلغ الخاضع × النسبة / 100 (بسماحية 0.01 لكل بند).',
    (c) => breakdownCats(c, 'S').some((cat) => norm(s1(c.kids(cat, 'cbc:Percent'))) === '' || vatOutOfTolerance(c, cat.parentNode as Element)),
  ),
  en('BR-S-10', 'warning', 'A "S" breakdown must not carry an exemption reason or reason code.', 'يجب ألا يحتوي تفصيل الفئة "S" على سبب أو رمز إعفاء.', (c) => {
    const anyS = c.at('cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID').some((id) => {
      for (let t = id.firstChild; t; t = t.nextSibling) if (t.nodeType === 3 && t.nodeValue === 'S') return true;
      return false;
    });
    return (
      anyS && breakdownCats(c, 'S').some((cat) => c.kids(cat, 'cbc:TaxExemptionReason').length > 0 || c.kids(cat, 'cbc:TaxExemptionReasonCode').length > 0)
    );
  }),
  en('BR-Z-05', 'error', 'A line in category "Z" must have VAT rate 0.', 'يجب أن تكون نسبة ضريبة البند بالفئة "Z" صفرًا.', (c) =>
    vatCats(c, c.path(c.all('cac:InvoiceLine'), 'cac:Item/cac:ClassifiedTaxCategory'), 'Z').some((cat) => pctNotZero(c, cat)),
  ),
  en('BR-Z-06', 'error', 'An allowance in category "Z" must have VAT rate 0.', 'يجب أن تكون نسبة ضريبة الخصم بالفئة "Z" صفرًا.', (c) =>
    vatCats(c, c.path(anyAc(c, false), 'cac:TaxCategory'), 'Z').some((cat) => pctNotZero(c, cat)),
  ),
  en(
    'BR-Z-08',
    'warning',
    'A "Z" taxable amount (BT-116) must equal the "Z" lines − allowances + charges.',
    'يجب أن يساوي المبلغ الخاضع للفئة "Z" (BT-116) مجموع بنودها − الخصومات + الرسوم.',
    (c) => breakdownBaseWrong(c, 'Z'),
  ),
  en('BR-Z-09', 'error', 'A "Z" breakdown VAT amount (BT-117) must be 0.', 'يجب أن يكون مبلغ ضريبة الفئة "Z" (BT-117) صفرًا.', (c) =>
    breakdownVatNotZero(c, 'Z'),
  ),
  en('BR-E-05', 'error', 'A line in category "E" must have VAT rate 0.', 'يجب أن تكون نسبة ضريبة البند بالفئة "E" صفرًا.', (c) =>
    vatCats(c, c.path(c.all('cac:InvoiceLine'), 'cac:Item/cac:ClassifiedTaxCategory'), 'E').some((cat) => pctNotZero(c, cat)),
  ),
  en('BR-E-06', 'error', 'An allowance in category "E" must have VAT rate 0.', 'يجب أن تكون نسبة ضريبة الخصم بالفئة "E" صفرًا.', (c) =>
    vatCats(c, c.path(anyAc(c, false), 'cac:TaxCategory'), 'E').some((cat) => pctNotZero(c, cat)),
  ),
  en(
    'BR-E-08',
    'warning',
    'An "E" taxable amount (BT-116) must equal the "E" lines − allowances + charges.',
    'يجب أن يساوي المبلغ الخاضع للفئة "E" (BT-116) مجموع بنودها − الخصومات + الرسوم.',
    (c) => breakdownBaseWrong(c, 'E'),
  ),
  en('BR-E-09', 'error', 'An "E" breakdown VAT amount (BT-117) must be 0.', 'يجب أن يكون مبلغ ضريبة الفئة "E" (BT-117) صفرًا.', (c) =>
    breakdownVatNotZero(c, 'E'),
  ),
  en(
    'BR-O-08',
    'warning',
    'An "O" taxable amount (BT-116) must equal the "O" lines − allowances + charges.',
    'يجب أن يساوي المبلغ الخاضع للفئة "O" (BT-116) مجموع بنودها − الخصومات + الرسوم.',
    (c) => breakdownBaseWrong(c, 'O'),
  ),
  en('BR-O-09', 'error', 'An "O" breakdown VAT amount (BT-117) must be 0.', 'يجب أن يكون مبلغ ضريبة الفئة "O" (BT-117) صفرًا.', (c) =>
    breakdownVatNotZero(c, 'O'),
  ),
];

/** `cac:AllowanceCharge[cbc:ChargeIndicator = …]` anywhere (document, line or price level). */
function anyAc(c: InvoiceContext, charge: boolean): Element[] {
  return c.all('cac:AllowanceCharge').filter((ac) => (charge ? isCharge(ac, c) : isAllowance(ac, c)));
}
