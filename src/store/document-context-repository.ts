// What head office records beside a document without signing it (migration 0013): who made the sale
// (operator, calling token), the device's clock against ours, and branch nodes' clock offsets.
import type { Kysely } from 'kysely';
import { consoleDb, type ClockOffsetsTable, type DocumentContextTable } from './migration-0013-console.js';

// biome-ignore lint/suspicious/noExplicitAny: the store's shared Database type does not list 0013's tables
type Db = Kysely<any>;

/** One row per issued document; a replayed sale (same UUID) keeps the first row. */
export async function recordContext(db: Db, row: DocumentContextTable): Promise<void> {
  await consoleDb(db)
    .insertInto('document_context')
    .values(row)
    .onConflict((oc) => oc.column('document_id').doNothing())
    .execute();
}

export function findContext(db: Db, documentId: string): Promise<DocumentContextTable | undefined> {
  return consoleDb(db).selectFrom('document_context').selectAll().where('document_id', '=', documentId).executeTakeFirst();
}

export async function recordClockOffset(db: Db, row: Omit<ClockOffsetsTable, 'id'>): Promise<void> {
  await consoleDb(db)
    .insertInto('clock_offsets')
    .values(row as ClockOffsetsTable)
    .execute();
}

export interface UnitDrift {
  unit_id: string;
  received_at: string;
  drift_ms: number;
}

/** Each unit's latest clock reading since an instant (the newest per unit), for the drift watch. */
export async function latestDrifts(db: Db, taxpayerId: string, since: string): Promise<UnitDrift[]> {
  const rows = await consoleDb(db)
    .selectFrom('document_context')
    .select(['unit_id', 'received_at', 'drift_ms'])
    .where('taxpayer_id', '=', taxpayerId)
    .where('received_at', '>=', since)
    .where('drift_ms', 'is not', null)
    .orderBy('received_at', 'desc')
    .limit(10_000)
    .execute();
  const seen = new Map<string, UnitDrift>();
  for (const r of rows) if (!seen.has(r.unit_id)) seen.set(r.unit_id, { unit_id: r.unit_id, received_at: r.received_at, drift_ms: Number(r.drift_ms) });
  return [...seen.values()];
}

/** Each branch node's latest reported clock offset. */
export async function latestOffsets(db: Db, taxpayerId: string): Promise<ClockOffsetsTable[]> {
  const rows = await consoleDb(db).selectFrom('clock_offsets').selectAll().where('taxpayer_id', '=', taxpayerId).orderBy('id', 'desc').limit(1000).execute();
  const seen = new Map<string, ClockOffsetsTable>();
  for (const r of rows) if (!seen.has(r.branch_id)) seen.set(r.branch_id, { ...r, offset_ms: Number(r.offset_ms) });
  return [...seen.values()];
}
