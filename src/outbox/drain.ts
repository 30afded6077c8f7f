// Submitting one unit's whole queue now, whatever its backoff says: what renewal and retirement run
// before the unit's certificate stops working, so no document it signed is stranded (issue 17).
import type { EgsUnit } from '../store/index.js';
import type { FleetContext, UnitSigning } from '../egs/index.js';
import { submissions } from '../store/index.js';
import { attemptSubmission, type AttemptResult } from './attempt.js';
import { DEFAULT_BACKOFF } from './backoff.js';
import { DEFAULT_LEASE_MS } from './lease.js';
import { workerId } from './worker.js';

/** How long to wait for jobs another worker holds (its attempt in flight) before giving up. */
export const DRAIN_WAIT_MS = 20_000;
/** A drain looks at this many of the unit's queued documents at most; the rest wait for the next run. */
export const DRAIN_LIMIT = 5_000;

export interface DrainResult {
  results: AttemptResult[];
  /** Jobs of the unit that were held by another worker until the wait ended. */
  busy: number;
}

/** Attempt every queued (`to-submit`) document of `unit` once, in ICV order. Never throws for ZATCA's answers. */
export async function drainUnit(ctx: FleetContext, unit: Pick<EgsUnit, 'id' | 'taxpayer_id'>, waitMs = DRAIN_WAIT_MS): Promise<DrainResult> {
  const owner = workerId();
  const attempt = { ctx, owner, backoff: DEFAULT_BACKOFF, signings: new Map<string, Promise<UnitSigning>>() };
  const results: AttemptResult[] = [];
  const tried = new Set<string>();
  const until = Date.now() + waitMs;
  for (let pass = 0; pass < 100; pass++) {
    const queued = (await submissions.queuedOfUnit(ctx.store.db, unit.taxpayer_id, unit.id, DRAIN_LIMIT)).filter((s) => !tried.has(s.document_id));
    let busy = 0;
    for (const s of queued) {
      const now = ctx.clock.now();
      const job = await submissions.claimOne(ctx.store.db, s.document_id, {
        owner,
        now: now.toISOString(),
        leaseUntil: new Date(now.getTime() + DEFAULT_LEASE_MS).toISOString(),
      });
      if (!job) {
        busy++;
        continue;
      }
      tried.add(job.document_id);
      const r = await attemptSubmission(attempt, job);
      // Superseded: another worker took the job after this lease ran out; its result stands.
      if (r.superseded) busy++;
      else results.push(r);
    }
    if (busy === 0 || Date.now() > until) return { results, busy };
    await new Promise((r) => setTimeout(r, 250));
  }
  return { results, busy: 0 };
}
