// Typed sync errors: every refusal names what to do, in English and Arabic, with a stable reason
// the branch node (and the HTTP layer) can act on.
import { ReasonedError, type ErrorCode } from '../errors.js';

export type SyncReason =
  | 'FORK' // head office holds another document with this unit and ICV, or the PIH does not link
  | 'GAP' // the batch skips ICVs head office has not seen
  | 'INVALID_DOCUMENT' // bytes that do not parse, hash or carry the facts a document needs
  | 'BAD_SIGNATURE' // the stamp does not verify with the unit's registered certificate
  | 'UNREGISTERED_CERTIFICATE' // signed with a certificate head office never approved for the unit
  | 'FIGURES_MISMATCH' // the batch's claimed figures contradict the signed XML
  | 'BAD_TIME' // issued before the unit's previous document, in the future, or outside the certificate's validity
  | 'BAD_CLEARANCE' // a "cleared" XML without a valid ZATCA stamp, or of another document
  | 'NOT_ENROLLED' // the unit is not known here: its enrolment was not requested or not approved yet
  | 'ENROLMENT_REFUSED' // the certificate offered for enrolment does not name this taxpayer and unit, or no trusted CA issued it
  | 'UNIT_ENDED' // the unit is retired, revoked, expired or replaced: it issues no more documents
  | 'FOREIGN_UNIT' // the unit belongs to head office itself or to another branch
  | 'BATCH_CONFLICT' // the same batch id with other contents
  | 'NOT_A_BRANCH_NODE' // the caller is not a branch sync token
  | 'HQ_UNREACHABLE' // no answer from head office: try again later, nothing was lost
  | 'HQ_REFUSED'; // head office answered with an error

const CODE_OF_REASON: Record<SyncReason, ErrorCode> = {
  FORK: 'CONFLICT',
  GAP: 'CONFLICT',
  INVALID_DOCUMENT: 'SIGNATURE_INVALID',
  BAD_SIGNATURE: 'SIGNATURE_INVALID',
  UNREGISTERED_CERTIFICATE: 'SIGNATURE_INVALID',
  FIGURES_MISMATCH: 'CONFLICT',
  BAD_TIME: 'CONFLICT',
  BAD_CLEARANCE: 'SIGNATURE_INVALID',
  NOT_ENROLLED: 'CONFLICT',
  ENROLMENT_REFUSED: 'INVALID_CERTIFICATE',
  UNIT_ENDED: 'UNIT_STATE',
  FOREIGN_UNIT: 'CONFLICT',
  BATCH_CONFLICT: 'CONFLICT',
  NOT_A_BRANCH_NODE: 'FORBIDDEN',
  HQ_UNREACHABLE: 'ZATCA_UNAVAILABLE',
  HQ_REFUSED: 'CONFLICT',
};

export class SyncError extends ReasonedError<SyncReason> {
  readonly status?: number;
  constructor(reason: SyncReason, message: string, messageAr: string, extra: { field?: string; status?: number; code?: ErrorCode } = {}) {
    super(CODE_OF_REASON, reason, message, { messageAr, ...(extra.code && { code: extra.code }), ...(extra.field && { field: extra.field }) });
    this.name = 'SyncError';
    if (extra.status !== undefined) this.status = extra.status;
  }
}

export function isSyncError(e: unknown): e is SyncError {
  return e instanceof SyncError;
}
