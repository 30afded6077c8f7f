// Queries for issued documents and their cleared versions: insert-only (the database refuses any
// change), the unit's chain head under a lock, and keyset pages for the auditor.
import type { Kysely } from 'kysely';
import type { StoreDialect } from './database.js';
import type { Database, DocumentClearance, DocumentClearancesTable, DocumentsTable, EgsUnit, IssuedDocument } from './schema.js';

type Db = Kysely<Database>;

/**
 * The units' rows inside a write transaction, locked for the rest of it on PostgreSQL (row lock,
 * taken in id order so two batches never deadlock); SQLite already holds the single write lock.
 */
export async function lockUnits(trx: Db, dialect: StoreDialect, taxpayerIds: readonly string[], unitIds: readonly string[]): Promise<Map<string, EgsUnit>> {
  const ids = [...new Set(unitIds)].sort();
  // `IN ()` is a syntax error on PostgreSQL (SQLite accepts it): a sync batch may name no unit at all.
  if (ids.length === 0) return new Map();
  let q = trx
    .selectFrom('egs_units')
    .selectAll()
    .where('id', 'in', ids)
    .where('taxpayer_id', 'in', [...new Set(taxpayerIds)])
    .orderBy('id');
  if (dialect === 'postgres') q = q.forUpdate();
  const rows = await q.execute();
  return new Map(rows.map((r) => [r.id, r]));
}

export async function advanceHead(trx: Db, unit: Pick<EgsUnit, 'id' | 'taxpayer_id'>, head: { icv: number; pih: string; lastIssuedAt: string }): Promise<void> {
  await trx
    .updateTable('egs_units')
    .set({ icv: head.icv, pih: head.pih, last_issued_at: head.lastIssuedAt })
    .where('id', '=', unit.id)
    .where('taxpayer_id', '=', unit.taxpayer_id)
    .execute();
}

export async function insertDocument(trx: Db, row: DocumentsTable): Promise<void> {
  await trx.insertInto('documents').values(row).execute();
}

/** Several documents in one statement (a group commit), in the order given. */
export async function insertDocuments(trx: Db, rows: readonly DocumentsTable[]): Promise<void> {
  if (rows.length > 0)
    await trx
      .insertInto('documents')
      .values([...rows])
      .execute();
}

export function findByNumbers(db: Db, taxpayerId: string, numbers: readonly string[]): Promise<IssuedDocument[]> {
  if (numbers.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('documents')
    .selectAll()
    .where('taxpayer_id', '=', taxpayerId)
    .where('number', 'in', [...numbers])
    .execute();
}

export function findByUuids(db: Db, taxpayerId: string, uuids: readonly string[]): Promise<IssuedDocument[]> {
  if (uuids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('documents')
    .selectAll()
    .where('taxpayer_id', '=', taxpayerId)
    .where('uuid', 'in', [...uuids])
    .execute();
}

export function findByNumber(db: Db, taxpayerId: string, number: string): Promise<IssuedDocument | undefined> {
  return db.selectFrom('documents').selectAll().where('taxpayer_id', '=', taxpayerId).where('number', '=', number).executeTakeFirst();
}

/** A document of the taxpayer by our id, its UUID or its number. */
export function findDocument(db: Db, taxpayerId: string, ref: string): Promise<IssuedDocument | undefined> {
  return db
    .selectFrom('documents')
    .selectAll()
    .where('taxpayer_id', '=', taxpayerId)
    .where((eb) => eb.or([eb('id', '=', ref), eb('uuid', '=', ref), eb('number', '=', ref)]))
    .executeTakeFirst();
}

export function findById(db: Db, id: string): Promise<IssuedDocument | undefined> {
  return db.selectFrom('documents').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Notes already issued against a document (credit and debit), for the partial-return bound. */
export function notesAgainst(
  db: Db,
  taxpayerId: string,
  originalId: string,
): Promise<Array<Pick<IssuedDocument, 'document_type' | 'tax_exclusive_amount' | 'currency'>>> {
  return db
    .selectFrom('documents')
    .select(['document_type', 'tax_exclusive_amount', 'currency'])
    .where('taxpayer_id', '=', taxpayerId)
    .where('original_document_id', '=', originalId)
    .execute();
}

/** Up to `limit` documents of one unit after `afterIcv`, in chain order (keyset paging). */
export function unitChainPage(db: Db, taxpayerId: string, unitId: string, afterIcv: number, limit: number): Promise<IssuedDocument[]> {
  return db
    .selectFrom('documents')
    .selectAll()
    .where('taxpayer_id', '=', taxpayerId)
    .where('unit_id', '=', unitId)
    .where('icv', '>', afterIcv)
    .orderBy('icv')
    .limit(limit)
    .execute();
}

export async function countDocuments(db: Db, taxpayerId: string, unitId?: string): Promise<number> {
  let q = db
    .selectFrom('documents')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('taxpayer_id', '=', taxpayerId);
  if (unitId) q = q.where('unit_id', '=', unitId);
  return Number((await q.executeTakeFirst())?.n ?? 0);
}

/** UUIDs used more than once by the taxpayer (the unique index makes this empty; the auditor asks anyway). */
export function repeatedUuids(db: Db, taxpayerId: string): Promise<Array<{ uuid: string; n: number }>> {
  return db
    .selectFrom('documents')
    .select((eb) => ['uuid', eb.fn.countAll<number>().as('n')])
    .where('taxpayer_id', '=', taxpayerId)
    .groupBy('uuid')
    .having((eb) => eb.fn.countAll(), '>', 1)
    .execute();
}

/**
 * Store ZATCA's cleared document once; a second answer for the same document keeps the first. Looked
 * up first rather than `ON CONFLICT DO NOTHING`: SQLite's guard (migration 0007) refuses any insert
 * that collides with a stored row, since REPLACE would otherwise slip through the same door.
 */
export async function insertClearance(db: Db, row: DocumentClearancesTable): Promise<void> {
  if (await findClearance(db, row.document_id)) return;
  await db.insertInto('document_clearances').values(row).execute();
}

export function findClearance(db: Db, documentId: string): Promise<DocumentClearance | undefined> {
  return db.selectFrom('document_clearances').selectAll().where('document_id', '=', documentId).executeTakeFirst();
}

/** The document a unit's chain holds at one ICV. */
/** The stored XML of documents by id, read back in the transaction that wrote them. */
export async function xmlOfDocuments(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  const rows =
    ids.length === 0
      ? []
      : await db
          .selectFrom('documents')
          .select(['id', 'xml'])
          .where('id', 'in', [...ids])
          .execute();
  return new Map(rows.map((r) => [r.id, r.xml]));
}

export function findAtIcv(db: Db, unitId: string, icv: number): Promise<IssuedDocument | undefined> {
  return db.selectFrom('documents').selectAll().where('unit_id', '=', unitId).where('icv', '=', icv).executeTakeFirst();
}
