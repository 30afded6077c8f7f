// Issue 17 "Consistency": the code a person reads in the CLI's text error is the one a script reads
// from --json (the specific reason, e.g. UNIT_REVOKED, not its family UNIT_STATE), and the Arabic line
// of a fleet failure is Arabic throughout (only ZATCA's own text may stay as ZATCA wrote it).
import { describe, expect, it } from 'vitest';
import { revokedError } from '../../src/egs/exchange.js';
import { zatcaFailure } from '../../src/egs/exchange.js';
import { reportError } from '../../src/cli/output.js';
import { personMessage, type ZatcaOutcome } from '../../src/zatca/index.js';

function capture(error: unknown, json: boolean): { out: string; err: string; code: number } {
  let out = '';
  let err = '';
  const code = reportError(error, { out: (t) => void (out += t), err: (t) => void (err += t) }, json);
  return { out, err, code };
}

describe('CLI error codes and languages', () => {
  it('text "error [X]" equals the JSON reason for a revoked unit', () => {
    const e = revokedError({ name: 'POS-1', serial: '1-A|2-B|3-C' });
    const text = capture(e, false);
    const json = JSON.parse(capture(e, true).out) as { error: { reason: string; code: string } };
    expect(json.error.reason).toBe('UNIT_REVOKED');
    expect(text.err).toMatch(/^error \[UNIT_REVOKED\]/);
    expect(text.code).toBe(capture(e, true).code);
  });

  it('the Arabic line of a failed production-CSID request has no English of ours in it', () => {
    const outcome = { kind: 'rejected', retryable: false, message: personMessage('rejected', 400, undefined) } as unknown as ZatcaOutcome<unknown>;
    const e = zatcaFailure({ name: 'وحدة-1' }, { en: 'the production CSID request failed', ar: 'فشل طلب شهادة الإنتاج' }, outcome);
    const arabicLine = capture(e, false)
      .err.split('\n')
      .find((l) => l.startsWith('خطأ:'))!;
    expect(arabicLine).toContain('فشل طلب شهادة الإنتاج للوحدة');
    expect(arabicLine).not.toMatch(/the production CSID request failed|for unit|request/i);
  });
});
