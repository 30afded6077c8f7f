// Business checks the schema cannot express: KSA-2 flag combinations ZATCA forbids, fields a
// document kind requires, and number formats — each finding names its field and ZATCA rule.
import { dec, decimalsOf, HUNDRED, round2, ZERO } from '../money/decimal.js';
import { EXEMPTION_CODES, NOT_FOR_PREPAYMENT, PAYMENT_MEANS_CODES } from './codes.js';
import type { InputIssue } from './issues.js';
import type { Address, Buyer, InvoiceInput, TaxCategory } from './schema.js';

type Num = string | number;

// Comparison constants, parsed once rather than on every check.
const ONE = dec(1);
const FIVE = dec(5);
const FIFTEEN = dec(15);
const CENT = dec('0.01');

class Findings {
  readonly list: InputIssue[] = [];
  input(field: string, message: string, messageAr: string, rule?: string): void {
    this.list.push({ field, message: `${field}: ${message}`, messageAr: `${field}: ${messageAr}`, code: 'INVALID_INPUT', ...(rule && { rule }) });
  }
  combination(field: string, message: string, messageAr: string, rule: string): void {
    this.list.push({ field, message: `${field}: ${message}`, messageAr: `${field}: ${messageAr}`, code: 'INVALID_COMBINATION', rule });
  }
}

function text(n: Num): string {
  return typeof n === 'number' ? dec(n).toFixed() : n;
}

function checkDecimals(f: Findings, field: string, value: Num | undefined, max: number, rule?: string): void {
  if (value === undefined) return;
  if (decimalsOf(text(value)) > max) {
    f.input(field, `at most ${max} decimals allowed`, `الحد الأقصى ${max} منازل عشرية`, rule);
  }
}

function checkPositive(f: Findings, field: string, value: Num | undefined): void {
  if (value !== undefined && !dec(value).greaterThan(ZERO)) f.input(field, 'must be greater than 0', 'يجب أن تكون القيمة أكبر من صفر');
}

function validDate(s: string): boolean {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

function checkDate(f: Findings, field: string, value: string | undefined): void {
  if (value !== undefined && !validDate(value)) f.input(field, 'not a calendar date', 'تاريخ غير موجود في التقويم', 'BR-KSA-F-01');
}

/** Rate checks shared by lines, allowances/charges and prepayment lines. */
function checkCategory(f: Findings, field: string, c: TaxCategory, exemptionRequired: boolean, prepayment = false): void {
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

function checkAllowanceCharge(
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

function checkAddress(f: Findings, field: string, a: Address, strict: boolean, sellerRules: boolean): void {
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

function checkBuyer(f: Findings, input: InvoiceInput, buyer: Buyer | undefined, exemptionCodes: Set<string>): void {
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

/** Every finding for a schema-valid input; empty when the input can be computed and written. */
export function checkInvoiceRules(input: InvoiceInput): InputIssue[] {
  const f = new Findings();
  const { flags, kind, documentType } = input;
  const simplified = kind === 'simplified';
  const isNote = documentType === 'creditNote' || documentType === 'debitNote';

  // KSA-2 combinations (spec §1.2).
  if (simplified && flags.selfBilled) {
    f.combination(
      'flags.selfBilled',
      'a simplified invoice cannot be self-billed; issue a standard invoice',
      'لا يجوز أن تكون الفاتورة المبسطة فوترة ذاتية؛ أصدر فاتورة ضريبية',
      'BR-KSA-31',
    );
  }
  if (flags.export && flags.selfBilled) {
    f.combination('flags.export', 'an export invoice cannot be self-billed', 'لا يجوز أن تكون فاتورة التصدير فوترة ذاتية', 'BR-KSA-07');
  }
  if (simplified && flags.export) {
    f.combination(
      'flags.export',
      'exports need a standard tax invoice (kind "standard"); Fawtara never issues simplified exports',
      'التصدير يتطلب فاتورة ضريبية (standard)؛ لا تصدر فاتورة مبسطة للتصدير',
      'VAT Regulations Art. 53(1), spec §1.2',
    );
  }
  if (flags.b2g && simplified) {
    f.combination(
      'flags.b2g',
      'B2G invoices are standard tax invoices',
      'فواتير الجهات الحكومية فواتير ضريبية (standard)',
      'spec §1.2 (9-character KSA-2 trap)',
    );
  }
  if (flags.b2g && input.contractReference === undefined) {
    f.input('contractReference', 'a B2G invoice needs the contract reference', 'فاتورة الجهة الحكومية تحتاج رقم العقد', 'BR-KSA-92');
  }

  // Credit and debit notes (spec §1.3).
  if (isNote) {
    if (!input.billingReference)
      f.input(
        'billingReference',
        'a credit or debit note must reference the original invoice number',
        'إشعار الدائن/المدين يجب أن يشير إلى رقم الفاتورة الأصلية',
        'BR-KSA-56',
      );
    if (input.reason === undefined)
      f.input('reason', 'a credit or debit note needs the reason for issuing it', 'إشعار الدائن/المدين يحتاج سبب الإصدار', 'BR-KSA-17');
  } else {
    if (input.billingReference)
      f.combination(
        'billingReference',
        'only credit and debit notes reference an original invoice',
        'الإشارة إلى فاتورة أصلية لإشعارات الدائن والمدين فقط',
        'spec §2.2 (BR-KSA-56)',
      );
    if (input.reason !== undefined)
      f.combination(
        'reason',
        'a reason is written only on credit and debit notes (use paymentMeans[].instructionNote for payment notes)',
        'السبب يكتب في إشعارات الدائن والمدين فقط',
        'BR-KSA-17',
      );
  }
  if (input.reason !== undefined && input.paymentMeans[0]?.instructionNote !== undefined) {
    f.input(
      'paymentMeans[0].instructionNote',
      'on a note the reason is the instruction note; give only "reason"',
      'في الإشعار يكتب السبب كملاحظة الدفع؛ أدخل "reason" فقط',
      'BR-KSA-17',
    );
  }
  checkDate(f, 'billingReference.issueDate', input.billingReference?.issueDate);

  input.paymentMeans.forEach((pm, i) => {
    if (!PAYMENT_MEANS_CODES.has(pm.code))
      f.input(
        `paymentMeans[${i}].code`,
        'use a UNTDID 4461 code ZATCA accepts (e.g. 10 cash, 30 credit transfer, 48 card)',
        'استخدم رمز وسيلة دفع مقبولاً (10 نقداً، 30 تحويل، 48 بطاقة)',
        'BR-KSA-16',
      );
  });

  // Dates.
  checkDate(f, 'issueDate', input.issueDate);
  checkDate(f, 'delivery.actualDate', input.delivery?.actualDate);
  checkDate(f, 'delivery.latestDate', input.delivery?.latestDate);
  const d = input.delivery;
  if (kind === 'standard' && documentType === 'invoice' && d?.actualDate === undefined) {
    f.input('delivery.actualDate', 'a standard tax invoice needs the supply (delivery) date', 'الفاتورة الضريبية تحتاج تاريخ التوريد', 'BR-KSA-15');
  }
  if (d?.latestDate !== undefined && d.actualDate === undefined)
    f.input('delivery.actualDate', 'required when latestDate is given', 'مطلوب عند إدخال latestDate', 'BR-KSA-35');
  if (d?.latestDate !== undefined && d.actualDate !== undefined && d.latestDate < d.actualDate) {
    f.input('delivery.latestDate', 'must not be before actualDate', 'يجب ألا يسبق actualDate', 'BR-KSA-36');
  }
  if (simplified && flags.summary && (d?.actualDate === undefined || d.latestDate === undefined)) {
    f.input(
      'delivery',
      'a simplified summary invoice needs actualDate and latestDate (the period)',
      'الفاتورة المبسطة الملخصة تحتاج تاريخي بداية ونهاية التوريد',
      'BR-KSA-72',
    );
  }

  // Currency (spec §4 "Foreign currency").
  if (input.currency !== 'SAR') {
    if (input.exchangeRate === undefined) {
      f.input(
        'exchangeRate',
        `give the SAR exchange rate of ${input.currency} (the VAT total must also be stated in SAR)`,
        `أدخل سعر صرف ${input.currency} مقابل الريال (يجب ذكر إجمالي الضريبة بالريال)`,
        'BR-KSA-68 / BR-53',
      );
    } else {
      checkPositive(f, 'exchangeRate', input.exchangeRate);
      if (text(input.exchangeRate).length > 14) f.input('exchangeRate', 'at most 14 characters', 'الحد الأقصى 14 حرفاً', 'BR-KSA-90');
    }
  } else if (input.exchangeRate !== undefined && !dec(input.exchangeRate).equals(ONE)) {
    f.input('exchangeRate', 'a SAR document has no exchange rate', 'المستند بالريال لا يحتاج سعر صرف', 'BR-KSA-88');
  }

  // Seller and buyer.
  checkAddress(f, 'seller.address', input.seller.address, true, true);
  if (input.seller.address.country !== 'SA')
    f.input('seller.address.country', 'the seller address is in Saudi Arabia (SA)', 'عنوان البائع في المملكة (SA)', 'BR-KSA-09');
  const exemptionCodes = new Set<string>();
  for (const l of input.lines) if (l.taxCategory.exemptionCode) exemptionCodes.add(l.taxCategory.exemptionCode);
  checkBuyer(f, input, input.buyer, exemptionCodes);

  // Lines.
  const ids = new Set<string>();
  const exemptionByCategory = new Map<string, { code: string; field: string }>();
  const noteExemption = (code: string, c: TaxCategory, field: string) => {
    if (c.exemptionCode === undefined) return;
    const seen = exemptionByCategory.get(code);
    if (!seen) exemptionByCategory.set(code, { code: c.exemptionCode, field });
    else if (seen.code !== c.exemptionCode) {
      f.combination(
        `${field}.exemptionCode`,
        `all ${code} items share one exemption code (found ${seen.code} at ${seen.field}); ZATCA allows one ${code} subtotal per invoice — issue separate invoices`,
        `كل بنود الفئة ${code} تشترك في رمز إعفاء واحد؛ أصدر فواتير منفصلة`,
        `BR-${code}-08`,
      );
    }
  };
  input.lines.forEach((line, i) => {
    const p = `lines[${i}]`;
    const id = line.id ?? String(i + 1);
    if (ids.has(id)) f.input(`${p}.id`, `duplicate line id "${id}"`, `رقم بند مكرر "${id}"`, 'BR-21');
    ids.add(id);
    checkPositive(f, `${p}.quantity`, line.quantity);
    checkDecimals(f, `${p}.quantity`, line.quantity, 6);
    checkDecimals(f, `${p}.unitPrice`, line.unitPrice, 6);
    checkPositive(f, `${p}.baseQuantity`, line.baseQuantity);
    checkDecimals(f, `${p}.baseQuantity`, line.baseQuantity, 6);
    checkDecimals(f, `${p}.priceDiscount`, line.priceDiscount, 6);
    if (line.priceDiscount !== undefined && dec(line.priceDiscount).greaterThan(dec(line.unitPrice))) {
      f.input(`${p}.priceDiscount`, 'the discount cannot exceed the unit price', 'لا يتجاوز الخصم سعر الوحدة', 'BR-KSA-EN16931-07');
    }
    if (/^\d+$/.test(line.name.trim())) f.input(`${p}.name`, 'an item name is not just digits', 'اسم الصنف لا يكون أرقاماً فقط', 'BR-KSA-F-C-01');
    checkCategory(f, `${p}.taxCategory`, line.taxCategory, true);
    noteExemption(line.taxCategory.code, line.taxCategory, `${p}.taxCategory`);
    line.allowanceCharges.forEach((ac, j) => {
      checkAllowanceCharge(f, `${p}.allowanceCharges[${j}]`, ac);
    });
  });

  // Document allowances and charges.
  input.allowanceCharges.forEach((ac, j) => {
    const p = `allowanceCharges[${j}]`;
    checkAllowanceCharge(f, p, ac);
    checkCategory(f, `${p}.taxCategory`, ac.taxCategory, false);
    noteExemption(ac.taxCategory.code, ac.taxCategory, `${p}.taxCategory`);
    const c = ac.taxCategory.code;
    if (c !== 'S' && c !== 'O' && !exemptionByCategory.has(c) && !input.lines.some((l) => l.taxCategory.code === c)) {
      f.input(
        `${p}.taxCategory.exemptionCode`,
        `no ${c} line gives the exemption code; add one here`,
        `لا يوجد بند ${c} يحدد رمز الإعفاء؛ أضفه هنا`,
        c === 'Z' ? 'BR-KSA-69' : 'BR-KSA-23',
      );
    }
  });

  // Prepayment adjustments (spec §1.4).
  if (input.prepaymentAdjustments.length > 0 && documentType !== 'invoice') {
    f.combination(
      'prepaymentAdjustments',
      'prepayment adjustments belong on the final tax invoice (388)',
      'تسوية الدفعات المقدمة تكون في الفاتورة النهائية (388)',
      'BR-KSA-80, spec §1.4',
    );
  }
  input.prepaymentAdjustments.forEach((pa, i) => {
    const p = `prepaymentAdjustments[${i}]`;
    const id = pa.id ?? String(input.lines.length + i + 1);
    if (ids.has(id)) f.input(`${p}.id`, `duplicate line id "${id}"`, `رقم بند مكرر "${id}"`, 'BR-21');
    ids.add(id);
    checkDate(f, `${p}.issueDate`, pa.issueDate);
    checkDecimals(f, `${p}.taxableAmount`, pa.taxableAmount, 2, 'BR-KSA-DEC-06');
    checkDecimals(f, `${p}.vatAmount`, pa.vatAmount, 2, 'BR-KSA-DEC-06');
    checkCategory(f, `${p}.taxCategory`, pa.taxCategory, true, true);
    if (pa.vatAmount !== undefined) {
      const rate = pa.taxCategory.rate === undefined ? (pa.taxCategory.code === 'S' ? FIFTEEN : ZERO) : dec(pa.taxCategory.rate);
      const expected = round2(dec(pa.taxableAmount).times(rate).dividedBy(HUNDRED));
      if (expected.minus(dec(pa.vatAmount)).abs().greaterThan(CENT)) {
        f.input(
          `${p}.vatAmount`,
          `must be taxableAmount × rate (${expected.toFixed(2)})`,
          `يجب أن يساوي المبلغ الخاضع × النسبة (${expected.toFixed(2)})`,
          'BR-KSA-79',
        );
      }
    }
  });

  if (input.payableRoundingAmount !== undefined) checkDecimals(f, 'payableRoundingAmount', input.payableRoundingAmount, 2, 'BR-DEC-17');
  return f.list;
}
