// Issue 17 item 5: `units add --replaces U` takes the device's serial and branch from U; the unit
// view carries the generation; a member that left a VAT group can be removed once its units are
// retired (ZATCA revokes a leaving member's units: VAT-group event). SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addBranch, addTaxpayer, addUnit, removeMember, retireUnit, type FleetError } from '../../src/egs/index.js';
import { describeUnit } from '../../src/egs/unit-view.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { tenants } from '../../src/store/index.js';
import { CHAIN_BRANCHES, ENGINES, GROUP_VAT, startFleetSimulator, testFleet, type TestFleet } from './helpers.js';

async function rejection(p: Promise<unknown>): Promise<FleetError> {
  try {
    await p;
  } catch (error) {
    return error as FleetError;
  }
  throw new Error('expected a refusal');
}

describe.each(ENGINES)('unit administration on %s (issue 17 item 5)', (engine) => {
  let sim: RunningSimulator;
  let fleet: TestFleet;

  beforeAll(async () => {
    sim = await startFleetSimulator();
    fleet = await testFleet(engine, sim);
  });
  afterAll(async () => {
    await fleet?.close();
    await sim?.close();
  });

  it('a VAT-group member is removed only after its units are retired; then it cannot carry new devices', async () => {
    const { ctx } = fleet;
    const group = await addTaxpayer(ctx, {
      vatNumber: GROUP_VAT,
      nameAr: 'مجموعة',
      nameEn: 'Group',
      vatGroup: true,
      members: [{ tin: '3000000001', name: 'Member One' }],
    });
    await addBranch(ctx, group, { ...CHAIN_BRANCHES[0]!, name: 'HQ' });
    const unit = await addUnit(ctx, group, { branch: 'HQ', serial: '1-Fawtara|2-POS|3-MEM-1', memberTin: '3000000001' });
    const busy = await rejection(removeMember(ctx, group, '3000000001'));
    expect([busy.reason, busy.field]).toEqual(['WRONG_STATE', 'tin']);
    expect(busy.message).toMatch(/retire them first/);
    await retireUnit(ctx, group, unit.name);
    expect((await removeMember(ctx, group, '3000000001')).tin).toBe('3000000001');
    expect(await tenants.listMembers(ctx.store.db, group.id)).toEqual([]);
    expect((await rejection(addUnit(ctx, group, { branch: 'HQ', serial: '1-Fawtara|2-POS|3-MEM-2', memberTin: '3000000001' }))).reason).toBe('NOT_FOUND');
    expect((await rejection(removeMember(ctx, group, '3000000001'))).reason).toBe('NOT_FOUND');
  });

  it('--replaces alone: the new unit takes the serial, branch and name of the unit it replaces, generation 2', async () => {
    const { ctx } = fleet;
    const chain = await addTaxpayer(ctx, { vatNumber: '310122393500003', nameAr: 'مطاعم', nameEn: 'Restaurants' });
    await addBranch(ctx, chain, CHAIN_BRANCHES[1]!);
    const first = await addUnit(ctx, chain, { branch: CHAIN_BRANCHES[1]!.name, serial: '1-Fawtara|2-POS|3-REP-1' });
    expect((await rejection(addUnit(ctx, chain, { replaces: first.name }))).reason).toBe('WRONG_STATE');
    await retireUnit(ctx, chain, first.name);
    const second = await addUnit(ctx, chain, { replaces: first.name });
    expect([second.serial, second.branch_id, second.name, second.generation, second.replaces_unit_id]).toEqual([
      first.serial,
      first.branch_id,
      first.name,
      2,
      first.id,
    ]);
    expect((await describeUnit(ctx, second)).generation).toBe(2);
  });
});
