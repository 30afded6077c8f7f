// Reporting, clearance and portal events on the simulator (docs/zatca-notes.md §A3.5, §A3.6, §A8.3, §A9, §A12.2,
// §A12.8–§A12.11): duplicates, 303, revocation, VAT events, expiry, bounds, faults, persistence.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { invoiceHashOf } from '../../src/crypto/hash.js';
import { simulatorBaseUrl, basicAuth } from '../../src/zatca/index.js';
import { clientFor, invoiceXml, onboard, plainSubmission, SELLER_VAT, signedSubmission, startTestSimulator, type Onboarded } from './helpers.js';

let sim: RunningSimulator;
let o: Onboarded;
beforeEach(async () => {
  sim = await startTestSimulator({ maxBodyBytes: 256 * 1024 });
  o = await onboard(sim, 'simulation');
});
afterEach(async () => {
  await sim.close();
});

const client = () => clientFor(sim, 'simulation');
const simplified = (notes: string[] = []) => signedSubmission(invoiceXml({ kind: 'simplified', notes }), o.unit, o.pcsid).submission;
const standard = (notes: string[] = []) => plainSubmission(invoiceXml({ kind: 'standard', notes }));

describe('reporting and clearance', () => {
  it('docs/zatca-notes.md §A3.6, §A12.10: clearedInvoice is the document stamped by the platform, same invoice hash, QR replaced', async () => {
    // The product path: standard documents are signed by the unit before clearance.
    const s = signedSubmission(invoiceXml({ kind: 'standard' }), o.unit, o.pcsid).submission;
    const r = await client().clearInvoice(o.pcsid, s);
    expect(r.kind).toBe('accepted');
    const cleared = Buffer.from(r.body!.clearedInvoice!, 'base64').toString('utf8');
    expect(invoiceHashOf(cleared).base64).toBe(s.invoiceHash);
    const stampPem = sim.control.env('simulation').certificateAuthority().stamp;
    const stampB64 = stampPem.replace(/-----[^-]+-----|\s/g, '');
    expect(cleared).toContain(stampB64);
    expect(cleared).toMatch(/<cbc:ID>QR<\/cbc:ID>/);
    const history = sim.control
      .env('simulation')
      .history(o.egsId)
      .filter((h) => h.endpoint === 'clearance');
    expect(history.at(-1)?.clearedInvoice).toBe(r.body!.clearedInvoice);
  });

  it('docs/zatca-notes.md §A3.6: 202 on clearance with warnings still returns the cleared invoice', async () => {
    const r = await client().clearInvoice(o.pcsid, standard(['sim:WARNING:BR-KSA-51']));
    expect(r).toMatchObject({ kind: 'accepted-with-warnings', httpStatus: 202 });
    expect(r.body?.clearanceStatus).toBe('CLEARED');
    expect(r.body?.clearedInvoice).toBeTruthy();
  });

  it('docs/zatca-notes.md §A3.6: 400 on clearance → NOT_CLEARED, clearedInvoice null', async () => {
    const r = await client().clearInvoice(o.pcsid, standard(['sim:ERROR:BR-CO-15']));
    expect(r.body).toMatchObject({ clearanceStatus: 'NOT_CLEARED', clearedInvoice: null });
  });

  it('docs/zatca-notes.md §A3.5: a standard document on reporting is rejected while clearance is on, accepted after a 303', async () => {
    const signedStandard = signedSubmission(invoiceXml({ kind: 'standard' }), o.unit, o.pcsid).submission;
    const r = await client().reportInvoice(o.pcsid, signedStandard);
    expect(r.kind).toBe('rejected');
    expect(r.errors[0]?.message).toBe('XML Submitted using reporting API is not a simplified document');
    sim.control.env('simulation').setClearance(false);
    expect((await client().clearInvoice(o.pcsid, signedStandard)).kind).toBe('clearance-switched-off');
    expect((await client().reportInvoice(o.pcsid, signedStandard)).kind).toBe('accepted');
  });

  it('docs/zatca-notes.md §A2.2: on the developer portal Clearance-Status 0 on clearance answers 303', async () => {
    const s = await onboard(sim, 'sandbox');
    const sandbox = clientFor(sim, 'sandbox');
    expect((await sandbox.clearInvoice(s.pcsid, standard(), { clearanceStatus: '0' })).kind).toBe('clearance-switched-off');
    expect((await sandbox.clearInvoice(s.pcsid, standard())).kind).toBe('accepted');
  });

  it('docs/zatca-notes.md §A9: duplicates are remembered for 24 hours of simulated time only', async () => {
    const s = simplified();
    expect((await client().reportInvoice(o.pcsid, s)).kind).toBe('accepted');
    sim.control.clock.advance(23 * 3600);
    expect((await client().reportInvoice(o.pcsid, s)).httpStatus).toBe(409);
    sim.control.clock.advance(3600);
    expect((await client().reportInvoice(o.pcsid, s)).httpStatus).toBe(200);
    // A rejected document is not a duplicate the next time.
    const bad = simplified(['sim:ERROR:BR-KSA-37']);
    expect((await client().reportInvoice(o.pcsid, bad)).httpStatus).toBe(400);
    expect((await client().reportInvoice(o.pcsid, bad)).httpStatus).toBe(400);
  });

  it('docs/zatca-notes.md §A12.8: body hash checks, hash mismatch and seller VAT permission', async () => {
    const s = simplified();
    const missing = await client().reportInvoice(o.pcsid, { ...s, invoiceHash: '' });
    expect(missing.errors[0]).toMatchObject({ code: 'InvoiceHash-Errors', message: 'Document hash is not present in the API body' });
    expect(missing.validationResults?.infoMessages).toEqual([]);
    const format = await client().reportInvoice(o.pcsid, { ...s, invoiceHash: 'abc' });
    expect(format.errors[0]?.message).toBe('Document hash format in the API body is not valid');
    const mismatch = await client().reportInvoice(o.pcsid, { ...s, invoiceHash: Buffer.alloc(32, 1).toString('base64') });
    expect(mismatch.errors.map((e) => e.code)).toContain('invalid-invoice-hash');
    const notXml = await client().reportInvoice(o.pcsid, { ...s, invoice: Buffer.from('<Invoice').toString('base64') });
    expect(notXml.errors[0]?.code).toBe('XSD_ZATCA_INVALID');
    const otherVat = signedSubmission(invoiceXml({ kind: 'simplified', vat: '300000000000003' }), o.unit, o.pcsid).submission;
    const perm = await client().reportInvoice(o.pcsid, otherVat);
    expect(perm.errors.map((e) => e.code)).toContain('certificate-permissions');
  });

  it('docs/zatca-notes.md §A12.2 step 7: malformed JSON is answered as ZATCA does, never a crash', async () => {
    const base = simulatorBaseUrl(sim.url, 'simulation');
    const headers = { 'Accept-Version': 'V2', 'Content-Type': 'application/json', Authorization: basicAuth(o.pcsid) };
    const report = await fetch(`${base}/invoices/reporting/single`, { method: 'POST', headers, body: '{"invoiceHash": ' });
    expect(report.status).toBe(400);
    const body = (await report.json()) as { validationResults: { errorMessages: Array<{ code: string }> } };
    expect(body.validationResults.errorMessages[0]?.code).toBe('XSD_ZATCA_INVALID');
    const csr = await fetch(`${base}/compliance`, {
      method: 'POST',
      headers: { 'Accept-Version': 'V2', OTP: '123456', 'Content-Type': 'application/json' },
      body: '[[[',
    });
    expect(((await csr.json()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe('Missing-CSR');
    const weird = await fetch(`${base}/invoices/clearance/single`, { method: 'POST', headers: { ...headers, 'Content-Type': 'text/plain' }, body: 'hello' });
    expect(weird.status).toBe(400);
    expect((await fetch(`${base}/nowhere`, { method: 'POST', headers })).status).toBe(404);
  });

  it('docs/zatca-notes.md §A12.2 step 4: a body over the bound → 413 with an empty body', async () => {
    const big = { invoiceHash: 'x', uuid: 'y', invoice: 'A'.repeat(300 * 1024) };
    const r = await client().reportInvoice(o.pcsid, big);
    expect(r).toMatchObject({ kind: 'too-large', httpStatus: 413, retryable: false });
    expect(r.rawBody).toBe('');
    // The server is still there.
    expect((await client().reportInvoice(o.pcsid, simplified())).kind).toBe('accepted');
  });

  it('docs/zatca-notes.md §A12.11: "what did you receive from unit X" lists every submission with ICV, PIH and hash', async () => {
    await client().reportInvoice(o.pcsid, simplified());
    await client().clearInvoice(o.pcsid, standard(['sim:ERROR:BR-CO-15']));
    const history = sim.control
      .env('simulation')
      .history(o.egsId)
      .filter((h) => h.endpoint !== 'compliance-invoices');
    expect(history.map((h) => [h.endpoint, h.httpStatus])).toEqual([
      ['reporting', 200],
      ['clearance', 400],
    ]);
    expect(history[0]).toMatchObject({ icv: 1, invoiceTypeCode: '388', csidKind: 'production' });
    const res = await fetch(`${sim.url}/__sim/simulation/egs/${o.egsId}/history`);
    expect(((await res.json()) as { submissions: unknown[] }).submissions.length).toBeGreaterThanOrEqual(2);
    const byVat = await (await fetch(`${sim.url}/__sim/simulation/taxpayers/${SELLER_VAT}`)).json();
    expect((byVat as { units: unknown[] }).units).toHaveLength(1);
  });
});

describe('lifecycle → 401 (docs/zatca-notes.md §A8.3, §A12.13)', () => {
  it('docs/zatca-notes.md §A8.3: manual revocation through the control API → 401', async () => {
    const res = await fetch(`${sim.url}/__sim/simulation/egs/${o.egsId}/revoke`, {
      method: 'POST',
      body: '{"reason":"device lost"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(((await res.json()) as { state: string }).state).toBe('REVOKED');
    expect((await client().reportInvoice(o.pcsid, simplified())).kind).toBe('unauthorized');
    expect((await client().clearInvoice(o.pcsid, standard())).kind).toBe('unauthorized');
  });

  it('docs/zatca-notes.md §A8.1: VAT deregistered → all CSIDs revoked, OTPs refused, list readable for 90 days', async () => {
    const control = sim.control.env('simulation');
    const res = await fetch(`${sim.url}/__sim/simulation/taxpayers/${SELLER_VAT}/status`, { method: 'POST', body: '{"status":"Deregistered"}' });
    expect(((await res.json()) as { revoked: string[] }).revoked).toEqual([o.egsId]);
    expect((await client().reportInvoice(o.pcsid, simplified())).kind).toBe('unauthorized');
    const otp = await fetch(`${sim.url}/__sim/simulation/otps`, { method: 'POST', body: JSON.stringify({ vat: SELLER_VAT }) });
    expect(otp.status).toBe(409);
    expect(control.listEgs(SELLER_VAT)).toHaveLength(1);
    sim.control.clock.advance(90 * 24 * 3600);
    expect((await fetch(`${sim.url}/__sim/simulation/egs?vat=${SELLER_VAT}`)).status).toBe(403);
  });

  it('docs/zatca-notes.md §A8.3: VAT-group events revoke the affected units', async () => {
    const group = '399999999910003';
    const a = await onboard(sim, 'simulation', { vat: group, ou: '3999999999' });
    const b = await onboard(sim, 'simulation', { vat: group, ou: '3111111111' });
    const res = await fetch(`${sim.url}/__sim/simulation/vat-groups/${group}/events`, {
      method: 'POST',
      body: '{"event":"member-removed","memberTin":"3111111111"}',
    });
    expect(((await res.json()) as { revoked: string[] }).revoked).toEqual([b.egsId]);
    const doc = (u: Onboarded) => signedSubmission(invoiceXml({ kind: 'simplified', vat: group }), u.unit, u.pcsid).submission;
    expect((await client().reportInvoice(b.pcsid, doc(b))).kind).toBe('unauthorized');
    expect((await client().reportInvoice(a.pcsid, doc(a))).kind).toBe('accepted');
    sim.control.env('simulation').vatGroupEvent(group, { event: 'disbanded' });
    expect((await client().reportInvoice(a.pcsid, doc(a))).kind).toBe('unauthorized');
    expect((await client().reportInvoice(o.pcsid, simplified())).kind).toBe('accepted');
  });

  it('docs/zatca-notes.md §A8.2: an expired PCSID → 401', async () => {
    sim.control.clock.advance((5 * 365 + 2) * 24 * 3600);
    expect((await client().reportInvoice(o.pcsid, simplified())).kind).toBe('unauthorized');
    expect(sim.control.env('simulation').listEgs(SELLER_VAT)[0]?.state).toBe('EXPIRED');
  });
});

describe('fault injection (docs/zatca-notes.md §A12.2 step 3)', () => {
  async function run(seed: number): Promise<Array<number | null>> {
    const s = await startTestSimulator({ seed });
    try {
      const u = await onboard(s, 'simulation');
      s.control.env('simulation').setFaultRates({ serverError: 0.3, rateLimited: 0.2, dropped: 0.1 });
      const c = clientFor(s, 'simulation', 2000);
      const statuses: Array<number | null> = [];
      for (let i = 0; i < 12; i++) {
        const doc = signedSubmission(
          invoiceXml({ kind: 'simplified', icv: i + 1, uuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` }),
          u.unit,
          u.pcsid,
        ).submission;
        statuses.push((await c.reportInvoice(u.pcsid, doc)).httpStatus);
      }
      return statuses;
    } finally {
      await s.close();
    }
  }

  it('docs/zatca-notes.md §A12.12: the same seed gives the same fault sequence; a fault changes no state', async () => {
    const a = await run(7);
    const b = await run(7);
    expect(a).toEqual(b);
    expect(a.some((s) => s === 200)).toBe(true);
    expect(a.some((s) => s !== 200)).toBe(true);
  });

  it('docs/zatca-notes.md §A12.2: a queued fault applies to its endpoint only, and is not stored as received', async () => {
    const control = sim.control.env('simulation');
    control.enqueueFault({ endpoint: 'clearance', status: 503, count: 1 });
    const s = simplified();
    expect((await client().reportInvoice(o.pcsid, s)).httpStatus).toBe(200);
    expect((await client().clearInvoice(o.pcsid, standard())).httpStatus).toBe(503);
    expect((await client().clearInvoice(o.pcsid, standard())).httpStatus).toBe(200);
  });
});

describe('persistence (docs/zatca-notes.md §A12.12)', () => {
  it('docs/zatca-notes.md §A12.12: state under --data survives a restart; credentials keep working', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fawtara-sim-'));
    try {
      const first = await startTestSimulator({ dataDir: dir });
      const u = await onboard(first, 'simulation');
      await first.close();
      const second = await startTestSimulator({ dataDir: dir });
      try {
        const c = clientFor(second, 'simulation');
        const doc = signedSubmission(invoiceXml({ kind: 'simplified' }), u.unit, u.pcsid).submission;
        expect((await c.reportInvoice(u.pcsid, doc)).kind).toBe('accepted');
        expect(second.control.env('simulation').listEgs(SELLER_VAT)).toHaveLength(1);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
