// Issue 6 reliability, offline: ZATCA is unreachable for a simulated 26 hours (injectable clock).
// Units keep issuing and queueing; documents past 24 h are flagged late (never dropped), those near
// their deadline show as at risk; when ZATCA is back every document is reported.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditChains } from '../../src/audit/index.js';
import { issueDocument, type IssueResult } from '../../src/issuing/index.js';
import { outboxStatus, runOutbox } from '../../src/outbox/index.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { submissions } from '../../src/store/index.js';
import { createZatcaClient } from '../../src/zatca/index.js';
import { ENGINES, T0 } from '../egs/helpers.js';
import { drain, issuingFleet, saleJson, type IssuingFleet } from './helpers.js';

const HOUR = 3600_000;

describe.each(ENGINES)('ZATCA offline for 26 simulated hours on %s', (engine) => {
  let sim: RunningSimulator;
  let f: IssuingFleet;
  let offset = 0;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, host: '127.0.0.1', seed: 5, clock: { now: () => new Date(T0.getTime() + offset) } });
    f = await issuingFleet(engine, sim, 2, { title: '0100' });
  });
  afterAll(async () => {
    await f?.close();
    await sim?.close();
  });

  it('issuing goes on, late documents are flagged, all are reported when ZATCA is back', async () => {
    const online = f.ctx.zatca;
    // Nothing listens on port 9: every call fails at once, as when the gateway is down.
    f.ctx.zatca = () => createZatcaClient({ baseUrl: 'http://127.0.0.1:9/e-invoicing/simulation', timeoutMs: 1_000 });
    const issued: IssueResult[] = [];
    let n = 0;
    for (let hour = 0; hour < 26; hour++) {
      for (const u of f.units) issued.push(await issueDocument(f.ctx, f.taxpayer, u.name, saleJson(f.taxpayer, f.branch, { number: `OFF-${engine}-${++n}` })));
      const run = await runOutbox(f.ctx, { once: true, backoff: { baseMs: 60_000, capMs: 30 * 60_000 } });
      expect(run.byState.accepted ?? 0).toBe(0);
      offset += HOUR;
    }
    const status = await outboxStatus(f.ctx, f.taxpayer.id);
    expect(status.depth).toBe(issued.length);
    expect(status.oldestAgeSeconds).toBe(26 * 3600);
    // Issued at hours 0–1 are past 24 h; hours 2–3 have less than 2 h left.
    expect(status.late.map((d) => d.number).sort()).toEqual(
      issued
        .slice(0, 4)
        .map((r) => r.number)
        .sort(),
    );
    expect(status.atRisk.length).toBe(4);
    expect(issued.every((r) => r.released)).toBe(true);

    // Back online: the worker drains the queue, late ones keep their flag.
    f.ctx.zatca = online;
    offset += 30 * 60_000;
    const back = new Date(T0.getTime() + offset).toISOString();
    // Now also the documents of hour 2 are past their deadline: 6 late.
    const late = issued.filter((r) => r.deadlineAt < back);
    expect(late).toHaveLength(6);
    const summary = await drain(f.ctx, { onPass: () => (offset += 60_000) });
    expect(summary.late).toBe(late.length);
    for (const r of issued) {
      const s = (await submissions.findSubmission(f.ctx.store.db, r.id))!;
      // Late simplified documents draw ZATCA's BR-KSA-98 warning: accepted with warnings.
      expect(s.state).toBe(late.includes(r) ? 'accepted-with-warnings' : 'accepted');
      expect(s.late).toBe(late.includes(r) ? 1 : 0);
    }
    const after = await outboxStatus(f.ctx, f.taxpayer.id);
    expect([after.depth, after.deliveredLate, after.late.length]).toEqual([0, late.length, 0]);
    const env = sim.control.env('simulation');
    const audit = await auditChains(f.ctx, f.taxpayer, { zatcaHistory: (u) => env.history(u.serial) });
    expect(audit.breaks).toEqual([]);
  });
});
