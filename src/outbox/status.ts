// What `fawtara outbox status` shows: queue depth per state, the oldest waiting document's age,
// documents at risk (< 2 h to their deadline) and late ones (flagged, still queued or sent late).
import type { FleetContext } from '../egs/index.js';
import { documents, submissions, type Submission } from '../store/index.js';
import { isPendingSubmission } from '../store/index.js';

export const AT_RISK_MS = 2 * 3600_000;

export interface OutboxDocumentView {
  number: string;
  uuid: string;
  unitId: string;
  icv: number;
  state: string;
  deadlineAt: string;
  minutesLeft: number;
  lastOutcome: string | null;
}

export interface OutboxStatus {
  now: string;
  /** Documents ZATCA does not hold yet (to submit + held). */
  depth: number;
  byState: Record<string, number>;
  /** Age of the oldest waiting document, seconds (0 when none). */
  oldestAgeSeconds: number;
  atRisk: OutboxDocumentView[];
  late: OutboxDocumentView[];
  /** Documents that reached ZATCA after their deadline. */
  deliveredLate: number;
  /** Waiting documents whose issue time is later than now: issued while the clock ran ahead (docs/issuing.md). */
  clockAhead: OutboxDocumentView[];
}

/** One waiting document as the status shows it. */
export async function outboxDocumentView(db: FleetContext['store']['db'], now: Date, s: Submission): Promise<OutboxDocumentView> {
  const d = await documents.findById(db, s.document_id);
  return {
    number: d?.number ?? '?',
    uuid: d?.uuid ?? '?',
    unitId: s.unit_id,
    icv: s.icv,
    state: s.state,
    deadlineAt: s.deadline_at,
    minutesLeft: Math.floor((Date.parse(s.deadline_at) - now.getTime()) / 60_000),
    lastOutcome: s.last_outcome,
  };
}

export async function outboxStatus(ctx: FleetContext, taxpayerId?: string): Promise<OutboxStatus> {
  const now = ctx.clock.now();
  const db = ctx.store.db;
  const counts = await submissions.countByState(db, taxpayerId);
  const byState = Object.fromEntries(counts.map((c) => [c.state, c.n]));
  const pending = counts.filter((c) => isPendingSubmission(c.state));
  const oldest = pending
    .map((c) => c.oldest_issued_at)
    .filter((x): x is string => Boolean(x))
    .sort()[0];
  const soon = await submissions.pendingBefore(db, new Date(now.getTime() + AT_RISK_MS).toISOString(), taxpayerId);
  const ahead = await submissions.pendingIssuedAfter(db, now.toISOString(), taxpayerId, 100);
  const view = (s: Submission) => outboxDocumentView(db, now, s);
  const views = await Promise.all(soon.map(view));
  return {
    now: now.toISOString(),
    depth: pending.reduce((n, c) => n + c.n, 0),
    byState,
    oldestAgeSeconds: oldest ? Math.max(0, Math.floor((now.getTime() - Date.parse(oldest)) / 1000)) : 0,
    atRisk: views.filter((v) => v.minutesLeft >= 0),
    late: views.filter((v) => v.minutesLeft < 0),
    deliveredLate: counts.filter((c) => !isPendingSubmission(c.state)).reduce((n, c) => n + c.late, 0),
    clockAhead: await Promise.all(ahead.map(view)),
  };
}
