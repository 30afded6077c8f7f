// A SQLite write that waits past the busy timeout (another connection holds the write lock) is a
// retryable BUSY: HTTP 503 with Retry-After and CLI exit 5 — never a 500 "report this bug".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addBranch, addTaxpayer, openFleet, type FleetContext } from '../../src/egs/index.js';
import { asBusyError, FawtaraError } from '../../src/errors.js';
import { EXIT, exitCodeOf, reportError } from '../../src/cli/output.js';
import { createServer, toHttpError } from '../../src/server/index.js';
import { accessContext } from '../../src/server/access/context.js';
import { createUser } from '../../src/server/access/users.js';
import { tenants } from '../../src/store/index.js';
import { createZatcaClient } from '../../src/zatca/index.js';
import { CHAIN_BRANCHES, CHAIN_VAT } from '../egs/helpers.js';
import { PASSWORD, TEST_SCRYPT } from './helpers.js';

describe('a database lock held past the busy timeout (SQLite)', () => {
  let dir: string;
  let fleet: FleetContext;
  let app: FastifyInstance;
  let admin: { authorization: string };
  let other: BetterSqlite3.Database;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fawtara-busy-'));
    fleet = await openFleet({
      store: { sqliteFile: join(dir, 'fawtara.db'), busyTimeoutMs: 150 },
      zatca: () => createZatcaClient({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 1000 }),
      kek: { protection: 'master-key', key: randomBytes(32) },
      actor: 'test',
    });
    const taxpayer = await addTaxpayer(fleet, { vatNumber: CHAIN_VAT, nameAr: 'مطاعم السلسلة' });
    await addBranch(fleet, taxpayer, CHAIN_BRANCHES[0]!);
    app = await createServer({ fleet, policy: { scrypt: TEST_SCRYPT }, log: () => undefined, logLevel: 'fatal' });
    await createUser(
      accessContext(fleet),
      { kind: 'cli', actor: 'cli:test' },
      { username: 'admin', password: PASSWORD, role: 'admin', taxpayer: null, branch: null, unit: null },
    );
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: PASSWORD } });
    admin = { authorization: `Bearer ${login.json().token}` };
    other = new BetterSqlite3(join(dir, 'fawtara.db'), { timeout: 0 });
  });
  afterAll(async () => {
    if (other?.inTransaction) other.exec('ROLLBACK');
    other?.close();
    await app?.close();
    await fleet?.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const branch = (name: string) => ({ ...CHAIN_BRANCHES[1]!, name });

  it('the driver error becomes BUSY: CLI exit 5, HTTP 503 with Retry-After', async () => {
    other.exec('BEGIN IMMEDIATE');
    const taxpayer = (await tenants.findTaxpayerByVat(fleet.store.db, CHAIN_VAT))!;
    const started = Date.now();
    const raw = await addBranch(fleet, taxpayer, branch('Locked')).catch((e: unknown) => e);
    other.exec('ROLLBACK');
    // It waited for the timeout (the driver retried), then gave up.
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect((raw as { code?: string }).code).toMatch(/^SQLITE_BUSY/);
    const busy = asBusyError(raw);
    expect(busy).toBeInstanceOf(FawtaraError);
    expect(busy).toMatchObject({ code: 'BUSY' });
    expect(exitCodeOf(raw)).toBe(EXIT.retry);
    expect(exitCodeOf(busy)).toBe(5);
    const lines: string[] = [];
    expect(reportError(raw, { out: (t) => void lines.push(t), err: (t) => void lines.push(t) }, true)).toBe(5);
    expect(JSON.parse(lines[0]!).error.code).toBe('BUSY');
    const http = toHttpError(raw, 'req-1');
    expect(http.status).toBe(503);
    expect(http.headers['retry-after']).toBe('1');
    expect(http.body.error.code).toBe('BUSY');
    // Other errors pass through unchanged.
    const other500 = new Error('boom');
    expect(asBusyError(other500)).toBe(other500);
    expect(toHttpError(other500, 'req-2').status).toBe(500);
  });

  it('through the API: 503 BUSY with Retry-After while locked; the same request succeeds afterwards', async () => {
    const url = `/api/v1/taxpayers/${CHAIN_VAT}/branches`;
    other.exec('BEGIN IMMEDIATE');
    let res: Awaited<ReturnType<typeof app.inject>>;
    try {
      res = await app.inject({ method: 'POST', url, headers: admin, payload: branch('Jeddah') });
    } finally {
      other.exec('ROLLBACK');
    }
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json().error.code).toBe('BUSY');
    const again = await app.inject({ method: 'POST', url, headers: admin, payload: branch('Jeddah') });
    expect(again.statusCode).toBe(201);
  });
});
