// The fleet over HTTP: taxpayers, branches, units and their lifecycle (onboarding with an OTP
// against the simulator), errors with stable codes, the OpenAPI document and the offline /docs page.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { otpsFor, startFleetSimulator, T0 } from '../egs/helpers.js';
import { CHAIN_VAT, ENGINES, fillUrl, movableClock, testServer, userCaller, type Caller, type TestServer } from './helpers.js';

describe.each(ENGINES)('fleet routes on %s', (engine) => {
  let sim: RunningSimulator;
  let s: TestServer;
  let admin: Caller;
  const bodies: string[] = [];
  const call = async (method: string, url: string, payload?: unknown, caller: Caller = admin) => {
    const r = await s.app.inject({ method: method as 'GET', url, headers: caller, ...(payload !== undefined && { payload: payload as object }) });
    bodies.push(r.body);
    return r;
  };

  beforeAll(async () => {
    sim = await startFleetSimulator();
    s = await testServer(engine, { simulatorUrl: sim.url, clock: movableClock(T0) });
    admin = await userCaller(s, 'root', 'admin', { global: true });
  });
  afterAll(async () => {
    await s?.close();
    await sim?.close();
  });

  it('registers taxpayers and branches, with stable error codes in English and Arabic', async () => {
    const created = await call('POST', '/api/v1/taxpayers', { vatNumber: '300000000000003', nameAr: 'شركة', nameEn: 'Company' });
    expect(created.statusCode).toBe(201);
    expect(created.json().taxpayer).toEqual({
      vatNumber: '300000000000003',
      nameAr: 'شركة',
      nameEn: 'Company',
      vatGroup: false,
      businessCategory: 'Supply activities',
    });
    const dup = await call('POST', '/api/v1/taxpayers', { vatNumber: '300000000000003', nameAr: 'شركة' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error).toMatchObject({ code: 'CONFLICT', reason: 'DUPLICATE', field: 'vatNumber' });
    expect(dup.json().error.messageAr).toMatch(/مسجل/);
    const bad = await call('POST', '/api/v1/taxpayers', { vatNumber: '123', nameAr: 'x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'INVALID_INPUT', field: 'body.vatNumber' });
    const extra = await call('POST', '/api/v1/taxpayers', { vatNumber: '311111111111113', nameAr: 'x', colour: 'red' });
    expect(extra.json().error).toMatchObject({ code: 'INVALID_INPUT', field: 'body.colour' });
    const group = await call('POST', '/api/v1/taxpayers', { vatNumber: '300000000010003', nameAr: 'x' });
    expect(group.json().error).toMatchObject({ code: 'INVALID_INPUT', reason: 'INVALID_FIELD', field: 'vatGroup' });
    const broken = await s.app.inject({
      method: 'POST',
      url: '/api/v1/taxpayers',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: '{"vatNumber": ',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error).toMatchObject({ code: 'INVALID_INPUT' });
    expect(broken.json().error.messageAr).toBeTruthy();
    const text = await s.app.inject({ method: 'POST', url: '/api/v1/taxpayers', headers: { ...admin, 'content-type': 'application/xml' }, payload: '<a/>' });
    expect(text.statusCode).toBe(415);

    const branch = await call('POST', fillUrl('/api/v1/taxpayers/:vat/branches', { vat: '300000000000003' }), {
      name: 'Main',
      crn: '1010010000',
      street: 'S',
      buildingNumber: '1234',
      district: 'D',
      city: 'Riyadh',
      postalCode: '12345',
    });
    expect(branch.statusCode).toBe(201);
    expect(
      (
        await call('POST', fillUrl('/api/v1/taxpayers/:vat/branches', { vat: '300000000000003' }), {
          name: 'Bad',
          crn: '1',
          street: 'S',
          buildingNumber: '12',
          district: 'D',
          city: 'C',
          postalCode: '1',
        })
      ).json().error.field,
    ).toMatch(/^body\./);
    expect((await call('GET', fillUrl('/api/v1/taxpayers/:vat/branches/:branch', { vat: '300000000000003', branch: 'Main' }))).json().branch.name).toBe('Main');
    const missing = await call('GET', fillUrl('/api/v1/taxpayers/:vat/units/:unit', { unit: 'nope' }));
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toMatchObject({ code: 'NOT_FOUND', field: 'unit' });
    expect((await call('GET', fillUrl('/api/v1/taxpayers/:vat', { vat: '399999999900003' }))).statusCode).toBe(404);
  });

  it('onboards a unit with an OTP, issues a device token for it, retires another', async () => {
    const url = (unit: string, action = '') => fillUrl(`/api/v1/taxpayers/:vat/units/:unit${action}`, { unit });
    const noOtp = await call('POST', url('RUH-POS-1', '/onboard'), {});
    expect(noOtp.statusCode).toBe(400);
    expect(noOtp.json().error).toMatchObject({ reason: 'OTP_REQUIRED' });
    const [otp] = otpsFor(sim, CHAIN_VAT, 1);
    const onboarded = await call('POST', url('RUH-POS-1', '/onboard'), { otp });
    expect(onboarded.statusCode, onboarded.body).toBe(200);
    expect(onboarded.json().unit.state).toBe('active');
    expect(onboarded.json().unit.pcsid.notAfter).toBeTruthy();
    const shown = (await call('GET', url('RUH-POS-1'))).json();
    expect(shown.csids.length).toBeGreaterThanOrEqual(2);
    expect(shown.history.at(-1).actor).toBe('api:user:root');

    const token = await call('POST', url('RUH-POS-1', '/tokens'), { name: 'till 1' });
    expect(token.statusCode).toBe(201);
    const device = { authorization: `Bearer ${token.json().token}` };
    expect((await call('GET', '/api/v1/auth/me', undefined, device)).json()).toMatchObject({ kind: 'device', role: 'cashier', unitId: shown.unit.id });
    const listed = (await call('GET', url('RUH-POS-1', '/tokens'))).json().deviceTokens;
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(token.json().token);
    expect((await call('DELETE', url('RUH-POS-1', `/tokens/${listed[0].id}`))).json().deviceToken.revokedAt).toBeTruthy();
    expect((await call('GET', '/api/v1/auth/me', undefined, device)).statusCode).toBe(401);

    const retired = await call('POST', url('RUH-POS-2', '/retire'), { reason: 'broken screen' });
    expect(retired.json().unit.state).toBe('retired');
    const late = await call('POST', url('RUH-POS-2', '/onboard'), { otp: '123456' });
    expect(late.statusCode).toBe(409);
    expect(late.json().error.code).toBe('UNIT_STATE');
    const expiring = (await call('GET', fillUrl('/api/v1/taxpayers/:vat/expiring-units?days=3650'))).json();
    expect(expiring.units.map((u: { unit: { name: string } }) => u.unit.name)).toEqual(['RUH-POS-1']);
    const audit = (await call('GET', '/api/v1/audit-log?action=onboardUnit')).json().entries;
    expect(audit.map((e: { outcome: string }) => e.outcome).sort()).toEqual(['error', 'error', 'ok']);
  });

  it('confirms a revocation over HTTP (units revoke): a reason is required, the unit is revoked and stays so', async () => {
    const url = (action = '') => fillUrl(`/api/v1/taxpayers/:vat/units/:unit${action}`, { unit: 'JED-POS-1' });
    const [otp] = otpsFor(sim, CHAIN_VAT, 1);
    expect((await call('POST', url('/onboard'), { otp })).json().unit.state).toBe('active');
    const noReason = await call('POST', url('/revoke'), {});
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error).toMatchObject({ code: 'INVALID_INPUT', field: 'body.reason' });
    const badCause = await call('POST', url('/revoke'), { reason: 'portal', cause: 'moon' });
    expect(badCause.json().error).toMatchObject({ code: 'INVALID_INPUT', field: 'body.cause' });
    const revoked = await call('POST', url('/revoke'), { reason: 'the portal shows it revoked' });
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json().unit.state).toBe('revoked');
    expect((await call('POST', url('/revoke'), { reason: 'again' })).json().unit.state).toBe('revoked');
    const shown = (await call('GET', url())).json();
    expect(shown.history.at(-1)).toMatchObject({ to: 'revoked', actor: 'api:user:root' });
    expect(shown.history.at(-1).reason).toContain('the portal shows it revoked');
  });

  it('the OpenAPI document lists every API route (not the console pages), with its schemas, permission and security', async () => {
    const doc = (await call('GET', '/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    const ops = Object.entries(
      doc.paths as Record<string, Record<string, { operationId: string; security: unknown[]; responses: Record<string, unknown>; 'x-permission': string }>>,
    ).flatMap(([path, methods]) => Object.entries(methods).map(([m, op]) => ({ key: `${m.toUpperCase()} ${path}`, op })));
    // The console's HTML pages and forms are for browsers, not API clients: left out of the document.
    const routes = s.app.fawtara.routes.filter((r) => !r.options.config?.console).map((r) => `${r.method} ${r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
    expect(ops.some((o) => o.key.startsWith('GET /console/'))).toBe(false);
    expect(new Set(ops.map((o) => o.key))).toEqual(new Set(routes));
    expect(ops.length).toBe(routes.length);
    for (const { key, op } of ops) {
      expect(op.operationId, key).toBeTruthy();
      expect(op.responses['4XX'], key).toBeTruthy();
      expect(op.security, key).toEqual(op['x-permission'] === 'public' ? [] : [{ bearer: [] }]);
    }
    expect(new Set(ops.map((o) => o.op.operationId)).size).toBe(ops.length);
  });

  it('the OpenAPI document declares XML, PNG, CSV and HTML bodies with their real content types', async () => {
    const doc = (await call('GET', '/openapi.json')).json();
    const ok = (path: string) => doc.paths[path].get.responses['200'].content as Record<string, { schema: Record<string, unknown> }>;
    const document = '/api/v1/taxpayers/{vat}/units/{unit}/documents/{document}';
    expect(Object.keys(ok(`${document}/xml`))).toEqual(['application/xml']);
    expect(Object.keys(ok(`${document}/cleared`))).toEqual(['application/xml']);
    expect(Object.keys(ok(`${document}/qr.png`))).toEqual(['image/png']);
    expect(ok(`${document}/qr.png`)['image/png']!.schema).toMatchObject({ type: 'string', format: 'binary' });
    expect(Object.keys(ok('/docs'))).toEqual(['text/html']);
    // Reports and the archive index answer JSON, or CSV with ?format=csv: both are declared.
    for (const path of ['/api/v1/taxpayers/{vat}/reports/vat', '/api/v1/taxpayers/{vat}/reports/reconcile', '/api/v1/taxpayers/{vat}/archive/index']) {
      expect(Object.keys(ok(path)).sort(), path).toEqual(['application/json', 'text/csv']);
      expect(ok(path)['application/json']!.schema.type, path).toBe('object');
      expect(ok(path)['text/csv']!.schema.type, path).toBe('string');
    }
    expect(Object.keys(ok(document))).toEqual(['application/json']);
    // No bare string is left declared as JSON: a new text route must say what it sends.
    for (const [path, methods] of Object.entries(
      doc.paths as Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: { type?: string } }> }> }>>,
    )) {
      for (const op of Object.values(methods))
        for (const r of Object.values(op.responses)) expect(r.content?.['application/json']?.schema.type, path).not.toBe('string');
    }
  });

  it('/docs is a self-contained page: no external resource, script pinned by the CSP', async () => {
    const r = await s.app.inject({ method: 'GET', url: '/docs' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/html/);
    expect(r.body).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(r.body).not.toMatch(/https?:\/\//);
    const script = /<script>([\s\S]*)<\/script>/.exec(r.body)![1]!;
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain(`'sha256-${createHash('sha256').update(script).digest('base64')}'`);
    expect(csp).toContain("default-src 'none'");
    expect(script).toContain('/openapi.json');
  });

  it('no key, CSID secret or OTP leaves through a response, a log line or the audit log', async () => {
    const db = s.fleet.store.db;
    const keys = (await db.selectFrom('unit_keys').select('sealed_private_key').execute()).map((r) => r.sealed_private_key);
    const secrets = (await db.selectFrom('csids').select('sealed_secret').execute()).map((r) => r.sealed_secret);
    expect(keys.length).toBeGreaterThan(0);
    const audit = JSON.stringify(await db.selectFrom('audit_log').selectAll().execute());
    for (const secret of [...keys, ...secrets]) {
      expect(bodies.join('\n')).not.toContain(secret);
      expect(s.logLines.join('\n')).not.toContain(secret);
      expect(audit).not.toContain(secret);
    }
    expect(audit).not.toMatch(/"otp"/);
    expect(s.logLines.join('\n')).not.toMatch(/BEGIN (EC )?PRIVATE KEY/);
  });
});
