// A claimed job's lease while its attempt runs: a short lease, renewed by a heartbeat, checked once
// more right before sending. A lease found gone means a newer holder owns the job: record nothing.
import type { FleetContext } from '../egs/index.js';
import { submissions, type Submission } from '../store/index.js';

/** How long a claim is held without a heartbeat: a killed worker's jobs are claimable again after this. */
export const DEFAULT_LEASE_MS = 60_000;

export interface LeaseTiming {
  /** Lease length; each heartbeat extends the lease to now + this. */
  leaseMs?: number;
  /** Heartbeat period (default a third of the lease, so two beats may fail before it runs out). */
  heartbeatMs?: number;
}

export interface HeldLease {
  /** The lease was still held, unexpired, just now (extended on the way): send. */
  confirm(): Promise<boolean>;
  /** A heartbeat found the lease gone: another worker owns the job. */
  readonly lost: boolean;
  stop(): void;
}

/** The token the claim wrote (each claim writes its own), else the worker's identity. */
export function leaseToken(job: Submission, owner: string): string {
  return job.lease_owner ?? owner;
}

/** Start the heartbeat for `job`, claimed under `token`. Call `stop` when the attempt has recorded (or not). */
export function holdLease(ctx: FleetContext, job: Submission, token: string, timing: LeaseTiming = {}): HeldLease {
  const leaseMs = timing.leaseMs ?? DEFAULT_LEASE_MS;
  const until = () => new Date(ctx.clock.now().getTime() + leaseMs).toISOString();
  let lost = false;
  let beating = false;
  const beat = async () => {
    // One renewal at a time; a beat missed while the database is slow is made up by the next one.
    if (lost || beating) return;
    beating = true;
    try {
      if (!(await submissions.renewLease(ctx.store.db, job.document_id, token, until()))) {
        lost = true;
        ctx.logger.warn({ document: job.document_id }, 'outbox lease lost while the attempt ran: another worker owns the job; this attempt records nothing');
      }
    } catch (error) {
      ctx.logger.warn({ document: job.document_id, err: { message: (error as Error).message } }, 'outbox lease renewal failed; trying again');
    } finally {
      beating = false;
    }
  };
  const timer = setInterval(() => void beat(), Math.max(10, timing.heartbeatMs ?? Math.floor(leaseMs / 3)));
  // The heartbeat alone never keeps a process alive: the attempt it guards does.
  timer.unref();
  return {
    confirm: async () => {
      if (lost) return false;
      const now = ctx.clock.now();
      const held = await submissions.renewLease(ctx.store.db, job.document_id, token, new Date(now.getTime() + leaseMs).toISOString(), now.toISOString());
      if (!held) lost = true;
      return held;
    },
    get lost() {
      return lost;
    },
    stop: () => clearInterval(timer),
  };
}
