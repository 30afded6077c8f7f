// Branch nodes' sync tokens: bound to one branch, they may only push batches and request enrolments.
// Created (shown once), listed and revoked by head office; every token expires within MAX_TOKEN_DAYS.
import { FleetError, type FleetContext } from '../egs/index.js';
import { newToken } from '../crypto/tokens.js';
import { sync as syncRepo, type Branch, type Taxpayer } from '../store/index.js';

/** Default and bounded lifetime of a sync token (docs/security.md "Branch sync"). */
export const DEFAULT_TOKEN_DAYS = 90;
export const MAX_TOKEN_DAYS = 365;

export async function createSyncToken(
  ctx: FleetContext,
  branch: Branch,
  input: { name?: string; expiresInDays?: number; createdBy: string },
): Promise<{ token: string; id: string; expiresAt: string }> {
  const days = input.expiresInDays ?? DEFAULT_TOKEN_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS)
    throw new FleetError('INVALID_FIELD', `a sync token lives 1 to ${MAX_TOKEN_DAYS} days`, {
      field: 'expiresInDays',
      messageAr: `صلاحية رمز المزامنة من 1 إلى ${MAX_TOKEN_DAYS} يوماً`,
    });
  const now = ctx.clock.now();
  const t = newToken('sync');
  const expiresAt = new Date(now.getTime() + days * 86_400_000).toISOString();
  await syncRepo.insertToken(ctx.store.db, {
    id: t.id,
    name: (input.name ?? `${branch.name} node`).slice(0, 64),
    taxpayer_id: branch.taxpayer_id,
    branch_id: branch.id,
    token_hash: t.hash,
    created_at: now.toISOString(),
    created_by: input.createdBy,
    expires_at: expiresAt,
    revoked_at: null,
    last_used_at: null,
  });
  return { token: t.token, id: t.id, expiresAt };
}

export interface SyncTokenView {
  id: string;
  name: string;
  branchId: string;
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

/** Tokens of a taxpayer (or one branch), newest first; never the secret or its hash. */
export async function listSyncTokens(ctx: FleetContext, taxpayer: Taxpayer, branchId?: string): Promise<SyncTokenView[]> {
  return (await syncRepo.listTokens(ctx.store.db, taxpayer.id, branchId)).map((t) => ({
    id: t.id,
    name: t.name,
    branchId: t.branch_id,
    createdAt: t.created_at,
    createdBy: t.created_by,
    expiresAt: t.expires_at,
    revokedAt: t.revoked_at,
    lastUsedAt: t.last_used_at,
  }));
}

/** Revoke a token of this taxpayer (and branch, when the caller is scoped to one). */
export async function revokeSyncToken(ctx: FleetContext, taxpayer: Taxpayer, id: string, branchId?: string): Promise<void> {
  const t = await syncRepo.findToken(ctx.store.db, id);
  if (!t || t.taxpayer_id !== taxpayer.id || (branchId && t.branch_id !== branchId))
    throw new FleetError('NOT_FOUND', `no sync token ${id} here`, { field: 'token', messageAr: `لا يوجد رمز مزامنة ${id}` });
  if (!(await syncRepo.revokeToken(ctx.store.db, taxpayer.id, id, ctx.clock.now().toISOString())))
    throw new FleetError('INVALID_FIELD', `sync token ${id} is already revoked`, { field: 'token', code: 'CONFLICT', messageAr: 'رمز المزامنة ملغى من قبل' });
}
