// Schema migrations, kept in code and run by Kysely's Migrator on every start: applied ones are
// skipped, so opening a store twice (or from two processes) is safe. Never edit a shipped migration.
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { issuingTables } from './migration-0002-issuing.js';
import { accessTables } from './migration-0003-access.js';
import { syncTables } from './migration-0004-sync.js';
import { replaceGuard } from './migration-0005-replace-guard.js';
import { guardTables } from './migration-0007-guards.js';
import { unitTarget } from './migration-0008-unit-target.js';
import { unitHolds } from './migration-0009-unit-holds.js';
import { prepaidBreakdown } from './migration-0010-prepaid.js';
import { syncTrustTables } from './migration-0011-sync-trust.js';
import { keyCustody } from './migration-0012-key-custody.js';
import { consoleIndexes, consoleTables } from './migration-0013-console.js';
import { sandboxCertificate } from './migration-0014-sandbox-certificate.js';

type Dialect = 'sqlite' | 'postgres';

/** Auto-increment integer key on both engines (PostgreSQL identity, SQLite rowid alias). */
function serialId(dialect: Dialect) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's column builder type is internal
  return (c: any) => (dialect === 'postgres' ? c.generatedByDefaultAsIdentity().primaryKey() : c.autoIncrement().primaryKey());
}

function fleetTables(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('taxpayers')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('vat_number', 'text', (c) => c.notNull().unique())
        .addColumn('name_ar', 'text', (c) => c.notNull())
        .addColumn('name_en', 'text')
        .addColumn('is_vat_group', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('business_category', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('vat_group_members')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('taxpayer_id', 'text', (c) => c.notNull().references('taxpayers.id'))
        .addColumn('tin', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('vat_group_members_tin', ['taxpayer_id', 'tin'])
        .execute();

      await db.schema
        .createTable('branches')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('taxpayer_id', 'text', (c) => c.notNull().references('taxpayers.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('crn', 'text')
        .addColumn('street', 'text', (c) => c.notNull())
        .addColumn('building_number', 'text', (c) => c.notNull())
        .addColumn('district', 'text', (c) => c.notNull())
        .addColumn('city', 'text', (c) => c.notNull())
        .addColumn('postal_code', 'text', (c) => c.notNull())
        .addColumn('short_address', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('branches_name', ['taxpayer_id', 'name'])
        .execute();

      await db.schema
        .createTable('egs_units')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('taxpayer_id', 'text', (c) => c.notNull().references('taxpayers.id'))
        .addColumn('branch_id', 'text', (c) => c.notNull().references('branches.id'))
        .addColumn('member_tin', 'text')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('serial', 'text', (c) => c.notNull())
        .addColumn('generation', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('environment', 'text', (c) => c.notNull())
        .addColumn('organization_unit', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('state_changed_at', 'text', (c) => c.notNull())
        // Chain head for issuing (issue 6): the ICV last used and the hash of that document.
        .addColumn('icv', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('pih', 'text', (c) => c.notNull())
        .addColumn('last_issued_at', 'text')
        .addColumn('replaces_unit_id', 'text', (c) => c.references('egs_units.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('egs_units_serial', ['taxpayer_id', 'serial', 'generation'])
        .execute();
      await db.schema.createIndex('egs_units_state').ifNotExists().on('egs_units').columns(['taxpayer_id', 'state']).execute();

      await db.schema
        .createTable('unit_keys')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('egs_units.id'))
        .addColumn('taxpayer_id', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('public_key_spki', 'text', (c) => c.notNull())
        .addColumn('sealed_private_key', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('csrs')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('egs_units.id'))
        .addColumn('taxpayer_id', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text', (c) => c.notNull().references('unit_keys.id'))
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('pem', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'text')
        // Two runs creating "the next CSR" at once: one wins, the other re-reads it.
        .addUniqueConstraint('csrs_attempt', ['unit_id', 'purpose', 'attempt'])
        .execute();

      await db.schema
        .createTable('csids')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('egs_units.id'))
        .addColumn('taxpayer_id', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text', (c) => c.notNull().references('unit_keys.id'))
        .addColumn('csr_id', 'text', (c) => c.notNull().references('csrs.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('binary_security_token', 'text', (c) => c.notNull())
        .addColumn('sealed_secret', 'text', (c) => c.notNull())
        .addColumn('certificate_serial', 'text', (c) => c.notNull())
        .addColumn('not_before', 'text', (c) => c.notNull())
        .addColumn('not_after', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('promotion_requested_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        // One CSID per CSR and kind: a second answer for the same request can never be stored twice.
        .addUniqueConstraint('csids_csr_kind', ['csr_id', 'kind'])
        .execute();
      await db.schema.createIndex('csids_unit').ifNotExists().on('csids').columns(['unit_id', 'kind', 'status']).execute();

      await db.schema
        .createTable('compliance_steps')
        .ifNotExists()
        .addColumn('csid_id', 'text', (c) => c.notNull().references('csids.id'))
        .addColumn('step', 'text', (c) => c.notNull())
        .addColumn('passed_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('compliance_steps_pk', ['csid_id', 'step'])
        .execute();

      await db.schema
        .createTable('unit_transitions')
        .ifNotExists()
        .addColumn('id', 'integer', serialId(dialect))
        .addColumn('unit_id', 'text', (c) => c.notNull().references('egs_units.id'))
        .addColumn('taxpayer_id', 'text', (c) => c.notNull())
        .addColumn('from_state', 'text')
        .addColumn('to_state', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('unit_transitions_unit').ifNotExists().on('unit_transitions').columns(['unit_id', 'id']).execute();

      await db.schema
        .createTable('zatca_exchanges')
        .ifNotExists()
        .addColumn('id', 'integer', serialId(dialect))
        .addColumn('taxpayer_id', 'text', (c) => c.notNull())
        .addColumn('unit_id', 'text')
        .addColumn('endpoint', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text')
        .addColumn('http_status', 'integer')
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('messages', 'text', (c) => c.notNull())
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('zatca_exchanges_unit').ifNotExists().on('zatca_exchanges').columns(['unit_id', 'id']).execute();

      await db.schema
        .createTable('key_store')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('protection', 'text', (c) => c.notNull())
        .addColumn('salt', 'text')
        .addColumn('check_value', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}

/** Every migration in order; names sort in application order. */
export function fleetMigrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001_fleet': fleetTables(dialect),
    '0002_issuing': issuingTables(dialect),
    '0003_access': accessTables(dialect),
    '0004_sync': syncTables(dialect),
    '0005_replace_guard': replaceGuard(dialect),
    '0007_guards': guardTables(dialect),
    '0008_unit_target': unitTarget(),
    '0009_unit_holds': unitHolds(),
    '0010_prepaid_breakdown': prepaidBreakdown(),
    '0011_sync_trust': syncTrustTables(),
    '0012_key_custody': keyCustody(),
    '0013_console': consoleTables(dialect),
    '0013_console_indexes': consoleIndexes(),
    '0014_sandbox_certificate': sandboxCertificate(),
  };
}

export class InCodeMigrations implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return fleetMigrations(this.dialect);
  }
}

/** Apply every pending migration on `db` (PostgreSQL: `pgSchema` holds Kysely's bookkeeping tables too). */
export async function runMigrator(db: Kysely<any>, dialect: Dialect, pgSchema: string | undefined): Promise<void> {
  // Unordered: numbers are reserved per piece of work, so a store may have applied 0010 before 0009
  // ships; every migration is independent of the ones numbered after it.
  const migrator = new Migrator({
    db,
    provider: new InCodeMigrations(dialect),
    allowUnorderedMigrations: true,
    ...(pgSchema && { migrationTableSchema: pgSchema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`migration ${failed ?? '(unknown)'} failed: ${(error as Error).message ?? String(error)}`, { cause: error });
  }
}
