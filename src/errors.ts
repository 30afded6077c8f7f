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
  | 'ZATCA_REJECTED' // ZATCA refused the request (wrong OTP, CSR, …); nothing changed
  | 'ZATCA_UNAVAILABLE' // no answer, 5xx, 429 or an interrupted step: run the same command again
  | 'UNAUTHENTICATED' // no valid credentials: log in (HTTP API)
  | 'FORBIDDEN' // authenticated, but the role or scope does not allow this (HTTP API)
  | 'THROTTLED' // too many attempts: wait and try again (HTTP API login)
  | 'INTERNAL';

export interface ErrorDetails {
  /** JSON path (`lines[2].quantity`), XML path, option name or file the problem concerns. */
  field?: string;
  /** ZATCA rule id (`BR-KSA-31`) or spec section the problem comes from. */
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

export function isFawtaraError(value: unknown): value is FawtaraError {
  return value instanceof FawtaraError;
}
