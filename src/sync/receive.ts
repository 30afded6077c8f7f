// Head office receives a branch's batch: every document is verified with its unit's registered
// certificate and its facts derived from the XML before anything is stored, as the unit's next links.
import { randomUUID } from 'node:crypto';
import { ISSUING_STATES, type FleetContext } from '../egs/index.js';
import { DEADLINE_MS } from '../issuing/batch.js';
import { appendToChain, ChainLinkError } from '../issuing/chain.js';
import { submissionJob } from '../issuing/rows.js';
import { loadCertificate, type SigningCertificate } from '../crypto/certificate.js';
import {
  documents as docRepo,
  submissions as subRepo,
  sync as syncRepo,
  syncTrust,
  units as unitRepo,
  withWriteTransaction,
  type Branch,
  type DocumentsTable,
  type EgsUnit,
  type SubmissionsTable,
  type Taxpayer,
  REPORTED_BY_BRANCH,
} from '../store/index.js';
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';
import { admitDocument, type AdmittedDocument } from './admit.js';
import { stampCertificates } from './authorities.js';
import { verifyCleared } from './cleared.js';
import { SyncError } from './errors.js';
import { batchIdOf, type BatchDocument, type SubmissionStatus, type SyncBatch, type SyncResult } from './protocol.js';
import { Refused, refusedToError, type IncidentKind } from './refusal.js';
import { relayOutcomes } from './relay-outcomes.js';
import { isAcceptedSubmission, isFinalSubmission } from '../store/index.js';

/** Head office's state for a document whose submission the branch claimed and has not proven finished. */
export const WITH_BRANCH = 'with-branch';

const unitKey = (serial: string, generation: number) => `${serial}#${generation}`;

interface Judged extends AdmittedDocument {
  d: BatchDocument;
  unit: EgsUnit;
  /** A cleared XML whose ZATCA stamp verified, when the branch sent one. */
  cleared?: string;
}

interface Receipt {
  taxpayer: Taxpayer;
  branch: Branch;
  batch: SyncBatch;
  at: string;
}

/**
 * The units the batch names (its heads and its documents): each enrolled here and this branch's; a
 * unit with documents must still be issuing (not retired, revoked, expired or replaced).
 */
async function resolveUnits(ctx: FleetContext, taxpayer: Taxpayer, branch: Branch, batch: SyncBatch): Promise<Map<string, EgsUnit>> {
  const out = new Map<string, EgsUnit>();
  const named = [
    ...batch.documents.map((d) => ({ serial: d.serial, generation: d.generation, icv: d.icv, received: d.invoiceHash as string | null, documents: true })),
    ...batch.units.map((u) => ({ serial: u.serial, generation: u.generation, icv: 0, received: null, documents: false })),
  ];
  for (const d of named) {
    const key = unitKey(d.serial, d.generation);
    if (out.has(key)) continue;
    const sameSerial = await unitRepo.unitsWithSerial(ctx.store.db, taxpayer.id, d.serial);
    const unit = sameSerial.find((u) => u.generation === d.generation);
    const refuse = (kind: IncidentKind, message: string) => new Refused(kind, { serial: d.serial, icv: d.icv, received: d.received }, message);
    const links = unit ? await syncRepo.branchesOfUnits(ctx.store.db, [unit.id]) : new Map<string, string>();
    if (unit && links.get(unit.id) !== branch.id)
      throw refuse(
        'foreign-unit',
        `unit ${d.serial} is ${links.has(unit.id) ? "another branch's" : 'a head-office unit'}; a branch node syncs only its own enrolled units`,
      );
    if (!unit)
      throw refuse(
        'not-enrolled',
        `unit ${d.serial} (generation ${d.generation}) is not enrolled at head office: the branch node requests its enrolment and an administrator approves it (fawtara sync enrolments approve)`,
      );
    const replaced = sameSerial.some((u) => u.replaces_unit_id === unit.id || u.generation > unit.generation);
    if (d.documents && (!(ISSUING_STATES as readonly string[]).includes(unit.state) || replaced))
      throw refuse('unit-ended', `unit ${d.serial} is ${replaced ? 'replaced by a newer generation' : unit.state}; head office takes no more documents for it`);
    out.set(key, unit);
  }
  return out;
}

/** Everything that can be judged without the write lock: signatures, facts, time, cleared stamps. */
async function judge(ctx: FleetContext, r: Receipt, units: Map<string, EgsUnit>, now: Date): Promise<Judged[]> {
  const registered = await syncTrust.registeredCertificates(
    ctx.store.db,
    [...units.values()].map((u) => u.id),
  );
  const certificates = new Map<string, SigningCertificate[]>();
  for (const [unitId, list] of registered)
    certificates.set(
      unitId,
      list.map((c) => loadCertificate(c, 'registered certificate')),
    );
  const stamps = new Map<string, string[]>();
  const judged: Judged[] = [];
  for (const d of r.batch.documents) {
    // Verification is CPU work on the main thread: yield after each document so a till's sale waits at
    // most one document's check, never a whole batch (docs/security.md, "Branch sync").
    await new Promise<void>((resolve) => setImmediate(resolve));
    const unit = units.get(unitKey(d.serial, d.generation))!;
    const where = { serial: d.serial, icv: d.icv, received: d.invoiceHash };
    const verdict = admitDocument(r.taxpayer, d, certificates.get(unit.id) ?? [], now);
    if ('refused' in verdict) throw new Refused(verdict.refused.kind, where, `unit ${d.serial} ICV ${d.icv} (${d.number}): ${verdict.refused.problem}`);
    const j: Judged = { ...verdict.admitted, d, unit };
    if (d.clearedXml) {
      if (!stamps.has(unit.environment)) stamps.set(unit.environment, await stampCertificates(ctx, unit.environment));
      const c = verifyCleared(d.clearedXml, { uuid: d.uuid, invoiceHash: j.invoiceHash, number: d.number }, stamps.get(unit.environment)!);
      if ('problem' in c) throw new Refused('cleared', where, `unit ${d.serial} ICV ${d.icv} (${d.number}): ${c.problem}`);
      j.cleared = c.xml;
    }
    judged.push(j);
  }
  return judged;
}

/** Cleared XMLs sent with later outcomes: verified against the stored document before the lock. */
async function judgeStatusClearances(ctx: FleetContext, r: Receipt): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const u of r.batch.statuses) {
    if (!u.clearedXml) continue;
    const doc = await syncRepo.branchDocumentByUuid(ctx.store.db, r.taxpayer.id, r.branch.id, u.uuid);
    if (!doc) continue;
    const unit = (await unitRepo.findUnitById(ctx.store.db, r.taxpayer.id, doc.unit_id))!;
    const c = verifyCleared(u.clearedXml, { uuid: doc.uuid, invoiceHash: doc.invoice_hash, number: doc.uuid }, await stampCertificates(ctx, unit.environment));
    if ('problem' in c) throw new Refused('cleared', { serial: unit.serial, icv: 0, received: doc.invoice_hash }, `document ${doc.uuid}: ${c.problem}`);
    out.set(u.uuid, c.xml);
  }
  return out;
}

/**
 * The state head office records from the branch's word: accepted only with checkable evidence (a
 * verified cleared XML) for a standard document; a simplified one is recorded as reported by the branch.
 */
function evidenced(kind: string, s: SubmissionStatus, cleared: string | undefined, r: Receipt): { state: string; note: string | null } {
  if (!isFinalSubmission(s.state)) return { state: WITH_BRANCH, note: null };
  if (!isAcceptedSubmission(s.state))
    return { state: s.state, note: `rejected as reported by branch ${r.branch.name} (node ${r.batch.node}, sync batch ${r.batch.batchId})` };
  if (kind === 'standard') return cleared ? { state: s.state, note: null } : { state: WITH_BRANCH, note: null };
  return {
    state: s.state,
    note: `${REPORTED_BY_BRANCH} ${r.branch.name} (node ${r.batch.node}, sync batch ${r.batch.batchId}); ZATCA does not sign reporting answers`,
  };
}

function submissionFields(s: SubmissionStatus, note: string | null) {
  return {
    attempts: s.attempts,
    late: s.late ? 1 : 0,
    duplicate: s.duplicate ? 1 : 0,
    last_http_status: s.lastHttpStatus,
    last_outcome: s.lastOutcome,
    last_message: note ?? s.lastMessage,
    accepted_at: s.acceptedAt,
  };
}

async function logBranchAnswer(
  trx: Kysely<Database>,
  doc: { id: string; taxpayer_id: string; unit_id: string },
  s: SubmissionStatus,
  state: string,
  r: Receipt,
) {
  await subRepo.insertAttempt(trx, {
    document_id: doc.id,
    taxpayer_id: doc.taxpayer_id,
    unit_id: doc.unit_id,
    endpoint: s.endpoint,
    attempt: s.attempts,
    http_status: s.lastHttpStatus,
    outcome: s.lastOutcome ?? s.state,
    state_after: state,
    messages: '[]',
    duration_ms: 0,
    worker: `branch:${r.batch.node}`,
    at: s.acceptedAt ?? r.at,
  });
}

async function documentRow(trx: Kysely<Database>, r: Receipt, j: Judged): Promise<DocumentsTable> {
  const f = j.facts;
  const original = f.originalNumber ? await docRepo.findByNumber(trx, r.taxpayer.id, f.originalNumber) : undefined;
  return {
    id: randomUUID(),
    taxpayer_id: r.taxpayer.id,
    unit_id: j.unit.id,
    icv: f.icv,
    pih: f.pih,
    invoice_hash: j.invoiceHash,
    uuid: f.uuid,
    number: f.number,
    document_type: f.documentType,
    type_code: f.typeCode,
    transaction_code: f.transactionCode,
    kind: f.kind,
    issue_date: f.issueDate,
    issue_time: f.issueTime,
    issued_at: j.issuedAt,
    deadline_at: new Date(Date.parse(j.issuedAt) + DEADLINE_MS).toISOString(),
    signing_time: j.signingTime,
    csid_id: `branch:${j.certificate.serialNumber}`,
    currency: f.totals.currency,
    exchange_rate: f.totals.exchangeRate,
    buyer_vat: f.buyerVat,
    buyer_name: f.buyerName,
    original_document_id: original?.id ?? null,
    original_number: f.originalNumber,
    tax_exclusive_amount: f.totals.taxExclusive,
    tax_amount: f.totals.tax,
    tax_amount_sar: f.totals.taxSar,
    tax_inclusive_amount: f.totals.taxInclusive,
    payable_amount: f.totals.payable,
    taxable_amount_sar: f.totals.taxableSar,
    vat_breakdown: JSON.stringify(f.totals.breakdown),
    prepaid_breakdown: JSON.stringify(f.totals.prepaid),
    qr: f.qr ?? '',
    xml: j.xml,
  };
}

function jobOf(row: DocumentsTable, j: Judged, r: Receipt): { job: SubmissionsTable; answered: boolean } {
  const relay = j.d.claim === 'hq';
  const s = j.d.submission;
  const e = relay ? { state: 'to-submit', note: null } : evidenced(row.kind, s, j.cleared, r);
  // The same job as a document issued here (issuing/rows.ts), as of the batch's arrival; a document the
  // branch submits itself keeps its endpoint and carries the evidence head office verified.
  const job: SubmissionsTable = {
    ...submissionJob(row),
    ...(!relay && { endpoint: s.endpoint }),
    state: e.state,
    next_attempt_at: r.at,
    updated_at: r.at,
    ...(!relay && submissionFields(s, e.note)),
  };
  return { job, answered: !relay && e.state !== WITH_BRANCH };
}

/** Final outcomes of documents the branch submits itself: recorded once, only as far as evidence goes. */
async function applyStatuses(trx: Kysely<Database>, r: Receipt, cleared: Map<string, string>): Promise<number> {
  let applied = 0;
  for (const u of r.batch.statuses) {
    if (!isFinalSubmission(u.submission.state)) continue;
    const doc = await syncRepo.branchDocumentByUuid(trx, r.taxpayer.id, r.branch.id, u.uuid);
    if (!doc || doc.state !== WITH_BRANCH) continue;
    const e = evidenced(doc.kind, u.submission, cleared.get(u.uuid), r);
    if (e.state === WITH_BRANCH) continue;
    const moved = await syncRepo.finishBranchSubmission(trx, doc.id, WITH_BRANCH, {
      state: e.state,
      endpoint: u.submission.endpoint,
      ...submissionFields(u.submission, e.note),
      updated_at: r.at,
    });
    if (!moved) continue;
    await logBranchAnswer(trx, doc, u.submission, e.state, r);
    const xml = cleared.get(u.uuid);
    if (xml && doc.kind === 'standard')
      await docRepo.insertClearance(trx, {
        document_id: doc.id,
        taxpayer_id: doc.taxpayer_id,
        unit_id: doc.unit_id,
        invoice_hash: doc.invoice_hash,
        xml,
        cleared_at: u.submission.acceptedAt ?? r.at,
      });
    applied++;
  }
  return applied;
}

/** Inside the write transaction: replay check, chain links, inserts, heads, outcomes, bookkeeping. */
async function store(ctx: FleetContext, r: Receipt, judged: Judged[], statusCleared: Map<string, string>) {
  const counts = { stored: 0, already: 0, statusesApplied: 0, replayed: false };
  await withWriteTransaction(ctx.store, async (trx) => {
    if (await syncRepo.batchSeen(trx, r.branch.id, r.batch.batchId)) {
      counts.replayed = true;
      return;
    }
    const ordered = [...judged].sort((a, b) => (a.unit.id === b.unit.id ? a.facts.icv - b.facts.icv : a.unit.id < b.unit.id ? -1 : 1));
    const fresh: Array<{ row: DocumentsTable; job: SubmissionsTable; j: Judged; answered: boolean }> = [];
    for (const j of ordered) {
      const held = await docRepo.findAtIcv(trx, j.unit.id, j.facts.icv);
      if (held?.invoice_hash === j.invoiceHash) {
        counts.already++;
        continue;
      }
      const row = await documentRow(trx, r, j);
      fresh.push({ row, j, ...jobOf(row, j, r) });
    }
    await appendToChain(
      trx,
      ctx.store.dialect,
      fresh.map((f) => ({ document: f.row, submission: f.job })),
    );
    for (const f of fresh) {
      if (f.answered) await logBranchAnswer(trx, f.row, f.j.d.submission, f.job.state, r);
      if (f.j.cleared && f.job.state !== WITH_BRANCH)
        await docRepo.insertClearance(trx, {
          document_id: f.row.id,
          taxpayer_id: f.row.taxpayer_id,
          unit_id: f.row.unit_id,
          invoice_hash: f.row.invoice_hash,
          xml: f.j.cleared,
          cleared_at: f.j.d.submission.acceptedAt ?? r.at,
        });
    }
    counts.stored = fresh.length;
    counts.statusesApplied = await applyStatuses(trx, r, statusCleared);
    await syncRepo.insertBatch(trx, {
      branch_id: r.branch.id,
      batch_id: r.batch.batchId,
      taxpayer_id: r.taxpayer.id,
      documents: r.batch.documents.length,
      stored: counts.stored,
      received_at: r.at,
    });
    const reported = JSON.stringify(r.batch.units.map((u) => ({ serial: u.serial, generation: u.generation, icv: u.head.icv, hash: u.head.hash })));
    await syncRepo.upsertBranchSettings(trx, r.taxpayer.id, r.branch.id, {
      node_name: r.batch.node,
      last_sync_at: r.at,
      last_batch_id: r.batch.batchId,
      reported_heads: reported,
      updated_at: r.at,
    });
  });
  return counts;
}

/**
 * Apply one batch from a branch node: all of it or nothing. The same batch again returns the same
 * heads without writing; documents head office already holds (same unit, ICV and hash) are skipped.
 * A refusal writes one incident row naming its reason and stores nothing else.
 */
export async function receiveBatch(ctx: FleetContext, taxpayer: Taxpayer, branch: Branch, batch: SyncBatch): Promise<SyncResult> {
  const now = ctx.clock.now();
  const r: Receipt = { taxpayer, branch, batch, at: now.toISOString() };
  let counts: Awaited<ReturnType<typeof store>>;
  try {
    if (batchIdOf(batch) !== batch.batchId)
      throw new Refused(
        'batch-id',
        { serial: '', icv: 0, received: batch.batchId },
        `batch id ${batch.batchId} is not the SHA-256 of the batch's contents (${batchIdOf(batch)})`,
      );
    const units = await resolveUnits(ctx, taxpayer, branch, batch);
    const judged = await judge(ctx, r, units, now);
    const statusCleared = await judgeStatusClearances(ctx, r);
    counts = await store(ctx, r, judged, statusCleared);
  } catch (error) {
    const refused = error instanceof Refused ? error : error instanceof ChainLinkError ? Refused.fromChain(error) : undefined;
    if (refused) {
      await syncRepo.insertIncident(ctx.store.db, refused.incidentRow(r.taxpayer.id, branch.id, batch.batchId, r.at));
      ctx.logger.warn({ branch: branch.id, unit: refused.where.serial, icv: refused.where.icv, kind: refused.kind }, 'branch sync refused: incident recorded');
      throw refusedToError(refused);
    }
    if (/UNIQUE|unique|duplicate key/.test((error as Error).message ?? ''))
      throw new SyncError(
        'FORK',
        'the batch repeats a UUID or invoice number head office already holds for another document',
        'تكرر الدفعة معرّفاً أو رقم فاتورة لمستند آخر لدى المقر',
        {
          field: 'documents',
        },
      );
    throw error;
  }
  const settings = await syncRepo.findBranchSettings(ctx.store.db, branch.id);
  return {
    batchId: batch.batchId,
    replayed: counts.replayed,
    stored: counts.stored,
    already: counts.already,
    statusesApplied: counts.statusesApplied,
    reporting: settings?.reporting === 'relay' ? 'relay' : 'direct',
    heads: (await syncRepo.branchHeads(ctx.store.db, branch.id)).map((u) => ({ serial: u.serial, generation: u.generation, icv: u.icv, hash: u.pih })),
    relayed: await relayOutcomes(ctx, taxpayer, branch, batch.relayPending),
  };
}
