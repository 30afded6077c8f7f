// A unit reference (id, name or serial, in URLs, tokens and --unit) names one device only: a new
// unit cannot take a name equal to another's serial or id, and lookups resolve id, then name, then serial.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addBranch, addTaxpayer, addUnit, isFleetError } from '../../src/egs/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { units } from '../../src/store/index.js';
import { CHAIN_BRANCHES, CHAIN_VAT, startFleetSimulator, testFleet, type TestFleet } from './helpers.js';

describe('unit references', () => {
  let sim: RunningSimulator;
  let fleet: TestFleet;
  beforeAll(async () => {
    sim = await startFleetSimulator();
    fleet = await testFleet('sqlite', sim);
  });
  afterAll(async () => {
    await fleet?.close();
    await sim?.close();
  });

  it("refuses a name equal to another unit's serial or id; lookups cannot be shadowed", async () => {
    const chain = await addTaxpayer(fleet.ctx, { vatNumber: CHAIN_VAT, nameAr: 'مطاعم السلسلة المحدودة', nameEn: 'Chain Restaurants LTD' });
    for (const b of CHAIN_BRANCHES.slice(0, 2)) await addBranch(fleet.ctx, chain, b);
    const riyadh = await addUnit(fleet.ctx, chain, { branch: 'Riyadh', serial: '1-Fawtara|2-POS|3-RUH-001', name: 'RUH-POS-1' });
    const refusal = async (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: unknown) => e,
      );
    for (const name of [riyadh.serial, riyadh.id]) {
      const e = await refusal(addUnit(fleet.ctx, chain, { branch: 'Jeddah', serial: `1-X|2-Y|3-${name.length}`, name }));
      expect(isFleetError(e, 'DUPLICATE'), String(e)).toBe(true);
    }
    // A serial equal to another unit's name is refused too.
    const e = await refusal(addUnit(fleet.ctx, chain, { branch: 'Jeddah', serial: 'RUH-POS-1', name: 'JED-ODD' }));
    expect(e).toBeTruthy();
    const jeddah = await addUnit(fleet.ctx, chain, { branch: 'Jeddah', serial: '1-Fawtara|2-POS|3-JED-001', name: 'JED-POS-1' });
    expect((await units.findUnit(fleet.ctx.store.db, chain.id, riyadh.id))!.id).toBe(riyadh.id);
    expect((await units.findUnit(fleet.ctx.store.db, chain.id, 'RUH-POS-1'))!.id).toBe(riyadh.id);
    expect((await units.findUnit(fleet.ctx.store.db, chain.id, riyadh.serial))!.id).toBe(riyadh.id);
    expect((await units.findUnit(fleet.ctx.store.db, chain.id, jeddah.serial))!.id).toBe(jeddah.id);
  });
});
