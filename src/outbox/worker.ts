// The outbox worker (`fawtara outbox run`, or in-process): continuous lanes that each claim the next
// due job under a short, heartbeat-renewed lease; loops — or with `once` stops when nothing is due.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { FleetContext, UnitSigning } from '../egs/index.js';
import { submissions, type Submission } from '../store/index.js';
import { attemptSubmission, type AttemptContext, type AttemptResult } from './attempt.js';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { runLanes } from './lanes.js';
import { DEFAULT_LEASE_MS } from './lease.js';

export { DEFAULT_LEASE_MS };

export interface OutboxRunOptions {
  /** Stop when no job is due (instead of waiting for more). */
  once?: boolean;
  /** Most jobs taken by one claim (a claim takes at most as many as there are idle lanes). */
  batch?: number;
  /** Submissions in flight at once (lanes). */
  concurrency?: number;
  /** Lease length: a killed worker's jobs are claimable again after this (renewed by heartbeat while an attempt runs). */
  leaseMs?: number;
  /** Heartbeat period, ms (default a third of the lease). */
  heartbeatMs?: number;
  backoff?: BackoffPolicy;
  /** Idle wait between polls when nothing is due, ms. */
  pollMs?: number;
  signal?: AbortSignal;
  /** Worker identity stored with leases and in the log. */
  owner?: string;
  taxpayerId?: string;
  /** Only this unit's documents. */
  unitId?: string;
  onResult?: (result: AttemptResult) => void;
}

export interface OutboxRunSummary {
  attempts: number;
  byState: Record<string, number>;
  /** Distinct documents found or left late in this run (not attempts). */
  late: number;
  duplicates: number;
  /** Attempts that found their lease taken by a newer holder and recorded nothing. */
  superseded: number;
}

/** Simplified documents reach ZATCA within 24 hours of issue (ZATCA's e-invoicing implementation resolution). */
export const REPORTING_DEADLINE_MS = 24 * 3600_000;

export function workerId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/** The queue's upkeep before claiming: clock-ahead times rebased, documents past their deadline flagged. */
async function housekeeping(ctx: FleetContext, backoff: BackoffPolicy): Promise<void> {
  const now = ctx.clock.now();
  const rebased = await submissions.rebaseClockAhead(ctx.store.db, now, backoff.capMs, REPORTING_DEADLINE_MS);
  if (rebased > 0)
    ctx.logger.warn({ rebased }, 'documents carried times from a clock that ran ahead: due now, deadline 24 h from the real clock (docs/issuing.md)');
  const flagged = await submissions.flagLate(ctx.store.db, now.toISOString());
  if (flagged > 0) ctx.logger.warn({ flagged }, 'documents passed their 24-hour deadline without reaching ZATCA (flagged late; still queued)');
}

/** Claims for this run: each writes its own lease token (`owner#n`), so a job re-claimed after its lease ran out is never mistaken for the old claim. */
function claimer(ctx: FleetContext, owner: string, options: OutboxRunOptions, leaseMs: number) {
  const batch = Math.max(1, options.batch ?? 32);
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const pollMs = options.pollMs ?? 1_000;
  let claims = 0;
  let upkeptAt = Number.NEGATIVE_INFINITY;
  return async (n: number): Promise<Submission[]> => {
    // The upkeep is a table-wide update: at most once per poll interval, not once per claim.
    if (Date.now() - upkeptAt >= pollMs) {
      upkeptAt = Date.now();
      await housekeeping(ctx, backoff);
    }
    const now = ctx.clock.now();
    return submissions.claimDue(ctx.store, {
      owner: `${owner}#${++claims}`,
      now: now.toISOString(),
      leaseUntil: new Date(now.getTime() + leaseMs).toISOString(),
      limit: Math.min(batch, n),
      ...(options.taxpayerId && { taxpayerId: options.taxpayerId }),
      ...(options.unitId && { unitId: options.unitId }),
    });
  };
}

/** Run the worker until `signal` aborts (or, with `once`, until nothing is due). */
export async function runOutbox(ctx: FleetContext, options: OutboxRunOptions = {}): Promise<OutboxRunSummary> {
  const owner = options.owner ?? workerId();
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const attempt: AttemptContext = {
    ctx,
    owner,
    backoff: options.backoff ?? DEFAULT_BACKOFF,
    signings: new Map<string, Promise<UnitSigning>>(),
    leaseMs,
    ...(options.heartbeatMs !== undefined && { heartbeatMs: options.heartbeatMs }),
  };
  const summary: OutboxRunSummary = { attempts: 0, byState: {}, late: 0, duplicates: 0, superseded: 0 };
  const late = new Set<string>();
  await runLanes<Submission>({
    concurrency: Math.max(1, options.concurrency ?? 8),
    claim: claimer(ctx, owner, options, leaseMs),
    once: Boolean(options.once),
    pollMs: options.pollMs ?? 1_000,
    ...(options.signal && { signal: options.signal }),
    work: async (job) => {
      const r = await attemptSubmission(attempt, job);
      if (r.superseded) summary.superseded++;
      else {
        summary.attempts++;
        summary.byState[r.state] = (summary.byState[r.state] ?? 0) + 1;
        if (r.late) late.add(r.documentId);
        summary.late = late.size;
        if (r.duplicate) summary.duplicates++;
      }
      options.onResult?.(r);
    },
  });
  return summary;
}
