// Typed sync errors: every refusal names what to do, in English and Arabic, with a stable reason
// the branch node (and the HTTP layer) can act on.
import { ReasonedError, type ErrorCode } from '../errors.js';

export type SyncReason =
  | 'FORK' // head office holds another document with this unit and ICV, or the PIH does not link
  | 'GAP' // the batch skips ICVs head office has not seen
  | 'INVALID_DOCUMENT' // bytes that do not hash or verify, or facts that contradict the XML
  | 'FOREIGN_UNIT' // the unit belongs to head office itself or to another branch
  | 'BATCH_CONFLICT' // the same batch id with other contents
  | 'NOT_A_BRANCH_NODE' // the caller is not a branch sync token
  | 'HQ_UNREACHABLE' // no answer from head office: try again later, nothing was lost
  | 'HQ_REFUSED'; // head office answered with an error

const CODE_OF_REASON: Record<SyncReason, ErrorCode> = {
  FORK: 'CONFLICT',
  GAP: 'CONFLICT',
  INVALID_DOCUMENT: 'SIGNATURE_INVALID',
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
