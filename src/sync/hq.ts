// Head office's side of sync: receive a branch's batch (verify every document's bytes, hash and
// signature; store it as the next link of the branch unit's chain; refuse forks and gaps), settings.
import { randomUUID } from 'node:crypto';
import { FleetError, type FleetContext } from '../egs/index.js';
import { invoiceHashOf, verifyInvoice } from '../stamp/index.js';
import {
  documents as docRepo,
  units as unitRepo,
  withWriteTransaction,
  type Branch,
  type DocumentsTable,
  type EgsUnit,
  type SubmissionsTable,
  type Taxpayer,
} from '../store/index.js';
import { INITIAL_PIH } from '../model/chain.js';
import { newToken, tokenHash } from '../crypto/tokens.js';
import { SyncError } from './errors.js';
import type { BatchDocument, ReportingMode, SubmissionStatus, SyncBatch, SyncResult } from './protocol.js';
import { syncDb, type SyncDb, type SyncIncidentsTable } from './schema.js';
import { FINAL_SUBMISSION_STATES, isFinalSubmission } from '../store/index.js';

/** Head office's state for a document whose submission the branch claimed and has not finished. */
export const WITH_BRANCH = 'with-branch';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
const unitKey = (serial: string, generation: number) => `${serial}#${generation}`;

/** A chain violation found inside the transaction: the batch is rolled back, the incident kept. */
class ChainViolation extends Error {
  constructor(
    readonly incident: Omit<SyncIncidentsTable, 'id' | 'taxpayer_id' | 'branch_id' | 'batch_id' | 'at'>,
    readonly messageAr: string,
  ) {
    super(incident.message);
  }
}

/** Verify one document's bytes before anything is written: exact bytes, hash, signature, ICV, UUID, VAT number. */
function verifyDocument(taxpayer: Taxpayer, d: BatchDocument): { xml: string; problem?: string } {
  const xml = unb64(d.xml);
  if (b64(xml) !== d.xml) return { xml, problem: 'the bytes are not valid UTF-8 (they would not survive storage unchanged)' };
  const hash = invoiceHashOf(xml).base64;
  if (hash !== d.invoiceHash) return { xml, problem: `the bytes hash to ${hash}, not to the declared ${d.invoiceHash}` };
  let result: ReturnType<typeof verifyInvoice>;
  try {
    result = verifyInvoice(xml, { pih: d.pih, source: d.number });
  } catch (error) {
    return { xml, problem: `the bytes do not parse as an invoice: ${(error as Error).message}` };
  }
  const failed = result.checks.filter((c) => c.status === 'fail');
  if (failed.length) return { xml, problem: `stamp does not verify: ${failed.map((c) => `${c.id}: ${c.message}`).join('; ')}` };
  const icv = /<cbc:ID>ICV<\/cbc:ID>\s*<cbc:UUID>(\d+)<\/cbc:UUID>/.exec(xml)?.[1];
  if (Number(icv) !== d.icv) return { xml, problem: `the ICV written in the document (${icv ?? 'none'}) is not the declared ${d.icv}` };
  const uuid = /<cbc:UUID>([^<]+)<\/cbc:UUID>/.exec(xml)?.[1];
  if (uuid !== d.uuid) return { xml, problem: `the UUID written in the document (${uuid ?? 'none'}) is not the declared ${d.uuid}` };
  const id = /<\/ext:UBLExtensions>[\s\S]*?<cbc:ID>([^<]+)<\/cbc:ID>/.exec(xml)?.[1] ?? /<cbc:ID>([^<]+)<\/cbc:ID>/.exec(xml)?.[1];
  if (id !== d.number) return { xml, problem: `the number written in the document (${id ?? 'none'}) is not the declared ${d.number}` };
  if (!xml.includes(`<cbc:CompanyID>${taxpayer.vat_number}</cbc:CompanyID>`)) return { xml, problem: `the seller's VAT number is not ${taxpayer.vat_number}` };
  if (d.facts.issueDate && !xml.includes(`<cbc:IssueDate>${d.facts.issueDate}</cbc:IssueDate>`))
    return { xml, problem: `the issue date is not the declared ${d.facts.issueDate}` };
  return { xml };
}

async function recordIncident(ctx: FleetContext, row: Omit<SyncIncidentsTable, 'id'>): Promise<void> {
  await syncDb(ctx.store.db).insertInto('sync_incidents').values(row).execute();
  ctx.logger.warn(
    { branch: row.branch_id, unit: row.unit_serial, icv: row.icv, kind: row.kind, stored: row.stored_hash, received: row.received_hash },
    'branch sync refused: chain incident recorded',
  );
}

/**
 * Apply one batch from a branch node. All of it or nothing; the same batch again returns the same
 * heads without writing; documents head office already holds (same unit, ICV and hash) are skipped.
 */
export async function receiveBatch(ctx: FleetContext, taxpayer: Taxpayer, branch: Branch, batch: SyncBatch): Promise<SyncResult> {
  const now = ctx.clock.now().toISOString();
  const base = { taxpayer_id: taxpayer.id, branch_id: branch.id, batch_id: batch.batchId, at: now };
  const xmlOf = new Map<BatchDocument, string>();
  for (const d of batch.documents) {
    const v = verifyDocument(taxpayer, d);
    if (v.problem) {
      const message = `unit ${d.serial} ICV ${d.icv} (${d.number}): ${v.problem}; the batch was refused and nothing was stored`;
      await recordIncident(ctx, { ...base, unit_serial: d.serial, icv: d.icv, kind: 'invalid', stored_hash: null, received_hash: d.invoiceHash, message });
      throw new SyncError(
        'INVALID_DOCUMENT',
        message,
        `الوحدة ${d.serial} رقم العداد ${d.icv}: المستند لا يمكن التحقق منه (${v.problem})؛ رُفضت الدفعة ولم يُحفظ شيء`,
        { field: 'documents' },
      );
    }
    xmlOf.set(d, v.xml);
  }
  const db = syncDb(ctx.store.db);
  let stored = 0;
  let already = 0;
  let statusesApplied = 0;
  let replayed = false;
  try {
    await withWriteTransaction(ctx.store, async (raw) => {
      const trx = syncDb(raw);
      const seen = await trx
        .selectFrom('sync_batches')
        .select('batch_id')
        .where('branch_id', '=', branch.id)
        .where('batch_id', '=', batch.batchId)
        .executeTakeFirst();
      if (seen) {
        replayed = true;
        return;
      }
      const units = await resolveUnits(ctx, trx, taxpayer, branch, batch, now);
      const locked = await docRepo.lockUnits(
        raw,
        ctx.store.dialect,
        [taxpayer.id],
        [...units.values()].map((u) => u.id),
      );
      const heads = new Map([...locked.values()].map((u) => [u.id, { icv: u.icv, hash: u.pih, at: u.last_issued_at }]));
      const ordered = [...batch.documents].sort((a, b) =>
        a.serial === b.serial ? a.generation - b.generation || a.icv - b.icv : a.serial < b.serial ? -1 : 1,
      );
      for (const d of ordered) {
        const unit = units.get(unitKey(d.serial, d.generation))!;
        const head = heads.get(unit.id)!;
        const existing = await trx
          .selectFrom('documents')
          .select(['invoice_hash', 'uuid'])
          .where('unit_id', '=', unit.id)
          .where('icv', '=', d.icv)
          .executeTakeFirst();
        if (existing) {
          if (existing.invoice_hash === d.invoiceHash) {
            already++;
            continue;
          }
          throw new ChainViolation(
            {
              unit_serial: d.serial,
              icv: d.icv,
              kind: 'fork',
              stored_hash: existing.invoice_hash,
              received_hash: d.invoiceHash,
              message: `forked chain: unit ${d.serial} ICV ${d.icv} — head office holds the document with hash ${existing.invoice_hash}, the branch sent another with hash ${d.invoiceHash} (${d.number}); was the branch's database restored from a backup? The batch was refused`,
            },
            `سلسلة متفرعة: الوحدة ${d.serial} رقم العداد ${d.icv} — لدى المقر مستند بالبصمة ${existing.invoice_hash} وأرسل الفرع مستنداً آخر بالبصمة ${d.invoiceHash}؛ رُفضت الدفعة`,
          );
        }
        if (d.icv !== head.icv + 1) {
          throw new ChainViolation(
            {
              unit_serial: d.serial,
              icv: d.icv,
              kind: 'gap',
              stored_hash: head.hash,
              received_hash: d.invoiceHash,
              message: `gapped chain: unit ${d.serial} — head office holds ICVs up to ${head.icv} (hash ${head.hash}), the branch sent ICV ${d.icv} (hash ${d.invoiceHash}); ICVs ${head.icv + 1}–${d.icv - 1} are missing. The batch was refused`,
            },
            `سلسلة ناقصة: الوحدة ${d.serial} — لدى المقر حتى رقم العداد ${head.icv}، وأرسل الفرع ${d.icv}؛ الأرقام ${head.icv + 1}–${d.icv - 1} مفقودة؛ رُفضت الدفعة`,
          );
        }
        if (d.pih !== head.hash) {
          throw new ChainViolation(
            {
              unit_serial: d.serial,
              icv: d.icv,
              kind: 'fork',
              stored_hash: head.hash,
              received_hash: d.pih,
              message: `forked chain: unit ${d.serial} ICV ${d.icv} — its PIH ${d.pih} is not the hash of head office's ICV ${head.icv} (${head.hash}). The batch was refused`,
            },
            `سلسلة متفرعة: الوحدة ${d.serial} رقم العداد ${d.icv} — بصمة المستند السابق ${d.pih} لا تطابق بصمة المقر ${head.hash}؛ رُفضت الدفعة`,
          );
        }
        await insertSyncedDocument(trx, taxpayer, unit, d, xmlOf.get(d)!, batch.node, now);
        heads.set(unit.id, { icv: d.icv, hash: d.invoiceHash, at: d.facts.issuedAt });
        stored++;
      }
      for (const [unitId, head] of heads) {
        const before = locked.get(unitId)!;
        if (head.icv !== before.icv)
          await docRepo.advanceHead(raw, before, {
            icv: head.icv,
            pih: head.hash,
            lastIssuedAt: head.at && (!before.last_issued_at || head.at > before.last_issued_at) ? head.at : (before.last_issued_at ?? head.at!),
          });
      }
      statusesApplied = await applyStatuses(trx, taxpayer, branch, batch, now);
      await trx
        .insertInto('sync_batches')
        .values({ branch_id: branch.id, batch_id: batch.batchId, taxpayer_id: taxpayer.id, documents: batch.documents.length, stored, received_at: now })
        .execute();
      const reported = JSON.stringify(batch.units.map((u) => ({ serial: u.serial, generation: u.generation, icv: u.head.icv, hash: u.head.hash })));
      const settings = await trx.selectFrom('sync_branches').select('branch_id').where('branch_id', '=', branch.id).executeTakeFirst();
      if (settings)
        await trx
          .updateTable('sync_branches')
          .set({ node_name: batch.node, last_sync_at: now, last_batch_id: batch.batchId, reported_heads: reported, updated_at: now })
          .where('branch_id', '=', branch.id)
          .execute();
      else
        await trx
          .insertInto('sync_branches')
          .values({
            branch_id: branch.id,
            taxpayer_id: taxpayer.id,
            reporting: 'direct',
            relay_unit_id: null,
            node_name: batch.node,
            last_sync_at: now,
            last_batch_id: batch.batchId,
            reported_heads: reported,
            updated_at: now,
          })
          .execute();
    });
  } catch (error) {
    if (error instanceof ChainViolation) {
      await recordIncident(ctx, { ...base, ...error.incident });
      throw new SyncError(error.incident.kind === 'gap' ? 'GAP' : 'FORK', error.message, error.messageAr, {
        field: `documents[${error.incident.unit_serial}#${error.incident.icv}]`,
      });
    }
    if (/UNIQUE|unique|duplicate key/.test((error as Error).message ?? '')) {
      throw new SyncError(
        'FORK',
        `the batch repeats a UUID or invoice number head office already holds for another document: ${(error as Error).message}`,
        'تكرر الدفعة معرّفاً أو رقم فاتورة لمستند آخر لدى المقر',
        { field: 'documents' },
      );
    }
    throw error;
  }
  return {
    batchId: batch.batchId,
    replayed,
    stored,
    already,
    statusesApplied,
    reporting: await reportingOf(db, branch.id),
    heads: await headsOf(db, branch.id),
    relayed: await relayOutcomes(db, taxpayer, branch, batch.relayPending),
  };
}

async function resolveUnits(ctx: FleetContext, trx: SyncDb, taxpayer: Taxpayer, branch: Branch, batch: SyncBatch, now: string): Promise<Map<string, EgsUnit>> {
  const wanted = new Map(batch.units.map((u) => [unitKey(u.serial, u.generation), u]));
  for (const d of batch.documents) {
    if (!wanted.has(unitKey(d.serial, d.generation)))
      throw new SyncError(
        'INVALID_DOCUMENT',
        `document ${d.number} names unit ${d.serial} (generation ${d.generation}), which the batch does not describe in "units"`,
        `المستند ${d.number} يشير إلى وحدة غير موصوفة في الدفعة`,
        { field: 'units', code: 'INVALID_INPUT' },
      );
  }
  const out = new Map<string, EgsUnit>();
  for (const [key, u] of wanted) {
    const found = await trx
      .selectFrom('egs_units')
      .selectAll()
      .where('taxpayer_id', '=', taxpayer.id)
      .where('serial', '=', u.serial)
      .where('generation', '=', u.generation)
      .executeTakeFirst();
    if (found) {
      const link = await trx.selectFrom('sync_units').select('branch_id').where('unit_id', '=', found.id).executeTakeFirst();
      if (!link || link.branch_id !== branch.id) {
        throw new SyncError(
          'FOREIGN_UNIT',
          `unit ${u.serial} is ${link ? 'another branch’s' : 'a head-office unit'}; a branch node may only sync its own units (give the device its own serial)`,
          `الوحدة ${u.serial} ليست من وحدات هذا الفرع؛ يزامن الفرع وحداته فقط`,
          { field: 'units' },
        );
      }
      out.set(key, found);
      continue;
    }
    // A new device of this branch only: its serial must not belong to any unit here (another
    // generation of a head-office or other-branch device), and its name must not be any unit's
    // name, serial or id — otherwise a branch could take over another device's references.
    const plain = trx as unknown as Parameters<typeof unitRepo.unitsReferencedBy>[0];
    const clashes = [...(await unitRepo.unitsReferencedBy(plain, taxpayer.id, u.serial)), ...(await unitRepo.unitsReferencedBy(plain, taxpayer.id, u.name))];
    for (const other of clashes) {
      const link = await trx.selectFrom('sync_units').select('branch_id').where('unit_id', '=', other.id).executeTakeFirst();
      const sameDevice = other.serial === u.serial && other.name === u.name && link?.branch_id === branch.id;
      if (!sameDevice) {
        throw new SyncError(
          'FOREIGN_UNIT',
          `unit ${u.name} (${u.serial}) clashes with unit ${other.name} (${other.serial}) already known here; a branch node may only register devices of its own with names and serials no other unit uses`,
          `الوحدة ${u.name} تتعارض مع وحدة مسجلة؛ يسجل الفرع أجهزته فقط بأسماء وأرقام غير مستخدمة`,
          { field: 'units' },
        );
      }
    }
    // A unit the branch onboarded itself: registered here from the synced data, chain empty, so its
    // documents enter as valid links from ICV 1. Head office holds no key for it and never signs for it.
    const row = {
      id: randomUUID(),
      taxpayer_id: taxpayer.id,
      branch_id: branch.id,
      member_tin: null,
      name: u.name,
      serial: u.serial,
      generation: u.generation,
      title: u.title,
      environment: u.environment,
      organization_unit: branch.name,
      state: 'active',
      state_changed_at: now,
      icv: 0,
      pih: INITIAL_PIH,
      last_issued_at: null,
      replaces_unit_id: null,
      created_at: now,
      key_provider: 'sealed',
      issuing_paused_until: null,
      issuing_paused_reason: null,
      credentials_refused_at: null,
      credentials_refused_reason: null,
      // The branch node submits its own documents: head office records no target for this unit.
      zatca_base_url: null,
    };
    await trx.insertInto('egs_units').values(row).execute();
    await trx
      .insertInto('unit_transitions')
      .values({
        unit_id: row.id,
        taxpayer_id: taxpayer.id,
        from_state: null,
        to_state: 'active',
        actor: `${ctx.actor}:sync:${batch.node}`,
        reason: `registered from branch ${branch.name}'s sync (the branch holds its key and CSID)`,
        at: now,
      })
      .execute();
    await trx.insertInto('sync_units').values({ unit_id: row.id, taxpayer_id: taxpayer.id, branch_id: branch.id, first_synced_at: now }).execute();
    out.set(key, row);
  }
  return out;
}

function submissionFields(s: SubmissionStatus) {
  return {
    attempts: s.attempts,
    late: s.late ? 1 : 0,
    duplicate: s.duplicate ? 1 : 0,
    last_http_status: s.lastHttpStatus,
    last_outcome: s.lastOutcome,
    last_message: s.lastMessage,
    accepted_at: s.acceptedAt,
  };
}

/** The branch's final answer from ZATCA, logged at head office so the auditor and reports see it. */
async function logBranchAnswer(
  trx: SyncDb,
  doc: { id: string; taxpayer_id: string; unit_id: string },
  s: SubmissionStatus,
  node: string,
  now: string,
): Promise<void> {
  await trx
    .insertInto('submission_attempts')
    .values({
      document_id: doc.id,
      taxpayer_id: doc.taxpayer_id,
      unit_id: doc.unit_id,
      endpoint: s.endpoint,
      attempt: s.attempts,
      http_status: s.lastHttpStatus,
      outcome: s.lastOutcome ?? s.state,
      state_after: s.state,
      messages: '[]',
      duration_ms: 0,
      worker: `branch:${node}`,
      at: s.acceptedAt ?? now,
    })
    .execute();
}

async function insertSyncedDocument(trx: SyncDb, taxpayer: Taxpayer, unit: EgsUnit, d: BatchDocument, xml: string, node: string, now: string): Promise<void> {
  const f = d.facts;
  const original = f.originalNumber
    ? await trx.selectFrom('documents').select('id').where('taxpayer_id', '=', taxpayer.id).where('number', '=', f.originalNumber).executeTakeFirst()
    : undefined;
  const row: DocumentsTable = {
    id: randomUUID(),
    taxpayer_id: taxpayer.id,
    unit_id: unit.id,
    icv: d.icv,
    pih: d.pih,
    invoice_hash: d.invoiceHash,
    uuid: d.uuid,
    number: d.number,
    document_type: f.documentType,
    type_code: f.typeCode,
    transaction_code: f.transactionCode,
    kind: f.kind,
    issue_date: f.issueDate,
    issue_time: f.issueTime,
    issued_at: f.issuedAt,
    deadline_at: f.deadlineAt,
    signing_time: f.signingTime,
    csid_id: `branch:${d.serial}`,
    currency: f.currency,
    exchange_rate: f.exchangeRate,
    buyer_vat: f.buyerVat,
    buyer_name: f.buyerName,
    original_document_id: original?.id ?? null,
    original_number: f.originalNumber,
    tax_exclusive_amount: f.taxExclusiveAmount,
    tax_amount: f.taxAmount,
    tax_amount_sar: f.taxAmountSar,
    tax_inclusive_amount: f.taxInclusiveAmount,
    payable_amount: f.payableAmount,
    taxable_amount_sar: f.taxableAmountSar,
    vat_breakdown: f.vatBreakdown,
    qr: f.qr,
    xml,
  };
  await trx.insertInto('documents').values(row).execute();
  const s = d.submission;
  const relay = d.claim === 'hq';
  const state = relay ? 'to-submit' : isFinalSubmission(s.state) ? s.state : WITH_BRANCH;
  const job: SubmissionsTable = {
    document_id: row.id,
    taxpayer_id: taxpayer.id,
    unit_id: unit.id,
    icv: d.icv,
    kind: f.kind,
    endpoint: relay ? (f.kind === 'standard' ? 'clearance' : 'reporting') : s.endpoint,
    state,
    attempts: 0,
    next_attempt_at: now,
    lease_owner: null,
    lease_until: null,
    issued_at: f.issuedAt,
    deadline_at: f.deadlineAt,
    late: 0,
    duplicate: 0,
    last_http_status: null,
    last_outcome: null,
    last_message: null,
    accepted_at: null,
    updated_at: now,
    ...(!relay && submissionFields(s)),
  };
  await trx.insertInto('submissions').values(job).execute();
  if (!relay && isFinalSubmission(s.state)) await logBranchAnswer(trx, row, s, node, now);
  if (d.clearedXml) {
    const cleared = unb64(d.clearedXml);
    await trx
      .insertInto('document_clearances')
      .values({
        document_id: row.id,
        taxpayer_id: taxpayer.id,
        unit_id: unit.id,
        invoice_hash: invoiceHashOf(cleared).base64,
        xml: cleared,
        cleared_at: s.acceptedAt ?? now,
      })
      .execute();
  }
}

/** Final outcomes of documents the branch submits itself: recorded once, later repeats are no-ops. */
async function applyStatuses(trx: SyncDb, taxpayer: Taxpayer, branch: Branch, batch: SyncBatch, now: string): Promise<number> {
  let applied = 0;
  for (const u of batch.statuses) {
    if (!isFinalSubmission(u.submission.state)) continue;
    const doc = await trx
      .selectFrom('documents')
      .innerJoin('sync_units', 'sync_units.unit_id', 'documents.unit_id')
      .innerJoin('submissions', 'submissions.document_id', 'documents.id')
      .select(['documents.id', 'documents.taxpayer_id', 'documents.unit_id', 'documents.kind', 'submissions.state'])
      .where('documents.taxpayer_id', '=', taxpayer.id)
      .where('documents.uuid', '=', u.uuid)
      .where('sync_units.branch_id', '=', branch.id)
      .executeTakeFirst();
    if (!doc || doc.state !== WITH_BRANCH) continue;
    await trx
      .updateTable('submissions')
      .set({ state: u.submission.state, endpoint: u.submission.endpoint, ...submissionFields(u.submission), updated_at: now })
      .where('document_id', '=', doc.id)
      .where('state', '=', WITH_BRANCH)
      .execute();
    await logBranchAnswer(trx, doc, u.submission, batch.node, now);
    if (u.clearedXml && doc.kind === 'standard') {
      const has = await trx.selectFrom('document_clearances').select('document_id').where('document_id', '=', doc.id).executeTakeFirst();
      const cleared = unb64(u.clearedXml);
      if (!has)
        await trx
          .insertInto('document_clearances')
          .values({
            document_id: doc.id,
            taxpayer_id: doc.taxpayer_id,
            unit_id: doc.unit_id,
            invoice_hash: invoiceHashOf(cleared).base64,
            xml: cleared,
            cleared_at: u.submission.acceptedAt ?? now,
          })
          .execute();
    }
    applied++;
  }
  return applied;
}

async function reportingOf(db: SyncDb, branchId: string): Promise<ReportingMode> {
  const r = await db.selectFrom('sync_branches').select('reporting').where('branch_id', '=', branchId).executeTakeFirst();
  return r?.reporting === 'relay' ? 'relay' : 'direct';
}

async function headsOf(db: SyncDb, branchId: string): Promise<SyncResult['heads']> {
  const rows = await db
    .selectFrom('egs_units')
    .innerJoin('sync_units', 'sync_units.unit_id', 'egs_units.id')
    .select(['egs_units.serial', 'egs_units.generation', 'egs_units.icv', 'egs_units.pih'])
    .where('sync_units.branch_id', '=', branchId)
    .orderBy('egs_units.serial')
    .execute();
  return rows.map((r) => ({ serial: r.serial, generation: r.generation, icv: r.icv, hash: r.pih }));
}

/** What head office's relay got from ZATCA for documents the branch handed over. */
async function relayOutcomes(db: SyncDb, taxpayer: Taxpayer, branch: Branch, uuids: readonly string[]): Promise<SyncResult['relayed']> {
  if (uuids.length === 0) return [];
  const rows = await db
    .selectFrom('documents')
    .innerJoin('sync_units', 'sync_units.unit_id', 'documents.unit_id')
    .innerJoin('submissions', 'submissions.document_id', 'documents.id')
    .leftJoin('document_clearances', 'document_clearances.document_id', 'documents.id')
    .select([
      'documents.uuid',
      'submissions.state',
      'submissions.endpoint',
      'submissions.attempts',
      'submissions.last_outcome',
      'submissions.last_http_status',
      'submissions.last_message',
      'submissions.accepted_at',
      'submissions.late',
      'submissions.duplicate',
      'document_clearances.xml as cleared',
    ])
    .where('documents.taxpayer_id', '=', taxpayer.id)
    .where('sync_units.branch_id', '=', branch.id)
    .where('documents.uuid', 'in', [...uuids])
    .where('submissions.state', 'in', [...FINAL_SUBMISSION_STATES])
    .execute();
  return rows.map((r) => ({
    uuid: r.uuid,
    submission: {
      state: r.state,
      endpoint: r.endpoint === 'clearance' ? 'clearance' : 'reporting',
      attempts: r.attempts,
      lastOutcome: r.last_outcome,
      lastHttpStatus: r.last_http_status,
      lastMessage: r.last_message,
      acceptedAt: r.accepted_at,
      late: r.late === 1,
      duplicate: r.duplicate === 1,
    },
    clearedXml: r.cleared ? b64(r.cleared) : null,
  }));
}

// --- settings, tokens, status -------------------------------------------------------------------

export interface BranchSyncSettings {
  reporting: ReportingMode;
  /** Head office's own onboarded unit whose CSID submits relayed documents (same VAT number, seed 000). */
  relayUnit?: EgsUnit | null;
}

export async function setBranchSync(ctx: FleetContext, taxpayer: Taxpayer, branch: Branch, s: BranchSyncSettings): Promise<void> {
  const db = syncDb(ctx.store.db);
  if (s.relayUnit) {
    const foreign = await db.selectFrom('sync_units').select('unit_id').where('unit_id', '=', s.relayUnit.id).executeTakeFirst();
    if (foreign || s.relayUnit.taxpayer_id !== taxpayer.id) {
      throw new FleetError('INVALID_FIELD', `unit ${s.relayUnit.name} cannot relay: it must be one of head office's own onboarded units of this taxpayer`, {
        field: 'relayUnit',
        messageAr: 'وحدة الترحيل يجب أن تكون من وحدات المقر المسجلة لهذا المكلف',
      });
    }
  }
  if (s.reporting === 'relay' && !s.relayUnit)
    throw new FleetError('INVALID_FIELD', "relay reporting needs relayUnit: the head-office unit whose CSID submits the branch's documents", {
      field: 'relayUnit',
      messageAr: 'الترحيل عبر المقر يتطلب تحديد وحدة المقر التي ترسل المستندات',
    });
  const now = ctx.clock.now().toISOString();
  const relay = s.relayUnit?.id ?? null;
  const found = await db.selectFrom('sync_branches').select('branch_id').where('branch_id', '=', branch.id).executeTakeFirst();
  if (found)
    await db.updateTable('sync_branches').set({ reporting: s.reporting, relay_unit_id: relay, updated_at: now }).where('branch_id', '=', branch.id).execute();
  else
    await db
      .insertInto('sync_branches')
      .values({
        branch_id: branch.id,
        taxpayer_id: taxpayer.id,
        reporting: s.reporting,
        relay_unit_id: relay,
        node_name: null,
        last_sync_at: null,
        last_batch_id: null,
        reported_heads: '[]',
        updated_at: now,
      })
      .execute();
}

/** A branch node's token: bound to one branch, may only push sync batches. Shown once. */
export async function createSyncToken(
  ctx: FleetContext,
  branch: Branch,
  input: { name?: string; expiresInDays?: number; createdBy: string },
): Promise<{ token: string; id: string; expiresAt: string }> {
  const days = input.expiresInDays ?? 365;
  if (!Number.isInteger(days) || days < 1 || days > 730)
    throw new FleetError('INVALID_FIELD', 'a sync token lives 1 to 730 days', { field: 'expiresInDays', messageAr: 'صلاحية رمز المزامنة من 1 إلى 730 يوماً' });
  const now = ctx.clock.now();
  const t = newToken('sync');
  const expiresAt = new Date(now.getTime() + days * 86_400_000).toISOString();
  await syncDb(ctx.store.db)
    .insertInto('sync_tokens')
    .values({
      id: t.id,
      name: (input.name ?? `${branch.name} node`).slice(0, 64),
      taxpayer_id: branch.taxpayer_id,
      branch_id: branch.id,
      token_hash: t.hash,
      created_at: now.toISOString(),
      created_by: input.createdBy,
      expires_at: expiresAt,
      revoked_at: null,
      last_used_at: null,
    })
    .execute();
  return { token: t.token, id: t.id, expiresAt };
}

export { tokenHash };

export interface BranchSyncStatus {
  branch: string;
  reporting: ReportingMode;
  relayUnit: string | null;
  node: string | null;
  lastSyncAt: string | null;
  lastBatchId: string | null;
  units: Array<{ serial: string; name: string; icv: number; hash: string; branchIcv: number | null; lag: number | null }>;
  withBranch: number;
  relayQueued: number;
  incidents: number;
}

/** Each branch's sync state: last sync, the chain heads held here and the ones the branch reported, the lag. */
export async function branchSyncStatus(ctx: FleetContext, taxpayer: Taxpayer, branchId?: string): Promise<BranchSyncStatus[]> {
  const db = syncDb(ctx.store.db);
  let q = db
    .selectFrom('branches')
    .leftJoin('sync_branches', 'sync_branches.branch_id', 'branches.id')
    .leftJoin('egs_units as relay', 'relay.id', 'sync_branches.relay_unit_id')
    .select([
      'branches.id',
      'branches.name',
      'sync_branches.reporting',
      'relay.name as relay_name',
      'sync_branches.node_name',
      'sync_branches.last_sync_at',
      'sync_branches.last_batch_id',
      'sync_branches.reported_heads',
    ])
    .where('branches.taxpayer_id', '=', taxpayer.id)
    .orderBy('branches.name');
  if (branchId) q = q.where('branches.id', '=', branchId);
  const out: BranchSyncStatus[] = [];
  for (const b of await q.execute()) {
    const units = await db
      .selectFrom('egs_units')
      .innerJoin('sync_units', 'sync_units.unit_id', 'egs_units.id')
      .select(['egs_units.serial', 'egs_units.generation', 'egs_units.name', 'egs_units.icv', 'egs_units.pih'])
      .where('sync_units.branch_id', '=', b.id)
      .orderBy('egs_units.serial')
      .execute();
    if (!b.reporting && units.length === 0) continue;
    const reported = JSON.parse(b.reported_heads ?? '[]') as Array<{ serial: string; generation: number; icv: number }>;
    const count = async (state: string) =>
      Number(
        (
          await db
            .selectFrom('submissions')
            .innerJoin('sync_units', 'sync_units.unit_id', 'submissions.unit_id')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('sync_units.branch_id', '=', b.id)
            .where('submissions.state', '=', state)
            .executeTakeFirst()
        )?.n ?? 0,
      );
    const incidents = Number(
      (
        await db
          .selectFrom('sync_incidents')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('branch_id', '=', b.id)
          .executeTakeFirst()
      )?.n ?? 0,
    );
    out.push({
      branch: b.name,
      reporting: b.reporting === 'relay' ? 'relay' : 'direct',
      relayUnit: b.relay_name ?? null,
      node: b.node_name ?? null,
      lastSyncAt: b.last_sync_at ?? null,
      lastBatchId: b.last_batch_id ?? null,
      units: units.map((u) => {
        const r = reported.find((x) => x.serial === u.serial && x.generation === u.generation);
        return { serial: u.serial, name: u.name, icv: u.icv, hash: u.pih, branchIcv: r?.icv ?? null, lag: r ? Math.max(0, r.icv - u.icv) : null };
      }),
      withBranch: await count(WITH_BRANCH),
      relayQueued: await count('to-submit'),
      incidents,
    });
  }
  return out;
}

export function listIncidents(ctx: FleetContext, taxpayer: Taxpayer, branchId?: string) {
  let q = syncDb(ctx.store.db).selectFrom('sync_incidents').selectAll().where('taxpayer_id', '=', taxpayer.id).orderBy('id', 'desc').limit(200);
  if (branchId) q = q.where('branch_id', '=', branchId);
  return q.execute();
}
