// VAT periods: a quarter (`2026-Q3`), a month (`2026-11`) or an explicit date range. Documents
// belong to a period by their issue date as written in the XML (KSA local time), as ZATCA reads it.
import { calendarDay, isCalendarDate, nextDay } from '../model/ksa-time.js';
import { ReportError } from './errors.js';

export interface Period {
  /** `2026-Q3`, `2026-11` or `2026-01-05..2026-02-10`. */
  label: string;
  /** First day, inclusive (YYYY-MM-DD). */
  from: string;
  /** Last day, inclusive (YYYY-MM-DD). */
  to: string;
  /** The day after `to`: queries compare `issue_date < toExclusive` as text. */
  toExclusive: string;
}

const day = calendarDay;

function validDate(value: string, field: string): string {
  if (!isCalendarDate(value)) {
    throw new ReportError('INVALID_PERIOD', `${field} must be a date YYYY-MM-DD; got "${value}"`, {
      field,
      messageAr: `${field} يجب أن يكون تاريخاً بالصيغة YYYY-MM-DD`,
    });
  }
  return value;
}

/** What the caller calls the three inputs: CLI options, or an HTTP route's query fields (never a CLI flag there). */
export interface PeriodFieldNames {
  period: string;
  from: string;
  to: string;
}

export const CLI_PERIOD_FIELDS: PeriodFieldNames = { period: '--period', from: '--from', to: '--to' };

/** A period from `period` (quarter or month) or `from`/`to` (inclusive dates); errors name the fields as `names` says. */
export function parsePeriod(
  input: { period?: string | undefined; from?: string | undefined; to?: string | undefined },
  names: PeriodFieldNames = CLI_PERIOD_FIELDS,
): Period {
  const { period: P, from: F, to: T } = names;
  const p = input.period?.trim();
  if (p && (input.from || input.to)) {
    throw new ReportError('INVALID_PERIOD', `give either ${P} or ${F}/${T}, not both`, {
      field: P,
      messageAr: `حدد ${P} أو ${F}/${T} وليس كليهما`,
    });
  }
  if (p) {
    const q = /^(\d{4})-Q([1-4])$/i.exec(p);
    if (q) {
      const y = Number(q[1]);
      const first = (Number(q[2]) - 1) * 3 + 1;
      const to = day(y, first + 3, 0);
      return { label: `${y}-Q${q[2]}`, from: day(y, first, 1), to, toExclusive: nextDay(to) };
    }
    const mo = /^(\d{4})-(\d{2})$/.exec(p);
    if (mo && Number(mo[2]) >= 1 && Number(mo[2]) <= 12) {
      const y = Number(mo[1]);
      const m = Number(mo[2]);
      const to = day(y, m + 1, 0);
      return { label: p, from: day(y, m, 1), to, toExclusive: nextDay(to) };
    }
    throw new ReportError('INVALID_PERIOD', `${P} must be a quarter (2026-Q3) or a month (2026-11); got "${p}"`, {
      field: P,
      messageAr: `${P} يجب أن يكون ربعاً (2026-Q3) أو شهراً (2026-11)`,
    });
  }
  if (input.from && input.to) {
    const from = validDate(input.from, F);
    const to = validDate(input.to, T);
    if (to < from) throw new ReportError('INVALID_PERIOD', `${T} is before ${F}`, { field: T, messageAr: `${T}: تاريخ النهاية قبل تاريخ البداية` });
    return { label: `${from}..${to}`, from, to, toExclusive: nextDay(to) };
  }
  throw new ReportError('INVALID_PERIOD', `a period is required: ${P} 2026-Q3 | 2026-11, or ${F} YYYY-MM-DD with ${T} YYYY-MM-DD`, {
    field: P,
    messageAr: `الفترة مطلوبة: ${P} أو ${F} و ${T}`,
  });
}
