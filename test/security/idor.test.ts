// Object references across scopes (IDOR): documents, device tokens and users named by id, UUID or
// number from outside their unit, branch or taxpayer; notes and duplicate UUIDs/numbers that used
// to reach another branch's documents; and cursors that must never open another scope.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOutbox } from '../../src/outbox/index.js';
import { createUser } from '../../src/server/access/users.js';
import { documents, tenants, units } from '../../src/store/index.js';
import { saleJson } from '../issuing/helpers.js';
import { SALE } from '../server/onboarded.js';
import { ENGINES, fillRoute, freshAddress, onboardedSecurityServer, PASSWORD, type Caller, type SecurityServer } from './harness.js';
import type { OnboardedServer } from '../server/onboarded.js';

interface Doc {
  id: string;
  uuid: string;
  number: string;
  icv: number;
  totals: { payable: string; taxExclusive: string };
}

describe.each(ENGINES)('references across scopes on %s', (engine) => {
  let s: SecurityServer & OnboardedServer;
  let jedDoc: Doc;
  let ruhDoc: Doc;
  let branchAuditor: Caller;
  const sale = async (unit: string, caller: Caller, body: unknown = SALE) => {
    const r = await s.call('POST', fillRoute('/api/v1/taxpayers/:vat/units/:unit/sales', { unit }), caller, body);
    if (r.statusCode !== 201) throw new Error(`sale on ${unit}: ${r.body}`);
    return r.json() as Doc;
  };
  /** A credit note in our invoice JSON (without seller: head office writes it). */
  const creditNote = async (of: string, number: string) => {
    const branch = (await tenants.findBranch(s.fleet.store.db, s.taxpayer.id, 'Riyadh'))!;
    const { seller: _seller, ...json } = saleJson(s.taxpayer, branch, { number, lines: 1, price: '1.00', note: { type: 'creditNote', of } });
    return json;
  };

  beforeAll(async () => {
    s = await onboardedSecurityServer(engine);
    jedDoc = await sale('JED-POS-1', s.callers.deviceJed1);
    // The receipt has no row id; the document list does.
    const listed = await s.call('GET', `${fillRoute('/api/v1/taxpayers/:vat/documents')}?number=${jedDoc.number}`, s.callers.tpAdmin);
    jedDoc.id = listed.json().documents[0].id;
    ruhDoc = await sale('RUH-POS-1', s.callers.deviceRuh1);
    await sale('RUH-POS-1', s.callers.deviceRuh1);
    await sale('RUH-POS-2', s.callers.tpAdmin);
    await runOutbox(s.fleet, { once: true });
    const riyadh = (await tenants.findBranch(s.fleet.store.db, s.taxpayer.id, 'Riyadh'))!;
    await createUser(
      s.ax,
      { kind: 'cli', actor: 'cli:test' },
      { username: 'sec.auditor.ruh', password: PASSWORD, role: 'auditor', taxpayer: s.taxpayer, branch: riyadh },
    );
    const r = await s.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'sec.auditor.ruh', password: PASSWORD },
      remoteAddress: freshAddress(),
    });
    branchAuditor = { authorization: `Bearer ${r.json().token}` };
  }, 120_000);
  afterAll(async () => s?.close());

  it("another unit's document, by id, UUID or number, through one's own unit: the same 404 as a document that does not exist", async () => {
    for (const caller of [s.callers.deviceRuh1, s.callers.cashierRuh1, s.callers.managerRuh]) {
      for (const ref of [jedDoc.id, jedDoc.uuid, jedDoc.number]) {
        for (const tail of ['', '/xml', '/qr.png', '/cleared']) {
          const res = await s.call('GET', `${fillRoute('/api/v1/taxpayers/:vat/units/:unit/documents/:document', { document: ref })}${tail}`, caller);
          const none = await s.call('GET', `${fillRoute('/api/v1/taxpayers/:vat/units/:unit/documents/:document', { document: `x${ref}` })}${tail}`, caller);
          expect(res.statusCode, `${ref}${tail}`).toBe(404);
          expect(res.body.replaceAll(ref, '<ref>')).toBe(none.body.replaceAll(`x${ref}`, '<ref>'));
          expect(res.body).not.toContain(jedDoc.totals.payable);
        }
      }
    }
    // Its own document is there.
    expect(
      (await s.call('GET', fillRoute('/api/v1/taxpayers/:vat/units/:unit/documents/:document', { document: ruhDoc.uuid }), s.callers.deviceRuh1)).statusCode,
    ).toBe(200);
  });

  it("a cashier's credit note against another branch's invoice is refused like one against no invoice, and nothing is issued", async () => {
    const before = await documents.countDocuments(s.fleet.store.db, s.taxpayer.id);
    const url = fillRoute('/api/v1/taxpayers/:vat/units/:unit/documents', { unit: 'RUH-POS-1' });
    for (const caller of [s.callers.deviceRuh1, s.callers.cashierRuh1, s.callers.managerRuh]) {
      const foreign = await s.call('POST', url, caller, await creditNote(jedDoc.number, `CN-${randomUUID().slice(0, 8)}`));
      const missing = await s.call('POST', url, caller, await creditNote('NO-SUCH-INVOICE-1', `CN-${randomUUID().slice(0, 8)}`));
      expect(foreign.statusCode, foreign.body).toBe(404);
      expect(foreign.json().error.reason).toBe('REFERENCE_NOT_FOUND');
      expect(foreign.json().error.message.replace(jedDoc.number, '<n>')).toBe(missing.json().error.message.replace('NO-SUCH-INVOICE-1', '<n>'));
      // Nothing about the other branch's invoice: not its UUID, not its amounts.
      expect(foreign.body).not.toContain(jedDoc.uuid);
      expect(foreign.body).not.toContain(jedDoc.totals.taxExclusive);
    }
    expect(await documents.countDocuments(s.fleet.store.db, s.taxpayer.id)).toBe(before);
    // Against its own unit's invoice, and for an administrator of the taxpayer across units, it is issued.
    expect((await s.call('POST', url, s.callers.deviceRuh1, await creditNote(ruhDoc.number, 'CN-OWN-1'))).statusCode).toBe(201);
    expect((await s.call('POST', url, s.callers.tpAdmin, await creditNote(jedDoc.number, 'CN-ADMIN-1'))).statusCode).toBe(201);
  });

  it('a UUID or number another unit used is a conflict that names nothing of that document', async () => {
    const before = await documents.countDocuments(s.fleet.store.db, s.taxpayer.id);
    const dupUuid = await s.call('POST', fillRoute('/api/v1/taxpayers/:vat/units/:unit/sales'), s.callers.deviceRuh1, { ...SALE, uuid: jedDoc.uuid });
    expect(dupUuid.statusCode).toBe(409);
    expect(dupUuid.json().error.reason).toBe('DUPLICATE');
    const dupNumber = await s.call('POST', fillRoute('/api/v1/taxpayers/:vat/units/:unit/sales'), s.callers.deviceRuh1, { ...SALE, number: jedDoc.number });
    expect(dupNumber.statusCode).toBe(409);
    for (const r of [dupUuid, dupNumber]) {
      expect(r.json().error.message).toContain('another document');
      expect(r.body).not.toContain('ICV');
      expect(r.body).not.toContain(jedDoc.totals.payable);
    }
    // The UUID was the caller's own input; the other document's number is not said.
    expect(dupUuid.body).not.toContain(jedDoc.number);
    expect(dupNumber.body).not.toContain(jedDoc.uuid);
    expect(await documents.countDocuments(s.fleet.store.db, s.taxpayer.id)).toBe(before);
    // The same UUID on its own unit is a replay of its own document, as before.
    const replay = await s.call('POST', fillRoute('/api/v1/taxpayers/:vat/units/:unit/sales'), s.callers.deviceRuh1, { ...SALE, uuid: ruhDoc.uuid });
    expect(replay.statusCode).toBe(200);
  });

  it("device tokens and users of another unit or taxpayer cannot be revoked or disabled through one's own scope", async () => {
    const jedToken = s.callers.deviceJed1.token.split('_')[1]!;
    const revoke = await s.call(
      'DELETE',
      `${fillRoute('/api/v1/taxpayers/:vat/units/:unit/tokens/:tokenId', { unit: 'RUH-POS-1' }).replace('0123456789abcdef', jedToken)}`,
      s.callers.managerRuh,
    );
    expect(revoke.statusCode).toBe(404);
    expect((await s.call('GET', '/api/v1/auth/me', s.callers.deviceJed1)).statusCode).toBe(200);
    const disable = await s.call('POST', '/api/v1/users/sec.other.admin/disable', s.callers.tpAdmin, {});
    expect(disable.statusCode).toBe(403);
    expect((await s.call('GET', '/api/v1/auth/me', s.callers.otherAdmin)).statusCode).toBe(200);
    // The other taxpayer's unit is not found through this taxpayer, by name, serial or id.
    const mak = (await units.findUnit(s.fleet.store.db, s.other.id, 'MAK-POS-1'))!;
    for (const ref of [mak.name, mak.serial, mak.id]) {
      const res = await s.call('GET', fillRoute('/api/v1/taxpayers/:vat/units/:unit', { unit: ref }), s.callers.tpAdmin);
      expect(res.statusCode, ref).toBe(404);
    }
  });

  it("a document cursor passed to another caller shows only that caller's own documents", async () => {
    const list = (caller: Caller, q: string) => s.call('GET', `${fillRoute('/api/v1/taxpayers/:vat/documents')}?${q}`, caller);
    const first = (await list(s.callers.tpAdmin, 'limit=1')).json();
    expect(first.nextCursor).toBeTruthy();
    const mine = new Set(((await list(s.callers.deviceRuh1, 'limit=500')).json().documents as Array<{ id: string }>).map((d) => d.id));
    // An admin's cursor, and a hand-made one from the end of time, used by a device.
    const endOfTime = Buffer.from('9999-12-31T00:00:00.000Z|zzzz').toString('base64url');
    for (const cursor of [first.nextCursor, endOfTime]) {
      const page = (await list(s.callers.deviceRuh1, `limit=500&cursor=${cursor}`)).json();
      for (const d of page.documents as Array<{ id: string; unit: string }>) {
        expect(d.unit).toBe('RUH-POS-1');
        expect(mine).toContain(d.id);
      }
    }
    for (const bad of ['garbage', Buffer.from('not-a-date|x').toString('base64url')])
      expect((await list(s.callers.deviceRuh1, `cursor=${bad}`)).statusCode).toBe(400);
  });

  it('report, reconciliation and archive cursors are bound to the query and scope that made them', async () => {
    const base = fillRoute('/api/v1/taxpayers/:vat');
    const urls = [`${base}/reports/vat?period=2026-03&documents=true&limit=1`, `${base}/archive/index?period=2026-03&limit=1`];
    for (const url of urls) {
      const page = (await s.call('GET', url, s.callers.auditor)).json();
      expect(page.nextCursor, url).toBeTruthy();
      expect(page.documents).toHaveLength(1);
      // The same caller and query: the next page.
      const next = await s.call('GET', `${url}&cursor=${page.nextCursor}`, s.callers.auditor);
      expect(next.statusCode).toBe(200);
      expect(next.json().documents[0]).not.toEqual(page.documents[0]);
      // Another scope (a branch auditor) or another query (another period): refused, not a view of more.
      const other = await s.call('GET', `${url}&cursor=${page.nextCursor}`, branchAuditor);
      expect(other.statusCode, other.body).toBe(400);
      expect(other.json().error.field).toBe('querystring.cursor');
      const moved = await s.call('GET', `${url.replace('2026-03', '2026-Q1')}&cursor=${page.nextCursor}`, s.callers.auditor);
      expect(moved.statusCode).toBe(400);
    }
    // The branch auditor's own pages hold its branch only.
    const own = (await s.call('GET', `${base}/archive/index?period=2026-03&limit=500`, branchAuditor)).json();
    expect(own.documents.length).toBeGreaterThan(0);
    expect(own.documents.every((d: { branch: string }) => d.branch === 'Riyadh')).toBe(true);
  });
});
