// Head office's and the branch node's sync records: units synced from branches, branch settings,
// received batches, incidents, sync tokens, and the node's own record of what it pushed.
import type { Kysely } from 'kysely';
import type { Database, SubmissionsTable } from './schema.js';
import { syncDb, type SyncBatchesTable, type SyncBranchesTable, type SyncIncidentsTable, type SyncTokensTable } from './sync-schema.js';

type Db = Kysely<Database>;

// --- units synced from branches -----------------------------------------------------------------

/** unit id → the branch whose node syncs it (units absent from the map are head office's own). */
export async function branchesOfUnits(db: Db, unitIds: readonly string[]): Promise<Map<string, string>> {
  if (unitIds.length === 0) return new Map();
  const rows = await syncDb(db)
    .selectFrom('sync_units')
    .select(['unit_id', 'branch_id'])
    .where('unit_id', 'in', [...unitIds])
    .execute();
  return new Map(rows.map((r) => [r.unit_id, r.branch_id]));
}

/**
 * For a unit synced from a branch: the relay unit set for its branch (null when none is set); undefined
 * for head office's own units, which submit with their own CSID.
 */
export async function relayUnitOf(db: Db, unitId: string): Promise<string | null | undefined> {
  const link = await syncDb(db)
    .selectFrom('sync_units')
    .leftJoin('sync_branches', 'sync_branches.branch_id', 'sync_units.branch_id')
    .select(['sync_branches.relay_unit_id'])
    .where('sync_units.unit_id', '=', unitId)
    .executeTakeFirst();
  return link ? (link.relay_unit_id ?? null) : undefined;
}

export async function linkUnit(db: Db, row: { unit_id: string; taxpayer_id: string; branch_id: string; first_synced_at: string }): Promise<void> {
  await syncDb(db).insertInto('sync_units').values(row).execute();
}

// --- incidents ------------------------------------------------------------------------------------

export async function insertIncident(db: Db, row: Omit<SyncIncidentsTable, 'id'>): Promise<void> {
  await syncDb(db).insertInto('sync_incidents').values(row).execute();
}

export function listIncidents(db: Db, taxpayerId: string, branchId?: string, limit = 200) {
  let q = syncDb(db).selectFrom('sync_incidents').selectAll().where('taxpayer_id', '=', taxpayerId).orderBy('id', 'desc').limit(limit);
  if (branchId) q = q.where('branch_id', '=', branchId);
  return q.execute();
}

export async function countIncidents(db: Db, branchId: string): Promise<number> {
  const r = await syncDb(db)
    .selectFrom('sync_incidents')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('branch_id', '=', branchId)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

// --- sync tokens ----------------------------------------------------------------------------------

export async function insertToken(db: Db, row: SyncTokensTable): Promise<void> {
  await syncDb(db).insertInto('sync_tokens').values(row).execute();
}

export function findToken(db: Db, id: string) {
  return syncDb(db).selectFrom('sync_tokens').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function touchToken(db: Db, id: string, at: string): Promise<void> {
  await syncDb(db).updateTable('sync_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
}

export function listTokens(db: Db, taxpayerId: string, branchId?: string) {
  let q = syncDb(db)
    .selectFrom('sync_tokens')
    .select(['id', 'name', 'branch_id', 'created_at', 'created_by', 'expires_at', 'revoked_at', 'last_used_at'])
    .where('taxpayer_id', '=', taxpayerId)
    .orderBy('created_at', 'desc')
    .limit(500);
  if (branchId) q = q.where('branch_id', '=', branchId);
  return q.execute();
}

/** Revoke once: true when this call revoked it. */
export async function revokeToken(db: Db, taxpayerId: string, id: string, at: string): Promise<boolean> {
  const r = await syncDb(db)
    .updateTable('sync_tokens')
    .set({ revoked_at: at })
    .where('taxpayer_id', '=', taxpayerId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

// --- received batches and branch settings -------------------------------------------------------

export async function batchSeen(db: Db, branchId: string, batchId: string): Promise<boolean> {
  return !!(await syncDb(db)
    .selectFrom('sync_batches')
    .select('batch_id')
    .where('branch_id', '=', branchId)
    .where('batch_id', '=', batchId)
    .executeTakeFirst());
}

export async function insertBatch(db: Db, row: SyncBatchesTable): Promise<void> {
  await syncDb(db).insertInto('sync_batches').values(row).execute();
}

export function findBranchSettings(db: Db, branchId: string) {
  return syncDb(db).selectFrom('sync_branches').selectAll().where('branch_id', '=', branchId).executeTakeFirst();
}

/** Create the branch's row with defaults, or update the given columns. */
export async function upsertBranchSettings(
  db: Db,
  taxpayerId: string,
  branchId: string,
  patch: Partial<Omit<SyncBranchesTable, 'branch_id' | 'taxpayer_id'>> & { updated_at: string },
): Promise<void> {
  if (await findBranchSettings(db, branchId)) {
    await syncDb(db).updateTable('sync_branches').set(patch).where('branch_id', '=', branchId).execute();
    return;
  }
  await syncDb(db)
    .insertInto('sync_branches')
    .values({
      branch_id: branchId,
      taxpayer_id: taxpayerId,
      reporting: 'direct',
      relay_unit_id: null,
      node_name: null,
      last_sync_at: null,
      last_batch_id: null,
      reported_heads: '[]',
      ...patch,
    })
    .execute();
}

/** The chain heads head office holds for a branch's units. */
export async function branchHeads(db: Db, branchId: string) {
  return syncDb(db)
    .selectFrom('egs_units')
    .innerJoin('sync_units', 'sync_units.unit_id', 'egs_units.id')
    .select(['egs_units.serial', 'egs_units.generation', 'egs_units.name', 'egs_units.icv', 'egs_units.pih'])
    .where('sync_units.branch_id', '=', branchId)
    .orderBy('egs_units.serial')
    .execute();
}

/** A branch's document by UUID with its submission (only the branch's own units). */
export function branchDocumentByUuid(db: Db, taxpayerId: string, branchId: string, uuid: string) {
  return syncDb(db)
    .selectFrom('documents')
    .innerJoin('sync_units', 'sync_units.unit_id', 'documents.unit_id')
    .innerJoin('submissions', 'submissions.document_id', 'documents.id')
    .select(['documents.id', 'documents.taxpayer_id', 'documents.unit_id', 'documents.kind', 'documents.uuid', 'documents.invoice_hash', 'submissions.state'])
    .where('documents.taxpayer_id', '=', taxpayerId)
    .where('documents.uuid', '=', uuid)
    .where('sync_units.branch_id', '=', branchId)
    .executeTakeFirst();
}

/** Move a branch-claimed submission to its final state, once (compare-and-set on `fromState`). */
export async function finishBranchSubmission(db: Db, documentId: string, fromState: string, patch: Partial<SubmissionsTable>): Promise<boolean> {
  const r = await syncDb(db).updateTable('submissions').set(patch).where('document_id', '=', documentId).where('state', '=', fromState).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function countBranchSubmissions(db: Db, branchId: string, state: string): Promise<number> {
  const r = await syncDb(db)
    .selectFrom('submissions')
    .innerJoin('sync_units', 'sync_units.unit_id', 'submissions.unit_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('sync_units.branch_id', '=', branchId)
    .where('submissions.state', '=', state)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** Outcomes of documents head office relayed for a branch (final states only). */
export function relayedOutcomes(db: Db, taxpayerId: string, branchId: string, uuids: readonly string[], finalStates: readonly string[]) {
  return syncDb(db)
    .selectFrom('documents')
    .innerJoin('sync_units', 'sync_units.unit_id', 'documents.unit_id')
    .innerJoin('submissions', 'submissions.document_id', 'documents.id')
    .leftJoin('document_clearances', 'document_clearances.document_id', 'documents.id')
    .select([
      'documents.uuid',
      'submissions.state',
      'submissions.endpoint',
      'submissions.attempts',
      'submissions.last_outcome',
      'submissions.last_http_status',
      'submissions.last_message',
      'submissions.accepted_at',
      'submissions.late',
      'submissions.duplicate',
      'document_clearances.xml as cleared',
    ])
    .where('documents.taxpayer_id', '=', taxpayerId)
    .where('sync_units.branch_id', '=', branchId)
    .where('documents.uuid', 'in', [...uuids])
    .where('submissions.state', 'in', [...finalStates])
    .execute();
}

/** Head office's view of each branch: settings, node, last sync (left join: branches without sync too). */
export function branchSyncRows(db: Db, taxpayerId: string, branchId?: string) {
  let q = syncDb(db)
    .selectFrom('branches')
    .leftJoin('sync_branches', 'sync_branches.branch_id', 'branches.id')
    .leftJoin('egs_units as relay', 'relay.id', 'sync_branches.relay_unit_id')
    .select([
      'branches.id',
      'branches.name',
      'sync_branches.reporting',
      'relay.name as relay_name',
      'sync_branches.node_name',
      'sync_branches.last_sync_at',
      'sync_branches.last_batch_id',
      'sync_branches.reported_heads',
    ])
    .where('branches.taxpayer_id', '=', taxpayerId)
    .orderBy('branches.name');
  if (branchId) q = q.where('branches.id', '=', branchId);
  return q.execute();
}

// --- the branch node's own record ---------------------------------------------------------------

export async function nodeValue(db: Db, key: string): Promise<string | undefined> {
  return (await syncDb(db).selectFrom('sync_node').select('value').where('key', '=', key).executeTakeFirst())?.value;
}

export async function setNodeValue(db: Db, key: string, value: string, now: string): Promise<void> {
  if ((await nodeValue(db, key)) === undefined) await syncDb(db).insertInto('sync_node').values({ key, value, updated_at: now }).execute();
  else await syncDb(db).updateTable('sync_node').set({ value, updated_at: now }).where('key', '=', key).execute();
}
