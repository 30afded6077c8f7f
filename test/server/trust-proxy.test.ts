// Behind one reverse proxy (`serve --trust-proxy`), the client address is the one the proxy appended
// to X-Forwarded-For — never the client-chosen leftmost entry — so throttling and the audit log see it.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServer, type TestServer } from './helpers.js';

describe('login audit behind a proxy', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await testServer('sqlite', { trustProxy: 1 });
  });
  afterAll(async () => s?.close());

  it('records the address the proxy saw, not the one the client wrote', async () => {
    const res = await s.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-for': '1.1.1.1, 203.0.113.9' },
      payload: { username: 'nobody', password: 'wrong-password' },
    });
    expect(res.statusCode).toBe(401);
    const rows = await sql<{ ip: string | null; target: string | null }>`select ip, target from audit_log order by id desc limit 1`.execute(s.fleet.store.db);
    expect(rows.rows[0]!.ip).toBe('203.0.113.9');
    // A name nobody has is not echoed into the log (people type passwords into the username field).
    expect(rows.rows[0]!.target).toBe('user:[unknown]');
  });
});
