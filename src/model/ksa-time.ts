// KSA local time, the one home: the issue date and time written into a document, a KSA calendar day's
// start as an instant, and dates or instants given by a person (CLI flags, HTTP query strings).

/** Saudi Arabia's UTC offset (no daylight saving): issue times and day boundaries are KSA local time. */
export const KSA_OFFSET_MS = 3 * 3600_000;
const DAY_MS = 86_400_000;
const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The issue date and time written for an instant, in KSA local time without a zone — how ZATCA's
 * rules read them (BR-KSA-04, BR-KSA-98; docs/invoice-json.md). The XAdES signing time stays UTC.
 */
export function issueDateTime(at: Date): { issueDate: string; issueTime: string } {
  const iso = new Date(at.getTime() + KSA_OFFSET_MS).toISOString();
  return { issueDate: iso.slice(0, 10), issueTime: iso.slice(11, 19) };
}

/** `YYYY-MM-DD` for year, month and day, normalising overflow (day 0 = the month before's last day). */
export function calendarDay(year: number, month: number, day: number): string {
  return new Date(Date.UTC(year, month - 1, day)).toISOString().slice(0, 10);
}

/** True for a real calendar date written `YYYY-MM-DD` (2026-02-30 is not one). */
export function isCalendarDate(text: string): boolean {
  const m = CALENDAR_DATE.exec(text);
  return m !== null && calendarDay(Number(m[1]), Number(m[2]), Number(m[3])) === text;
}

/** The day after a `YYYY-MM-DD` date. */
export function nextDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return calendarDay(y, m, d + 1);
}

/** The instant a KSA calendar day starts (00:00 in Riyadh = 21:00 UTC the day before). */
export function ksaDayStart(date: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d) - KSA_OFFSET_MS);
}

/**
 * A date or instant a person typed: `YYYY-MM-DD` is that KSA day's start (as issue dates are KSA
 * days), anything else must be an ISO 8601 instant. Undefined when the text is neither.
 */
export function instantFromText(text: string): Date | undefined {
  if (CALENDAR_DATE.test(text)) return isCalendarDate(text) ? ksaDayStart(text) : undefined;
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** A KSA month (`YYYY-MM`) or day (`YYYY-MM-DD`) as a half-open range of instants; undefined otherwise. */
export function ksaRange(text: string): { from: Date; to: Date } | undefined {
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(text);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) return undefined;
  const [y, mo] = [Number(m[1]), Number(m[2])];
  if (m[3] !== undefined) {
    if (!isCalendarDate(text)) return undefined;
    const from = ksaDayStart(text);
    return { from, to: new Date(from.getTime() + DAY_MS) };
  }
  return { from: ksaDayStart(calendarDay(y, mo, 1)), to: ksaDayStart(calendarDay(y, mo + 1, 1)) };
}

/** The instant of a KSA local issue date and time as documents write them; undefined when not a real date and time. */
export function ksaLocalToInstant(issueDate: string, issueTime: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(issueDate) || !/^\d{2}:\d{2}:\d{2}$/.test(issueTime)) return undefined;
  const at = new Date(`${issueDate}T${issueTime}Z`);
  if (Number.isNaN(at.getTime()) || at.toISOString().slice(0, 19) !== `${issueDate}T${issueTime}`) return undefined;
  return new Date(at.getTime() - KSA_OFFSET_MS);
}
