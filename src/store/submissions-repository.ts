// Queries for the submission outbox: enqueue with the document, claim due jobs under a lease
// (PostgreSQL: FOR UPDATE SKIP LOCKED), finish a job only while holding its lease, and the log.
import type { Kysely } from 'kysely';
import type { Store } from './database.js';
import type { Database, Submission, SubmissionAttempt, SubmissionAttemptsTable, SubmissionsTable } from './schema.js';
import { withWriteTransaction } from './write-transaction.js';
import { PENDING_SUBMISSION_STATES } from './states.js';

type Db = Kysely<Database>;

export async function enqueueMany(trx: Db, rows: readonly SubmissionsTable[]): Promise<void> {
  if (rows.length > 0)
    await trx
      .insertInto('submissions')
      .values([...rows])
      .execute();
}

export function findSubmission(db: Db, documentId: string): Promise<Submission | undefined> {
  return db.selectFrom('submissions').selectAll().where('document_id', '=', documentId).executeTakeFirst();
}

export interface ClaimOptions {
  owner: string;
  now: string;
  leaseUntil: string;
  limit: number;
  taxpayerId?: string;
  /** Only this unit's jobs (`outbox run --unit`). */
  unitId?: string;
}

/**
 * Take up to `limit` due jobs (to submit, due, lease free or expired) under a lease. PostgreSQL
 * skips rows another worker is claiming; SQLite's write lock makes the select-and-update atomic.
 */
export async function claimDue(store: Store, o: ClaimOptions): Promise<Submission[]> {
  return withWriteTransaction(store, async (trx) => {
    let q = trx
      .selectFrom('submissions')
      .select('document_id')
      .where('state', '=', 'to-submit')
      .where('next_attempt_at', '<=', o.now)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', o.now)]))
      .orderBy('next_attempt_at')
      .orderBy('icv')
      .limit(o.limit);
    if (o.taxpayerId) q = q.where('taxpayer_id', '=', o.taxpayerId);
    if (o.unitId) q = q.where('unit_id', '=', o.unitId);
    if (store.dialect === 'postgres') q = q.forUpdate().skipLocked();
    const ids = (await q.execute()).map((r) => r.document_id);
    if (ids.length === 0) return [];
    return trx.updateTable('submissions').set({ lease_owner: o.owner, lease_until: o.leaseUntil }).where('document_id', 'in', ids).returningAll().execute();
  });
}

/** Claim one document's job (the synchronous clearance path); undefined if another worker holds it or it is done. */
export async function claimOne(db: Db, documentId: string, o: Omit<ClaimOptions, 'limit' | 'taxpayerId'>): Promise<Submission | undefined> {
  return db
    .updateTable('submissions')
    .set({ lease_owner: o.owner, lease_until: o.leaseUntil })
    .where('document_id', '=', documentId)
    .where('state', '=', 'to-submit')
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', o.now), eb('lease_owner', '=', o.owner)]))
    .returningAll()
    .executeTakeFirst();
}

export type SubmissionPatch = Partial<
  Pick<
    SubmissionsTable,
    | 'state'
    | 'endpoint'
    | 'attempts'
    | 'next_attempt_at'
    | 'late'
    | 'duplicate'
    | 'last_http_status'
    | 'last_outcome'
    | 'last_message'
    | 'accepted_at'
    | 'updated_at'
  >
>;

/**
 * Extend a lease `owner` holds (the attempt's heartbeat). With `unexpiredAt` it is also the check
 * right before sending: the lease must not have run out at that instant (another worker may claim
 * an expired one at any moment). False: the lease is gone — a newer holder owns the job.
 */
export async function renewLease(db: Db, documentId: string, owner: string, leaseUntil: string, unexpiredAt?: string): Promise<boolean> {
  let q = db.updateTable('submissions').set({ lease_until: leaseUntil }).where('document_id', '=', documentId).where('lease_owner', '=', owner);
  if (unexpiredAt) q = q.where('lease_until', '>', unexpiredAt);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Give a claimed job back at once (its holder will not record an answer); only if `owner` still holds it. */
export async function releaseLease(db: Db, documentId: string, owner: string): Promise<void> {
  await db
    .updateTable('submissions')
    .set({ lease_owner: null, lease_until: null })
    .where('document_id', '=', documentId)
    .where('lease_owner', '=', owner)
    .execute();
}

/**
 * Apply an attempt's result and release the lease, only if `owner` still holds it. False means a
 * newer holder owns the job: the caller must record nothing of its attempt (src/outbox/attempt.ts).
 */
export async function finishAttempt(trx: Db, documentId: string, owner: string, patch: SubmissionPatch): Promise<boolean> {
  const r = await trx
    .updateTable('submissions')
    .set({ ...patch, lease_owner: null, lease_until: null })
    .where('document_id', '=', documentId)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function insertAttempt(trx: Db, row: Omit<SubmissionAttemptsTable, 'id'>): Promise<void> {
  await trx.insertInto('submission_attempts').values(row).execute();
}

export function attemptsOfUnit(db: Db, taxpayerId: string, unitId: string): Promise<Array<Pick<SubmissionAttempt, 'document_id' | 'outcome'>>> {
  return db
    .selectFrom('submission_attempts')
    .select(['document_id', 'outcome'])
    .where('taxpayer_id', '=', taxpayerId)
    .where('unit_id', '=', unitId)
    .orderBy('id')
    .execute();
}

export function listAttempts(db: Db, documentId: string): Promise<SubmissionAttempt[]> {
  return db.selectFrom('submission_attempts').selectAll().where('document_id', '=', documentId).orderBy('id').execute();
}

/** Flag pending jobs past their deadline as late (once); returns how many were newly flagged. */
/**
 * Jobs whose times came from a clock that ran ahead (issue 10 "Clock forward"): a next attempt beyond
 * any backoff is due now, and a deadline more than 24 h away becomes 24 h from the real clock — the
 * earliest moment this process can vouch for. Returns how many rows were moved.
 */
export async function rebaseClockAhead(db: Db, now: Date, longestBackoffMs: number, deadlineMs: number): Promise<number> {
  const nowIso = now.toISOString();
  const retry = await db
    .updateTable('submissions')
    .set({ next_attempt_at: nowIso, updated_at: nowIso })
    .where('state', '=', 'to-submit')
    .where('next_attempt_at', '>', new Date(now.getTime() + longestBackoffMs + 60_000).toISOString())
    .executeTakeFirst();
  const deadline = await db
    .updateTable('submissions')
    .set({ deadline_at: new Date(now.getTime() + deadlineMs).toISOString(), updated_at: nowIso })
    .where('state', 'in', [...PENDING_SUBMISSION_STATES])
    .where('deadline_at', '>', new Date(now.getTime() + deadlineMs + 60_000).toISOString())
    .executeTakeFirst();
  return Number(retry.numUpdatedRows) + Number(deadline.numUpdatedRows);
}

/** Jobs ZATCA does not hold whose document carries an issue time later than `now` (a clock that ran ahead). */
export function pendingIssuedAfter(db: Db, now: string, taxpayerId?: string, limit = 1000, unitIds?: readonly string[]): Promise<Submission[]> {
  let q = db
    .selectFrom('submissions')
    .selectAll()
    .where('state', 'in', [...PENDING_SUBMISSION_STATES])
    .where('issued_at', '>', now)
    .orderBy('issued_at')
    .limit(limit);
  if (taxpayerId) q = q.where('taxpayer_id', '=', taxpayerId);
  if (unitIds) q = q.where('unit_id', 'in', [...unitIds]);
  return q.execute();
}

export async function flagLate(db: Db, now: string): Promise<number> {
  const r = await db
    .updateTable('submissions')
    .set({ late: 1, updated_at: now })
    .where('state', 'in', [...PENDING_SUBMISSION_STATES])
    .where('deadline_at', '<', now)
    .where('late', '=', 0)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Put held jobs (needing attention) back in the queue, due now. */
/** A person asked for one unit's queue now: its waiting jobs become due at once (backoff skipped, nothing else changes). */
export async function makeDue(db: Db, now: string, filter: { taxpayerId: string; unitId: string }): Promise<number> {
  const r = await db
    .updateTable('submissions')
    .set({ next_attempt_at: now })
    .where('taxpayer_id', '=', filter.taxpayerId)
    .where('unit_id', '=', filter.unitId)
    .where('state', '=', 'to-submit')
    .where('next_attempt_at', '>', now)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Hold every queued job of a unit (ZATCA refused its credentials): nothing is sent until someone decides. */
export async function holdQueued(db: Db, taxpayerId: string, unitId: string, now: string, message: string): Promise<number> {
  const r = await db
    .updateTable('submissions')
    .set({ state: 'held', last_outcome: 'unauthorized', last_message: message.slice(0, 1000), updated_at: now })
    .where('taxpayer_id', '=', taxpayerId)
    .where('unit_id', '=', unitId)
    .where('state', '=', 'to-submit')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function releaseHeld(db: Db, now: string, filter: { taxpayerId?: string; unitId?: string } = {}): Promise<number> {
  let q = db.updateTable('submissions').set({ state: 'to-submit', next_attempt_at: now, updated_at: now }).where('state', '=', 'held');
  if (filter.taxpayerId) q = q.where('taxpayer_id', '=', filter.taxpayerId);
  if (filter.unitId) q = q.where('unit_id', '=', filter.unitId);
  return Number((await q.executeTakeFirst()).numUpdatedRows);
}

/** A unit's queued jobs in ICV order, due or not (a drain before its certificate changes). */
export function queuedOfUnit(db: Db, taxpayerId: string, unitId: string, limit: number): Promise<Array<Pick<Submission, 'document_id' | 'icv'>>> {
  return db
    .selectFrom('submissions')
    .select(['document_id', 'icv'])
    .where('taxpayer_id', '=', taxpayerId)
    .where('unit_id', '=', unitId)
    .where('state', '=', 'to-submit')
    .orderBy('icv')
    .limit(limit)
    .execute();
}

/** A unit's jobs ZATCA does not hold yet, per state (renewal and retirement say which wait). */
export async function pendingOfUnit(db: Db, taxpayerId: string, unitId: string): Promise<{ queued: number; held: number }> {
  const rows = await db
    .selectFrom('submissions')
    .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('taxpayer_id', '=', taxpayerId)
    .where('unit_id', '=', unitId)
    .where('state', 'in', [...PENDING_SUBMISSION_STATES])
    .groupBy('state')
    .execute();
  const n = (state: string) => Number(rows.find((r) => r.state === state)?.n ?? 0);
  return { queued: n('to-submit'), held: n('held') };
}

export async function pendingCount(db: Db, taxpayerId: string, unitId: string): Promise<number> {
  const r = await db
    .selectFrom('submissions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('taxpayer_id', '=', taxpayerId)
    .where('unit_id', '=', unitId)
    .where('state', 'in', [...PENDING_SUBMISSION_STATES])
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

export interface StateCount {
  state: string;
  n: number;
  late: number;
  oldest_issued_at: string | null;
}

export async function countByState(db: Db, taxpayerId?: string): Promise<StateCount[]> {
  let q = db
    .selectFrom('submissions')
    .select((eb) => ['state', eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('late').as('late'), eb.fn.min<string>('issued_at').as('oldest_issued_at')])
    .groupBy('state');
  if (taxpayerId) q = q.where('taxpayer_id', '=', taxpayerId);
  return (await q.execute()).map((r) => ({ state: r.state, n: Number(r.n), late: Number(r.late ?? 0), oldest_issued_at: r.oldest_issued_at ?? null }));
}

/** Pending jobs whose deadline is before `before` (at risk or late), oldest first. */
export function pendingBefore(db: Db, before: string, taxpayerId?: string, limit = 1000): Promise<Submission[]> {
  let q = db
    .selectFrom('submissions')
    .selectAll()
    .where('state', 'in', [...PENDING_SUBMISSION_STATES])
    .where('deadline_at', '<', before)
    .orderBy('deadline_at')
    .limit(limit);
  if (taxpayerId) q = q.where('taxpayer_id', '=', taxpayerId);
  return q.execute();
}

export function submissionsOfUnit(db: Db, taxpayerId: string, unitId: string): Promise<Submission[]> {
  return db.selectFrom('submissions').selectAll().where('taxpayer_id', '=', taxpayerId).where('unit_id', '=', unitId).orderBy('icv').execute();
}
