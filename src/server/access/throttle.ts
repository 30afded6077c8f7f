// Throttling of every secret check (password, setup token, bearer token), kept in the store so a
// restart or a second server process does not reset it: after a threshold, an exponential lockout.
import { createHash } from 'node:crypto';
import { throttle, type ThrottleRow } from '../../store/index.js';
import type { AccessContext, ThrottlePolicy } from './context.js';
import { AccessError } from './errors.js';

/**
 * A username's counter is keyed by its SHA-256, not its text: people type passwords into the username
 * field, and what they typed must not sit in the database in the clear.
 */
export const userKey = (username: string) => `user:${createHash('sha256').update(username, 'utf8').digest('hex')}`;
export const ipKey = (ip: string) => `ip:${ip}`;
/** Password changes of one user: a stolen session does not get unlimited guesses at the password. */
export const passwordKey = (userId: string) => `password:${userId}`;
/** Bearer tokens that failed from one address. */
export const tokenKey = (ip: string) => `token:${ip}`;

export interface Counter {
  key: string;
  threshold: number;
}

/** Counted attempts; `release` uncounts them once the secret proved right. */
export interface Reservation {
  counters: Counter[];
  /** Keys whose lock this attempt started (its count reached the threshold). */
  locked: Set<string>;
}

/** 429 with Retry-After: too many failed attempts, wait for the lock to end. */
export const lockedOut = (wait: number) =>
  new AccessError(
    'THROTTLED',
    'LOCKED_OUT',
    `too many failed attempts; try again in ${wait} s`,
    `محاولات فاشلة كثيرة؛ أعد المحاولة بعد ${wait} ثانية`,
    undefined,
    wait,
  );

/** Seconds until the latest lock among the rows ends (0: none is locked). */
function waitOf(rows: Iterable<ThrottleRow>, now: number): number {
  let wait = 0;
  for (const r of rows) if (r.locked_until && Date.parse(r.locked_until) > now) wait = Math.max(wait, Math.ceil((Date.parse(r.locked_until) - now) / 1000));
  return wait;
}

/** The row after one more failure: reset when the last one is forgotten; locked once the threshold is reached, doubling. */
function counted(p: ThrottlePolicy, row: ThrottleRow | undefined, threshold: number, now: Date): Omit<ThrottleRow, 'key'> {
  const forgetBefore = new Date(now.getTime() - p.forgetAfterHours * 3_600_000).toISOString();
  const failures = row && row.last_failure_at >= forgetBefore ? row.failures + 1 : 1;
  // Bounded exponent: 2^20 × base is already far past any cap.
  const seconds = failures >= threshold ? Math.min(p.maxLockSeconds, p.baseLockSeconds * 2 ** Math.min(20, failures - threshold)) : 0;
  return { failures, locked_until: seconds > 0 ? new Date(now.getTime() + seconds * 1000).toISOString() : null, last_failure_at: now.toISOString() };
}

/**
 * Count one attempt on every counter BEFORE its secret is checked, atomically: of parallel
 * attempts, at most `threshold` per lock period reach the check, whatever their timing. While any
 * counter is locked nothing is counted and the attempt is refused (429 with Retry-After) unchecked.
 */
export async function reserveAttempt(ax: AccessContext, counters: Counter[]): Promise<Reservation> {
  const now = ax.fleet.clock.now();
  const result = await throttle.changeThrottles(
    ax.fleet.store,
    counters.map((c) => c.key),
    (rows) => {
      const wait = waitOf(rows.values(), now.getTime());
      if (wait > 0) return { writes: new Map(), result: { wait, locked: new Set<string>() } };
      const writes: throttle.ThrottleWrites = new Map();
      const locked = new Set<string>();
      for (const c of counters) {
        const next = counted(ax.policy.throttle, rows.get(c.key), c.threshold, now);
        writes.set(c.key, next);
        if (next.locked_until) locked.add(c.key);
      }
      return { writes, result: { wait: 0, locked } };
    },
  );
  if (result.wait > 0) throw lockedOut(result.wait);
  return { counters, locked: result.locked };
}

/**
 * The secret was right: the attempt was not a failure. Keys in `clear` (the username, the user's
 * password changes) start again from zero; the others (addresses) lose this attempt's count and
 * the lock it started, if any — no other attempt was counted on them since (they were locked).
 */
export async function releaseAttempt(ax: AccessContext, r: Reservation, clear: readonly string[] = []): Promise<void> {
  await throttle.changeThrottles(
    ax.fleet.store,
    r.counters.map((c) => c.key),
    (rows) => {
      const writes: throttle.ThrottleWrites = new Map();
      for (const c of r.counters) {
        const row = rows.get(c.key);
        if (!row) continue;
        if (clear.includes(c.key) || row.failures <= 1) writes.set(c.key, null);
        else
          writes.set(c.key, { failures: row.failures - 1, locked_until: r.locked.has(c.key) ? null : row.locked_until, last_failure_at: row.last_failure_at });
      }
      return { writes, result: undefined };
    },
  );
}

/**
 * A bearer token that matched nothing, counted per address (atomically, after the check: bearer
 * tokens carry 256 random bits, so there is nothing to guess and no write on the hot path of every
 * valid request). Past the threshold the address's failures are answered 429 with Retry-After
 * until the lock ends, and are not counted again. A valid token is never refused for its address's
 * failures: a till behind the same shop router (or a proxy without --trust-proxy) keeps working.
 * Returns the seconds to wait, or 0 when this failure was counted (answer 401).
 */
export async function countTokenFailure(ax: AccessContext, ip: string): Promise<number> {
  const now = ax.fleet.clock.now();
  const key = tokenKey(ip);
  return throttle.changeThrottles(ax.fleet.store, [key], (rows) => {
    const current = rows.get(key);
    const wait = current ? waitOf([current], now.getTime()) : 0;
    if (wait > 0) return { writes: new Map(), result: wait };
    return { writes: new Map([[key, counted(ax.policy.throttle, current, ax.policy.throttle.ipThreshold, now)]]), result: 0 };
  });
}
