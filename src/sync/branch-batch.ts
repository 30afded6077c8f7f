// The branch node's next batch: documents of enrolled units head office has not acknowledged (exact
// bytes), relayed submissions claimed atomically in relay mode, and outcomes head office has not heard.
import type { FleetContext } from '../egs/index.js';
import {
  FINAL_SUBMISSION_STATES,
  sync as syncRepo,
  units as unitRepo,
  withWriteTransaction,
  type EgsUnit,
  type IssuedDocument,
  type Submission,
  type Taxpayer,
} from '../store/index.js';
import { enrolledUnits, type BranchSyncOptions } from './branch-link.js';
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
} from './protocol.js';
import { syncDb, type SyncDb } from './schema.js';

/** The branch's submission state for a document head office relays: the branch's outbox never claims it. */
export const RELAYED = 'relayed';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

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
  const allUnits = await unitRepo.listUnits(ctx.store.db, taxpayer.id);
  // Only units head office enrolled: it refuses the documents of any other.
  const enrolled = await enrolledUnits(ctx.store.db, allUnits);
  const units = allUnits.filter((u) => enrolled.has(`${u.serial}#${u.generation}`));
  const picked = await pickDocuments(db, units, options.batchDocuments ?? DEFAULT_BATCH_DOCUMENTS);
  if (mode === 'relay')
    await claimForRelay(
      ctx,
      picked.map((d) => d.id),
    );
  const documents = await batchDocuments(db, picked, units);
  const statuses = await outcomeUpdates(db, taxpayer);
  const pending = await relayPending(db, taxpayer);
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
    relayPending: pending,
  };
  const batchId = batchIdOf(content);
  return { ...content, batchId };
}

/** Each unit's documents after the last one head office acknowledged, in ICV order, within the batch's count and bytes. */
async function pickDocuments(db: SyncDb, units: readonly EgsUnit[], limit: number): Promise<IssuedDocument[]> {
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
  return picked;
}

/** The picked documents as the protocol carries them, each with its submission and cleared XML. */
async function batchDocuments(db: SyncDb, picked: readonly IssuedDocument[], units: readonly EgsUnit[]): Promise<BatchDocument[]> {
  if (picked.length === 0) return [];
  const ids = picked.map((d) => d.id);
  const jobs = new Map<string, Submission>();
  for (const s of await db.selectFrom('submissions').selectAll().where('document_id', 'in', ids).execute()) jobs.set(s.document_id, s);
  const clearances = new Map<string, string>();
  for (const c of await db.selectFrom('document_clearances').select(['document_id', 'xml']).where('document_id', 'in', ids).execute())
    clearances.set(c.document_id, c.xml);
  const unitById = new Map(units.map((u) => [u.id, u]));
  return picked.map((d) => {
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
      facts: factsOf(d),
      claim: job.state === RELAYED ? 'hq' : 'branch',
      submission: statusOf(job),
    };
  });
}

function factsOf(d: IssuedDocument): BatchDocument['facts'] {
  return {
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
  };
}

/** Outcomes of documents the branch submits itself that head office has not heard of yet. */
async function outcomeUpdates(db: SyncDb, taxpayer: Taxpayer): Promise<StatusUpdate[]> {
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
  return changed.map((r) => ({ uuid: r.uuid, submission: statusOf(r), clearedXml: r.cleared ? b64(r.cleared) : null }));
}

/** UUIDs of relayed documents whose outcome head office has not sent back yet (it answers with them). */
async function relayPending(db: SyncDb, taxpayer: Taxpayer): Promise<string[]> {
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
  return pending.map((p) => p.uuid);
}
