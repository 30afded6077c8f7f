// The one way issuing and the outbox open a write transaction: SQLite takes the write lock up front
// (BEGIN IMMEDIATE: no lock upgrade, no SQLITE_BUSY mid-way), PostgreSQL a normal transaction.
import { sql, type Kysely } from 'kysely';
import type { Store } from './database.js';
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
    if (r.open === 0 && r.waiting.length > 0) void transact(store, async () => undefined, false).catch(() => undefined);
  });
}

/** Write the waiting riders inside `trx` (a savepoint: a failed rider never sinks the carrier's writes). */
async function carry(trx: Kysely<Database>, r: Riders): Promise<Rider[]> {
  const taken = r.waiting.splice(0);
  if (taken.length === 0) return taken;
  await sql`savepoint riders`.execute(trx);
  try {
    for (const rider of taken) await rider.write(trx);
    await sql`release savepoint riders`.execute(trx);
  } catch (error) {
    await sql`rollback to savepoint riders`.execute(trx);
    await sql`release savepoint riders`.execute(trx);
    for (const rider of taken) rider.reject(error);
    return [];
  }
  return taken;
}

/**
 * Run `fn` in one transaction that commits all its writes or none. On SQLite the connection is
 * held for the whole call, so nothing else of this process interleaves, and other processes wait
 * (busy timeout) instead of failing on a read-to-write upgrade. Waiting riders commit with it.
 */
export function withWriteTransaction<T>(store: Store, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return transact(store, fn, true);
}

async function transact<T>(store: Store, fn: (trx: Kysely<Database>) => Promise<T>, carrier: boolean): Promise<T> {
  const r = ridersOf(store);
  // A store found damaged by its integrity check takes no more writes: nothing may be chained onto it.
  if (store.integrity.state === 'damaged') {
    const error = damagedStoreError(store.integrity, store.location);
    for (const rider of r.waiting.splice(0)) rider.reject(error);
    throw error;
  }
  r.open++;
  let carried: Rider[] = [];
  try {
    const result = await run(store, async (trx) => {
      const value = await fn(trx);
      carried = await carry(trx, r);
      return value;
    });
    for (const rider of carried) rider.resolve();
    return result;
  } catch (error) {
    // The commit failed: the riders were not written. Carried by another's transaction, they try
    // again on their own; failing in their own, they fail (the caller hears it, as before).
    if (carrier) r.waiting.unshift(...carried);
    else for (const rider of [...carried, ...r.waiting.splice(0)]) rider.reject(error);
    throw error;
  } finally {
    r.open--;
    if (r.waiting.length > 0) scheduleRiders(store, r);
  }
}

async function run<T>(store: Store, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
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
