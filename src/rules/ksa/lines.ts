// KSA rules on allowances, charges, prices and line arithmetic (BR-KSA-19..22, -DEC-01, -CL-06,
// -EN16931-03..07/-11/-12), plus the format rules: dates, booleans, signs, currencies (F-01..F-05, CL-01/02).
import type { Element } from '@xmldom/xmldom';
import { CHARGE_REASON_TEXT, CURRENCIES } from '../codes.js';
import type { InvoiceContext } from '../context.js';
import {
  Decimal,
  xpathError,
  bool,
  dbl,
  dec,
  dec1,
  decSum,
  fmt2,
  fractionDigits,
  inCodeList,
  isAllowance,
  isCharge,
  len,
  norm,
  s1,
  str,
} from '../xpath-values.js';
import { ksa } from '../define.js';
import type { Rule } from '../types.js';

const rootAc = (c: InvoiceContext, charge: boolean) => c.documentAllowanceCharges.filter((ac) => (charge ? isCharge(ac, c) : isAllowance(ac, c)));
const lineAc = (c: InvoiceContext, charge: boolean) => c.path(c.lines, 'cac:AllowanceCharge').filter((ac) => (charge ? isCharge(ac, c) : isAllowance(ac, c)));
const hasText = (c: InvoiceContext, ac: Element, name: string) => c.kids(ac, name).some((e) => norm(str(e)) !== '');
const reasonLengthBad = (c: InvoiceContext, ac: Element) => {
  const r = c.kids(ac, 'cbc:AllowanceChargeReason');
  return r.length > 0 && (len(s1(r)) > 1000 || len(s1(r)) < 1);
};

/** BR-KSA-F-01's date pattern: 10 characters, year from 2000, valid month/day, leap years. */
function validKsaDate(v: string): boolean {
  if (len(v) !== 10) return false;
  const m = /([2-9]\d)(\d\d)-(\d\d)-(\d\d)/.exec(v);
  if (!m) return false;
  const yy = m[2]!;
  const month = Number(m[3]);
  const day = Number(m[4]);
  if (month < 1 || month > 12 || day < 1) return false;
  if (month === 2 && day === 29) return /^([02468][048]|[13579][26])$/.test(yy);
  const days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days;
}

/** `xs:time` castability (BR-KSA-F-05). */
function isTime(v: string): boolean {
  const m = /^(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-](0\d|1[0-4]):[0-5]\d)?$/.exec(v.trim());
  if (!m) return false;
  const h = Number(m[1]);
  if (h === 24) return m[2] === '00' && m[3] === '00';
  return h < 24 && Number(m[2]) < 60 && Number(m[3]) < 60;
}

/** Elements BR-KSA-F-04 reads (the Invoice-rooted amounts and quantities that must not be negative). */
function signedAmounts(c: InvoiceContext): Element[] {
  const lmt = (n: string) => c.at(`cac:LegalMonetaryTotal/${n}`);
  return [
    ...c
      .at('cac:TaxTotal/cac:TaxSubtotal')
      .filter((s) => !c.path(s, 'cac:TaxCategory/cbc:ID').some((id) => norm(str(id)) === 'O') || c.path(s, 'cac:TaxCategory/cbc:ID').length === 0)
      .flatMap((s) => c.kids(s, 'cbc:TaxableAmount')),
    ...c.at('cac:AllowanceCharge/cbc:Amount'),
    ...c.at('cac:AllowanceCharge/cbc:BaseAmount'),
    ...c.at('cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount'),
    ...lmt('cbc:LineExtensionAmount'),
    ...lmt('cbc:TaxExclusiveAmount'),
    ...lmt('cbc:TaxInclusiveAmount'),
    ...lmt('cbc:AllowanceTotalAmount'),
    ...lmt('cbc:ChargeTotalAmount'),
    ...lmt('cbc:PrepaidAmount'),
    ...c.at('cac:TaxTotal/cbc:TaxAmount'),
    ...c.at('cac:InvoiceLine/cac:AllowanceCharge/cbc:Amount'),
    ...c.at('cac:InvoiceLine/cac:AllowanceCharge/cbc:BaseAmount'),
    ...c.at('cac:InvoiceLine/cac:TaxTotal/cbc:TaxAmount'),
    ...c.at('cac:InvoiceLine/cac:Price/cbc:PriceAmount'),
    ...c.at('cac:InvoiceLine/cac:Price/cac:AllowanceCharge/cbc:Amount'),
    ...c.at('cac:InvoiceLine/cac:Price/cac:AllowanceCharge/cbc:BaseAmount'),
    ...c.at('cac:InvoiceLine/cbc:InvoicedQuantity'),
    ...c.at('cac:InvoiceLine/cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount'),
    ...c.at('cac:InvoiceLine/cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount'),
    ...c.at('cac:TaxExchangeRate/cbc:CalculationRate'),
  ];
}

/**
 * BR-KSA-CL-02's `matches(DocumentCurrencyCode, @currencyID)`: the pattern is document text, so it
 * is compiled once per distinct value (null: not a valid pattern, which the rule reports). Bounded.
 */
const CURRENCY_PATTERNS = new Map<string, RegExp | null>();
function currencyPattern(pattern: string): RegExp | null {
  let re = CURRENCY_PATTERNS.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(pattern, 'u');
    } catch {
      re = null;
    }
    if (CURRENCY_PATTERNS.size >= 1024) CURRENCY_PATTERNS.clear();
    CURRENCY_PATTERNS.set(pattern, re);
  }
  return re;
}

/** Elements whose currencyID BR-KSA-CL-02 compares with the document currency. */
const CURRENCY_CHECKED = [
  'cbc:Amount',
  'cbc:BaseAmount',
  'cbc:LineExtensionAmount',
  'cbc:PriceAmount',
  'cbc:TaxExclusiveAmount',
  'cbc:TaxInclusiveAmount',
  'cbc:AllowanceTotalAmount',
  'cbc:ChargeTotalAmount',
  'cbc:PrepaidAmount',
  'cbc:PayableRoundingAmount',
  'cbc:PayableAmount',
];

/** Constants of BR-KSA-EN16931-11's arithmetic, built once (decimal.js re-parses literals on every call). */
const K = {
  ten: new Decimal(10),
  hundred: new Decimal(100),
  thousand: new Decimal(1000),
  half: new Decimal(0.5),
  cent: new Decimal('0.01'),
  tiny: new Decimal('0.00000000001'),
};

/** BR-KSA-EN16931-11's expected line amount (XPath decimal arithmetic, floor at 3 decimals then round to 2). */
function expectedLineNet(c: InvoiceContext, line: Element): Decimal | undefined {
  const q = c.kids(line, 'cbc:InvoicedQuantity');
  const p = c.path(line, 'cac:Price/cbc:PriceAmount');
  const qty = dec1(q);
  const price = dec1(p);
  if ((q.length && !qty) || (p.length && !price)) xpathError('a line quantity or price is not a decimal');
  if (!qty || !price) return undefined;
  const baseQ = c.path(line, 'cac:Price/cbc:BaseQuantity');
  let gross: Decimal;
  if (baseQ.length) {
    const b = dec1(baseQ);
    if (!b) xpathError('the price base quantity is not a decimal');
    if (b.isZero()) xpathError('division by a zero base quantity');
    gross = qty.times(price.div(b));
  } else gross = qty.times(price);
  const floored = gross.times(K.thousand).floor().div(K.ten).plus(K.tiny).div(K.hundred);
  const acs = c.kids(line, 'cac:AllowanceCharge');
  const charges = decSum(
    c.path(
      acs.filter((a) => isCharge(a, c)),
      'cbc:Amount',
    ),
  );
  const allowances = decSum(
    c.path(
      acs.filter((a) => isAllowance(a, c)),
      'cbc:Amount',
    ),
  );
  if (!charges || !allowances) return undefined;
  // round(x, 2): half toward +∞ at 2 decimals
  return floored.plus(charges).minus(allowances).times(K.hundred).plus(K.half).floor().div(K.hundred);
}

export const lineRules: Rule[] = [
  ksa('BR-KSA-19', 'warning', 'A document charge needs a reason code (BT-105).', 'الرسم على مستوى المستند يتطلب رمز السبب (BT-105).', (c) =>
    rootAc(c, true).some((ac) => !hasText(c, ac, 'cbc:AllowanceChargeReasonCode')),
  ),
  ksa('BR-KSA-21', 'warning', 'A document charge needs a reason text (BT-104).', 'الرسم على مستوى المستند يتطلب نص السبب (BT-104).', (c) =>
    rootAc(c, true).some((ac) => !hasText(c, ac, 'cbc:AllowanceChargeReason')),
  ),
  ksa('BR-KSA-20', 'warning', 'A line charge needs a reason code (BT-145).', 'الرسم على مستوى البند يتطلب رمز السبب (BT-145).', (c) =>
    lineAc(c, true).some((ac) => !hasText(c, ac, 'cbc:AllowanceChargeReasonCode')),
  ),
  ksa('BR-KSA-22', 'warning', 'A line charge needs a reason text (BT-144).', 'الرسم على مستوى البند يتطلب نص السبب (BT-144).', (c) =>
    lineAc(c, true).some((ac) => !hasText(c, ac, 'cbc:AllowanceChargeReason')),
  ),
  ksa(
    'BR-KSA-F-06-C33',
    'warning',
    'A document charge reason (BT-104) must have 1 to 1000 characters.',
    'يجب أن يتكون سبب الرسم على مستوى المستند (BT-104) من 1 إلى 1000 حرف.',
    (c) => rootAc(c, true).some((ac) => reasonLengthBad(c, ac)),
  ),
  ksa(
    'BR-KSA-F-06-C34',
    'warning',
    'A line charge reason (BT-144) must have 1 to 1000 characters.',
    'يجب أن يتكون سبب الرسم على مستوى البند (BT-144) من 1 إلى 1000 حرف.',
    (c) => lineAc(c, true).some((ac) => reasonLengthBad(c, ac)),
  ),
  ksa(
    'BR-KSA-F-06-C35',
    'warning',
    'A document allowance reason (BT-97) must have 1 to 1000 characters.',
    'يجب أن يتكون سبب الخصم على مستوى المستند (BT-97) من 1 إلى 1000 حرف.',
    (c) => rootAc(c, false).some((ac) => reasonLengthBad(c, ac)),
  ),
  ksa(
    'BR-KSA-F-06-C36',
    'warning',
    'A line allowance reason (BT-139) must have 1 to 1000 characters.',
    'يجب أن يتكون سبب الخصم على مستوى البند (BT-139) من 1 إلى 1000 حرف.',
    (c) => lineAc(c, false).some((ac) => reasonLengthBad(c, ac)),
  ),
  ksa(
    'BR-KSA-DEC-01',
    'error',
    'An allowance percentage (BT-94/BT-138) must be 0 to 100 with at most 2 decimals.',
    'يجب أن تكون نسبة الخصم (BT-94/BT-138) بين 0 و100 بمنزلتين عشريتين كحد أقصى.',
    (c) =>
      c
        .all('cac:AllowanceCharge')
        .filter((ac) => isAllowance(ac, c) && qnameOf(ac.parentNode as Element) !== 'cac:Price')
        .some((ac) => {
          const m = c.kids(ac, 'cbc:MultiplierFactorNumeric');
          const v = s1(m);
          if (len(v) === 0) return false;
          const d = dec(v);
          return !(d !== undefined && d.gte(0) && d.lte(100) && fractionDigits(v) <= 2);
        }),
  ),
  ksa(
    'BR-KSA-CL-06',
    'warning',
    'A charge reason code (BT-105/BT-145) is not from UNTDID 7161.',
    'رمز سبب الرسم (BT-105/BT-145) ليس من قائمة UNTDID 7161.',
    (c) =>
      c
        .all('cac:AllowanceCharge')
        .filter((ac) => isCharge(ac, c) && qnameOf(ac.parentNode as Element) !== 'cac:Price')
        .some((ac) => {
          const code = c.kids(ac, 'cbc:AllowanceChargeReasonCode');
          return code.length > 0 && !CHARGE_REASON_TEXT.includes(s1(code));
        }),
  ),
  ksa(
    'BR-KSA-EN16931-03',
    'warning',
    'An allowance/charge amount must equal base amount × percentage / 100.',
    'يجب أن يساوي مبلغ الخصم/الرسم المبلغ الأساس × النسبة / 100.',
    (c) => {
      const check = (acs: readonly Element[]) =>
        acs.some((ac) => {
          const a = c.kids(ac, 'cbc:Amount');
          const b = c.kids(ac, 'cbc:BaseAmount');
          if (!b.length || len(s1(a)) === 0 || len(s1(b)) === 0) return false;
          const base = dbl(s1(b));
          const pct = c.kids(ac, 'cbc:MultiplierFactorNumeric').length ? dbl(s1(c.kids(ac, 'cbc:MultiplierFactorNumeric'))) : NaN;
          const expected = Math.floor(((base * pct) / 100) * 100 + 0.5) / 100;
          return fmt2(dbl(s1(a))) !== fmt2(expected);
        });
      const docHasAmount = c.documentAllowanceCharges.some((ac) => c.kids(ac, 'cbc:Amount').length > 0);
      const linesHaveAmount = c.path(c.lines, 'cac:AllowanceCharge').some((ac) => c.kids(ac, 'cbc:Amount').length > 0);
      return (docHasAmount && check(c.documentAllowanceCharges)) || (linesHaveAmount && check(c.path(c.lines, 'cac:AllowanceCharge')));
    },
  ),
  ksa('BR-KSA-EN16931-04', 'warning', 'An allowance/charge percentage needs the base amount.', 'نسبة الخصم/الرسم تتطلب المبلغ الأساس.', (c) =>
    c.path(c.all('cac:AllowanceCharge'), 'cbc:MultiplierFactorNumeric').some((m) => c.kids(m.parentNode as Element, 'cbc:BaseAmount').length === 0),
  ),
  ksa('BR-KSA-EN16931-05', 'warning', 'An allowance/charge base amount needs the percentage.', 'المبلغ الأساس للخصم/الرسم يتطلب النسبة.', (c) =>
    [...c.at('cac:AllowanceCharge/cbc:BaseAmount'), ...c.path(c.all('cac:InvoiceLine'), 'cac:AllowanceCharge/cbc:BaseAmount')].some(
      (b) => c.kids(b.parentNode as Element, 'cbc:MultiplierFactorNumeric').length === 0,
    ),
  ),
  ksa(
    'BR-KSA-EN16931-06',
    'error',
    'A charge at price level is not allowed; the price allowance indicator must be false.',
    'لا يُسمح برسم على مستوى السعر؛ يجب أن يكون مؤشر الخصم على السعر false.',
    (c) => c.path(c.all('cac:InvoiceLine'), 'cac:Price/cac:AllowanceCharge').some((ac) => isCharge(ac, c)),
  ),
  ksa(
    'BR-KSA-EN16931-07',
    'error',
    'The item net price (BT-146) must equal the gross price (BT-148) − the price allowance (BT-147).',
    'يجب أن يساوي السعر الصافي (BT-146) السعر الإجمالي (BT-148) − الخصم على السعر (BT-147).',
    (c) =>
      c.path(c.all('cac:InvoiceLine'), 'cac:Price/cac:AllowanceCharge/cbc:BaseAmount').some((b) => {
        const ac = b.parentNode as Element;
        const net = dec1(c.kids(ac.parentNode as Element, 'cbc:PriceAmount'));
        const base = dec(str(b));
        const amount = dec1(c.kids(ac, 'cbc:Amount'));
        return !(net && base && amount && net.eq(base.minus(amount)));
      }),
  ),
  ksa(
    'BR-KSA-EN16931-11',
    'warning',
    'The line net amount (BT-131) must equal quantity × (price / base quantity) + line charges − line allowances (± 0.01).',
    'يجب أن يساوي صافي البند (BT-131) الكمية × (السعر / كمية الأساس) + رسوم البند − خصوماته (± 0.01).',
    (c) =>
      c.all('cac:InvoiceLine').some((l) => {
        const net = dec1(c.kids(l, 'cbc:LineExtensionAmount'));
        const expected = expectedLineNet(c, l);
        if (!net || !expected) return true;
        return !(net.eq(expected) || net.eq(expected.plus(K.cent)) || net.eq(expected.minus(K.cent)));
      }),
  ),
  ksa('BR-KSA-EN16931-12', 'error', 'The price base quantity (BT-149) must be above zero.', 'يجب أن تكون كمية أساس السعر (BT-149) أكبر من صفر.', (c) =>
    c.path(c.all('cac:InvoiceLine'), 'cac:Price/cbc:BaseQuantity').some((b) => len(str(b)) > 0 && !(dbl(str(b)) > 0)),
  ),
  ksa(
    'BR-KSA-F-06-C21',
    'warning',
    'The base quantity unit code (BT-150) is longer than 127 characters.',
    'رمز وحدة كمية الأساس (BT-150) أطول من 127 حرفًا.',
    (c) =>
      c.all('cac:InvoiceLine').some((l) => {
        const u = c.path(l, 'cac:Price/cbc:BaseQuantity')[0]?.getAttributeNode('unitCode');
        return !!u && len(u.value) > 127;
      }),
  ),
  ksa('BR-KSA-F-01', 'error', 'A date must be a valid calendar date written YYYY-MM-DD.', 'يجب أن يكون التاريخ صحيحًا وبالصيغة YYYY-MM-DD.', (c) =>
    [
      ...c.all('cbc:IssueDate'),
      ...c.all('cbc:DueDate'),
      ...c.path(c.all('cac:Delivery'), 'cbc:ActualDeliveryDate'),
      ...c.path(c.all('cac:Delivery'), 'cbc:LatestDeliveryDate'),
      ...c.all('cbc:TaxPointDate'),
    ].some((d) => !validKsaDate(str(d))),
  ),
  ksa(
    'BR-KSA-F-05',
    'warning',
    'The prepayment issue time (KSA-29) must be a valid time hh:mm:ss.',
    'يجب أن يكون وقت إصدار فاتورة الدفعة المقدمة (KSA-29) وقتًا صحيحًا hh:mm:ss.',
    (c) => c.path(c.all('cac:InvoiceLine'), 'cac:DocumentReference/cbc:IssueTime').some((t) => !isTime(str(t))),
  ),
  ksa('BR-KSA-F-02', 'error', 'The allowance/charge indicator must be true or false.', 'يجب أن تكون قيمة مؤشر الخصم/الرسم true أو false.', (c) =>
    c.path(c.all('cac:AllowanceCharge'), 'cbc:ChargeIndicator').some((i) => bool(str(i)) === undefined),
  ),
  ksa('BR-KSA-F-04', 'error', 'Amounts and quantities must not be negative.', 'يجب ألا تكون المبالغ والكميات سالبة.', (c) =>
    signedAmounts(c).some((e) => len(str(e)) > 0 && !(dbl(str(e)) >= 0)),
  ),
  ksa(
    'BR-KSA-CL-01',
    'error',
    'The invoice currency (BT-5) and the currencyID of line VAT subtotals and of the rounding amount must be ISO 4217 codes.',
    'يجب أن تكون عملة الفاتورة (BT-5) ورموز العملات في تفاصيل ضريبة البنود ومبلغ التقريب من قائمة ISO 4217.',
    (c) => {
      const values = [
        ...c.all('cbc:DocumentCurrencyCode').map(str),
        ...c.path(c.all('cac:InvoiceLine'), 'cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount').map((e) => e.getAttributeNode('currencyID')?.value),
        ...c.path(c.all('cac:InvoiceLine'), 'cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount').map((e) => e.getAttributeNode('currencyID')?.value),
        ...c.path(c.all('cac:LegalMonetaryTotal'), 'cbc:PayableRoundingAmount').map((e) => e.getAttributeNode('currencyID')?.value),
      ];
      return values.some((v) => v !== undefined && !inCodeList(CURRENCIES, v));
    },
  ),
  ksa(
    'BR-KSA-CL-02',
    'error',
    'Every amount must be in the invoice currency (BT-5), except the VAT total in SAR (BT-111).',
    'يجب أن تكون جميع المبالغ بعملة الفاتورة (BT-5) باستثناء إجمالي الضريبة بالريال (BT-111).',
    (c) => {
      const doc = norm(s1(c.all('cbc:DocumentCurrencyCode')));
      const els = [
        ...CURRENCY_CHECKED.flatMap((n) => c.all(n)),
        ...c.at('cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount'),
        ...c.at('cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount'),
        ...c.path(c.all('cac:InvoiceLine'), 'cac:TaxTotal/cbc:TaxAmount'),
        ...c.path(c.all('cac:InvoiceLine'), 'cac:TaxTotal/cbc:RoundingAmount'),
        ...c.path(c.all('cac:InvoiceLine'), 'cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount'),
        ...c.path(c.all('cac:InvoiceLine'), 'cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount'),
      ];
      return els.some((e) => {
        const cur = e.getAttributeNode('currencyID');
        if (!cur || cur.value === '') return true;
        const re = currencyPattern(cur.value);
        return re === null || !re.test(doc);
      });
    },
  ),
];

function qnameOf(el: Element): string {
  return el.localName === 'Price' ? 'cac:Price' : (el.localName ?? '');
}
