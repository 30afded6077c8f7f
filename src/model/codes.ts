// ZATCA code lists the input model uses: document types, KSA-2 flag positions, VAT categories and
// their exemption codes with default bilingual texts, party ID schemes, payment means (docs/zatca-notes.md §1–§3).

/** BT-3 InvoiceTypeCode by our document names (BR-KSA-05 allows exactly these four). */
export const DOCUMENT_TYPE_CODES = {
  invoice: '388',
  creditNote: '381',
  debitNote: '383',
  prepayment: '386',
} as const;
export type DocumentType = keyof typeof DOCUMENT_TYPE_CODES;
export const DOCUMENT_TYPES = Object.keys(DOCUMENT_TYPE_CODES) as DocumentType[];

/** Positions 1–2 of KSA-2: `01` standard (cleared), `02` simplified (reported) — docs/zatca-notes.md §1.2. */
export const INVOICE_KIND_PREFIX = { standard: '01', simplified: '02' } as const;
export type InvoiceKind = keyof typeof INVOICE_KIND_PREFIX;

/** VAT categories ZATCA accepts (BR-KSA-18): no AE/K/G/L/M/B, and no reverse charge. */
export const TAX_CATEGORY_CODES = ['S', 'Z', 'E', 'O'] as const;
export type TaxCategoryCode = (typeof TAX_CATEGORY_CODES)[number];

/** A standard VAT rate and the first day it applies (KSA calendar date). */
export interface RatePeriod {
  from: string;
  rate: string;
}

/**
 * KSA's standard rate (category S) by the day it applies from: 5% since VAT began on 2018-01-01 and
 * 15% from 2020-07-01 (docs/zatca-notes.md, "VAT rates"). A rate change is a new row here, nothing else.
 * Z, E and O are always 0. BR-KSA-84 accepts exactly these rates on S (5 still appears on
 * prepayments invoiced before the change).
 */
export const STANDARD_RATE_PERIODS: readonly RatePeriod[] = [
  { from: '2018-01-01', rate: '5' },
  { from: '2020-07-01', rate: '15' },
];

/** The standard rate in force on a KSA date (`YYYY-MM-DD`); the first period's rate before it. */
export function standardRateOn(date: string): string {
  let rate = STANDARD_RATE_PERIODS[0]!.rate;
  for (const p of STANDARD_RATE_PERIODS) if (p.from <= date) rate = p.rate;
  return rate;
}

/** Every standard rate that has applied (what BR-KSA-84 accepts on category S). */
export const STANDARD_RATES: readonly string[] = [...new Set(STANDARD_RATE_PERIODS.map((p) => p.rate))];

/** The newest period's rate: what a category S without a rate means unless its date says otherwise. */
export const LATEST_STANDARD_RATE = STANDARD_RATE_PERIODS[STANDARD_RATE_PERIODS.length - 1]!.rate;

export interface ExemptionText {
  en: string;
  ar: string;
}

/**
 * Exemption reason codes per category (BR-KSA-CL-04 list, docs/zatca-notes.md §3) with the default text written
 * when the input gives none. English texts are ZATCA's wording (docs/zatca-notes.md §3 table); Arabic texts marked
 * "(sample)" are the ones ZATCA's samples use, the others are our translation.
 */
export const EXEMPTION_CODES: Record<'E' | 'Z' | 'O', Record<string, ExemptionText>> = {
  E: {
    'VATEX-SA-29': {
      en: 'Financial services mentioned in Article 29 of the VAT Regulations',
      ar: 'الخدمات المالية المذكورة في المادة 29 من اللائحة التنفيذية لنظام ضريبة القيمة المضافة',
    },
    // (sample) Exempt Tax Invoice
    'VATEX-SA-29-7': { en: 'Life insurance services mentioned in Article 29 of the VAT Regulations', ar: 'عقد تأمين على الحياة' },
    'VATEX-SA-30': {
      en: 'Real estate transactions mentioned in Article 30 of the VAT Regulations',
      ar: 'التوريدات العقارية المذكورة في المادة 30 من اللائحة التنفيذية لنظام ضريبة القيمة المضافة',
    },
  },
  Z: {
    // (sample) Export invoice
    'VATEX-SA-32': { en: 'Export of goods', ar: 'صادرات السلع من المملكة' },
    'VATEX-SA-33': { en: 'Export of services', ar: 'صادرات الخدمات من المملكة' },
    'VATEX-SA-34-1': { en: 'The international transport of Goods', ar: 'النقل الدولي للسلع' },
    'VATEX-SA-34-2': { en: 'International transport of passengers', ar: 'النقل الدولي للركاب' },
    'VATEX-SA-34-3': {
      en: 'Services directly connected and incidental to a Supply of international passenger transport',
      ar: 'الخدمات المرتبطة مباشرة أو عرضياً بتوريد النقل الدولي للركاب',
    },
    'VATEX-SA-34-4': { en: 'Supply of a qualifying means of transport', ar: 'توريد وسائل النقل المؤهلة' },
    'VATEX-SA-34-5': {
      en: 'Any services relating to Goods or passenger transportation, as defined in article twenty five of these Regulations',
      ar: 'الخدمات ذات الصلة بنقل السلع أو الركاب وفقاً للتعريف الوارد في المادة الخامسة والعشرين من اللائحة',
    },
    // (sample) Simplified Tax Invoice with Zero Rated Item
    'VATEX-SA-35': { en: 'Medicines and medical equipment', ar: 'الأدوية والمعدات الطبية' },
    'VATEX-SA-36': { en: 'Qualifying metals', ar: 'المعادن المؤهلة' },
    'VATEX-SA-EDU': { en: 'Private education to citizen', ar: 'الخدمات التعليمية الخاصة للمواطن' },
    'VATEX-SA-HEA': { en: 'Private healthcare to citizen', ar: 'الخدمات الصحية الخاصة للمواطن' },
    'VATEX-SA-MLTRY': { en: 'Supply of qualified military goods', ar: 'توريد السلع العسكرية المؤهلة' },
    // The next four codes are in BR-KSA-CL-04's list but no ZATCA text was found (docs/zatca-notes.md §3: unverified).
    'VATEX-SA-DIPLOMAT': { en: 'Supplies to diplomatic missions', ar: 'التوريدات للبعثات الدبلوماسية' },
    'VATEX-SA-DUTYFREE': { en: 'Duty-free shop supplies', ar: 'توريدات الأسواق الحرة' },
    'VATEX-SA-ROYALDECREE': { en: 'Supplies zero-rated by Royal Decree', ar: 'توريدات خاضعة لنسبة الصفر بموجب أمر ملكي' },
    'VATEX-SA-32(bis)': { en: 'Export of goods (Article 32 bis)', ar: 'صادرات السلع (المادة 32 مكرر)' },
  },
  O: {
    // (sample) Out of Scope Standard Tax Invoice
    'VATEX-SA-OOS': { en: 'Services outside scope of tax / Not subject to VAT', ar: 'التوريدات الغير خاضعة للضريبة' },
  },
};

/** Codes missing from the prepayment-line list BR-KSA-CL-07 (docs/zatca-notes.md §3). */
export const NOT_FOR_PREPAYMENT = new Set(['VATEX-SA-ROYALDECREE', 'VATEX-SA-32(bis)']);

/** Default exemption text in the samples' bilingual form `English | Arabic`. */
export function defaultExemptionReason(code: string): string | undefined {
  for (const list of Object.values(EXEMPTION_CODES)) {
    const t = list[code];
    if (t) return `${t.en} | ${t.ar}`;
  }
  return undefined;
}

/** Seller PartyIdentification schemes, in BR-KSA-08's priority order. */
export const SELLER_ID_SCHEMES = ['CRN', 'MOM', 'MLS', 'SAG', 'OTH', '700'] as const;
/** Buyer PartyIdentification schemes (BR-KSA-14). */
export const BUYER_ID_SCHEMES = ['TIN', 'CRN', 'MOM', 'MLS', '700', 'SAG', 'NAT', 'GCC', 'IQA', 'PAS', 'OTH'] as const;

/** UNTDID 4461 subset BR-KSA-16 accepts: 1–68, 70, 74–78, 91–97, ZZZ. */
export const PAYMENT_MEANS_CODES: ReadonlySet<string> = new Set([
  ...Array.from({ length: 68 }, (_, i) => String(i + 1)),
  '70',
  '74',
  '75',
  '76',
  '77',
  '78',
  '91',
  '92',
  '93',
  '94',
  '95',
  '96',
  '97',
  'ZZZ',
]);

/** Payment means written on notes when the input names none: UNTDID 4461 `1` "instrument not defined". */
export const DEFAULT_NOTE_PAYMENT_MEANS = '1';
