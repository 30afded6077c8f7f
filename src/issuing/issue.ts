// issueDocument: one invoice JSON → the unit's next document, stored and queued in one commit;
// standard documents are then cleared within a bounded wait (the buyer gets only the cleared one).
import { isFleetError, resolveUnit, type FleetContext } from '../egs/index.js';
import { DEFAULT_CLEARANCE_WAIT_MS, submitNow } from '../outbox/index.js';
import { documents, submissions, type IssuedDocument, type Submission, type Taxpayer } from '../store/index.js';
import { issuerOf } from './batch.js';
import { prepareDocument } from './prepare.js';
import { isAcceptedSubmission } from '../store/index.js';

export interface IssueOptions {
  /** Standard documents: wait for clearance (default), or leave it to the outbox worker. */
  clearance?: 'wait' | 'queue';
  /** Bound of the clearance wait, ms (default 15 s). */
  clearanceWaitMs?: number;
  /** The caller exits after the wait (the CLI): past the bound, hand the job back to the outbox at once. */
  releaseOnGiveUp?: boolean;
  /** A note against a document issued outside Fawtara: do not require the original to be stored. */
  externalReference?: boolean;
  /**
   * The units whose documents the caller may see (a cashier's unit, a manager's branch): note
   * references and duplicate UUID/number errors never reach or describe another unit's documents.
   */
  visibleUnits?: ReadonlySet<string>;
}

export interface IssueResult {
  id: string;
  uuid: string;
  number: string;
  unitId: string;
  icv: number;
  pih: string;
  invoiceHash: string;
  kind: string;
  documentType: string;
  issuedAt: string;
  deadlineAt: string;
  qr: string;
  /** The stored document totals (decimal strings), so callers need not read the row back. */
  totals: { currency: string; taxExclusive: string; vat: string; payable: string };
  /** The stamped document exactly as stored and submitted. */
  xml: string;
  /** May the buyer receive it now: simplified at once; standard once ZATCA cleared it (or it was reported while clearance was off). */
  released: boolean;
  /** What the buyer receives: the stamped document (simplified), ZATCA's cleared one (standard), or null until cleared. */
  legalXml: string | null;
  submission: { state: string; endpoint: string; attempts: number; lastOutcome: string | null; lastMessage: string | null; late: boolean };
  /** The UUID had been issued already (a retried request): nothing new was issued. */
  replayed: boolean;
}

/**
 * Issue one document on a unit of the taxpayer. The unit's next ICV and current PIH, the stamp, the
 * stored bytes, the advanced chain head and the queued submission commit together or not at all.
 * Calling again with the same `uuid` after a lost answer returns the stored document (never a second one).
 */
export async function issueDocument(
  ctx: FleetContext,
  taxpayer: Taxpayer,
  unitRef: string,
  invoiceJson: unknown,
  options: IssueOptions = {},
): Promise<IssueResult> {
  const issuer = issuerOf(ctx);
  const key = `${taxpayer.id}|${unitRef}`;
  const cached = issuer.units.get(key);
  const unit = cached ?? (await resolveUnit(ctx, taxpayer, unitRef));
  if (!cached) {
    if (issuer.units.size > 10_000) issuer.units.clear();
    issuer.units.set(key, unit);
  }
  const prepared = prepareDocument(taxpayer, unit, invoiceJson, ctx.clock.now());
  let issued: Awaited<ReturnType<typeof issuer.submit>>;
  try {
    issued = await issuer.submit({
      taxpayer,
      unit,
      prepared,
      externalReference: Boolean(options.externalReference),
      ...(options.visibleUnits && { visibleUnits: options.visibleUnits }),
    });
  } catch (error) {
    // A name or serial may now mean another unit (a device re-onboarded as a new unit): look it up afresh once.
    if (cached && isFleetError(error)) {
      issuer.units.delete(key);
      return issueDocument(ctx, taxpayer, unitRef, invoiceJson, options);
    }
    throw error;
  }
  let submission = issued.submission;
  if (issued.document.kind === 'standard' && options.clearance !== 'queue' && submission.state === 'to-submit') {
    await submitNow(ctx, issued.document.id, options.clearanceWaitMs ?? DEFAULT_CLEARANCE_WAIT_MS, { releaseOnGiveUp: Boolean(options.releaseOnGiveUp) });
    submission = (await submissions.findSubmission(ctx.store.db, issued.document.id)) ?? submission;
  }
  return resultOf(ctx, issued.document, submission, issued.replayed);
}

/** The caller's view of a stored document: what may be handed to the buyer, and where its submission stands. */
export async function resultOf(ctx: FleetContext, doc: IssuedDocument, submission: Submission, replayed = false): Promise<IssueResult> {
  const accepted = isAcceptedSubmission(submission.state);
  let legalXml: string | null = null;
  if (doc.kind === 'simplified') legalXml = doc.xml;
  else if (accepted) legalXml = (await documents.findClearance(ctx.store.db, doc.id))?.xml ?? (submission.endpoint === 'reporting' ? doc.xml : null);
  return {
    id: doc.id,
    uuid: doc.uuid,
    number: doc.number,
    unitId: doc.unit_id,
    icv: doc.icv,
    pih: doc.pih,
    invoiceHash: doc.invoice_hash,
    kind: doc.kind,
    documentType: doc.document_type,
    issuedAt: doc.issued_at,
    deadlineAt: doc.deadline_at,
    qr: doc.qr,
    totals: { currency: doc.currency, taxExclusive: doc.tax_exclusive_amount, vat: doc.tax_amount, payable: doc.payable_amount },
    xml: doc.xml,
    released: legalXml !== null,
    legalXml,
    submission: {
      state: submission.state,
      endpoint: submission.endpoint,
      attempts: submission.attempts,
      lastOutcome: submission.last_outcome,
      lastMessage: submission.last_message,
      late: submission.late === 1,
    },
    replayed,
  };
}
