// Password hashing: scrypt from node:crypto (memory-hard), a random salt per password, parameters
// stored with the hash so they can be raised later, and constant-time comparison.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { dictionary } from '@zxcvbn-ts/language-common';
import { AccessError } from './errors.js';

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/**
 * OWASP Password Storage Cheat Sheet lists N=2^15, r=8, p=3 as equivalent to its scrypt baseline:
 * 32 MiB per hash, about a tenth of a second here, and a fixed memory cost an attacker cannot trade away.
 */
export const DEFAULT_SCRYPT: ScryptCost = { N: 2 ** 15, r: 8, p: 3 };
const KEY_LENGTH = 32;
const SALT_BYTES = 16;
/** A stored hash is trusted input only up to these bounds (a tampered row must not exhaust memory). */
const MAX_N = 2 ** 20;

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

/**
 * At most two hashes at once: a burst of logins queues here instead of taking every libuv thread
 * and all the memory (each hash holds 32 MiB) from the stamping path.
 */
const MAX_CONCURRENT = 2;
let running = 0;
const waiting: Array<() => void> = [];

async function scrypt(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  if (running >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    const options: ScryptOptions = { N: cost.N, r: cost.r, p: cost.p, maxmem: 256 * cost.N * cost.r + 4 * 1024 * 1024 };
    return await new Promise((resolve, reject) =>
      scryptCb(password.normalize('NFC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key))),
    );
  } finally {
    running--;
    waiting.shift()?.();
  }
}

export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(password, salt, cost);
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** True when `password` matches `stored`; false for any malformed hash (never throws on input). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![N, r, p].every(Number.isInteger) || N < 2 || N > MAX_N || (N & (N - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (expected.length !== KEY_LENGTH) return false;
  const actual = await scrypt(password, salt, { N, r, p });
  return timingSafeEqual(actual, expected);
}

let dummyHash: Promise<string> | undefined;

/**
 * Spend the same work as a real check when the user does not exist, so response time does not
 * tell an attacker which usernames are registered.
 */
export async function burnPasswordCheck(password: string, cost: ScryptCost): Promise<void> {
  dummyHash ??= hashPassword('not-a-real-password-ever', cost);
  await verifyPassword(password, await dummyHash);
}

let common: ReadonlySet<string> | undefined;

/** Words of this product that people build passwords from (NIST SP 800-63B: context-specific words). */
const CONTEXT_WORDS = ['fawtara', 'fatoora', 'zatca', 'einvoice', 'invoice'];

/**
 * A password everyone tries first: in zxcvbn-ts's list of the most common passwords (about 49,000,
 * from public breach corpora), or one of them (or this product's name, or the username) with only
 * digits and symbols around it or repeated — `Password2026!`, `qwertyqwerty`, `fawtara@2026`.
 */
export function isCommonPassword(password: string, username: string): boolean {
  common ??= new Set([...dictionary['passwords-common'], ...CONTEXT_WORDS]);
  const lower = password.normalize('NFKC').toLowerCase();
  const core = lower.replace(/^[\p{N}\p{P}\p{S}\s]+|[\p{N}\p{P}\p{S}\s]+$/gu, '');
  const repeated = /^(.+?)\1+$/u.exec(core)?.[1];
  return [lower, core, repeated].some((w) => w !== undefined && (common!.has(w) || w === username.toLowerCase())) || core.length < 4;
}

/** The policy for a new password: long enough to resist guessing, not the username, not a common one. */
export function checkPasswordPolicy(password: unknown, username: string): string {
  if (typeof password !== 'string' || password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
    throw new AccessError(
      'INVALID_INPUT',
      'WEAK_PASSWORD',
      `password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters (a passphrase of several words is easiest)`,
      `يجب أن تتكون كلمة المرور من ${PASSWORD_MIN} إلى ${PASSWORD_MAX} حرفاً`,
      'password',
    );
  }
  if (password.trim().toLowerCase() === username.toLowerCase() || new Set(password).size < 5) {
    throw new AccessError(
      'INVALID_INPUT',
      'WEAK_PASSWORD',
      'password must not be the username nor a repetition of a few characters',
      'يجب ألا تكون كلمة المرور اسم المستخدم أو تكراراً لأحرف قليلة',
      'password',
    );
  }
  if (isCommonPassword(password, username)) {
    throw new AccessError(
      'INVALID_INPUT',
      'WEAK_PASSWORD',
      'password is one of the most common passwords (or one with digits and symbols added); choose a passphrase of several unrelated words',
      'كلمة المرور من أكثر كلمات المرور شيوعاً (أو منها مع أرقام ورموز)؛ اختر عبارة من عدة كلمات غير مترابطة',
      'password',
    );
  }
  return password;
}
