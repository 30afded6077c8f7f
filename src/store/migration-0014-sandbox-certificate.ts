// Migration 0014 (issue 11): a CSID may be the developer-portal sandbox's canned certificate, which
// does not certify the unit's key; the flag keeps such a credential usable in the sandbox only.
import type { Migration } from 'kysely';

export function sandboxCertificate(): Migration {
  return {
    async up(db) {
      // 0 for every CSID stored before: each of those certifies its unit's own key (storeCsid checked it).
      await db.schema
        .alterTable('csids')
        .addColumn('sandbox_only', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  };
}
