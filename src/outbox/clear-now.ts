// The synchronous clearance path: a standard document is sent at once and waited for, within a
// bound, because the buyer may receive only ZATCA's cleared document. Past the bound it stays queued.
import type { FleetContext, UnitSigning } from '../egs/index.js';
import { submissions } from '../store/index.js';
import { attemptSubmission, type AttemptResult } from './attempt.js';
import { DEFAULT_BACKOFF } from './backoff.js';
import { DEFAULT_LEASE_MS } from './lease.js';
import { workerId } from './worker.js';
import { isFinalSubmission } from '../store/index.js';

export const DEFAULT_CLEARANCE_WAIT_MS = 15_000;

/**
 * Try to get a decision on one document within `waitMs`. Returns the last attempt's result, or
 * undefined when no decision came in time (or another worker holds the job); the outbox goes on.
 */
export async function submitNow(
  ctx: FleetContext,
  documentId: string,
  waitMs = DEFAULT_CLEARANCE_WAIT_MS,
  options: { releaseOnGiveUp?: boolean } = {},
): Promise<AttemptResult | undefined> {
  const owner = workerId();
  const attempt = { ctx, owner, backoff: DEFAULT_BACKOFF, signings: new Map<string, Promise<UnitSigning>>() };
  const deadline = Date.now() + waitMs;
  let last: AttemptResult | undefined;
  for (let pause = 100; Date.now() < deadline; pause = Math.min(pause * 2, 2_000)) {
    const now = ctx.clock.now();
    const job = await submissions.claimOne(ctx.store.db, documentId, {
      owner,
      now: now.toISOString(),
      // Short and renewed by the attempt's heartbeat, also past the bound while the attempt goes on.
      leaseUntil: new Date(now.getTime() + DEFAULT_LEASE_MS).toISOString(),
    });
    if (!job) return last;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now()))));
    // Past the bound the attempt keeps running and records its answer; we just stop waiting for it.
    const result = await Promise.race([attemptSubmission(attempt, job), timeout]);
    clearTimeout(timer);
    // A caller about to exit (the CLI) hands the job back: its attempt could never record, and a
    // lease left held would hide the document from `outbox run` until it ran out. The attempt, if it
    // still answers in this process, finds the lease gone and records nothing; a second send of the
    // same document is answered by ZATCA as already cleared/reported (docs/issuing.md).
    if (!result && options.releaseOnGiveUp && job.lease_owner) await submissions.releaseLease(ctx.store.db, documentId, job.lease_owner);
    if (!result || result.superseded) return last;
    last = result;
    if (isFinalSubmission(result.state) || result.state === 'held') return result;
    if (result.outcome === 'clearance-switched-off') {
      pause = 50; // the standard document is reported at once instead
      continue;
    }
    await new Promise((r) => setTimeout(r, Math.min(pause, Math.max(0, deadline - Date.now()))));
  }
  return last;
}
