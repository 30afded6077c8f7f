// One submission attempt for a claimed job: send the stored bytes as the unit, map ZATCA's answer
// through the state table, and record the result, the cleared document and the log in one commit.
import { callAsUnit, isFleetError, unitSigning, type FleetContext, type UnitSigning } from '../egs/index.js';
import { invoiceHashOf } from '../stamp/index.js';
import { credentials, documents, submissions, tenants, units, withWriteTransaction, type IssuedDocument, type Submission } from '../store/index.js';
import { clearedXmlOf, invoiceSubmission, type ClearanceResponse, type ZatcaOutcome } from '../zatca/index.js';
import { senderUnitOf } from './sender.js';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import { OUTCOME_TRANSITIONS } from './states.js';
import { isAcceptedSubmission, type SubmissionState } from '../store/index.js';

export interface AttemptContext {
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

/** Submit one claimed job once and record what happened. Never throws for ZATCA's answers. */
export async function attemptSubmission(a: AttemptContext, job: Submission): Promise<AttemptResult> {
  const { ctx } = a;
  const doc = (await documents.findById(ctx.store.db, job.document_id))!;
  const endpoint = job.endpoint === 'clearance' ? 'clearance' : 'reporting';
  const started = Date.now();
  let outcome: ZatcaOutcome<unknown> | undefined;
  let refusal: { kind: 'unauthorized' | 'unexpected'; message: string } | undefined;
  try {
    const signing = await signingOf(a, doc);
    const body = invoiceSubmission(doc.xml, doc.invoice_hash, doc.uuid);
    outcome = await callAsUnit<unknown>(ctx, signing, endpoint, (client, creds) =>
      endpoint === 'clearance' ? client.clearInvoice(creds, body) : client.reportInvoice(creds, body),
    );
  } catch (error) {
    // The unit cannot send (revoked — also by this very call's 401 —, retired, expired, not active).
    if (!isFleetError(error)) throw error;
    a.signings.delete(await senderUnitOf(ctx.store.db, doc).catch(() => doc.unit_id));
    refusal = { kind: 'unauthorized', message: error.message };
  }
  const kind = outcome?.kind ?? refusal!.kind;
  const transition = OUTCOME_TRANSITIONS[kind];
  const now = ctx.clock.now();
  const nowIso = now.toISOString();
  const attempts = job.attempts + 1;
  const final = transition.state !== 'to-submit';
  const accepted = isAcceptedSubmission(transition.state);
  const late = job.late === 1 || (accepted && nowIso > job.deadline_at);
  const nextEndpoint = transition.switchTo ?? job.endpoint;
  const delay = transition.retry === 'backoff' ? backoffDelay(attempts, a.backoff, outcome?.retryAfterSeconds ?? null) : 0;
  const message = outcome ? outcome.message.en : `${transition.attention?.en ?? ''}: ${refusal!.message}`;
  const clearedBytes = endpoint === 'clearance' && accepted && outcome ? clearedXmlOf(outcome as ZatcaOutcome<ClearanceResponse>) : null;
  const clearedXml = clearedBytes ? clearedBytes.toString('utf8') : undefined;
  const messages = outcome
    ? [...outcome.errors, ...outcome.warnings].map((f) => ({ severity: f.severity, code: f.code, message: ctx.redactor.redact(f.message).slice(0, 1000) }))
    : [{ severity: 'error', code: 'UNIT_CANNOT_SEND', message: ctx.redactor.redact(refusal!.message).slice(0, 1000) }];

  await withWriteTransaction(ctx.store, async (trx) => {
    await submissions.finishAttempt(trx, job.document_id, a.owner, {
      state: transition.state,
      endpoint: nextEndpoint,
      attempts,
      next_attempt_at: new Date(now.getTime() + delay).toISOString(),
      // Never lowered: flagLate may have raised it while this attempt was in flight.
      ...(late && { late: 1 }),
      ...(transition.duplicate && { duplicate: 1 }),
      last_http_status: outcome?.httpStatus ?? null,
      last_outcome: kind,
      last_message: ctx.redactor.redact(message).slice(0, 1000),
      ...(accepted && { accepted_at: nowIso }),
      updated_at: nowIso,
    });
    await submissions.insertAttempt(trx, {
      document_id: doc.id,
      taxpayer_id: doc.taxpayer_id,
      unit_id: doc.unit_id,
      endpoint,
      attempt: attempts,
      http_status: outcome?.httpStatus ?? null,
      outcome: kind,
      state_after: transition.state,
      messages: JSON.stringify(messages),
      duration_ms: Date.now() - started,
      worker: a.owner,
      at: nowIso,
    });
    if (clearedXml) {
      await documents.insertClearance(trx, {
        document_id: doc.id,
        taxpayer_id: doc.taxpayer_id,
        unit_id: doc.unit_id,
        invoice_hash: invoiceHashOf(clearedXml).base64,
        xml: clearedXml,
        cleared_at: nowIso,
      });
    }
  });
  if (late && final)
    ctx.logger.warn(
      { document: doc.number, uuid: doc.uuid, deadline: job.deadline_at, state: transition.state },
      'document reached ZATCA after its deadline (flagged late)',
    );
  if (transition.state === 'rejected')
    ctx.logger.warn({ document: doc.number, uuid: doc.uuid, messages }, 'ZATCA rejected a document; it stays in the chain — issue a corrected new document');
  return {
    documentId: doc.id,
    number: doc.number,
    state: transition.state,
    outcome: kind,
    httpStatus: outcome?.httpStatus ?? null,
    late,
    duplicate: Boolean(transition.duplicate),
    ...(clearedXml && { clearedXml }),
    message,
  };
}
