// EN16931 totals rules (ZATCA's copy): document totals arithmetic (BR-CO-10..16), presence of the
// totals (BR-13..15, BR-CO-18) and their 2-decimal limits (BR-DEC-09..18), with XPath rounding.
import type { Element } from '@xmldom/xmldom';
import type { InvoiceContext } from '../context.js';
import { Decimal, dblSum, dec, dec1, decOfDouble, decSum, fractionDigits, isAllowance, isCharge, norm, round2, s1, str } from '../xpath-values.js';
import { en } from '../define.js';
import type { Rule } from '../types.js';

const totals = (c: InvoiceContext) => c.all('cac:LegalMonetaryTotal');
const eq = (a: Decimal | undefined, b: Decimal | undefined) => a !== undefined && b !== undefined && a.eq(b);

/** Document-level allowances or charges next to a LegalMonetaryTotal (`../cac:AllowanceCharge[…]`). */
function siblingsAc(c: InvoiceContext, lmt: Element, charge: boolean): Element[] {
  return c.kids(lmt.parentNode as Element, 'cac:AllowanceCharge').filter((ac) => (charge ? isCharge(ac, c) : isAllowance(ac, c)));
}

function decField(c: InvoiceContext, lmt: Element, name: string): Decimal | undefined {
  return dec1(c.kids(lmt, name));
}

const has = (c: InvoiceContext, lmt: Element, name: string) => c.kids(lmt, name).length > 0;

function decimalsOver2(name: string) {
  return (c: InvoiceContext) => totals(c).some((t) => fractionDigits(s1(c.kids(t, name))) > 2);
}

export const totalsRules: Rule[] = [
  en('BR-13', 'warning', 'The total without VAT (BT-109) is missing.', 'الإجمالي غير شامل الضريبة (BT-109) مفقود.', (c) =>
    totals(c).some((t) => !has(c, t, 'cbc:TaxExclusiveAmount')),
  ),
  en('BR-14', 'error', 'The total with VAT (BT-112) is missing.', 'الإجمالي شامل الضريبة (BT-112) مفقود.', (c) =>
    totals(c).some((t) => !has(c, t, 'cbc:TaxInclusiveAmount')),
  ),
  en('BR-15', 'error', 'The amount due (BT-115) is missing.', 'المبلغ المستحق (BT-115) مفقود.', (c) => totals(c).some((t) => !has(c, t, 'cbc:PayableAmount'))),
  en(
    'BR-CO-10',
    'warning',
    'The sum of line net amounts (BT-106) must equal the total of the invoice lines (BT-131).',
    'يجب أن يساوي مجموع صافي البنود (BT-106) مجموع مبالغ البنود (BT-131).',
    (c) =>
      totals(c).some((t) => {
        const sum = decSum(c.all('cac:InvoiceLine').flatMap((l) => c.kids(l, 'cbc:LineExtensionAmount')));
        return !eq(decField(c, t, 'cbc:LineExtensionAmount'), sum && round2(sum));
      }),
  ),
  en(
    'BR-CO-11',
    'error',
    'The allowance total (BT-107) must equal the sum of the document allowances (BT-92).',
    'يجب أن يساوي إجمالي الخصومات (BT-107) مجموع الخصومات على مستوى المستند (BT-92).',
    (c) =>
      totals(c).some((t) => {
        const acs = siblingsAc(c, t, false);
        if (!has(c, t, 'cbc:AllowanceTotalAmount') && acs.length === 0) return false;
        const sum = decSum(c.path(acs, 'cbc:Amount'));
        return !eq(decField(c, t, 'cbc:AllowanceTotalAmount'), sum && round2(sum));
      }),
  ),
  en(
    'BR-CO-12',
    'error',
    'The charge total (BT-108) must equal the sum of the document charges (BT-99) and must not be empty.',
    'يجب أن يساوي إجمالي الرسوم (BT-108) مجموع الرسوم على مستوى المستند (BT-99) وألا يكون فارغًا.',
    (c) =>
      totals(c).some((t) => {
        const cta = c.kids(t, 'cbc:ChargeTotalAmount');
        if (cta.length && norm(s1(cta)) === '') return true;
        const acs = siblingsAc(c, t, true);
        if (!cta.length && acs.length === 0) return false;
        const sum = decSum(c.path(acs, 'cbc:Amount'));
        return !eq(dec1(cta), sum && round2(sum));
      }),
  ),
  en(
    'BR-CO-13',
    'warning',
    'The total without VAT (BT-109) must equal line total − allowances + charges.',
    'يجب أن يساوي الإجمالي غير شامل الضريبة (BT-109) مجموع البنود − الخصومات + الرسوم.',
    (c) =>
      totals(c).some((t) => {
        const cta = c.kids(t, 'cbc:ChargeTotalAmount');
        if (cta.length && norm(s1(cta)) === '') return true;
        const ata = c.kids(t, 'cbc:AllowanceTotalAmount');
        const tea = decField(c, t, 'cbc:TaxExclusiveAmount');
        if (!cta.length && !ata.length) return !eq(tea, decField(c, t, 'cbc:LineExtensionAmount'));
        // sum() of untyped line amounts is an xs:double, then cast to xs:decimal
        const lines = decOfDouble(dblSum(c.at('cac:InvoiceLine/cbc:LineExtensionAmount')));
        const charges = cta.length ? dec1(cta) : new Decimal(0);
        const allowances = ata.length ? dec1(ata) : new Decimal(0);
        if (!lines || !charges || !allowances) return true;
        return !eq(tea, round2(lines.plus(charges).minus(allowances)));
      }),
  ),
  en(
    'BR-CO-16',
    'warning',
    'The amount due (BT-115) must equal total with VAT − paid amount + rounding amount.',
    'يجب أن يساوي المبلغ المستحق (BT-115) الإجمالي شامل الضريبة − المبلغ المدفوع مسبقًا + مبلغ التقريب.',
    (c) =>
      totals(c).some((t) => {
        const pa = decField(c, t, 'cbc:PayableAmount');
        const tia = decField(c, t, 'cbc:TaxInclusiveAmount');
        const ppa = decField(c, t, 'cbc:PrepaidAmount');
        const pra = decField(c, t, 'cbc:PayableRoundingAmount');
        const hasPpa = has(c, t, 'cbc:PrepaidAmount');
        const hasPra = has(c, t, 'cbc:PayableRoundingAmount');
        const due = tia && ppa ? round2(tia.minus(ppa)) : undefined;
        const net = pa && pra ? round2(pa.minus(pra)) : undefined;
        const ok = (!hasPra && eq(pa, due)) || (!hasPpa && !hasPra && eq(pa, tia)) || (hasPpa && hasPra && eq(net, due)) || (!hasPpa && hasPra && eq(net, tia));
        return !ok;
      }),
  ),
  en(
    'BR-DEC-09',
    'warning',
    'The sum of line net amounts (BT-106) has more than 2 decimals.',
    'مجموع صافي البنود (BT-106) يحتوي على أكثر من منزلتين عشريتين.',
    decimalsOver2('cbc:LineExtensionAmount'),
  ),
  en(
    'BR-DEC-10',
    'warning',
    'The allowance total (BT-107) has more than 2 decimals.',
    'إجمالي الخصومات (BT-107) يحتوي على أكثر من منزلتين عشريتين.',
    decimalsOver2('cbc:AllowanceTotalAmount'),
  ),
  en(
    'BR-DEC-11',
    'warning',
    'The charge total (BT-108) has more than 2 decimals.',
    'إجمالي الرسوم (BT-108) يحتوي على أكثر من منزلتين عشريتين.',
    decimalsOver2('cbc:ChargeTotalAmount'),
  ),
  en(
    'BR-DEC-12',
    'warning',
    'The total without VAT (BT-109) has more than 2 decimals.',
    'الإجمالي غير شامل الضريبة (BT-109) يحتوي على أكثر من منزلتين عشريتين.',
    decimalsOver2('cbc:TaxExclusiveAmount'),
  ),
  en(
    'BR-DEC-14',
    'warning',
    'The total with VAT (BT-112) has more than 2 decimals.',
    'الإجمالي شامل الضريبة (BT-112) يحتوي على أكثر من منزلتين عشريتين.',
    decimalsOver2('cbc:TaxInclusiveAmount'),
  ),
  en(
    'BR-DEC-16',
    'warning',
    'The paid amount (BT-113) has more than 2 decimals.',
    'المبلغ المدفوع مسبقًا (BT-113) يحتوي على أكثر من منزلتين عشريتين.',
    decimalsOver2('cbc:PrepaidAmount'),
  ),
  en(
    'BR-DEC-17',
    'warning',
    'The rounding amount (BT-114) has more than 2 decimals.',
    'مبلغ التقريب (BT-114) يحتوي على أكثر من منزلتين عشريتين.',
    decimalsOver2('cbc:PayableRoundingAmount'),
  ),
  en(
    'BR-DEC-18',
    'warning',
    'The amount due (BT-115) has more than 2 decimals.',
    'المبلغ المستحق (BT-115) يحتوي على أكثر من منزلتين عشريتين.',
    decimalsOver2('cbc:PayableAmount'),
  ),
  en(
    'BR-CO-14',
    'error',
    'The VAT total (BT-110) must equal the sum of the VAT breakdown amounts (BT-117).',
    'يجب أن يساوي إجمالي الضريبة (BT-110) مجموع مبالغ ضريبة الفئات (BT-117).',
    (c) =>
      c.kids(c.root, 'cac:TaxTotal').some((tt) => {
        const subs = c.kids(tt, 'cac:TaxSubtotal');
        if (!subs.length) return false;
        const sum = decSum(c.path(subs, 'cbc:TaxAmount'));
        return !eq(dec1(c.kids(tt, 'cbc:TaxAmount')), sum && round2(sum));
      }),
  ),
  en(
    'BR-CO-15',
    'error',
    'The total with VAT (BT-112) must equal the total without VAT (BT-109) + the VAT total (BT-110), and a VAT total in the invoice currency must exist.',
    'يجب أن يساوي الإجمالي شامل الضريبة (BT-112) الإجمالي غير شامل الضريبة (BT-109) + إجمالي الضريبة (BT-110)، مع وجود إجمالي ضريبة بعملة الفاتورة.',
    (c) =>
      c.kids(c.root, 'cbc:DocumentCurrencyCode').some((cur) => {
        const code = str(cur);
        const taxAmounts = c
          .path(c.kids(c.root, 'cac:TaxTotal'), 'cbc:TaxAmount')
          .filter((a) => a.getAttribute('currencyID') === code && a.hasAttribute('currencyID'));
        if (taxAmounts.length < 1) return true;
        const lmt = c.kids(c.root, 'cac:LegalMonetaryTotal');
        const tia = c.path(lmt, 'cbc:TaxInclusiveAmount').map((e) => dec(str(e)));
        const tea = dec1(c.path(lmt, 'cbc:TaxExclusiveAmount'));
        const vat = decSum(c.at('cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount'));
        if (!tea || !vat) return true;
        const expected = round2(tea.plus(vat));
        return !tia.some((v) => v !== undefined && v.eq(expected));
      }),
  ),
  en(
    'BR-CO-18',
    'error',
    'The invoice must have at least one VAT breakdown (BG-23).',
    'يجب أن تحتوي الفاتورة على تفصيل ضريبي واحد على الأقل (BG-23).',
    (c) => c.at('cac:TaxTotal/cac:TaxSubtotal').length === 0,
  ),
  en(
    'BR-DEC-13',
    'warning',
    'The VAT total in the invoice currency (BT-110) has more than 2 decimals.',
    'إجمالي الضريبة بعملة الفاتورة (BT-110) يحتوي على أكثر من منزلتين عشريتين.',
    (c) => taxAmountIn(c, 'cbc:DocumentCurrencyCode').some((a) => fractionDigits(str(a)) > 2),
  ),
  en(
    'BR-DEC-15',
    'warning',
    'The VAT total in the tax currency (BT-111) has more than 2 decimals.',
    'إجمالي الضريبة بعملة الضريبة (BT-111) يحتوي على أكثر من منزلتين عشريتين.',
    (c) => taxAmountIn(c, 'cbc:TaxCurrencyCode').some((a) => fractionDigits(str(a)) > 2),
  ),
];

/** `ubl:Invoice/cac:TaxTotal/cbc:TaxAmount[@currencyID = //cbc:<codeElement>]` */
function taxAmountIn(c: InvoiceContext, codeElement: string): Element[] {
  const codes = new Set(c.all(codeElement).map((e) => str(e)));
  return c.at('cac:TaxTotal/cbc:TaxAmount').filter((a) => a.hasAttribute('currencyID') && codes.has(a.getAttribute('currencyID')!));
}
