// Storage faults are operational errors, not bugs (issue 10): disk full and read-only → exit 5 and
// HTTP 503 with what to do; a malformed file → exit 3 with the restore procedure; PostgreSQL
// unreachable → exit 5 / 503. Each fault is produced for real, deterministically, by the driver.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, exitCodeOf, reportError } from '../../src/cli/output.js';
import { addBranch, addTaxpayer, openFleet, type FleetContext } from '../../src/egs/index.js';
import { createServer, toHttpError } from '../../src/server/index.js';
import { accessContext } from '../../src/server/access/context.js';
import { createUser } from '../../src/server/access/users.js';
import { asStoreError, isStoreFault, openStore, StoreFault } from '../../src/store/index.js';
import { createZatcaClient } from '../../src/zatca/index.js';
import { cli } from '../cli/helpers.js';
import { CHAIN_BRANCHES, CHAIN_VAT } from '../egs/helpers.js';
import { PASSWORD, TEST_SCRYPT } from '../server/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'fawtara-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What a person reads: both languages, never "report this as a bug", and the code the CLI exits with. */
function reported(thrown: unknown): { code: number; text: string; json: { code: string; reason: string; message: string; messageAr: string } } {
  const text: string[] = [];
  const json: string[] = [];
  const code = reportError(thrown, { out: () => undefined, err: (t) => void text.push(t) }, false);
  reportError(thrown, { out: (t) => void json.push(t), err: () => undefined }, true);
  return { code, text: text.join('\n'), json: JSON.parse(json[0]!).error };
}

/** Run `act` on a real SQLite file and return what it threw. */
function driverError(act: (db: BetterSqlite3.Database) => void, options?: BetterSqlite3.Options): unknown {
  const file = join(dir, `${randomBytes(4).toString('hex')}.db`);
  const seed = new BetterSqlite3(file);
  seed.exec('CREATE TABLE t (v TEXT)');
  seed.close();
  const db = new BetterSqlite3(file, options);
  try {
    act(db);
  } catch (error) {
    return error;
  } finally {
    db.close();
  }
  throw new Error('expected the driver to fail');
}

describe('SQLite faults, mapped in one place (store/faults.ts)', () => {
  it('disk full (max_page_count reached): STORAGE_UNAVAILABLE/DISK_FULL, exit 5, HTTP 503 with Retry-After', () => {
    const raw = driverError((db) => {
      db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true })}`);
      for (let i = 0; i < 1000; i++) db.prepare('INSERT INTO t VALUES (?)').run('x'.repeat(4000));
    });
    expect((raw as { code: string }).code).toBe('SQLITE_FULL');
    const fault = asStoreError(raw);
    expect(isStoreFault(fault, 'DISK_FULL')).toBe(true);
    expect(exitCodeOf(raw)).toBe(EXIT.retry);
    const r = reported(raw);
    expect(r.code).toBe(5);
    expect(r.text).toMatch(/disk holding the database is full.*Free space/);
    expect(r.text).toMatch(/خطأ: القرص الذي يحمل قاعدة البيانات ممتلئ/);
    expect(r.text).not.toMatch(/report/i);
    expect(r.json).toMatchObject({ code: 'STORAGE_UNAVAILABLE', reason: 'DISK_FULL' });
    const http = toHttpError(raw, 'req-1');
    expect([http.status, http.headers['retry-after'], http.body.error.code]).toEqual([503, '30', 'STORAGE_UNAVAILABLE']);
    expect(http.body.error).toMatchObject({ reason: 'DISK_FULL' });
  });

  it('read-only (a read-only open, and query_only): STORAGE_UNAVAILABLE/READ_ONLY, exit 5, HTTP 503', () => {
    const readonlyOpen = driverError((db) => db.exec("INSERT INTO t VALUES ('x')"), { readonly: true });
    const queryOnly = driverError((db) => {
      db.pragma('query_only = ON');
      db.exec("INSERT INTO t VALUES ('x')");
    });
    for (const raw of [readonlyOpen, queryOnly]) {
      expect((raw as { code: string }).code).toMatch(/^SQLITE_READONLY/);
      expect(isStoreFault(asStoreError(raw), 'READ_ONLY')).toBe(true);
      const r = reported(raw);
      expect(r.code).toBe(5);
      expect(r.text).toMatch(/read-only.*mounted read-only/);
      expect(r.text).toMatch(/للقراءة فقط/);
      expect(toHttpError(raw, 'req').status).toBe(503);
    }
  });

  it('a malformed file (garbage, or cut short): STORE_DAMAGED/MALFORMED, exit 3 with the restore procedure, HTTP 503 without Retry-After', async () => {
    const garbage = join(dir, 'garbage.db');
    writeFileSync(garbage, randomBytes(8192));
    const full = join(dir, 'full.db');
    const seed = new BetterSqlite3(full);
    seed.exec('CREATE TABLE t (v TEXT)');
    seed.transaction(() => {
      for (let i = 0; i < 200; i++) seed.prepare('INSERT INTO t VALUES (?)').run('y'.repeat(2000));
    })();
    seed.close();
    const cut = join(dir, 'cut.db');
    writeFileSync(cut, (await import('node:fs')).readFileSync(full).subarray(0, 150_000));
    for (const sqliteFile of [garbage, cut]) {
      const error = await openStore({ sqliteFile }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreFault);
      expect((error as StoreFault).code).toBe('STORE_DAMAGED');
      const r = reported(error);
      expect(r.code).toBe(EXIT.input);
      expect(r.text).toMatch(/fawtara restore BACKUP_FILE --data DIR --force/);
      expect(r.text).toMatch(/استعد آخر نسخة احتياطية/);
      const http = toHttpError(error, 'req');
      expect(http.status).toBe(503);
      expect(http.headers['retry-after']).toBeUndefined();
    }
  });

  it('a directory that cannot be created: CANNOT_OPEN, exit 5', async () => {
    writeFileSync(join(dir, 'a-file'), 'x');
    const error = await openStore({ dataDir: join(dir, 'a-file', 'data') }).catch((e: unknown) => e);
    expect(isStoreFault(error, 'CANNOT_OPEN')).toBe(true);
    expect(exitCodeOf(error)).toBe(5);
  });

  it("the operating system's own disk errors (writing the marker, a backup) map the same way", () => {
    const os = (code: string) => Object.assign(new Error(`${code}: the system call failed, write`), { code, errno: -28, syscall: 'write' });
    expect([os('ENOSPC'), os('EROFS'), os('EIO')].map((e) => (asStoreError(e) as StoreFault).reason)).toEqual(['DISK_FULL', 'READ_ONLY', 'IO_ERROR']);
    expect(exitCodeOf(os('ENOSPC'))).toBe(5);
    const other = os('ENOENT');
    expect(asStoreError(other)).toBe(other);
  });

  it('anything else stays what it was: a constraint failure is still a bug, not a storage fault', () => {
    const raw = driverError((db) => {
      db.exec('CREATE TABLE u (v TEXT UNIQUE)');
      db.exec("INSERT INTO u VALUES ('a'); INSERT INTO u VALUES ('a')");
    });
    expect(asStoreError(raw)).toBe(raw);
    expect(exitCodeOf(raw)).toBe(EXIT.internal);
  });
});

describe('through the CLI and the API', () => {
  it('CLI: a malformed database exits 3 naming the file and the restore command; PostgreSQL unreachable exits 5', async () => {
    const data = join(dir, 'cli-malformed');
    const saved = { ...process.env };
    try {
      process.env.FAWTARA_MASTER_KEY = randomBytes(32).toString('hex');
      expect((await cli('init', '--data', data)).code).toBe(0);
      writeFileSync(join(data, 'fawtara.db'), randomBytes(16384));
      const r = await cli('taxpayers', 'list', '--data', data);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/MALFORMED.*fawtara\.db.*fawtara restore/s);
      process.env.FAWTARA_DATABASE_URL = 'postgres://fawtara@127.0.0.1:1/fawtara';
      const pg = await cli('taxpayers', 'list', '--data', join(dir, 'cli-pg'), '--json');
      expect(pg.code).toBe(5);
      expect(JSON.parse(pg.stdout).error).toMatchObject({ code: 'STORAGE_UNAVAILABLE', reason: 'UNREACHABLE' });
    } finally {
      process.env = saved;
    }
  });

  describe('API on a store whose disk fills up or turns read-only', () => {
    let fleet: FleetContext;
    let app: Awaited<ReturnType<typeof createServer>>;
    let admin: { authorization: string };
    const pragma = (text: string) => sql.raw(`pragma ${text}`).execute(fleet.store.db);

    beforeAll(async () => {
      fleet = await openFleet({
        store: { sqliteFile: join(dir, 'api.db') },
        zatca: () => createZatcaClient({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 1000 }),
        kek: { protection: 'master-key', key: randomBytes(32) },
        actor: 'test',
      });
      await addBranch(fleet, await addTaxpayer(fleet, { vatNumber: CHAIN_VAT, nameAr: 'مطاعم السلسلة' }), CHAIN_BRANCHES[0]!);
      app = await createServer({ fleet, policy: { scrypt: TEST_SCRYPT }, log: () => undefined, logLevel: 'fatal' });
      const who = { kind: 'cli' as const, actor: 'cli:test' };
      await createUser(accessContext(fleet), who, { username: 'admin', password: PASSWORD, role: 'admin', taxpayer: null, branch: null, unit: null });
      const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: PASSWORD } });
      admin = { authorization: `Bearer ${login.json().token}` };
    });
    afterAll(async () => {
      await app?.close();
      await fleet?.store.close();
    });

    const addBranchRequest = (name: string) =>
      app.inject({ method: 'POST', url: `/api/v1/taxpayers/${CHAIN_VAT}/branches`, headers: admin, payload: { ...CHAIN_BRANCHES[1]!, name } });

    it('disk full: 503 STORAGE_UNAVAILABLE (DISK_FULL) with Retry-After, never a 500; writes work again once there is room', async () => {
      const pages = Object.values((await pragma('page_count')).rows[0] as object)[0] as number;
      await pragma(`max_page_count = ${pages}`);
      let res: Awaited<ReturnType<typeof addBranchRequest>> | undefined;
      // Bounded: each request adds a branch until no page is left for the next one.
      for (let i = 0; i < 400; i++) {
        res = await addBranchRequest(`Full-${i}`);
        if (res.statusCode !== 201) break;
      }
      expect(res!.statusCode).toBe(503);
      expect(res!.headers['retry-after']).toBe('30');
      expect(res!.json().error).toMatchObject({ code: 'STORAGE_UNAVAILABLE', reason: 'DISK_FULL' });
      expect(res!.json().error.messageAr).toMatch(/ممتلئ/);
      await pragma(`max_page_count = ${2 ** 30}`);
      expect((await addBranchRequest('After-full')).statusCode).toBe(201);
    });

    it('read-only: 503 STORAGE_UNAVAILABLE (READ_ONLY)', async () => {
      await pragma('query_only = ON');
      try {
        const res = await addBranchRequest('Read-only');
        expect(res.statusCode).toBe(503);
        expect(res.json().error).toMatchObject({ code: 'STORAGE_UNAVAILABLE', reason: 'READ_ONLY' });
      } finally {
        await pragma('query_only = OFF');
      }
    });
  });
});
