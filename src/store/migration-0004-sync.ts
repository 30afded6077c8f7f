// Migration 0004 (issue 7, distributed model): branch sync tokens, per-branch reporting settings,
// received batches (idempotency), chain incidents, and the branch node's own record of what it pushed.
import type { Kysely, Migration } from 'kysely';

type Dialect = 'sqlite' | 'postgres';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's column builder type is internal
const serialId = (dialect: Dialect) => (c: any) => (dialect === 'postgres' ? c.generatedByDefaultAsIdentity().primaryKey() : c.autoIncrement().primaryKey());

export function syncTables(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      // Head office: a token a branch node presents; bound to one branch, never to a person.
      await db.schema
        .createTable('sync_tokens')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('taxpayer_id', 'text', (c) => c.notNull().references('taxpayers.id'))
        .addColumn('branch_id', 'text', (c) => c.notNull().references('branches.id'))
        .addColumn('token_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text')
        .addColumn('revoked_at', 'text')
        .addColumn('last_used_at', 'text')
        .execute();

      // Head office: how each branch reports (direct or relayed by head office) and where it stands.
      await db.schema
        .createTable('sync_branches')
        .ifNotExists()
        .addColumn('branch_id', 'text', (c) => c.primaryKey().references('branches.id'))
        .addColumn('taxpayer_id', 'text', (c) => c.notNull())
        .addColumn('reporting', 'text', (c) => c.notNull())
        .addColumn('relay_unit_id', 'text', (c) => c.references('egs_units.id'))
        .addColumn('node_name', 'text')
        .addColumn('last_sync_at', 'text')
        .addColumn('last_batch_id', 'text')
        .addColumn('reported_heads', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      // Head office: units registered from a branch's synced data (never signed for here).
      await db.schema
        .createTable('sync_units')
        .ifNotExists()
        .addColumn('unit_id', 'text', (c) => c.primaryKey().references('egs_units.id'))
        .addColumn('taxpayer_id', 'text', (c) => c.notNull())
        .addColumn('branch_id', 'text', (c) => c.notNull())
        .addColumn('first_synced_at', 'text', (c) => c.notNull())
        .execute();

      // Head office: every batch accepted, so the same batch again is answered, not applied twice.
      await db.schema
        .createTable('sync_batches')
        .ifNotExists()
        .addColumn('branch_id', 'text', (c) => c.notNull())
        .addColumn('batch_id', 'text', (c) => c.notNull())
        .addColumn('taxpayer_id', 'text', (c) => c.notNull())
        .addColumn('documents', 'integer', (c) => c.notNull())
        .addColumn('stored', 'integer', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('sync_batches_pk', ['branch_id', 'batch_id'])
        .execute();

      // Head office: forks, gaps and invalid documents a branch sent (kept even though the batch was refused).
      await db.schema
        .createTable('sync_incidents')
        .ifNotExists()
        .addColumn('id', 'integer', serialId(dialect))
        .addColumn('taxpayer_id', 'text', (c) => c.notNull())
        .addColumn('branch_id', 'text', (c) => c.notNull())
        .addColumn('unit_serial', 'text', (c) => c.notNull())
        .addColumn('icv', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('stored_hash', 'text')
        .addColumn('received_hash', 'text')
        .addColumn('batch_id', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sync_incidents_branch').ifNotExists().on('sync_incidents').columns(['taxpayer_id', 'branch_id', 'id']).execute();

      // Branch node: documents head office has acknowledged, who claimed their submission, and the
      // submission state head office last heard of.
      await db.schema
        .createTable('sync_pushed')
        .ifNotExists()
        .addColumn('document_id', 'text', (c) => c.primaryKey().references('documents.id'))
        .addColumn('taxpayer_id', 'text', (c) => c.notNull())
        .addColumn('unit_id', 'text', (c) => c.notNull())
        .addColumn('icv', 'integer', (c) => c.notNull())
        .addColumn('claim', 'text', (c) => c.notNull())
        .addColumn('acked_state', 'text', (c) => c.notNull())
        .addColumn('acked_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sync_pushed_unit').ifNotExists().on('sync_pushed').columns(['unit_id', 'icv']).execute();

      // Branch node: what it learned from head office (reporting mode) and its last sync.
      await db.schema
        .createTable('sync_node')
        .ifNotExists()
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
