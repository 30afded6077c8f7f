// Business checks the schema cannot express, as named rules run in order: KSA-2 flag combinations
// ZATCA forbids, fields a document kind requires, and number formats — each finding names its field and rule.
import { dec, HUNDRED, round2, ZERO } from '../money/decimal.js';
import { PAYMENT_MEANS_CODES } from './codes.js';
import type { InputIssue } from './issues.js';
import {
  CENT,
  checkAddress,
  checkAllowanceCharge,
  checkBuyer,
  checkCategory,
  checkDate,
  checkDecimals,
  checkPositive,
  FIFTEEN,
  Findings,
  ONE,
  text,
} from './rule-checks.js';
import type { InvoiceInput, TaxCategory } from './schema.js';

/** What the line rules collect for the rules after them (line ids, one exemption code per category). */
interface RunState {
  ids: Set<string>;
  exemptionByCategory: Map<string, { code: string; field: string }>;
}

export interface InputRule {
  /** The ZATCA rule (or the document, for combinations ZATCA leaves to the KSA-2 code) this enforces. */
  id: string;
  check(input: InvoiceInput, f: Findings, state: RunState): void;
}

const rule = (id: string, check: InputRule['check']): InputRule => ({ id, check });
const simplified = (i: InvoiceInput): boolean => i.kind === 'simplified';
const isNote = (i: InvoiceInput): boolean => i.documentType === 'creditNote' || i.documentType === 'debitNote';

/** KSA-2 combinations (docs/zatca-notes.md §1.2) and references of notes (docs/zatca-notes.md §1.3). */
const DOCUMENT_RULES: readonly InputRule[] = [
  rule('BR-KSA-31', (i, f) => {
    if (simplified(i) && i.flags.selfBilled)
      f.combination(
        'flags.selfBilled',
        'a simplified invoice cannot be self-billed; issue a standard invoice',
        'لا يجوز أن تكون الفاتورة المبسطة فوترة ذاتية؛ أصدر فاتورة ضريبية',
        'BR-KSA-31',
      );
  }),
  rule('BR-KSA-07', (i, f) => {
    if (i.flags.export && i.flags.selfBilled)
      f.combination('flags.export', 'an export invoice cannot be self-billed', 'لا يجوز أن تكون فاتورة التصدير فوترة ذاتية', 'BR-KSA-07');
  }),
  rule('VAT Regulations Art. 53(1)', (i, f) => {
    if (simplified(i) && i.flags.export)
      f.combination(
        'flags.export',
        'exports need a standard tax invoice (kind "standard"); Fawtara never issues simplified exports',
        'التصدير يتطلب فاتورة ضريبية (standard)؛ لا تصدر فاتورة مبسطة للتصدير',
        'VAT Regulations Art. 53(1), docs/zatca-notes.md §1.2',
      );
  }),
  rule('KSA-2 B2G', (i, f) => {
    if (i.flags.b2g && simplified(i))
      f.combination(
        'flags.b2g',
        'B2G invoices are standard tax invoices',
        'فواتير الجهات الحكومية فواتير ضريبية (standard)',
        'docs/zatca-notes.md §1.2 (9-character KSA-2 trap)',
      );
  }),
  rule('BR-KSA-92', (i, f) => {
    if (i.flags.b2g && i.contractReference === undefined)
      f.input('contractReference', 'a B2G invoice needs the contract reference', 'فاتورة الجهة الحكومية تحتاج رقم العقد', 'BR-KSA-92');
  }),
  rule('BR-KSA-56', (i, f) => {
    if (isNote(i) && !i.billingReference)
      f.input(
        'billingReference',
        'a credit or debit note must reference the original invoice number',
        'إشعار الدائن/المدين يجب أن يشير إلى رقم الفاتورة الأصلية',
        'BR-KSA-56',
      );
    if (!isNote(i) && i.billingReference)
      f.combination(
        'billingReference',
        'only credit and debit notes reference an original invoice',
        'الإشارة إلى فاتورة أصلية لإشعارات الدائن والمدين فقط',
        'docs/zatca-notes.md §2.2 (BR-KSA-56)',
      );
  }),
  rule('BR-KSA-17', (i, f) => {
    if (isNote(i) && i.reason === undefined)
      f.input('reason', 'a credit or debit note needs the reason for issuing it', 'إشعار الدائن/المدين يحتاج سبب الإصدار', 'BR-KSA-17');
    if (!isNote(i) && i.reason !== undefined)
      f.combination(
        'reason',
        'a reason is written only on credit and debit notes (use paymentMeans[].instructionNote for payment notes)',
        'السبب يكتب في إشعارات الدائن والمدين فقط',
        'BR-KSA-17',
      );
    if (i.reason !== undefined && i.paymentMeans[0]?.instructionNote !== undefined)
      f.input(
        'paymentMeans[0].instructionNote',
        'on a note the reason is the instruction note; give only "reason"',
        'في الإشعار يكتب السبب كملاحظة الدفع؛ أدخل "reason" فقط',
        'BR-KSA-17',
      );
  }),
  rule('BR-KSA-F-01 (billing reference)', (i, f) => checkDate(f, 'billingReference.issueDate', i.billingReference?.issueDate)),
  rule('BR-KSA-16', (i, f) =>
    i.paymentMeans.forEach((pm, n) => {
      if (!PAYMENT_MEANS_CODES.has(pm.code))
        f.input(
          `paymentMeans[${n}].code`,
          'use a UNTDID 4461 code ZATCA accepts (e.g. 10 cash, 30 credit transfer, 48 card)',
          'استخدم رمز وسيلة دفع مقبولاً (10 نقداً، 30 تحويل، 48 بطاقة)',
          'BR-KSA-16',
        );
    }),
  ),
];

/** Dates of issue and supply, and the currency (docs/zatca-notes.md §4 "Foreign currency"). */
const DATE_AND_CURRENCY_RULES: readonly InputRule[] = [
  rule('BR-KSA-F-01', (i, f) => {
    checkDate(f, 'issueDate', i.issueDate);
    checkDate(f, 'delivery.actualDate', i.delivery?.actualDate);
    checkDate(f, 'delivery.latestDate', i.delivery?.latestDate);
  }),
  rule('BR-KSA-15', (i, f) => {
    if (i.kind === 'standard' && i.documentType === 'invoice' && i.delivery?.actualDate === undefined)
      f.input('delivery.actualDate', 'a standard tax invoice needs the supply (delivery) date', 'الفاتورة الضريبية تحتاج تاريخ التوريد', 'BR-KSA-15');
  }),
  rule('BR-KSA-35', (i, f) => {
    const d = i.delivery;
    if (d?.latestDate !== undefined && d.actualDate === undefined)
      f.input('delivery.actualDate', 'required when latestDate is given', 'مطلوب عند إدخال latestDate', 'BR-KSA-35');
  }),
  rule('BR-KSA-36', (i, f) => {
    const d = i.delivery;
    if (d?.latestDate !== undefined && d.actualDate !== undefined && d.latestDate < d.actualDate)
      f.input('delivery.latestDate', 'must not be before actualDate', 'يجب ألا يسبق actualDate', 'BR-KSA-36');
  }),
  rule('BR-KSA-72', (i, f) => {
    const d = i.delivery;
    if (simplified(i) && i.flags.summary && (d?.actualDate === undefined || d.latestDate === undefined))
      f.input(
        'delivery',
        'a simplified summary invoice needs actualDate and latestDate (the period)',
        'الفاتورة المبسطة الملخصة تحتاج تاريخي بداية ونهاية التوريد',
        'BR-KSA-72',
      );
  }),
  rule('BR-KSA-68', (i, f) => {
    if (i.currency !== 'SAR') {
      if (i.exchangeRate === undefined) {
        f.input(
          'exchangeRate',
          `give the SAR exchange rate of ${i.currency} (the VAT total must also be stated in SAR)`,
          `أدخل سعر صرف ${i.currency} مقابل الريال (يجب ذكر إجمالي الضريبة بالريال)`,
          'BR-KSA-68 / BR-53',
        );
      } else {
        checkPositive(f, 'exchangeRate', i.exchangeRate);
        if (text(i.exchangeRate).length > 14) f.input('exchangeRate', 'at most 14 characters', 'الحد الأقصى 14 حرفاً', 'BR-KSA-90');
      }
    } else if (i.exchangeRate !== undefined && !dec(i.exchangeRate).equals(ONE)) {
      f.input('exchangeRate', 'a SAR document has no exchange rate', 'المستند بالريال لا يحتاج سعر صرف', 'BR-KSA-88');
    }
  }),
];

/** Seller and buyer (BR-KSA-09, -37, -42, -63, -66, -81 and the buyer rules of checkBuyer). */
const PARTY_RULES: readonly InputRule[] = [
  rule('BR-KSA-09', (i, f) => {
    checkAddress(f, 'seller.address', i.seller.address, true, true);
    if (i.seller.address.country !== 'SA')
      f.input('seller.address.country', 'the seller address is in Saudi Arabia (SA)', 'عنوان البائع في المملكة (SA)', 'BR-KSA-09');
  }),
  rule('BR-KSA-42', (i, f) => {
    const exemptionCodes = new Set<string>();
    for (const l of i.lines) if (l.taxCategory.exemptionCode) exemptionCodes.add(l.taxCategory.exemptionCode);
    checkBuyer(f, i, i.buyer, exemptionCodes);
  }),
];

/** One exemption code per category: ZATCA allows one subtotal per category (BR-E-08, BR-Z-08, BR-O-08). */
function noteExemption(f: Findings, state: RunState, c: TaxCategory, field: string): void {
  if (c.exemptionCode === undefined) return;
  const seen = state.exemptionByCategory.get(c.code);
  if (!seen) state.exemptionByCategory.set(c.code, { code: c.exemptionCode, field });
  else if (seen.code !== c.exemptionCode) {
    f.combination(
      `${field}.exemptionCode`,
      `all ${c.code} items share one exemption code (found ${seen.code} at ${seen.field}); ZATCA allows one ${c.code} subtotal per invoice — issue separate invoices`,
      `كل بنود الفئة ${c.code} تشترك في رمز إعفاء واحد؛ أصدر فواتير منفصلة`,
      `BR-${c.code}-08`,
    );
  }
}

function uniqueLineId(f: Findings, state: RunState, field: string, id: string): void {
  if (state.ids.has(id)) f.input(field, `duplicate line id "${id}"`, `رقم بند مكرر "${id}"`, 'BR-21');
  state.ids.add(id);
}

/** Lines, document allowances/charges and prepayment adjustments (docs/zatca-notes.md §1.4), in document order. */
const LINE_RULES: readonly InputRule[] = [
  rule('BR-21 (lines)', (i, f, state) =>
    i.lines.forEach((line, n) => {
      const p = `lines[${n}]`;
      uniqueLineId(f, state, `${p}.id`, line.id ?? String(n + 1));
      checkPositive(f, `${p}.quantity`, line.quantity);
      checkDecimals(f, `${p}.quantity`, line.quantity, 6);
      checkDecimals(f, `${p}.unitPrice`, line.unitPrice, 6);
      checkPositive(f, `${p}.baseQuantity`, line.baseQuantity);
      checkDecimals(f, `${p}.baseQuantity`, line.baseQuantity, 6);
      checkDecimals(f, `${p}.priceDiscount`, line.priceDiscount, 6);
      if (line.priceDiscount !== undefined && dec(line.priceDiscount).greaterThan(dec(line.unitPrice)))
        f.input(`${p}.priceDiscount`, 'the discount cannot exceed the unit price', 'لا يتجاوز الخصم سعر الوحدة', 'BR-KSA-EN16931-07');
      if (/^\d+$/.test(line.name.trim())) f.input(`${p}.name`, 'an item name is not just digits', 'اسم الصنف لا يكون أرقاماً فقط', 'BR-KSA-F-C-01');
      checkCategory(f, `${p}.taxCategory`, line.taxCategory, true);
      noteExemption(f, state, line.taxCategory, `${p}.taxCategory`);
      line.allowanceCharges.forEach((ac, j) => {
        checkAllowanceCharge(f, `${p}.allowanceCharges[${j}]`, ac);
      });
    }),
  ),
  rule('BR-KSA-23 (document allowances and charges)', (i, f, state) =>
    i.allowanceCharges.forEach((ac, j) => {
      const p = `allowanceCharges[${j}]`;
      checkAllowanceCharge(f, p, ac);
      checkCategory(f, `${p}.taxCategory`, ac.taxCategory, false);
      noteExemption(f, state, ac.taxCategory, `${p}.taxCategory`);
      const c = ac.taxCategory.code;
      if (c !== 'S' && c !== 'O' && !state.exemptionByCategory.has(c) && !i.lines.some((l) => l.taxCategory.code === c))
        f.input(
          `${p}.taxCategory.exemptionCode`,
          `no ${c} line gives the exemption code; add one here`,
          `لا يوجد بند ${c} يحدد رمز الإعفاء؛ أضفه هنا`,
          c === 'Z' ? 'BR-KSA-69' : 'BR-KSA-23',
        );
    }),
  ),
  rule('BR-KSA-80', (i, f) => {
    if (i.prepaymentAdjustments.length > 0 && i.documentType !== 'invoice')
      f.combination(
        'prepaymentAdjustments',
        'prepayment adjustments belong on the final tax invoice (388)',
        'تسوية الدفعات المقدمة تكون في الفاتورة النهائية (388)',
        'BR-KSA-80, docs/zatca-notes.md §1.4',
      );
  }),
  rule('BR-KSA-79', (i, f, state) =>
    i.prepaymentAdjustments.forEach((pa, n) => {
      const p = `prepaymentAdjustments[${n}]`;
      uniqueLineId(f, state, `${p}.id`, pa.id ?? String(i.lines.length + n + 1));
      checkDate(f, `${p}.issueDate`, pa.issueDate);
      checkDecimals(f, `${p}.taxableAmount`, pa.taxableAmount, 2, 'BR-KSA-DEC-06');
      checkDecimals(f, `${p}.vatAmount`, pa.vatAmount, 2, 'BR-KSA-DEC-06');
      checkCategory(f, `${p}.taxCategory`, pa.taxCategory, true, true);
      if (pa.vatAmount === undefined) return;
      const rate = pa.taxCategory.rate === undefined ? (pa.taxCategory.code === 'S' ? FIFTEEN : ZERO) : dec(pa.taxCategory.rate);
      const expected = round2(dec(pa.taxableAmount).times(rate).dividedBy(HUNDRED));
      if (expected.minus(dec(pa.vatAmount)).abs().greaterThan(CENT))
        f.input(
          `${p}.vatAmount`,
          `must be taxableAmount × rate (${expected.toFixed(2)})`,
          `يجب أن يساوي المبلغ الخاضع × النسبة (${expected.toFixed(2)})`,
          'BR-KSA-79',
        );
    }),
  ),
  rule('BR-DEC-17', (i, f) => {
    if (i.payableRoundingAmount !== undefined) checkDecimals(f, 'payableRoundingAmount', i.payableRoundingAmount, 2, 'BR-DEC-17');
  }),
];

/** Every input rule, in the order its findings are reported. */
export const INPUT_RULES: readonly InputRule[] = [...DOCUMENT_RULES, ...DATE_AND_CURRENCY_RULES, ...PARTY_RULES, ...LINE_RULES];

/** Every finding for a schema-valid input; empty when the input can be computed and written. */
export function checkInvoiceRules(input: InvoiceInput): InputIssue[] {
  const f = new Findings();
  const state: RunState = { ids: new Set(), exemptionByCategory: new Map() };
  for (const r of INPUT_RULES) r.check(input, f, state);
  return f.list;
}
