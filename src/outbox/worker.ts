// The outbox worker (`fawtara outbox run`, or in-process): claims due jobs under a lease, submits
// them a few at a time, and loops — or with `once` stops when nothing is due. Late jobs are flagged.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { FleetContext, UnitSigning } from '../egs/index.js';
import { submissions } from '../store/index.js';
import { attemptSubmission, type AttemptResult } from './attempt.js';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';

export interface OutboxRunOptions {
  /** Stop when no job is due (instead of waiting for more). */
  once?: boolean;
  /** Jobs claimed per round. */
  batch?: number;
  /** Submissions in flight at once. */
  concurrency?: number;
  /** How long a claim is held before another worker may take the job (crash of this one). */
  leaseMs?: number;
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
  late: number;
  duplicates: number;
}

export const DEFAULT_LEASE_MS = 5 * 60_000;
/** Simplified documents reach ZATCA within 24 hours of issue (ZATCA's e-invoicing implementation resolution). */
export const REPORTING_DEADLINE_MS = 24 * 3600_000;

export function workerId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

// The abort listener is removed when the timer fires: a long-running worker polls every second.
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const onAbort = () => (clearTimeout(t), resolve());
    const t = setTimeout(() => (signal?.removeEventListener('abort', onAbort), resolve()), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** Run the worker until `signal` aborts (or, with `once`, until nothing is due). */
export async function runOutbox(ctx: FleetContext, options: OutboxRunOptions = {}): Promise<OutboxRunSummary> {
  const owner = options.owner ?? workerId();
  const attempt = { ctx, owner, backoff: options.backoff ?? DEFAULT_BACKOFF, signings: new Map<string, Promise<UnitSigning>>() };
  const batch = options.batch ?? 32;
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const summary: OutboxRunSummary = { attempts: 0, byState: {}, late: 0, duplicates: 0 };
  while (!options.signal?.aborted) {
    const now = ctx.clock.now();
    const rebased = await submissions.rebaseClockAhead(ctx.store.db, now, (options.backoff ?? DEFAULT_BACKOFF).capMs, REPORTING_DEADLINE_MS);
    if (rebased > 0)
      ctx.logger.warn({ rebased }, 'documents carried times from a clock that ran ahead: due now, deadline 24 h from the real clock (docs/issuing.md)');
    const flagged = await submissions.flagLate(ctx.store.db, now.toISOString());
    if (flagged > 0) ctx.logger.warn({ flagged }, 'documents passed their 24-hour deadline without reaching ZATCA (flagged late; still queued)');
    const jobs = await submissions.claimDue(ctx.store, {
      owner,
      now: now.toISOString(),
      leaseUntil: new Date(now.getTime() + leaseMs).toISOString(),
      limit: batch,
      ...(options.taxpayerId && { taxpayerId: options.taxpayerId }),
      ...(options.unitId && { unitId: options.unitId }),
    });
    if (jobs.length === 0) {
      if (options.once) break;
      await sleep(options.pollMs ?? 1_000, options.signal);
      continue;
    }
    let next = 0;
    const lane = async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        const r = await attemptSubmission(attempt, job);
        summary.attempts++;
        summary.byState[r.state] = (summary.byState[r.state] ?? 0) + 1;
        if (r.late) summary.late++;
        if (r.duplicate) summary.duplicates++;
        options.onResult?.(r);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, lane));
  }
  return summary;
}
