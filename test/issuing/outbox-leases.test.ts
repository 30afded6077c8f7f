// Issue 15, the outbox shares its queue: continuous lanes (a slow answer holds one lane only), short
// leases renewed by heartbeat, and a stale holder that records nothing. Gated by promises, never by time.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FleetContext, UnitSigning } from '../../src/egs/index.js';
import { issueDocument, type IssueResult } from '../../src/issuing/index.js';
import { attemptSubmission, DEFAULT_BACKOFF, runOutbox, type AttemptContext } from '../../src/outbox/index.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { submissions } from '../../src/store/index.js';
import { ENGINES, T0 } from '../egs/helpers.js';
import { issuingFleet, saleJson, type IssuingFleet } from './helpers.js';

const MINUTE = 60_000;

/** ZATCA answers for the gated documents wait until the test opens their gate; `sent` resolves when each is sent. */
class Gates {
  private readonly open = new Map<string, () => void>();
  private readonly closed = new Map<string, Promise<void>>();
  private readonly started = new Map<string, { promise: Promise<void>; resolve: () => void }>();

  close(uuid: string): void {
    this.closed.set(uuid, new Promise<void>((resolve) => this.open.set(uuid, resolve)));
    let resolve = () => {};
    this.started.set(uuid, { promise: new Promise<void>((r) => (resolve = r)), resolve });
  }
  release(uuid: string): void {
    this.open.get(uuid)?.();
  }
  sent(uuid: string): Promise<void> {
    return this.started.get(uuid)!.promise;
  }
  /** `ctx` whose reporting calls pass through the gates. */
  wrap(ctx: FleetContext): FleetContext {
    return {
      ...ctx,
      zatca: (env, baseUrl) => {
        const client = ctx.zatca(env, baseUrl);
        return {
          ...client,
          reportInvoice: async (creds, body, opts) => {
            this.started.get(body.uuid)?.resolve();
            await this.closed.get(body.uuid);
            return client.reportInvoice(creds, body, opts);
          },
        };
      },
    };
  }
}

describe.each(ENGINES)('outbox lanes and leases on %s', (engine) => {
  let sim: RunningSimulator;
  let f: IssuingFleet;
  let offset = 0;
  let n = 0;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, host: '127.0.0.1', seed: 15, clock: { now: () => new Date(T0.getTime() + offset) } });
    f = await issuingFleet(engine, sim, 2);
  });
  afterAll(async () => {
    await f?.close();
    await sim?.close();
  });

  const issue = async (count: number): Promise<IssueResult[]> => {
    const out: IssueResult[] = [];
    for (let i = 0; i < count; i++) {
      const unit = f.units[i % f.units.length]!;
      out.push(await issueDocument(f.ctx, f.taxpayer, unit.name, saleJson(f.taxpayer, f.branch, { number: `LEASE-${engine}-${++n}` })));
    }
    return out;
  };
  const attemptContext = (ctx: FleetContext, owner: string, heartbeatMs = 3_600_000): AttemptContext => ({
    ctx,
    owner,
    backoff: DEFAULT_BACKOFF,
    signings: new Map<string, Promise<UnitSigning>>(),
    leaseMs: MINUTE,
    heartbeatMs,
  });
  const claim = (documentId: string, owner: string) => {
    const now = f.ctx.clock.now();
    return submissions.claimOne(f.ctx.store.db, documentId, { owner, now: now.toISOString(), leaseUntil: new Date(now.getTime() + MINUTE).toISOString() });
  };

  it('a slow answer holds one lane: the other lanes go on claiming and finish every other job first', async () => {
    const docs = await issue(7);
    const gates = new Gates();
    const slow = docs[0]!;
    gates.close(slow.uuid);
    const done: string[] = [];
    let othersDone = () => {};
    const others = new Promise<void>((resolve) => (othersDone = resolve));
    // Two lanes, one job per claim: before, the second lane idled once its batch was done.
    const run = runOutbox(gates.wrap(f.ctx), {
      once: true,
      concurrency: 2,
      batch: 1,
      onResult: (r) => {
        done.push(r.documentId);
        if (done.length === docs.length - 1) othersDone();
      },
    });
    await others;
    expect(done).not.toContain(slow.id);
    gates.release(slow.uuid);
    const summary = await run;
    expect(done.at(-1)).toBe(slow.id);
    expect(summary.attempts).toBe(docs.length);
    expect(summary.byState.accepted).toBe(docs.length);
  });

  it('a stale holder records nothing: its lease ran out, a newer holder finished; the state is the newer one', async () => {
    const [doc] = await issue(1);
    const gates = new Gates();
    gates.close(doc!.uuid);
    const jobA = (await claim(doc!.id, 'worker-a'))!;
    const first = attemptSubmission(attemptContext(gates.wrap(f.ctx), 'worker-a'), jobA);
    await gates.sent(doc!.uuid);
    // Worker A is stuck past its lease (no heartbeat in this test): B may claim and finish.
    offset += 2 * MINUTE;
    const jobB = await claim(doc!.id, 'worker-b');
    expect(jobB?.lease_owner).toBe('worker-b');
    const second = await attemptSubmission(attemptContext(f.ctx, 'worker-b'), jobB!);
    expect(second.state).toBe('accepted');
    gates.release(doc!.uuid);
    const stale = await first;
    expect(stale.superseded).toBe(true);
    const log = await submissions.listAttempts(f.ctx.store.db, doc!.id);
    expect(log.map((r) => r.worker)).toEqual(['worker-b']);
    const s = (await submissions.findSubmission(f.ctx.store.db, doc!.id))!;
    expect([s.state, s.attempts, s.lease_owner, s.last_outcome]).toEqual(['accepted', 1, null, second.outcome]);
    expect(f.logLines.some((l) => l.includes('a newer holder owns this job'))).toBe(true);
  });

  it('an expired lease is refused right before sending: nothing sent, nothing recorded', async () => {
    const [doc] = await issue(1);
    const gates = new Gates();
    gates.close(doc!.uuid);
    const job = (await claim(doc!.id, 'worker-late'))!;
    offset += 2 * MINUTE;
    const r = await attemptSubmission(attemptContext(gates.wrap(f.ctx), 'worker-late'), job);
    expect(r.superseded).toBe(true);
    expect(await submissions.listAttempts(f.ctx.store.db, doc!.id)).toEqual([]);
    // The job is free for the next claim once its lease has run out.
    expect((await claim(doc!.id, 'worker-next'))?.lease_owner).toBe('worker-next');
    await attemptSubmission(attemptContext(f.ctx, 'worker-next'), (await submissions.findSubmission(f.ctx.store.db, doc!.id))!);
  });

  it('the heartbeat renews the lease while the attempt runs, and stops the recording when the lease is taken', async () => {
    const [kept, taken] = await issue(2);
    const gates = new Gates();
    gates.close(kept!.uuid);
    gates.close(taken!.uuid);
    const first = attemptSubmission(attemptContext(gates.wrap(f.ctx), 'worker-h', 10), (await claim(kept!.id, 'worker-h'))!);
    const second = attemptSubmission(attemptContext(gates.wrap(f.ctx), 'worker-h2', 10), (await claim(taken!.id, 'worker-h2'))!);
    await Promise.all([gates.sent(kept!.uuid), gates.sent(taken!.uuid)]);
    offset += MINUTE / 2;
    const renewedUntil = new Date(T0.getTime() + offset + MINUTE).toISOString();
    await vi.waitFor(async () => expect((await submissions.findSubmission(f.ctx.store.db, kept!.id))!.lease_until).toBe(renewedUntil), { timeout: 10_000 });
    // Another worker owns `taken` now (as after an expiry and a claim): the heartbeat notices.
    await f.ctx.store.db.updateTable('submissions').set({ lease_owner: 'intruder' }).where('document_id', '=', taken!.id).execute();
    await vi.waitFor(() => expect(f.logLines.some((l) => l.includes('lease lost while the attempt ran'))).toBe(true), { timeout: 10_000 });
    gates.release(kept!.uuid);
    gates.release(taken!.uuid);
    expect((await first).state).toBe('accepted');
    expect((await second).superseded).toBe(true);
    expect(await submissions.listAttempts(f.ctx.store.db, taken!.id)).toEqual([]);
    expect((await submissions.findSubmission(f.ctx.store.db, taken!.id))!.lease_owner).toBe('intruder');
    await f.ctx.store.db.updateTable('submissions').set({ lease_owner: null, lease_until: null }).where('document_id', '=', taken!.id).execute();
  });

  it('the run summary counts late documents, not late attempts', async () => {
    // Drain what earlier tests left, so this run sees only its own documents.
    await runOutbox(f.ctx, { once: true });
    const docs = await issue(3);
    offset += 25 * 60 * MINUTE;
    // Each document fails once (500), then is accepted: two attempts each, in one run.
    sim.control.env('simulation').enqueueFault({ endpoint: 'reporting', status: 500, count: docs.length });
    let tick = 0;
    // A clock that moves a second per reading, so the 1–5 ms retries fall due within the run.
    const ctx = { ...f.ctx, clock: { now: () => new Date(T0.getTime() + offset + ++tick * 1000) } };
    const summary = await runOutbox(ctx, { once: true, concurrency: 3, backoff: { baseMs: 1, capMs: 5 } });
    expect(summary.attempts).toBe(2 * docs.length);
    expect(summary.late).toBe(docs.length);
  });
  it("the CLI's issue gives a standard document back when its --wait ends: outbox run takes it at once (releaseOnGiveUp)", async () => {
    await runOutbox(f.ctx, { once: true });
    let opened = () => {};
    const gate = new Promise<void>((resolve) => (opened = resolve));
    // Clearance answers never come while the gate is shut: the wait always ends first.
    const stalled: FleetContext = {
      ...f.ctx,
      zatca: (env, baseUrl) => {
        const client = f.ctx.zatca(env, baseUrl);
        return { ...client, clearInvoice: async (creds, body, opts) => (await gate, client.clearInvoice(creds, body, opts)) };
      },
    };
    const unit = f.units[0]!.name;
    const json = (number: string) => saleJson(f.taxpayer, f.branch, { number, kind: 'standard' });
    const kept = await issueDocument(stalled, f.taxpayer, unit, json(`LEASE-${engine}-std-kept`), { clearanceWaitMs: 20 });
    const handed = await issueDocument(stalled, f.taxpayer, unit, json(`LEASE-${engine}-std-back`), { clearanceWaitMs: 20, releaseOnGiveUp: true });
    expect(kept.released).toBe(false);
    expect(handed.released).toBe(false);
    // Without the option the caller's lease stays (a server process will record the answer itself).
    expect((await submissions.findSubmission(f.ctx.store.db, kept.id))!.lease_owner).not.toBeNull();
    expect((await submissions.findSubmission(f.ctx.store.db, handed.id))!.lease_owner).toBeNull();
    const summary = await runOutbox(f.ctx, { once: true });
    expect((await submissions.findSubmission(f.ctx.store.db, handed.id))!.state).toBe('accepted');
    expect(summary.attempts).toBe(1);
    opened();
    // The stalled attempts finish: the handed-back one records nothing (its lease is gone), the kept one records its answer.
    await vi.waitFor(async () => expect((await submissions.findSubmission(f.ctx.store.db, kept.id))!.state).toBe('accepted'), { timeout: 20_000 });
    expect((await submissions.listAttempts(f.ctx.store.db, handed.id)).length).toBe(1);
  });
});
