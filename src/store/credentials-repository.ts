// Queries for a unit's sealed keys, CSRs, CSIDs and passed compliance steps, scoped to the
// taxpayer and the unit: a key or CSID is only ever read together with the unit that owns it.
import type { Kysely } from 'kysely';
import type { Csid, CsidsTable, Csr, CsrsTable, Database, UnitKey, UnitKeysTable } from './schema.js';

type Db = Kysely<Database>;

export interface UnitScope {
  taxpayerId: string;
  unitId: string;
}

export async function insertKey(db: Db, row: UnitKeysTable): Promise<UnitKey> {
  await db.insertInto('unit_keys').values(row).execute();
  return row;
}

export function findKey(db: Db, scope: UnitScope, keyId: string): Promise<UnitKey | undefined> {
  return db
    .selectFrom('unit_keys')
    .selectAll()
    .where('id', '=', keyId)
    .where('unit_id', '=', scope.unitId)
    .where('taxpayer_id', '=', scope.taxpayerId)
    .executeTakeFirst();
}

/** Every key of the unit, oldest first (labels count them; retirement and renewal sweep them). */
export function listKeys(db: Db, scope: UnitScope): Promise<UnitKey[]> {
  return db
    .selectFrom('unit_keys')
    .selectAll()
    .where('unit_id', '=', scope.unitId)
    .where('taxpayer_id', '=', scope.taxpayerId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Record that the token destroyed the key's objects (once: a destroyed key stays destroyed). */
export async function markKeyDestroyed(db: Db, scope: UnitScope, keyId: string, at: string): Promise<void> {
  await db
    .updateTable('unit_keys')
    .set({ destroyed_at: at })
    .where('id', '=', keyId)
    .where('unit_id', '=', scope.unitId)
    .where('taxpayer_id', '=', scope.taxpayerId)
    .where('destroyed_at', 'is', null)
    .execute();
}

export async function insertCsr(db: Db, row: CsrsTable): Promise<Csr> {
  await db.insertInto('csrs').values(row).execute();
  return row;
}

/** The unit's newest CSR for a purpose. */
export function latestCsr(db: Db, scope: UnitScope, purpose: string): Promise<Csr | undefined> {
  return db
    .selectFrom('csrs')
    .selectAll()
    .where('unit_id', '=', scope.unitId)
    .where('taxpayer_id', '=', scope.taxpayerId)
    .where('purpose', '=', purpose)
    .orderBy('attempt', 'desc')
    .executeTakeFirst();
}

/** Change a CSR's status only from the expected one (a sent CSR never becomes fresh again). */
export async function setCsrStatus(db: Db, scope: UnitScope, csrId: string, from: string, to: string, at?: string): Promise<boolean> {
  const r = await db
    .updateTable('csrs')
    .set({ status: to, ...(to === 'sent' && at !== undefined && { sent_at: at }) })
    .where('id', '=', csrId)
    .where('unit_id', '=', scope.unitId)
    .where('taxpayer_id', '=', scope.taxpayerId)
    .where('status', '=', from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export function countCsrs(db: Db, scope: UnitScope): Promise<Csr[]> {
  return db.selectFrom('csrs').selectAll().where('unit_id', '=', scope.unitId).where('taxpayer_id', '=', scope.taxpayerId).execute();
}

export async function insertCsid(db: Db, row: CsidsTable): Promise<Csid> {
  await db.insertInto('csids').values(row).execute();
  return row;
}

export function listCsids(db: Db, scope: UnitScope): Promise<Csid[]> {
  return db.selectFrom('csids').selectAll().where('unit_id', '=', scope.unitId).where('taxpayer_id', '=', scope.taxpayerId).orderBy('created_at').execute();
}

/** The unit's current CSID of a kind (`active`), newest first. */
export function activeCsid(db: Db, scope: UnitScope, kind: 'compliance' | 'production'): Promise<Csid | undefined> {
  return db
    .selectFrom('csids')
    .selectAll()
    .where('unit_id', '=', scope.unitId)
    .where('taxpayer_id', '=', scope.taxpayerId)
    .where('kind', '=', kind)
    .where('status', '=', 'active')
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
}

export function findCsid(db: Db, scope: UnitScope, csidId: string): Promise<Csid | undefined> {
  return db
    .selectFrom('csids')
    .selectAll()
    .where('id', '=', csidId)
    .where('unit_id', '=', scope.unitId)
    .where('taxpayer_id', '=', scope.taxpayerId)
    .executeTakeFirst();
}

export async function setCsidStatus(db: Db, scope: UnitScope, csidId: string, status: string): Promise<void> {
  await db
    .updateTable('csids')
    .set({ status })
    .where('id', '=', csidId)
    .where('unit_id', '=', scope.unitId)
    .where('taxpayer_id', '=', scope.taxpayerId)
    .execute();
}

/** Every still-valid CSID of the unit becomes `revoked` (ZATCA answered 401 or the unit was retired). */
export async function revokeUnitCsids(db: Db, scope: UnitScope): Promise<void> {
  await db
    .updateTable('csids')
    .set({ status: 'revoked' })
    .where('unit_id', '=', scope.unitId)
    .where('taxpayer_id', '=', scope.taxpayerId)
    .where('status', '=', 'active')
    .execute();
}

export async function markPromotionRequested(db: Db, scope: UnitScope, csidId: string, at: string): Promise<void> {
  await db
    .updateTable('csids')
    .set({ promotion_requested_at: at })
    .where('id', '=', csidId)
    .where('unit_id', '=', scope.unitId)
    .where('taxpayer_id', '=', scope.taxpayerId)
    .execute();
}

export async function passedSteps(db: Db, csidId: string): Promise<string[]> {
  const rows = await db.selectFrom('compliance_steps').select('step').where('csid_id', '=', csidId).execute();
  return rows.map((r) => r.step);
}

export async function recordStepPassed(db: Db, csidId: string, step: string, at: string): Promise<void> {
  await db
    .insertInto('compliance_steps')
    .values({ csid_id: csidId, step, passed_at: at })
    .onConflict((oc) => oc.columns(['csid_id', 'step']).doNothing())
    .execute();
}

export async function forgetSteps(db: Db, csidId: string, steps: readonly string[]): Promise<void> {
  if (steps.length === 0) return;
  await db
    .deleteFrom('compliance_steps')
    .where('csid_id', '=', csidId)
    .where('step', 'in', [...steps])
    .execute();
}

/** Production CSIDs of a taxpayer's units whose certificate ends before `before` (expiry monitor). */
export function productionCsidsEndingBefore(db: Db, taxpayerId: string, before: string): Promise<Csid[]> {
  return db
    .selectFrom('csids')
    .selectAll()
    .where('taxpayer_id', '=', taxpayerId)
    .where('kind', '=', 'production')
    .where('status', '=', 'active')
    .where('not_after', '<', before)
    .orderBy('not_after')
    .execute();
}
