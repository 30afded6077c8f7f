// The branch node's side of sync: push batch after batch (built in branch-batch.ts) and record head
// office's answer — acknowledged documents, outcomes it heard, relayed submissions' outcomes, its setting.
import type { FleetContext } from '../egs/index.js';
import { isFinalSubmission, sync as syncRepo, withWriteTransaction, type Taxpayer } from '../store/index.js';
import { buildBatch, RELAYED, reportingMode } from './branch-batch.js';
import { pushBatch, requestEnrolments, type BranchSyncOptions } from './branch-link.js';
import type { ReportingMode, SyncBatch, SyncResult } from './protocol.js';
import { syncDb, type SyncDb } from './schema.js';

export interface SyncSummary {
  batches: number;
  stored: number;
  already: number;
  statuses: number;
  relayedOutcomes: number;
  reporting: ReportingMode;
  /** Documents head office does not hold yet (0 when fully synced). */
  behind: number;
}

/** Record what head office acknowledged: pushed documents, outcomes it heard, relayed outcomes, its setting. */
export async function applyResult(ctx: FleetContext, taxpayer: Taxpayer, batch: SyncBatch, result: SyncResult): Promise<number> {
  const now = ctx.clock.now().toISOString();
  let relayed = 0;
  await withWriteTransaction(ctx.store, async (raw) => {
    const trx = syncDb(raw);
    const ids = new Map(
      (
        await trx
          .selectFrom('documents')
          .select(['id', 'uuid', 'unit_id', 'kind'])
          .where('taxpayer_id', '=', taxpayer.id)
          .where('uuid', 'in', [...batch.documents.map((d) => d.uuid), ...batch.statuses.map((s) => s.uuid), ...result.relayed.map((r) => r.uuid), '-'])
          .execute()
      ).map((r) => [r.uuid, r]),
    );
    await recordPushed(trx, taxpayer, batch, ids, now);
    for (const r of result.relayed) {
      const doc = ids.get(r.uuid);
      if (!doc || !isFinalSubmission(r.submission.state)) continue;
      if (await applyRelayedOutcome(trx, taxpayer, doc, r, now)) relayed++;
    }
    await syncRepo.setNodeValue(raw, 'reporting', result.reporting, now);
    await syncRepo.setNodeValue(raw, 'last_sync_at', now, now);
  });
  return relayed;
}

type PushedDoc = { id: string; uuid: string; unit_id: string; kind: string };

/** The batch's documents as pushed (first time only), and the outcomes head office has now heard. */
async function recordPushed(trx: SyncDb, taxpayer: Taxpayer, batch: SyncBatch, ids: Map<string, PushedDoc>, now: string): Promise<void> {
  for (const d of batch.documents) {
    const doc = ids.get(d.uuid)!;
    const seen = await trx.selectFrom('sync_pushed').select('document_id').where('document_id', '=', doc.id).executeTakeFirst();
    if (!seen)
      await trx
        .insertInto('sync_pushed')
        .values({
          document_id: doc.id,
          taxpayer_id: taxpayer.id,
          unit_id: doc.unit_id,
          icv: d.icv,
          claim: d.claim,
          acked_state: d.claim === 'hq' ? RELAYED : d.submission.state,
          acked_at: now,
        })
        .execute();
  }
  for (const s of batch.statuses) {
    const doc = ids.get(s.uuid);
    if (doc) await trx.updateTable('sync_pushed').set({ acked_state: s.submission.state, acked_at: now }).where('document_id', '=', doc.id).execute();
  }
}

/**
 * Head office's final outcome of a document it relayed: the submission moves from `relayed` (once only),
 * the attempt is logged and a cleared XML kept. Returns whether it moved.
 */
async function applyRelayedOutcome(trx: SyncDb, taxpayer: Taxpayer, doc: PushedDoc, r: SyncResult['relayed'][number], now: string): Promise<boolean> {
  const s = r.submission;
  const moved = await trx
    .updateTable('submissions')
    .set({
      state: s.state,
      endpoint: s.endpoint,
      attempts: s.attempts,
      last_http_status: s.lastHttpStatus,
      last_outcome: s.lastOutcome,
      last_message: s.lastMessage,
      accepted_at: s.acceptedAt,
      late: s.late ? 1 : 0,
      duplicate: s.duplicate ? 1 : 0,
      updated_at: now,
    })
    .where('document_id', '=', doc.id)
    .where('state', '=', RELAYED)
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) !== 1) return false;
  // Head office's answer from ZATCA, logged here too so the branch's own auditor sees why it is final.
  await trx
    .insertInto('submission_attempts')
    .values({
      document_id: doc.id,
      taxpayer_id: taxpayer.id,
      unit_id: doc.unit_id,
      endpoint: s.endpoint,
      attempt: s.attempts,
      http_status: s.lastHttpStatus,
      outcome: s.lastOutcome ?? s.state,
      state_after: s.state,
      messages: '[]',
      duration_ms: 0,
      worker: 'hq-relay',
      at: s.acceptedAt ?? now,
    })
    .execute();
  if (r.clearedXml && doc.kind === 'standard') {
    const xml = Buffer.from(r.clearedXml, 'base64').toString('utf8');
    const { invoiceHashOf } = await import('../stamp/index.js');
    await trx
      .insertInto('document_clearances')
      .values({
        document_id: doc.id,
        taxpayer_id: taxpayer.id,
        unit_id: doc.unit_id,
        invoice_hash: invoiceHashOf(xml).base64,
        xml,
        cleared_at: s.acceptedAt ?? now,
      })
      .execute();
  }
  await trx.updateTable('sync_pushed').set({ acked_state: s.state, acked_at: now }).where('document_id', '=', doc.id).execute();
  return true;
}

/**
 * Push everything head office lacks, batch after batch (bounded). Throws `HQ_UNREACHABLE` when head
 * office is gone — what was acknowledged stays acknowledged, the rest goes next time.
 */
export async function syncNow(ctx: FleetContext, taxpayer: Taxpayer, options: BranchSyncOptions & { maxBatches?: number }): Promise<SyncSummary> {
  const summary: SyncSummary = {
    batches: 0,
    stored: 0,
    already: 0,
    statuses: 0,
    relayedOutcomes: 0,
    reporting: await reportingMode(ctx, options.reporting),
    behind: 0,
  };
  await requestEnrolments(ctx, taxpayer, options);
  const seen = new Set<string>();
  for (let i = 0; i < (options.maxBatches ?? 10_000); i++) {
    const batch = await buildBatch(ctx, taxpayer, options);
    if (!batch) break;
    // Only outcomes still pending at head office: the same content again means nothing new to learn now.
    if (batch.documents.length === 0 && batch.statuses.length === 0 && seen.has(batch.batchId)) break;
    seen.add(batch.batchId);
    const result = await pushBatch(batch, options);
    summary.relayedOutcomes += await applyResult(ctx, taxpayer, batch, result);
    summary.batches++;
    summary.stored += result.stored;
    summary.already += result.already;
    summary.statuses += result.statusesApplied;
    summary.reporting = result.reporting;
    if (batch.documents.length === 0 && batch.statuses.length === 0) break;
  }
  const db = syncDb(ctx.store.db);
  const total = Number(
    (
      await db
        .selectFrom('documents')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('taxpayer_id', '=', taxpayer.id)
        .executeTakeFirst()
    )?.n ?? 0,
  );
  const pushed = Number(
    (
      await db
        .selectFrom('sync_pushed')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('taxpayer_id', '=', taxpayer.id)
        .executeTakeFirst()
    )?.n ?? 0,
  );
  summary.behind = total - pushed;
  return summary;
}
