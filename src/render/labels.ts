// Every word a printout shows, in Arabic and English: titles by type and kind, field labels, VAT
// categories, exemption reasons (codes of BR-KSA-CL-04), payment means and party id schemes.
import type { ColumnKey } from './model.js';

export interface Bi {
  ar: string;
  en: string;
}

const bi = (en: string, ar: string): Bi => ({ en, ar });

export const LABELS = {
  invoiceNumber: bi('Invoice number', 'رقم الفاتورة'),
  noteNumber: bi('Note number', 'رقم الإشعار'),
  issueDate: bi('Issue date', 'تاريخ الإصدار'),
  issueTime: bi('Issue time', 'وقت الإصدار'),
  supplyDate: bi('Date of supply', 'تاريخ التوريد'),
  supplyEndDate: bi('Supply end date', 'تاريخ نهاية التوريد'),
  currency: bi('Currency', 'العملة'),
  exchangeRate: bi('Exchange rate to SAR', 'سعر الصرف إلى الريال'),
  originalInvoice: bi('Original invoice', 'الفاتورة الأصلية'),
  reason: bi('Reason', 'سبب الإصدار'),
  paymentMeans: bi('Payment method', 'طريقة الدفع'),
  seller: bi('Seller', 'البائع'),
  buyer: bi('Buyer', 'المشتري'),
  name: bi('Name', 'الاسم'),
  vatNumber: bi('VAT number', 'الرقم الضريبي'),
  address: bi('Address', 'العنوان'),
  lineNo: bi('#', 'م'),
  description: bi('Description', 'الوصف'),
  quantity: bi('Qty', 'الكمية'),
  unitPrice: bi('Unit price', 'سعر الوحدة'),
  discount: bi('Discount', 'الخصم'),
  priceDiscount: bi('Price discount per unit', 'خصم السعر للوحدة'),
  taxable: bi('Taxable amount', 'المبلغ الخاضع للضريبة'),
  vatRate: bi('VAT %', 'نسبة الضريبة'),
  vatAmount: bi('VAT amount', 'مبلغ الضريبة'),
  lineTotal: bi('Total incl. VAT', 'المجموع شامل الضريبة'),
  category: bi('VAT category', 'فئة الضريبة'),
  exemption: bi('Exemption reason', 'سبب الإعفاء'),
  vatBreakdown: bi('VAT breakdown', 'تفاصيل ضريبة القيمة المضافة'),
  totals: bi('Totals', 'الإجماليات'),
  totalExclVat: bi('Total excl. VAT', 'الإجمالي غير شامل الضريبة'),
  allowances: bi('Discounts', 'الخصومات'),
  charges: bi('Charges', 'الرسوم'),
  taxableTotal: bi('Taxable amount', 'الإجمالي الخاضع للضريبة'),
  vatTotal: bi('Total VAT', 'مجموع ضريبة القيمة المضافة'),
  totalInclVat: bi('Total incl. VAT', 'الإجمالي شامل الضريبة'),
  prepaid: bi('Prepaid amount', 'المبلغ المدفوع مقدماً'),
  rounding: bi('Rounding', 'التقريب'),
  payable: bi('Amount payable', 'المبلغ المستحق'),
  vatInSar: bi('VAT in SAR', 'الضريبة بالريال السعودي'),
  prepaymentOf: bi('Prepayment invoice', 'فاتورة الدفعة المقدمة'),
  icv: bi('Invoice counter (ICV)', 'عداد الفاتورة'),
  uuid: bi('UUID', 'المعرف الفريد'),
  page: bi('Page', 'صفحة'),
  notes: bi('Notes', 'ملاحظات'),
  qrMissing: bi('This document carries no QR code', 'لا يحمل هذا المستند رمز الاستجابة السريعة'),
  qrMissingStandard: bi('No QR code: not cleared by ZATCA', 'لا يوجد رمز استجابة سريعة: لم تعتمده الهيئة'),
  invalid: bi('NOT A VALID TAX INVOICE', 'ليست فاتورة ضريبية صالحة'),
} as const;

/** Title by InvoiceTypeCode (388/381/383/386) and kind (KSA-2 `01…` standard, `02…` simplified). */
export function titleOf(typeCode: string | undefined, simplified: boolean): Bi {
  switch (typeCode) {
    case '381':
      return simplified ? bi('Simplified Credit Note', 'إشعار دائن مبسط') : bi('Credit Note', 'إشعار دائن');
    case '383':
      return simplified ? bi('Simplified Debit Note', 'إشعار مدين مبسط') : bi('Debit Note', 'إشعار مدين');
    case '386':
      return simplified
        ? bi('Simplified Tax Invoice (Prepayment)', 'فاتورة ضريبية مبسطة (دفعة مقدمة)')
        : bi('Tax Invoice (Prepayment)', 'فاتورة ضريبية (دفعة مقدمة)');
    default:
      return simplified ? bi('Simplified Tax Invoice', 'فاتورة ضريبية مبسطة') : bi('Tax Invoice', 'فاتورة ضريبية');
  }
}

/** KSA-2 positions 3–7: third party, nominal, export, summary, self-billed. */
export function flagLabels(typeName: string | undefined): Bi[] {
  const flags = [
    bi('Third-party invoice', 'فاتورة طرف ثالث'),
    bi('Nominal supply', 'توريد اعتباري'),
    bi('Export invoice', 'فاتورة تصدير'),
    bi('Summary invoice', 'فاتورة ملخصة'),
    bi('Self-billed invoice', 'فاتورة ذاتية'),
  ];
  return flags.filter((_, i) => typeName?.[i + 2] === '1');
}

export const CATEGORY: Record<string, Bi> = {
  S: bi('Standard rate', 'النسبة الأساسية'),
  Z: bi('Zero rated', 'نسبة صفرية'),
  E: bi('Exempt', 'معفى'),
  O: bi('Out of scope', 'خارج نطاق الضريبة'),
};

/** Exemption reason codes and their wording (BR-KSA-CL-04's list); our Arabic. */
export const EXEMPTION: Record<string, Bi> = {
  'VATEX-SA-29': bi('Financial services mentioned in Article 29 of the VAT Regulations', 'الخدمات المالية المذكورة في المادة 29 من اللائحة التنفيذية'),
  'VATEX-SA-29-7': bi(
    'Life insurance services mentioned in Article 29 of the VAT Regulations',
    'خدمات التأمين على الحياة المذكورة في المادة 29 من اللائحة التنفيذية',
  ),
  'VATEX-SA-30': bi('Real estate transactions mentioned in Article 30 of the VAT Regulations', 'التوريدات العقارية المذكورة في المادة 30 من اللائحة التنفيذية'),
  'VATEX-SA-32': bi('Export of goods', 'صادرات السلع من المملكة'),
  'VATEX-SA-33': bi('Export of services', 'صادرات الخدمات من المملكة'),
  'VATEX-SA-34-1': bi('The international transport of Goods', 'النقل الدولي للسلع'),
  'VATEX-SA-34-2': bi('International transport of passengers', 'النقل الدولي للركاب'),
  'VATEX-SA-34-3': bi(
    'Services directly connected and incidental to a Supply of international passenger transport',
    'الخدمات المرتبطة مباشرة أو عرضياً بتوريد النقل الدولي للركاب',
  ),
  'VATEX-SA-34-4': bi('Supply of a qualifying means of transport', 'توريد وسائل النقل المؤهلة'),
  'VATEX-SA-34-5': bi(
    'Any services relating to Goods or passenger transportation, as defined in article twenty five of these Regulations',
    'الخدمات المتعلقة بنقل السلع أو الركاب وفق المادة الخامسة والعشرين من اللائحة التنفيذية',
  ),
  'VATEX-SA-35': bi('Medicines and medical equipment', 'الأدوية والمعدات الطبية'),
  'VATEX-SA-36': bi('Qualifying metals', 'المعادن المؤهلة'),
  'VATEX-SA-EDU': bi('Private education to citizen', 'التعليم الخاص للمواطنين'),
  'VATEX-SA-HEA': bi('Private healthcare to citizen', 'الرعاية الصحية الخاصة للمواطنين'),
  'VATEX-SA-MLTRY': bi('Supply of qualified military goods', 'توريد السلع العسكرية المؤهلة'),
  'VATEX-SA-OOS': bi('Not subject to VAT', 'غير خاضع لضريبة القيمة المضافة'),
};

/** UNTDID 4461 codes ZATCA's samples use. */
export const PAYMENT_MEANS: Record<string, Bi> = {
  '1': bi('Not defined', 'غير محدد'),
  '10': bi('Cash', 'نقداً'),
  '30': bi('Credit transfer', 'تحويل دائن'),
  '42': bi('Payment to bank account', 'دفع إلى حساب بنكي'),
  '48': bi('Bank card', 'بطاقة بنكية'),
  '49': bi('Direct debit', 'خصم مباشر'),
  '58': bi('SEPA credit transfer', 'تحويل SEPA'),
  '59': bi('SEPA direct debit', 'خصم SEPA'),
};

/** Party identification schemes (BR-KSA-08 list). */
export const ID_SCHEME: Record<string, Bi> = {
  CRN: bi('CR number', 'رقم السجل التجاري'),
  MOM: bi('MOMRAH licence', 'ترخيص وزارة البلديات'),
  MLS: bi('MHRSD licence', 'ترخيص وزارة الموارد البشرية'),
  '700': bi('700 number', 'الرقم الموحد 700'),
  SAG: bi('MISA licence', 'ترخيص وزارة الاستثمار'),
  NAT: bi('National ID', 'رقم الهوية الوطنية'),
  GCC: bi('GCC ID', 'هوية خليجية'),
  IQA: bi('Iqama number', 'رقم الإقامة'),
  PAS: bi('Passport number', 'رقم جواز السفر'),
  TIN: bi('Tax identification number', 'الرقم المميز'),
  OTH: bi('Other ID', 'معرف آخر'),
};

/** Why a document is not a valid tax invoice (the band's reasons). */
export const PROBLEMS = {
  notInvoice: bi(
    'not a ZATCA e-invoice (UBL 2.1 Invoice with reporting:1.0 and a KSA-2 type)',
    'ليست فاتورة إلكترونية وفق متطلبات هيئة الزكاة والضريبة والجمارك',
  ),
  unsigned: bi('not signed (no cryptographic stamp)', 'غير موقعة (لا يوجد ختم تشفيري)'),
  verification: (ids: string): Bi => bi(`verification failed: ${ids}`, `فشل التحقق: ${ids}`),
} as const;

/** The heading of each line-table column, for the print HTML and the A4 PDF alike. */
export const COLUMN_LABEL: Record<ColumnKey, Bi> = {
  no: LABELS.lineNo,
  description: LABELS.description,
  quantity: LABELS.quantity,
  unitPrice: LABELS.unitPrice,
  discount: LABELS.discount,
  taxable: LABELS.taxable,
  vatRate: LABELS.vatRate,
  vatAmount: LABELS.vatAmount,
  total: LABELS.lineTotal,
};
