// Migration 0013 (issue 14, the operator console): each user's console language; who made each sale
// and the device's clock reading (kept beside the document, outside the signed XML); branch nodes' clock offsets.
import type { Kysely, Migration } from 'kysely';

type Dialect = 'sqlite' | 'postgres';

/** The tables this migration adds, for typed queries (`consoleDb`). */
export interface DocumentContextTable {
  document_id: string;
  taxpayer_id: string;
  unit_id: string;
  /** Who sent it: `device:<token id>`, `user:<name>`, `branch-node:<token id>` (as the audit log names callers). */
  actor: string;
  operator_id: string | null;
  operator_name: string | null;
  /** The issuing device's own clock when it made the sale (as it said), ISO. */
  device_time: string | null;
  /** Head office's clock when the sale arrived, ISO. */
  received_at: string;
  /** device_time − received_at in milliseconds (positive: the device is ahead). */
  drift_ms: number | null;
}

export interface ClockOffsetsTable {
  id: number;
  taxpayer_id: string;
  branch_id: string;
  node: string;
  reported_at: string;
  offset_ms: number;
}

export interface ConsoleTables {
  document_context: DocumentContextTable;
  clock_offsets: ClockOffsetsTable;
  users: { id: string; locale: string | null };
}

export function consoleTables(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      // Nullable: no user has chosen a language until they switch; the browser's then applies.
      await db.schema.alterTable('users').addColumn('locale', 'text').execute();

      // One row per document issued through head office's sale or document routes. Not in the signed
      // XML (a cashier's name is not a field ZATCA defines), not in `documents` (immutable rows).
      await db.schema
        .createTable('document_context')
        .ifNotExists()
        .addColumn('document_id', 'text', (c) => c.primaryKey().references('documents.id'))
        .addColumn('taxpayer_id', 'text', (c) => c.notNull())
        .addColumn('unit_id', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('operator_id', 'text')
        .addColumn('operator_name', 'text')
        .addColumn('device_time', 'text')
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('drift_ms', 'bigint') // a device clock off by more than 24.8 days overflows a 32-bit integer
        .execute();
      await db.schema.createIndex('document_context_operator').ifNotExists().on('document_context').columns(['taxpayer_id', 'operator_id']).execute();
      await db.schema.createIndex('document_context_unit_time').ifNotExists().on('document_context').columns(['unit_id', 'received_at']).execute();

      await db.schema
        .createTable('clock_offsets')
        .ifNotExists()
        .addColumn('id', 'integer', (c) => (dialect === 'postgres' ? c.generatedByDefaultAsIdentity().primaryKey() : c.autoIncrement().primaryKey()))
        .addColumn('taxpayer_id', 'text', (c) => c.notNull())
        .addColumn('branch_id', 'text', (c) => c.notNull())
        .addColumn('node', 'text', (c) => c.notNull())
        .addColumn('reported_at', 'text', (c) => c.notNull())
        .addColumn('offset_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('clock_offsets_branch').ifNotExists().on('clock_offsets').columns(['branch_id', 'id']).execute();
    },
  };
}

/**
 * The outbox status counts a taxpayer's submissions by state (with the oldest issue time and the late
 * flag): with this covering index that is a scan of the index alone, not of the table (bench/console.ts).
 */
export function consoleIndexes(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createIndex('submissions_taxpayer_state')
        .ifNotExists()
        .on('submissions')
        .columns(['taxpayer_id', 'state', 'issued_at', 'late'])
        .execute();
    },
  };
}

/** The store's database seen with this migration's tables (they are not in the shared `Database` type). */
export function consoleDb(db: Kysely<any>): Kysely<ConsoleTables> {
  return db as Kysely<ConsoleTables>;
}
