// Throttle counters (login_throttle): one row per counted key, changed only by an atomic
// read-modify-write, so parallel attempts are counted one by one and none slips past a limit.
import type { ThrottleRow } from './access-schema.js';
import type { Store } from './database.js';
import { withWriteTransaction } from './write-transaction.js';

/** A key's new values, or `null` to delete its row; keys left out of the answer are not changed. */
export type ThrottleWrites = Map<string, Omit<ThrottleRow, 'key'> | null>;

/**
 * Read the keys' rows (absent keys are missing from the map) and change them in one write
 * transaction: SQLite holds the write lock from the read on (BEGIN IMMEDIATE), PostgreSQL the row
 * locks (SELECT … FOR UPDATE on rows inserted empty first, in key order, so two first attempts
 * cannot both read "absent" and two callers never wait on each other in a circle).
 */
export function changeThrottles<T>(
  store: Store,
  keys: readonly string[],
  change: (rows: ReadonlyMap<string, ThrottleRow>) => { writes: ThrottleWrites; result: T },
): Promise<T> {
  const sorted = [...new Set(keys)].sort();
  return withWriteTransaction(store, async (trx) => {
    let rows: ThrottleRow[];
    if (store.dialect === 'postgres') {
      await trx
        .insertInto('login_throttle')
        .values(sorted.map((key) => ({ key, failures: 0, locked_until: null, last_failure_at: '' })))
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
      rows = await trx.selectFrom('login_throttle').selectAll().where('key', 'in', sorted).orderBy('key').forUpdate().execute();
    } else {
      rows = await trx.selectFrom('login_throttle').selectAll().where('key', 'in', sorted).execute();
    }
    // An empty row (PostgreSQL's placeholder) is no row.
    const { writes, result } = change(new Map(rows.filter((r) => r.failures > 0).map((r) => [r.key, r])));
    for (const [key, values] of writes) {
      if (values === null) await trx.deleteFrom('login_throttle').where('key', '=', key).execute();
      else
        await trx
          .insertInto('login_throttle')
          .values({ key, ...values })
          .onConflict((oc) => oc.column('key').doUpdateSet(values))
          .execute();
    }
    return result;
  });
}
