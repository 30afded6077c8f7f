// Issue 10 "High: sync tokens": listed and revoked over the API (secrets never shown), bounded in
// lifetime, and ended when the person who created them is disabled or no longer manages tokens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findUser, setUserDisabled } from '../../src/server/access/users.js';
import { MAX_TOKEN_DAYS } from '../../src/sync/index.js';
import { ENGINES, fillRoute, securityServer, type SecurityServer } from './harness.js';

describe.each(ENGINES)('sync tokens on %s', (engine) => {
  let s: SecurityServer;
  const tokens = (branch = 'Jeddah') => fillRoute('/api/v1/taxpayers/:vat/branches/:branch/sync-tokens', { branch });
  const create = async (caller = s.callers.managerJed, body: object = {}) => {
    const res = await s.call('POST', tokens(), caller, body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { token: string; id: string; expiresAt: string };
  };
  /** Whether the token still authenticates: a branch node may ask who it is (200), an ended token gets 401. */
  const usable = async (token: string) => (await s.call('GET', '/api/v1/auth/me', { authorization: `Bearer ${token}` })).statusCode;

  beforeAll(async () => {
    s = await securityServer(engine);
  }, 120_000);
  afterAll(async () => s?.close());

  it('a token is listed without its secret, revoked over the API, and refused from then on', async () => {
    const t = await create();
    expect(await usable(t.token)).toBe(200);
    const list = await s.call('GET', tokens(), s.callers.managerJed);
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(t.token);
    // The secret is base64url and may itself contain '_': everything after the second separator.
    expect(list.body).not.toContain(t.token.split('_').slice(2).join('_'));
    expect(list.json().tokens.find((x: { id: string }) => x.id === t.id)).toMatchObject({ revokedAt: null, createdBy: 'user:sec.manager.jed' });
    // Another branch's manager cannot see or revoke it (uniform 403 for out-of-scope names).
    expect((await s.call('DELETE', `${tokens()}/${t.id}`, s.callers.managerRuh)).statusCode).toBe(403);
    const revoked = await s.call('DELETE', `${tokens()}/${t.id}`, s.callers.managerJed);
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(await usable(t.token)).toBe(401);
    expect((await s.call('DELETE', `${tokens()}/${t.id}`, s.callers.managerJed)).statusCode).toBe(409);
  });

  it(`lifetime is bounded: at most ${MAX_TOKEN_DAYS} days, and the default expires`, async () => {
    expect((await s.call('POST', tokens(), s.callers.managerJed, { expiresInDays: MAX_TOKEN_DAYS + 1 })).statusCode).toBe(400);
    const t = await create(s.callers.managerJed, {});
    const days = (Date.parse(t.expiresAt) - s.fleet.clock.now().getTime()) / 86_400_000;
    expect(days).toBeGreaterThan(0);
    expect(days).toBeLessThanOrEqual(MAX_TOKEN_DAYS);
  });

  it('a token ends when its creator is disabled, and works again only if they are enabled', async () => {
    const t = await create();
    expect(await usable(t.token)).toBe(200);
    const manager = (await findUser(s.ax, 'sec.manager.jed'))!;
    await setUserDisabled(s.ax, { kind: 'cli', actor: 'cli:test' }, manager, true);
    expect(await usable(t.token)).toBe(401);
    await setUserDisabled(s.ax, { kind: 'cli', actor: 'cli:test' }, manager, false);
    expect(await usable(t.token)).toBe(200);
  });

  it('a token ends when its creator loses the role that may manage tokens', async () => {
    const t = await create(s.callers.tpAdmin);
    expect(await usable(t.token)).toBe(200);
    const admin = (await findUser(s.ax, 'sec.tpadmin'))!;
    await s.ax.fleet.store.db.updateTable('users').set({ role: 'auditor' }).where('id', '=', admin.id).execute();
    try {
      expect(await usable(t.token)).toBe(401);
    } finally {
      await s.ax.fleet.store.db.updateTable('users').set({ role: 'admin' }).where('id', '=', admin.id).execute();
    }
  });
});
