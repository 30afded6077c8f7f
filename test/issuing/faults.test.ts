// Issue 6 reliability, faults: the simulator answers ~30 % of requests with 5xx, 429, a dropped
// connection, an answer slower than the client's timeout, or loses its answer after processing
// (seeded). Every document still ends accepted; ZATCA's history shows each accepted as new exactly
// once (later ones 208/409, same bytes). Deterministic (issue 11): what is counted is what the
// simulator answered and recorded, never how many answers a loaded machine happened to time out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditChains } from '../../src/audit/index.js';
import { issueDocument } from '../../src/issuing/index.js';
import { outboxStatus } from '../../src/outbox/index.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { documents, submissions } from '../../src/store/index.js';
import { createZatcaClient, simulatorBaseUrl } from '../../src/zatca/index.js';
import { ENGINES, T0 } from '../egs/helpers.js';
import { drain, issuingFleet, saleJson, type IssuingFleet } from './helpers.js';

describe.each(ENGINES)('outbox under injected faults on %s', (engine) => {
  let sim: RunningSimulator;
  let f: IssuingFleet;
  const started = Date.now();

  beforeAll(async () => {
    // Simulated time runs with real time here, so backoff delays elapse.
    sim = await startSimulator({ port: 0, host: '127.0.0.1', seed: 20260301, clock: { now: () => new Date(T0.getTime() + (Date.now() - started)) } });
    f = await issuingFleet(engine, sim, 3);
    // A short client timeout, so "slow" answers become timeouts (the simulator then processes them:
    // a lost answer too). The simulator loses answers after processing itself (fault `dropAnswer`).
    f.ctx.zatca = (env) => createZatcaClient({ baseUrl: simulatorBaseUrl(sim.url, env), timeoutMs: 400 });
  });
  afterAll(async () => {
    await f?.close();
    await sim?.close();
  });

  it('30 % 5xx/429/timeouts/dropped connections: all accepted, duplicates counted once, nothing submitted twice as new', async () => {
    const env = sim.control.env('simulation');
    // The first three invoice answers are lost after processing, whatever the load: at least three
    // documents must come back as duplicates. Then seeded rates, lost answers among them.
    env.enqueueFault({ endpoint: 'reporting', dropAnswer: true, count: 2 });
    env.enqueueFault({ endpoint: 'clearance', dropAnswer: true, count: 1 });
    env.setFaultRates({ serverError: 0.1, rateLimited: 0.07, dropped: 0.07, slow: 0.04, lostAnswer: 0.04, slowMs: 700 });
    const issued = [];
    let n = 0;
    for (let round = 0; round < 4; round++) {
      issued.push(
        ...(await Promise.all(
          f.units.flatMap((u) => [
            ...Array.from({ length: 5 }, () => issueDocument(f.ctx, f.taxpayer, u.name, saleJson(f.taxpayer, f.branch, { number: `F-${engine}-${++n}` }))),
            issueDocument(f.ctx, f.taxpayer, u.name, saleJson(f.taxpayer, f.branch, { number: `F-${engine}-${++n}`, kind: 'standard' }), {
              clearance: 'queue',
            }),
          ]),
        )),
      );
    }
    const summary = await drain(f.ctx, { timeoutMs: 60_000, backoffMs: 30 });
    const faults = env.faultLog().filter((d) => d.endpoint === 'reporting' || d.endpoint === 'clearance');
    const faulted = faults.filter((d) => d.decision !== null).length;
    expect(faulted / faults.length).toBeGreaterThan(0.15);
    env.setFaultRates({ serverError: 0, rateLimited: 0, dropped: 0, slow: 0 });

    for (const r of issued) expect((await submissions.findSubmission(f.ctx.store.db, r.id))!.state).toBe('accepted');
    const status = await outboxStatus(f.ctx, f.taxpayer.id);
    // Each document counted once, whichever answer (200, 208, 409) settled it.
    expect([status.depth, status.byState.accepted]).toEqual([0, issued.length]);

    // The simulator's history: what it processed (200/202) and the duplicates it answered (208/409, with the UUID).
    const duplicateOf = new Set<string>();
    for (const u of f.units) {
      const history = env.history(u.serial).filter((h) => h.endpoint === 'reporting' || h.endpoint === 'clearance');
      for (const r of issued.filter((d) => d.unitId === u.id)) {
        const records = history.filter((h) => h.uuid === r.uuid);
        expect(records.filter((h) => h.httpStatus === 200 || h.httpStatus === 202)).toHaveLength(1);
        const stored = Buffer.from((await documents.findById(f.ctx.store.db, r.id))!.xml, 'utf8').toString('base64');
        for (const h of records.filter((h) => h.invoice !== null)) expect([h.invoiceHash, h.invoice]).toEqual([r.invoiceHash, stored]);
        const duplicates = records.filter((h) => h.httpStatus === 208 || h.httpStatus === 409);
        for (const h of duplicates) expect(h.invoiceHash).toBe(r.invoiceHash);
        if (duplicates.length > 0) duplicateOf.add(r.id);
      }
    }
    // A document is counted as a duplicate exactly when the simulator answered 208/409 for it: an
    // answer after the one that accepted it, which the outbox never received (lost or timed out).
    const flagged = new Set(
      (await Promise.all(issued.map((r) => submissions.findSubmission(f.ctx.store.db, r.id)))).filter((s) => s!.duplicate === 1).map((s) => s!.document_id),
    );
    expect([...flagged].sort()).toEqual([...duplicateOf].sort());
    expect(summary.duplicates).toBe(flagged.size);
    const lost = env.faultLog().filter((d) => d.decision?.dropAnswer).length;
    expect(lost).toBeGreaterThanOrEqual(3);
    expect(flagged.size).toBeGreaterThanOrEqual(3);
    const audit = await auditChains(f.ctx, f.taxpayer, { zatcaHistory: (u) => env.history(u.serial) });
    expect(audit.breaks).toEqual([]);
    console.log(
      `faults on ${engine}: ${faulted}/${faults.length} requests faulted, ${summary.attempts} attempts for ${issued.length} documents, ${lost} answers lost after processing, ${flagged.size} answered as duplicates (208/409)`,
    );
  });
});
