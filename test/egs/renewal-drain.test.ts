// Issue 17 item 1: a renewal never strands queued documents. ZATCA stops accepting the old certificate
// once it issues the new one (ZATCA renewal API; the simulator revokes it then, docs/simulator.md),
// so the unit's queue is submitted with the current CSID first and the switch happens only on an empty
// queue. Both paths (200 and 428), ZATCA failing mid-drain, and a crash after every step. SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUnit, FleetError, ISSUING_PAUSE_MS, onboardUnit, renewUnit, resolveUnit, type FleetError as FleetErrorType } from '../../src/egs/index.js';
import { issueDocument } from '../../src/issuing/index.js';
import { drainUnit, runOutbox } from '../../src/outbox/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { credentials, submissions } from '../../src/store/index.js';
import { drain, issuingFleet, saleJson, type IssuingFleet } from '../issuing/helpers.js';
import { CHAIN_VAT, ENGINES, otpsFor, startFleetSimulator } from './helpers.js';

async function rejection(p: Promise<unknown>): Promise<FleetErrorType> {
  try {
    await p;
  } catch (error) {
    return error as FleetErrorType;
  }
  throw new Error('expected a failure');
}

const crashAt = (target: string) => ({
  afterStep: (step: string) => {
    if (step === target) throw new FleetError('INTERRUPTED', `injected crash after ${step}`, { messageAr: 'انقطاع مصطنع' });
  },
});

/** Every persisted step of a renewal, in order, per path; the OTP is needed again until the request left. */
const STEPS = {
  '200': ['renewal-csr-created', 'renewal-issuing-paused', 'renewal-queue-drained', 'renewal-pcsid-issued'],
  '428': [
    'renewal-csr-created',
    'renewal-issuing-paused',
    'renewal-queue-drained',
    'renewal-ccsid-issued',
    'compliance:simplified-compliant',
    'promotion-issuing-paused',
    'promotion-queue-drained',
    'renewal-pcsid-issued',
  ],
} as const;
const BEFORE_REQUEST = new Set(['renewal-csr-created', 'renewal-issuing-paused', 'renewal-queue-drained']);

describe.each(ENGINES)('renewal drains the unit queue first on %s (issue 17 item 1)', (engine) => {
  let sim: RunningSimulator;
  let f: IssuingFleet;
  let n = 0;
  const control = () => sim.control.env('simulation');

  beforeAll(async () => {
    sim = await startFleetSimulator();
    f = await issuingFleet(engine, sim, 1, { prefix: 'RNW' });
  });
  afterAll(async () => {
    await f?.close();
    await sim?.close();
  });

  const drainer = { drain: async (u: { id: string; taxpayer_id: string }) => void (await drainUnit(f.ctx, u)) };
  const issue = (unit: string) => issueDocument(f.ctx, f.taxpayer, unit, saleJson(f.taxpayer, f.branch, { number: `RN-${engine}-${++n}` }));

  async function freshUnit(tag: string): Promise<string> {
    const unit = await addUnit(f.ctx, f.taxpayer, { branch: f.branch.name, serial: `1-Fawtara|2-RNW|3-${tag}`, name: tag, title: '0100' });
    await onboardUnit(f.ctx, f.taxpayer, unit.name, { otp: otpsFor(sim, CHAIN_VAT, 1)[0]! });
    return unit.name;
  }

  async function statesOf(name: string): Promise<string[]> {
    const unit = await resolveUnit(f.ctx, f.taxpayer, name);
    return (await submissions.submissionsOfUnit(f.ctx.store.db, f.taxpayer.id, unit.id)).map((s) => s.state);
  }

  it.each(['200', '428'] as const)(
    'path %s: documents queued before the renewal are accepted with the old CSID, then the unit issues with the new one',
    async (path) => {
      control().configure({ renewalResponse: Number(path) as 200 | 428 });
      const name = await freshUnit(`Q${path}`);
      for (let i = 0; i < 3; i++) await issue(name);
      expect(await statesOf(name)).toEqual(['to-submit', 'to-submit', 'to-submit']);
      const r = await renewUnit(f.ctx, f.taxpayer, name, { otp: otpsFor(sim, CHAIN_VAT, 1, 'renew')[0]!, ...drainer });
      expect([r.path, r.unit.state]).toEqual([path, 'active']);
      expect(await statesOf(name)).toEqual(['accepted', 'accepted', 'accepted']);
      // After the switch: issued and reported with the new certificate.
      await issue(name);
      await drain(f.ctx);
      expect(await statesOf(name)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
      const unit = await resolveUnit(f.ctx, f.taxpayer, name);
      const csids = await credentials.listCsids(f.ctx.store.db, { taxpayerId: unit.taxpayer_id, unitId: unit.id });
      expect(
        csids
          .filter((c) => c.kind === 'production')
          .map((c) => c.status)
          .sort(),
      ).toEqual(['active', 'superseded']);
      expect(unit.issuing_paused_until).toBeNull();
    },
  );

  it("an outbox that runs for the server's lifetime sends with the renewed CSID, not the one it loaded first (issue 15)", async () => {
    control().configure({ renewalResponse: 200 });
    const name = await freshUnit('LONG');
    const stop = new AbortController();
    const worker = runOutbox(f.ctx, { signal: stop.signal, pollMs: 20, backoff: { baseMs: 20, capMs: 200 } });
    const settled = async (count: number) => {
      for (let i = 0; i < 500; i++) {
        const states = await statesOf(name);
        if (states.length === count && !states.includes('to-submit')) return states;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`the running outbox did not settle ${name}'s ${count} documents: ${JSON.stringify(await statesOf(name))}`);
    };
    try {
      await issue(name);
      expect(await settled(1)).toEqual(['accepted']); // the worker now holds the unit's first CSID
      await renewUnit(f.ctx, f.taxpayer, name, { otp: otpsFor(sim, CHAIN_VAT, 1, 'renew')[0]!, ...drainer });
      await issue(name);
      // Sent with the old CSID, ZATCA would answer 401 and the document would be held.
      expect(await settled(2)).toEqual(['accepted', 'accepted']);
    } finally {
      stop.abort();
      await worker;
    }
  });

  it.each(['200', '428'] as const)(
    'path %s: ZATCA failing mid-drain refuses the switch unsent (OTP unused, issuing open); the same OTP later completes it',
    async (path) => {
      control().configure({ renewalResponse: Number(path) as 200 | 428 });
      const name = await freshUnit(`F${path}`);
      for (let i = 0; i < 4; i++) await issue(name);
      // The first report of the drain meets a 503 (ZATCA did not receive it); the other three go through.
      sim.control.env('simulation').enqueueFault({ endpoint: 'reporting', status: 503, count: 1 });
      const otp = otpsFor(sim, CHAIN_VAT, 1, 'renew')[0]!;
      const refused = await rejection(renewUnit(f.ctx, f.taxpayer, name, { otp, ...drainer }));
      expect(refused.reason).toBe('UNSUBMITTED_DOCUMENTS');
      expect(refused.message).toMatch(/1 document\(s\) signed with the current certificate have not reached ZATCA \(1 queued, 0 held\)/);
      expect(refused.messageAr).not.toMatch(/[A-Za-z]{4}/);
      const unit = await resolveUnit(f.ctx, f.taxpayer, name);
      expect([unit.state, unit.issuing_paused_until]).toEqual(['active', null]);
      expect((await statesOf(name)).filter((s) => s === 'accepted')).toHaveLength(3);
      await issue(name); // the unit still issues with its current certificate
      const r = await renewUnit(f.ctx, f.taxpayer, name, { otp, ...drainer });
      expect(r.unit.state).toBe('active');
      expect(await statesOf(name)).toEqual(Array(5).fill('accepted'));
    },
  );

  it('without a drainer, a renewal goes ahead only on an empty queue', async () => {
    control().configure({ renewalResponse: 200 });
    const name = await freshUnit('NODRAIN');
    await issue(name);
    const otp = otpsFor(sim, CHAIN_VAT, 1, 'renew')[0]!;
    expect((await rejection(renewUnit(f.ctx, f.taxpayer, name, { otp }))).reason).toBe('UNSUBMITTED_DOCUMENTS');
    await drain(f.ctx);
    expect((await renewUnit(f.ctx, f.taxpayer, name, { otp })).unit.state).toBe('active');
  });

  for (const path of ['200', '428'] as const) {
    it.each(STEPS[path].map((s, i) => [s, i] as const))(`path ${path}: a crash right after "%s" strands nothing; the next run completes`, async (step, i) => {
      control().configure({ renewalResponse: Number(path) as 200 | 428 });
      const name = await freshUnit(`C${path}-${i}`);
      await issue(name);
      await issue(name);
      const otp = otpsFor(sim, CHAIN_VAT, 1, 'renew')[0]!;
      expect((await rejection(renewUnit(f.ctx, f.taxpayer, name, { otp, ...drainer, ...crashAt(step) }))).reason).toBe('INTERRUPTED');
      const paused = step.endsWith('-issuing-paused') || step.endsWith('-queue-drained');
      if (paused) {
        // Between the drain and the switch nothing new is signed with the old certificate.
        const busy = await rejection(issue(name));
        expect([busy.reason, busy.code]).toEqual(['UNIT_PAUSED', 'BUSY']);
      } else await issue(name);
      const again = await renewUnit(f.ctx, f.taxpayer, name, { ...(BEFORE_REQUEST.has(step) && { otp }), ...drainer });
      expect(again.unit.state).toBe('active');
      await issue(name);
      await drain(f.ctx);
      const states = await statesOf(name);
      expect(states.length).toBeGreaterThanOrEqual(3);
      expect(states.every((s) => s === 'accepted')).toBe(true);
      expect((await resolveUnit(f.ctx, f.taxpayer, name)).issuing_paused_until).toBeNull();
    });
  }

  it('a pause left by a crashed renewal ends by itself: issuing resumes after the pause bound', async () => {
    control().configure({ renewalResponse: 200 });
    const name = await freshUnit('EXPIRE');
    const otp = otpsFor(sim, CHAIN_VAT, 1, 'renew')[0]!;
    await rejection(renewUnit(f.ctx, f.taxpayer, name, { otp, ...drainer, ...crashAt('renewal-issuing-paused') }));
    expect((await rejection(issue(name))).reason).toBe('UNIT_PAUSED');
    sim.control.clock.advance(ISSUING_PAUSE_MS / 1000 + 1);
    expect((await issue(name)).icv).toBe(1);
  });
});
