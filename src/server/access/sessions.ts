// Logging in and out, and first-admin setup with a one-time token: the only ways to obtain a
// session. Failures are throttled and audited; no password, hash or token is ever recorded.
import { randomUUID } from 'node:crypto';
import { appendAudit } from './audit.js';
import { AccessError, unauthenticated } from './errors.js';
import { plusMinutes, type AccessContext } from './context.js';
import { burnPasswordCheck, checkPasswordPolicy, hashPassword, verifyPassword } from './passwords.js';
import { assertNotLocked, clearFailures, ipKey, recordFailure, userKey } from './throttle.js';
import { newToken, parseToken, tokenMatches } from './tokens.js';
import { normalizeUsername } from './users.js';
import type { UserRow } from './schema.js';

export interface LoginResult {
  token: string;
  expiresAt: string;
  idleMinutes: number;
  user: UserRow;
}

const badCredentials = () => unauthenticated('BAD_CREDENTIALS', 'wrong username or password', 'اسم المستخدم أو كلمة المرور غير صحيحة');

export async function login(ax: AccessContext, input: { username: string; password: string; ip: string; requestId?: string }): Promise<LoginResult> {
  const username = String(input.username ?? '')
    .trim()
    .toLowerCase()
    .slice(0, 64);
  const keys = [userKey(username), ipKey(input.ip)];
  const audit = (action: string, outcome: 'ok' | 'denied', status: number, user?: UserRow) =>
    appendAudit(ax, {
      actor: user ? `user:${user.username}` : 'anonymous',
      role: user?.role ?? null,
      taxpayerId: user?.taxpayer_id ?? null,
      branchId: user?.branch_id ?? null,
      action,
      // An unknown name is not echoed: people type passwords into the username field.
      target: user ? `user:${user.username}` : 'user:[unknown]',
      outcome,
      status,
      ip: input.ip,
      requestId: input.requestId ?? null,
    });
  try {
    await assertNotLocked(ax, keys);
  } catch (error) {
    await audit('login.locked', 'denied', 429);
    throw error;
  }
  const user = await ax.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  const ok =
    user && !user.disabled
      ? await verifyPassword(String(input.password ?? ''), user.password_hash)
      : (await burnPasswordCheck(String(input.password ?? ''), ax.policy.scrypt), false);
  if (!ok || !user) {
    await recordFailure(ax, keys[0]!, ax.policy.throttle.userThreshold);
    await recordFailure(ax, keys[1]!, ax.policy.throttle.ipThreshold);
    await audit('login.failure', 'denied', 401, user);
    throw badCredentials();
  }
  await clearFailures(ax, keys[0]!);
  const now = ax.fleet.clock.now();
  const t = newToken('session');
  const expiresAt = plusMinutes(now, ax.policy.sessionTtlMinutes);
  await ax.db
    .insertInto('sessions')
    .values({
      id: t.id,
      user_id: user.id,
      token_hash: t.hash,
      created_at: now.toISOString(),
      expires_at: expiresAt,
      last_seen_at: now.toISOString(),
      ended_at: null,
      ip: input.ip,
    })
    .execute();
  await audit('login.success', 'ok', 200, user);
  return { token: t.token, expiresAt, idleMinutes: ax.policy.sessionIdleMinutes, user };
}

export async function logout(ax: AccessContext, sessionId: string): Promise<void> {
  await ax.db.updateTable('sessions').set({ ended_at: ax.fleet.clock.now().toISOString() }).where('id', '=', sessionId).where('ended_at', 'is', null).execute();
}

/** End every open session of a user (password change, disabling), except possibly one. */
export async function endSessionsOf(ax: AccessContext, userId: string, except?: string): Promise<void> {
  let q = ax.db.updateTable('sessions').set({ ended_at: ax.fleet.clock.now().toISOString() }).where('user_id', '=', userId).where('ended_at', 'is', null);
  if (except) q = q.where('id', '!=', except);
  await q.execute();
}

export async function adminExists(ax: AccessContext): Promise<boolean> {
  return (await ax.db.selectFrom('users').select('id').where('role', '=', 'admin').where('disabled', '=', 0).executeTakeFirst()) !== undefined;
}

const setupDone = () =>
  new AccessError(
    'CONFLICT',
    'SETUP_DONE',
    'an administrator exists already; setup is closed (administrators add users)',
    'يوجد مدير للنظام بالفعل؛ أُغلق الإعداد الأولي',
    'setupToken',
  );

/**
 * A one-time token that creates the first administrator. Only while no administrator exists; a new
 * one revokes any earlier unused one. Printed to the operator's terminal, never logged.
 */
export async function issueSetupToken(ax: AccessContext, actor: string): Promise<{ token: string; expiresAt: string }> {
  if (await adminExists(ax)) throw setupDone();
  const now = ax.fleet.clock.now();
  const t = newToken('setup');
  const expiresAt = plusMinutes(now, ax.policy.setupTokenTtlMinutes);
  await ax.db.transaction().execute(async (trx) => {
    await trx.updateTable('setup_tokens').set({ revoked_at: now.toISOString() }).where('used_at', 'is', null).where('revoked_at', 'is', null).execute();
    await trx
      .insertInto('setup_tokens')
      .values({ id: t.id, token_hash: t.hash, created_at: now.toISOString(), expires_at: expiresAt, used_at: null, used_by: null, revoked_at: null })
      .execute();
  });
  await appendAudit(ax, { actor, action: 'setup.token-issued', target: `setup:${t.id}`, outcome: 'ok', detail: { expiresAt } });
  return { token: t.token, expiresAt };
}

export async function completeSetup(
  ax: AccessContext,
  input: { setupToken: string; username: string; password: string; displayName?: string; ip: string; requestId?: string },
): Promise<UserRow> {
  const keys = [ipKey(input.ip)];
  await assertNotLocked(ax, keys);
  const invalid = async () => {
    await recordFailure(ax, keys[0]!, ax.policy.throttle.ipThreshold);
    await appendAudit(ax, { actor: 'anonymous', action: 'setup.failure', outcome: 'denied', status: 401, ip: input.ip, requestId: input.requestId ?? null });
    return new AccessError(
      'UNAUTHENTICATED',
      'SETUP_TOKEN_INVALID',
      'the setup token is not valid (unknown, already used, replaced or expired); print a new one with "fawtara users setup"',
      'رمز الإعداد غير صالح (غير معروف أو مستخدم أو منتهي)؛ اطبع رمزاً جديداً بالأمر fawtara users setup',
      'setupToken',
    );
  };
  const parsed = parseToken(String(input.setupToken ?? ''));
  if (!parsed || parsed.kind !== 'setup') throw await invalid();
  const row = await ax.db.selectFrom('setup_tokens').selectAll().where('id', '=', parsed.id).executeTakeFirst();
  const now = ax.fleet.clock.now();
  if (!row || row.used_at !== null || row.revoked_at !== null || now.getTime() >= Date.parse(row.expires_at) || !tokenMatches(input.setupToken, row.token_hash))
    throw await invalid();
  const username = normalizeUsername(input.username);
  const password = checkPasswordPolicy(input.password, username);
  if (await adminExists(ax)) throw setupDone();
  const hash = await hashPassword(password, ax.policy.scrypt);
  const user: UserRow = {
    id: randomUUID(),
    username,
    display_name: input.displayName?.trim() || null,
    role: 'admin',
    taxpayer_id: null,
    branch_id: null,
    unit_id: null,
    password_hash: hash,
    disabled: 0,
    created_at: now.toISOString(),
    created_by: `setup:${row.id}`,
    password_changed_at: now.toISOString(),
  };
  const created = await ax.db.transaction().execute(async (trx) => {
    // Compare-and-set: of two requests racing with the same token, exactly one creates the admin.
    const used = await trx
      .updateTable('setup_tokens')
      .set({ used_at: now.toISOString(), used_by: user.id })
      .where('id', '=', row.id)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(used.numUpdatedRows) !== 1) return false;
    if (await trx.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst()) {
      throw new AccessError('CONFLICT', 'SETUP_DONE', `user ${username} exists already`, `المستخدم ${username} موجود مسبقاً`, 'username');
    }
    await trx.insertInto('users').values(user).execute();
    return true;
  });
  // Outside the transaction: SQLite has one connection, and the failure path writes too.
  if (!created) throw await invalid();
  await appendAudit(ax, {
    actor: `user:${username}`,
    role: 'admin',
    action: 'setup.complete',
    target: `user:${username}`,
    outcome: 'ok',
    status: 201,
    ip: input.ip,
    requestId: input.requestId ?? null,
  });
  return user;
}
