// The one way issuing and the outbox open a write transaction: SQLite takes the write lock up front
// (BEGIN IMMEDIATE: no lock upgrade, no SQLITE_BUSY mid-way), PostgreSQL a normal transaction.
import { sql, type Kysely } from 'kysely';
import type { Store } from './database.js';
import type { Database } from './schema.js';

/**
 * Run `fn` in one transaction that commits all its writes or none. On SQLite the connection is
 * held for the whole call, so nothing else of this process interleaves, and other processes wait
 * (busy timeout) instead of failing on a read-to-write upgrade.
 */
export async function withWriteTransaction<T>(store: Store, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  if (store.dialect === 'postgres') return store.db.transaction().execute(fn);
  return store.db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    let result: T;
    try {
      result = await fn(conn);
    } catch (error) {
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw error;
    }
    await sql`commit`.execute(conn);
    return result;
  });
}
