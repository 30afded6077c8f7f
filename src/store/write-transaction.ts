// The one way issuing and the outbox open a write transaction: SQLite takes the write lock up front
// (BEGIN IMMEDIATE: no lock upgrade, no SQLITE_BUSY mid-way), PostgreSQL a normal transaction that
// callers may let run again when its connection is lost before COMMIT.
import { sql, type Kysely } from 'kysely';
import type { Store } from './database.js';
import { asStoreError, isStoreFault } from './faults.js';
import { damagedStoreError } from './integrity.js';
import type { Database } from './schema.js';

/** A small append (an audit row) waiting for a commit: its own, or one of a write transaction already under way. */
interface Rider {
  write(trx: Kysely<Database>): Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

interface Riders {
  waiting: Rider[];
  /** Write transactions begun (or waiting for the connection) and not yet finished. */
  open: number;
  scheduled: boolean;
}

const riders = new WeakMap<Store, Riders>();

function ridersOf(store: Store): Riders {
  let r = riders.get(store);
  if (!r) riders.set(store, (r = { waiting: [], open: 0, scheduled: false }));
  return r;
}

/**
 * Append-only writes that need to be durable but not alone: they join the next write transaction's
 * commit (one fsync for the sale and the audit rows of the requests before it), or — when none is
 * under way — one transaction of their own for all that are waiting. Resolves once committed.
 */
export function rideAlong(store: Store, write: (trx: Kysely<Database>) => Promise<void>): Promise<void> {
  const r = ridersOf(store);
  return new Promise<void>((resolve, reject) => {
    r.waiting.push({ write, resolve, reject });
    scheduleRiders(store, r);
  });
}

function scheduleRiders(store: Store, r: Riders): void {
  if (r.scheduled || r.open > 0) return;
  r.scheduled = true;
  // Let the appends of this turn of the event loop share the commit.
  setImmediate(() => {
    r.scheduled = false;
    // Riders are appends made only through `trx`: running them again after a rollback is safe.
    if (r.open === 0 && r.waiting.length > 0) void transact(store, async () => undefined, false, true).catch(() => undefined);
  });
}

/**
 * Write the waiting riders inside `trx` (a savepoint: a failed rider never sinks the carrier's writes).
 * When the savepoint itself cannot be used (the connection is gone) the riders go back to waiting —
 * never dropped unanswered — and the carrier's transaction fails with it.
 */
async function carry(trx: Kysely<Database>, r: Riders): Promise<Rider[]> {
  const taken = r.waiting.splice(0);
  if (taken.length === 0) return taken;
  const handBack = (error: unknown): never => {
    r.waiting.unshift(...taken);
    throw error;
  };
  await sql`savepoint riders`.execute(trx).catch(handBack);
  try {
    for (const rider of taken) await rider.write(trx);
    await sql`release savepoint riders`.execute(trx);
  } catch (error) {
    await sql`rollback to savepoint riders`.execute(trx).catch(handBack);
    await sql`release savepoint riders`.execute(trx).catch(handBack);
    for (const rider of taken) rider.reject(error);
    return [];
  }
  return taken;
}

/** What a caller promises about its transaction function (see `withWriteTransaction`). */
export interface WriteOptions {
  /**
   * `fn` may run again after a rollback: it only reads and writes through `trx` (no effects outside
   * the transaction it would repeat, no counters kept across runs). Then a PostgreSQL connection
   * lost BEFORE the COMMIT was sent is retried on a fresh connection — PostgreSQL rolled the
   * transaction back, nothing of it exists. A connection lost during COMMIT is never retried here:
   * the commit may or may not have happened, and only the caller knows whether running again is safe.
   */
  rerunOnLostConnection?: boolean;
}

/** Retries after a lost connection, and the pause before each (the pool drops the dead clients meanwhile). */
const LOST_CONNECTION_PAUSES_MS = [20, 200];

/**
 * Run `fn` in one transaction that commits all its writes or none. On SQLite the connection is
 * held for the whole call, so nothing else of this process interleaves, and other processes wait
 * (busy timeout) instead of failing on a read-to-write upgrade. Waiting riders commit with it.
 */
export function withWriteTransaction<T>(store: Store, fn: (trx: Kysely<Database>) => Promise<T>, options: WriteOptions = {}): Promise<T> {
  return transact(store, fn, true, options.rerunOnLostConnection === true);
}

async function transact<T>(store: Store, fn: (trx: Kysely<Database>) => Promise<T>, carrier: boolean, rerun: boolean): Promise<T> {
  const r = ridersOf(store);
  // A store found damaged by its integrity check takes no more writes: nothing may be chained onto it.
  if (store.integrity.state === 'damaged') {
    const error = damagedStoreError(store.integrity, store.location);
    for (const rider of r.waiting.splice(0)) rider.reject(error);
    throw error;
  }
  r.open++;
  try {
    for (let attempt = 0; ; attempt++) {
      let carried: Rider[] = [];
      const phase = { commitSent: false };
      try {
        const result = await run(store, phase, async (trx) => {
          const value = await fn(trx);
          carried = await carry(trx, r);
          return value;
        });
        for (const rider of carried) rider.resolve();
        return result;
      } catch (error) {
        const pause = LOST_CONNECTION_PAUSES_MS[attempt];
        if (rerun && pause !== undefined && !phase.commitSent && isLostConnection(error)) {
          // Rolled back by PostgreSQL with the connection: the riders wait again, fn runs again.
          r.waiting.unshift(...carried);
          await new Promise((resolve) => setTimeout(resolve, pause));
          continue;
        }
        // The commit failed: the riders were not written. Carried by another's transaction, they try
        // again on their own; failing in their own, they fail (the caller hears it, as before).
        if (carrier) r.waiting.unshift(...carried);
        else for (const rider of [...carried, ...r.waiting.splice(0)]) rider.reject(error);
        throw error;
      }
    }
  } finally {
    r.open--;
    if (r.waiting.length > 0) scheduleRiders(store, r);
  }
}

/** A PostgreSQL connection that dropped (terminated, restarted, unreachable): the transaction on it is gone. */
function isLostConnection(error: unknown): boolean {
  return isStoreFault(asStoreError(error), 'UNREACHABLE');
}

async function run<T>(store: Store, phase: { commitSent: boolean }, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  // PostgreSQL: BEGIN … COMMIT by hand (not Kysely's transaction()) so a failure is known to have
  // happened before or during the COMMIT — only the first may be retried (see WriteOptions).
  return store.db.connection().execute(async (conn) => {
    await sql.raw(store.dialect === 'postgres' ? 'begin' : 'begin immediate').execute(conn);
    let result: T;
    try {
      result = await fn(conn);
    } catch (error) {
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw error;
    }
    phase.commitSent = true;
    await sql`commit`.execute(conn);
    return result;
  });
}
