// Bounds on what one request may ask of the server: date ranges of at most a year and results in
// pages, with cursors bound to the query and scope they came from (a cursor never opens another).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { FawtaraError } from '../errors.js';
import { parsePeriod, type Period } from '../reports/index.js';

/** A VAT year, with a leap day: the longest range a report, reconciliation, archive index or audit covers. */
export const MAX_RANGE_DAYS = 366;
const DAY_MS = 86_400_000;

const tooLong = (field: string) =>
  new FawtaraError('INVALID_INPUT', `${field}: a range covers at most ${MAX_RANGE_DAYS} days; ask for it in several periods`, {
    field,
    messageAr: `${field}: لا تتجاوز الفترة ${MAX_RANGE_DAYS} يوماً؛ اطلبها على عدة فترات`,
  });

/** `parsePeriod` (quarter, month or from..to) no longer than MAX_RANGE_DAYS. */
export function boundedPeriod(q: { period?: string | undefined; from?: string | undefined; to?: string | undefined }): Period {
  // HTTP callers send query fields, not CLI options: errors name `querystring.period` and so on.
  const period = parsePeriod(q, { period: 'querystring.period', from: 'querystring.from', to: 'querystring.to' });
  if ((Date.parse(period.toExclusive) - Date.parse(period.from)) / DAY_MS > MAX_RANGE_DAYS) throw tooLong('querystring.to');
  return period;
}

/** An instant range (ISO) in order and no longer than MAX_RANGE_DAYS; an open side is allowed. */
export function boundedRange<R extends { from?: string; to?: string }>(range: R): R {
  if (range.from && range.to) {
    const span = Date.parse(range.to) - Date.parse(range.from);
    if (span < 0)
      throw new FawtaraError('INVALID_INPUT', 'querystring.to: the end of the range is before its start', {
        field: 'querystring.to',
        messageAr: 'querystring.to: نهاية الفترة قبل بدايتها',
      });
    if (span / DAY_MS > MAX_RANGE_DAYS) throw tooLong('querystring.to');
  }
  return range;
}

/** Query fields of a paged list: how many, and where the previous page ended. */
export const PageQuery = {
  limit: z.coerce.number().int().min(1).max(5000).default(1000).describe('rows per page (at most 5000)'),
  cursor: z.string().max(200).optional().describe("the previous page's nextCursor, as given"),
};

/** A position in a list, bound to the query and scope it was made for (sha-256 of their canonical text). */
function binding(of: unknown): string {
  return createHash('sha256').update(JSON.stringify(of)).digest('base64url').slice(0, 22);
}

const badCursor = () =>
  new FawtaraError('INVALID_INPUT', 'querystring.cursor: not a cursor of this query (use nextCursor as given, with the same filters)', {
    field: 'querystring.cursor',
    messageAr: 'querystring.cursor: المؤشر لا يخص هذا الاستعلام؛ استخدم nextCursor كما ورد وبالمرشحات نفسها',
  });

/**
 * One page of `rows` (already in a stable order). `scope` is everything that decided the rows:
 * route, taxpayer, the caller's branch and unit, the filters. A cursor made for another scope or
 * query is refused, so a cursor passed from one caller to another opens nothing.
 */
export function pageOf<T>(rows: readonly T[], q: { limit: number; cursor?: string | undefined }, scope: unknown): { rows: T[]; nextCursor: string | null } {
  const bind = binding(scope);
  let offset = 0;
  if (q.cursor) {
    const [b, o] = q.cursor.split('.');
    if (b !== bind || !o || !/^\d{1,9}$/.test(o)) throw badCursor();
    offset = Number(o);
  }
  const page = rows.slice(offset, offset + q.limit);
  const next = offset + page.length;
  return { rows: page, nextCursor: next < rows.length ? `${bind}.${next}` : null };
}
