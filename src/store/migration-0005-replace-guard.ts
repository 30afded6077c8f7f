// SQLite only: a unit that has issued documents cannot lose its row — not even through
// INSERT OR REPLACE, whose implicit delete would otherwise reset the chain head.
import { sql, type Kysely, type Migration } from 'kysely';

type Dialect = 'sqlite' | 'postgres';

export function replaceGuard(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      // PostgreSQL has no REPLACE, and the documents' foreign key already refuses deleting such a unit.
      if (dialect !== 'sqlite') return;
      await sql
        .raw(
          `CREATE TRIGGER IF NOT EXISTS egs_units_keep_chain BEFORE DELETE ON egs_units
           WHEN EXISTS (SELECT 1 FROM documents d WHERE d.unit_id = OLD.id)
           BEGIN SELECT RAISE(ABORT, 'a unit that has issued documents keeps its chain head: it is never deleted or replaced'); END`,
        )
        .execute(db);
    },
  };
}
