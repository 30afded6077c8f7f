// One submission attempt for a claimed job: send the stored bytes as the unit, map ZATCA's answer
// through the state table, and record the result, the cleared document and the log in one commit.
import { callAsUnit, isFleetError, unitSigning, type FleetContext, type UnitSigning } from '../egs/index.js';
import { invoiceHashOf } from '../stamp/index.js';
import { credentials, documents, submissions, tenants, units, withWriteTransaction, type IssuedDocument, type Submission } from '../store/index.js';
import { clearedXmlOf, invoiceSubmission, type ClearanceResponse, type ZatcaOutcome } from '../zatca/index.js';
import { senderUnitOf } from './sender.js';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import { holdLease, leaseToken, type LeaseTiming } from './lease.js';
import { OUTCOME_TRANSITIONS } from './states.js';
import { isAcceptedSubmission, type SubmissionState } from '../store/index.js';

export interface AttemptContext extends LeaseTiming {
  ctx: FleetContext;
  owner: string;
  backoff: BackoffPolicy;
  /** Signing identities per unit for this run (one key unseal per unit, not per document). */
  signings: Map<string, Promise<UnitSigning>>;
}

export interface AttemptResult {
  documentId: string;
  number: string;
  state: SubmissionState;
  outcome: string;
  httpStatus: number | null;
  late: boolean;
  duplicate: boolean;
  /** ZATCA's cleared document (standard documents, on success). */
  clearedXml?: string;
  message: string;
  /**
   * This attempt lost its lease (a newer holder owns the job) and recorded nothing: `state` is the
   * job's state as this attempt found it, not a result.
   */
  superseded?: boolean;
}

/** What the gateway said, or why the unit could not send. */
interface Answer {
  outcome?: ZatcaOutcome<unknown>;
  refusal?: { kind: 'unauthorized' | 'unexpected'; message: string };
}

/** Everything one attempt writes, computed before the write transaction. */
interface Recording {
  patch: submissions.SubmissionPatch;
  log: Parameters<typeof submissions.insertAttempt>[1];
  clearedXml: string | undefined;
  result: AttemptResult;
  final: boolean;
  messages: Array<{ severity: string; code: string | null; message: string }>;
}

async function signingOf(a: AttemptContext, doc: IssuedDocument): Promise<UnitSigning> {
  // A branch unit synced to head office is submitted with head office's relay unit (src/sync).
  const sender = await senderUnitOf(a.ctx.store.db, doc);
  let p = a.signings.get(sender);
  // The run outlives renewals and revocations made through any instance: a held identity serves only
  // while it is still the unit's truth, else the unit would be sent with a superseded CSID (401).
  if (p && !(await stillCurrent(a.ctx, await p.catch(() => undefined)))) p = undefined;
  if (!p) {
    p = (async () => {
      const taxpayer = await tenants.findTaxpayerById(a.ctx.store.db, doc.taxpayer_id);
      return unitSigning(a.ctx, taxpayer!, sender, { forSubmission: true });
    })();
    a.signings.set(sender, p);
    p.catch(() => a.signings.delete(sender));
  }
  return p;
}

/**
 * The unit row (state, 401 mark, target) and its active production CSID are still the ones the identity
 * was loaded with: two indexed reads. The costly parts (certificate parse, key unseal) stay cached in
 * egs/signing.ts by CSID and key id, which never change.
 */
async function stillCurrent(ctx: FleetContext, s: UnitSigning | undefined): Promise<boolean> {
  if (!s) return false;
  const unit = await units.findUnitById(ctx.store.db, s.unit.taxpayer_id, s.unit.id);
  if (!unit || unit.state !== s.unit.state || unit.credentials_refused_at !== s.unit.credentials_refused_at || unit.zatca_base_url !== s.unit.zatca_base_url)
    return false;
  return (await credentials.activeCsid(ctx.store.db, { taxpayerId: unit.taxpayer_id, unitId: unit.id }, 'production'))?.id === s.csid.id;
}

async function send(a: AttemptContext, doc: IssuedDocument, endpoint: 'clearance' | 'reporting'): Promise<Answer> {
  try {
    const signing = await signingOf(a, doc);
    const body = invoiceSubmission(doc.xml, doc.invoice_hash, doc.uuid);
    const outcome = await callAsUnit<unknown>(a.ctx, signing, endpoint, (client, creds) =>
      endpoint === 'clearance' ? client.clearInvoice(creds, body) : client.reportInvoice(creds, body),
    );
    return { outcome };
  } catch (error) {
    // The unit cannot send (revoked — also by this very call's 401 —, retired, expired, not active).
    if (!isFleetError(error)) throw error;
    a.signings.delete(await senderUnitOf(a.ctx.store.db, doc).catch(() => doc.unit_id));
    return { refusal: { kind: 'unauthorized', message: error.message } };
  }
}

function recordingOf(a: AttemptContext, job: Submission, doc: IssuedDocument, endpoint: 'clearance' | 'reporting', answer: Answer, started: number): Recording {
  const { ctx } = a;
  const { outcome, refusal } = answer;
  const kind = outcome?.kind ?? refusal!.kind;
  const transition = OUTCOME_TRANSITIONS[kind];
  const nowIso = ctx.clock.now().toISOString();
  const attempts = job.attempts + 1;
  const accepted = isAcceptedSubmission(transition.state);
  const late = job.late === 1 || (accepted && nowIso > job.deadline_at);
  const delay = transition.retry === 'backoff' ? backoffDelay(attempts, a.backoff, outcome?.retryAfterSeconds ?? null) : 0;
  const message = outcome ? outcome.message.en : `${transition.attention?.en ?? ''}: ${refusal!.message}`;
  const clearedBytes = endpoint === 'clearance' && accepted && outcome ? clearedXmlOf(outcome as ZatcaOutcome<ClearanceResponse>) : null;
  const clearedXml = clearedBytes ? clearedBytes.toString('utf8') : undefined;
  const messages = outcome
    ? [...outcome.errors, ...outcome.warnings].map((f) => ({ severity: f.severity, code: f.code, message: ctx.redactor.redact(f.message).slice(0, 1000) }))
    : [{ severity: 'error', code: 'UNIT_CANNOT_SEND', message: ctx.redactor.redact(refusal!.message).slice(0, 1000) }];
  const httpStatus = outcome?.httpStatus ?? null;
  const patch: submissions.SubmissionPatch = {
    state: transition.state,
    endpoint: transition.switchTo ?? job.endpoint,
    attempts,
    next_attempt_at: new Date(Date.parse(nowIso) + delay).toISOString(),
    // Never lowered: flagLate may have raised it while this attempt was in flight.
    ...(late && { late: 1 }),
    ...(transition.duplicate && { duplicate: 1 }),
    last_http_status: httpStatus,
    last_outcome: kind,
    last_message: ctx.redactor.redact(message).slice(0, 1000),
    ...(accepted && { accepted_at: nowIso }),
    updated_at: nowIso,
  };
  const log = {
    document_id: doc.id,
    taxpayer_id: doc.taxpayer_id,
    unit_id: doc.unit_id,
    endpoint,
    attempt: attempts,
    http_status: httpStatus,
    outcome: kind,
    state_after: transition.state,
    messages: JSON.stringify(messages),
    duration_ms: Date.now() - started,
    worker: a.owner,
    at: nowIso,
  };
  const duplicate = Boolean(transition.duplicate);
  const result = {
    documentId: doc.id,
    number: doc.number,
    state: transition.state,
    outcome: kind,
    httpStatus,
    late,
    duplicate,
    ...(clearedXml && { clearedXml }),
    message,
  };
  return { patch, log, clearedXml, result, final: transition.state !== 'to-submit', messages };
}

/** One commit for the job's new state, its log row and the cleared copy — or nothing, when the lease is gone. */
function record(a: AttemptContext, token: string, doc: IssuedDocument, r: Recording): Promise<boolean> {
  return withWriteTransaction(a.ctx.store, async (trx) => {
    // First, and required: a stale holder (its lease expired and another worker claimed) writes nothing.
    if (!(await submissions.finishAttempt(trx, doc.id, token, r.patch))) return false;
    await submissions.insertAttempt(trx, r.log);
    if (r.clearedXml)
      await documents.insertClearance(trx, {
        document_id: doc.id,
        taxpayer_id: doc.taxpayer_id,
        unit_id: doc.unit_id,
        invoice_hash: invoiceHashOf(r.clearedXml).base64,
        xml: r.clearedXml,
        cleared_at: r.log.at,
      });
    return true;
  });
}

function supersededResult(a: AttemptContext, job: Submission, doc: IssuedDocument, sent: boolean): AttemptResult {
  a.ctx.logger.warn(
    { document: doc.number, uuid: doc.uuid, worker: a.owner, sent },
    'outbox lease lost: a newer holder owns this job, so this attempt recorded nothing (its state is the newer holder’s)',
  );
  const message = 'another worker holds this job now; this attempt recorded nothing';
  return {
    documentId: doc.id,
    number: doc.number,
    state: job.state as SubmissionState,
    outcome: 'superseded',
    httpStatus: null,
    late: job.late === 1,
    duplicate: false,
    message,
    superseded: true,
  };
}

/**
 * Submit one claimed job once and record what happened — only while this claim still holds the
 * lease (heartbeat; re-checked before sending; required by the write). Never throws for ZATCA's answers.
 */
export async function attemptSubmission(a: AttemptContext, job: Submission): Promise<AttemptResult> {
  const { ctx } = a;
  const doc = (await documents.findById(ctx.store.db, job.document_id))!;
  const endpoint = job.endpoint === 'clearance' ? 'clearance' : 'reporting';
  const token = leaseToken(job, a.owner);
  const lease = holdLease(ctx, job, token, a);
  try {
    if (!(await lease.confirm())) return supersededResult(a, job, doc, false);
    const started = Date.now();
    const answer = await send(a, doc, endpoint);
    const r = recordingOf(a, job, doc, endpoint, answer, started);
    if (lease.lost || !(await record(a, token, doc, r))) return supersededResult(a, job, doc, true);
    if (r.result.late && r.final)
      ctx.logger.warn(
        { document: doc.number, uuid: doc.uuid, deadline: job.deadline_at, state: r.result.state },
        'document reached ZATCA after its deadline (flagged late)',
      );
    if (r.result.state === 'rejected')
      ctx.logger.warn(
        { document: doc.number, uuid: doc.uuid, messages: r.messages },
        'ZATCA rejected a document; it stays in the chain — issue a corrected new document',
      );
    return r.result;
  } finally {
    lease.stop();
  }
}
