// Users and device tokens: who may log in, with which role and scope, and the per-unit tokens POS
// devices call with. Scope rules live here so the CLI and the API enforce the same ones.
import { randomUUID } from 'node:crypto';
import { access, type ApiTokenRow, type Branch, type EgsUnit, type Taxpayer, type UserRow } from '../../store/index.js';
import { appendAudit } from './audit.js';
import { AccessError, forbidden } from './errors.js';
import { plusMinutes, type AccessContext } from './context.js';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './passwords.js';
import { assertTaxpayer, assertUnit, type Principal } from './principal.js';
import { isRole, ROLES, type Role } from './roles.js';
import { passwordKey, releaseAttempt, reserveAttempt } from './throttle.js';
import { newToken } from '../../crypto/tokens.js';
import { loginName, normalizeUsername } from './username.js';
import { visibleName } from '../../model/visible-name.js';

/** Who creates users and tokens: a principal of the API, or the operator at the machine (CLI). */
export type Creator = Principal | { kind: 'cli'; actor: string };

const invalid = (field: string, message: string, messageAr: string) => new AccessError('INVALID_INPUT', 'INVALID_FIELD', message, messageAr, field);

export interface NewUser {
  username: string;
  password: string;
  role: string;
  displayName?: string;
  taxpayer?: Taxpayer | null;
  branch?: Branch | null;
  unit?: EgsUnit | null;
}

/** Each role's scope shape: an admin may be global; a manager needs a branch; a cashier a unit. */
function scopeOf(role: Role, input: NewUser): { taxpayer_id: string | null; branch_id: string | null; unit_id: string | null } {
  const t = input.taxpayer ?? null;
  const need = (what: string, ar: string) =>
    invalid(what, `a ${role} needs --${what} (${role === 'cashier' ? 'the one unit it acts for' : 'its scope'})`, `الدور ${role} يتطلب تحديد ${ar}`);
  switch (role) {
    case 'admin':
      if (input.branch || input.unit)
        throw invalid('branch', 'an admin is scoped to a taxpayer or to everything, not to a branch or unit', 'نطاق المدير مكلف كامل أو جميع المكلفين');
      return { taxpayer_id: t?.id ?? null, branch_id: null, unit_id: null };
    case 'auditor':
      if (input.unit) throw invalid('unit', 'an auditor is scoped to a taxpayer or a branch, not a unit', 'نطاق المدقق مكلف أو فرع');
      return { taxpayer_id: t?.id ?? null, branch_id: input.branch?.id ?? null, unit_id: null };
    case 'branch-manager':
      if (!t) throw need('taxpayer', 'المكلف');
      if (!input.branch) throw need('branch', 'الفرع');
      return { taxpayer_id: t.id, branch_id: input.branch.id, unit_id: null };
    case 'cashier':
      if (!t) throw need('taxpayer', 'المكلف');
      if (!input.unit) throw need('unit', 'الوحدة');
      return { taxpayer_id: t.id, branch_id: input.unit.branch_id, unit_id: input.unit.id };
    case 'branch-node':
      // A branch node is a machine with a sync token (src/sync), never a person with a password.
      throw invalid(
        'role',
        'branch-node is not a user role: create a sync token for the branch (POST …/branches/{branch}/sync-tokens)',
        'دور عقدة الفرع ليس لمستخدم: أنشئ رمز مزامنة للفرع',
      );
  }
}

export async function createUser(ax: AccessContext, creator: Creator, input: NewUser): Promise<UserRow> {
  const username = normalizeUsername(input.username);
  if (!isRole(input.role)) throw invalid('role', `role must be one of ${ROLES.join(', ')}`, `يجب أن يكون الدور أحد: ${ROLES.join('، ')}`);
  const scope = scopeOf(input.role, input);
  if (creator.kind !== 'cli') {
    // An administrator of one taxpayer cannot mint users of another taxpayer, nor global ones.
    if (creator.taxpayerId !== null) {
      if (scope.taxpayer_id === null)
        throw forbidden(
          'OUT_OF_SCOPE',
          'only a global administrator can create users for every taxpayer',
          'لا ينشئ مستخدماً لجميع المكلفين إلا مدير عام',
          'taxpayer',
        );
      assertTaxpayer(creator, scope.taxpayer_id);
    }
  }
  const password = checkPasswordPolicy(input.password, username);
  if (await access.findUserByName(ax.fleet.store.db, username)) {
    throw new AccessError('CONFLICT', 'DUPLICATE', `user ${username} exists already`, `المستخدم ${username} موجود مسبقاً`, 'username');
  }
  const now = ax.fleet.clock.now().toISOString();
  const row: UserRow = {
    id: randomUUID(),
    username,
    display_name: input.displayName?.trim() ? visibleName(input.displayName, 'displayName', 100) : null,
    role: input.role,
    ...scope,
    password_hash: await hashPassword(password, ax.policy.scrypt),
    disabled: 0,
    created_at: now,
    created_by: creator.actor,
    password_changed_at: now,
  };
  await access.insertUser(ax.fleet.store.db, row);
  await appendAudit(ax, {
    actor: creator.actor,
    role: creator.kind === 'cli' ? 'operator' : creator.role,
    taxpayerId: row.taxpayer_id,
    branchId: row.branch_id,
    unitId: row.unit_id,
    action: 'user.create',
    target: `user:${username}`,
    outcome: 'ok',
    detail: { role: row.role },
  });
  return row;
}

export function listUsers(ax: AccessContext, scope: { taxpayerId: string | null; branchId?: string | null }): Promise<UserRow[]> {
  return access.listUsers(ax.fleet.store.db, scope);
}

export function findUser(ax: AccessContext, username: string): Promise<UserRow | undefined> {
  return access.findUserByName(ax.fleet.store.db, loginName(username));
}

export async function setUserDisabled(ax: AccessContext, creator: Creator, user: UserRow, disabled: boolean): Promise<UserRow> {
  if (creator.kind !== 'cli') {
    if (user.taxpayer_id === null) {
      if (creator.taxpayerId !== null)
        throw forbidden('OUT_OF_SCOPE', 'a global user is managed by a global administrator only', 'المستخدم العام يديره مدير عام فقط', 'username');
    } else assertTaxpayer(creator, user.taxpayer_id);
    if (creator.kind === 'user' && creator.id === user.id) throw invalid('username', 'you cannot disable your own account', 'لا يمكنك تعطيل حسابك');
  }
  await access.setUserDisabled(ax.fleet.store.db, user.id, disabled);
  if (disabled) await access.endSessionsOf(ax.fleet.store.db, user.id, ax.fleet.clock.now().toISOString());
  await appendAudit(ax, {
    actor: creator.actor,
    taxpayerId: user.taxpayer_id,
    branchId: user.branch_id,
    action: disabled ? 'user.disable' : 'user.enable',
    target: `user:${user.username}`,
    outcome: 'ok',
  });
  return { ...user, disabled: disabled ? 1 : 0 };
}

/**
 * Change the caller's own password. The current password is a secret check like a login: counted
 * per user before it is checked, so a stolen session does not get unlimited guesses at it.
 */
export async function changePassword(ax: AccessContext, p: Principal, current: string, next: string, ip?: string): Promise<void> {
  const db = ax.fleet.store.db;
  const user = p.kind === 'user' ? await access.findUserById(db, p.id) : undefined;
  if (!user) throw forbidden('WRONG_ROLE', 'only a logged-in user has a password', 'كلمة المرور للمستخدمين فقط');
  const key = passwordKey(user.id);
  const reservation = await reserveAttempt(ax, [{ key, threshold: ax.policy.throttle.userThreshold }]);
  if (!(await verifyPassword(String(current ?? ''), user.password_hash))) {
    await appendAudit(ax, {
      actor: p.actor,
      role: p.role,
      taxpayerId: p.taxpayerId,
      action: 'user.password-change-failure',
      target: `user:${user.username}`,
      outcome: 'denied',
      status: 401,
      ip: ip ?? null,
    });
    throw new AccessError('UNAUTHENTICATED', 'BAD_CREDENTIALS', 'the current password is wrong', 'كلمة المرور الحالية غير صحيحة', 'currentPassword');
  }
  await releaseAttempt(ax, reservation, [key]);
  const password = checkPasswordPolicy(next, user.username);
  await access.setPasswordHash(db, user.id, await hashPassword(password, ax.policy.scrypt), ax.fleet.clock.now().toISOString());
  // A changed password ends every other session: whoever knew the old one is out.
  await access.endSessionsOf(db, user.id, ax.fleet.clock.now().toISOString(), p.sessionId);
  await appendAudit(ax, {
    actor: p.actor,
    role: p.role,
    taxpayerId: p.taxpayerId,
    action: 'user.password-change',
    target: `user:${user.username}`,
    outcome: 'ok',
  });
}

/**
 * The operator at the machine sets a new password for a user (`fawtara users passwd`): the one way
 * back in when a password is lost (the demo's is printed once). CLI only — an API caller changes
 * its own password with the current one. Every session of the user ends.
 */
export async function resetPassword(ax: AccessContext, creator: Creator, user: UserRow, next: string): Promise<void> {
  if (creator.kind !== 'cli')
    throw forbidden('WRONG_ROLE', 'a password is reset only by the operator at the machine', 'تُعاد كلمة المرور من سطر الأوامر فقط', 'username');
  const db = ax.fleet.store.db;
  const password = checkPasswordPolicy(next, user.username);
  const now = ax.fleet.clock.now().toISOString();
  await access.setPasswordHash(db, user.id, await hashPassword(password, ax.policy.scrypt), now);
  await access.endSessionsOf(db, user.id, now);
  await appendAudit(ax, {
    actor: creator.actor,
    taxpayerId: user.taxpayer_id,
    branchId: user.branch_id,
    action: 'user.password-reset',
    target: `user:${user.username}`,
    outcome: 'ok',
  });
}

export async function createDeviceToken(
  ax: AccessContext,
  creator: Creator,
  unit: EgsUnit,
  input: { name?: string; expiresInDays?: number },
): Promise<{ token: string; row: ApiTokenRow }> {
  if (creator.kind !== 'cli') assertUnit(creator, unit);
  const days = input.expiresInDays ?? ax.policy.deviceTokenDays;
  if (!Number.isInteger(days) || days < 1 || days > 730)
    throw invalid('expiresInDays', 'a device token lives 1 to 730 days', 'صلاحية رمز الجهاز من 1 إلى 730 يوماً');
  const name = input.name === undefined ? unit.name : visibleName(input.name, 'name');
  const now = ax.fleet.clock.now();
  const t = newToken('device');
  const row: ApiTokenRow = {
    id: t.id,
    name,
    taxpayer_id: unit.taxpayer_id,
    branch_id: unit.branch_id,
    unit_id: unit.id,
    token_hash: t.hash,
    created_at: now.toISOString(),
    created_by: creator.actor,
    expires_at: plusMinutes(now, days * 24 * 60),
    revoked_at: null,
    last_used_at: null,
  };
  await access.insertApiToken(ax.fleet.store.db, row);
  await appendAudit(ax, {
    actor: creator.actor,
    taxpayerId: unit.taxpayer_id,
    branchId: unit.branch_id,
    unitId: unit.id,
    action: 'device-token.create',
    target: `device:${t.id}`,
    outcome: 'ok',
    detail: { tokenName: name, expiresAt: row.expires_at },
  });
  return { token: t.token, row };
}

export function listDeviceTokens(ax: AccessContext, taxpayerId: string, unitId?: string): Promise<ApiTokenRow[]> {
  return access.listApiTokens(ax.fleet.store.db, taxpayerId, unitId);
}

export async function revokeDeviceToken(ax: AccessContext, creator: Creator, unit: EgsUnit, tokenId: string): Promise<ApiTokenRow> {
  if (creator.kind !== 'cli') assertUnit(creator, unit);
  const row = await access.findUnitToken(ax.fleet.store.db, unit, tokenId);
  if (!row)
    throw new AccessError('NOT_FOUND', 'NOT_FOUND', `unit ${unit.name} has no device token ${tokenId}`, `لا يوجد رمز جهاز ${tokenId} لهذه الوحدة`, 'tokenId');
  if (row.revoked_at) return row;
  const at = ax.fleet.clock.now().toISOString();
  await access.revokeApiToken(ax.fleet.store.db, row.id, at);
  await appendAudit(ax, {
    actor: creator.actor,
    taxpayerId: unit.taxpayer_id,
    branchId: unit.branch_id,
    unitId: unit.id,
    action: 'device-token.revoke',
    target: `device:${row.id}`,
    outcome: 'ok',
  });
  return { ...row, revoked_at: at };
}
