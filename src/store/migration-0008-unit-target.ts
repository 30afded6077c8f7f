// Migration 0008 (issue 11): each EGS unit's ZATCA target — the base URL of the gateway (or the
// simulator) its environment is reached at — so the CLI and the server always talk to the same place.
import type { Migration } from 'kysely';

export function unitTarget(): Migration {
  return {
    async up(db) {
      // Nullable: units registered before this migration have no recorded target; for them the
      // command's --zatca / FAWTARA_ZATCA (default: the local simulator) still decides, as before.
      await db.schema.alterTable('egs_units').addColumn('zatca_base_url', 'text').execute();
    },
  };
}
