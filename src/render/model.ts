// The layout model: what a printed document says, format-free — title, parties, facts, lines, VAT
// breakdown, totals, QR, small print — built from the XML's facts alone; HTML and PDF draw from it.
import { qrModules } from '../qr/image.js';
import type { DocumentContent, LineFacts, PartyFacts } from '../stamp/read.js';
import { amount, dateText, type Digits, isolate, type Lang, labelText, ltr, percent, plainNumber, splitBilingual, textLines } from './format.js';
import { type Bi, CATEGORY, EXEMPTION, flagLabels, ID_SCHEME, LABELS, PAYMENT_MEANS, titleOf } from './labels.js';

export type Format = 'a4' | 'receipt';

export interface Field {
  label: Bi;
  value: string;
  /** Identifiers, numbers and dates read left to right whatever the page direction. */
  ltr?: boolean;
  /** Free text (a reason) in the regular weight; values are bold otherwise. */
  plain?: boolean;
}

export interface PartyBlock {
  title: Bi;
  name: string[];
  fields: Field[];
  address: string[];
}

export type ColumnKey = 'no' | 'description' | 'quantity' | 'unitPrice' | 'discount' | 'taxable' | 'vatRate' | 'vatAmount' | 'total';

export interface LineRow {
  cells: Record<ColumnKey, string>;
  /** The item name in the languages shown (one or two lines). */
  description: string[];
  /** Sub-lines: allowances, charges, price discounts, the prepayment invoice. */
  details: string[];
}

export interface BreakdownRow {
  category: Bi;
  code: string;
  rate: string;
  taxable: string;
  vat: string;
  exemption: string[];
}

export interface TotalRow {
  label: Bi;
  value: string;
  strong?: boolean;
}

export interface InvoiceLayout {
  format: Format;
  lang: Lang;
  digits: Digits;
  /** Arabic-only printouts read right to left; English and bilingual ones left to right. */
  rtl: boolean;
  title: Bi;
  badges: Bi[];
  simplified: boolean;
  /** Reasons this is not a valid tax invoice; empty when it verifies. */
  invalid: Bi[];
  seller: PartyBlock;
  buyer?: PartyBlock;
  facts: Field[];
  currency: string;
  /** Which optional columns the lines need (discount only when a line has one). */
  columns: ColumnKey[];
  lines: LineRow[];
  breakdown: BreakdownRow[];
  totals: TotalRow[];
  /** The QR text and its modules (computed once for both renderers), or what to say when there is none. */
  qr: { text: string; modules: { size: number; data: Uint8Array } } | { missing: Bi };
  notes: string[];
  smallPrint: Field[];
  number: string;
}

export interface LayoutOptions {
  format: Format;
  lang: Lang;
  digits: Digits;
}

const nonZero = (v: string | undefined): v is string => v !== undefined && v !== '' && Number(v) !== 0;

function addressLines(a: PartyFacts['address'], lang: Lang): string[] {
  const pick = (t: string | undefined, which: 'ar' | 'en'): string | undefined => (t ? splitBilingual(t)[which] : undefined);
  const compose = (which: 'ar' | 'en'): string => {
    const sep = which === 'ar' ? '، ' : ', ';
    const street = [a.building, pick(a.street, which)].filter(Boolean).join(' ');
    const city = [pick(a.city, which), a.postalZone].filter(Boolean).join(' ');
    const plot = a.plot ? `${which === 'ar' ? 'الرقم الإضافي' : 'Additional no.'} ${a.plot}` : undefined;
    return [street, pick(a.additionalStreet, which), pick(a.district, which), city, pick(a.province, which), plot, a.country].filter(Boolean).join(sep);
  };
  const ar = compose('ar');
  const en = compose('en');
  if (!ar && !en) return [];
  if (ar === en || lang === 'en') return [en];
  return lang === 'ar' ? [ar] : [ar, en];
}

function partyBlock(title: Bi, p: PartyFacts, lang: Lang): PartyBlock {
  const fields: Field[] = [];
  if (p.vatNumber) fields.push({ label: LABELS.vatNumber, value: p.vatNumber, ltr: true });
  for (const id of p.ids) fields.push({ label: ID_SCHEME[id.scheme] ?? { en: id.scheme, ar: id.scheme }, value: id.value, ltr: true });
  return { title, name: textLines(p.name, lang), fields, address: addressLines(p.address, lang) };
}

function lineRow(line: LineFacts, o: LayoutOptions): LineRow {
  const d = o.digits;
  const allowances = line.allowanceCharges.filter((a) => !a.charge);
  const kv = (label: Bi, value: string): string => `${labelText(label, o.lang)}: ${ltr(value)}`;
  const details: string[] = [];
  for (const ac of line.allowanceCharges) {
    const value = `${amount(ac.amount, d)}${ac.percent ? ` (${percent(ac.percent, d)})` : ''}`;
    details.push(`${kv(ac.charge ? LABELS.charges : LABELS.discount, value)}${ac.reason ? ` — ${isolate(ac.reason)}` : ''}`);
  }
  if (nonZero(line.priceDiscount)) details.push(kv(LABELS.priceDiscount, amount(line.priceDiscount, d)));
  const pre = line.prepayment;
  if (pre) {
    const when = [pre.issueDate, pre.issueTime].filter(Boolean).join(' ');
    details.push(kv(LABELS.prepaymentOf, `${pre.id ?? ''}${when ? ` (${dateText(when, d)})` : ''}`));
    if (pre.subtotal) {
      details.push(
        `${kv(LABELS.taxable, amount(pre.subtotal.taxable, d))} · ${kv(LABELS.vatAmount, `${amount(pre.subtotal.tax, d)} (${percent(pre.subtotal.rate, d)})`)}`,
      );
    }
  }
  return {
    description: textLines(line.name, o.lang),
    details,
    cells: {
      no: line.id ?? '',
      description: line.name ?? '',
      quantity: plainNumber(line.quantity, d),
      unitPrice: amount(line.price, d),
      discount: allowances.length === 1 ? amount(allowances[0]!.amount, d) : allowances.length ? `${allowances.length}×` : '',
      taxable: amount(line.lineExtension, d),
      vatRate: line.category && line.category !== 'S' ? `${percent(line.rate ?? '0', d)} ${line.category}` : percent(line.rate, d),
      vatAmount: amount(line.vatAmount, d),
      total: amount(line.amountWithVat, d),
    },
  };
}

export function buildLayout(c: DocumentContent, invalid: Bi[], o: LayoutOptions): InvoiceLayout {
  const d = o.digits;
  const simplified = c.typeName?.startsWith('02') ?? false;
  const note = c.typeCode === '381' || c.typeCode === '383';
  const currency = c.currency ?? '';
  const facts = factsOf(c, note, currency, o);

  const lines = c.lines.map((l) => lineRow(l, o));
  const hasDiscount = c.lines.some((l) => l.allowanceCharges.some((a) => !a.charge));
  const columns: ColumnKey[] = [
    'no',
    'description',
    'quantity',
    'unitPrice',
    ...(hasDiscount ? (['discount'] as const) : []),
    'taxable',
    'vatRate',
    'vatAmount',
    'total',
  ];

  const docTaxTotal =
    c.taxTotals.find((t) => t.subtotals.length && t.currency === currency) ?? c.taxTotals.find((t) => t.currency === currency) ?? c.taxTotals[0];
  const sarTaxTotal = c.taxTotals.find((t) => !t.subtotals.length && t.currency === 'SAR');
  const breakdown: BreakdownRow[] = (c.taxTotals.find((t) => t.subtotals.length)?.subtotals ?? []).map((s) => {
    const reason = s.exemptionReason ? textLines(s.exemptionReason, o.lang) : [];
    const known = s.exemptionCode ? EXEMPTION[s.exemptionCode] : undefined;
    const exemption = reason.length ? reason : known ? textLines(`${known.ar} | ${known.en}`, o.lang) : [];
    return {
      category: CATEGORY[s.category ?? ''] ?? { en: s.category ?? '', ar: s.category ?? '' },
      code: [s.category, s.exemptionCode].filter(Boolean).join(' · '),
      rate: percent(s.rate ?? (s.category && s.category !== 'S' ? '0' : undefined), d),
      taxable: amount(s.taxable, d),
      vat: amount(s.tax, d),
      exemption,
    };
  });

  const money = (v: string | undefined, cur = currency): string => (v ? `${amount(v, d)} ${cur}` : '');
  const t = c.totals;
  const totals: TotalRow[] = [{ label: LABELS.totalExclVat, value: money(t.lineExtension) }];
  if (nonZero(t.allowanceTotal)) totals.push({ label: LABELS.allowances, value: money(t.allowanceTotal) });
  if (nonZero(t.chargeTotal)) totals.push({ label: LABELS.charges, value: money(t.chargeTotal) });
  totals.push({ label: LABELS.taxableTotal, value: money(t.taxExclusive) });
  totals.push({ label: LABELS.vatTotal, value: money(docTaxTotal?.amount, docTaxTotal?.currency ?? currency) });
  totals.push({ label: LABELS.totalInclVat, value: money(t.taxInclusive) });
  if (nonZero(t.prepaid)) totals.push({ label: LABELS.prepaid, value: money(t.prepaid) });
  if (nonZero(t.payableRounding)) totals.push({ label: LABELS.rounding, value: money(t.payableRounding) });
  totals.push({ label: LABELS.payable, value: money(t.payable), strong: true });
  if (currency !== 'SAR' && sarTaxTotal) totals.push({ label: LABELS.vatInSar, value: money(sarTaxTotal.amount, 'SAR'), strong: true });

  const standardLike = !simplified;
  const hasBuyer = c.buyer && (c.buyer.name || c.buyer.vatNumber || c.buyer.ids.length);
  return {
    format: o.format,
    lang: o.lang,
    digits: d,
    rtl: o.lang === 'ar',
    title: titleOf(c.typeCode, simplified),
    badges: flagLabels(c.typeName),
    simplified,
    invalid,
    seller: partyBlock(LABELS.seller, c.seller, o.lang),
    ...(hasBuyer && { buyer: partyBlock(LABELS.buyer, c.buyer!, o.lang) }),
    facts,
    currency,
    columns,
    lines,
    breakdown,
    totals,
    qr: c.qr ? { text: c.qr, modules: qrModules(c.qr) } : { missing: standardLike ? LABELS.qrMissingStandard : LABELS.qrMissing },
    notes: c.notes,
    smallPrint: [
      { label: LABELS.uuid, value: c.uuid ?? '', ltr: true },
      { label: LABELS.icv, value: c.icv ?? '', ltr: true },
    ],
    number: c.id ?? '',
  };
}

/** The document's facts block: number, dates, references, reasons, currency and payment means. */
function factsOf(c: DocumentContent, note: boolean, currency: string, o: LayoutOptions): Field[] {
  const d = o.digits;
  const facts: Field[] = [
    { label: note ? LABELS.noteNumber : LABELS.invoiceNumber, value: c.id ?? '', ltr: true },
    { label: LABELS.issueDate, value: dateText(c.issueDate, d), ltr: true },
    { label: LABELS.issueTime, value: dateText(c.issueTime, d), ltr: true },
  ];
  if (c.supplyDate) facts.push({ label: LABELS.supplyDate, value: dateText(c.supplyDate, d), ltr: true });
  if (c.supplyEndDate) facts.push({ label: LABELS.supplyEndDate, value: dateText(c.supplyEndDate, d), ltr: true });
  for (const ref of c.billingReferences) {
    if (ref.id) facts.push({ label: LABELS.originalInvoice, value: ref.id + (ref.issueDate ? ` (${dateText(ref.issueDate, d)})` : ''), ltr: true });
  }
  for (const reason of c.instructionNotes) if (reason) facts.push({ label: LABELS.reason, value: textLines(reason, o.lang).join('\n'), plain: true });
  facts.push({ label: LABELS.currency, value: currency, ltr: true });
  if (c.exchangeRate) facts.push({ label: LABELS.exchangeRate, value: plainNumber(c.exchangeRate, d), ltr: true });
  const means = c.paymentMeans.map((m) => PAYMENT_MEANS[m] ?? { en: m, ar: m });
  if (means.length)
    facts.push({ label: LABELS.paymentMeans, value: means.map((m) => (o.lang === 'en' ? m.en : o.lang === 'ar' ? m.ar : `${m.en} · ${m.ar}`)).join(', ') });
  return facts;
}
