// The console's two languages: every word it shows in English and Arabic, and how numbers, amounts
// and instants are written in each (Gregorian calendar, KSA time zone; Arabic-Indic digits in Arabic).
import { amount, localDigits } from '../../render/format.js';

export type Locale = 'en' | 'ar';
export const isLocale = (v: unknown): v is Locale => v === 'en' || v === 'ar';

/** Saudi Arabia keeps one time zone without daylight saving (UTC+3). */
export const KSA_TIME_ZONE = 'Asia/Riyadh';

const dateFormats = {
  en: new Intl.DateTimeFormat('en-GB', { timeZone: KSA_TIME_ZONE, dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' }),
  // ar-SA alone means the Umm al-Qura calendar; ZATCA's dates are Gregorian.
  ar: new Intl.DateTimeFormat('ar-SA-u-ca-gregory-nu-arab', { timeZone: KSA_TIME_ZONE, dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' }),
};
const dayFormats = {
  en: new Intl.DateTimeFormat('en-GB', { timeZone: KSA_TIME_ZONE, dateStyle: 'medium' }),
  ar: new Intl.DateTimeFormat('ar-SA-u-ca-gregory-nu-arab', { timeZone: KSA_TIME_ZONE, dateStyle: 'medium' }),
};

/** An instant in KSA time, or a dash. */
export function fmtInstant(iso: string | null | undefined, locale: Locale): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : dateFormats[locale].format(t);
}

export function fmtDay(iso: string | null | undefined, locale: Locale): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : dayFormats[locale].format(t);
}

/** A decimal amount as written (never through a float), grouped, with the locale's digits. */
export function fmtAmount(text: string | null | undefined, locale: Locale): string {
  return text === null || text === undefined ? '—' : amount(text, locale === 'ar' ? 'arabic' : 'latin');
}

export function fmtNumber(n: number | null | undefined, locale: Locale): string {
  if (n === null || n === undefined) return '—';
  return localDigits(n.toLocaleString('en-US'), locale === 'ar' ? 'arabic' : 'latin');
}

/** A duration in minutes as hours and minutes ("1 h 05 min" / "١ س ٠٥ د"); negative: overdue by. */
export function fmtMinutes(minutes: number, locale: Locale): string {
  const m = Math.abs(Math.round(minutes));
  const text =
    locale === 'ar' ? `${Math.floor(m / 60)} س ${String(m % 60).padStart(2, '0')} د` : `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
  return localDigits(text, locale === 'ar' ? 'arabic' : 'latin');
}
