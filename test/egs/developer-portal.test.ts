// Issue 11 "The real ZATCA sandbox": onboarding, reporting and clearance against the simulator's
// developer-portal behaviour (one canned certificate for every CSR, OTP 123345), the sandbox-only
// flag and its refusal outside the sandbox, and the VAT-number permission the canned certificate brings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { print } from '../../src/cli/commands/fleet-output.js';
import { complianceDocumentJson } from '../../src/egs/compliance-documents.js';
import { addBranch, addTaxpayer, addUnit, callAsUnit, onboardUnit, renewUnit, resolveUnit, unitSigning, type FleetError } from '../../src/egs/index.js';
import { describeUnit } from '../../src/egs/unit-view.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { stampInvoice } from '../../src/stamp/index.js';
import { credentials, tenants, type Taxpayer } from '../../src/store/index.js';
import { buildInvoice } from '../../src/ubl/writer.js';
import { invoiceSubmission } from '../../src/zatca/index.js';
import { CHAIN_BRANCHES, CHAIN_VAT, ENGINES, T0, testFleet, type TestFleet } from './helpers.js';

const SANDBOX_VAT = '399999999900003';

async function rejection(p: Promise<unknown>): Promise<FleetError> {
  try {
    await p;
  } catch (error) {
    return error as FleetError;
  }
  throw new Error('expected a refusal');
}

/** Stamp one compliance-shaped document on the unit, as issuing does, and send it to `endpoint`. */
async function submitOne(fleet: TestFleet, taxpayer: Taxpayer, unit: string, kind: 'simplified' | 'standard', sequence: number) {
  const ctx = fleet.ctx;
  const signing = await unitSigning(ctx, taxpayer, unit);
  const branch = (await tenants.findBranch(ctx.store.db, taxpayer.id, signing.unit.branch_id))!;
  const json = complianceDocumentJson({ step: `${kind}-compliant`, kind, documentType: 'invoice' } as Parameters<typeof complianceDocumentJson>[0], {
    taxpayer,
    branch,
    unit: signing.unit,
    now: ctx.clock.now(),
    sequence,
  });
  const stamped = stampInvoice(buildInvoice(json), {
    certificate: signing.certificate,
    signer: signing.signer,
    signingTime: ctx.clock.now(),
    sandboxCertificate: signing.sandboxCertificate,
  });
  const submission = invoiceSubmission(stamped.xml, stamped.invoiceHash, stamped.facts.uuid);
  return kind === 'simplified'
    ? callAsUnit(ctx, signing, 'reporting', (client, creds) => client.reportInvoice(creds, submission))
    : callAsUnit(ctx, signing, 'clearance', (client, creds) => client.clearInvoice(creds, submission));
}

describe.each(ENGINES)('the developer-portal sandbox on %s (issue 11)', (engine) => {
  let sim: RunningSimulator;
  let fleet: TestFleet;
  let sandboxTaxpayer: Taxpayer;
  let otherTaxpayer: Taxpayer;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, host: '127.0.0.1', seed: 11, clock: { now: () => T0 }, behaviour: 'developer-portal' });
    fleet = await testFleet(engine, sim);
    sandboxTaxpayer = await addTaxpayer(fleet.ctx, {
      vatNumber: SANDBOX_VAT,
      nameAr: 'شركة الاختبار',
      nameEn: 'Sandbox Test LTD',
      businessCategory: 'Supply activities',
    });
    otherTaxpayer = await addTaxpayer(fleet.ctx, {
      vatNumber: CHAIN_VAT,
      nameAr: 'مطاعم السلسلة',
      nameEn: 'Chain Restaurants LTD',
      businessCategory: 'Restaurants',
    });
    for (const t of [sandboxTaxpayer, otherTaxpayer]) await addBranch(fleet.ctx, t, CHAIN_BRANCHES[0]!);
  });
  afterAll(async () => {
    await fleet?.close();
    await sim?.close();
  });

  it('onboards with OTP 123345, keeping the canned certificate for the sandbox only, with a warning in English and Arabic', async () => {
    await addUnit(fleet.ctx, sandboxTaxpayer, { branch: 'Riyadh', serial: '1-Fawtara|2-POS|3-SBX-001', name: 'SBX-POS-1', environment: 'sandbox' });
    await addUnit(fleet.ctx, sandboxTaxpayer, { branch: 'Riyadh', serial: '1-Fawtara|2-POS|3-SBX-002', name: 'SBX-POS-2', environment: 'sandbox' });
    const wrong = await rejection(onboardUnit(fleet.ctx, sandboxTaxpayer, 'SBX-POS-1', { otp: '654321' }));
    expect(wrong.rule).toBe('Invalid-OTP');
    for (const name of ['SBX-POS-1', 'SBX-POS-2']) {
      const r = await onboardUnit(fleet.ctx, sandboxTaxpayer, name, { otp: '123345' });
      expect(r.unit.state).toBe('active');
      expect(r.warnings.map((w) => w.code)).toEqual(['SANDBOX_CANNED_CERTIFICATE']);
      expect(r.warnings[0]!.message).toContain('399999999900003');
      expect(r.warnings[0]!.messageAr).toMatch(/[\u0600-\u06ff]/);
      const csids = await credentials.listCsids(fleet.ctx.store.db, { taxpayerId: sandboxTaxpayer.id, unitId: r.unit.id });
      expect(csids.map((c) => [c.kind, c.sandbox_only])).toEqual([
        ['compliance', 1],
        ['production', 1],
      ]);
      expect((await describeUnit(fleet.ctx, r.unit)).warnings.map((w) => w.code)).toEqual(['SANDBOX_CANNED_CERTIFICATE']);
    }
    expect(fleet.logLines.some((l) => l.includes('SANDBOX_CANNED_CERTIFICATE') && l.includes('"level":40'))).toBe(true);
    // The CLI's text output of a unit view carries the warning in both languages.
    const printed: string[] = [];
    const view = await describeUnit(fleet.ctx, await resolveUnit(fleet.ctx, sandboxTaxpayer, 'SBX-POS-1'));
    print({ out: (t) => void printed.push(t), err: () => undefined }, false, { unit: view }, () => 'unit SBX-POS-1');
    expect(printed[0]).toMatch(/^unit SBX-POS-1\nwarning: unit SBX-POS-1: the developer-portal sandbox .*\nتحذير: /s);
    // Every unit got the same certificate: the sandbox's, not one for its key.
    const tokens = new Set<string>();
    for (const name of ['SBX-POS-1', 'SBX-POS-2']) {
      const unit = await resolveUnit(fleet.ctx, sandboxTaxpayer, name);
      tokens.add((await credentials.activeCsid(fleet.ctx.store.db, { taxpayerId: sandboxTaxpayer.id, unitId: unit.id }, 'production'))!.binary_security_token);
    }
    expect(tokens.size).toBe(1);
  });

  it('reports a simplified invoice and clears a standard one signed with the unit key: accepted with the invalid-signing-certificate warning', async () => {
    const reported = await submitOne(fleet, sandboxTaxpayer, 'SBX-POS-1', 'simplified', 1);
    expect([reported.ok, reported.httpStatus, reported.kind]).toEqual([true, 202, 'accepted-with-warnings']);
    expect(reported.warnings.map((w) => w.code)).toEqual(['invalid-signing-certificate']);
    const cleared = await submitOne(fleet, sandboxTaxpayer, 'SBX-POS-2', 'standard', 1);
    expect([cleared.ok, cleared.httpStatus]).toEqual([true, 202]);
    expect(cleared.warnings.map((w) => w.code)).toEqual(['invalid-signing-certificate']);
    expect(cleared.body && 'clearedInvoice' in cleared.body && cleared.body.clearedInvoice).toBeTruthy();
  });

  it('renews in the sandbox: the same canned certificate again, still sandbox-only, the unit still issues', async () => {
    const r = await renewUnit(fleet.ctx, sandboxTaxpayer, 'SBX-POS-2', { otp: '123345' });
    expect([r.unit.state, r.path], JSON.stringify(r.steps)).toEqual(['active', '200']);
    const csids = await credentials.listCsids(fleet.ctx.store.db, { taxpayerId: sandboxTaxpayer.id, unitId: r.unit.id });
    // Both rows date from the same (fixed) simulated instant: compare without order.
    expect(
      csids
        .filter((c) => c.kind === 'production')
        .map((c) => `${c.status}:${c.sandbox_only}`)
        .sort(),
    ).toEqual(['active:1', 'superseded:1']);
    const reported = await submitOne(fleet, sandboxTaxpayer, 'SBX-POS-2', 'simplified', 2);
    expect([reported.ok, reported.warnings.map((w) => w.code)]).toEqual([true, ['invalid-signing-certificate']]);
  });

  it('refuses a sandbox-only credential outside the sandbox with a typed error, before anything is signed or sent', async () => {
    const unit = await resolveUnit(fleet.ctx, sandboxTaxpayer, 'SBX-POS-1');
    await fleet.ctx.store.db.updateTable('egs_units').set({ environment: 'simulation' }).where('id', '=', unit.id).execute();
    try {
      const refused = await rejection(unitSigning(fleet.ctx, sandboxTaxpayer, 'SBX-POS-1'));
      expect([refused.reason, refused.code]).toEqual(['SANDBOX_ONLY_CREDENTIAL', 'UNIT_STATE']);
      expect(refused.message).toContain('simulation');
      expect(refused.messageAr).toMatch(/[\u0600-\u06ff]/);
    } finally {
      await fleet.ctx.store.db.updateTable('egs_units').set({ environment: 'sandbox' }).where('id', '=', unit.id).execute();
    }
    // A sandbox unit pointed at the production gateway is outside the sandbox too.
    await fleet.ctx.store.db
      .updateTable('egs_units')
      .set({ zatca_base_url: `${sim.url}/e-invoicing/core` })
      .where('id', '=', unit.id)
      .execute();
    expect((await rejection(submitOne(fleet, sandboxTaxpayer, 'SBX-POS-1', 'simplified', 2))).reason).toBe('SANDBOX_ONLY_CREDENTIAL');
  });

  it('a certificate that does not certify the unit key is still refused in simulation', async () => {
    sim.control.env('simulation').configure({ cannedCertificate: true });
    await addUnit(fleet.ctx, otherTaxpayer, { branch: 'Riyadh', serial: '1-Fawtara|2-POS|3-SIM-001', name: 'SIM-POS-1', environment: 'simulation' });
    const [otp] = sim.control.env('simulation').generateOtps({ vat: CHAIN_VAT, count: 1 });
    const refused = await rejection(onboardUnit(fleet.ctx, otherTaxpayer, 'SIM-POS-1', { otp: otp!.otp }));
    expect(refused.reason).toBe('CERTIFICATE_NOT_OF_UNIT');
  });

  it('a taxpayer whose VAT number is not the canned certificate’s fails with certificate-permissions', async () => {
    await addUnit(fleet.ctx, otherTaxpayer, { branch: 'Riyadh', serial: '1-Fawtara|2-POS|3-SBX-101', name: 'OTHER-POS-1', environment: 'sandbox' });
    const refused = await rejection(onboardUnit(fleet.ctx, otherTaxpayer, 'OTHER-POS-1', { otp: '123345' }));
    expect(refused.reason).toBe('ZATCA_REJECTED');
    expect(refused.message).toContain('User only allowed to use the vat number that exists in the authentication certificate');
  });
});
