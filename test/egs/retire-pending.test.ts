// Issue 17 item 3: retiring a unit never strands its documents. Its queue is submitted first; what
// ZATCA still lacks refuses the retirement unless forced, and forced, each document's fate is fixed:
// queued ones are still submitted with the unit's kept certificate (ZATCA still counts the unit as
// active until its CSID ends or is revoked in the portal), held ones wait for --retry-held. SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveUnit, retireUnit, unitSigning, type FleetError } from '../../src/egs/index.js';
import { issueDocument } from '../../src/issuing/index.js';
import { drainUnit } from '../../src/outbox/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { credentials, submissions, units } from '../../src/store/index.js';
import { drain, issuingFleet, saleJson, type IssuingFleet } from '../issuing/helpers.js';
import { ENGINES, startFleetSimulator } from './helpers.js';

async function rejection(p: Promise<unknown>): Promise<FleetError> {
  try {
    await p;
  } catch (error) {
    return error as FleetError;
  }
  throw new Error('expected a refusal');
}

describe.each(ENGINES)('retirement with pending documents on %s (issue 17 item 3)', (engine) => {
  let sim: RunningSimulator;
  let f: IssuingFleet;
  let n = 0;
  const issue = (unit: string) => issueDocument(f.ctx, f.taxpayer, unit, saleJson(f.taxpayer, f.branch, { number: `RT-${engine}-${++n}` }));
  const drainer = { drain: async (u: { id: string; taxpayer_id: string }) => void (await drainUnit(f.ctx, u)) };
  const states = async (name: string) => {
    const u = await resolveUnit(f.ctx, f.taxpayer, name);
    return (await submissions.submissionsOfUnit(f.ctx.store.db, f.taxpayer.id, u.id)).map((s) => s.state);
  };

  beforeAll(async () => {
    sim = await startFleetSimulator();
    f = await issuingFleet(engine, sim, 2, { title: '0100', prefix: 'RT' });
  });
  afterAll(async () => {
    await f?.close();
    await sim?.close();
  });

  it('a plain retirement submits the queue first, then retires and drops the credentials', async () => {
    for (let i = 0; i < 3; i++) await issue('RT-1');
    const u = await retireUnit(f.ctx, f.taxpayer, 'RT-1', drainer);
    expect(u.state).toBe('retired');
    expect(await states('RT-1')).toEqual(['accepted', 'accepted', 'accepted']);
    const csids = await credentials.listCsids(f.ctx.store.db, { taxpayerId: u.taxpayer_id, unitId: u.id });
    expect(csids.every((c) => c.status !== 'active')).toBe(true);
  });

  it('ZATCA down: refused unless forced; forced, the unit never issues again and its queued documents still reach ZATCA', async () => {
    for (let i = 0; i < 3; i++) await issue('RT-2');
    sim.control.env('simulation').enqueueFault({ endpoint: 'reporting', status: 503, count: 6 });
    const refused = await rejection(retireUnit(f.ctx, f.taxpayer, 'RT-2', drainer));
    expect(refused.reason).toBe('UNSUBMITTED_DOCUMENTS');
    expect(refused.message).toMatch(/3 document\(s\) ZATCA has not received \(3 queued, 0 held\)/);
    expect(await states('RT-2')).toEqual(['to-submit', 'to-submit', 'to-submit']);
    const u = await retireUnit(f.ctx, f.taxpayer, 'RT-2', { ...drainer, force: true, reason: 'branch closed during an outage' });
    expect(u.state).toBe('retired');
    const last = (await units.listTransitions(f.ctx.store.db, f.taxpayer.id, u.id)).at(-1)!;
    expect(last.reason).toMatch(/forced with 3 unsubmitted document\(s\), 3 queued and 0 held; its production CSID is kept to submit them/);
    // It never signs again…
    expect((await rejection(issue('RT-2'))).reason).toBe('UNIT_RETIRED');
    expect((await rejection(unitSigning(f.ctx, f.taxpayer, 'RT-2'))).reason).toBe('UNIT_RETIRED');
    // …but what it signed still reaches ZATCA once their backoff has passed: none is left held "unauthorized".
    sim.control.clock.advance(15 * 60);
    await drain(f.ctx);
    expect(await states('RT-2')).toEqual(['accepted', 'accepted', 'accepted']);
  });
});
