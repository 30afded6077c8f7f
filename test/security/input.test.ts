// The input boundary: stored bytes are the signed bytes (no lone surrogates, no invalid UTF-8, no
// text XML cannot carry), figures bounded so every total stays exact (BR-CO-13), lists and ranges
// bounded, bodies limited in size and type, and markup in text stays text.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateInvoice } from '../../src/rules/index.js';
import { verifyInvoice } from '../../src/stamp/index.js';
import { documents, tenants } from '../../src/store/index.js';
import { saleJson } from '../issuing/helpers.js';
import { SALE, type OnboardedServer } from '../server/onboarded.js';
import { ENGINES, fillRoute, onboardedSecurityServer, type SecurityServer } from './harness.js';

describe.each(ENGINES)('the input boundary on %s', (engine) => {
  let s: SecurityServer & OnboardedServer;
  const salesUrl = () => fillRoute('/api/v1/taxpayers/:vat/units/:unit/sales');
  const documentsUrl = () => fillRoute('/api/v1/taxpayers/:vat/units/:unit/documents');
  const count = () => documents.countDocuments(s.fleet.store.db, s.taxpayer.id);
  /** POST raw bytes as application/json (what a client with a broken encoder sends). */
  const raw = (url: string, body: string | Buffer) =>
    s.app.inject({ method: 'POST', url, headers: { ...s.callers.deviceRuh1, 'content-type': 'application/json' }, payload: body, remoteAddress: '10.60.0.1' });
  const invoice = async (o: { lines?: number; price?: string } = {}) => {
    const branch = (await tenants.findBranch(s.fleet.store.db, s.taxpayer.id, 'Riyadh'))!;
    const { seller: _seller, ...json } = saleJson(s.taxpayer, branch, { number: `INP-${randomUUID().slice(0, 8)}`, ...o });
    return json as Record<string, unknown> & { lines: Array<Record<string, unknown>> };
  };

  beforeAll(async () => {
    s = await onboardedSecurityServer(engine);
  }, 120_000);
  afterAll(async () => s?.close());

  it('a lone surrogate anywhere in a JSON body is refused naming the field; nothing is stored', async () => {
    const before = await count();
    const cases: Array<[string, string, string]> = [
      [salesUrl(), '{"lines":[{"name":"Shawarma \\ud800","quantity":"1","unitPrice":"10"}]}', 'body.lines[0].name'],
      [salesUrl(), '{"lines":[{"name":"Shawarma","quantity":"1","unitPrice":"10"}],"note":"\\udfff tail"}', 'body.note'],
      [salesUrl(), '{"lines":[{"name":"Shawarma","quantity":"1","unitPrice":"10"}],"\\ud83d":1}', 'body.\ud83d'],
      [documentsUrl(), JSON.stringify(await invoice()).replace('Item 1"', 'Item 1 \\ud800"'), 'body.lines[0].name'],
    ];
    for (const [url, body, field] of cases) {
      const res = await raw(url, body);
      expect(res.statusCode, body).toBe(400);
      expect(res.json().error.code).toBe('INVALID_INPUT');
      expect(res.json().error.field).toBe(field);
      expect(res.json().error.messageAr).toMatch(/[\u0600-\u06ff]/);
    }
    expect(await count()).toBe(before);
  });

  it('JSON that is not valid UTF-8 is refused (not silently turned into U+FFFD); nothing is stored', async () => {
    const before = await count();
    const sale = (bytes: Buffer) => Buffer.concat([Buffer.from('{"lines":[{"name":"Shawarma '), bytes, Buffer.from('","quantity":"1","unitPrice":"10"}]}')]);
    for (const bytes of [
      Buffer.from([0xc3, 0x28]),
      Buffer.from([0x80]),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from([0xc0, 0xaf]),
      Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]),
    ]) {
      const res = await raw(salesUrl(), sale(bytes));
      expect(res.statusCode, bytes.toString('hex')).toBe(400);
      expect(res.json().error.field).toBe('body');
      expect(res.json().error.message).toMatch(/UTF-8/);
    }
    expect(await count()).toBe(before);
  });

  it('text XML cannot carry is refused; valid text beyond the BMP and markup characters are stored exactly as signed', async () => {
    expect((await s.call('POST', salesUrl(), s.callers.deviceRuh1, { lines: [{ name: 'Bell \u0007 item', quantity: '1', unitPrice: '1' }] })).statusCode).toBe(
      400,
    );
    const name = '😀 <!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>&e; ]]> "quoted" \'single\' & done';
    const res = await s.call('POST', salesUrl(), s.callers.deviceRuh1, { lines: [{ name, quantity: '1', unitPrice: '1.15' }] });
    expect(res.statusCode, res.body).toBe(201);
    const stored = (await documents.findDocument(s.fleet.store.db, s.taxpayer.id, res.json().uuid))!;
    expect(stored.xml).toBe(res.json().xml);
    // The markup is text: escaped in the XML, no DOCTYPE, no entity.
    expect(stored.xml).not.toContain('<!DOCTYPE');
    expect(stored.xml).toContain('😀 &lt;!DOCTYPE x [&lt;!ENTITY e SYSTEM "file:///etc/passwd"&gt;]&gt;&amp;e; ]]&gt;');
    const verified = verifyInvoice(stored.xml, { pih: stored.pih });
    expect(verified.invoiceHash).toBe(stored.invoice_hash);
    expect(verified.checks.filter((c) => c.status === 'fail')).toEqual([]);
  });

  it('a 32-digit quantity (which once broke BR-CO-13 with VAT of 8.7e63) is refused naming the field; the largest allowed figures stay exact', async () => {
    const before = await count();
    const huge = '12345678901234567890123456789012';
    const pos = await s.call('POST', salesUrl(), s.callers.deviceRuh1, { lines: [{ name: 'Huge', quantity: huge, unitPrice: huge }] });
    expect(pos.statusCode).toBe(400);
    expect(pos.json().error.field).toBe('body.lines[0].quantity');
    expect(pos.json().error.message).toMatch(/at most 12 are allowed/);
    const json = await invoice();
    json.lines[0]!.quantity = huge;
    const doc = await s.call('POST', documentsUrl(), s.callers.deviceRuh1, json);
    expect(doc.statusCode).toBe(400);
    expect(doc.json().error.field).toMatch(/lines.*0.*quantity/);
    expect(doc.json().error.messageAr).toMatch(/[\u0600-\u06ff]/);
    const number = await s.call('POST', salesUrl(), s.callers.deviceRuh1, { lines: [{ name: 'Huge', quantity: 1e30, unitPrice: '1' }] });
    expect(number.statusCode).toBe(400);
    expect(await count()).toBe(before);
    // 12 digits × 12 digits: issued, and ZATCA's arithmetic rules hold on the signed XML.
    const max = await s.call('POST', salesUrl(), s.callers.deviceRuh1, {
      lines: [{ name: 'Largest', quantity: '999999999999', unitPrice: '999999999999.99' }],
    });
    expect(max.statusCode, max.body).toBe(201);
    const report = validateInvoice(max.json().xml, { now: s.clock.now() });
    expect(report.errors, JSON.stringify(report.errors)).toEqual([]);
  });

  it('documents have at most 1000 lines (a sale 500); lists inside are bounded', async () => {
    const json = await invoice({ lines: 1001 });
    const res = await s.call('POST', documentsUrl(), s.callers.deviceRuh1, json);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/at most 1000 lines/);
    const sale = { lines: Array.from({ length: 501 }, () => SALE.lines[0]) };
    expect((await s.call('POST', salesUrl(), s.callers.deviceRuh1, sale)).statusCode).toBe(400);
  });

  it('date ranges of reports, reconciliation, the archive index and the chain audit cover at most 366 days', async () => {
    const base = fillRoute('/api/v1/taxpayers/:vat');
    for (const url of [
      `${base}/reports/vat?from=2025-01-01&to=2026-03-01`,
      `${base}/reports/reconcile?from=2025-01-01&to=2026-03-01`,
      `${base}/archive/index?from=2025-01-01&to=2026-03-01`,
      `${base}/chain-audit?from=2025-01-01&to=2026-03-01`,
      `${fillRoute('/api/v1/taxpayers/:vat/units/:unit/chain-audit')}?from=2025-01-01&to=2026-03-01`,
    ]) {
      const res = await s.call('GET', url, s.callers.auditor);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.message, url).toMatch(/at most 366 days/);
    }
    expect((await s.call('GET', `${base}/reports/vat?from=2025-03-01&to=2026-02-28`, s.callers.auditor)).statusCode).toBe(200);
    expect((await s.call('GET', `${base}/chain-audit?from=2026-03-01&to=2026-02-01`, s.callers.auditor)).statusCode).toBe(400);
  });

  it("bodies over 1 MiB are 413; XML or form bodies are 415 on every route that takes a body (forms only on the console's own form routes)", async () => {
    const big = { lines: [{ name: 'x'.repeat(1000), quantity: '1', unitPrice: '1' }], note: 'y'.repeat(1024 * 1024) };
    const res = await s.call('POST', salesUrl(), s.callers.deviceRuh1, big);
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('TOO_LARGE');
    const xml = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>';
    for (const r of s.routes().filter((r) => r.method === 'POST' || r.method === 'PUT')) {
      // The console's own forms (login, log out, language) are plain HTML forms: url-encoded is theirs.
      const types = r.options.config?.console ? ['application/xml', 'text/xml'] : ['application/xml', 'text/xml', 'application/x-www-form-urlencoded'];
      for (const type of types) {
        const out = await s.app.inject({
          method: r.method as 'POST',
          url: fillRoute(r.url),
          headers: { ...s.callers.admin, 'content-type': type },
          payload: xml,
          remoteAddress: '10.61.0.1',
        });
        // Refused before any handler: 415 (or 403/401 where the caller may not call it at all).
        expect([415, 403], `${r.method} ${r.url} as ${type}: ${out.body}`).toContain(out.statusCode);
        expect(out.body).not.toContain('root:');
      }
    }
  });
});
