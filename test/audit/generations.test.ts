// Issue 17 item 4: `audit --simulator-history` compares a unit with what ZATCA (the simulator) received
// from *that* unit. A device onboarded again keeps its serial (a new unit, generation 2, ICV from 1 —
// policy in docs/fleet.md), so ZATCA's record is looked up by the generation's certificates, not the
// serial both generations share. SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditChains } from '../../src/audit/index.js';
import { addUnit, onboardUnit, retireUnit } from '../../src/egs/index.js';
import { issueDocument } from '../../src/issuing/index.js';
import { simulatorHistorySource, unitCertificateSerials } from '../../src/reports/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { CHAIN_VAT, ENGINES, otpsFor, startFleetSimulator } from '../egs/helpers.js';
import { drain, issuingFleet, saleJson, type IssuingFleet } from '../issuing/helpers.js';

describe.each(ENGINES)('audit against ZATCA history across generations on %s', (engine) => {
  let sim: RunningSimulator;
  let f: IssuingFleet;
  let n = 0;
  const issue = (unit: string) => issueDocument(f.ctx, f.taxpayer, unit, saleJson(f.taxpayer, f.branch, { number: `GEN-${engine}-${++n}` }));

  beforeAll(async () => {
    sim = await startFleetSimulator();
    f = await issuingFleet(engine, sim, 1, { title: '0100', prefix: 'GEN' });
  });
  afterAll(async () => {
    await f?.close();
    await sim?.close();
  });

  it("generation 2 of a device is matched with its own record at ZATCA: no false break; generation 1's record stays its own", async () => {
    for (let i = 0; i < 3; i++) await issue('GEN-1');
    await drain(f.ctx);
    await retireUnit(f.ctx, f.taxpayer, 'GEN-1');
    const gen2 = await addUnit(f.ctx, f.taxpayer, { replaces: 'GEN-1' });
    expect([gen2.serial, gen2.generation]).toEqual(['1-Fawtara|2-GEN|3-U1', 2]);
    await onboardUnit(f.ctx, f.taxpayer, gen2.id, { otp: otpsFor(sim, CHAIN_VAT, 1)[0]! });
    for (let i = 0; i < 2; i++) await issue(gen2.id);
    await drain(f.ctx);

    const byCertificate = await auditChains(f.ctx, f.taxpayer, {
      zatcaHistory: simulatorHistorySource(sim.url, fetch, unitCertificateSerials(f.ctx.store.db)),
    });
    expect(byCertificate.breaks.map((b) => `${b.unit} ${b.icv} ${b.message}`)).toEqual([]);
    expect(byCertificate.checked).toBe(5);
    // The serial alone names generation 1's record at ZATCA: generation 2's documents look missing there.
    const bySerial = await auditChains(f.ctx, f.taxpayer, { zatcaHistory: simulatorHistorySource(sim.url) });
    expect(bySerial.breaks.length).toBeGreaterThan(0);
  });
});
