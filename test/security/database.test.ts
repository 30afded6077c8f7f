// Attacks on the legal record through a database connection that is not ours (issue 10): REPLACE,
// upserts, UPDATE, DELETE, truncation, disabling triggers, ALTER, and a temporary table standing in
// for `documents` — on SQLite (a plain better-sqlite3 connection, recursive_triggers off and on) and
// on PostgreSQL as the runtime role (FAWTARA_TEST_PG). Every one must fail and change nothing.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStoreFault, openStore, type Store } from '../../src/store/index.js';
import { dropPgSchema, PG_ROLES, PG_URL, pgSchemaName, pgStoreOptions } from '../egs/helpers.js';
import { GUARDED_ROWS, HASH_2, seedRecord } from '../store/helpers.js';

const where = (key: Record<string, string | number>) =>
  Object.entries(key)
    .map(([c, v]) => `${c} = ${typeof v === 'number' ? v : `'${v}'`}`)
    .join(' AND ');

describe('SQLite: a plain connection to the store file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fawtara-sec-db-'));
  let raw: BetterSqlite3.Database;
  let before: Record<string, unknown[]>;
  const snapshot = () =>
    Object.fromEntries([...GUARDED_ROWS.map((r) => r.table), 'egs_units'].map((t) => [t, raw.prepare(`SELECT * FROM ${t} ORDER BY 1`).all()]));

  beforeAll(async () => {
    const store = await openStore({ dataDir: dir });
    await seedRecord(store);
    await store.close();
    raw = new BetterSqlite3(join(dir, 'fawtara.db'));
    // What a plain connection has: no recursive triggers, no foreign keys.
    expect(raw.pragma('recursive_triggers', { simple: true })).toBe(0);
    before = snapshot();
  });
  afterAll(() => {
    raw?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const refused = (statement: string) => expect(() => raw.exec(statement), statement).toThrow();

  it.each([0, 1])('REPLACE, INSERT OR REPLACE and upserts on every guarded table fail (recursive_triggers = %i)', (recursive) => {
    raw.pragma(`recursive_triggers = ${recursive}`);
    for (const { table, key, change } of GUARDED_ROWS) {
      raw.exec(`DROP TABLE IF EXISTS temp.forged; CREATE TEMP TABLE forged AS SELECT * FROM main.${table} WHERE ${where(key)}`);
      raw.exec(`UPDATE temp.forged SET ${change[0]} = '${change[1]}'`);
      expect(() => raw.exec(`INSERT OR REPLACE INTO main.${table} SELECT * FROM temp.forged`)).toThrow(/never replaced/);
      expect(() => raw.exec(`REPLACE INTO main.${table} SELECT * FROM temp.forged`)).toThrow(/never replaced/);
      refused(`INSERT INTO main.${table} SELECT * FROM temp.forged WHERE true ON CONFLICT DO UPDATE SET ${change[0]} = excluded.${change[0]}`);
      refused(`INSERT OR IGNORE INTO main.${table} SELECT * FROM temp.forged`);
    }
    expect(snapshot()).toEqual(before);
  });

  it('UPDATE, DELETE and a whole-table DELETE (SQLite truncation) of the record and its logs fail', () => {
    for (const { table, key, change } of GUARDED_ROWS) {
      refused(`UPDATE ${table} SET ${change[0]} = '${change[1]}' WHERE ${where(key)}`);
      refused(`DELETE FROM ${table} WHERE ${where(key)}`);
      refused(`DELETE FROM ${table}`);
    }
    expect(snapshot()).toEqual(before);
  });

  it("a unit's chain head cannot be reset: not by REPLACE of its row, not by UPDATE, not by DELETE", () => {
    raw.pragma('recursive_triggers = 0');
    raw.exec(`DROP TABLE IF EXISTS temp.unit; CREATE TEMP TABLE unit AS SELECT * FROM main.egs_units WHERE id = 'unit'`);
    raw.exec(`UPDATE temp.unit SET icv = 0, pih = 'reset', last_issued_at = NULL`);
    expect(() => raw.exec('INSERT OR REPLACE INTO main.egs_units SELECT * FROM temp.unit')).toThrow(/never replaced/);
    // The same serial under a new id: REPLACE would delete the unit through the unique key instead.
    raw.exec(`UPDATE temp.unit SET id = 'other'`);
    expect(() => raw.exec('INSERT OR REPLACE INTO main.egs_units SELECT * FROM temp.unit')).toThrow(/never replaced/);
    refused(`UPDATE egs_units SET icv = 1, pih = 'reset' WHERE id = 'unit'`);
    refused(`DELETE FROM egs_units WHERE id = 'unit'`);
    expect(snapshot()).toEqual(before);
  });

  it('a forged next document that does not link to the stored chain is refused', () => {
    raw.exec(`DROP TABLE IF EXISTS temp.doc; CREATE TEMP TABLE doc AS SELECT * FROM main.documents WHERE id = 'doc-2'`);
    raw.exec(`UPDATE temp.doc SET id = 'doc-3', icv = 3, uuid = 'uuid-3', number = 'INV-3', pih = 'not-the-previous-hash'`);
    expect(() => raw.exec('INSERT INTO main.documents SELECT * FROM temp.doc')).toThrow(/chain break/);
    raw.exec(`UPDATE temp.doc SET pih = '${HASH_2}', invoice_hash = 'aGFzaC0z'`);
    raw.exec('INSERT INTO main.documents SELECT * FROM temp.doc');
    expect(raw.prepare('SELECT count(*) AS n FROM documents').get()).toEqual({ n: 3 });
  });

  it('the boundary SQLite cannot guard itself (DROP TRIGGER, ALTER) is the file: owner-only, directory 0700', () => {
    // SQLite has no roles: whoever can open the file can change its schema. So only the service's
    // operating-system user may open it; the chain auditor detects content changed behind the guards.
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of ['fawtara.db', 'fawtara.db-wal', 'fawtara.db-shm', 'fawtara.store'])
      if (statSync(join(dir, f), { throwIfNoEntry: false })) expect(statSync(join(dir, f)).mode & 0o777, f).toBe(0o600);
  });
});

describe.skipIf(!PG_URL)('PostgreSQL: the runtime role connecting on its own', () => {
  const schema = pgSchemaName();
  let store: Store;
  let runtime: pg.Client;
  let owner: pg.Client;

  beforeAll(async () => {
    store = await openStore(pgStoreOptions(schema));
    await seedRecord(store);
    runtime = new pg.Client({ connectionString: PG_ROLES!.runtimeUrl, options: `-c search_path=${schema}` });
    owner = new pg.Client({ connectionString: PG_ROLES!.ownerUrl, options: `-c search_path=${schema}` });
    await runtime.connect();
    await owner.connect();
  });
  afterAll(async () => {
    await runtime?.end();
    await owner?.end();
    await store?.close();
    await dropPgSchema(schema);
  });

  /** The statement fails with the SQLSTATE given (42501 insufficient privilege, 23000 a guard trigger). */
  const fails = async (client: pg.Client, statement: string, state: string) => {
    const error = await client.query(statement).then(
      () => undefined,
      (e: { code?: string }) => e,
    );
    expect(error?.code, statement).toBe(state);
  };

  it('cannot UPDATE, DELETE, upsert or TRUNCATE a document, a clearance, an attempt, the audit log or the lifecycle and ZATCA logs', async () => {
    for (const { table, key, change } of GUARDED_ROWS) {
      await fails(runtime, `UPDATE ${table} SET ${change[0]} = '${change[1]}' WHERE ${where(key)}`, '42501');
      await fails(runtime, `DELETE FROM ${table} WHERE ${where(key)}`, '42501');
      await fails(runtime, `TRUNCATE ${table}`, '42501');
      await fails(runtime, `TRUNCATE ${table} CASCADE`, '42501');
      const keys = Object.keys(key).join(', ');
      await fails(
        runtime,
        `INSERT INTO ${table} SELECT * FROM ${table} WHERE ${where(key)} ON CONFLICT (${keys}) DO UPDATE SET ${change[0]} = '${change[1]}'`,
        '42501',
      );
    }
  });

  it('cannot disable a trigger, drop one, ALTER or DROP a table, create objects, or switch triggers off for its session', async () => {
    await fails(runtime, 'ALTER TABLE documents DISABLE TRIGGER documents_immutable', '42501');
    await fails(runtime, 'ALTER TABLE documents DISABLE TRIGGER ALL', '42501');
    await fails(runtime, 'DROP TRIGGER documents_chain_link ON documents', '42501');
    await fails(runtime, 'ALTER TABLE documents ADD COLUMN note text', '42501');
    await fails(runtime, 'ALTER TABLE documents RENAME TO documents_old', '42501');
    await fails(runtime, 'DROP TABLE audit_log', '42501');
    await fails(runtime, 'CREATE TABLE documents_copy (id text)', '42501');
    await fails(runtime, 'CREATE OR REPLACE FUNCTION fawtara_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$', '42501');
    await fails(runtime, 'SET session_replication_role = replica', '42501');
  });

  it('the chain head moves only forward, onto a stored document, even for the role that may update units', async () => {
    await fails(runtime, `UPDATE egs_units SET icv = 0, pih = 'reset' WHERE id = 'unit'`, '23000');
    await fails(runtime, `DELETE FROM egs_units WHERE id = 'unit'`, '23503');
  });

  it('a temporary table named documents cannot stand in for the stored chain in the link check', async () => {
    // pg_temp is searched first: without each trigger function's pinned search_path (migration 0007)
    // the link check would find this forged predecessor (ICV 7) and accept ICV 8 after it.
    await runtime.query(`CREATE TEMP TABLE documents AS SELECT * FROM ${schema}.documents WHERE id = 'doc-2'`);
    await runtime.query(`UPDATE pg_temp.documents SET id = 'doc-7', icv = 7, uuid = 'uuid-7', number = 'INV-7', invoice_hash = 'forged-predecessor'`);
    await runtime.query(`INSERT INTO pg_temp.documents SELECT * FROM pg_temp.documents`);
    await runtime.query(
      `UPDATE pg_temp.documents SET id = 'doc-8', icv = 8, uuid = 'uuid-8', number = 'INV-8', pih = 'forged-predecessor' WHERE ctid = (SELECT max(ctid) FROM pg_temp.documents)`,
    );
    expect((await runtime.query('SELECT icv FROM pg_temp.documents ORDER BY icv')).rows).toEqual([{ icv: 7 }, { icv: 8 }]);
    await fails(runtime, `INSERT INTO ${schema}.documents SELECT * FROM pg_temp.documents WHERE id = 'doc-8'`, '23000');
    await runtime.query('DROP TABLE pg_temp.documents');
    expect((await runtime.query(`SELECT count(*)::int AS n FROM ${schema}.documents`)).rows[0]).toEqual({ n: 2 });
  });

  it('the owner role too is stopped by the guards for rows (it alone could drop them: a visible schema change)', async () => {
    await fails(owner, `UPDATE documents SET xml = 'x' WHERE id = 'doc-1'`, '23000');
    await fails(owner, 'TRUNCATE documents CASCADE', '23000');
  });

  it('the service refuses to run as a role that could undo the guards', async () => {
    for (const url of [PG_ROLES!.ownerUrl, PG_URL!]) {
      const error = await openStore({ databaseUrl: url, pgSchema: schema }).catch((e: unknown) => e);
      expect(isStoreFault(error, 'OWNER_ROLE'), String(error)).toBe(true);
      expect((error as Error).message).toMatch(/FAWTARA_DATABASE_OWNER_URL/);
    }
    // Development only, by name.
    const dev = await openStore({ databaseUrl: PG_ROLES!.ownerUrl, pgSchema: schema, allowOwnerRuntime: true });
    await dev.close();
  });

  it('without the owner URL the runtime role never migrates: an empty schema is an error naming the setting', async () => {
    const empty = pgSchemaName();
    try {
      const error = await openStore({ databaseUrl: PG_ROLES!.runtimeUrl, pgSchema: empty }).catch((e: unknown) => e);
      expect(isStoreFault(error, 'NOT_MIGRATED'), String(error)).toBe(true);
      // Once the owner has migrated, the runtime role alone opens it.
      await (await openStore(pgStoreOptions(empty))).close();
      await (await openStore({ databaseUrl: PG_ROLES!.runtimeUrl, pgSchema: empty })).close();
    } finally {
      await dropPgSchema(empty);
    }
  });
});
