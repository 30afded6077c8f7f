// Typed errors of the reports and the archive: a stable `reason` beside the shared error code, so
// the CLI maps them to exit codes and the API to HTTP statuses, with English and Arabic messages.
import { ReasonedError, type ErrorCode } from '../errors.js';

export type ReportReason =
  | 'INVALID_PERIOD' // a period that is not YYYY-Qn, YYYY-MM or a from/to date pair
  | 'ARCHIVE_EXISTS' // the export directory is not empty (an archive is never merged into another)
  | 'ARCHIVE_UNREADABLE' // no manifest, or a manifest that is not ours
  | 'RETENTION' // younger than the 6-year retention period: nothing may be purged
  | 'HISTORY_UNAVAILABLE'; // ZATCA's (the simulator's) record could not be read

const CODE: Record<ReportReason, ErrorCode> = {
  INVALID_PERIOD: 'USAGE',
  ARCHIVE_EXISTS: 'CONFLICT',
  ARCHIVE_UNREADABLE: 'FILE_UNREADABLE',
  RETENTION: 'CONFLICT',
  HISTORY_UNAVAILABLE: 'ZATCA_UNAVAILABLE',
};

export class ReportError extends ReasonedError<ReportReason> {
  constructor(reason: ReportReason, message: string, details: { field?: string; messageAr: string; cause?: unknown }) {
    super(CODE, reason, message, details);
    this.name = 'ReportError';
  }
}
