// Sessions that expire, login throttling with exponential lockout, the one-time setup token, the
// append-only audit log, and no secret in any response or log line — on SQLite and PostgreSQL.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueSetupToken } from '../../src/server/access/sessions.js';
import { ENGINES, PASSWORD, testServer, userCaller, type TestServer } from './helpers.js';

const MIN = 60_000;

describe.each(ENGINES)('sessions, throttling, setup and audit on %s', (engine) => {
  let s: TestServer;
  const responses: string[] = [];
  const login = async (username: string, password: string, remoteAddress = '127.0.0.1') => {
    const r = await s.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, remoteAddress });
    responses.push(r.body);
    return r;
  };
  const get = async (url: string, token: string) => {
    const r = await s.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    responses.push(r.body);
    return r;
  };

  beforeAll(async () => {
    s = await testServer(engine);
  });
  afterAll(async () => s?.close());

  it('the setup token creates the first admin once, and expires', async () => {
    const setup = (setupToken: string, username = 'first.admin') =>
      s.app.inject({ method: 'POST', url: '/api/v1/setup', payload: { setupToken, username, password: PASSWORD }, remoteAddress: '10.0.0.9' });
    const stale = await issueSetupToken(s.ax, 'cli:test');
    s.clock.advance(61 * MIN);
    expect((await setup(stale.token)).json().error.reason).toBe('SETUP_TOKEN_INVALID');
    const first = await issueSetupToken(s.ax, 'cli:test');
    const second = await issueSetupToken(s.ax, 'cli:test'); // replaces the first
    expect((await setup(first.token)).statusCode).toBe(401);
    const ok = await setup(second.token);
    expect(ok.statusCode).toBe(201);
    expect(ok.json().user).toMatchObject({ username: 'first.admin', role: 'admin', taxpayerId: null });
    responses.push(ok.body);
    const again = await setup(second.token, 'second.admin');
    expect(again.statusCode).toBe(401);
    expect(again.json().error.reason).toBe('SETUP_TOKEN_INVALID');
    await expect(issueSetupToken(s.ax, 'cli:test')).rejects.toMatchObject({ reason: 'SETUP_DONE' });
    const r = await login('first.admin', PASSWORD);
    expect(r.statusCode).toBe(200);
    // A setup token is not an API credential.
    expect((await get('/api/v1/auth/me', second.token)).statusCode).toBe(401);
  });

  it('sessions end after the idle timeout, at their absolute lifetime, and at logout', async () => {
    await userCaller(s, 'clerk', 'auditor');
    const token = (await login('clerk', PASSWORD)).json().token as string;
    expect((await get('/api/v1/auth/me', token)).statusCode).toBe(200);
    s.clock.advance(31 * MIN);
    const idle = await get('/api/v1/auth/me', token);
    expect(idle.statusCode).toBe(401);
    expect(idle.json().error.reason).toBe('SESSION_EXPIRED');

    const busy = (await login('clerk', PASSWORD)).json().token as string;
    let last = 200;
    for (let i = 0; i < 30 && last === 200; i++) {
      s.clock.advance(20 * MIN); // active every 20 minutes: never idle, but 8 hours is the limit
      last = (await get('/api/v1/auth/me', busy)).statusCode;
      if (last === 200) expect(i).toBeLessThan(24);
    }
    expect(last).toBe(401);

    const t = (await login('clerk', PASSWORD)).json().token as string;
    expect((await s.app.inject({ method: 'DELETE', url: '/api/v1/auth/session', headers: { authorization: `Bearer ${t}` } })).statusCode).toBe(200);
    expect((await get('/api/v1/auth/me', t)).json().error.reason).toBe('INVALID_TOKEN');
  });

  it('failed logins lock the username with an exponential lockout; even the right password waits', async () => {
    await userCaller(s, 'target', 'auditor');
    for (let i = 0; i < 5; i++) expect((await login('target', 'wrong password ' + i, '10.1.0.' + i)).statusCode).toBe(401);
    const locked = await login('target', PASSWORD, '10.1.1.1');
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.reason).toBe('LOCKED_OUT');
    expect(locked.headers['retry-after']).toBe('30');
    s.clock.advance(31_000);
    expect((await login('target', 'wrong again', '10.1.1.2')).statusCode).toBe(401); // 6th failure: 60 s
    expect((await login('target', PASSWORD, '10.1.1.3')).headers['retry-after']).toBe('60');
    s.clock.advance(61_000);
    expect((await login('target', PASSWORD, '10.1.1.4')).statusCode).toBe(200);
    // Success clears the username's counter.
    expect((await login('target', 'one slip', '10.1.1.5')).statusCode).toBe(401);
    expect((await login('target', PASSWORD, '10.1.1.6')).statusCode).toBe(200);
  });

  it('one address trying many usernames is locked out too; other addresses are not', async () => {
    for (let i = 0; i < 20; i++) expect((await login(`guess${i}`, 'password123456', '10.2.0.1')).statusCode).toBe(401);
    const r = await login('clerk', PASSWORD, '10.2.0.1');
    expect(r.statusCode).toBe(429);
    expect((await login('clerk', PASSWORD, '10.2.0.2')).statusCode).toBe(200);
  });

  it('the audit log records who did what and cannot be altered, even with raw SQL', async () => {
    const rows = await s.fleet.store.db.selectFrom('audit_log').selectAll().orderBy('id').execute();
    const actions = new Set(rows.map((r) => r.action));
    for (const a of ['setup.token-issued', 'setup.complete', 'setup.failure', 'login.success', 'login.failure', 'login.locked', 'user.create'])
      expect(actions, a).toContain(a);
    const db = s.fleet.store.db;
    // SQLite: the triggers; PostgreSQL: the service's role has no such right (docs/operations.md), and the triggers stop the owner.
    const refused = engine === 'postgres' ? /permission denied/ : /append-only/;
    await expect(sql`update audit_log set actor = 'someone else'`.execute(db)).rejects.toThrow(refused);
    await expect(sql`delete from audit_log`.execute(db)).rejects.toThrow(refused);
    await expect(sql`delete from audit_log where id = ${rows[0]!.id}`.execute(db)).rejects.toThrow(refused);
    if (engine === 'postgres') await expect(sql`truncate audit_log`.execute(db)).rejects.toThrow(refused);
    expect(await s.fleet.store.db.selectFrom('audit_log').selectAll().orderBy('id').execute()).toEqual(rows);
  });

  it('no password, password hash, token hash or key appears in any response, log line or audit row', async () => {
    const db = s.fleet.store.db;
    const hashes = (await db.selectFrom('users').select('password_hash').execute()).map((r) => r.password_hash);
    const tokenHashes = [
      ...(await db.selectFrom('sessions').select('token_hash').execute()),
      ...(await db.selectFrom('api_tokens').select('token_hash').execute()),
      ...(await db.selectFrom('setup_tokens').select('token_hash').execute()),
    ].map((r) => r.token_hash);
    const keys = (await db.selectFrom('unit_keys').select('sealed_private_key').execute()).map((r) => r.sealed_private_key);
    const audit = JSON.stringify(await db.selectFrom('audit_log').selectAll().execute());
    const logs = s.logLines.join('\n');
    expect(s.logLines.length).toBeGreaterThan(10);
    const secrets = [PASSWORD, 'wrong password', 'password123456', ...hashes, ...hashes.map((h) => h.split('$')[5]!), ...tokenHashes, ...keys];
    for (const secret of secrets) {
      expect(responses.join('\n')).not.toContain(secret);
      expect(logs).not.toContain(secret);
      expect(audit).not.toContain(secret);
    }
    // Tokens appear only in the response that hands them out, never in a log or the audit log.
    expect(logs).not.toMatch(/fw(s|d|setup)_[0-9a-f]{16}_/);
    expect(audit).not.toMatch(/fw(s|d|setup)_[0-9a-f]{16}_/);
    expect(logs).not.toMatch(/password_hash|scrypt\$/);
  });
});
