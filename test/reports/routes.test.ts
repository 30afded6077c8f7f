// Issue 7 parts 4–6 over HTTP: the VAT report, reconciliation and archive index routes — figures as
// the library gives them, CSV, and scope: a branch manager sees its branch, an auditor reads, a cashier cannot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueDocument } from '../../src/issuing/index.js';
import { parsePeriod, vatReport } from '../../src/reports/index.js';
import { createServer } from '../../src/server/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { ENGINES, startFleetSimulator } from '../egs/helpers.js';
import { drain, issuingFleet, saleJson, type IssuingFleet } from '../issuing/helpers.js';
import { deviceCaller, TEST_SCRYPT, userCaller, type TestServer } from '../server/helpers.js';
import { secondBranch } from './helpers.js';

describe.each(ENGINES)('report and archive routes on %s', (engine) => {
  let sim: RunningSimulator;
  let f: IssuingFleet;
  let s: TestServer;

  beforeAll(async () => {
    sim = await startFleetSimulator();
    f = await issuingFleet(engine, sim, 1);
    const jeddah = await secondBranch(f, sim);
    let n = 0;
    for (let i = 0; i < 3; i++) await issueDocument(f.ctx, f.taxpayer, 'POS-1', saleJson(f.taxpayer, f.branch, { number: `H-${engine}-${++n}` }));
    for (let i = 0; i < 2; i++)
      await issueDocument(f.ctx, f.taxpayer, 'JED-1', saleJson(f.taxpayer, jeddah.branch, { number: `H-${engine}-${++n}`, price: '7.00' }));
    await drain(f.ctx);
    const app = await createServer({ fleet: f.ctx, policy: { scrypt: TEST_SCRYPT }, log: () => undefined });
    s = {
      app,
      fleet: f.ctx,
      ax: app.fawtara.access,
      clock: { now: () => f.ctx.clock.now(), advance: () => undefined },
      logLines: [],
      taxpayer: f.taxpayer,
      close: async () => app.close(),
    };
  }, 60_000);
  afterAll(async () => {
    await s?.close();
    await f?.close();
    await sim?.close();
  });

  const get = (url: string, caller: { authorization: string }) => s.app.inject({ method: 'GET', url, headers: caller });
  const base = () => `/api/v1/taxpayers/${f.taxpayer.vat_number}`;

  it('auditor: the VAT report as the library computes it, CSV, drill-down, reconciliation and the archive index', async () => {
    const auditor = await userCaller(s, 'auditor1', 'auditor');
    const r = await get(`${base()}/reports/vat?period=2026-03`, auditor);
    expect(r.statusCode).toBe(200);
    const lib = await vatReport(f.ctx.store.db, f.taxpayer, parsePeriod({ period: '2026-03' }));
    expect(r.json().totals).toEqual(lib.totals);
    expect(r.json().byBranch).toEqual(lib.byBranch);
    expect(r.json().documents).toBeUndefined();
    const csv = await get(`${base()}/reports/vat?period=2026-03&format=csv&by=unit`, auditor);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body.split('\r\n')[0]).toMatch(/^vat_number,period,dimension,key/);
    const drill = await get(`${base()}/reports/vat?period=2026-03&market=B2C`, auditor);
    expect(drill.json().documents).toHaveLength(5);
    const rec = await get(`${base()}/reports/reconcile?period=2026-Q1`, auditor);
    expect([rec.statusCode, rec.json().clean, rec.json().units.length]).toEqual([200, true, 2]);
    const index = await get(`${base()}/archive/index?period=2026-03`, auditor);
    expect(
      index
        .json()
        .documents.map((d: { number: string }) => d.number)
        .sort(),
    ).toEqual(lib.documents.map((d) => d.number).sort());
    expect(index.json().retainUntil).toBe('2032-04-01');
    const api = await get('/openapi.json', auditor);
    expect(Object.keys(api.json().paths)).toEqual(
      expect.arrayContaining(['/api/v1/taxpayers/{vat}/reports/vat', '/api/v1/taxpayers/{vat}/reports/reconcile', '/api/v1/taxpayers/{vat}/archive/index']),
    );
    const bad = await get(`${base()}/reports/vat?period=2026-13`, auditor);
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'USAGE']);
    expect(bad.json().error.messageAr).toBeTruthy();
  });

  it('a branch manager sees its own branch only; a cashier gets no report; anonymous calls are refused', async () => {
    const manager = await userCaller(s, 'jed-manager', 'branch-manager', { branch: 'Jeddah' });
    const r = await get(`${base()}/reports/vat?period=2026-03`, manager);
    expect(r.statusCode).toBe(200);
    expect([r.json().scope.branch, r.json().totals.documents, r.json().byBranch.map((b: { branch: string }) => b.branch)]).toEqual(['Jeddah', 2, ['Jeddah']]);
    expect((await get(`${base()}/reports/vat?period=2026-03&branch=Riyadh`, manager)).statusCode).toBe(403);
    expect((await get(`${base()}/reports/reconcile?period=2026-03`, manager)).json().units.map((u: { unit: string }) => u.unit)).toEqual(['JED-1']);
    // Branch managers hold reports:read, not archive:read.
    expect((await get(`${base()}/archive/index?period=2026-03`, manager)).statusCode).toBe(403);
    const cashier = await deviceCaller(s, 'POS-1');
    expect((await get(`${base()}/reports/vat?period=2026-03`, cashier)).statusCode).toBe(403);
    expect((await s.app.inject({ method: 'GET', url: `${base()}/reports/vat?period=2026-03` })).statusCode).toBe(401);
  });
});
