// Issuing errors: a FawtaraError with a stable `reason`, English and Arabic text and the field, so
// the CLI keeps its exit codes and scripts can branch on why a document was not issued.
import { ReasonedError, type ErrorCode } from '../errors.js';

export type IssueReason =
  | 'ASSIGNED_FIELD' // icv/pih given in the input: the unit assigns them
  | 'SELLER_MISMATCH' // the seller VAT number is not the unit's taxpayer's
  | 'KIND_NOT_ALLOWED' // the unit's title does not cover standard/simplified documents
  | 'CLOCK_BEHIND' // the clock is earlier than the unit's last issue time
  | 'DUPLICATE' // the UUID or invoice number is already used by another document of the taxpayer
  | 'REFERENCE_NOT_FOUND' // a note's original document is not one of the taxpayer's
  | 'REFERENCE_MISMATCH' // the note's kind, currency or UUID does not match its original
  | 'REFERENCE_REJECTED' // the note's original was rejected by ZATCA: it is re-issued, not corrected by a note
  | 'NOTE_EXCEEDS_ORIGINAL' // credit notes would return more than the original (plus debit notes)
  | 'RETRY'; // the unit's certificate changed while issuing: run again

const CODE: Record<IssueReason, ErrorCode> = {
  ASSIGNED_FIELD: 'INVALID_INPUT',
  SELLER_MISMATCH: 'INVALID_INPUT',
  KIND_NOT_ALLOWED: 'INVALID_COMBINATION',
  CLOCK_BEHIND: 'UNIT_STATE',
  DUPLICATE: 'CONFLICT',
  REFERENCE_NOT_FOUND: 'NOT_FOUND',
  REFERENCE_MISMATCH: 'INVALID_COMBINATION',
  REFERENCE_REJECTED: 'INVALID_COMBINATION',
  NOTE_EXCEEDS_ORIGINAL: 'INVALID_INPUT',
  RETRY: 'ZATCA_UNAVAILABLE',
};

export class IssueError extends ReasonedError<IssueReason> {
  constructor(reason: IssueReason, message: string, details: { field: string; messageAr: string; rule?: string }) {
    super(CODE, reason, message, details);
    this.name = 'IssueError';
  }
}
