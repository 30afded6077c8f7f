// Throttling under parallel attempts: every secret check (login, password change, setup token,
// bearer tokens) is counted atomically, so of N attempts sent at once at most the limit are checked
// — however their requests interleave. Assertions are on counts of answers, never on time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/server/access/users.js';
import { auditLog } from '../../src/store/index.js';
import { ENGINES, forgedToken, PASSWORD, securityServer, type SecurityServer } from './harness.js';

function tally(statuses: number[]): Record<number, number> {
  const t: Record<number, number> = {};
  for (const s of statuses) t[s] = (t[s] ?? 0) + 1;
  return t;
}

describe.each(ENGINES)('throttling under parallel attempts on %s', (engine) => {
  let s: SecurityServer;
  const login = (username: string, password: string, remoteAddress: string) =>
    s.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, remoteAddress });

  beforeAll(async () => {
    s = await securityServer(engine);
    for (const username of ['victim', 'changer'])
      await createUser(s.ax, { kind: 'cli', actor: 'cli:test' }, { username, password: PASSWORD, role: 'auditor', taxpayer: s.taxpayer });
  }, 120_000);
  afterAll(async () => s?.close());

  it('11 wrong passwords and the right one sent at once: only 5 are checked, the rest are 429 unchecked', async () => {
    const attempts = Array.from({ length: 12 }, (_, i) => (i === 7 ? PASSWORD : `wrong guess number ${i}`));
    // Each from its own address: only the username's limit (5) applies.
    const answers = await Promise.all(attempts.map((p, i) => login('victim', p, `10.50.0.${i + 1}`)));
    const t = tally(answers.map((a) => a.statusCode));
    expect((t[401] ?? 0) + (t[200] ?? 0), JSON.stringify(t)).toBe(5);
    expect(t[429]).toBe(7);
    for (const a of answers.filter((x) => x.statusCode === 429)) {
      expect(a.json().error.reason).toBe('LOCKED_OUT');
      expect(Number(a.headers['retry-after'])).toBeGreaterThan(0);
    }
    // The audit log agrees: five checks, seven refusals before any check.
    const rows = await auditLog.listAuditRows(s.fleet.store.db, { limit: 500 });
    const ofVictim = rows.filter((r) => r.ip?.startsWith('10.50.0.'));
    expect(ofVictim.filter((r) => r.action === 'login.failure' || r.action === 'login.success')).toHaveLength(5);
    expect(ofVictim.filter((r) => r.action === 'login.locked')).toHaveLength(7);
    // While locked, the right password is not checked either.
    expect((await login('victim', PASSWORD, '10.50.1.1')).statusCode).toBe(429);
  });

  it('one address trying 25 usernames at once: 20 are checked, 5 refused', async () => {
    const answers = await Promise.all(Array.from({ length: 25 }, (_, i) => login(`nobody.${i}`, 'some password here', '10.51.0.1')));
    const t = tally(answers.map((a) => a.statusCode));
    expect(t, JSON.stringify(t)).toEqual({ 401: 20, 429: 5 });
  });

  it('password changes are throttled per user: 8 wrong current passwords at once, 5 checked', async () => {
    const r = await login('changer', PASSWORD, '10.52.0.1');
    const me = { authorization: `Bearer ${r.json().token}` };
    const change = (currentPassword: string, i: number) =>
      s.app.inject({
        method: 'POST',
        url: '/api/v1/auth/password',
        headers: me,
        payload: { currentPassword, newPassword: 'a brand new passphrase for me' },
        remoteAddress: `10.52.1.${i + 1}`,
      });
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => change(`not my password ${i}`, i)));
    expect(tally(answers.map((a) => a.statusCode))).toEqual({ 401: 5, 429: 3 });
    // Locked: not even the right current password is checked, and the password did not change.
    expect((await change(PASSWORD, 99)).statusCode).toBe(429);
    s.clock.advance(31_000);
    expect((await change(PASSWORD, 100)).statusCode).toBe(200);
  });

  it('setup tokens: 25 wrong ones from one address at once, 20 checked', async () => {
    const answers = await Promise.all(
      Array.from({ length: 25 }, () =>
        s.app.inject({
          method: 'POST',
          url: '/api/v1/setup',
          payload: { setupToken: forgedToken('fwsetup'), username: 'intruder', password: 'a long enough password' },
          remoteAddress: '10.53.0.1',
        }),
      ),
    );
    expect(tally(answers.map((a) => a.statusCode))).toEqual({ 401: 20, 429: 5 });
  });

  it('bearer tokens matching nothing: 30 at once from one address, 20 counted, then 429 — a valid token from there still works', async () => {
    const forged = () =>
      s.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${forgedToken('fwd')}` }, remoteAddress: '10.54.0.1' });
    const answers = await Promise.all(Array.from({ length: 30 }, forged));
    expect(tally(answers.map((a) => a.statusCode))).toEqual({ 401: 20, 429: 10 });
    // A till behind the same address is not locked out by someone else's guesses.
    const valid = await s.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: s.callers.deviceRuh1, remoteAddress: '10.54.0.1' });
    expect(valid.statusCode).toBe(200);
    // Another address is not affected.
    const elsewhere = await s.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${forgedToken('fwd')}` },
      remoteAddress: '10.54.0.2',
    });
    expect(elsewhere.statusCode).toBe(401);
    s.clock.advance(31_000);
    expect((await forged()).statusCode).toBe(401);
    expect((await forged()).statusCode).toBe(429);
  });
});
