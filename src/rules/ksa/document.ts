// KSA rules on the document header: identifiers, type code and KSA-2 flags, issue date/time,
// currencies and exchange rate, TaxTotal count, credit/debit note references, payment means.
import { PAYMENT_MEANS_KSA } from '../codes.js';
import type { InvoiceContext } from '../context.js';
import { dbl, inCodeList, len, nonEmpty, norm, s1, str, xpathError } from '../xpath-values.js';
import { ksa } from '../define.js';
import type { Rule } from '../types.js';

const TIME_RE = /^([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])Z?$/;

/** XPath `\w`: any character that is not punctuation, separator or other. */
const UUID_START = /^(?:[.-]|[^\p{P}\p{Z}\p{C}])/u;

/** KSA local time is the validator's implicit time zone for times written without `Z`. */
export const KSA_OFFSET_MINUTES = 180;

function parseDateTime(date: string, time: string): number | undefined {
  const d = /^(\d{4})-(\d\d)-(\d\d)$/.exec(date.trim());
  const t = /^(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)?$/.exec(time.trim());
  if (!d || !t) return undefined;
  const [mo, da, h, mi, se] = [Number(d[2]), Number(d[3]), Number(t[1]), Number(t[2]), Number(t[3])];
  const leap = (Number(d[1]) % 4 === 0 && Number(d[1]) % 100 !== 0) || Number(d[1]) % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1] ?? 0;
  if (da < 1 || da > days || mi > 59 || se > 59 || h > 24 || (h === 24 && (mi > 0 || se > 0))) return undefined;
  let ms = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(t[1]), Number(t[2]), Number(t[3]));
  const tz = t[5];
  if (!tz) ms -= KSA_OFFSET_MINUTES * 60_000;
  else if (tz !== 'Z') ms -= (tz[0] === '-' ? -1 : 1) * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6))) * 60_000;
  return ms;
}

/** Today's date in the validator's time zone, `YYYY-MM-DD`. */
function today(now: Date): string {
  return new Date(now.getTime() + KSA_OFFSET_MINUTES * 60_000).toISOString().slice(0, 10);
}

const typeCodes = (c: InvoiceContext) => c.kids(c.root, 'cbc:InvoiceTypeCode');
const flags = (name: string, from: number, to: number) => {
  for (let i = from; i < to; i++) if (name[i] !== '0' && name[i] !== '1') return false;
  return true;
};

export const documentRules: Rule[] = [
  ksa(
    'BR-KSA-03',
    'error',
    'The invoice UUID (KSA-1) is missing or does not start with a letter, digit, dot or dash.',
    'المعرّف الفريد للفاتورة (KSA-1) مفقود أو لا يبدأ بحرف أو رقم أو نقطة أو شرطة.',
    (c) => {
      const u = c.at('cbc:UUID');
      if (u.length > 1) xpathError('several cbc:UUID where one is allowed');
      return !(u.length > 0 && nonEmpty(u) && UUID_START.test(s1(u)));
    },
  ),
  ksa('BR-KSA-04', 'error', 'The issue date (BT-2) is in the future.', 'تاريخ الإصدار (BT-2) في المستقبل.', (c) =>
    c.all('cbc:IssueDate').some((d) => {
      const v = str(d).trim();
      return /^\d{4}-\d\d-\d\d(Z|[+-]\d\d:\d\d)?$/.test(v) && v.slice(0, 10) > today(c.now);
    }),
  ),
  ksa(
    'BR-KSA-05',
    'error',
    'The invoice type code (BT-3) must be 388, 383, 381 or 386.',
    'يجب أن يكون رمز نوع الفاتورة (BT-3) أحد القيم 388 أو 383 أو 381 أو 386.',
    (c) => c.all('cbc:InvoiceTypeCode').some((e) => !['388', '383', '381', '386'].includes(norm(str(e)))),
  ),
  ksa(
    'BR-KSA-06',
    'error',
    'The invoice transaction code (KSA-2) must be 01 or 02 followed by 5 to 7 flags of 0/1.',
    'يجب أن يكون رمز نوع المعاملة (KSA-2) ‏01 أو 02 متبوعًا بـ 5 إلى 7 خانات من 0 أو 1.',
    (c) =>
      c.all('cbc:InvoiceTypeCode').some((e) => {
        const n = e.getAttribute('name') ?? '';
        return !((n.length === 7 || n.length === 8 || n.length === 9) && (n.startsWith('01') || n.startsWith('02')) && flags(n, 2, n.length));
      }),
  ),
  ksa(
    'BR-KSA-F-06-C40',
    'warning',
    'The invoice transaction code (KSA-2) must have 7 to 9 characters.',
    'يجب أن يتكون رمز نوع المعاملة (KSA-2) من 7 إلى 9 خانات.',
    (c) =>
      c.all('cbc:InvoiceTypeCode').some((e) => {
        const l = len(e.getAttribute('name') ?? '');
        return !(l >= 7 && l <= 9);
      }),
  ),
  ksa(
    'BR-KSA-07',
    'error',
    'A self-billed invoice (KSA-2 position 7) cannot be an export invoice (position 5).',
    'لا يمكن أن تكون الفاتورة الذاتية (الخانة 7) فاتورة تصدير (الخانة 5).',
    (c) =>
      c.all('cbc:InvoiceTypeCode').some((e) => {
        const n = e.getAttribute('name') ?? '';
        return n[4] === '1' && n[6] === '1';
      }),
  ),
  ksa(
    'BR-KSA-31',
    'error',
    'A simplified invoice must not be self-billed (KSA-2 position 7 must be 0).',
    'لا يجوز أن تكون الفاتورة المبسطة ذاتية الفوترة (يجب أن تكون الخانة 7 صفرًا).',
    (c) =>
      c.all('cbc:InvoiceTypeCode').some((e) => {
        const n = e.getAttribute('name') ?? '';
        return n.startsWith('02') && !(flags(n, 2, 6) && n.length >= 7 && n[6] === '0');
      }),
  ),
  ksa(
    'BR-KSA-70',
    'error',
    'The issue time (KSA-25) is missing or not written hh:mm:ss or hh:mm:ssZ.',
    'وقت الإصدار (KSA-25) مفقود أو ليس بالصيغة hh:mm:ss أو hh:mm:ssZ.',
    (c) => {
      const t = c.at('cbc:IssueTime');
      return !(t.length > 0 && nonEmpty(t) && TIME_RE.test(s1(t)));
    },
  ),
  ksa(
    'BR-KSA-98',
    'warning',
    'A simplified invoice should be reported within 24 hours of its issue time.',
    'يجب الإبلاغ عن الفاتورة المبسطة خلال 24 ساعة من وقت إصدارها.',
    (c) => {
      if (!typeCodes(c).some((e) => (e.getAttribute('name') ?? '').startsWith('02'))) return false;
      const d = c.at('cbc:IssueDate');
      const t = c.at('cbc:IssueTime');
      if (!d.length || !t.length) return false;
      if (d.length > 1 || t.length > 1) xpathError('concat() of several cbc:IssueDate/cbc:IssueTime');
      const at = parseDateTime(s1(d), s1(t));
      if (at === undefined) xpathError(`'${s1(d)}T${s1(t)}' is not an xs:dateTime`);
      return c.now.getTime() - at > 86_400_000;
    },
  ),
  ksa('BR-KSA-F-06-C3', 'warning', 'The purchase order number (BT-13) is longer than 127 characters.', 'رقم أمر الشراء (BT-13) أطول من 127 حرفًا.', (c) => {
    const id = c.at('cac:OrderReference/cbc:ID');
    return id.length > 0 && len(s1(id)) > 127;
  }),
  ksa('BR-KSA-F-06-C5', 'warning', 'The contract number (BT-12) is longer than 127 characters.', 'رقم العقد (BT-12) أطول من 127 حرفًا.', (c) => {
    const id = c.at('cac:ContractDocumentReference/cbc:ID');
    return id.length > 0 && len(s1(id)) > 127;
  }),
  ksa(
    'BR-KSA-92',
    'error',
    'A B2G invoice (KSA-2 position 9 = 1) needs the contract number (BT-12).',
    'فاتورة الجهات الحكومية (الخانة 9 = 1) تتطلب رقم العقد (BT-12).',
    (c) => {
      const b2g = c.all('cbc:InvoiceTypeCode').some((e) => {
        const n = e.getAttribute('name') ?? '';
        return len(n) === 9 && (n.startsWith('01') || n.startsWith('02')) && n[8] === '1';
      });
      return b2g && !c.at('cac:ContractDocumentReference/cbc:ID').some((e) => norm(str(e)) !== '');
    },
  ),
  ksa('BR-KSA-68', 'error', 'The tax currency code (BT-6) is missing.', 'رمز عملة الضريبة (BT-6) مفقود.', (c) => !nonEmpty(c.at('cbc:TaxCurrencyCode'))),
  ksa('BR-KSA-EN16931-01', 'error', 'The business process (BT-23) must be "reporting:1.0".', 'يجب أن تكون قيمة عملية الأعمال (BT-23) "reporting:1.0".', (c) => {
    const p = c.at('cbc:ProfileID');
    return !(p.length > 0 && norm(s1(p)) === 'reporting:1.0');
  }),
  ksa('BR-KSA-EN16931-02', 'error', 'The tax currency code (BT-6) must be SAR.', 'يجب أن يكون رمز عملة الضريبة (BT-6) SAR.', (c) =>
    c.all('cbc:TaxCurrencyCode').some((e) => norm(str(e).toUpperCase()) !== 'SAR'),
  ),
  ksa(
    'BR-KSA-EN16931-08',
    'warning',
    'Exactly one VAT total (BG-22) with a VAT breakdown must be given.',
    'يجب ذكر إجمالي ضريبة واحد فقط (BG-22) يحتوي على التفصيل الضريبي.',
    (c) => c.kids(c.root, 'cac:TaxTotal').filter((t) => c.kids(t, 'cac:TaxSubtotal').length > 0).length !== 1,
  ),
  ksa(
    'BR-KSA-EN16931-09',
    'warning',
    'Exactly one VAT total (BG-22) without breakdown (the amount in SAR) must be given.',
    'يجب ذكر إجمالي ضريبة واحد فقط (BG-22) بدون تفصيل (المبلغ بالريال).',
    (c) =>
      c
        .all('cbc:TaxCurrencyCode')
        .some((e) => c.kids(e.parentNode as never, 'cac:TaxTotal').filter((t) => c.kids(t, 'cac:TaxSubtotal').length === 0).length !== 1),
  ),
  ksa(
    'BR-KSA-97',
    'warning',
    'For a non-SAR invoice the VAT total (BT-110) and the VAT total in SAR (BT-111) cannot be the same.',
    'في الفاتورة بغير الريال لا يجوز أن يتساوى إجمالي الضريبة (BT-110) مع إجماليها بالريال (BT-111).',
    (c) => {
      const dcc = c.kids(c.root, 'cbc:DocumentCurrencyCode');
      if (!(dcc.length > 0 && dcc.some((e) => str(e) !== '') && dcc.some((e) => str(e) !== 'SAR'))) return false;
      const totals = c.kids(c.root, 'cac:TaxTotal');
      const withSubs = c
        .path(
          totals.filter((t) => c.kids(t, 'cac:TaxSubtotal').length > 0),
          'cbc:TaxAmount',
        )
        .map((e) => dbl(str(e)));
      const without = c
        .path(
          totals.filter((t) => c.kids(t, 'cac:TaxSubtotal').length === 0),
          'cbc:TaxAmount',
        )
        .map((e) => dbl(str(e)));
      if (withSubs.length !== 1 || without.length !== 1)
        return (
          withSubs.some((v) => v > 0) &&
          without.some((v) => v > 0) &&
          withSubs.some((a) => without.some((b) => Math.round(a * 100) / 100 === Math.round(b * 100) / 100))
        );
      const [a, b] = [withSubs[0]!, without[0]!];
      return a > 0 && b > 0 && Math.floor(a * 100 + 0.5) / 100 === Math.floor(b * 100 + 0.5) / 100;
    },
  ),
  ksa(
    'BR-KSA-87',
    'warning',
    'A tax exchange rate (KSA-36) needs source currency, target currency and rate.',
    'سعر صرف الضريبة (KSA-36) يتطلب العملة المصدر والعملة الهدف والسعر.',
    (c) => {
      const r = c.at('cac:TaxExchangeRate');
      if (!r.length) return false;
      return !(nonEmpty(c.path(r, 'cbc:SourceCurrencyCode')) && nonEmpty(c.path(r, 'cbc:TargetCurrencyCode')) && nonEmpty(c.path(r, 'cbc:CalculationRate')));
    },
  ),
  ksa(
    'BR-KSA-88',
    'error',
    'The exchange source currency (KSA-37) must be the invoice currency (BT-5).',
    'يجب أن تكون العملة المصدر لسعر الصرف (KSA-37) هي عملة الفاتورة (BT-5).',
    (c) => exchangeMismatch(c, 'cbc:SourceCurrencyCode', 'cbc:DocumentCurrencyCode'),
  ),
  ksa(
    'BR-KSA-89',
    'error',
    'The exchange target currency (KSA-38) must be the tax currency (BT-6).',
    'يجب أن تكون العملة الهدف لسعر الصرف (KSA-38) هي عملة الضريبة (BT-6).',
    (c) => exchangeMismatch(c, 'cbc:TargetCurrencyCode', 'cbc:TaxCurrencyCode'),
  ),
  ksa('BR-KSA-90', 'error', 'The tax exchange rate (KSA-39) must have at most 14 characters.', 'يجب ألا يتجاوز سعر صرف الضريبة (KSA-39) ‏14 خانة.', (c) => {
    const r = c.at('cac:TaxExchangeRate/cbc:CalculationRate');
    return r.length > 0 && nonEmpty(r) && !(len(norm(s1(r))) < 15);
  }),
  ksa('BR-KSA-15', 'warning', 'A standard tax invoice (388) needs the supply date (KSA-5).', 'الفاتورة الضريبية (388) تتطلب تاريخ التوريد (KSA-5).', (c) => {
    const standard388 =
      c.kids(c.root, 'cbc:InvoiceTypeCode').some((e) => (e.getAttribute('name') ?? '').startsWith('01')) &&
      c.kids(c.root, 'cbc:InvoiceTypeCode').some((e) => str(e) === '388');
    if (!standard388) return false;
    const d = c.path(c.all('cac:Delivery'), 'cbc:ActualDeliveryDate');
    return !(d.length > 0 && norm(s1(d)) !== '');
  }),
  ksa(
    'BR-KSA-72',
    'error',
    'A simplified summary invoice needs the supply date (KSA-5) and the supply end date (KSA-24).',
    'الفاتورة المبسطة الملخصة تتطلب تاريخ التوريد (KSA-5) وتاريخ انتهاء التوريد (KSA-24).',
    (c) =>
      buyerSaCountries(c).length > 0 && c.anyName(/02\d{3}1\d/) && !(c.all('cbc:ActualDeliveryDate').length > 0 && c.all('cbc:LatestDeliveryDate').length > 0),
  ),
  ksa('BR-KSA-35', 'warning', 'A supply end date (KSA-24) needs a supply date (KSA-5).', 'تاريخ انتهاء التوريد (KSA-24) يتطلب تاريخ التوريد (KSA-5).', (c) =>
    c
      .path(c.all('cac:Delivery'), 'cbc:LatestDeliveryDate')
      .some((l) => !c.kids(l.parentNode as never, 'cbc:ActualDeliveryDate').some((a) => norm(str(a)) !== '')),
  ),
  ksa(
    'BR-KSA-36',
    'warning',
    'The supply end date (KSA-24) must not be before the supply date (KSA-5).',
    'يجب ألا يسبق تاريخ انتهاء التوريد (KSA-24) تاريخ التوريد (KSA-5).',
    (c) =>
      c.path(c.all('cac:Delivery'), 'cbc:LatestDeliveryDate').some((l) => {
        const actual = c.kids(l.parentNode as never, 'cbc:ActualDeliveryDate');
        if (!actual.some((a) => norm(str(a)) !== '')) return false;
        const a = s1(actual);
        const e = str(l);
        return isDeliveryDate(a) && isDeliveryDate(e) && e < a;
      }),
  ),
  ksa(
    'BR-KSA-17',
    'error',
    'A credit or debit note needs the reason for issuing it (KSA-10, PaymentMeans/InstructionNote).',
    'الإشعار الدائن أو المدين يتطلب سبب الإصدار (KSA-10).',
    (c) => {
      if (!isNote(c)) return false;
      const pms = c.all('cac:PaymentMeans');
      return pms.length === 0 || pms.some((p) => c.kids(p, 'cbc:InstructionNote').length === 0);
    },
  ),
  ksa(
    'BR-KSA-F-06-C13',
    'warning',
    'The credit/debit note reason (KSA-10) must have 1 to 1000 characters.',
    'يجب أن يتكون سبب إصدار الإشعار (KSA-10) من 1 إلى 1000 حرف.',
    (c) => isNote(c) && c.path(c.all('cac:PaymentMeans'), 'cbc:InstructionNote').some((n) => len(str(n)) > 1000 || len(str(n)) < 1),
  ),
  ksa(
    'BR-KSA-56',
    'warning',
    'A credit or debit note needs the number of the invoice it corrects (BT-25).',
    'الإشعار الدائن أو المدين يتطلب رقم الفاتورة الأصلية (BT-25).',
    (c) => {
      if (!isNote(c)) return false;
      const refs = c.all('cac:BillingReference');
      return refs.length === 0 || refs.some((b) => !nonEmpty(c.path(b, 'cac:InvoiceDocumentReference/cbc:ID')));
    },
  ),
  ksa(
    'BR-KSA-F-06-C22',
    'error',
    'The billing reference number (BT-25) must have 1 to 5000 characters.',
    'يجب أن يتكون رقم مرجع الفاتورة (BT-25) من 1 إلى 5000 حرف.',
    (c) =>
      isNote(c) &&
      c.all('cac:BillingReference').some((b) => {
        const id = c.path(b, 'cac:InvoiceDocumentReference/cbc:ID');
        return id.length > 0 && (len(s1(id)) > 5000 || len(s1(id)) < 1);
      }),
  ),
  ksa(
    'BR-KSA-16',
    'warning',
    'The payment means code (BT-81) is not from the accepted UNTDID 4461 subset.',
    'رمز وسيلة الدفع (BT-81) ليس من القائمة المعتمدة.',
    (c) => hasTypeCode0102(c) && c.path(c.all('cac:PaymentMeans'), 'cbc:PaymentMeansCode').some((e) => !inCodeList(PAYMENT_MEANS_KSA, str(e))),
  ),
  ksa('BR-KSA-F-06-C14', 'warning', 'The payment note must have 1 to 1000 characters.', 'يجب أن تتكون ملاحظة الدفع من 1 إلى 1000 حرف.', (c) => {
    const n = c.path(c.all('cac:PaymentMeans'), 'cac:PayeeFinancialAccount/cbc:PaymentNote');
    return hasTypeCode0102(c) && n.length > 0 && (len(s1(n)) > 1000 || len(s1(n)) < 1);
  }),
  ksa(
    'BR-KSA-F-06-C15',
    'warning',
    'The payee account identifier (BT-84) is longer than 127 characters.',
    'معرّف حساب المستفيد (BT-84) أطول من 127 حرفًا.',
    (c) => {
      const n = c.path(c.all('cac:PaymentMeans'), 'cac:PayeeFinancialAccount/cbc:ID');
      return hasTypeCode0102(c) && n.length > 0 && len(s1(n)) > 127;
    },
  ),
];

/** The rule context `cbc:InvoiceTypeCode[substring(@name,1,2) = '01' or '02']` exists. */
export function hasTypeCode0102(c: InvoiceContext): boolean {
  return c.all('cbc:InvoiceTypeCode').some((e) => {
    const n = e.getAttribute('name') ?? '';
    return n.startsWith('01') || n.startsWith('02');
  });
}

/** `/ubl:Invoice[cbc:InvoiceTypeCode = '381' or '383']` */
function isNote(c: InvoiceContext): boolean {
  return c.kids(c.root, 'cbc:InvoiceTypeCode').some((e) => str(e) === '381' || str(e) === '383');
}

/** The context of BR-KSA-63/67/72/F-06-C28/C29/C9: buyer country elements whose code is SA. */
export function buyerSaCountries(c: InvoiceContext) {
  return c
    .path(c.all('cac:AccountingCustomerParty'), 'cac:Party/cac:PostalAddress/cac:Country')
    .filter((country) => c.kids(country, 'cbc:IdentificationCode').some((e) => str(e) === 'SA'));
}

/** BR-KSA-36's own date check: 10 characters, years 1800–2099, valid month/day. */
function isDeliveryDate(v: string): boolean {
  const m = /^(18|19|20)(\d\d)-(\d\d)-(\d\d)$/.exec(v);
  if (!m) return false;
  const year = Number(m[1]! + m[2]!);
  const month = Number(m[3]);
  const day = Number(m[4]);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = m[2] === '04' || m[2] === '08' || (year % 4 === 0 && (year % 100 !== 0 || year === 2000));
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days;
}

function exchangeMismatch(c: InvoiceContext, field: string, against: string): boolean {
  const v = c.at(`cac:TaxExchangeRate/${field}`);
  if (!(v.length > 0 && nonEmpty(v))) return false;
  const target = norm(s1(c.all(against)));
  let re: RegExp;
  try {
    re = new RegExp(s1(v), 'u');
  } catch {
    return true;
  }
  return !re.test(target);
}
