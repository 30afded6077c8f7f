// Login throttling per username and per client address, kept in the store so a restart or a
// second server process does not reset it: after a threshold of failures, an exponential lockout.
import { sql } from 'kysely';
import { AccessError } from './errors.js';
import type { AccessContext } from './context.js';

export const userKey = (username: string) => `user:${username}`;
export const ipKey = (ip: string) => `ip:${ip}`;

/** Refuse at once (429, Retry-After) while any of the keys is locked; no password is checked then. */
export async function assertNotLocked(ax: AccessContext, keys: string[]): Promise<void> {
  const now = ax.fleet.clock.now();
  const rows = await ax.db.selectFrom('login_throttle').selectAll().where('key', 'in', keys).execute();
  let wait = 0;
  for (const r of rows)
    if (r.locked_until && Date.parse(r.locked_until) > now.getTime()) wait = Math.max(wait, Math.ceil((Date.parse(r.locked_until) - now.getTime()) / 1000));
  if (wait > 0) {
    throw new AccessError(
      'THROTTLED',
      'LOCKED_OUT',
      `too many failed logins; try again in ${wait} s`,
      `محاولات دخول فاشلة كثيرة؛ أعد المحاولة بعد ${wait} ثانية`,
      undefined,
      wait,
    );
  }
}

/** Count one failure for `key`; lock it once `threshold` is reached, doubling with each further failure. */
export async function recordFailure(ax: AccessContext, key: string, threshold: number): Promise<void> {
  const p = ax.policy.throttle;
  const now = ax.fleet.clock.now();
  const at = now.toISOString();
  const forgetBefore = new Date(now.getTime() - p.forgetAfterHours * 3_600_000).toISOString();
  await ax.db
    .insertInto('login_throttle')
    .values({ key, failures: 1, locked_until: null, last_failure_at: at })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        failures: sql<number>`case when login_throttle.last_failure_at < ${forgetBefore} then 1 else login_throttle.failures + 1 end`,
        last_failure_at: at,
      }),
    )
    .execute();
  const row = await ax.db.selectFrom('login_throttle').select('failures').where('key', '=', key).executeTakeFirst();
  const failures = row?.failures ?? 1;
  if (failures >= threshold) {
    // Bounded exponent: 2^20 × base is already far past any cap.
    const seconds = Math.min(p.maxLockSeconds, p.baseLockSeconds * 2 ** Math.min(20, failures - threshold));
    await ax.db
      .updateTable('login_throttle')
      .set({ locked_until: new Date(now.getTime() + seconds * 1000).toISOString() })
      .where('key', '=', key)
      .execute();
  }
}

export async function clearFailures(ax: AccessContext, key: string): Promise<void> {
  await ax.db.deleteFrom('login_throttle').where('key', '=', key).execute();
}
