// Migration 0011 (issue 10): what head office trusts from branches — unit enrolments an administrator
// approves (with the certificate checked), and ZATCA's issuing-CA and stamp certificates per environment.
import type { Kysely, Migration } from 'kysely';

export function syncTrustTables(): Migration {
  return {
    async up(db: Kysely<any>) {
      // A branch's request to have one of its units (and that unit's certificate) known here.
      await db.schema
        .createTable('sync_enrolments')
        .ifNotExists()
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('taxpayer_id', 'text', (c) => c.notNull().references('taxpayers.id'))
        .addColumn('branch_id', 'text', (c) => c.notNull().references('branches.id'))
        .addColumn('serial', 'text', (c) => c.notNull())
        .addColumn('generation', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('environment', 'text', (c) => c.notNull())
        /** base64 DER of the unit's production certificate (public). */
        .addColumn('certificate', 'text', (c) => c.notNull())
        .addColumn('certificate_serial', 'text', (c) => c.notNull())
        .addColumn('not_before', 'text', (c) => c.notNull())
        .addColumn('not_after', 'text', (c) => c.notNull())
        /** JSON list of the checks head office ran on the certificate and their outcome. */
        .addColumn('checks', 'text', (c) => c.notNull())
        /** `pending`, `approved`, `refused`. */
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('unit_id', 'text', (c) => c.references('egs_units.id'))
        .addColumn('requested_at', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('decided_at', 'text')
        .addColumn('decided_by', 'text')
        .addUniqueConstraint('sync_enrolments_certificate', ['taxpayer_id', 'serial', 'generation', 'certificate_serial'])
        .execute();
      await db.schema.createIndex('sync_enrolments_unit').ifNotExists().on('sync_enrolments').columns(['unit_id', 'state']).execute();

      // Certificates of ZATCA's own authorities an administrator (or the simulator) made known.
      await db.schema
        .createTable('zatca_authorities')
        .ifNotExists()
        .addColumn('environment', 'text', (c) => c.notNull())
        /** `issuing-ca` (signs units' certificates) or `stamp` (stamps cleared documents). */
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('certificate', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('not_after', 'text', (c) => c.notNull())
        .addColumn('added_at', 'text', (c) => c.notNull())
        .addColumn('added_by', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('zatca_authorities_pk', ['environment', 'kind', 'certificate'])
        .execute();
    },
  };
}
