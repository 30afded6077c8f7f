// Typed errors with stable codes: what every layer throws for bad input, so faces can show one
// clear bilingual message naming the field or rule, and the CLI can map it to an exit code.

export type ErrorCode =
  | 'INVALID_INPUT' // input document (JSON) fails its schema or a business rule
  | 'INVALID_COMBINATION' // flags or document kinds that ZATCA forbids together
  | 'INVALID_XML' // not well-formed, not an Invoice, forbidden constructs (DTD, entities)
  | 'TOO_LARGE' // over ZATCA's size limit
  | 'FILE_NOT_FOUND'
  | 'FILE_UNREADABLE'
  | 'INVALID_KEY'
  | 'INVALID_CERTIFICATE'
  | 'KEY_CERT_MISMATCH'
  | 'INVALID_CSR_CONFIG'
  | 'SIGNATURE_INVALID' // self-check after signing failed, or verify found a broken stamp
  | 'HASH_MISMATCH'
  | 'QR_INVALID'
  | 'USAGE' // wrong command-line usage
  | 'NOT_FOUND' // no taxpayer, branch, unit or document by that name
  | 'CONFLICT' // already registered (a serial, VAT number, branch name, TIN)
  | 'UNIT_STATE' // the unit cannot do this in its state (revoked, retired, not onboarded, documents pending)
  | 'KEY_STORE' // the key store is unprotected or the key-encryption key does not open it
  | 'KEY_UNAVAILABLE' // the unit's key is in a security module that cannot be used now (token missing, wrong PIN, session lost): nothing was written
  | 'ZATCA_REJECTED' // ZATCA refused the request (wrong OTP, CSR, …); nothing changed
  | 'ZATCA_UNAVAILABLE' // no answer, 5xx, 429 or an interrupted step: run the same command again
  | 'UNAUTHENTICATED' // no valid credentials: log in (HTTP API)
  | 'FORBIDDEN' // authenticated, but the role or scope does not allow this (HTTP API)
  | 'THROTTLED' // too many attempts: wait and try again (HTTP API login)
  | 'BUSY' // the database stayed locked past the busy timeout: nothing was written, send it again
  | 'STORAGE_UNAVAILABLE' // disk full, read-only, I/O error, PostgreSQL unreachable: nothing was written; fix it and run again
  | 'STORE_DAMAGED' // the database file is malformed, fails its integrity check, or is missing: restore a backup
  | 'INTERNAL';

export interface ErrorDetails {
  /** JSON path (`lines[2].quantity`), XML path, option name or file the problem concerns. */
  field?: string;
  /** ZATCA rule id (`BR-KSA-31`) or docs/zatca-notes.md section the problem comes from. */
  rule?: string;
  /** Arabic text of the message, where a person reads it. */
  messageAr?: string;
  /** Further findings when one error carries several (e.g. every schema issue of one input). */
  issues?: ReadonlyArray<{ field: string; message: string; messageAr?: string; rule?: string }>;
  cause?: unknown;
}

export class FawtaraError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  readonly rule?: string;
  readonly messageAr?: string;
  readonly issues?: ErrorDetails['issues'];

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'FawtaraError';
    this.code = code;
    if (details.field !== undefined) this.field = details.field;
    if (details.rule !== undefined) this.rule = details.rule;
    if (details.messageAr !== undefined) this.messageAr = details.messageAr;
    if (details.issues !== undefined) this.issues = details.issues;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.messageAr !== undefined && { messageAr: this.messageAr }),
      ...(this.field !== undefined && { field: this.field }),
      ...(this.rule !== undefined && { rule: this.rule }),
      ...(this.issues !== undefined && { issues: this.issues }),
    };
  }
}

/**
 * A FawtaraError with a stable `reason` of its layer beside the shared code: the base of the fleet,
 * issuing, report and sync errors. Each layer keeps one table from its reasons to shared codes.
 */
export class ReasonedError<R extends string> extends FawtaraError {
  readonly reason: R;

  constructor(codeOf: Readonly<Record<R, ErrorCode>>, reason: R, message: string, details: ErrorDetails & { code?: ErrorCode } = {}) {
    super(details.code ?? codeOf[reason], message, details);
    this.reason = reason;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason };
  }
}

export function isFawtaraError(value: unknown): value is FawtaraError {
  return value instanceof FawtaraError;
}

/**
 * A database write that gave up waiting for a lock (SQLite `SQLITE_BUSY*` after the busy timeout,
 * PostgreSQL `55P03` lock_not_available) as a retryable `BUSY` error; anything else unchanged. The
 * statement never ran, so the same request again is safe — unlike an internal error, which the
 * caller must not blindly repeat, or `ZATCA_UNAVAILABLE`, which is about ZATCA and not our store.
 */
export function asBusyError(error: unknown): unknown {
  if (error instanceof FawtaraError || typeof error !== 'object' || error === null) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !(code.startsWith('SQLITE_BUSY') || code === '55P03')) return error;
  return new FawtaraError('BUSY', 'the database is busy (another writer held its lock past the busy timeout); nothing was written — try again', {
    messageAr: 'قاعدة البيانات مشغولة ولم يُكتب شيء؛ أعد المحاولة',
    cause: error,
  });
}
