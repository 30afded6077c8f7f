// KSA local time has one home (src/model/ksa-time.ts): a date typed on the CLI and the same date in an
// HTTP query mean the same KSA day (the CLI once read UTC midnight for `audit --from 2026-03-01`).
import { describe, expect, it } from 'vitest';
import { calendarDay, instantFromText, isCalendarDate, issueDateTime, ksaDayStart, ksaRange, nextDay } from '../../src/model/ksa-time.js';
import { periodRange } from '../../src/server/documents/scope.js';

describe('KSA time', () => {
  it('a KSA day starts at 21:00 UTC the day before (UTC+3, no daylight saving)', () => {
    expect(ksaDayStart('2026-03-01').toISOString()).toBe('2026-02-28T21:00:00.000Z');
    expect(instantFromText('2026-03-01')?.toISOString()).toBe('2026-02-28T21:00:00.000Z');
  });

  it('the HTTP query reads a date as the same instant as the CLI', () => {
    expect(periodRange({ from: '2026-03-01', to: '2026-03-02' })).toEqual({
      from: instantFromText('2026-03-01')?.toISOString(),
      to: instantFromText('2026-03-02')?.toISOString(),
    });
  });

  it('an ISO instant keeps its own zone; other text is refused', () => {
    expect(instantFromText('2026-03-01T10:00:00Z')?.toISOString()).toBe('2026-03-01T10:00:00.000Z');
    expect(instantFromText('2026-03-01T10:00:00+03:00')?.toISOString()).toBe('2026-03-01T07:00:00.000Z');
    for (const bad of ['2026-02-30', 'March 1', '1 2026', '', '2026-13-01']) expect(instantFromText(bad)).toBeUndefined();
  });

  it('a month or a day as a half-open range of KSA instants', () => {
    expect(ksaRange('2026-02')).toEqual({ from: new Date('2026-01-31T21:00:00Z'), to: new Date('2026-02-28T21:00:00Z') });
    expect(ksaRange('2026-12')?.to).toEqual(new Date('2026-12-31T21:00:00Z'));
    expect(ksaRange('2026-03-31')).toEqual({ from: new Date('2026-03-30T21:00:00Z'), to: new Date('2026-03-31T21:00:00Z') });
    expect(ksaRange('2026-13')).toBeUndefined();
    expect(ksaRange('2026-02-29')).toBeUndefined();
  });

  it('issue date and time are KSA wall-clock time (BR-KSA-04 reads them so)', () => {
    expect(issueDateTime(new Date('2026-02-28T21:30:00Z'))).toEqual({ issueDate: '2026-03-01', issueTime: '00:30:00' });
  });

  it('calendar helpers', () => {
    expect(calendarDay(2026, 3, 0)).toBe('2026-02-28');
    expect(nextDay('2028-02-28')).toBe('2028-02-29');
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
  });
});
