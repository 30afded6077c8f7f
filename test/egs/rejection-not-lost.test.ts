// Issue 17 items 13 and 14 at the fleet: a production-CSID 400 on a re-run is a rejection (message kept,
// unit unchanged) unless an earlier request really got no answer; a 401 holds the unit's submissions
// and raises an alert, and only a confirmation (the operator, or the simulator portal's signal) revokes.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addBranch, addTaxpayer, addUnit, confirmRevocation, onboardUnit, resolveUnit, type FleetError } from '../../src/egs/index.js';
import { issueDocument } from '../../src/issuing/index.js';
import { drainUnit } from '../../src/outbox/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { credentials, submissions, type Taxpayer } from '../../src/store/index.js';
import { createZatcaClient } from '../../src/zatca/index.js';
import { issuingFleet, saleJson, type IssuingFleet } from '../issuing/helpers.js';
import { CHAIN_BRANCHES, CHAIN_VAT, ENGINES, otpsFor, startFleetSimulator, testFleet, type TestFleet } from './helpers.js';

async function rejection(p: Promise<unknown>): Promise<FleetError> {
  try {
    await p;
  } catch (error) {
    return error as FleetError;
  }
  throw new Error('expected a refusal');
}

describe.each(ENGINES)('ZATCA refusals that are not what they seem, on %s', (engine) => {
  let sim: RunningSimulator;
  let fake: Server;
  let fakeUrl = '';
  let fakeStatus = 400;

  beforeAll(async () => {
    sim = await startFleetSimulator();
    // A gateway that answers every call with one canned answer: a 400 whose errors[] holds a plain string, or an empty 401.
    fake = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (fakeStatus === 401) return void res.writeHead(401).end();
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: ['Request Denied by Policy Module: PREZATCA-Code-Signing'] }));
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    fakeUrl = `http://127.0.0.1:${(fake.address() as { port: number }).port}/e-invoicing/simulation`;
  });
  afterAll(async () => {
    await sim?.close();
    await new Promise<void>((resolve) => fake.close(() => resolve()));
  });

  it('item 14: a production-CSID 400 answered twice is a rejection both times: message kept, unit and CCSID unchanged', async () => {
    const fleet: TestFleet = await testFleet(engine, sim);
    try {
      const { ctx } = fleet;
      const taxpayer: Taxpayer = await addTaxpayer(ctx, { vatNumber: CHAIN_VAT, nameAr: 'مطاعم', nameEn: 'Restaurants LTD' });
      await addBranch(ctx, taxpayer, CHAIN_BRANCHES[0]!);
      await addUnit(ctx, taxpayer, { branch: 'Riyadh', serial: '1-Fawtara|2-POS|3-REJ', title: '0100' });
      const real = ctx.zatca;
      ctx.zatca = (env) => {
        const client = real(env);
        const canned = createZatcaClient({ baseUrl: fakeUrl, timeoutMs: 5000 });
        return { ...client, requestProductionCsid: canned.requestProductionCsid };
      };
      fakeStatus = 400;
      const first = await rejection(onboardUnit(ctx, taxpayer, 'REJ', { otp: otpsFor(sim, CHAIN_VAT, 1)[0]! }));
      expect(first.reason).toBe('ZATCA_REJECTED');
      expect(first.message).toContain('Denied by Policy Module');
      sim.control.clock.advance(120);
      const second = await rejection(onboardUnit(ctx, taxpayer, 'REJ'));
      expect(second.reason).toBe('ZATCA_REJECTED');
      expect(second.message).toContain('Denied by Policy Module');
      expect(second.message).not.toMatch(/answer was lost/);
      expect(second.messageAr).toMatch(/^فشل طلب شهادة الإنتاج للوحدة/);
      const unit = await resolveUnit(ctx, taxpayer, 'REJ');
      expect(unit.state).toBe('compliance-done');
      const ccsids = (await credentials.listCsids(ctx.store.db, { taxpayerId: taxpayer.id, unitId: unit.id })).filter((c) => c.kind === 'compliance');
      expect(ccsids.map((c) => c.status)).toEqual(['active']);
      ctx.zatca = real;
      expect((await onboardUnit(ctx, taxpayer, 'REJ')).unit.state).toBe('active');
    } finally {
      await fleet.close();
    }
  });

  describe('item 13: 401', () => {
    let f: IssuingFleet;
    let n = 0;
    const issue = (unit: string) => issueDocument(f.ctx, f.taxpayer, unit, saleJson(f.taxpayer, f.branch, { number: `U401-${engine}-${++n}` }));
    beforeAll(async () => {
      f = await issuingFleet(engine, sim, 2, { title: '0100', prefix: 'U401' });
    });
    afterAll(async () => {
      await f?.close();
    });

    it('an empty 401 (no portal signal) holds every queued document of the unit and raises an alert; the unit stays active until the operator confirms', async () => {
      for (let i = 0; i < 3; i++) await issue('U401-1');
      const real = f.ctx.zatca;
      f.ctx.zatca = (env) => {
        const client = real(env);
        const canned = createZatcaClient({ baseUrl: fakeUrl, timeoutMs: 5000 });
        return { ...client, reportInvoice: canned.reportInvoice };
      };
      fakeStatus = 401;
      const unit = await resolveUnit(f.ctx, f.taxpayer, 'U401-1');
      await drainUnit(f.ctx, unit);
      f.ctx.zatca = real;
      const after = await resolveUnit(f.ctx, f.taxpayer, 'U401-1');
      expect(after.state).toBe('active');
      expect(after.credentials_refused_at).not.toBeNull();
      const jobs = await submissions.submissionsOfUnit(f.ctx.store.db, f.taxpayer.id, unit.id);
      expect(jobs.map((j) => j.state)).toEqual(['held', 'held', 'held']);
      expect(f.logLines.some((l) => l.includes("ZATCA refused this unit's credentials") && l.includes('credentials-refused'))).toBe(true);
      // Issuing goes on (the unit is not revoked); the operator confirms what the portal shows.
      expect((await issue('U401-1')).icv).toBe(4);
      const revoked = await confirmRevocation(f.ctx, f.taxpayer, 'U401-1', { reason: 'portal shows the CSID revoked', cause: 'vat-deregistered' });
      expect(revoked.state).toBe('revoked');
      const e = await rejection(issue('U401-1'));
      expect([e.reason, e.code]).toEqual(['UNIT_REVOKED', 'UNIT_STATE']);
      // Deregistered taxpayer: the message does not send the operator to onboard again now.
      expect(e.message).toMatch(/No unit can be onboarded for this VAT number until ZATCA reactivates/);
      expect(e.message).not.toMatch(/then "units onboard"/);
    });

    it("the simulator portal's own signal on a 401 (unit revoked in its portal) revokes at once", async () => {
      await issue('U401-2');
      const unit = await resolveUnit(f.ctx, f.taxpayer, 'U401-2');
      sim.control.env('simulation').revoke(unit.serial, 'manual');
      await drainUnit(f.ctx, unit);
      const after = await resolveUnit(f.ctx, f.taxpayer, 'U401-2');
      expect([after.state, after.credentials_refused_reason]).toEqual(['revoked', 'manual']);
      expect((await rejection(issue('U401-2'))).message).toMatch(/onboard the device again as a new unit/);
    });
  });
});
