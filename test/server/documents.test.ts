// Document routes (issue 7 part 1): issue JSON invoices, fetch XML / cleared XML / QR, list and
// search by unit, branch, period and state, outbox status and chain audit — each within the caller's scope.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOutbox } from '../../src/outbox/index.js';
import { randomUUID } from 'node:crypto';
import { documents, tenants, units } from '../../src/store/index.js';
import { saleJson } from '../issuing/helpers.js';
import { deviceCaller, ENGINES, fillUrl, userCaller, type Caller } from './helpers.js';
import { onboardedServer, SALE, type OnboardedServer } from './onboarded.js';

describe.each(ENGINES)('document routes on %s', (engine) => {
  let s: OnboardedServer;
  let ruh1: Caller;
  let manager: Caller; // Riyadh
  let auditor: Caller;
  let admin: Caller;
  const get = (url: string, caller?: Caller) => s.app.inject({ method: 'GET', url, ...(caller && { headers: caller }) });
  const post = (url: string, caller: Caller, payload: unknown) => s.app.inject({ method: 'POST', url, headers: caller, payload: payload as object });

  beforeAll(async () => {
    s = await onboardedServer(engine);
    ruh1 = await deviceCaller(s, 'RUH-POS-1');
    manager = await userCaller(s, 'manager.ruh', 'branch-manager', { branch: 'Riyadh' });
    auditor = await userCaller(s, 'auditor', 'auditor');
    admin = await userCaller(s, 'admin', 'admin');
    // Three sales on each of four units (two branches).
    for (const unit of ['RUH-POS-1', 'RUH-POS-2', 'JED-POS-1', 'JED-POS-2']) {
      const device = await deviceCaller(s, unit);
      for (let i = 0; i < 3; i++) expect((await post(fillUrl('/api/v1/taxpayers/:vat/units/:unit/sales', { unit }), device, SALE)).statusCode).toBe(201);
    }
  }, 60_000);
  afterAll(async () => s?.close());

  it('issues a JSON invoice on a unit and serves its XML and QR; ICV/PIH/issue time are the unit’s', async () => {
    const branch = (await tenants.findBranch(s.fleet.store.db, s.taxpayer.id, 'Riyadh'))!;
    const url = fillUrl('/api/v1/taxpayers/:vat/units/:unit/documents', { unit: 'RUH-POS-1' });
    // The seller is head office's to write (the registered taxpayer and the unit's branch), never the body's.
    const { seller, ...invoice } = saleJson(s.taxpayer, branch, { number: 'RUH-JSON-1' });
    const renamed = await post(url, ruh1, { ...invoice, seller: { ...(seller as object), name: 'Someone Else LLC' } });
    expect(renamed.statusCode).toBe(400);
    expect(renamed.json().error).toMatchObject({ reason: 'ASSIGNED_FIELD', field: 'seller' });
    const res = await post(url, ruh1, invoice);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().xml).toContain('<cbc:RegistrationName>مطاعم السلسلة | Chain Restaurants LTD</cbc:RegistrationName>');
    const r = res.json();
    expect(r.icv).toBe(4);
    expect(r.legalXml).toBe(r.xml);
    const xml = await get(r.links.xml, ruh1);
    expect(xml.headers['content-type']).toMatch(/^application\/xml/);
    expect(xml.body).toBe(r.xml);
    const byNumber = await get(fillUrl('/api/v1/taxpayers/:vat/units/:unit/documents/RUH-JSON-1', { unit: 'RUH-POS-1' }), ruh1);
    expect(byNumber.json().document.uuid).toBe(r.uuid);
    expect((await get(`${r.links.self}/cleared`, ruh1)).statusCode).toBe(404);
    const withIcv = await post(url, ruh1, { ...invoice, id: 'RUH-JSON-2', uuid: undefined, icv: 9 });
    expect(withIcv.statusCode).toBe(400);
    expect(withIcv.json().error.reason).toBe('ASSIGNED_FIELD');
  });

  it('lists and searches by unit, branch, period and state, in pages', async () => {
    const list = (q: string, c: Caller = admin) => get(`${fillUrl('/api/v1/taxpayers/:vat/documents')}?${q}`, c);
    expect((await list('limit=500')).json().documents).toHaveLength(13);
    expect((await list('branch=Jeddah')).json().documents).toHaveLength(6);
    expect((await list('unit=RUH-POS-2')).json().documents.every((d: { unit: string }) => d.unit === 'RUH-POS-2')).toBe(true);
    const day = s.clock.now().toISOString().slice(0, 10);
    expect((await list(`period=${day.slice(0, 7)}`)).json().documents.length).toBeGreaterThan(0);
    expect((await list('period=2020-01')).json().documents).toHaveLength(0);
    expect((await list('state=to-submit&limit=500')).json().documents).toHaveLength(13);
    const seen = new Set<string>();
    let cursor: string | null = '';
    for (let pages = 0; cursor !== null && pages < 20; pages++) {
      const page: { documents: Array<{ id: string }>; nextCursor: string | null } = (await list(`limit=4${cursor ? `&cursor=${cursor}` : ''}`)).json();
      for (const d of page.documents) seen.add(d.id);
      cursor = page.nextCursor;
    }
    expect(seen.size).toBe(13);
    expect((await list('cursor=garbage')).statusCode).toBe(400);
    // Reported by the outbox: the states move and the status shows an empty queue.
    await runOutbox(s.fleet, { once: true });
    expect((await list('state=accepted&limit=500')).json().documents).toHaveLength(13);
    const outbox = (await get(fillUrl('/api/v1/taxpayers/:vat/outbox'), admin)).json();
    expect(outbox.depth).toBe(0);
    expect(outbox.byState.accepted).toBe(13);
    expect((await get(fillUrl('/api/v1/taxpayers/:vat/outbox'), manager)).json().byState.accepted).toBe(7);
  });

  it('a cashier token sees its own unit only; a branch manager its branch; an auditor reads but cannot issue', async () => {
    const mine = (await get(`${fillUrl('/api/v1/taxpayers/:vat/documents')}?limit=500`, ruh1)).json().documents;
    expect(mine.length).toBe(4);
    expect(mine.every((d: { unit: string }) => d.unit === 'RUH-POS-1')).toBe(true);
    for (const q of ['unit=RUH-POS-2', 'branch=Jeddah', 'unit=JED-POS-1']) {
      const res = await get(`${fillUrl('/api/v1/taxpayers/:vat/documents')}?${q}`, ruh1);
      expect(res.statusCode, q).toBe(403);
      expect(res.json().error.reason).toBe('OUT_OF_SCOPE');
    }
    const jedDoc = (await get(`${fillUrl('/api/v1/taxpayers/:vat/documents')}?unit=JED-POS-1&limit=1`, admin)).json().documents[0];
    for (const c of [ruh1, manager]) {
      for (const path of ['', '/xml', '/qr.png']) expect((await get(`${jedDoc.links.self}${path}`, c)).statusCode).toBe(403);
      expect((await get(`${fillUrl('/api/v1/taxpayers/:vat/documents')}?branch=Jeddah`, c)).statusCode).toBe(403);
    }
    expect((await get(`${fillUrl('/api/v1/taxpayers/:vat/documents')}?limit=500`, manager)).json().documents).toHaveLength(7);
    expect((await get(jedDoc.links.xml, auditor)).statusCode).toBe(200);
    expect((await get(fillUrl('/api/v1/taxpayers/:vat/outbox'), ruh1)).json().error.reason).toBe('WRONG_ROLE');
    const write = await post(fillUrl('/api/v1/taxpayers/:vat/units/:unit/sales', { unit: 'JED-POS-1' }), auditor, SALE);
    expect(write.statusCode).toBe(403);
    expect(write.json().error.reason).toBe('WRONG_ROLE');
  });

  it('audits the chains of the taxpayer, a branch or one unit within scope', async () => {
    const all = (await get(fillUrl('/api/v1/taxpayers/:vat/chain-audit'), auditor)).json();
    expect(all.ok).toBe(true);
    expect(all.documents).toBe(13);
    expect(all.breaks).toEqual([]);
    const branch = (await get(`${fillUrl('/api/v1/taxpayers/:vat/chain-audit')}?branch=Jeddah`, admin)).json();
    expect(branch).toMatchObject({ ok: true, units: 2, documents: 6 });
    const own = (await get(fillUrl('/api/v1/taxpayers/:vat/units/:unit/chain-audit', { unit: 'RUH-POS-1' }), ruh1)).json();
    expect(own).toMatchObject({ ok: true, units: 1, documents: 4 });
    expect((await get(fillUrl('/api/v1/taxpayers/:vat/units/:unit/chain-audit', { unit: 'JED-POS-1' }), ruh1)).statusCode).toBe(403);
    expect((await get(`${fillUrl('/api/v1/taxpayers/:vat/chain-audit')}?branch=Jeddah`, manager)).statusCode).toBe(403);
  });

  // Last: the documents it adds stand outside their units' chains (the audit above would flag them).
  it('the QR image of a document that carries no QR code is 404 (409 for a standard one until cleared), never 500', async () => {
    // Documents as a branch node may deliver them: stored bytes without a QR text of their own.
    const first = (await s.fleet.store.db.selectFrom('documents').selectAll().where('number', 'like', 'RUH-POS-1-%').where('icv', '=', 1).executeTakeFirst())!;
    const cases = [
      ['DMM-POS-1', 'simplified', 404],
      ['DMM-POS-2', 'standard', 409],
    ] as const;
    for (const [unitName, kind, status] of cases) {
      const unit = (await units.findUnit(s.fleet.store.db, s.taxpayer.id, unitName))!;
      const number = `NO-QR-${unitName}`;
      await documents.insertDocuments(s.fleet.store.db, [{ ...first, id: randomUUID(), unit_id: unit.id, uuid: randomUUID(), number, kind, qr: '' }]);
      const res = await get(fillUrl('/api/v1/taxpayers/:vat/units/:unit/documents/:document/qr.png', { unit: unitName }).replace(':document', number), admin);
      expect(res.statusCode, res.body).toBe(status);
      expect(res.json().error.messageAr).toMatch(/QR/);
    }
  });
});
