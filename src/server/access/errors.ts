// Access errors: a FawtaraError with a stable access `reason` (why a call was refused), so clients
// can tell an expired session from a wrong password or a unit outside their scope.
import { FawtaraError, type ErrorCode } from '../../errors.js';

export type AccessReason =
  | 'NO_CREDENTIALS' // no Authorization: Bearer header
  | 'INVALID_TOKEN' // unknown, malformed or revoked token
  | 'SESSION_EXPIRED' // the session passed its lifetime or idle limit: log in again
  | 'TOKEN_EXPIRED' // a device token past its end
  | 'ACCOUNT_DISABLED'
  | 'BAD_CREDENTIALS' // wrong username or password (never says which)
  | 'LOCKED_OUT' // too many failed logins: wait for Retry-After
  | 'WRONG_ROLE' // the role may not do this at all
  | 'OUT_OF_SCOPE' // another taxpayer, branch or unit than the caller's
  | 'SETUP_TOKEN_INVALID' // unknown, used, revoked or expired setup token
  | 'SETUP_DONE' // an administrator exists already
  | 'WEAK_PASSWORD'
  | 'INVALID_FIELD' // a malformed username, role or scope
  | 'DUPLICATE' // a username already taken
  | 'NOT_FOUND' // no such user or device token
  | 'CSRF'; // a cookie-session write without this session's CSRF token, or from another site

export class AccessError extends FawtaraError {
  readonly reason: AccessReason;
  /** Seconds a throttled client should wait (the Retry-After header). */
  readonly retryAfterSeconds?: number;

  constructor(code: ErrorCode, reason: AccessReason, message: string, messageAr: string, field?: string, retryAfterSeconds?: number) {
    super(code, message, { messageAr, ...(field !== undefined && { field }) });
    this.name = 'AccessError';
    this.reason = reason;
    if (retryAfterSeconds !== undefined) this.retryAfterSeconds = retryAfterSeconds;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason };
  }
}

export const unauthenticated = (reason: AccessReason, message: string, messageAr: string) => new AccessError('UNAUTHENTICATED', reason, message, messageAr);

export const forbidden = (reason: 'WRONG_ROLE' | 'OUT_OF_SCOPE', message: string, messageAr: string, field?: string) =>
  new AccessError('FORBIDDEN', reason, message, messageAr, field);
