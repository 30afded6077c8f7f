// Issue 17 item 2 and issue 10 "Clock" / "Clock forward": the issue time must lie within the signing
// certificate's validity (refused with UNIT_EXPIRED after its notAfter, which also stops a clock far
// ahead); a document issued while the clock ran ahead does not vanish from the outbox; the server's
// expiry monitor warns before the end and marks expired units. SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveUnit, type FleetError } from '../../src/egs/index.js';
import { issueDocument } from '../../src/issuing/index.js';
import { outboxStatus, runOutbox } from '../../src/outbox/index.js';
import { startExpiryMonitor } from '../../src/server/expiry-monitor.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { submissions } from '../../src/store/index.js';
import { ENGINES, startFleetSimulator, T0 } from '../egs/helpers.js';
import { issuingFleet, saleJson, type IssuingFleet } from './helpers.js';

async function refusal(p: Promise<unknown>): Promise<FleetError> {
  try {
    await p;
  } catch (error) {
    return error as FleetError;
  }
  throw new Error('expected a refusal');
}

const DAY = 86_400_000;
// The simulator issues certificates valid for five years from issue (its default validity).
const NOT_AFTER = T0.getTime() + 5 * 365 * DAY + 2 * DAY;

describe.each(ENGINES)('certificate validity and the clock on %s', (engine) => {
  let sim: RunningSimulator;
  let f: IssuingFleet;
  let n = 0;
  // The fleet's own clock, moved by the tests; the simulator (ZATCA) keeps the real time T0.
  let offsetMs = 0;
  const clock = { now: () => new Date(T0.getTime() + offsetMs) };
  const at = (ms: number) => (offsetMs = ms - T0.getTime());
  const issue = (unit: string) => issueDocument(f.ctx, f.taxpayer, unit, saleJson(f.taxpayer, f.branch, { number: `VAL-${engine}-${++n}` }));

  beforeAll(async () => {
    sim = await startFleetSimulator();
    f = await issuingFleet(engine, sim, 3, { title: '0100' });
    f.ctx.clock = clock;
  });
  afterAll(async () => {
    await f?.close();
    await sim?.close();
  });

  it('11 s after the certificate notAfter the unit refuses to sign (UNIT_EXPIRED), and nothing is written', async () => {
    const cert = (await resolveUnit(f.ctx, f.taxpayer, 'POS-1')).icv;
    at(NOT_AFTER + 11_000);
    const e = await refusal(issue('POS-1'));
    expect([e.reason, e.code, e.field]).toEqual(['UNIT_EXPIRED', 'UNIT_STATE', 'clock']);
    expect(e.message).toMatch(/after its certificate's end/);
    expect(e.messageAr).not.toMatch(/\b(the|unit|clock|certificate|nothing|expired)\b/i);
    expect((await resolveUnit(f.ctx, f.taxpayer, 'POS-1')).icv).toBe(cert);
  });

  it('a clock 50 years ahead is refused with a clear error and does not poison the unit: back on time it issues', async () => {
    at(T0.getTime() + 50 * 365 * DAY);
    const e = await refusal(issue('POS-1'));
    expect(e.reason).toBe('UNIT_EXPIRED');
    expect(e.message).toMatch(/if the clock runs ahead, correct the system clock/);
    at(T0.getTime() + 60_000);
    expect((await issue('POS-1')).icv).toBe(1);
  });

  it('a document issued while the clock ran 200 days ahead stays visible and is attempted at once with a real-clock deadline', async () => {
    at(T0.getTime() + 200 * DAY);
    const ahead = await issue('POS-2');
    const unit = await resolveUnit(f.ctx, f.taxpayer, 'POS-2');
    at(T0.getTime() + 120_000);
    const status = await outboxStatus(f.ctx, f.taxpayer.id);
    expect(status.clockAhead.map((d) => d.number)).toEqual([ahead.number]);
    // Without the rebase this job would wait 200 days: the worker's round takes it now.
    await runOutbox(f.ctx, { once: true, backoff: { baseMs: 10, capMs: 100 } });
    const job = (await submissions.submissionsOfUnit(f.ctx.store.db, f.taxpayer.id, unit.id))[0]!;
    expect(job.attempts).toBe(1);
    expect(Date.parse(job.deadline_at)).toBeLessThanOrEqual(clock.now().getTime() + DAY);
    // ZATCA judges the document's own date: an issue date after its today fails BR-KSA-04.
    expect(job.state).toBe('rejected');
    expect(job.last_message).toMatch(/BR-KSA-04/);
    // The unit refuses to go back in time, and says where the recovery is documented.
    const behind = await refusal(issue('POS-2'));
    expect(behind.reason as string).toBe('CLOCK_BEHIND');
    expect(behind.message).toMatch(/A unit whose clock jumped" in docs\/issuing\.md/);
  });

  it('the expiry monitor warns 30 days ahead, then marks a unit past its end expired (runs last: moves the clock years ahead)', async () => {
    const lines: string[] = [];
    const logger = f.ctx.logger;
    const sink = { ...f.ctx, logger: Object.assign(Object.create(logger), { warn: (o: object, m: string) => lines.push(`${m} ${JSON.stringify(o)}`) }) };
    at(NOT_AFTER - 10 * DAY);
    const monitor = startExpiryMonitor(sink, { everyMs: 3600_000 });
    try {
      const soon = await monitor.check();
      expect(soon.map((x) => [x.unit, x.state])).toEqual(expect.arrayContaining([['POS-3', 'active']]));
      expect(soon.find((x) => x.unit === 'POS-3')!.daysLeft).toBeGreaterThanOrEqual(8);
      expect(lines.some((l) => /production CSID ends in \d+ day\(s\)/.test(l) && l.includes('POS-3'))).toBe(true);
      at(NOT_AFTER + DAY);
      const after = await monitor.check();
      expect(after.find((x) => x.unit === 'POS-3')!.state).toBe('expired');
      expect((await resolveUnit(f.ctx, f.taxpayer, 'POS-3')).state).toBe('expired');
      expect((await refusal(issue('POS-3'))).reason).toBe('UNIT_EXPIRED');
    } finally {
      await monitor.stop();
    }
  });
});
