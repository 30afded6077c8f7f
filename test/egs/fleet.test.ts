// Issue 5 "Done when", service level, on SQLite and PostgreSQL against the simulator: the seed-002
// chain (3 branches, 6 devices) onboarded in one bulk call; portal revocation stops issuing; renewal
// on both paths; a VAT-group member's device with its TIN; expiry; retirement; bad input and faults.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addBranch,
  addTaxpayer,
  addUnit,
  assertCanIssue,
  bulkOnboard,
  expiringUnits,
  onboardUnit,
  renewUnit,
  resolveUnit,
  retireUnit,
  unitSigning,
  type FleetError,
} from '../../src/egs/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { credentials, logs, units, type Taxpayer } from '../../src/store/index.js';
import {
  CHAIN_BRANCHES,
  CHAIN_DEVICES,
  CHAIN_VAT,
  ENGINES,
  GROUP_VAT,
  issuedBySimulator,
  otpsFor,
  reportOne,
  startFleetSimulator,
  testFleet,
  type TestFleet,
} from './helpers.js';

async function rejection(p: Promise<unknown>): Promise<FleetError> {
  try {
    await p;
  } catch (error) {
    return error as FleetError;
  }
  throw new Error('expected a refusal');
}

describe.each(ENGINES)('EGS fleet on %s (issue 5 Done-when)', (engine) => {
  let sim: RunningSimulator;
  let fleet: TestFleet;
  let chain: Taxpayer;
  const simDir = mkdtempSync(join(tmpdir(), 'fawtara-sim-'));
  const control = () => sim.control.env('simulation');

  beforeAll(async () => {
    sim = await startFleetSimulator(simDir);
    fleet = await testFleet(engine, sim);
    chain = await addTaxpayer(fleet.ctx, {
      vatNumber: CHAIN_VAT,
      nameAr: 'مطاعم السلسلة المحدودة',
      nameEn: 'Chain Restaurants LTD',
      businessCategory: 'Restaurants',
    });
    for (const b of CHAIN_BRANCHES) await addBranch(fleet.ctx, chain, b);
  });
  afterAll(async () => {
    await fleet?.close();
    await sim?.close();
    rmSync(simDir, { recursive: true, force: true });
  });

  it('docs/zatca-notes.md §P2: a 3-branch, 6-device chain is onboarded in one bulk call, one CCSID and one PCSID per device', async () => {
    const otps = otpsFor(sim, CHAIN_VAT, CHAIN_DEVICES.length);
    const progress: string[] = [];
    const results = await bulkOnboard(
      fleet.ctx,
      chain,
      CHAIN_DEVICES.map((d, i) => ({ ...d, otp: otps[i]! })),
      { onProgress: (done, total, r) => progress.push(`${done}/${total} ${r.unit}`) },
    );
    expect(results.map((r) => [r.unit, r.ok, r.state])).toEqual(CHAIN_DEVICES.map((d) => [d.name, true, 'active']));
    expect(progress).toHaveLength(6);
    const atZatca = control().listEgs(CHAIN_VAT);
    expect(atZatca.map((e) => [e.serialNumber, e.organizationUnit, e.state]).sort()).toEqual(CHAIN_DEVICES.map((d) => [d.serial, d.branch, 'ACTIVE']).sort());
    const issued = issuedBySimulator(simDir);
    for (const d of CHAIN_DEVICES) expect(issued.get(d.serial)).toEqual({ compliance: 1, production: 1 });
    // Six units, six keys: no key is shared.
    const keys = new Set<string>();
    for (const d of CHAIN_DEVICES) {
      const u = await resolveUnit(fleet.ctx, chain, d.name);
      expect(u.icv).toBe(0);
      const pcsid = await credentials.activeCsid(fleet.ctx.store.db, { taxpayerId: chain.id, unitId: u.id }, 'production');
      keys.add(pcsid!.key_id);
    }
    expect(keys.size).toBe(6);
    // The chain issues: a simplified invoice of one unit is reported.
    expect((await reportOne(fleet.ctx, chain, 'RUH-POS-1')).ok).toBe(true);
  });

  it('docs/zatca-notes.md §A8.3: a unit revoked in the portal answers 401, becomes revoked, stops issuing, and returns only as a new unit', async () => {
    control().revoke(CHAIN_DEVICES[1]!.serial, 'device lost');
    const refused = await rejection(reportOne(fleet.ctx, chain, 'RUH-POS-2'));
    expect(refused.reason).toBe('UNIT_REVOKED');
    expect(refused.message).toMatch(/revoked by ZATCA.*new unit/);
    expect(refused.messageAr).toBeTruthy();
    const unit = await resolveUnit(fleet.ctx, chain, 'RUH-POS-2');
    expect(unit.state).toBe('revoked');
    const history = await units.listTransitions(fleet.ctx.store.db, chain.id, unit.id);
    expect(history.at(-1)).toMatchObject({ from_state: 'active', to_state: 'revoked', actor: 'test' });
    expect(history.at(-1)!.reason).toMatch(/401 on reporting/);
    expect(() => assertCanIssue(unit)).toThrow(/revoked/);
    expect((await rejection(unitSigning(fleet.ctx, chain, 'RUH-POS-2'))).reason).toBe('UNIT_REVOKED');
    expect((await rejection(onboardUnit(fleet.ctx, chain, 'RUH-POS-2', { otp: otpsFor(sim, CHAIN_VAT, 1)[0]! }))).reason).toBe('UNIT_REVOKED');
    expect((await rejection(renewUnit(fleet.ctx, chain, 'RUH-POS-2', { otp: '123456' }))).reason).toBe('UNIT_REVOKED');

    // The same device again: refused as a duplicate serial, accepted as a replacement (new key, ICV from 1).
    expect((await rejection(addUnit(fleet.ctx, chain, { branch: 'Riyadh', serial: CHAIN_DEVICES[1]!.serial }))).reason).toBe('DUPLICATE');
    const again = await addUnit(fleet.ctx, chain, { branch: 'Riyadh', serial: CHAIN_DEVICES[1]!.serial, replaces: 'RUH-POS-2' });
    expect(again).toMatchObject({ generation: 2, icv: 0, replaces_unit_id: unit.id, state: 'new' });
    const r = await onboardUnit(fleet.ctx, chain, again.id, { otp: otpsFor(sim, CHAIN_VAT, 1)[0]! });
    expect(r.unit.state).toBe('active');
    const oldKey = (await credentials.listCsids(fleet.ctx.store.db, { taxpayerId: chain.id, unitId: unit.id }))[0]!.key_id;
    const newKey = (await credentials.activeCsid(fleet.ctx.store.db, { taxpayerId: chain.id, unitId: again.id }, 'production'))!.key_id;
    expect(newKey).not.toBe(oldKey);
    expect((await reportOne(fleet.ctx, chain, again.id)).ok).toBe(true);
  });

  it('docs/zatca-notes.md §A3.4: renewal on the 428 path (renewed CCSID → compliance → PCSID), and on the 200 path', async () => {
    const before = await resolveUnit(fleet.ctx, chain, 'JED-POS-1');
    const r = await renewUnit(fleet.ctx, chain, 'JED-POS-1', { otp: otpsFor(sim, CHAIN_VAT, 1, 'renew')[0]! });
    expect(r.path).toBe('428');
    expect(r.steps[0]).toBe('renewal-csr-created');
    expect(r.steps).toContain('renewal-ccsid-issued');
    expect(r.steps.filter((s) => s.startsWith('compliance:'))).toHaveLength(6);
    expect(r.steps.at(-1)).toBe('renewal-pcsid-issued');
    expect(r.unit.state).toBe('active');
    expect(r.unit.icv).toBe(before.icv);
    const csids = await credentials.listCsids(fleet.ctx.store.db, { taxpayerId: chain.id, unitId: before.id });
    expect(
      csids
        .filter((c) => c.kind === 'production')
        .map((c) => c.status)
        .sort(),
    ).toEqual(['active', 'superseded']);
    const states = (await units.listTransitions(fleet.ctx.store.db, chain.id, before.id)).map((h) => h.to_state);
    expect(states.slice(-2)).toEqual(['renewal-pending', 'active']);
    expect((await reportOne(fleet.ctx, chain, 'JED-POS-1')).ok).toBe(true);
    // A rerun without an OTP after a finished renewal does nothing.
    expect((await renewUnit(fleet.ctx, chain, 'JED-POS-1')).alreadyRenewed).toBe(true);

    control().configure({ renewalResponse: 200 });
    try {
      const direct = await renewUnit(fleet.ctx, chain, 'JED-POS-2', { otp: otpsFor(sim, CHAIN_VAT, 1, 'renew')[0]! });
      expect(direct.path).toBe('200');
      expect(direct.steps).toEqual(['renewal-csr-created', 'renewal-issuing-paused', 'renewal-queue-drained', 'renewal-pcsid-issued']);
      expect((await reportOne(fleet.ctx, chain, 'JED-POS-2')).ok).toBe(true);
    } finally {
      control().configure({ renewalResponse: 428 });
    }
    // A wrong renewal OTP: refused, the unit stays active on its current PCSID.
    const wrong = await rejection(renewUnit(fleet.ctx, chain, 'DMM-POS-1', { otp: '000001' }));
    expect(wrong.reason).toBe('ZATCA_REJECTED');
    expect((await resolveUnit(fleet.ctx, chain, 'DMM-POS-1')).state).toBe('active');
  });

  it('docs/zatca-notes.md §A5.2: the representative onboards a VAT-group member device; OU = member TIN, UID = group VAT', async () => {
    const { ctx } = fleet;
    const group = await addTaxpayer(ctx, {
      vatNumber: GROUP_VAT,
      nameAr: 'مجموعة ضريبية',
      nameEn: 'Group Holding',
      vatGroup: true,
      members: [{ tin: '3000000001', name: 'Member One' }],
    });
    await addBranch(ctx, group, { ...CHAIN_BRANCHES[0]!, name: 'HQ' });
    expect((await rejection(addUnit(ctx, group, { branch: 'HQ', serial: '1-Fawtara|2-POS|3-GRP-001' }))).field).toBe('member');
    expect((await rejection(addUnit(ctx, group, { branch: 'HQ', serial: '1-Fawtara|2-POS|3-GRP-001', memberTin: '3000000009' }))).reason).toBe('NOT_FOUND');
    const unit = await addUnit(ctx, group, { branch: 'HQ', serial: '1-Fawtara|2-POS|3-GRP-001', memberTin: '3000000001' });
    expect(unit.organization_unit).toBe('3000000001');
    const r = await onboardUnit(ctx, group, unit.name, { otp: otpsFor(sim, GROUP_VAT, 1)[0]! });
    expect(r.unit.state).toBe('active');
    const atZatca = control().listEgs(GROUP_VAT);
    expect(atZatca).toEqual([expect.objectContaining({ vat: GROUP_VAT, organizationUnit: '3000000001', state: 'ACTIVE' })]);
    expect((await reportOne(ctx, group, unit.name)).ok).toBe(true);
    // Tenant isolation: the chain's taxpayer cannot reach the group's unit.
    expect((await rejection(resolveUnit(ctx, chain, unit.id))).reason).toBe('NOT_FOUND');
    // A VAT-group event revokes the member's device at ZATCA; the next call revokes it here.
    control().vatGroupEvent(GROUP_VAT, { event: 'member-removed', memberTin: '3000000001' });
    expect((await rejection(reportOne(ctx, group, unit.name))).reason).toBe('UNIT_REVOKED');
  });

  it('bad input and faults leave the unit consistent, and the same command resumes', async () => {
    const { ctx } = fleet;
    expect((await rejection(addTaxpayer(ctx, { vatNumber: '31012239350000', nameAr: 'x' }))).field).toBe('vatNumber');
    expect((await rejection(addTaxpayer(ctx, { vatNumber: '300000000010003', nameAr: 'x' }))).field).toBe('vatGroup');
    expect(
      (await rejection(addTaxpayer(ctx, { vatNumber: '300000000010013', nameAr: 'x', vatGroup: true, members: [{ tin: '12345', name: 'm' }] }))).field,
    ).toBe('members[0].tin');
    expect((await rejection(addTaxpayer(ctx, { vatNumber: CHAIN_VAT, nameAr: 'x' }))).reason).toBe('DUPLICATE');
    expect((await rejection(addUnit(ctx, chain, { branch: 'Riyadh', serial: 'POS-7' }))).field).toBe('serial');
    expect((await rejection(addUnit(ctx, chain, { branch: 'Riyadh', serial: CHAIN_DEVICES[0]!.serial }))).reason).toBe('DUPLICATE');

    const unit = await addUnit(ctx, chain, { branch: 'Dammam', serial: '1-Fawtara|2-POS|3-DMM-003' });
    const scope = { taxpayerId: chain.id, unitId: unit.id };
    // No OTP / a wrong OTP: refused, unit still new; the CSR that was sent is never sent again.
    expect((await rejection(onboardUnit(ctx, chain, unit.name))).reason).toBe('OTP_REQUIRED');
    const wrong = await rejection(onboardUnit(ctx, chain, unit.name, { otp: '999999' }));
    expect(wrong).toMatchObject({ reason: 'ZATCA_REJECTED', field: 'otp', rule: 'Invalid-OTP' });
    expect((await resolveUnit(ctx, chain, unit.name)).state).toBe('new');
    // An expired OTP (one hour, simulated clock).
    const [stale] = otpsFor(sim, CHAIN_VAT, 1);
    sim.control.clock.advance(3601);
    expect((await rejection(onboardUnit(ctx, chain, unit.name, { otp: stale! }))).rule).toBe('Invalid-OTP');
    // A CSR ZATCA rejects: the CSR is marked rejected and the unit stays new.
    const templates = control().mode.expectedTemplates;
    control().configure({ expectedTemplates: ['SOMETHING-ELSE'] });
    const [otp] = otpsFor(sim, CHAIN_VAT, 1);
    try {
      expect((await rejection(onboardUnit(ctx, chain, unit.name, { otp: otp! }))).rule).toBe('Invalid-CSR');
    } finally {
      control().configure({ expectedTemplates: templates });
    }
    expect((await credentials.latestCsr(ctx.store.db, scope, 'onboard'))!.status).toBe('rejected');
    // Network loss in the middle: a 503 on a compliance document, then a dropped production-CSID call.
    control().enqueueFault({ endpoint: 'compliance-invoices', status: 503, count: 1 });
    const lost = await rejection(onboardUnit(ctx, chain, unit.name, { otp: otp! }));
    expect(lost.reason).toBe('ZATCA_UNAVAILABLE');
    expect((await resolveUnit(ctx, chain, unit.name)).state).toBe('ccsid-issued');
    control().enqueueFault({ endpoint: 'production-csid', drop: true, count: 1 });
    expect((await rejection(onboardUnit(ctx, chain, unit.name))).reason).toBe('ZATCA_UNAVAILABLE');
    expect((await resolveUnit(ctx, chain, unit.name)).state).toBe('compliance-done');
    const done = await onboardUnit(ctx, chain, unit.name);
    expect(done.unit.state).toBe('active');
    expect(done.steps).toEqual(['pcsid-issued']);
    // Four CSRs were made (wrong OTP, expired OTP, rejected CSR, success); one CCSID and one PCSID at ZATCA.
    const csrs = await credentials.countCsrs(ctx.store.db, scope);
    expect(csrs.map((c) => c.status).sort()).toEqual(['rejected', 'sent', 'sent', 'used']);
    expect(issuedBySimulator(simDir).get(unit.serial)).toEqual({ compliance: 1, production: 1 });
    // Every exchange is logged with its outcome; none carries a secret or an OTP.
    const exchanges = await logs.listExchanges(ctx.store.db, chain.id, unit.id);
    expect(exchanges.map((e) => e.outcome)).toEqual(expect.arrayContaining(['rejected', 'not-received', 'accepted']));
    const text = JSON.stringify(exchanges) + fleet.logLines.join('');
    for (const o of [otp!, stale!, '999999']) expect(text).not.toContain(o);
  });

  it('retire refuses while documents wait for ZATCA unless forced with a reason', async () => {
    const { ctx } = fleet;
    ctx.pendingDocuments = async () => 2;
    try {
      expect((await rejection(retireUnit(ctx, chain, 'DMM-POS-2'))).reason).toBe('UNSUBMITTED_DOCUMENTS');
      expect((await rejection(retireUnit(ctx, chain, 'DMM-POS-2', { force: true }))).field).toBe('reason');
      const u = await retireUnit(ctx, chain, 'DMM-POS-2', { force: true, reason: 'branch closed' });
      expect(u.state).toBe('retired');
      const last = (await units.listTransitions(ctx.store.db, chain.id, u.id)).at(-1)!;
      expect(last.reason).toMatch(/branch closed.*2 unsubmitted/);
      expect((await rejection(unitSigning(ctx, chain, 'DMM-POS-2'))).reason).toBe('UNIT_RETIRED');
    } finally {
      delete ctx.pendingDocuments;
    }
  });

  it('expiry monitor: units whose PCSID ends within N days, then expired (runs last: moves the clock years ahead)', async () => {
    const { ctx } = fleet;
    expect(await expiringUnits(ctx, chain, 30)).toEqual([]);
    const pcsid = (await credentials.activeCsid(
      ctx.store.db,
      { taxpayerId: chain.id, unitId: (await resolveUnit(ctx, chain, 'RUH-POS-1')).id },
      'production',
    ))!;
    sim.control.clock.set(new Date(Date.parse(pcsid.not_after) - 10 * 86_400_000));
    const soon = await expiringUnits(ctx, chain, 30);
    expect(soon.map((e) => e.unit.name)).toContain('RUH-POS-1');
    expect(soon.find((e) => e.unit.name === 'RUH-POS-1')!.daysLeft).toBe(10);
    sim.control.clock.set(new Date(Date.parse(pcsid.not_after) + 1000));
    const past = await expiringUnits(ctx, chain, 0);
    expect(past.find((e) => e.unit.name === 'RUH-POS-1')!.unit.state).toBe('expired');
    expect(() => assertCanIssue(past.find((e) => e.unit.name === 'RUH-POS-1')!.unit)).toThrow(/expired/);
  });
});
