// Who is calling: a logged-in user (session token) or a device (a token bound to one unit), with
// the role and the scope every route checks. Resolved from the Authorization header once per request.
import { forbidden, unauthenticated } from './errors.js';
import type { AccessContext } from './context.js';
import { isRole, roleAllows, type Role } from './roles.js';
import { parseToken, tokenMatches } from '../../crypto/tokens.js';
import { countTokenFailure, lockedOut } from './throttle.js';
import { access, sync } from '../../store/index.js';
import { MAX_TOKEN_DAYS } from '../../sync/tokens.js';

export interface Principal {
  kind: 'user' | 'device';
  /** User id or device-token id. */
  id: string;
  /** Username or device-token name (for people reading the audit log). */
  name: string;
  role: Role;
  /** Null only for a global admin. */
  taxpayerId: string | null;
  branchId: string | null;
  unitId: string | null;
  sessionId?: string;
  /** How the audit log and the unit history name this caller: `user:alice`, `device:<id>`. */
  actor: string;
}

/** Sessions' last-seen time is written at most this often: one write per minute, not per request. */
const TOUCH_EVERY_MS = 60_000;

const invalidToken = () =>
  unauthenticated(
    'INVALID_TOKEN',
    'the token is not valid (unknown, revoked or malformed); log in again',
    'الرمز غير صالح (غير معروف أو ملغى أو مشوه)؛ سجل الدخول مجدداً',
  );

/** A presented secret that matched no token: counted against the address (throttle.ts), then refused (401, or 429 past the limit). */
type Guess = () => Promise<Error>;

export async function authenticate(ax: AccessContext, authorization: string | undefined, ip: string): Promise<Principal> {
  if (!authorization) {
    throw unauthenticated(
      'NO_CREDENTIALS',
      'authentication required: send "Authorization: Bearer <token>" (log in at POST /api/v1/auth/login)',
      'يلزم تسجيل الدخول: أرسل الترويسة Authorization: Bearer مع الرمز',
    );
  }
  const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  const parsed = m ? parseToken(m[1]!) : undefined;
  if (!parsed || parsed.kind === 'setup') throw invalidToken();
  const token = m![1]!;
  const guess: Guess = async () => {
    const wait = await countTokenFailure(ax, ip);
    return wait > 0 ? lockedOut(wait) : invalidToken();
  };
  const now = ax.fleet.clock.now();
  if (parsed.kind === 'session') return sessionUser(ax, token, parsed.id, now, guess);
  if (parsed.kind === 'sync') return branchNode(ax, token, parsed.id, now, guess);
  return device(ax, token, parsed.id, now, guess);
}

async function sessionUser(ax: AccessContext, token: string, id: string, now: Date, guess: Guess): Promise<Principal> {
  const db = ax.fleet.store.db;
  const s = await access.findSession(db, id);
  if (!s || !tokenMatches(token, s.token_hash)) throw await guess();
  // The secret was right: an expired or ended session is its holder's, not a guess (not counted).
  const idleEnd = Date.parse(s.last_seen_at) + ax.policy.sessionIdleMinutes * 60_000;
  if (now.getTime() >= Date.parse(s.expires_at) || now.getTime() >= idleEnd) {
    if (s.ended_at === null) await access.endSession(db, s.id, now.toISOString());
    throw unauthenticated('SESSION_EXPIRED', 'the session has expired; log in again', 'انتهت صلاحية الجلسة؛ سجل الدخول مجدداً');
  }
  if (s.ended_at !== null) throw invalidToken();
  const user = await access.findUserById(db, s.user_id);
  if (!user || user.disabled || !isRole(user.role)) throw unauthenticated('ACCOUNT_DISABLED', 'this account is disabled', 'هذا الحساب معطل');
  if (now.getTime() - Date.parse(s.last_seen_at) >= TOUCH_EVERY_MS) await access.touchSession(db, s.id, now.toISOString());
  return {
    kind: 'user',
    id: user.id,
    name: user.username,
    role: user.role,
    taxpayerId: user.taxpayer_id,
    branchId: user.branch_id,
    unitId: user.unit_id,
    sessionId: s.id,
    actor: `user:${user.username}`,
  };
}

async function device(ax: AccessContext, token: string, id: string, now: Date, guess: Guess): Promise<Principal> {
  const db = ax.fleet.store.db;
  const t = await access.findApiToken(db, id);
  if (!t || !tokenMatches(token, t.token_hash)) throw await guess();
  if (t.revoked_at !== null) throw invalidToken();
  if (t.expires_at !== null && now.getTime() >= Date.parse(t.expires_at)) {
    throw unauthenticated(
      'TOKEN_EXPIRED',
      'this device token has expired; ask an administrator for a new one',
      'انتهت صلاحية رمز الجهاز؛ اطلب رمزاً جديداً من المدير',
    );
  }
  if (t.last_used_at === null || now.getTime() - Date.parse(t.last_used_at) >= TOUCH_EVERY_MS) await access.touchApiToken(db, t.id, now.toISOString());
  return {
    kind: 'device',
    id: t.id,
    name: t.name,
    role: 'cashier',
    taxpayerId: t.taxpayer_id,
    branchId: t.branch_id,
    unitId: t.unit_id,
    actor: `device:${t.id}`,
  };
}

/**
 * A branch node's sync token (src/sync): bound to one branch, role `branch-node`. It ends when it is
 * revoked, when it expires (at most MAX_TOKEN_DAYS after creation), and when the person who created
 * it is disabled or no longer holds `tokens:manage` over that branch.
 */
async function branchNode(ax: AccessContext, token: string, id: string, now: Date, guess: Guess): Promise<Principal> {
  const db = ax.fleet.store.db;
  const t = await sync.findToken(db, id);
  if (!t || !tokenMatches(token, t.token_hash)) throw await guess();
  if (t.revoked_at !== null) throw invalidToken();
  const ends = Math.min(t.expires_at ? Date.parse(t.expires_at) : Infinity, Date.parse(t.created_at) + MAX_TOKEN_DAYS * 86_400_000);
  if (!(now.getTime() < ends)) {
    throw unauthenticated(
      'TOKEN_EXPIRED',
      'this sync token has expired; ask an administrator for a new one',
      'انتهت صلاحية رمز المزامنة؛ اطلب رمزاً جديداً من المدير',
    );
  }
  if (t.created_by.startsWith('user:')) {
    const creator = await access.findUserByName(db, t.created_by.slice('user:'.length));
    const stillEntitled =
      !!creator &&
      creator.disabled === 0 &&
      isRole(creator.role) &&
      roleAllows(creator.role, 'tokens:manage') &&
      (creator.taxpayer_id === null || creator.taxpayer_id === t.taxpayer_id) &&
      (creator.branch_id === null || creator.branch_id === t.branch_id);
    if (!stillEntitled)
      throw unauthenticated(
        'INVALID_TOKEN',
        'this sync token ended: the person who created it is disabled or no longer manages tokens for this branch; ask an administrator for a new one',
        'انتهى رمز المزامنة: منشئه معطل أو لم يعد يدير رموز هذا الفرع؛ اطلب رمزاً جديداً',
      );
  }
  if (t.last_used_at === null || now.getTime() - Date.parse(t.last_used_at) >= TOUCH_EVERY_MS) await sync.touchToken(db, t.id, now.toISOString());
  return {
    kind: 'device',
    id: t.id,
    name: t.name,
    role: 'branch-node',
    taxpayerId: t.taxpayer_id,
    branchId: t.branch_id,
    unitId: null,
    actor: `branch-node:${t.id}`,
  };
}

/** Scope checks shared by routes and services: another taxpayer, branch or unit is refused. */
export function assertTaxpayer(p: Principal, taxpayerId: string): void {
  if (p.taxpayerId !== null && p.taxpayerId !== taxpayerId) {
    throw forbidden('OUT_OF_SCOPE', 'this taxpayer is outside your access', 'هذا المكلف خارج نطاق صلاحياتك', 'vat');
  }
}

export function assertBranch(p: Principal, taxpayerId: string, branchId: string): void {
  assertTaxpayer(p, taxpayerId);
  if (p.branchId !== null && p.branchId !== branchId) {
    throw forbidden('OUT_OF_SCOPE', 'this branch is outside your access', 'هذا الفرع خارج نطاق صلاحياتك', 'branch');
  }
}

export function assertUnit(p: Principal, unit: { id: string; taxpayer_id: string; branch_id: string }): void {
  assertBranch(p, unit.taxpayer_id, unit.branch_id);
  if (p.unitId !== null && p.unitId !== unit.id) {
    throw forbidden(
      'OUT_OF_SCOPE',
      'this unit is outside your access (a cashier or device token acts for its own unit only)',
      'هذه الوحدة خارج نطاق صلاحياتك (الكاشير أو الجهاز يعمل لوحدته فقط)',
      'unit',
    );
  }
}
