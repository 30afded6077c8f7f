// Opening the fleet store: SQLite (one file in the data directory, WAL, synchronous=FULL) by
// default, PostgreSQL when a URL is given; migrations run on every open. Owns connection settings.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { FawtaraError } from '../errors.js';
import { InCodeMigrations } from './migrations.js';
import type { Database } from './schema.js';

export type StoreDialect = 'sqlite' | 'postgres';

export interface StoreOptions {
  /** PostgreSQL connection URL (`FAWTARA_DATABASE_URL`); when absent, SQLite in `dataDir`. */
  databaseUrl?: string;
  /** Folder of the SQLite file `fawtara.db` (created if missing). */
  dataDir?: string;
  /** SQLite file path or `:memory:`; overrides `dataDir`. */
  sqliteFile?: string;
  /**
   * PostgreSQL schema to work in (created if missing; `FAWTARA_DATABASE_SCHEMA` in the CLI), default
   * `public`. Named explicitly so the migration table is looked up in the schema we write to.
   */
  pgSchema?: string;
  /** How long a writer waits for a lock before failing (SQLite busy timeout), ms. */
  busyTimeoutMs?: number;
}

export interface Store {
  db: Kysely<Database>;
  dialect: StoreDialect;
  /** Where the data lives, without credentials (for `--json` output and messages). */
  location: string;
  close(): Promise<void>;
}

const DEFAULT_BUSY_TIMEOUT_MS = 10_000;

/** Open (and migrate) the store. Safe to call again on the same database: applied migrations are skipped. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const store = options.databaseUrl ? openPostgres(options.databaseUrl, options) : openSqlite(options);
  try {
    await migrate(store, options.pgSchema ?? 'public');
  } catch (error) {
    await store.close();
    throw new FawtaraError('INVALID_INPUT', `the database at ${store.location} could not be prepared: ${(error as Error).message}`, {
      field: options.databaseUrl ? 'FAWTARA_DATABASE_URL' : 'data directory',
      messageAr: `تعذر تجهيز قاعدة البيانات في ${store.location}؛ تحقق من العنوان والصلاحيات`,
      cause: error,
    });
  }
  return store;
}

function openSqlite(options: StoreOptions): Store {
  let file = options.sqliteFile;
  if (!file) {
    const dir = options.dataDir ?? '.fawtara';
    mkdirSync(dir, { recursive: true });
    file = join(dir, 'fawtara.db');
  }
  let database: BetterSqlite3.Database;
  try {
    database = new BetterSqlite3(file, { timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
  } catch (error) {
    throw new FawtaraError('FILE_UNREADABLE', `cannot open the database file ${file}: ${(error as Error).message}`, {
      field: 'data directory',
      messageAr: `تعذر فتح ملف قاعدة البيانات ${file}؛ تحقق من المجلد والصلاحيات`,
      cause: error,
    });
  }
  // WAL lets readers run beside the one writer; FULL makes every commit durable across power loss
  // (a unit's chain head must never go backwards after a crash).
  if (file !== ':memory:') database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  // INSERT OR REPLACE deletes the old row implicitly, and SQLite fires DELETE triggers for that only
  // with recursive triggers on: without it, REPLACE would slip past the immutability triggers.
  database.pragma('recursive_triggers = ON');
  database.pragma(`busy_timeout = ${Math.floor(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS)}`);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  return { db, dialect: 'sqlite', location: file, close: () => db.destroy() };
}

/**
 * Kysely prepares every query afresh; on a busy unit preparing costs more than running. The SQL text
 * of our queries comes from a small set of builders, so prepared statements are kept by text and
 * reused (better-sqlite3 statements are reusable; we never stream, so none is busy when reused).
 */
function withStatementCache(database: BetterSqlite3.Database): { close(): void; prepare(sql: string): BetterSqlite3.Statement } {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (!statement) {
        if (statements.size >= 2000) statements.clear();
        statement = database.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

function openPostgres(url: string, options: StoreOptions): Store {
  const schema = options.pgSchema ?? 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new FawtaraError('INVALID_INPUT', `PostgreSQL schema name must be lower-case letters, digits and _; got "${schema}"`, {
      field: 'pgSchema',
      messageAr: 'اسم المخطط في PostgreSQL يجب أن يتكون من أحرف صغيرة وأرقام و _',
    });
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    options: `-c search_path=${schema}`,
  });
  // An idle client that loses its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', location: `${redactUrl(url)} (schema ${schema})`, close: () => db.destroy() };
}

async function migrate(store: Store, pgSchema: string): Promise<void> {
  if (store.dialect === 'sqlite') {
    // SQLite's migrator transaction is deferred, so two openers can both see a migration pending;
    // the loser fails on the bookkeeping row. Its tables are created IF NOT EXISTS, so one more
    // pass finds everything applied. Bounded: three passes.
    for (let attempt = 1; ; attempt++) {
      try {
        return await runMigrator(store.db, store.dialect, undefined);
      } catch (error) {
        if (attempt >= 3) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
      }
    }
  }
  // Two processes starting at once would race on CREATE SCHEMA and on Kysely's own bookkeeping
  // tables; a session advisory lock on one connection makes the whole migration one at a time.
  await store.db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(hashtext(${'fawtara-migrate:' + pgSchema}))`.execute(conn);
    try {
      await conn.schema.createSchema(pgSchema).ifNotExists().execute();
      await runMigrator(conn, store.dialect, pgSchema);
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${'fawtara-migrate:' + pgSchema}))`.execute(conn);
    }
  });
}

async function runMigrator(db: Kysely<Database>, dialect: StoreDialect, pgSchema: string | undefined): Promise<void> {
  const migrator = new Migrator({ db, provider: new InCodeMigrations(dialect), ...(pgSchema && { migrationTableSchema: pgSchema }) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`migration ${failed ?? '(unknown)'} failed: ${(error as Error).message ?? String(error)}`);
  }
}

/** A connection URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}
