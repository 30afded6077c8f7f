// Printout routes (issue 13): …/documents/:id/pdf and …/html with the XML route's access rules; the
// POS answer links to its receipt; a standard document prints from ZATCA's cleared XML, never before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderInvoice } from '../../src/render/index.js';
import { tenants } from '../../src/store/index.js';
import { saleJson } from '../issuing/helpers.js';
import { deviceCaller, ENGINES, fillUrl, userCaller, type Caller } from './helpers.js';
import { B2B_BUYER, onboardedServer, SALE, type OnboardedServer } from './onboarded.js';

describe.each(ENGINES)('printout routes on %s', (engine) => {
  let s: OnboardedServer;
  let ruh1: Caller;
  let jed1: Caller;
  let auditor: Caller;
  const get = (url: string, caller?: Caller) => s.app.inject({ method: 'GET', url, ...(caller && { headers: caller }) });
  const sale = (caller: Caller, body: unknown) =>
    s.app.inject({ method: 'POST', url: fillUrl('/api/v1/taxpayers/:vat/units/:unit/sales', { unit: 'RUH-POS-1' }), headers: caller, payload: body as object });

  beforeAll(async () => {
    s = await onboardedServer(engine);
    ruh1 = await deviceCaller(s, 'RUH-POS-1');
    jed1 = await deviceCaller(s, 'JED-POS-1');
    auditor = await userCaller(s, 'auditor', 'auditor');
  }, 60_000);
  afterAll(async () => s?.close());

  it('a POS sale links to its receipt: the PDF/A-3b of the stored bytes, and print HTML', async () => {
    const r = (await sale(ruh1, SALE)).json();
    expect(r.links.receipt).toBe(`${r.links.self}/pdf?format=receipt`);
    const pdf = await get(r.links.receipt, ruh1);
    expect(pdf.statusCode, pdf.body).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['content-disposition']).toMatch(/^inline; filename="310122393500003_\d{8}T\d{6}_RUH-POS-1-[0-9A-F]{12}\.pdf"$/);
    // rendering is deterministic: the route printed exactly the stored XML
    expect(pdf.rawPayload.equals(renderInvoice(Buffer.from(r.xml), { format: 'receipt' }).body)).toBe(true);
    const html = await get(r.links.html, ruh1);
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.headers['content-security-policy']).toContain("default-src 'none'");
    expect(html.body).toContain('فاتورة ضريبية مبسطة');
    const a4 = await get(`${r.links.self}/pdf?format=a4&lang=ar&digits=arabic`, auditor);
    expect(a4.statusCode).toBe(200);
    expect(a4.rawPayload.equals(renderInvoice(Buffer.from(r.xml), { format: 'a4', lang: 'ar', digits: 'arabic' }).body)).toBe(true);
  });

  it('the same access rules as the XML: another unit’s device is refused, no token is 401, bad options 400', async () => {
    const r = (await sale(ruh1, SALE)).json();
    for (const path of ['/pdf', '/html']) {
      expect((await get(`${r.links.self}${path}`, jed1)).statusCode).toBe(403);
      expect((await get(`${r.links.self}${path}`)).statusCode).toBe(401);
      expect((await get(`${r.links.self}${path}`, auditor)).statusCode).toBe(200);
    }
    const bad = await get(`${r.links.self}/pdf?format=a5`, ruh1);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.messageAr).toBeTruthy();
  });

  it('a standard document prints from the cleared XML, and not before clearance', async () => {
    const r = (await sale(ruh1, { ...SALE, kind: 'standard', buyer: B2B_BUYER })).json();
    expect(r.links.receipt).toBeNull();
    const pdf = await get(r.links.pdf, ruh1);
    expect(pdf.statusCode).toBe(200);
    const cleared = (await get(r.links.cleared, ruh1)).body;
    expect(pdf.rawPayload.equals(renderInvoice(Buffer.from(cleared), { format: 'a4' }).body)).toBe(true);

    const branch = (await tenants.findBranch(s.fleet.store.db, s.taxpayer.id, 'Riyadh'))!;
    const url = `${fillUrl('/api/v1/taxpayers/:vat/units/:unit/documents', { unit: 'RUH-POS-1' })}?wait=0`;
    const { seller: _seller, ...invoice } = saleJson(s.taxpayer, branch, { number: 'RUH-STD-Q', kind: 'standard' });
    const queued = await s.app.inject({ method: 'POST', url, headers: ruh1, payload: invoice });
    expect(queued.statusCode, queued.body).toBe(202);
    const early = await get(queued.json().links.pdf, ruh1);
    expect(early.statusCode).toBe(409);
    expect(early.json().error.message).toContain('not cleared');
  });
});
