// The ZATCA exchange log and the key-store descriptor: append-only records an auditor reads.
// Rows here never hold a secret; callers pass redacted messages only.
import type { Kysely } from 'kysely';
import type { Database, KeyStoreTable, ZatcaExchange, ZatcaExchangesTable } from './schema.js';

type Db = Kysely<Database>;

export async function insertExchange(db: Db, row: Omit<ZatcaExchangesTable, 'id'>): Promise<void> {
  await db.insertInto('zatca_exchanges').values(row).execute();
}

/**
 * A unit's (or taxpayer's) exchanges in order. `sent` markers — written before a production-CSID
 * request leaves, so a lost answer can be told from a refusal — are left out unless asked for.
 */
export function listExchanges(db: Db, taxpayerId: string, unitId?: string, options: { withSentMarkers?: boolean } = {}): Promise<ZatcaExchange[]> {
  let q = db.selectFrom('zatca_exchanges').selectAll().where('taxpayer_id', '=', taxpayerId);
  if (unitId) q = q.where('unit_id', '=', unitId);
  if (!options.withSentMarkers) q = q.where('outcome', '<>', 'sent');
  return q.orderBy('id').execute();
}

/** A unit's latest exchanges, newest first (the console's unit page). */
export function recentExchanges(db: Db, taxpayerId: string, unitId: string, limit: number): Promise<ZatcaExchange[]> {
  return db
    .selectFrom('zatca_exchanges')
    .selectAll()
    .where('taxpayer_id', '=', taxpayerId)
    .where('unit_id', '=', unitId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export function readKeyStore(db: Db): Promise<KeyStoreTable | undefined> {
  return db.selectFrom('key_store').selectAll().where('id', '=', 'kek').executeTakeFirst();
}

/** Create the descriptor unless another process did first; returns the one that won. */
export async function initKeyStore(db: Db, row: KeyStoreTable): Promise<KeyStoreTable> {
  await db
    .insertInto('key_store')
    .values(row)
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  return (await readKeyStore(db))!;
}
