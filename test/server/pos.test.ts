// The POS endpoint (issue 7 part 2): a device token posts a sale for its unit and gets the signed
// invoice, QR and number in one call; bad sales and foreign tokens get clear errors, nothing written.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateInvoice } from '../../src/rules/index.js';
import { documents } from '../../src/store/index.js';
import { deviceCaller, ENGINES, fillUrl, userCaller, type Caller } from './helpers.js';
import { B2B_BUYER, onboardedServer, SALE, type OnboardedServer } from './onboarded.js';

describe.each(ENGINES)('POS sales on %s', (engine) => {
  let s: OnboardedServer;
  let ruh1: Caller;
  let jed1: Caller;
  let auditor: Caller;
  const salesUrl = (unit = 'RUH-POS-1') => fillUrl('/api/v1/taxpayers/:vat/units/:unit/sales', { unit });
  const post = (url: string, caller: Caller | undefined, payload: unknown) =>
    s.app.inject({ method: 'POST', url, ...(caller && { headers: caller }), payload: payload as object });
  const count = async () => documents.countDocuments(s.fleet.store.db, s.taxpayer.id);

  beforeAll(async () => {
    s = await onboardedServer(engine);
    ruh1 = await deviceCaller(s, 'RUH-POS-1');
    jed1 = await deviceCaller(s, 'JED-POS-1');
    auditor = await userCaller(s, 'auditor', 'auditor');
  }, 60_000);
  afterAll(async () => s?.close());

  it('returns the signed simplified invoice, its QR and number in one call; it validates', async () => {
    const res = await post(salesUrl(), ruh1, SALE);
    expect(res.statusCode, res.body).toBe(201);
    const r = res.json();
    expect(r.released).toBe(true);
    expect(r.kind).toBe('simplified');
    expect(r.number).toMatch(/^RUH-POS-1-[0-9A-F]{12}$/);
    expect(r.icv).toBe(1);
    expect(r.totals).toEqual({ currency: 'SAR', taxExclusive: '33.05', vat: '4.96', payable: '38.00' });
    const report = validateInvoice(r.xml, { now: s.clock.now() });
    expect(report.errors, JSON.stringify(report.errors)).toEqual([]);
    expect(report.valid).toBe(true);
    const png = await s.app.inject({ method: 'GET', url: r.qr.pngUrl, headers: ruh1 });
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.rawPayload.subarray(1, 4).toString()).toBe('PNG');
    const next = (await post(salesUrl(), ruh1, { ...SALE, payment: 'card' })).json();
    expect(next.icv).toBe(2);
  });

  it('a retried sale (same UUID) returns the stored invoice, never a second one', async () => {
    const uuid = randomUUID();
    const first = await post(salesUrl(), ruh1, { ...SALE, uuid });
    const again = await post(salesUrl(), ruh1, { ...SALE, uuid });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(200);
    expect(again.json().replayed).toBe(true);
    expect(again.json().invoiceHash).toBe(first.json().invoiceHash);
  });

  it('a standard sale comes back cleared by ZATCA', async () => {
    const res = await post(salesUrl(), ruh1, { ...SALE, kind: 'standard', buyer: B2B_BUYER });
    expect(res.statusCode, res.body).toBe(201);
    const r = res.json();
    expect(r.released).toBe(true);
    expect(r.submission.state).toMatch(/^accepted/);
    expect(r.xml).toContain('399999999800003');
    const cleared = await s.app.inject({ method: 'GET', url: r.links.cleared, headers: ruh1 });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.body).toBe(r.xml);
  });

  it('bad sales get clear errors and write nothing', async () => {
    const before = await count();
    const cases: Array<[unknown, number, string]> = [
      [{ lines: [{ name: 'Coffee cup', quantity: '1', unitPrice: '1.1234567' }] }, 400, 'body.lines[0].unitPrice'],
      [{ lines: [{ name: 'Coffee cup', quantity: '1', unitPrice: 1.1234567 }] }, 400, 'body.lines[0].unitPrice'],
      [{ lines: [{ name: 'Coffee cup', quantity: '-1', unitPrice: '5' }] }, 400, 'body.lines[0].quantity'],
      [{ lines: [{ name: 'Coffee cup', quantity: '0', unitPrice: '5' }] }, 400, 'body.lines[0].quantity'],
      [{ lines: [] }, 400, 'body.lines'],
      [{ lines: [{ name: 'Coffee cup', qty: '1', unitPrice: '5' }] }, 400, 'body.lines.0.quantity'],
      [{ ...SALE, discount: '5' }, 400, 'body.discount'],
      [{ ...SALE, kind: 'standard' }, 400, 'body.buyer'],
    ];
    for (const [body, status, field] of cases) {
      const res = await post(salesUrl(), ruh1, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(status);
      const e = res.json().error;
      expect(e.code).toBe('INVALID_INPUT');
      expect(e.messageAr.length).toBeGreaterThan(0);
      if (field) expect(e.field).toBe(field);
    }
    expect((await post(salesUrl(), ruh1, { lines: [{ name: 'Coffee cup', quantity: '1', unitPrice: '1.1234567' }] })).json().error.message).toMatch(
      /7 decimals; at most 6/,
    );
    const broken = await s.app.inject({ method: 'POST', url: salesUrl(), headers: { ...ruh1, 'content-type': 'application/json' }, payload: '{"lines": [' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.code).toBe('INVALID_INPUT');
    expect(await count()).toBe(before);
  });

  it('a token of another unit, an unknown unit, no token or an auditor: refused, nothing written', async () => {
    const before = await count();
    for (const [url, caller, status, reason] of [
      [salesUrl('JED-POS-1'), ruh1, 403, 'OUT_OF_SCOPE'],
      [salesUrl('RUH-POS-2'), ruh1, 403, 'OUT_OF_SCOPE'],
      [salesUrl('RUH-POS-1'), jed1, 403, 'OUT_OF_SCOPE'],
      [salesUrl('NO-SUCH-UNIT'), ruh1, 403, 'OUT_OF_SCOPE'],
      [salesUrl('RUH-POS-1'), auditor, 403, 'WRONG_ROLE'],
      [salesUrl('RUH-POS-1'), undefined, 401, 'NO_CREDENTIALS'],
    ] as const) {
      const res = await post(url, caller, SALE);
      expect(res.statusCode, url).toBe(status);
      expect(res.json().error.reason).toBe(reason);
    }
    const admin = await userCaller(s, 'admin', 'admin');
    const unknown = await post(salesUrl('NO-SUCH-UNIT'), admin, SALE);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('NOT_FOUND');
    expect(await count()).toBe(before);
  });
});
