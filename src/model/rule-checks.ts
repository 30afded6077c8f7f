// The checks the named input rules of ./rules.ts share: findings with field and rule, decimals,
// dates, tax categories, allowances/charges, Saudi addresses and the buyer.
import { dec, decimalsOf, HUNDRED, ZERO } from '../money/decimal.js';
import { EXEMPTION_CODES, NOT_FOR_PREPAYMENT } from './codes.js';
import type { InputIssue } from './issues.js';
import type { Address, Buyer, InvoiceInput, TaxCategory } from './schema.js';

export type Num = string | number;

// Comparison constants, parsed once rather than on every check.
export const ONE = dec(1);
const FIVE = dec(5);
export const FIFTEEN = dec(15);
export const CENT = dec('0.01');

export class Findings {
  readonly list: InputIssue[] = [];
  input(field: string, message: string, messageAr: string, rule?: string): void {
    this.list.push({ field, message: `${field}: ${message}`, messageAr: `${field}: ${messageAr}`, code: 'INVALID_INPUT', ...(rule && { rule }) });
  }
  combination(field: string, message: string, messageAr: string, rule: string): void {
    this.list.push({ field, message: `${field}: ${message}`, messageAr: `${field}: ${messageAr}`, code: 'INVALID_COMBINATION', rule });
  }
}

export function text(n: Num): string {
  return typeof n === 'number' ? dec(n).toFixed() : n;
}

export function checkDecimals(f: Findings, field: string, value: Num | undefined, max: number, rule?: string): void {
  if (value === undefined) return;
  if (decimalsOf(text(value)) > max) {
    f.input(field, `at most ${max} decimals allowed`, `الحد الأقصى ${max} منازل عشرية`, rule);
  }
}

export function checkPositive(f: Findings, field: string, value: Num | undefined): void {
  if (value !== undefined && !dec(value).greaterThan(ZERO)) f.input(field, 'must be greater than 0', 'يجب أن تكون القيمة أكبر من صفر');
}

export function validDate(s: string): boolean {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export function checkDate(f: Findings, field: string, value: string | undefined): void {
  if (value !== undefined && !validDate(value)) f.input(field, 'not a calendar date', 'تاريخ غير موجود في التقويم', 'BR-KSA-F-01');
}

/** Rate checks shared by lines, allowances/charges and prepayment lines. */
export function checkCategory(f: Findings, field: string, c: TaxCategory, exemptionRequired: boolean, prepayment = false): void {
  const rate = c.rate === undefined ? undefined : dec(c.rate);
  checkDecimals(f, `${field}.rate`, c.rate, 2, 'BR-KSA-DEC-02');
  if (c.code === 'S') {
    if (rate !== undefined && !rate.equals(FIFTEEN) && !rate.equals(FIVE)) {
      f.input(`${field}.rate`, 'standard rate (S) must be 15 or 5', 'نسبة الفئة S يجب أن تكون 15 أو 5', 'BR-KSA-84');
    }
    if (c.exemptionCode !== undefined || c.exemptionReason !== undefined) {
      f.input(`${field}.exemptionCode`, 'category S takes no exemption code or reason', 'الفئة S لا تحمل رمز أو سبب إعفاء', 'BR-S-10');
    }
    return;
  }
  if (rate !== undefined && !rate.isZero()) {
    f.input(`${field}.rate`, `category ${c.code} has rate 0`, `نسبة الفئة ${c.code} صفر`, c.code === 'O' ? 'BR-KSA-11' : `BR-${c.code}-05`);
  }
  const list = EXEMPTION_CODES[c.code];
  if (c.exemptionCode === undefined) {
    if (exemptionRequired && c.code !== 'O') {
      const rule = c.code === 'Z' ? (prepayment ? 'BR-KSA-93' : 'BR-KSA-69') : prepayment ? 'BR-KSA-94' : 'BR-KSA-23';
      f.input(
        `${field}.exemptionCode`,
        `category ${c.code} needs an exemption code: ${Object.keys(list).join(', ')}`,
        `الفئة ${c.code} تحتاج رمز إعفاء: ${Object.keys(list).join(', ')}`,
        rule,
      );
    }
  } else if (!(c.exemptionCode in list) || (prepayment && NOT_FOR_PREPAYMENT.has(c.exemptionCode))) {
    f.input(
      `${field}.exemptionCode`,
      `"${c.exemptionCode}" is not a code of category ${c.code}; use one of ${Object.keys(list).join(', ')}`,
      `"${c.exemptionCode}" ليس رمزاً للفئة ${c.code}؛ استخدم أحد الرموز ${Object.keys(list).join(', ')}`,
      prepayment ? 'BR-KSA-CL-07' : 'BR-KSA-CL-04',
    );
  }
}

export function checkAllowanceCharge(
  f: Findings,
  field: string,
  ac: {
    amount?: Num | undefined;
    percent?: Num | undefined;
    baseAmount?: Num | undefined;
    kind: string;
    reasonCode?: string | undefined;
    reason?: string | undefined;
  },
): void {
  if ((ac.amount === undefined) === (ac.percent === undefined)) {
    f.input(field, 'give either "amount" or "percent"', 'أدخل "amount" أو "percent" (أحدهما فقط)');
  }
  checkDecimals(f, `${field}.amount`, ac.amount, 2, 'BR-DEC-01');
  checkDecimals(f, `${field}.percent`, ac.percent, 2, 'BR-KSA-DEC-01');
  checkDecimals(f, `${field}.baseAmount`, ac.baseAmount, 2, 'BR-DEC-02');
  if (ac.percent !== undefined && dec(ac.percent).greaterThan(HUNDRED)) {
    f.input(`${field}.percent`, 'a percentage is between 0 and 100', 'النسبة بين 0 و 100', 'BR-KSA-DEC-01');
  }
  if (ac.baseAmount !== undefined && ac.percent === undefined) {
    f.input(`${field}.baseAmount`, 'baseAmount goes with percent only', 'baseAmount يستخدم مع percent فقط', 'BR-KSA-EN16931-05');
  }
  if (ac.kind === 'charge' && (ac.reasonCode === undefined || ac.reason === undefined)) {
    f.input(field, 'a charge needs "reasonCode" (UNTDID 7161, e.g. SAA, ZZZ) and "reason"', 'الرسوم تحتاج "reasonCode" و"reason"', 'BR-KSA-19');
  }
}

export function checkAddress(f: Findings, field: string, a: Address, strict: boolean, sellerRules: boolean): void {
  if (a.country !== 'SA') return;
  const rules = sellerRules ? { b: 'BR-KSA-37', p: 'BR-KSA-66', all: 'BR-KSA-09' } : { b: 'BR-KSA-63', p: 'BR-KSA-67', all: 'BR-KSA-63' };
  if (a.postalCode !== undefined && !/^\d{5}$/.test(a.postalCode)) {
    f.input(`${field}.postalCode`, 'a Saudi postal code has 5 digits', 'الرمز البريدي السعودي 5 أرقام', rules.p);
  }
  if (!strict) return;
  if (a.buildingNumber === undefined)
    f.input(`${field}.buildingNumber`, 'required for a Saudi address (4 digits)', 'مطلوب للعنوان السعودي (4 أرقام)', rules.all);
  if (a.postalCode === undefined) f.input(`${field}.postalCode`, 'required for a Saudi address (5 digits)', 'مطلوب للعنوان السعودي (5 أرقام)', rules.all);
  if (a.district === undefined) f.input(`${field}.district`, 'required for a Saudi address', 'الحي مطلوب للعنوان السعودي', rules.all);
}

export function checkBuyer(f: Findings, input: InvoiceInput, buyer: Buyer | undefined, exemptionCodes: Set<string>): void {
  const standard = input.kind === 'standard';
  if (standard) {
    if (!buyer) {
      f.input('buyer', 'a standard (B2B) document needs the buyer', 'الفاتورة الضريبية تحتاج بيانات المشتري', 'BR-KSA-42');
      return;
    }
    if (buyer.name === undefined) f.input('buyer.name', 'required on standard documents', 'اسم المشتري مطلوب في الفاتورة الضريبية', 'BR-KSA-42');
    if (buyer.vatNumber === undefined && buyer.identification === undefined) {
      f.input(
        'buyer.identification',
        'give the buyer VAT number or an identification (TIN, CRN, NAT, IQA, PAS, OTH…)',
        'أدخل الرقم الضريبي للمشتري أو رقم هوية',
        'BR-KSA-81',
      );
    }
    if (buyer.address === undefined) f.input('buyer.address', 'required on standard documents', 'عنوان المشتري مطلوب في الفاتورة الضريبية', 'BR-KSA-63');
  }
  if (buyer?.address) checkAddress(f, 'buyer.address', buyer.address, standard, false);
  if (buyer?.vatNumber !== undefined && buyer.vatNumber === input.seller.vatNumber) {
    f.input('buyer.vatNumber', 'buyer and seller VAT numbers must differ', 'يجب أن يختلف الرقم الضريبي للمشتري عن البائع', 'BR-CUSTOM-VALIDATION-01');
  }
  if (!standard && input.flags.summary && buyer?.name === undefined) {
    f.input('buyer.name', 'a simplified summary invoice needs the buyer name', 'الفاتورة المبسطة الملخصة تحتاج اسم المشتري', 'BR-KSA-71');
  }
  if (exemptionCodes.has('VATEX-SA-EDU') || exemptionCodes.has('VATEX-SA-HEA')) {
    if (buyer?.identification?.scheme !== 'NAT') {
      f.input(
        'buyer.identification',
        'private education/healthcare to citizens (VATEX-SA-EDU/HEA) needs the buyer national ID (scheme NAT)',
        'التعليم/الصحة الخاصة للمواطن يتطلب الهوية الوطنية للمشتري (NAT)',
        'BR-KSA-49',
      );
    }
    if (buyer?.name === undefined) f.input('buyer.name', 'needed with VATEX-SA-EDU/HEA', 'اسم المشتري مطلوب مع VATEX-SA-EDU/HEA', 'BR-KSA-25');
  }
}
