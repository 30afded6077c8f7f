// How values are written on a printout: amounts grouped as written in the XML (never recomputed),
// Latin or Arabic-Indic digits, and "Arabic | English" texts split by the language shown.
import type { Bi } from './labels.js';

export type Lang = 'ar' | 'en' | 'both';
export type Digits = 'latin' | 'arabic';

const ARABIC_INDIC = '٠١٢٣٤٥٦٧٨٩';

/** A value that reads left to right wherever it stands (numbers, dates, identifiers): a UAX #9 isolate. */
export const ltr = (value: string): string => `\u2066${value}\u2069`;

/** Text of unknown direction (names, reasons) kept from reordering its neighbours: first-strong isolate. */
export const isolate = (value: string): string => `\u2068${value}\u2069`;

/** Digits, decimal point and grouping comma in the configured script (U+066B, U+066C for Arabic). */
export function localDigits(text: string, digits: Digits): string {
  if (digits === 'latin') return text;
  return text.replace(/[0-9.,%]/g, (c) => (c === '.' ? '٫' : c === ',' ? '٬' : c === '%' ? '٪' : ARABIC_INDIC[c.charCodeAt(0) - 48]!));
}

/** An amount as written (`1234.50` → `1,234.50`); blank stays blank. */
export function amount(text: string | undefined, digits: Digits): string {
  if (text === undefined || text === '') return '';
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(text.trim());
  if (!m) return text;
  const grouped = m[2]!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return localDigits(`${m[1]}${grouped}${m[3] ?? ''}`, digits);
}

/** A quantity or rate without trailing zeros (`2.000000` → `2`, `15.00` → `15`). */
export function plainNumber(text: string | undefined, digits: Digits): string {
  if (text === undefined || text === '') return '';
  const t = text.trim();
  const trimmed = /^-?\d+\.\d+$/.test(t) ? t.replace(/0+$/, '').replace(/\.$/, '') : t;
  return localDigits(trimmed, digits);
}

export function percent(text: string | undefined, digits: Digits): string {
  const p = plainNumber(text, digits);
  return p ? `${p}${digits === 'arabic' ? '٪' : '%'}` : '';
}

/** Dates and times as written in the XML (ISO order), in the configured digits. */
export function dateText(text: string | undefined, digits: Digits): string {
  return text ? localDigits(text, digits) : '';
}

const ARABIC = /[\u0600-\u06ff]/;

/**
 * The parts of a bilingual text written `Arabic | English` (ZATCA's samples and our writer join
 * names that way); a text that is not such a pair comes back whole as both.
 */
export function splitBilingual(text: string): Bi {
  const parts = text.split(' | ');
  if (parts.length === 2) {
    const [a, b] = parts as [string, string];
    if (ARABIC.test(a) && !ARABIC.test(b)) return { ar: a.trim(), en: b.trim() };
    if (ARABIC.test(b) && !ARABIC.test(a)) return { ar: b.trim(), en: a.trim() };
  }
  return { ar: text, en: text };
}

/** The lines a text takes in the language shown: one, or Arabic then English when both differ. */
export function textLines(text: string | undefined, lang: Lang): string[] {
  if (!text) return [];
  const split = splitBilingual(text);
  if (split.ar === split.en) return [text];
  if (lang === 'ar') return [split.ar];
  if (lang === 'en') return [split.en];
  return [split.ar, split.en];
}

/** A label in the language shown (`both`: English · Arabic). */
export function labelText(label: Bi, lang: Lang): string {
  return lang === 'ar' ? label.ar : lang === 'en' ? label.en : `${label.en} · ${label.ar}`;
}
