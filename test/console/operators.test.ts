// Who made each sale and with which clock (issue 14): the POS names its cashier and sends its own
// clock; head office stores both beside the document (not in the signed XML), filters and totals by
// operator, ties the audit row to token and person, and flags a device clock beyond the tolerance.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TAXPAYER_VAT as VAT, startHeadOffice, type HeadOffice } from '../../src/demo/head-office.js';
import { createUser } from '../../src/server/access/users.js';
import { CLOCK_TOLERANCE_MS } from '../../src/server/routes/operators.js';
import { tenants, units } from '../../src/store/index.js';
import { TEST_SCRYPT } from '../server/helpers.js';

describe('operators and device clocks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fawtara-operators-'));
  let h: HeadOffice;
  let admin: string;
  const api = async (method: string, path: string, auth: string, body?: unknown) => {
    const r = await fetch(`${h.url}${path}`, {
      method,
      headers: { authorization: auth, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: r.status, json: (await r.json()) as any };
  };
  const login = async (username: string, password: string) => `Bearer ${(await api('POST', '/api/v1/auth/login', '', { username, password })).json.token}`;

  beforeAll(async () => {
    h = await startHeadOffice({ dataDir: join(dir, 'data'), port: 0, env: {}, policy: { scrypt: TEST_SCRYPT }, seed: { days: 1, salesPerUnitPerDay: 1 } });
    admin = await login(h.adminUsername, h.adminPassword!);
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a device names its cashier and clock: stored beside the document, not in the signed XML; searchable, totalled, audited, drift flagged', async () => {
    const device = `Bearer ${h.deviceToken}`;
    // The till's clock runs 5 minutes ahead of head office's: beyond the 2-minute tolerance.
    const deviceTime = new Date(Date.now() + 5 * 60_000).toISOString();
    const sale = await api('POST', `/api/v1/taxpayers/${VAT}/units/RUH-POS-1/sales`, device, {
      lines: [{ name: 'شاي | Tea', quantity: '1', unitPrice: '5.75' }],
      operator: { id: 'c-17', name: 'Noura' },
      deviceTime,
    });
    expect(sale.status, JSON.stringify(sale.json)).toBe(201);
    expect(sale.json.xml).not.toContain('Noura');
    expect(sale.json.xml).not.toContain('c-17');

    const doc = await api('GET', `/api/v1/taxpayers/${VAT}/units/RUH-POS-1/documents/${sale.json.number}`, admin);
    expect(doc.json.issuedBy).toMatchObject({ operatorId: 'c-17', operatorName: 'Noura', deviceTime: new Date(deviceTime).toISOString() });
    expect(doc.json.issuedBy.actor).toMatch(/^device:/);
    // 5 minutes ahead, less the time the request took to arrive (well under a minute even when loaded)
    expect(doc.json.issuedBy.driftMs).toBeGreaterThan(4 * 60_000);
    expect(doc.json.issuedBy.driftMs).toBeLessThanOrEqual(5 * 60_000);

    const found = await api('GET', `/api/v1/taxpayers/${VAT}/documents?operator=c-17`, admin);
    expect(found.json.documents.map((d: { number: string }) => d.number)).toEqual([sale.json.number]);

    const month = doc.json.document.issuedAt.slice(0, 7);
    const totals = await api('GET', `/api/v1/taxpayers/${VAT}/reports/operators?period=${month}`, admin);
    expect(totals.json.operators.find((o: { operatorId: string | null }) => o.operatorId === 'c-17')).toMatchObject({
      documents: 1,
      operatorName: 'Noura',
      vatSar: '0.75',
    });

    const audit = await api('GET', '/api/v1/audit-log?action=posSale&limit=5', admin);
    const row = audit.json.entries.find((e: { detail: { number?: string } }) => e.detail.number === sale.json.number);
    expect(row.actor).toMatch(/^device:/);
    expect(row.detail.operator).toBe('c-17');

    const drift = await api('GET', `/api/v1/taxpayers/${VAT}/clock-drift`, admin);
    expect(drift.json.toleranceMs).toBe(CLOCK_TOLERANCE_MS);
    expect(drift.json.devices.find((d: { unit: string }) => d.unit === 'RUH-POS-1')).toMatchObject({ beyondTolerance: true });
  });

  it('a logged-in cashier is the operator; naming someone else is refused and nothing is issued', async () => {
    const db = h.fleet.store.db;
    const taxpayer = (await tenants.findTaxpayerByVat(db, VAT))!;
    const unit = (await units.findUnit(db, taxpayer.id, 'JED-POS-1'))!;
    const branch = (await tenants.findBranch(db, taxpayer.id, unit.branch_id))!;
    await createUser(
      h.app.fawtara.access,
      { kind: 'cli', actor: 'cli:test' },
      { username: 'sara', password: 'a till password 7731', role: 'cashier', taxpayer, branch, unit },
    );
    const sara = await login('sara', 'a till password 7731');
    const before = (await api('GET', `/api/v1/taxpayers/${VAT}/units/JED-POS-1`, admin)).json.unit.icv;
    const forged = await api('POST', `/api/v1/taxpayers/${VAT}/units/JED-POS-1/sales`, sara, {
      lines: [{ name: 'شاي | Tea', quantity: '1', unitPrice: '5.75' }],
      operator: { id: 'someone-else' },
    });
    expect(forged.status).toBe(400);
    expect(forged.json.error.field).toBe('body.operator');
    expect((await api('GET', `/api/v1/taxpayers/${VAT}/units/JED-POS-1`, admin)).json.unit.icv).toBe(before);
    const own = await api('POST', `/api/v1/taxpayers/${VAT}/units/JED-POS-1/sales`, sara, { lines: [{ name: 'شاي | Tea', quantity: '1', unitPrice: '5.75' }] });
    expect(own.status).toBe(201);
    const doc = await api('GET', `/api/v1/taxpayers/${VAT}/units/JED-POS-1/documents/${own.json.number}`, admin);
    expect(doc.json.issuedBy).toMatchObject({ actor: 'user:sara', operatorId: 'sara', deviceTime: null, driftMs: null });
  });
});
