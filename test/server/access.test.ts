// Access control (issue 7 part 7, docs/zatca-notes.md §P3): no route without authentication, cashier/device
// tokens bound to their unit, branch scope, read-only auditors — on SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineRoutes, PERMISSIONS, PUBLIC_ROUTES, createServer, type Permission } from '../../src/server/index.js';
import { batchIdOf, createSyncToken } from '../../src/sync/index.js';
import { tenants, units } from '../../src/store/index.js';
import { deviceCaller, ENGINES, fillUrl, testServer, userCaller, type Caller, type TestServer } from './helpers.js';

/** A body that passes each write route's schema, so a refusal is about access, not input. */
const VALID_BODIES: Record<string, unknown> = {
  'POST /api/v1/taxpayers': { vatNumber: '300000000000003', nameAr: 'مكلف' },
  'POST /api/v1/taxpayers/:vat/members': { tin: '3999999999', name: 'Member' },
  'POST /api/v1/taxpayers/:vat/branches': {
    name: 'Makkah',
    crn: '4031010001',
    street: 'S',
    buildingNumber: '1234',
    district: 'D',
    city: 'Makkah',
    postalCode: '24231',
  },
  'POST /api/v1/taxpayers/:vat/units': { branch: 'Riyadh', serial: '1-Fawtara|2-POS|3-RUH-009' },
  'POST /api/v1/users': { username: 'newbie', password: 'a long enough password', role: 'auditor' },
  'POST /api/v1/auth/login': { username: 'x', password: 'y' },
  'POST /api/v1/setup': { setupToken: 'x', username: 'x', password: 'y' },
  'POST /api/v1/auth/password': { currentPassword: 'x', newPassword: 'y' },
};

describe.each(ENGINES)('access control on %s', (engine) => {
  let s: TestServer;
  let cashier: Caller; // device token of RUH-POS-1 (Riyadh)
  let cashierUser: Caller; // a person at RUH-POS-1's till
  let manager: Caller; // branch manager of Riyadh
  let auditor: Caller;
  let admin: Caller;

  beforeAll(async () => {
    s = await testServer(engine);
    cashier = await deviceCaller(s, 'RUH-POS-1');
    cashierUser = await userCaller(s, 'till.ruh1', 'cashier', { unit: 'RUH-POS-1' });
    manager = await userCaller(s, 'manager.ruh', 'branch-manager', { branch: 'Riyadh' });
    auditor = await userCaller(s, 'auditor', 'auditor');
    admin = await userCaller(s, 'admin', 'admin');
  });
  afterAll(async () => s?.close());

  const call = (method: string, url: string, caller?: Caller, payload?: unknown, remoteAddress?: string) =>
    s.app.inject({
      method: method as 'GET',
      url,
      ...(caller && { headers: caller }),
      ...(payload !== undefined && { payload: payload as object }),
      ...(remoteAddress && { remoteAddress }),
    });

  it('every registered route refuses anonymous calls, except exactly the public ones', async () => {
    const routes = s.app.fawtara.routes;
    expect(routes.length).toBeGreaterThan(20);
    const publicOnes = routes.filter((r) => r.options.config?.access === 'public').map((r) => `${r.method} ${r.url}`);
    expect(new Set(publicOnes)).toEqual(
      new Set([
        'GET /health',
        'GET /metrics',
        'POST /api/v1/auth/login',
        'POST /api/v1/setup',
        'GET /docs',
        'GET /',
        'POST /console/login',
        'GET /console/assets/:file',
      ]),
    );
    expect(new Set(publicOnes)).toEqual(PUBLIC_ROUTES);
    // The branch-node sync routes are among those tried below.
    const all = new Set(routes.map((r) => `${r.method} ${r.url}`));
    for (const r of [
      'POST /api/v1/sync/batches',
      'PUT /api/v1/taxpayers/:vat/branches/:branch/sync',
      'POST /api/v1/taxpayers/:vat/branches/:branch/sync-tokens',
      'GET /api/v1/taxpayers/:vat/sync/branches',
      'GET /api/v1/taxpayers/:vat/sync/incidents',
    ])
      expect(all, r).toContain(r);
    for (const [i, r] of routes.entries()) {
      if (r.options.config?.access === 'public') continue;
      // Each route from its own address: forged tokens count against an address (throttling is tested in test/security).
      const from = `10.77.${i >> 8}.${i & 255}`;
      const url = fillUrl(r.url);
      const body = r.method === 'GET' || r.method === 'DELETE' ? undefined : (VALID_BODIES[`${r.method} ${r.url}`] ?? {});
      for (const headers of [
        undefined,
        { authorization: 'Bearer nonsense' },
        { authorization: 'Basic YWRtaW46YWRtaW4=' },
        { authorization: `Bearer fws_0123456789abcdef_${'A'.repeat(43)}` },
      ]) {
        const res = await call(r.method, url, headers, body, from);
        expect(res.statusCode, `${r.method} ${r.url} with ${headers?.authorization ?? 'no header'}`).toBe(401);
        expect(res.json().error.code).toBe('UNAUTHENTICATED');
        expect(res.headers['www-authenticate']).toBe('Bearer');
      }
    }
    // Unknown paths do not tell an anonymous caller whether they exist.
    expect((await call('GET', '/api/v1/nothing-here')).statusCode).toBe(401);
    expect((await call('GET', '/api/v1/nothing-here', admin)).statusCode).toBe(404);
  });

  it('a route module that forgets its access rule, or makes itself public, stops the server from starting', async () => {
    const noAccess = defineRoutes({
      name: 'careless',
      tag: { name: 'x', description: 'x' },
      register(app) {
        app.get('/api/v1/careless', { config: { operation: 'careless' }, schema: { response: { 200: { type: 'object' } } }, handler: async () => ({}) });
      },
    });
    await expect(createServer({ fleet: s.fleet, routes: [noAccess] })).rejects.toThrow(/config.operation and config.access/);
    const sneakyPublic = defineRoutes({
      name: 'sneaky',
      tag: { name: 'x', description: 'x' },
      register(app) {
        app.get('/api/v1/sneaky', {
          config: { operation: 'sneaky', access: 'public' },
          schema: { response: { 200: { type: 'object' } } },
          handler: async () => ({}),
        });
      },
    });
    await expect(createServer({ fleet: s.fleet, routes: [sneakyPublic] })).rejects.toThrow(/PUBLIC_ROUTES/);
  });

  it('a device token acts for its own unit only and cannot read another branch', async () => {
    for (const c of [cashier, cashierUser]) {
      expect((await call('GET', fillUrl('/api/v1/taxpayers/:vat/units/:unit', { unit: 'RUH-POS-1' }), c)).statusCode).toBe(200);
      for (const unit of ['RUH-POS-2', 'JED-POS-1', '1-Fawtara|2-POS|3-DMM-001', 'no-such-unit']) {
        const res = await call('GET', fillUrl('/api/v1/taxpayers/:vat/units/:unit', { unit }), c);
        expect(res.statusCode, unit).toBe(403);
        expect(res.json().error.reason).toBe('OUT_OF_SCOPE');
      }
      expect((await call('GET', fillUrl('/api/v1/taxpayers/:vat/branches/:branch', { branch: 'Jeddah' }), c)).statusCode).toBe(403);
      expect((await call('GET', fillUrl('/api/v1/taxpayers/:vat/units?branch=Jeddah'), c)).statusCode).toBe(403);
      const list = (await call('GET', fillUrl('/api/v1/taxpayers/:vat/units'), c)).json();
      expect(list.units.map((u: { name: string }) => u.name)).toEqual(['RUH-POS-1']);
      const branches = (await call('GET', fillUrl('/api/v1/taxpayers/:vat/branches'), c)).json();
      expect(branches.branches.map((b: { name: string }) => b.name)).toEqual(['Riyadh']);
      const show = (await call('GET', fillUrl('/api/v1/taxpayers/:vat'), c)).json();
      expect(show.branches.map((b: { name: string }) => b.name)).toEqual(['Riyadh']);
      expect(show.units.total).toBe(1);
      // Another taxpayer's VAT number is out of scope whether or not it exists.
      expect((await call('GET', fillUrl('/api/v1/taxpayers/:vat', { vat: '399999999900003' }), c)).statusCode).toBe(403);
      // No lifecycle, no tokens, no users: the role does not have them even for its own unit.
      for (const [method, url, body] of [
        ['POST', '/api/v1/taxpayers/:vat/units/:unit/retire', {}],
        ['POST', '/api/v1/taxpayers/:vat/units/:unit/onboard', {}],
        ['POST', '/api/v1/taxpayers/:vat/units/:unit/tokens', {}],
        ['GET', '/api/v1/users', undefined],
        ['GET', '/api/v1/audit-log', undefined],
      ] as const) {
        const res = await call(method, fillUrl(url, { unit: 'RUH-POS-1' }), c, body);
        expect(res.statusCode, `${method} ${url}`).toBe(403);
        expect(res.json().error.reason).toBe('WRONG_ROLE');
      }
    }
  });

  it('a branch manager works in its branch only', async () => {
    expect((await call('GET', fillUrl('/api/v1/taxpayers/:vat/units/:unit', { unit: 'RUH-POS-2' }), manager)).statusCode).toBe(200);
    expect((await call('GET', fillUrl('/api/v1/taxpayers/:vat/units/:unit', { unit: 'JED-POS-1' }), manager)).statusCode).toBe(403);
    expect((await call('POST', fillUrl('/api/v1/taxpayers/:vat/units/:unit/tokens', { unit: 'JED-POS-1' }), manager, {})).statusCode).toBe(403);
    const foreign = await call('POST', fillUrl('/api/v1/taxpayers/:vat/units'), manager, { branch: 'Jeddah', serial: '1-Fawtara|2-POS|3-JED-077' });
    expect(foreign.statusCode).toBe(403);
    const own = await call('POST', fillUrl('/api/v1/taxpayers/:vat/units'), manager, { branch: 'Riyadh', serial: '1-Fawtara|2-POS|3-RUH-077' });
    expect(own.statusCode).toBe(201);
    expect(own.json().unit.branch).toBe('Riyadh');
    const token = await call('POST', fillUrl('/api/v1/taxpayers/:vat/units/:unit/tokens', { unit: 'RUH-077' }), manager, { name: 'till 7' });
    expect(token.statusCode).toBe(201);
    expect((await call('POST', fillUrl('/api/v1/taxpayers/:vat/branches'), manager, VALID_BODIES['POST /api/v1/taxpayers/:vat/branches'])).statusCode).toBe(
      403,
    );
  });

  it('an auditor cannot write: every route that writes refuses it', async () => {
    const writes = s.app.fawtara.routes.filter((r) => {
      const a = r.options.config?.access;
      return a !== undefined && a !== 'public' && PERMISSIONS[a as Permission].write;
    });
    expect(writes.length).toBeGreaterThan(10);
    for (const r of writes) {
      const body = r.method === 'DELETE' ? undefined : (VALID_BODIES[`${r.method} ${r.url}`] ?? {});
      const res = await call(r.method, fillUrl(r.url), auditor, body);
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(403);
      expect(res.json().error.reason).toBe('WRONG_ROLE');
    }
    // Every non-GET route is a write, except the caller's own session (log out, change password).
    const nonGet = s.app.fawtara.routes.filter((r) => r.method !== 'GET' && r.options.config?.access !== 'public' && r.options.config?.access !== 'session');
    expect(nonGet.every((r) => writes.includes(r))).toBe(true);
    // …and it reads everything in its taxpayer, including the audit log.
    expect((await call('GET', fillUrl('/api/v1/taxpayers/:vat/units'), auditor)).json().units).toHaveLength(7);
    const log = await call('GET', '/api/v1/audit-log?limit=500', auditor);
    expect(log.statusCode).toBe(200);
    expect(
      log
        .json()
        .entries.some(
          (e: { action: string; outcome: string; actor: string }) => e.action === 'retireUnit' && e.outcome === 'denied' && e.actor === 'user:auditor',
        ),
    ).toBe(true);
  });

  /** A batch that passes the schema: no documents, the given units' heads; its id is the hash of its content. */
  const batch = (node: string, unitList: Array<{ serial: string; name: string }> = []) => {
    const content = {
      protocol: 1 as const,
      node,
      units: unitList.map((u) => ({
        serial: u.serial,
        generation: 1,
        name: u.name,
        title: '1100',
        environment: 'simulation',
        head: { icv: 0, hash: 'NWZlY2ViNjZmZmM4NmYzOGQ5NTI3ODZjNmQ2OTZjNzljMmRiYzIzOWRkNGU5MWI0NjcyOWQ3M2EyN2ZiNTdlOQ==' },
      })),
      documents: [],
      statuses: [],
      relayPending: [],
    };
    return { ...content, batchId: batchIdOf(content) };
  };

  it("a branch sync token pushes its own branch's batches and can call nothing else", async () => {
    const jeddah = (await tenants.findBranch(s.fleet.store.db, s.taxpayer.id, 'Jeddah'))!;
    const node: Caller = { authorization: `Bearer ${(await createSyncToken(s.fleet, jeddah, { createdBy: 'test' })).token}` };
    // Every route but the push (and its own session) refuses the role, whatever its scope.
    for (const r of s.app.fawtara.routes) {
      const a = r.options.config?.access;
      if (a === 'public' || a === 'session' || a === 'sync:write') continue;
      for (const branch of ['Jeddah', 'Riyadh']) {
        const body = r.method === 'GET' || r.method === 'DELETE' ? undefined : (VALID_BODIES[`${r.method} ${r.url}`] ?? {});
        const res = await call(r.method, fillUrl(r.url, { branch, unit: 'JED-POS-1' }), node, body);
        expect(res.statusCode, `${r.method} ${r.url} (${branch})`).toBe(403);
        expect(['WRONG_ROLE', 'OUT_OF_SCOPE'], `${r.method} ${r.url}`).toContain(res.json().error.reason);
      }
    }
    const settings = fillUrl('/api/v1/taxpayers/:vat/branches/:branch/sync', { branch: 'Jeddah' });
    expect((await call('PUT', settings, node, { reporting: 'direct' })).json().error.reason).toBe('WRONG_ROLE');
    expect((await call('POST', fillUrl('/api/v1/taxpayers/:vat/branches/:branch/sync-tokens', { branch: 'Jeddah' }), node, {})).statusCode).toBe(403);
    // Its push lands on its own branch: the token names the branch, the batch cannot.
    const pushed = await call('POST', '/api/v1/sync/batches', node, batch('jeddah-node'));
    expect(pushed.statusCode, pushed.body).toBe(200);
    const status = (await call('GET', fillUrl('/api/v1/taxpayers/:vat/sync/branches'), admin)).json().branches as Array<{
      branch: string;
      node: string | null;
    }>;
    expect(status.find((b) => b.branch === 'Jeddah')?.node).toBe('jeddah-node');
    expect(status.filter((b) => b.node === 'jeddah-node').map((b) => b.branch)).toEqual(['Jeddah']);
    // A unit of another branch (or head office's own) in its batch is refused, nothing recorded.
    const ruh = (await units.findUnit(s.fleet.store.db, s.taxpayer.id, 'RUH-POS-1'))!;
    const foreign = await call('POST', '/api/v1/sync/batches', node, batch('jeddah-node-2', [{ serial: ruh.serial, name: ruh.name }]));
    expect(foreign.statusCode, foreign.body).toBe(409);
    expect(foreign.json().error.reason).toBe('FOREIGN_UNIT');
    expect(
      (await call('GET', fillUrl('/api/v1/taxpayers/:vat/sync/branches'), admin)).json().branches.find((b: { branch: string }) => b.branch === 'Jeddah').node,
    ).toBe('jeddah-node');
  });

  it('a cashier or device token, a branch manager, an auditor, an administrator and anonymous cannot push batches; only administrators change sync settings', async () => {
    const push = (c?: Caller) => call('POST', '/api/v1/sync/batches', c, batch('impostor'));
    const settings = (c?: Caller) => call('PUT', fillUrl('/api/v1/taxpayers/:vat/branches/:branch/sync'), c, { reporting: 'direct' });
    for (const [who, c] of [
      ['device', cashier],
      ['cashier', cashierUser],
      ['manager', manager],
      ['auditor', auditor],
      ['admin', admin],
    ] as const) {
      const res = await push(c);
      expect(res.statusCode, who).toBe(403);
      expect(res.json().error.reason, who).toBe('WRONG_ROLE');
    }
    for (const [who, c] of [
      ['device', cashier],
      ['cashier', cashierUser],
      ['manager', manager],
      ['auditor', auditor],
    ] as const) {
      const res = await settings(c);
      expect(res.statusCode, who).toBe(403);
      expect(res.json().error.reason, who).toBe('WRONG_ROLE');
      expect((await call('POST', fillUrl('/api/v1/taxpayers/:vat/branches/:branch/sync-tokens', { branch: 'Jeddah' }), c, {})).statusCode, who).toBe(403);
    }
    for (const headers of [undefined, { authorization: 'Bearer fwb_0123456789abcdef_' + 'A'.repeat(43) }]) {
      expect((await push(headers)).statusCode).toBe(401);
      expect((await settings(headers)).statusCode).toBe(401);
    }
    expect((await settings(admin)).statusCode).toBe(200);
    // Current grants: tokens:manage lets a branch manager mint its own branch's sync token (docs/branch-node.md).
    expect((await call('POST', fillUrl('/api/v1/taxpayers/:vat/branches/:branch/sync-tokens', { branch: 'Riyadh' }), manager, {})).statusCode).toBe(201);
  });

  it('an administrator of everything creates taxpayers; one of a taxpayer is confined to it', async () => {
    const created = await call('POST', '/api/v1/users', admin, {
      username: 'tp.admin',
      password: 'a long enough password',
      role: 'admin',
      taxpayer: '310122393500003',
    });
    expect(created.statusCode).toBe(201);
    const tpAdmin = await s.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'tp.admin', password: 'a long enough password' } });
    const h = { authorization: `Bearer ${tpAdmin.json().token}` };
    expect((await call('POST', '/api/v1/taxpayers', { ...h }, VALID_BODIES['POST /api/v1/taxpayers'])).statusCode).toBe(403);
    expect(
      (await call('POST', '/api/v1/users', h, { username: 'global2', password: 'a long enough password', role: 'admin', taxpayer: '300000000000003' }))
        .statusCode,
    ).toBe(403);
    const mine = await call('POST', '/api/v1/users', h, {
      username: 'jed.manager',
      password: 'a long enough password',
      role: 'branch-manager',
      branch: 'Jeddah',
    });
    expect(mine.statusCode).toBe(201);
    expect(mine.json().user.taxpayerId).toBe(s.taxpayer.id);
  });
});
