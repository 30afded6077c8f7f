// Queries of the access layer: users, sessions, device tokens and one-time setup tokens. Tokens
// are stored as hashes only; the callers (server/access) decide who may do what.
import type { Kysely } from 'kysely';
import type { ApiTokenRow, SessionRow, SetupTokenRow, UserRow } from './access-schema.js';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

export async function insertUser(db: Db, row: UserRow): Promise<UserRow> {
  await db.insertInto('users').values(row).execute();
  return row;
}

/** By login name, already normalised (lower case). */
export function findUserByName(db: Db, username: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
}

export function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listUsers(db: Db, scope: { taxpayerId: string | null; branchId?: string | null }): Promise<UserRow[]> {
  let q = db.selectFrom('users').selectAll();
  if (scope.taxpayerId !== null) q = q.where('taxpayer_id', '=', scope.taxpayerId);
  if (scope.branchId) q = q.where('branch_id', '=', scope.branchId);
  return q.orderBy('username').execute();
}

export async function setUserDisabled(db: Db, id: string, disabled: boolean): Promise<void> {
  await db
    .updateTable('users')
    .set({ disabled: disabled ? 1 : 0 })
    .where('id', '=', id)
    .execute();
}

export async function setPasswordHash(db: Db, id: string, hash: string, at: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: hash, password_changed_at: at }).where('id', '=', id).execute();
}

/** An enabled administrator exists (then first-admin setup is closed). */
export async function adminExists(db: Db): Promise<boolean> {
  return (await db.selectFrom('users').select('id').where('role', '=', 'admin').where('disabled', '=', 0).executeTakeFirst()) !== undefined;
}

export async function insertSession(db: Db, row: SessionRow): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

export function findSession(db: Db, id: string): Promise<SessionRow | undefined> {
  return db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function touchSession(db: Db, id: string, at: string): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: at }).where('id', '=', id).execute();
}

export async function endSession(db: Db, id: string, at: string): Promise<void> {
  await db.updateTable('sessions').set({ ended_at: at }).where('id', '=', id).where('ended_at', 'is', null).execute();
}

/** End every open session of a user (password change, disabling), except possibly one. */
export async function endSessionsOf(db: Db, userId: string, at: string, except?: string): Promise<void> {
  let q = db.updateTable('sessions').set({ ended_at: at }).where('user_id', '=', userId).where('ended_at', 'is', null);
  if (except) q = q.where('id', '!=', except);
  await q.execute();
}

export async function insertApiToken(db: Db, row: ApiTokenRow): Promise<void> {
  await db.insertInto('api_tokens').values(row).execute();
}

export function findApiToken(db: Db, id: string): Promise<ApiTokenRow | undefined> {
  return db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function touchApiToken(db: Db, id: string, at: string): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
}

export function listApiTokens(db: Db, taxpayerId: string, unitId?: string): Promise<ApiTokenRow[]> {
  let q = db.selectFrom('api_tokens').selectAll().where('taxpayer_id', '=', taxpayerId);
  if (unitId) q = q.where('unit_id', '=', unitId);
  return q.orderBy('created_at').execute();
}

/** A device token of this unit (never one of another unit, even by a known id). */
export function findUnitToken(db: Db, unit: { id: string; taxpayer_id: string }, tokenId: string): Promise<ApiTokenRow | undefined> {
  return db
    .selectFrom('api_tokens')
    .selectAll()
    .where('id', '=', tokenId)
    .where('unit_id', '=', unit.id)
    .where('taxpayer_id', '=', unit.taxpayer_id)
    .executeTakeFirst();
}

export async function revokeApiToken(db: Db, id: string, at: string): Promise<void> {
  await db.updateTable('api_tokens').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
}

/** A new setup token; every earlier unused one is revoked in the same transaction. */
export async function replaceSetupToken(db: Db, row: SetupTokenRow): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('setup_tokens').set({ revoked_at: row.created_at }).where('used_at', 'is', null).where('revoked_at', 'is', null).execute();
    await trx.insertInto('setup_tokens').values(row).execute();
  });
}

export function findSetupToken(db: Db, id: string): Promise<SetupTokenRow | undefined> {
  return db.selectFrom('setup_tokens').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Use a setup token and create the first administrator in one transaction. Compare-and-set: of two
 * requests racing with the same token, exactly one creates the admin (`used` for the other).
 */
export async function claimSetupToken(db: Db, tokenId: string, user: UserRow, at: string): Promise<'created' | 'used' | 'username-taken'> {
  return db.transaction().execute(async (trx) => {
    const used = await trx
      .updateTable('setup_tokens')
      .set({ used_at: at, used_by: user.id })
      .where('id', '=', tokenId)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(used.numUpdatedRows) !== 1) return 'used';
    if (await trx.selectFrom('users').select('id').where('username', '=', user.username).executeTakeFirst()) {
      // Undo the claim: the token stays usable with another name.
      await trx.updateTable('setup_tokens').set({ used_at: null, used_by: null }).where('id', '=', tokenId).execute();
      return 'username-taken';
    }
    await trx.insertInto('users').values(user).execute();
    return 'created';
  });
}
