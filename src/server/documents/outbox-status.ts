// Outbox status within a caller's scope: the taxpayer-wide figures of `outboxStatus`, or the same
// figures computed over one branch's or one unit's submissions for a scoped caller.
import type { FleetContext } from '../../egs/index.js';
import { AT_RISK_MS, outboxDocumentView, outboxStatus, type OutboxStatus } from '../../outbox/index.js';
import { isPendingSubmission, PENDING_SUBMISSION_STATES, submissions } from '../../store/index.js';

export async function scopedOutboxStatus(ctx: FleetContext, taxpayerId: string, unitIds: string[] | undefined): Promise<OutboxStatus> {
  if (!unitIds) return outboxStatus(ctx, taxpayerId);
  const now = ctx.clock.now();
  const db = ctx.store.db;
  if (unitIds.length === 0)
    return { now: now.toISOString(), depth: 0, byState: {}, oldestAgeSeconds: 0, atRisk: [], late: [], deliveredLate: 0, clockAhead: [] };
  const counts = await db
    .selectFrom('submissions')
    .select((eb) => ['state', eb.fn.countAll<number>().as('n'), eb.fn.min('issued_at').as('oldest'), eb.fn.sum<number>('late').as('late')])
    .where('taxpayer_id', '=', taxpayerId)
    .where('unit_id', 'in', unitIds)
    .groupBy('state')
    .execute();
  const pending = counts.filter((c) => isPendingSubmission(c.state));
  const oldest = pending
    .map((c) => c.oldest as string | null)
    .filter((x): x is string => Boolean(x))
    .sort()[0];
  const soon = await db
    .selectFrom('submissions as s')
    .innerJoin('documents as d', 'd.id', 's.document_id')
    .select(['d.number', 'd.uuid', 's.unit_id', 's.icv', 's.state', 's.deadline_at', 's.last_outcome'])
    .where('s.taxpayer_id', '=', taxpayerId)
    .where('s.unit_id', 'in', unitIds)
    .where('s.state', 'in', [...PENDING_SUBMISSION_STATES])
    .where('s.deadline_at', '<', new Date(now.getTime() + AT_RISK_MS).toISOString())
    .orderBy('s.deadline_at')
    .limit(1000)
    .execute();
  const views = soon.map((s) => ({
    number: s.number,
    uuid: s.uuid,
    unitId: s.unit_id,
    icv: Number(s.icv),
    state: s.state,
    deadlineAt: s.deadline_at,
    minutesLeft: Math.floor((Date.parse(s.deadline_at) - now.getTime()) / 60_000),
    lastOutcome: s.last_outcome,
  }));
  return {
    now: now.toISOString(),
    depth: pending.reduce((n, c) => n + Number(c.n), 0),
    byState: Object.fromEntries(counts.map((c) => [c.state, Number(c.n)])),
    oldestAgeSeconds: oldest ? Math.max(0, Math.floor((now.getTime() - Date.parse(oldest)) / 1000)) : 0,
    atRisk: views.filter((v) => v.minutesLeft >= 0),
    late: views.filter((v) => v.minutesLeft < 0),
    deliveredLate: counts.filter((c) => !isPendingSubmission(c.state)).reduce((n, c) => n + Number(c.late ?? 0), 0),
    clockAhead: await Promise.all(
      (await submissions.pendingIssuedAfter(db, now.toISOString(), taxpayerId, 100, unitIds)).map((s) => outboxDocumentView(db, now, s)),
    ),
  };
}
