// Every status of docs/zatca-notes.md §A10.1 reaches the client as the right typed outcome, against the simulator
// on 127.0.0.1 (docs/zatca-notes.md §A12.13 branch checklist), plus network failures and timeouts.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { createZatcaClient, FATOORA_BASE_URL, simulatorBaseUrl, ZatcaTransport } from '../../src/zatca/index.js';
import { clientFor, invoiceXml, makeUnit, onboard, plainSubmission, signedSubmission, startTestSimulator, type Onboarded } from '../simulator/helpers.js';

let sim: RunningSimulator;
let unit: Onboarded;
beforeAll(async () => {
  sim = await startTestSimulator();
  unit = await onboard(sim, 'simulation');
});
afterAll(async () => {
  await sim.close();
});

const client = () => clientFor(sim, 'simulation');
const simplified = (notes: string[] = []) => signedSubmission(invoiceXml({ kind: 'simplified', notes }), unit.unit, unit.pcsid).submission;
const standard = (notes: string[] = []) => plainSubmission(invoiceXml({ kind: 'standard', notes }));

describe('client outcomes against the simulator (docs/zatca-notes.md §A10.1, §A12.13)', () => {
  it('docs/zatca-notes.md §A1/§A11.1: base URLs per environment and on the simulator', () => {
    expect(createZatcaClient({ environment: 'production' }).baseUrl).toBe(FATOORA_BASE_URL.production);
    expect(FATOORA_BASE_URL.sandbox).toBe('https://gw-fatoora.zatca.gov.sa/e-invoicing/developer-portal');
    expect(simulatorBaseUrl('http://127.0.0.1:1/', 'production')).toBe('http://127.0.0.1:1/e-invoicing/core');
  });

  it('docs/zatca-notes.md §A3.5: 200 → accepted, 202 → accepted-with-warnings, 400 → rejected with ZATCA code', async () => {
    const ok = await client().reportInvoice(unit.pcsid, simplified());
    expect(ok).toMatchObject({ kind: 'accepted', ok: true, httpStatus: 200, retryable: false });
    expect(ok.body?.reportingStatus).toBe('REPORTED');
    const warn = await client().reportInvoice(unit.pcsid, simplified(['sim:WARNING:BR-KSA-98']));
    expect(warn).toMatchObject({ kind: 'accepted-with-warnings', httpStatus: 202 });
    expect(warn.warnings[0]?.code).toBe('BR-KSA-98');
    const bad = await client().reportInvoice(unit.pcsid, simplified(['sim:ERROR:BR-KSA-37']));
    expect(bad).toMatchObject({ kind: 'rejected', ok: false, httpStatus: 400 });
    expect(bad.body?.reportingStatus).toBe('NOT_REPORTED');
    expect(bad.message.code).toBe('BR-KSA-37');
    expect(bad.message.en).toContain('[BR-KSA-37]');
    expect(bad.message.ar).toContain('[BR-KSA-37]');
  });

  it('docs/zatca-notes.md §A9: 409 on reporting and 208 on clearance → duplicate-accepted', async () => {
    const s = simplified();
    expect((await client().reportInvoice(unit.pcsid, s)).kind).toBe('accepted');
    const again = await client().reportInvoice(unit.pcsid, s);
    expect(again).toMatchObject({ kind: 'duplicate-accepted', httpStatus: 409, ok: true });
    expect(again.errors[0]).toMatchObject({ code: 'Invoice-Errors', category: 'Duplicate-Invoice' });
    const d = standard();
    const first = await client().clearInvoice(unit.pcsid, d);
    const second = await client().clearInvoice(unit.pcsid, d);
    expect(second).toMatchObject({ kind: 'duplicate-accepted', httpStatus: 208 });
    expect(second.body?.clearedInvoice).toBe(first.body?.clearedInvoice);
  });

  it('docs/zatca-notes.md §A3.6: 303 → clearance-switched-off', async () => {
    sim.control.env('simulation').setClearance(false);
    try {
      const r = await client().clearInvoice(unit.pcsid, standard());
      expect(r).toMatchObject({ kind: 'clearance-switched-off', httpStatus: 303, ok: false, retryable: false });
    } finally {
      sim.control.env('simulation').setClearance(true);
    }
  });

  it('docs/zatca-notes.md §A2.4 B: 401 → unauthorized for wrong credentials', async () => {
    const r = await client().reportInvoice({ ...unit.pcsid, secret: 'wrong' }, simplified());
    expect(r).toMatchObject({ kind: 'unauthorized', httpStatus: 401, ok: false, retryable: false });
  });

  it('docs/zatca-notes.md §A2.4 C: 406 → version-not-supported', async () => {
    const raw = await fetch(`${simulatorBaseUrl(sim.url, 'simulation')}/invoices/reporting/single`, {
      method: 'POST',
      headers: { 'Accept-Version': 'V1' },
      body: '{}',
    });
    expect(raw.status).toBe(406);
    expect(await raw.text()).toBe('This Version is not supported or not provided in the header.');
    // The client always sends V2, so a 406 reaches it only through a proxy that rewrites it.
    const rewriting = createZatcaClient({
      baseUrl: simulatorBaseUrl(sim.url, 'simulation'),
      fetch: (url, init) => fetch(url, { ...init, headers: { ...(init?.headers as Record<string, string>), 'Accept-Version': 'V3' } }),
    });
    expect((await rewriting.reportInvoice(unit.pcsid, simplified())).kind).toBe('version-not-supported');
  });

  it.each([
    [413, 'too-large', false],
    [429, 'rate-limited', true],
    [500, 'not-received', true],
    [503, 'not-received', true],
    [504, 'not-received', true],
  ] as const)('docs/zatca-notes.md §A10.1: injected %s on reporting and clearance → %s', async (status, kind, retryable) => {
    const control = sim.control.env('simulation');
    control.enqueueFault({ endpoint: 'reporting', status, count: 1 });
    const r = await client().reportInvoice(unit.pcsid, simplified());
    expect(r).toMatchObject({ kind, httpStatus: status, retryable, ok: false });
    control.enqueueFault({ endpoint: 'clearance', status, count: 1 });
    const c = await client().clearInvoice(unit.pcsid, standard());
    expect(c).toMatchObject({ kind, httpStatus: status, retryable });
    expect(r.message.en.length).toBeGreaterThan(0);
    expect(r.message.ar.length).toBeGreaterThan(0);
  });

  it('docs/zatca-notes.md §A2.4 D: 500 bodies per endpoint family are parsed', async () => {
    const control = sim.control.env('simulation');
    control.enqueueFault({ endpoint: 'compliance-csid', status: 500, count: 1 });
    const r = await client().requestComplianceCsid({ otp: '000000', csrPem: makeUnit('simulation').csrPem });
    expect(r).toMatchObject({ kind: 'not-received', httpStatus: 500 });
    expect(r.errors[0]?.code).toBe('Invalid-Request');
  });

  it('docs/zatca-notes.md §A11.2: a dropped connection and a timeout are retryable not-received outcomes', async () => {
    const control = sim.control.env('simulation');
    control.enqueueFault({ endpoint: 'reporting', drop: true, count: 1 });
    const dropped = await client().reportInvoice(unit.pcsid, simplified());
    expect(dropped).toMatchObject({ kind: 'not-received', httpStatus: null, retryable: true, failure: 'network' });
    control.enqueueFault({ endpoint: 'reporting', delayMs: 1500, count: 1 });
    const slow = createZatcaClient({ baseUrl: simulatorBaseUrl(sim.url, 'simulation'), timeoutMs: 200 });
    const timedOut = await slow.reportInvoice(unit.pcsid, simplified());
    expect(timedOut).toMatchObject({ kind: 'not-received', httpStatus: null, retryable: true, failure: 'timeout' });
    expect(timedOut.message.ar).toContain('انتهت المهلة');
  });

  it('docs/zatca-notes.md §A11.2: an unreachable gateway is not-received, never a throw', async () => {
    const dead: Server = createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const port = (dead.address() as { port: number }).port;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    const r = await new ZatcaTransport({ baseUrl: `http://127.0.0.1:${port}/e-invoicing/core`, timeoutMs: 2000 }).send('reporting', { body: {} }, () => null);
    expect(r).toMatchObject({ kind: 'not-received', failure: 'network', retryable: true });
  });

  it('docs/zatca-notes.md §A3.1: Accept-Language ar returns Arabic simulator messages', async () => {
    const ar = createZatcaClient({ baseUrl: simulatorBaseUrl(sim.url, 'simulation'), language: 'ar' });
    const r = await ar.reportInvoice(unit.pcsid, { invoiceHash: '', uuid: 'x', invoice: '' });
    expect(r.kind).toBe('rejected');
    expect(r.errors[0]?.code).toBe('InvoiceHash-Errors');
    expect(r.errors[0]?.message).toMatch(/[\u0600-\u06ff]/);
  });
});
