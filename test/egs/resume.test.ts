// Crash safety of onboarding and renewal (issue 5 "Done when"): a failure injected after every
// persisted step, then the same command again, completes — and ZATCA (the simulator) issued exactly
// one compliance CSID and one production CSID for the unit. SQLite and PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addBranch, addTaxpayer, addUnit, FleetError, onboardUnit, renewUnit, resolveUnit, type FleetError as FleetErrorType } from '../../src/egs/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import type { Taxpayer } from '../../src/store/index.js';
import { CHAIN_BRANCHES, CHAIN_VAT, ENGINES, issuedBySimulator, otpsFor, reportOne, startFleetSimulator, testFleet, type TestFleet } from './helpers.js';

const ONBOARDING_STEPS = [
  'csr-created',
  'ccsid-issued',
  'compliance:standard-compliant',
  'compliance:standard-credit-note-compliant',
  'compliance:standard-debit-note-compliant',
  'compliance:simplified-compliant',
  'compliance:simplified-credit-note-compliant',
  'compliance:simplified-debit-note-compliant',
  'compliance-done',
  'pcsid-issued',
];

const crashAt = (target: string) => ({
  afterStep: (step: string) => {
    if (step === target) throw new FleetError('INTERRUPTED', `injected crash after ${step}`, { messageAr: 'انقطاع مصطنع' });
  },
});

async function rejection(p: Promise<unknown>): Promise<FleetErrorType> {
  try {
    await p;
  } catch (error) {
    return error as FleetErrorType;
  }
  throw new Error('expected a failure');
}

describe.each(ENGINES)('resumable onboarding on %s', (engine) => {
  let sim: RunningSimulator;
  let fleet: TestFleet;
  let taxpayer: Taxpayer;
  const simDir = mkdtempSync(join(tmpdir(), 'fawtara-sim-'));

  beforeAll(async () => {
    sim = await startFleetSimulator(simDir);
    fleet = await testFleet(engine, sim);
    taxpayer = await addTaxpayer(fleet.ctx, { vatNumber: CHAIN_VAT, nameAr: 'مطاعم', nameEn: 'Restaurants LTD' });
    await addBranch(fleet.ctx, taxpayer, CHAIN_BRANCHES[0]!);
  });
  afterAll(async () => {
    await fleet?.close();
    await sim?.close();
    rmSync(simDir, { recursive: true, force: true });
  });

  it.each(ONBOARDING_STEPS.map((s, i) => [s, i] as const))(
    'a crash right after "%s" is resumed by running onboard again, without a second CSID',
    async (step, index) => {
      const { ctx } = fleet;
      const unit = await addUnit(ctx, taxpayer, { branch: 'Riyadh', serial: `1-Fawtara|2-POS|3-CRASH-${index}` });
      const [otp] = otpsFor(sim, CHAIN_VAT, 1);
      const crashed = await rejection(onboardUnit(ctx, taxpayer, unit.name, { otp: otp!, ...crashAt(step) }));
      expect(crashed.reason).toBe('INTERRUPTED');
      // The same command again (the OTP is still given, as a person would re-run it).
      const resumed = await onboardUnit(ctx, taxpayer, unit.name, { otp: otp! });
      expect(resumed.unit.state).toBe('active');
      if (step !== 'pcsid-issued') expect(resumed.steps[0]).toBe(ONBOARDING_STEPS[index + 1]);
      else expect(resumed.alreadyActive).toBe(true);
      expect(issuedBySimulator(simDir).get(unit.serial)).toEqual({ compliance: 1, production: 1 });
      expect((await reportOne(ctx, taxpayer, unit.name)).ok).toBe(true);
    },
  );

  it.each(['renewal-csr-created', 'renewal-ccsid-issued', 'compliance:simplified-compliant', 'renewal-pcsid-issued'])(
    'a renewal crashed after "%s" completes on the next run, one renewed CCSID and one new PCSID',
    async (step) => {
      const { ctx } = fleet;
      const unit = await addUnit(ctx, taxpayer, { branch: 'Riyadh', serial: `1-Fawtara|2-POS|3-RENEW-${step.replace(/\W/g, '')}` });
      await onboardUnit(ctx, taxpayer, unit.name, { otp: otpsFor(sim, CHAIN_VAT, 1)[0]! });
      const [otp] = otpsFor(sim, CHAIN_VAT, 1, 'renew');
      expect((await rejection(renewUnit(ctx, taxpayer, unit.name, { otp: otp!, ...crashAt(step) }))).reason).toBe('INTERRUPTED');
      const again = await renewUnit(ctx, taxpayer, unit.name, step === 'renewal-csr-created' ? { otp: otp! } : {});
      expect(again.unit.state).toBe('active');
      expect(issuedBySimulator(simDir).get(unit.serial)).toEqual({ compliance: 2, production: 2 });
      expect((await reportOne(ctx, taxpayer, unit.name)).ok).toBe(true);
    },
  );
});

describe('a production CSID whose answer was lost (crash between ZATCA answering and the commit)', () => {
  it('the next run says so, restarts the unit with a new key, and a new OTP completes it', async () => {
    const simDir = mkdtempSync(join(tmpdir(), 'fawtara-sim-'));
    const sim = await startFleetSimulator(simDir);
    const fleet = await testFleet('sqlite', sim);
    try {
      const { ctx } = fleet;
      const taxpayer = await addTaxpayer(ctx, { vatNumber: CHAIN_VAT, nameAr: 'مطاعم', nameEn: 'Restaurants LTD' });
      await addBranch(ctx, taxpayer, CHAIN_BRANCHES[0]!);
      await addUnit(ctx, taxpayer, { branch: 'Riyadh', serial: '1-Fawtara|2-POS|3-LOST', title: '0100' });
      // ZATCA receives and answers the production-CSID request, then the process "dies".
      const real = ctx.zatca;
      ctx.zatca = (env) => {
        const client = real(env);
        return {
          ...client,
          requestProductionCsid: async (...args: Parameters<typeof client.requestProductionCsid>) => {
            await client.requestProductionCsid(...args);
            throw new FleetError('INTERRUPTED', 'crashed before the answer was stored', { messageAr: 'انقطاع' });
          },
        };
      };
      expect((await rejection(onboardUnit(ctx, taxpayer, 'LOST', { otp: otpsFor(sim, CHAIN_VAT, 1)[0]! }))).reason).toBe('INTERRUPTED');
      ctx.zatca = real;
      // A run right away may be racing another run: it does not conclude anything yet.
      expect((await rejection(onboardUnit(ctx, taxpayer, 'LOST'))).reason).toBe('ZATCA_REJECTED');
      expect((await resolveUnit(ctx, taxpayer, 'LOST')).state).toBe('compliance-done');
      sim.control.clock.advance(120);
      const lost = await rejection(onboardUnit(ctx, taxpayer, 'LOST'));
      expect(lost.message).toMatch(/answer was lost; revoke that CSID in the Fatoora portal/);
      expect((await resolveUnit(ctx, taxpayer, 'LOST')).state).toBe('new');
      const done = await onboardUnit(ctx, taxpayer, 'LOST', { otp: otpsFor(sim, CHAIN_VAT, 1)[0]! });
      expect(done.unit.state).toBe('active');
      expect(done.steps[0]).toBe('csr-created');
      // The orphan from the lost answer is visible at ZATCA (two EGS records for the serial), as the message said.
      expect(
        sim.control
          .env('simulation')
          .listEgs(CHAIN_VAT)
          .filter((e) => e.serialNumber === '1-Fawtara|2-POS|3-LOST'),
      ).toHaveLength(2);
    } finally {
      await fleet.close();
      await sim.close();
      rmSync(simDir, { recursive: true, force: true });
    }
  });
});
