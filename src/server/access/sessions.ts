// Logging in and out, and first-admin setup with a one-time token: the only ways to obtain a
// session. Every attempt is counted before its secret is checked and audited; no secret is recorded.
import { randomUUID } from 'node:crypto';
import { access, type UserRow } from '../../store/index.js';
import { appendAudit } from './audit.js';
import { AccessError, unauthenticated } from './errors.js';
import { plusMinutes, type AccessContext } from './context.js';
import { burnPasswordCheck, checkPasswordPolicy, hashPassword, verifyPassword } from './passwords.js';
import { ipKey, releaseAttempt, reserveAttempt, userKey, type Reservation } from './throttle.js';
import { newToken, parseToken, tokenMatches } from '../../crypto/tokens.js';
import { loginName, normalizeUsername } from './username.js';

export interface LoginResult {
  token: string;
  expiresAt: string;
  idleMinutes: number;
  user: UserRow;
}

const badCredentials = () => unauthenticated('BAD_CREDENTIALS', 'wrong username or password', 'اسم المستخدم أو كلمة المرور غير صحيحة');

export async function login(ax: AccessContext, input: { username: string; password: string; ip: string; requestId?: string }): Promise<LoginResult> {
  const username = loginName(input.username);
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
  let reservation: Reservation;
  try {
    reservation = await reserveAttempt(ax, [
      { key: userKey(username), threshold: ax.policy.throttle.userThreshold },
      { key: ipKey(input.ip), threshold: ax.policy.throttle.ipThreshold },
    ]);
  } catch (error) {
    await audit('login.locked', 'denied', 429);
    throw error;
  }
  const user = await access.findUserByName(ax.fleet.store.db, username);
  let ok = false;
  if (user && !user.disabled) ok = await verifyPassword(String(input.password ?? ''), user.password_hash);
  // An unknown or disabled name costs the same work: timing does not tell which names exist.
  else await burnPasswordCheck(String(input.password ?? ''), ax.policy.scrypt);
  if (!ok || !user) {
    // Counted already, before the check.
    await audit('login.failure', 'denied', 401, user);
    throw badCredentials();
  }
  await releaseAttempt(ax, reservation, [userKey(username)]);
  const now = ax.fleet.clock.now();
  const t = newToken('session');
  const expiresAt = plusMinutes(now, ax.policy.sessionTtlMinutes);
  await access.insertSession(ax.fleet.store.db, {
    id: t.id,
    user_id: user.id,
    token_hash: t.hash,
    created_at: now.toISOString(),
    expires_at: expiresAt,
    last_seen_at: now.toISOString(),
    ended_at: null,
    ip: input.ip,
  });
  await audit('login.success', 'ok', 200, user);
  return { token: t.token, expiresAt, idleMinutes: ax.policy.sessionIdleMinutes, user };
}

export async function logout(ax: AccessContext, sessionId: string): Promise<void> {
  await access.endSession(ax.fleet.store.db, sessionId, ax.fleet.clock.now().toISOString());
}

export function adminExists(ax: AccessContext): Promise<boolean> {
  return access.adminExists(ax.fleet.store.db);
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
  await access.replaceSetupToken(ax.fleet.store.db, {
    id: t.id,
    token_hash: t.hash,
    created_at: now.toISOString(),
    expires_at: expiresAt,
    used_at: null,
    used_by: null,
    revoked_at: null,
  });
  await appendAudit(ax, { actor, action: 'setup.token-issued', target: `setup:${t.id}`, outcome: 'ok', detail: { expiresAt } });
  return { token: t.token, expiresAt };
}

export interface SetupInput {
  setupToken: string;
  username: string;
  password: string;
  displayName?: string;
  ip: string;
  requestId?: string;
}

/** The first administrator, with the setup token; the token is counted (per address) before it is checked. */
export async function completeSetup(ax: AccessContext, input: SetupInput): Promise<UserRow> {
  const counters = [{ key: ipKey(input.ip), threshold: ax.policy.throttle.ipThreshold }];
  const reservation = await reserveAttempt(ax, counters);
  const invalid = async () => {
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
  if (parsed?.kind !== 'setup') throw await invalid();
  const row = await access.findSetupToken(ax.fleet.store.db, parsed.id);
  const now = ax.fleet.clock.now();
  if (!row || row.used_at !== null || row.revoked_at !== null || now.getTime() >= Date.parse(row.expires_at) || !tokenMatches(input.setupToken, row.token_hash))
    throw await invalid();
  // The token is right: mistakes in the name or password below are not guesses.
  await releaseAttempt(ax, reservation);
  const username = normalizeUsername(input.username);
  const password = checkPasswordPolicy(input.password, username);
  if (await adminExists(ax)) throw setupDone();
  const user: UserRow = {
    id: randomUUID(),
    username,
    display_name: input.displayName?.trim() || null,
    role: 'admin',
    taxpayer_id: null,
    branch_id: null,
    unit_id: null,
    password_hash: await hashPassword(password, ax.policy.scrypt),
    disabled: 0,
    created_at: now.toISOString(),
    created_by: `setup:${row.id}`,
    password_changed_at: now.toISOString(),
  };
  const claimed = await access.claimSetupToken(ax.fleet.store.db, row.id, user, now.toISOString());
  if (claimed === 'username-taken')
    throw new AccessError('CONFLICT', 'SETUP_DONE', `user ${username} exists already`, `المستخدم ${username} موجود مسبقاً`, 'username');
  if (claimed === 'used') {
    // Another request used the token first: this one presented a spent token, counted as such.
    await reserveAttempt(ax, counters);
    throw await invalid();
  }
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
