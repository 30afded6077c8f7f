// The branch node's side of sync: build batches of documents head office has not acknowledged
// (exact bytes), claim relayed submissions atomically, push, and record head office's answer.
import type { FleetContext } from '../egs/index.js';
import { sync as syncRepo, units as unitRepo, withWriteTransaction, type IssuedDocument, type Submission, type Taxpayer } from '../store/index.js';
import {
  DEFAULT_BATCH_DOCUMENTS,
  MAX_BATCH_XML_BYTES,
  PROTOCOL_VERSION,
  batchIdOf,
  type BatchDocument,
  type ReportingMode,
  type StatusUpdate,
  type SubmissionStatus,
  type SyncBatch,
  type SyncResult,
} from './protocol.js';
import { syncDb } from './schema.js';
import { enrolledUnits, pushBatch, requestEnrolments, type BranchSyncOptions } from './branch-link.js';

export { pushBatch, requestEnrolments, type BranchSyncOptions } from './branch-link.js';
import { FINAL_SUBMISSION_STATES, isFinalSubmission } from '../store/index.js';

/** The branch's submission state for a document head office relays: the branch's outbox never claims it. */
export const RELAYED = 'relayed';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

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

/** The branch's reporting mode: head office's setting once heard, else the configured default. */
export async function reportingMode(ctx: FleetContext, fallback: ReportingMode = 'direct'): Promise<ReportingMode> {
  const v = await syncRepo.nodeValue(ctx.store.db, 'reporting');
  return v === 'relay' || v === 'direct' ? v : fallback;
}

function statusOf(s: Submission): SubmissionStatus {
  return {
    state: s.state,
    endpoint: s.endpoint === 'clearance' ? 'clearance' : 'reporting',
    attempts: s.attempts,
    lastOutcome: s.last_outcome,
    lastHttpStatus: s.last_http_status,
    lastMessage: s.last_message,
    acceptedAt: s.accepted_at,
    late: s.late === 1,
    duplicate: s.duplicate === 1,
  };
}

/**
 * In relay mode, hand head office the submissions nobody has started: `to-submit` with no live lease
 * becomes `relayed` in one write, so the branch's outbox (which only claims `to-submit`) never sends them.
 */
async function claimForRelay(ctx: FleetContext, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const now = ctx.clock.now().toISOString();
  await withWriteTransaction(ctx.store, async (trx) => {
    await trx
      .updateTable('submissions')
      .set({ state: RELAYED, updated_at: now })
      .where('document_id', 'in', [...ids])
      .where('state', '=', 'to-submit')
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .execute();
  });
}

/** The next batch to push, or undefined when head office has everything (documents and outcomes). */
export async function buildBatch(
  ctx: FleetContext,
  taxpayer: Taxpayer,
  options: Pick<BranchSyncOptions, 'node' | 'reporting' | 'batchDocuments'>,
): Promise<SyncBatch | undefined> {
  const db = syncDb(ctx.store.db);
  const mode = await reportingMode(ctx, options.reporting);
  const limit = options.batchDocuments ?? DEFAULT_BATCH_DOCUMENTS;
  const allUnits = await unitRepo.listUnits(ctx.store.db, taxpayer.id);
  // Only units head office enrolled: it refuses the documents of any other.
  const enrolled = await enrolledUnits(ctx.store.db, allUnits);
  const units = allUnits.filter((u) => enrolled.has(`${u.serial}#${u.generation}`));
  const picked: IssuedDocument[] = [];
  let bytes = 0;
  for (const u of units) {
    if (picked.length >= limit) break;
    const acked = await db
      .selectFrom('sync_pushed')
      .select((eb) => eb.fn.max<number>('icv').as('icv'))
      .where('unit_id', '=', u.id)
      .executeTakeFirst();
    const rows = await db
      .selectFrom('documents')
      .selectAll()
      .where('unit_id', '=', u.id)
      .where('icv', '>', Number(acked?.icv ?? 0))
      .orderBy('icv')
      .limit(limit - picked.length)
      .execute();
    for (const d of rows) {
      const size = Buffer.byteLength(d.xml, 'utf8');
      if (picked.length > 0 && bytes + size > MAX_BATCH_XML_BYTES) break;
      picked.push(d);
      bytes += size;
    }
  }
  if (mode === 'relay')
    await claimForRelay(
      ctx,
      picked.map((d) => d.id),
    );
  const jobs = new Map<string, Submission>();
  if (picked.length)
    for (const s of await db
      .selectFrom('submissions')
      .selectAll()
      .where(
        'document_id',
        'in',
        picked.map((d) => d.id),
      )
      .execute())
      jobs.set(s.document_id, s);
  const clearances = new Map<string, string>();
  if (picked.length)
    for (const c of await db
      .selectFrom('document_clearances')
      .select(['document_id', 'xml'])
      .where(
        'document_id',
        'in',
        picked.map((d) => d.id),
      )
      .execute())
      clearances.set(c.document_id, c.xml);
  const unitById = new Map(units.map((u) => [u.id, u]));
  const documents: BatchDocument[] = picked.map((d) => {
    const job = jobs.get(d.id)!;
    const unit = unitById.get(d.unit_id)!;
    return {
      serial: unit.serial,
      generation: unit.generation,
      icv: d.icv,
      pih: d.pih,
      invoiceHash: d.invoice_hash,
      uuid: d.uuid,
      number: d.number,
      xml: b64(d.xml),
      clearedXml: clearances.has(d.id) ? b64(clearances.get(d.id)!) : null,
      facts: {
        documentType: d.document_type,
        typeCode: d.type_code,
        transactionCode: d.transaction_code,
        kind: d.kind === 'standard' ? 'standard' : 'simplified',
        issueDate: d.issue_date,
        issueTime: d.issue_time,
        issuedAt: d.issued_at,
        deadlineAt: d.deadline_at,
        signingTime: d.signing_time,
        currency: d.currency,
        exchangeRate: d.exchange_rate,
        buyerVat: d.buyer_vat,
        buyerName: d.buyer_name,
        originalNumber: d.original_number,
        taxExclusiveAmount: d.tax_exclusive_amount,
        taxAmount: d.tax_amount,
        taxAmountSar: d.tax_amount_sar,
        taxInclusiveAmount: d.tax_inclusive_amount,
        payableAmount: d.payable_amount,
        taxableAmountSar: d.taxable_amount_sar,
        vatBreakdown: d.vat_breakdown,
        qr: d.qr,
      },
      claim: job.state === RELAYED ? 'hq' : 'branch',
      submission: statusOf(job),
    };
  });
  // Outcomes of documents the branch submits itself that head office has not heard of yet.
  const changed = await db
    .selectFrom('sync_pushed')
    .innerJoin('submissions', 'submissions.document_id', 'sync_pushed.document_id')
    .innerJoin('documents', 'documents.id', 'sync_pushed.document_id')
    .leftJoin('document_clearances', 'document_clearances.document_id', 'sync_pushed.document_id')
    .selectAll('submissions')
    .select(['documents.uuid', 'document_clearances.xml as cleared'])
    .where('sync_pushed.taxpayer_id', '=', taxpayer.id)
    .where('sync_pushed.claim', '=', 'branch')
    .where('submissions.state', 'in', [...FINAL_SUBMISSION_STATES])
    .whereRef('submissions.state', '<>', 'sync_pushed.acked_state')
    .limit(500)
    .execute();
  const statuses: StatusUpdate[] = changed.map((r) => ({ uuid: r.uuid, submission: statusOf(r), clearedXml: r.cleared ? b64(r.cleared) : null }));
  const pending = await db
    .selectFrom('sync_pushed')
    .innerJoin('documents', 'documents.id', 'sync_pushed.document_id')
    .select('documents.uuid')
    .where('sync_pushed.taxpayer_id', '=', taxpayer.id)
    .where('sync_pushed.claim', '=', 'hq')
    .where('sync_pushed.acked_state', '=', RELAYED)
    .orderBy('sync_pushed.acked_at')
    .limit(500)
    .execute();
  if (documents.length === 0 && statuses.length === 0 && pending.length === 0) return undefined;
  const unitKeys = new Set(documents.map((d) => `${d.serial}#${d.generation}`));
  const content = {
    protocol: PROTOCOL_VERSION as typeof PROTOCOL_VERSION,
    node: options.node,
    units: units
      .filter((u) => unitKeys.has(`${u.serial}#${u.generation}`) || u.icv > 0)
      .map((u) => ({
        serial: u.serial,
        generation: u.generation,
        name: u.name,
        title: u.title,
        environment: u.environment,
        head: { icv: u.icv, hash: u.pih },
      })),
    documents,
    statuses,
    relayPending: pending.map((p) => p.uuid),
  };
  const batchId = batchIdOf(content);
  return { ...content, batchId };
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
    for (const r of result.relayed) {
      const doc = ids.get(r.uuid);
      if (!doc || !isFinalSubmission(r.submission.state)) continue;
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
      if (Number(moved.numUpdatedRows) !== 1) continue;
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
      relayed++;
    }
    await syncRepo.setNodeValue(raw, 'reporting', result.reporting, now);
    await syncRepo.setNodeValue(raw, 'last_sync_at', now, now);
  });
  return relayed;
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
