// The route matrix: every route in the server's table (so a route added later is covered without
// editing this file) called anonymously, with forged, malformed, revoked and expired tokens, with
// valid tokens of another taxpayer relabelled onto this one, and from another branch or unit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_ROUTES } from '../../src/server/index.js';
import { createDeviceToken, revokeDeviceToken } from '../../src/server/access/users.js';
import { units } from '../../src/store/index.js';
import type { RouteRecord } from '../../src/server/plugin.js';
import { bodyFor, CHAIN_VAT, ENGINES, fillRoute, forgedToken, securityServer, wrongSecret, type Caller, type SecurityServer } from './harness.js';

const HOUR = 3_600_000;
const key = (r: Pick<RouteRecord, 'method' | 'url'>) => `${r.method} ${r.url}`;
const isPublic = (r: RouteRecord) => r.options.config?.access === 'public';
/** Routes acting on the caller itself (who am I, log out, my password): scope does not apply. */
const isOwnSession = (r: RouteRecord) => r.options.config?.access === 'session';

describe.each(ENGINES)('route matrix on %s', (engine) => {
  let s: SecurityServer;
  const tested = new Map<string, Set<string>>();
  const mark = (r: RouteRecord, what: string) => tested.set(what, (tested.get(what) ?? new Set()).add(key(r)));

  beforeAll(async () => {
    s = await securityServer(engine);
  }, 120_000);
  afterAll(async () => s?.close());

  const expect401 = async (r: RouteRecord, caller: Caller | undefined, label: string, reason?: string) => {
    const res = await s.call(r.method, fillRoute(r.url), caller, bodyFor(r));
    expect(res.statusCode, `${key(r)} with ${label}: ${res.body}`).toBe(401);
    expect(res.json().error.code).toBe('UNAUTHENTICATED');
    if (reason) expect(res.json().error.reason, `${key(r)} with ${label}`).toBe(reason);
    expect(res.headers['www-authenticate']).toBe('Bearer');
  };

  it('the public routes are exactly the ones listed (API: health, login, setup, docs; console: login page, login form, its script and style); every other route declares a permission', () => {
    const routes = s.routes();
    expect(routes.length).toBeGreaterThan(30);
    expect(new Set(routes.filter(isPublic).map(key))).toEqual(PUBLIC_ROUTES);
    expect(new Set(routes.filter(isPublic).map(key))).toEqual(
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
  });

  it('every route refuses anonymous, malformed and forged credentials with 401', async () => {
    const session = s.callers.tpAdmin.authorization.slice('Bearer '.length);
    const variants: Array<[string, Caller | undefined, string]> = [
      ['no header', undefined, 'NO_CREDENTIALS'],
      ['an empty bearer', { authorization: 'Bearer ' }, 'INVALID_TOKEN'],
      ['a non-token', { authorization: 'Bearer nonsense' }, 'INVALID_TOKEN'],
      ['basic auth', { authorization: 'Basic YWRtaW46YWRtaW4=' }, 'INVALID_TOKEN'],
      ['a token in two parts', { authorization: `Bearer ${forgedToken('fws')} extra` }, 'INVALID_TOKEN'],
      ['a forged session', { authorization: `Bearer ${forgedToken('fws')}` }, 'INVALID_TOKEN'],
      ['a forged device token', { authorization: `Bearer ${forgedToken('fwd')}` }, 'INVALID_TOKEN'],
      ['a forged sync token', { authorization: `Bearer ${forgedToken('fwb')}` }, 'INVALID_TOKEN'],
      ['a setup token as bearer', { authorization: `Bearer ${forgedToken('fwsetup')}` }, 'INVALID_TOKEN'],
      ["a real session's id with another secret", { authorization: `Bearer ${wrongSecret(session)}` }, 'INVALID_TOKEN'],
      ["a real device token's id with another secret", { authorization: `Bearer ${wrongSecret(s.callers.deviceRuh1.token)}` }, 'INVALID_TOKEN'],
      ['a session token as device token', { authorization: `Bearer fwd_${session.slice(4)}` }, 'INVALID_TOKEN'],
    ];
    for (const r of s.routes()) {
      if (isPublic(r)) continue;
      for (const [label, caller, reason] of variants) await expect401(r, caller, label, reason);
      mark(r, 'anonymous');
    }
    // Unknown paths do not tell an anonymous caller whether they exist.
    expect((await s.call('GET', '/api/v1/nothing-here')).statusCode).toBe(401);
    expect((await s.call('GET', '/api/v1/nothing-here', s.callers.admin)).statusCode).toBe(404);
  });

  it("every taxpayer route refuses another taxpayer's valid tokens (relabelled) with 403, whether or not the VAT number exists", async () => {
    const { otherAdmin, otherDevice } = s.callers;
    for (const r of s.routes()) {
      if (isPublic(r) || isOwnSession(r)) continue;
      mark(r, 'relabelled');
      for (const [who, caller] of [
        ['other taxpayer admin', otherAdmin],
        ['other taxpayer device', otherDevice],
      ] as const) {
        if (r.url.includes(':vat')) {
          const bodies: string[] = [];
          for (const vat of [CHAIN_VAT, '399999999900003']) {
            const res = await s.call(r.method, fillRoute(r.url, { vat }), caller, bodyFor(r));
            expect(res.statusCode, `${key(r)} by ${who} on ${vat}: ${res.body}`).toBe(403);
            expect(['OUT_OF_SCOPE', 'WRONG_ROLE']).toContain(res.json().error.reason);
            bodies.push(JSON.stringify({ ...res.json().error }));
          }
          // The same answer for a taxpayer that exists and one that does not.
          expect(bodies[0], key(r)).toBe(bodies[1]);
          continue;
        }
        const res = await s.call(r.method, fillRoute(r.url).replace('/someone/', '/sec.tpadmin/'), caller, relabelledBody(r));
        if (r.method === 'GET' && res.statusCode === 200) {
          // A list without a taxpayer in its path: filtered to the caller's own taxpayer.
          expect(res.body, `${key(r)} by ${who}`).not.toContain(s.taxpayer.id);
          expect(res.body, `${key(r)} by ${who}`).not.toContain('RUH-POS-1');
          expect(res.body, `${key(r)} by ${who}`).not.toContain('sec.tpadmin');
        } else {
          expect(res.statusCode, `${key(r)} by ${who}: ${res.body}`).toBe(403);
        }
      }
    }
  });

  it('every branch and unit route refuses another branch, another unit and a name that exists nowhere with one 403', async () => {
    const { managerJed, deviceJed1, cashierRuh1, deviceRuh1, syncJed } = s.callers;
    let covered = 0;
    for (const r of s.routes()) {
      if (isPublic(r) || isOwnSession(r) || !/:(branch|unit)\b/.test(r.url)) continue;
      mark(r, 'branch-or-unit');
      covered++;
      const cases: Array<[string, Caller, { branch?: string; unit?: string }]> = [
        ['Jeddah manager on Riyadh', managerJed, { branch: 'Riyadh', unit: 'RUH-POS-1' }],
        ['Jeddah device on RUH-POS-1', deviceJed1, { branch: 'Riyadh', unit: 'RUH-POS-1' }],
        ['RUH-POS-1 cashier on RUH-POS-2', cashierRuh1, { branch: 'Jeddah', unit: 'RUH-POS-2' }],
        ['RUH-POS-1 device on RUH-POS-2', deviceRuh1, { branch: 'Jeddah', unit: 'RUH-POS-2' }],
        ['Jeddah branch node on Riyadh', syncJed, { branch: 'Riyadh', unit: 'RUH-POS-1' }],
      ];
      for (const [label, caller, where] of cases) {
        const res = await s.call(r.method, fillRoute(r.url, where), caller, bodyFor(r));
        expect(res.statusCode, `${key(r)}: ${label}: ${res.body}`).toBe(403);
        if (res.json().error.reason === 'WRONG_ROLE') continue;
        expect(res.json().error.reason).toBe('OUT_OF_SCOPE');
        const nowhere = await s.call(r.method, fillRoute(r.url, { branch: 'Atlantis', unit: 'NO-SUCH-POS' }), caller, bodyFor(r));
        expect(nowhere.statusCode, `${key(r)}: ${label} on a name that exists nowhere`).toBe(403);
        expect(nowhere.json().error.reason).toBe('OUT_OF_SCOPE');
      }
    }
    expect(covered).toBeGreaterThan(10);
  });

  it('query filters naming another branch or unit, or none that exists, are one 403 for scoped callers', async () => {
    const { deviceRuh1, managerRuh } = s.callers;
    const lists = s.routes().filter((r) => r.method === 'GET' && r.url.endsWith(':vat/documents'));
    expect(lists.length).toBeGreaterThan(0);
    for (const path of ['/documents', '/outbox', '/chain-audit', '/units']) {
      const base = fillRoute(`/api/v1/taxpayers/:vat${path}`);
      for (const [caller, query] of [
        [deviceRuh1, 'unit=JED-POS-1'],
        [deviceRuh1, 'unit=NO-SUCH-POS'],
        [managerRuh, 'branch=Jeddah'],
        [managerRuh, 'branch=Atlantis'],
        [managerRuh, 'unit=NO-SUCH-POS'],
      ] as const) {
        if (path === '/units' && query.startsWith('unit=')) continue;
        const res = await s.call('GET', `${base}?${query}`, caller);
        if (res.statusCode === 403 && res.json().error.reason === 'WRONG_ROLE') continue;
        expect(res.statusCode, `${path}?${query}: ${res.body}`).toBe(403);
        expect(res.json().error.reason).toBe('OUT_OF_SCOPE');
      }
    }
  });

  it('a revoked device token, then expired sessions and device tokens, are refused on every route', async () => {
    const ruh2 = (await units.findUnit(s.fleet.store.db, s.taxpayer.id, 'RUH-POS-2'))!;
    const revoked = await createDeviceToken(s.ax, { kind: 'cli', actor: 'cli:test' }, ruh2, {});
    await revokeDeviceToken(s.ax, { kind: 'cli', actor: 'cli:test' }, ruh2, revoked.row.id);
    const shortLived = await createDeviceToken(s.ax, { kind: 'cli', actor: 'cli:test' }, ruh2, { expiresInDays: 1 });
    const routes = s.routes().filter((r) => !isPublic(r));
    for (const r of routes) await expect401(r, { authorization: `Bearer ${revoked.token}` }, 'a revoked device token', 'INVALID_TOKEN');
    s.clock.advance(25 * HOUR);
    for (const r of routes) {
      await expect401(r, s.callers.tpAdmin, 'an expired session', 'SESSION_EXPIRED');
      await expect401(r, { authorization: `Bearer ${shortLived.token}` }, 'an expired device token', 'TOKEN_EXPIRED');
      mark(r, 'expired');
    }
  });

  it('covered every route of the table', () => {
    const all = new Set(
      s
        .routes()
        .filter((r) => !isPublic(r))
        .map(key),
    );
    expect(tested.get('anonymous')).toEqual(all);
    expect(tested.get('expired')).toEqual(all);
    expect(tested.get('relabelled')).toEqual(
      new Set(
        s
          .routes()
          .filter((r) => !isPublic(r) && !isOwnSession(r))
          .map(key),
      ),
    );
  });
});

/** Bodies of routes without a taxpayer in their path that name the first taxpayer. */
function relabelledBody(r: RouteRecord): unknown {
  if (key(r) === 'POST /api/v1/users') return { username: 'relabelled', password: 'a long enough password', role: 'auditor', taxpayer: CHAIN_VAT };
  return bodyFor(r);
}
