// Migration 0009 (issue 17, lifecycle): a unit's short issuing pause while its certificate is switched,
// and the mark ZATCA's refusal of its credentials (401) leaves until an operator confirms or clears it.
import type { Migration } from 'kysely';

export function unitHolds(): Migration {
  return {
    async up(db) {
      // Nullable columns added to the unit row: no stored row changes and no chain-head trigger fires
      // (those watch icv, pih and last_issued_at only).
      await db.schema.alterTable('egs_units').addColumn('issuing_paused_until', 'text').execute();
      await db.schema.alterTable('egs_units').addColumn('issuing_paused_reason', 'text').execute();
      await db.schema.alterTable('egs_units').addColumn('credentials_refused_at', 'text').execute();
      await db.schema.alterTable('egs_units').addColumn('credentials_refused_reason', 'text').execute();
    },
  };
}
