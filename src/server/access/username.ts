// Login names: one normal form (trimmed, lower case) and one shape, shared by user creation, login
// and first-admin setup so that "Alice " and "alice" are always the same account.
import { AccessError } from './errors.js';

/** The stored form of a name as typed at login (never refused: an unknown name is just unknown). */
export function loginName(value: unknown): string {
  return String(value ?? '')
    .trim()
    .toLowerCase()
    .slice(0, 64);
}

/** A name for a new account: 3–64 characters, letters, digits and . _ @ -. */
export function normalizeUsername(value: unknown): string {
  const v = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (!/^[a-z0-9][a-z0-9._@-]{2,63}$/.test(v)) {
    throw new AccessError(
      'INVALID_INPUT',
      'INVALID_FIELD',
      'username: 3–64 characters, letters, digits and . _ @ -, starting with a letter or digit',
      'اسم المستخدم: من 3 إلى 64 حرفاً من الأحرف اللاتينية والأرقام و . _ @ -',
      'username',
    );
  }
  return v;
}
