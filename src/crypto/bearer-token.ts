// Bearer tokens (`<kind>_<id>_<secret>`, 256 random bits): made, hashed, parsed and compared here, below
// both the server (sessions, device tokens) and sync (branch tokens); only a SHA-256 of a token is stored.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type TokenKind = 'session' | 'device' | 'setup' | 'sync';

const PREFIX: Record<TokenKind, string> = { session: 'fws', device: 'fwd', setup: 'fwsetup', sync: 'fwb' };
const TOKEN_PATTERN = /^(fws|fwd|fwb|fwsetup)_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
/** Any token of ours in any text: masked in every log line. */
export const TOKEN_SHAPE = /\bfw(?:s|d|b|setup)_[0-9a-f]{16}_[A-Za-z0-9_-]{43}/g;

export interface NewToken {
  id: string;
  token: string;
  hash: string;
}

export function newToken(kind: TokenKind): NewToken {
  const id = randomBytes(8).toString('hex');
  const token = `${PREFIX[kind]}_${id}_${randomBytes(32).toString('base64url')}`;
  return { id, token, hash: tokenHash(token) };
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function parseToken(token: string): { kind: TokenKind; id: string } | undefined {
  const m = TOKEN_PATTERN.exec(token);
  if (!m) return undefined;
  const kind = (Object.keys(PREFIX) as TokenKind[]).find((k) => PREFIX[k] === m[1])!;
  return { kind, id: m[2]! };
}

/** Constant-time comparison of a presented token with a stored hash. */
export function tokenMatches(token: string, storedHash: string): boolean {
  const a = Buffer.from(tokenHash(token), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Mask tokens and bearer credentials in a line of text (logs, error messages). */
export function redactTokens(text: string): string {
  return text.replace(TOKEN_SHAPE, '[REDACTED-TOKEN]').replace(/(\bBearer\s+)[A-Za-z0-9._~+/=-]+/gi, '$1[REDACTED]');
}
