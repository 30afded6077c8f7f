// Opening the fleet store: SQLite (one file in an owner-only data directory, WAL, synchronous=FULL,
// integrity-checked) by default, PostgreSQL when a URL is given; migrations run on open.
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { FawtaraError } from '../errors.js';
import { asStoreError, damaged, isStoreFault, prepareError, StoreFault } from './faults.js';
import {
  createPrivateFile,
  DATABASE_FILE,
  databaseSize,
  noStore,
  readMarker,
  refuseLostDatabase,
  refuseOtherStore,
  secureDatabaseFiles,
  secureDataDir,
  writeMarker,
  type StoreMarker,
} from './files.js';
import { quickCheck, quickCheckInWorker, type StoreIntegrity } from './integrity.js';
import { runMigrator } from './migrations.js';
import { openPostgresStore } from './postgres.js';

import type { Database } from './schema.js';

export type StoreDialect = 'sqlite' | 'postgres';

export interface StoreOptions {
  /** PostgreSQL URL of the runtime role (`FAWTARA_DATABASE_URL`); when absent, SQLite in `dataDir`. */
  databaseUrl?: string;
  /**
   * PostgreSQL URL of the role that owns the tables (`FAWTARA_DATABASE_OWNER_URL`): migrations and
   * grants run as it before the runtime role connects. Without it the schema must already be current.
   */
  ownerUrl?: string;
  /** PostgreSQL, development only (`FAWTARA_DATABASE_ALLOW_OWNER=1`): the runtime role may own the tables and migrate them. */
  allowOwnerRuntime?: boolean;
  /** Folder of the SQLite file `fawtara.db` (created 0700 if missing, tightened to 0700 if not). */
  dataDir?: string;
  /** SQLite file path or `:memory:`; overrides `dataDir` (no marker: the folder is not ours). */
  sqliteFile?: string;
  /**
   * PostgreSQL schema to work in (created if missing; `FAWTARA_DATABASE_SCHEMA` in the CLI), default
   * `public`. Named explicitly so the migration table is looked up in the schema we write to.
   */
  pgSchema?: string;
  /** How long a writer waits for a lock before failing (SQLite busy timeout), ms. */
  busyTimeoutMs?: number;
  /** `false`: a data directory without a store is an error (`NO_STORE`) instead of a new store. Default true. */
  create?: boolean;
  /** SQLite file: how often the integrity check runs while the store is open (ms; 0 = only at open). Default 6 h. */
  integrityCheckEveryMs?: number;
  /** Told when a scheduled integrity check finds damage; writes are refused from then on. */
  onIntegrityFailure?: (integrity: StoreIntegrity) => void;
  /** PostgreSQL: told (once per connection, no credentials in it) when a pooled connection drops; the pool replaces it. */
  onConnectionLost?: (message: string) => void;
}

export interface Store {
  db: Kysely<Database>;
  dialect: StoreDialect;
  /** Where the data lives, without credentials (for `--json` output and messages). */
  location: string;
  /** The last integrity check's verdict; a `damaged` store refuses writes (`withWriteTransaction`). */
  integrity: StoreIntegrity;
  /** Run the integrity check now (SQLite: quick_check in a worker thread; PostgreSQL: nothing to run). */
  checkIntegrity(): Promise<StoreIntegrity>;
  close(): Promise<void>;
  /** PostgreSQL: the connection pool's use now (for /metrics); SQLite has no pool. */
  poolUse?: () => PoolUse;
}

export interface PoolUse {
  /** Connections open, idle among them, and queries waiting for one. */
  total: number;
  idle: number;
  waiting: number;
}

const DEFAULT_BUSY_TIMEOUT_MS = 10_000;
const DEFAULT_INTEGRITY_EVERY_MS = 6 * 60 * 60 * 1000;

/**
 * One trivial query, answered within `timeoutMs` even when the database hangs: a lost PostgreSQL
 * connection or a timeout throws what asStoreError maps to STORAGE_UNAVAILABLE (UNREACHABLE).
 */
export async function pingStore(store: Store, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Connection terminated due to connection timeout (no answer in ${timeoutMs} ms)`)), timeoutMs);
  });
  try {
    await Promise.race([sql`select 1`.execute(store.db), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Open (and migrate) the store. Safe to call again on the same database: applied migrations are skipped. */
export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.ownerUrl && !options.databaseUrl) {
    throw new FawtaraError('USAGE', 'FAWTARA_DATABASE_OWNER_URL needs FAWTARA_DATABASE_URL: the owner role migrates, the runtime role serves', {
      field: 'FAWTARA_DATABASE_URL',
      messageAr: 'يتطلب FAWTARA_DATABASE_OWNER_URL تعيين FAWTARA_DATABASE_URL: دور المالك للترحيل ودور التشغيل للخدمة',
    });
  }
  if (options.databaseUrl) return openPostgresStore(options.databaseUrl, options);
  return openSqliteStore(options);
}

/** The file to open and, when it lives in a data directory of ours, that directory and its marker. */
function sqliteTarget(options: StoreOptions): { file: string; dir?: string; marker?: StoreMarker } {
  if (options.sqliteFile) {
    if (options.sqliteFile !== ':memory:' && databaseSize(options.sqliteFile) === undefined) createFile(options.sqliteFile);
    return { file: options.sqliteFile };
  }
  const dir = options.dataDir ?? '.fawtara';
  const file = join(dir, DATABASE_FILE);
  try {
    secureDataDir(dir);
  } catch (error) {
    throw cannotOpen(dir, error);
  }
  const marker = readMarker(dir);
  const size = databaseSize(file);
  if (marker && !size) throw refuseLostDatabase(dir, marker, size);
  if (!marker && size === undefined) {
    if (options.create === false) throw noStore(dir);
    createFile(file);
  }
  return { file, dir, ...(marker && { marker }) };
}

function createFile(file: string): void {
  try {
    createPrivateFile(file);
  } catch (error) {
    throw cannotOpen(file, error);
  }
}

function cannotOpen(path: string, error: unknown): StoreFault {
  // A full or read-only disk says so; anything else is a folder we cannot use.
  const mapped = asStoreError(error, path);
  if (mapped instanceof StoreFault) return mapped;
  return new StoreFault(
    'CANNOT_OPEN',
    `cannot create or open ${path}: ${(error as Error).message}; check that the folder exists and is writable by this user`,
    {
      field: 'data directory',
      messageAr: `تعذر إنشاء أو فتح ${path}؛ تحقق من وجود المجلد وصلاحية الكتابة فيه`,
      cause: error,
    },
  );
}

async function openSqliteStore(options: StoreOptions): Promise<Store> {
  const { file, dir, marker } = sqliteTarget(options);
  const timeout = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  let database: BetterSqlite3.Database | undefined;
  try {
    database = new BetterSqlite3(file, { timeout });
    configure(database, file, timeout);
    const problems = quickCheck(database);
    if (problems.length > 0) throw damaged('INTEGRITY', `${file}: ${problems.join('; ')}`);
  } catch (error) {
    database?.close();
    throw prepareError(error, file, 'data directory');
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  const store = sqliteStore(db, database, file, options);
  try {
    await migrateSqlite(db);
    if (dir) await checkMarker(db, dir, marker);
    if (file !== ':memory:') secureDatabaseFiles(file);
  } catch (error) {
    await store.close();
    throw prepareError(error, file, 'data directory');
  }
  return store;
}

function configure(database: BetterSqlite3.Database, file: string, timeout: number): void {
  // WAL lets readers run beside the one writer; FULL makes every commit durable across power loss
  // (a unit's chain head must never go backwards after a crash).
  if (file !== ':memory:') database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  // Our own connection also fires DELETE triggers for REPLACE's implicit delete; a plain connection
  // does not, which is why migration 0007 guards the keys with BEFORE INSERT triggers as well.
  database.pragma('recursive_triggers = ON');
  database.pragma(`busy_timeout = ${Math.floor(timeout)}`);
}

/** The database's store id against the directory's marker: adopt it on first sight, refuse a swapped file. */
async function checkMarker(db: Kysely<Database>, dir: string, marker: StoreMarker | undefined): Promise<void> {
  const storeId = (await storeIdOf(db)) ?? '(none)';
  if (marker && marker.storeId !== storeId && marker.storeId !== '(unreadable marker)') throw refuseOtherStore(dir, marker, storeId);
  if (!marker || marker.storeId !== storeId) writeMarker(dir, storeId);
}

async function migrateSqlite(db: Kysely<Database>): Promise<void> {
  // SQLite's migrator transaction is deferred, so two openers can both see a migration pending;
  // the loser fails on the bookkeeping row. Its tables are created IF NOT EXISTS, so one more
  // pass finds everything applied. Bounded: three passes.
  for (let attempt = 1; ; attempt++) {
    try {
      return await runMigrator(db, 'sqlite', undefined);
    } catch (error) {
      if (attempt >= 3 || isStoreFault(asStoreError(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}

function sqliteStore(db: Kysely<Database>, database: BetterSqlite3.Database, file: string, options: StoreOptions): Store {
  let running: { stop: () => Promise<void> } | undefined;
  let timer: NodeJS.Timeout | undefined;
  const store: Store = {
    db,
    dialect: 'sqlite',
    location: file,
    integrity: { state: 'ok', checkedAt: new Date().toISOString(), problems: [] },
    async checkIntegrity() {
      let problems: string[];
      if (file === ':memory:') problems = quickCheck(database);
      else {
        const check = quickCheckInWorker(file, options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
        running = check;
        try {
          problems = await check.result;
        } finally {
          running = undefined;
        }
      }
      // Damage sticks: only a fresh open (after a restore) clears it.
      if (store.integrity.state !== 'damaged')
        store.integrity = { state: problems.length > 0 ? 'damaged' : 'ok', checkedAt: new Date().toISOString(), problems };
      return store.integrity;
    },
    async close() {
      if (timer) clearInterval(timer);
      await running?.stop();
      await db.destroy();
    },
  };
  const every = options.integrityCheckEveryMs ?? DEFAULT_INTEGRITY_EVERY_MS;
  if (file !== ':memory:' && every > 0) {
    timer = setInterval(() => {
      if (running) return;
      void store.checkIntegrity().then(
        (integrity) => integrity.state === 'damaged' && options.onIntegrityFailure?.(integrity),
        () => undefined, // a locked or unreachable file: the next round tries again
      );
    }, every);
    timer.unref();
  }
  return store;
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

/** The store's id (migration 0007), the same in its backups; the marker of its data directory names it. */
export async function storeIdOf(db: Kysely<Database>): Promise<string | undefined> {
  return (await db.selectFrom('store_meta').select('value').where('key', '=', 'store_id').executeTakeFirst())?.value;
}

/** Store options from the environment (the CLI's one reading of it): data directory, PostgreSQL URLs and schema. */
export function storeOptionsFromEnv(dataDir: string, env: NodeJS.ProcessEnv = process.env): StoreOptions {
  return {
    dataDir,
    ...(env.FAWTARA_DATABASE_URL && { databaseUrl: env.FAWTARA_DATABASE_URL }),
    ...(env.FAWTARA_DATABASE_OWNER_URL && { ownerUrl: env.FAWTARA_DATABASE_OWNER_URL }),
    ...(env.FAWTARA_DATABASE_SCHEMA && { pgSchema: env.FAWTARA_DATABASE_SCHEMA }),
    ...(env.FAWTARA_DATABASE_ALLOW_OWNER === '1' && { allowOwnerRuntime: true }),
  };
}
