// Queries for EGS units and their transition history, always scoped to one taxpayer. A state
// change and its history row are written together (callers pass a transaction).
import type { Kysely } from 'kysely';
import type { Database, EgsUnit, EgsUnitsTable, UnitTransition } from './schema.js';

type Db = Kysely<Database>;

/** The lifecycle marks (pause, refused credentials) start empty and may be left out. */
type UnitMarks = 'issuing_paused_until' | 'issuing_paused_reason' | 'credentials_refused_at' | 'credentials_refused_reason';

export async function insertUnit(db: Db, row: Omit<EgsUnitsTable, UnitMarks> & Partial<Pick<EgsUnitsTable, UnitMarks>>): Promise<EgsUnit> {
  const full: EgsUnitsTable = {
    issuing_paused_until: null,
    issuing_paused_reason: null,
    credentials_refused_at: null,
    credentials_refused_reason: null,
    ...row,
  };
  await db.insertInto('egs_units').values(full).execute();
  return full;
}

/** Where the unit's environment is reached (migration 0008); not part of its chain or state. */
export async function setZatcaBaseUrl(db: Db, unit: Pick<EgsUnit, 'id' | 'taxpayer_id'>, baseUrl: string): Promise<void> {
  await db.updateTable('egs_units').set({ zatca_base_url: baseUrl }).where('id', '=', unit.id).where('taxpayer_id', '=', unit.taxpayer_id).execute();
}

/**
 * A unit of this taxpayer by id, name or serial, in that order of precedence: an id is exact, a name
 * or a serial names its latest generation (a re-onboarded device is a new unit with the same serial).
 * A fixed order, not "whichever row ranks first", so no unit can shadow another by choosing a name
 * equal to its serial or id (and addUnit / sync refuse such names anyway).
 */
export async function findUnit(db: Db, taxpayerId: string, ref: string): Promise<EgsUnit | undefined> {
  const rows = await db
    .selectFrom('egs_units')
    .selectAll()
    .where('taxpayer_id', '=', taxpayerId)
    .where((eb) => eb.or([eb('id', '=', ref), eb('serial', '=', ref), eb('name', '=', ref)]))
    .orderBy('generation', 'desc')
    .execute();
  return rows.find((u) => u.id === ref) ?? rows.find((u) => u.name === ref) ?? rows.find((u) => u.serial === ref);
}

/** A unit whose id, name or serial equals `ref` (references must name one unit only). */
export function unitsReferencedBy(db: Db, taxpayerId: string, ref: string): Promise<EgsUnit[]> {
  return db
    .selectFrom('egs_units')
    .selectAll()
    .where('taxpayer_id', '=', taxpayerId)
    .where((eb) => eb.or([eb('id', '=', ref), eb('serial', '=', ref), eb('name', '=', ref)]))
    .execute();
}

export function findUnitById(db: Db, taxpayerId: string, id: string): Promise<EgsUnit | undefined> {
  return db.selectFrom('egs_units').selectAll().where('taxpayer_id', '=', taxpayerId).where('id', '=', id).executeTakeFirst();
}

export function unitsWithSerial(db: Db, taxpayerId: string, serial: string): Promise<EgsUnit[]> {
  return db.selectFrom('egs_units').selectAll().where('taxpayer_id', '=', taxpayerId).where('serial', '=', serial).orderBy('generation').execute();
}

export function unitsWithName(db: Db, taxpayerId: string, name: string): Promise<EgsUnit[]> {
  return db.selectFrom('egs_units').selectAll().where('taxpayer_id', '=', taxpayerId).where('name', '=', name).execute();
}

export interface UnitFilter {
  branchId?: string;
  states?: readonly string[];
}

export function listUnits(db: Db, taxpayerId: string, filter: UnitFilter = {}): Promise<EgsUnit[]> {
  let q = db.selectFrom('egs_units').selectAll().where('taxpayer_id', '=', taxpayerId);
  if (filter.branchId) q = q.where('branch_id', '=', filter.branchId);
  if (filter.states && filter.states.length > 0) q = q.where('state', 'in', [...filter.states]);
  return q.orderBy('created_at').orderBy('serial').orderBy('generation').execute();
}

export interface TransitionRecord {
  to: string;
  actor: string;
  reason: string;
  at: string;
}

/**
 * Move a unit to `to` only if it is still in `from` (compare-and-set, so two processes cannot both
 * apply one transition) and append the history row. Returns false when the unit had moved on.
 */
export async function recordTransition(db: Db, unit: Pick<EgsUnit, 'id' | 'taxpayer_id'>, from: string, t: TransitionRecord): Promise<boolean> {
  const result = await db
    .updateTable('egs_units')
    .set({ state: t.to, state_changed_at: t.at })
    .where('id', '=', unit.id)
    .where('taxpayer_id', '=', unit.taxpayer_id)
    .where('state', '=', from)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return false;
  await db
    .insertInto('unit_transitions')
    .values({ unit_id: unit.id, taxpayer_id: unit.taxpayer_id, from_state: from, to_state: t.to, actor: t.actor, reason: t.reason, at: t.at })
    .execute();
  return true;
}

/** The first history row of a unit (its creation). */
export async function recordCreation(db: Db, unit: Pick<EgsUnit, 'id' | 'taxpayer_id' | 'state'>, actor: string, reason: string, at: string): Promise<void> {
  await db
    .insertInto('unit_transitions')
    .values({ unit_id: unit.id, taxpayer_id: unit.taxpayer_id, from_state: null, to_state: unit.state, actor, reason, at })
    .execute();
}

export function listTransitions(db: Db, taxpayerId: string, unitId: string): Promise<UnitTransition[]> {
  return db.selectFrom('unit_transitions').selectAll().where('taxpayer_id', '=', taxpayerId).where('unit_id', '=', unitId).orderBy('id').execute();
}

/** ZATCA refused the unit's credentials (or the portal revoked it, `reason` its cause); NULL clears it. */
export async function markCredentialsRefused(db: Db, unit: Pick<EgsUnit, 'id' | 'taxpayer_id'>, at: string | null, reason: string | null): Promise<void> {
  await db
    .updateTable('egs_units')
    .set({ credentials_refused_at: at, credentials_refused_reason: reason })
    .where('id', '=', unit.id)
    .where('taxpayer_id', '=', unit.taxpayer_id)
    .execute();
}

/** Clear the 401 marks of a taxpayer's units that are not revoked (`outbox run --retry-held`). */
export async function clearCredentialsRefused(db: Db, taxpayerId?: string): Promise<number> {
  let q = db
    .updateTable('egs_units')
    .set({ credentials_refused_at: null, credentials_refused_reason: null })
    .where('credentials_refused_at', 'is not', null)
    .where('state', '<>', 'revoked');
  if (taxpayerId) q = q.where('taxpayer_id', '=', taxpayerId);
  return Number((await q.executeTakeFirst()).numUpdatedRows);
}
