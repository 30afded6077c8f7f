// Migration 0007 (issue 10): the database guards itself against a connection that is not ours —
// SQLite refuses REPLACE/upsert on the record whatever `recursive_triggers` is, the lifecycle and
// ZATCA logs become append-only, PostgreSQL trigger functions resolve tables in their own schema
// only (a temporary table cannot stand in for `documents`), and the store gets its id.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Migration } from 'kysely';

type Dialect = 'sqlite' | 'postgres';

/**
 * The keys on which an insert into each guarded table can collide with a stored row. SQLite's
 * REPLACE deletes the stored row first, and fires no DELETE trigger unless `recursive_triggers` is
 * on — which a plain connection does not set. A BEFORE INSERT trigger on the keys fires either way.
 */
const CONFLICT_KEYS: Record<string, string[][]> = {
  documents: [['id'], ['unit_id', 'icv'], ['taxpayer_id', 'uuid'], ['taxpayer_id', 'number']],
  document_clearances: [['document_id']],
  submission_attempts: [['id']],
  audit_log: [['id']],
  unit_transitions: [['id']],
  zatca_exchanges: [['id']],
  egs_units: [['id'], ['taxpayer_id', 'serial', 'generation']],
};

/** Logs that 0002/0003 left open to change: a unit's lifecycle history and every exchange with ZATCA. */
const NEW_APPEND_ONLY = ['unit_transitions', 'zatca_exchanges'] as const;

/** Trigger functions whose table names must resolve in the store's schema, never in pg_temp. */
const PG_FUNCTIONS = ['fawtara_refuse_change', 'fawtara_chain_link', 'fawtara_chain_head', 'audit_log_append_only', 'fawtara_append_only'];

export function guardTables(dialect: Dialect): Migration {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against the schema of their own time
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('store_meta')
        .ifNotExists()
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      await sql`INSERT INTO store_meta (key, value) VALUES ('store_id', ${randomUUID()}) ON CONFLICT (key) DO NOTHING`.execute(db);
      if (dialect === 'sqlite') await sqliteGuards(db);
      else await postgresGuards(db);
    },
  };
}

async function sqliteGuards(db: Kysely<any>): Promise<void> {
  for (const [table, keys] of Object.entries(CONFLICT_KEYS)) {
    const collides = keys.map((cols) => `EXISTS (SELECT 1 FROM ${table} o WHERE ${cols.map((c) => `o.${c} = NEW.${c}`).join(' AND ')})`).join(' OR ');
    // "UNIQUE" leads the message: callers that recognise a duplicate by that word still do.
    await sql
      .raw(
        `CREATE TRIGGER IF NOT EXISTS ${table}_no_replace BEFORE INSERT ON ${table} WHEN ${collides}
         BEGIN SELECT RAISE(ABORT, 'UNIQUE: ${table} already holds a row with this key; a stored row is never replaced (REPLACE and upserts are refused)'); END`,
      )
      .execute(db);
  }
  for (const table of NEW_APPEND_ONLY) {
    for (const op of ['UPDATE', 'DELETE'] as const) {
      await sql
        .raw(`CREATE TRIGGER IF NOT EXISTS ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table} BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END`)
        .execute(db);
    }
  }
}

async function postgresGuards(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `CREATE OR REPLACE FUNCTION fawtara_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation'; END $$`,
    )
    .execute(db);
  for (const table of NEW_APPEND_ONLY) {
    await sql
      .raw(`CREATE OR REPLACE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION fawtara_append_only()`)
      .execute(db);
    await sql
      .raw(`CREATE OR REPLACE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION fawtara_append_only()`)
      .execute(db);
  }
  // pg_temp comes first in any search_path that does not name it: a session could create a temporary
  // `documents` holding a forged predecessor and pass the chain-link check. Pin each function's path.
  for (const fn of PG_FUNCTIONS) {
    await sql.raw(`DO $$ BEGIN EXECUTE format('ALTER FUNCTION ${fn}() SET search_path = %I, pg_temp', current_schema()); END $$`).execute(db);
  }
}
