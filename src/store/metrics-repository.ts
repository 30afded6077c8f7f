// The bounded queries a /metrics scrape runs: each reads the outbox's waiting rows, the units'
// active certificates or the branches' sync times — never the documents table, whatever its size.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { PENDING_SUBMISSION_STATES } from './states.js';
import { syncDb } from './sync-schema.js';

type Db = Kysely<Database>;

/** At most this many rows per per-unit or per-branch gauge: a scrape's size stays bounded. */
export const METRIC_ROWS_LIMIT = 20_000;

export interface WaitingState {
  state: string;
  n: number;
  oldestIssuedAt: string | null;
}

/**
 * Waiting jobs per state with the oldest issue time. `state IN (pending)` is the leading column of
 * `submissions_due`, so only the queue is read (its size is the outbox depth, not the archive's).
 */
export async function waitingByState(db: Db): Promise<WaitingState[]> {
  const rows = await db
    .selectFrom('submissions')
    .select((eb) => ['state', eb.fn.countAll<number>().as('n'), eb.fn.min<string>('issued_at').as('oldest')])
    .where('state', 'in', [...PENDING_SUBMISSION_STATES])
    .groupBy('state')
    .execute();
  return rows.map((r) => ({ state: r.state, n: Number(r.n), oldestIssuedAt: r.oldest ?? null }));
}

/** Waiting jobs past their deadline (`late`) and within `atRiskBefore` of it (`atRisk`), over the queue only. */
export async function waitingDeadlines(db: Db, now: string, atRiskBefore: string): Promise<{ late: number; atRisk: number }> {
  const r = await db
    .selectFrom('submissions')
    .select((eb) => [
      eb.fn.sum<number>(eb.case().when('deadline_at', '<', now).then(1).else(0).end()).as('late'),
      eb.fn.sum<number>(eb.case().when('deadline_at', '>=', now).then(1).else(0).end()).as('atRisk'),
    ])
    .where('state', 'in', [...PENDING_SUBMISSION_STATES])
    .where('deadline_at', '<', atRiskBefore)
    .executeTakeFirst();
  return { late: Number(r?.late ?? 0), atRisk: Number(r?.atRisk ?? 0) };
}

export interface CertificateEnd {
  vat: string;
  unit: string;
  notAfter: string;
}

/** The active production certificate's end of every unit not in `endedStates` (one row per unit). */
export function activeCertificateEnds(db: Db, endedStates: readonly string[]): Promise<CertificateEnd[]> {
  return db
    .selectFrom('csids')
    .innerJoin('egs_units', 'egs_units.id', 'csids.unit_id')
    .innerJoin('taxpayers', 'taxpayers.id', 'csids.taxpayer_id')
    .select(['taxpayers.vat_number as vat', 'egs_units.name as unit', 'csids.not_after as notAfter'])
    .where('csids.kind', '=', 'production')
    .where('csids.status', '=', 'active')
    .where('egs_units.state', 'not in', [...endedStates])
    .orderBy('csids.not_after')
    .limit(METRIC_ROWS_LIMIT)
    .execute();
}

export interface BranchSync {
  vat: string;
  branch: string;
  lastSyncAt: string;
}

/** Every branch node's last sync (branches that never synced have no row to age). */
export async function branchSyncTimes(db: Db): Promise<BranchSync[]> {
  const rows = await syncDb(db)
    .selectFrom('sync_branches')
    .innerJoin('branches', 'branches.id', 'sync_branches.branch_id')
    .innerJoin('taxpayers', 'taxpayers.id', 'sync_branches.taxpayer_id')
    .select(['taxpayers.vat_number as vat', 'branches.name as branch', 'sync_branches.last_sync_at as lastSyncAt'])
    .where('sync_branches.last_sync_at', 'is not', null)
    .limit(METRIC_ROWS_LIMIT)
    .execute();
  return rows.map((r) => ({ vat: r.vat, branch: r.branch, lastSyncAt: r.lastSyncAt as string }));
}
