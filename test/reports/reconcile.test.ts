// Issue 7 part 5: reconciliation per unit — clean when every document is accepted (against our log
// and against the simulator's own record), and each injected difference listed with its reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueDocument } from '../../src/issuing/index.js';
import { parsePeriod, reconcile, simulatorHistorySource, type ZatcaHistoryRecord } from '../../src/reports/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import type { EgsUnit } from '../../src/store/index.js';
import { ENGINES, startFleetSimulator } from '../egs/helpers.js';
import { drain, issuingFleet, saleJson, type IssuingFleet } from '../issuing/helpers.js';

describe.each(ENGINES)('reconciliation on %s', (engine) => {
  let sim: RunningSimulator;
  let f: IssuingFleet;
  let n = 0;
  const period = parsePeriod({ period: '2026-Q1' });
  const sale = (o: Partial<Parameters<typeof saleJson>[2]> = {}) => saleJson(f.taxpayer, f.branch, { number: `R-${engine}-${++n}`, ...o });
  const issue = (unit: string, json: unknown) => issueDocument(f.ctx, f.taxpayer, unit, json);
  const history = () => simulatorHistorySource(sim.url);

  beforeAll(async () => {
    sim = await startFleetSimulator();
    f = await issuingFleet(engine, sim, 2);
  });
  afterAll(async () => {
    await f?.close();
    await sim?.close();
  });

  it("clean when every document is accepted: our log, ZATCA's record and the VAT report agree per unit", async () => {
    for (let i = 0; i < 4; i++) await issue(i % 2 ? 'POS-2' : 'POS-1', sale());
    await issue('POS-1', sale({ kind: 'standard' }));
    await drain(f.ctx);
    const ours = await reconcile(f.ctx.store.db, f.taxpayer, period, { now: f.ctx.clock.now() });
    expect(ours.differences).toEqual([]);
    expect(ours.clean).toBe(true);
    const theirs = await reconcile(f.ctx.store.db, f.taxpayer, period, { zatcaHistory: history(), now: f.ctx.clock.now() });
    expect(theirs.differences).toEqual([]);
    expect(theirs.source).toBe('zatca-history');
    expect(theirs.units.map((u) => [u.unit, u.issued, u.acceptedByUs, u.acceptedByZatca, u.inVatReport, u.differences])).toEqual([
      ['POS-1', 3, 3, 3, 3, 0],
      ['POS-2', 2, 2, 2, 2, 0],
    ]);
  });

  it('lists every difference with its reason: rejected, late, pending, missing at ZATCA, unknown to us', async () => {
    const env = sim.control.env('simulation');
    env.configure({ severityOverrides: { 'BR-KSA-98': 'ERROR' } });
    const rejected = await issue('POS-2', sale());
    sim.control.clock.advance(25 * 3600);
    await drain(f.ctx);
    env.configure({ severityOverrides: {} });
    const late = await issue('POS-1', sale());
    sim.control.clock.advance(25 * 3600);
    const pending = await issue('POS-2', sale());

    // ZATCA's record with one acceptance lost and one document we never issued.
    const accepted = await f.ctx.store.db.selectFrom('documents').select(['uuid', 'unit_id']).where('number', '=', `R-${engine}-1`).executeTakeFirstOrThrow();
    const real = history();
    const forged = crypto.randomUUID();
    const doctored = async (unit: EgsUnit): Promise<ZatcaHistoryRecord[]> => {
      const list = (await real(unit)).filter((h) => h.uuid !== accepted.uuid);
      if (unit.id === accepted.unit_id) list.push({ endpoint: 'reporting', httpStatus: 200, uuid: forged, invoiceHash: 'x', icv: 99, invoice: null });
      return list;
    };
    const r = await reconcile(f.ctx.store.db, f.taxpayer, period, { zatcaHistory: doctored, now: f.ctx.clock.now() });
    expect(r.clean).toBe(false);
    const by = (reason: string) => r.differences.filter((d) => d.reason === reason);
    expect(by('rejected').map((d) => d.uuid)).toEqual([rejected.uuid]);
    expect(by('late').map((d) => d.uuid)).toEqual([late.uuid]);
    expect(by('pending').map((d) => d.uuid)).toEqual([pending.uuid]);
    expect(by('missing-at-zatca').map((d) => d.uuid)).toEqual([accepted.uuid]);
    expect(by('unknown-to-us').map((d) => [d.uuid, d.unit])).toEqual([[forged, 'POS-1']]);
    expect(r.differences).toHaveLength(5);
    expect(r.differences.every((d) => d.message && d.messageAr)).toBe(true);
    const pos1 = r.units.find((u) => u.unit === 'POS-1')!;
    expect([pos1.issued, pos1.acceptedByUs, pos1.acceptedByZatca, pos1.inVatReport, pos1.differences]).toEqual([4, 3, 2, 3, 3]);

    // Delivered: the late one is accepted (flagged, still listed as late), the pending one is in time.
    await drain(f.ctx);
    const after = await reconcile(f.ctx.store.db, f.taxpayer, period, { zatcaHistory: history(), now: f.ctx.clock.now() });
    expect(after.differences.map((d) => [d.reason, d.uuid])).toEqual([
      ['late', late.uuid],
      ['rejected', rejected.uuid],
    ]);
  });
});
