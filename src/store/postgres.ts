// PostgreSQL with two roles: the owner role migrates and grants, the runtime role serves with only
// the grants it needs — it cannot alter, truncate, disable triggers or rewrite the legal record.
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { FawtaraError } from '../errors.js';
import type { PoolUse, Store, StoreOptions } from './database.js';
import { prepareError, StoreFault } from './faults.js';
import { fleetMigrations, runMigrator } from './migrations.js';
import type { Database } from './schema.js';

/** Tables the runtime role may read and append to, never change: the legal record and its logs. */
const APPEND_ONLY_TABLES: ReadonlySet<string> = new Set([
  'documents',
  'document_clearances',
  'submission_attempts',
  'audit_log',
  'unit_transitions',
  'zatca_exchanges',
  'document_context',
  'clock_offsets',
]);
/** Tables the runtime role only reads: the migrations' bookkeeping and the store's identity. */
const READ_ONLY_TABLES: ReadonlySet<string> = new Set(['kysely_migration', 'kysely_migration_lock', 'store_meta']);

export async function openPostgresStore(url: string, options: StoreOptions): Promise<Store> {
  const schema = options.pgSchema ?? 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new FawtaraError('INVALID_INPUT', `PostgreSQL schema name must be lower-case letters, digits and _; got "${schema}"`, {
      field: 'pgSchema',
      messageAr: 'اسم المخطط في PostgreSQL يجب أن يتكون من أحرف صغيرة وأرقام و _',
    });
  }
  const location = `${redactUrl(url)} (schema ${schema})`;
  const db = kyselyOf(url, schema, 10, options.onConnectionLost);
  const store: Store = {
    db,
    dialect: 'postgres',
    location,
    // PostgreSQL checks its own pages (data checksums); there is no file of ours to scan.
    integrity: { state: 'unchecked', problems: [] },
    checkIntegrity: async () => store.integrity,
    close: () => db.destroy(),
    poolUse: () => poolUseOf(db),
  };
  try {
    const role = await currentRole(db);
    if (options.ownerUrl) await migrateAsOwner(options.ownerUrl, schema, role);
    else if (options.allowOwnerRuntime) await migrate(db, schema);
    else await assertMigrated(db, schema, location);
    if (!options.allowOwnerRuntime) await assertNotOwner(db, schema, role);
  } catch (error) {
    await store.close();
    throw prepareError(error, location, 'FAWTARA_DATABASE_URL');
  }
  return store;
}

/** How long a query waits for a connection (a new one, or a pooled one to come free) before failing as UNREACHABLE. */
const CONNECT_TIMEOUT_MS = 10_000;

function kyselyOf(url: string, schema: string, max: number, onLost?: (message: string) => void): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    options: `-c search_path=${schema}`,
    // Operators (and the resilience tests) find this process's sessions in pg_stat_activity by it.
    application_name: `fawtara ${schema}`.slice(0, 63),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  // A client whose connection drops (a restart, pg_terminate_backend, a network cut) emits 'error'.
  // With no listener node turns that into an uncaught exception and the process dies, so every
  // client gets one for its whole life — checked out (mid-transaction, between queries) as well as
  // idle. The pool then drops the broken client; the next query opens a fresh connection. The
  // query in flight, if any, fails on its own and is answered 503 (docs/operations.md).
  const told = new WeakSet<object>();
  const lost = (client: object, error: Error) => {
    if (told.has(client)) return;
    told.add(client);
    onLost?.(`PostgreSQL connection lost (${(error as { code?: string }).code ?? 'no code'}: ${error.message}); it is replaced on the next query`);
  };
  pool.on('connect', (client) => client.on('error', (error) => lost(client, error)));
  // The pool re-emits an idle client's error; the client's own listener above has already told it.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  POOLS.set(db, pool);
  return db;
}

/** Each Kysely's pg pool, for its counters (Kysely keeps the pool private). */
const POOLS = new WeakMap<Kysely<Database>, pg.Pool>();

function poolUseOf(db: Kysely<Database>): PoolUse {
  const pool = POOLS.get(db);
  return { total: pool?.totalCount ?? 0, idle: pool?.idleCount ?? 0, waiting: pool?.waitingCount ?? 0 };
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

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function currentRole(db: Kysely<Database>): Promise<string> {
  return (await sql<{ role: string }>`select current_user as role`.execute(db)).rows[0]!.role;
}

/** Migrate as the owner (one opener at a time: a session advisory lock), then grant the runtime role its part. */
async function migrateAsOwner(ownerUrl: string, schema: string, runtimeRole: string): Promise<void> {
  const owner = kyselyOf(ownerUrl, schema, 1);
  try {
    await migrate(owner, schema, async (conn) => {
      if ((await currentRole(conn)) !== runtimeRole) await grantRuntime(conn, schema, runtimeRole);
    });
  } catch (error) {
    throw prepareError(error, `${redactUrl(ownerUrl)} (schema ${schema})`, 'FAWTARA_DATABASE_OWNER_URL');
  } finally {
    await owner.destroy();
  }
}

async function migrate(db: Kysely<Database>, schema: string, after?: (conn: Kysely<Database>) => Promise<void>): Promise<void> {
  // Two processes starting at once would race on CREATE SCHEMA and on Kysely's own bookkeeping
  // tables; a session advisory lock on one connection makes the whole migration one at a time.
  await db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(hashtext(${'fawtara-migrate:' + schema}))`.execute(conn);
    try {
      await conn.schema.createSchema(schema).ifNotExists().execute();
      await runMigrator(conn, 'postgres', schema);
      await after?.(conn);
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${'fawtara-migrate:' + schema}))`.execute(conn);
    }
  });
}

/**
 * The runtime role's exact privileges, reset on every owner run (new tables included): schema usage,
 * read and append on the record, read on the bookkeeping, read and write on the rest. Never
 * TRUNCATE, TRIGGER, REFERENCES, CREATE or ownership.
 */
async function grantRuntime(conn: Kysely<Database>, schema: string, role: string): Promise<void> {
  const tables = (await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = ${schema} order by tablename`.execute(conn)).rows;
  await conn.transaction().execute(async (trx) => {
    await sql.raw(`GRANT USAGE ON SCHEMA ${ident(schema)} TO ${ident(role)}`).execute(trx);
    await sql.raw(`REVOKE ALL ON ALL TABLES IN SCHEMA ${ident(schema)} FROM ${ident(role)}`).execute(trx);
    for (const { name } of tables) {
      const privileges = READ_ONLY_TABLES.has(name) ? 'SELECT' : APPEND_ONLY_TABLES.has(name) ? 'SELECT, INSERT' : 'SELECT, INSERT, UPDATE, DELETE';
      await sql.raw(`GRANT ${privileges} ON ${ident(schema)}.${ident(name)} TO ${ident(role)}`).execute(trx);
    }
  });
}

/** Without the owner URL the service only checks the schema is current: it never runs DDL itself. */
async function assertMigrated(db: Kysely<Database>, schema: string, location: string): Promise<void> {
  const exists = (await sql<{ t: string | null }>`select to_regclass(${`${ident(schema)}.kysely_migration`})::text as t`.execute(db)).rows[0]?.t;
  const applied = exists ? (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)).rows.map((r) => r.name) : [];
  const known = Object.keys(fleetMigrations('postgres'));
  const missing = known.filter((m) => !applied.includes(m));
  const unknown = applied.filter((m) => !known.includes(m));
  if (missing.length === 0 && unknown.length === 0) return;
  const what =
    unknown.length > 0
      ? `was migrated by a newer Fawtara (${unknown.join(', ')}); run that version`
      : exists
        ? `needs migrations ${missing.join(', ')}`
        : 'holds no Fawtara tables yet';
  throw new StoreFault(
    'NOT_MIGRATED',
    `the database at ${location} ${what}. Migrations run as the owner role: set FAWTARA_DATABASE_OWNER_URL (docs/operations.md "PostgreSQL roles") and run the command again`,
    {
      field: 'FAWTARA_DATABASE_OWNER_URL',
      messageAr: 'قاعدة البيانات تحتاج إلى ترحيل يجريه دور المالك: عيّن FAWTARA_DATABASE_OWNER_URL ثم أعد تنفيذ الأمر',
    },
  );
}

/** Refuse a runtime role that could undo the guards: a superuser, an owner (or member of one), or one with DDL rights. */
async function assertNotOwner(db: Kysely<Database>, schema: string, role: string): Promise<void> {
  const facts = (
    await sql<{ superuser: boolean; createrole: boolean; owns: string | null; creates: boolean; extra: string | null }>`
      select r.rolsuper as superuser, r.rolcreaterole as createrole,
        (select string_agg(t.tablename, ', ') from pg_tables t where t.schemaname = ${schema} and pg_has_role(current_user, t.tableowner, 'MEMBER')) as owns,
        has_schema_privilege(current_user, ${schema}, 'CREATE') as creates,
        (select string_agg(t.tablename, ', ') from pg_tables t where t.schemaname = ${schema}
           and (has_table_privilege(current_user, quote_ident(t.schemaname) || '.' || quote_ident(t.tablename), 'TRUNCATE, TRIGGER, REFERENCES'))) as extra
      from pg_roles r where r.rolname = current_user`.execute(db)
  ).rows[0];
  const why = [
    facts?.superuser && 'is a superuser',
    // CREATEROLE may grant itself membership in the owner role.
    facts?.createrole && 'may create roles (CREATEROLE)',
    facts?.owns && `owns (or is a member of the owner of) ${facts.owns}`,
    facts?.creates && `may create objects in schema ${schema}`,
    facts?.extra && `may truncate or add triggers to ${facts.extra}`,
  ].filter(Boolean);
  if (why.length === 0) return;
  throw new StoreFault(
    'OWNER_ROLE',
    `FAWTARA_DATABASE_URL connects as role "${role}", which ${why.join('; ')}: a service that can alter tables, truncate them or disable their triggers could rewrite the legal record. ` +
      'Run the service as a role with only the grants Fawtara gives, and set FAWTARA_DATABASE_OWNER_URL to the owner role for migrations (docs/operations.md "PostgreSQL roles"); for local development only, FAWTARA_DATABASE_ALLOW_OWNER=1',
    {
      field: 'FAWTARA_DATABASE_URL',
      messageAr:
        'يتصل FAWTARA_DATABASE_URL بدور يملك الجداول أو يستطيع تعديلها أو تعطيل محفزاتها؛ شغّل الخدمة بدور ذي صلاحيات محدودة وعيّن FAWTARA_DATABASE_OWNER_URL لدور المالك (وللتطوير المحلي فقط FAWTARA_DATABASE_ALLOW_OWNER=1)',
    },
  );
}
