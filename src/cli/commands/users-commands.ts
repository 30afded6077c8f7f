// `fawtara users …`: the operator at the machine manages access — setup token, users, device
// tokens. Secrets are printed once to the terminal and never written to the log.
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { resolveBranch, resolveUnit } from '../../egs/index.js';
import { FawtaraError } from '../../errors.js';
import { accessContext } from '../../server/access/context.js';
import { issueSetupToken } from '../../server/access/sessions.js';
import { createDeviceToken, createUser, findUser, listUsers, resetPassword, setUserDisabled } from '../../server/access/users.js';
import { userView } from '../../server/views.js';
import { EXIT, type Io } from '../output.js';
import { withFleet, type FleetCliOptions } from './fleet-session.js';

type Opts = FleetCliOptions & Record<string, unknown>;
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const operator = () => {
  try {
    return { kind: 'cli' as const, actor: `cli:${userInfo().username}` };
  } catch {
    return { kind: 'cli' as const, actor: 'cli:unknown' };
  }
};

function out(io: Io, json: boolean, value: object, lines: string[]): number {
  io.out(json ? JSON.stringify({ ok: true, ...value }, null, 2) : lines.join('\n'));
  return EXIT.ok;
}

export async function usersSetup(opts: Opts, io: Io): Promise<number> {
  return withFleet(opts, io, async (s) => {
    const { token, expiresAt } = await issueSetupToken(accessContext(s.ctx), operator().actor);
    return out(io, s.json, { setupToken: token, expiresAt }, [
      `one-time setup token (valid once, until ${expiresAt}; any earlier one is revoked):`,
      `  ${token}`,
      "POST it to /api/v1/setup with the first administrator's username and password (docs/server.md).",
    ]);
  });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export async function usersAdd(opts: Opts, io: Io): Promise<number> {
  return withFleet(opts, io, async (s) => {
    const global = Boolean(opts.global);
    if (global && (text(opts.branch) || text(opts.unit)))
      throw new FawtaraError('USAGE', '--global cannot be combined with --branch or --unit', {
        field: '--global',
        messageAr: 'لا يجمع --global مع --branch أو --unit',
      });
    const taxpayer = global ? null : await s.taxpayer();
    const branch = taxpayer && text(opts.branch) ? await resolveBranch(s.ctx, taxpayer, text(opts.branch)!) : null;
    const unit = taxpayer && text(opts.unit) ? await resolveUnit(s.ctx, taxpayer, text(opts.unit)!) : null;
    const generated = !opts.passwordStdin;
    // A generated password is random per user and shown once: there is no default password.
    const password = generated ? randomBytes(18).toString('base64url') : await readStdin();
    const user = await createUser(accessContext(s.ctx), operator(), {
      username: text(opts.username) ?? '',
      password,
      role: text(opts.role) ?? '',
      ...(text(opts.displayName) && { displayName: text(opts.displayName)! }),
      taxpayer,
      branch,
      unit,
    });
    return out(io, s.json, { user: userView(user), ...(generated && { password }) }, [
      `user ${user.username} created (${user.role}${taxpayer ? `, taxpayer ${taxpayer.vat_number}` : ', every taxpayer'}${branch ? `, branch ${branch.name}` : ''}${unit ? `, unit ${unit.name}` : ''})`,
      ...(generated ? [`password (shown once; the user changes it with POST /api/v1/auth/password): ${password}`] : []),
    ]);
  });
}

export async function usersList(opts: Opts, io: Io): Promise<number> {
  return withFleet(opts, io, async (s) => {
    const rows = (await listUsers(accessContext(s.ctx), { taxpayerId: null })).map(userView);
    return out(
      io,
      s.json,
      { users: rows },
      rows.length
        ? rows.map(
            (u) =>
              `${u.username.padEnd(24)} ${u.role.padEnd(15)} ${u.disabled ? 'disabled' : 'active'}  taxpayer ${u.taxpayerId ?? '*'} branch ${u.branchId ?? '*'} unit ${u.unitId ?? '*'}`,
          )
        : ['(no users; start with "fawtara users setup")'],
    );
  });
}

async function setDisabled(opts: Opts, io: Io, disabled: boolean): Promise<number> {
  return withFleet(opts, io, async (s) => {
    const ax = accessContext(s.ctx);
    const user = await findUser(ax, text(opts.username) ?? '');
    if (!user)
      throw new FawtaraError('NOT_FOUND', `no user ${String(opts.username)}`, { field: 'username', messageAr: `لا يوجد مستخدم ${String(opts.username)}` });
    const u = await setUserDisabled(ax, operator(), user, disabled);
    return out(io, s.json, { user: userView(u) }, [`user ${u.username} ${disabled ? 'disabled (its sessions ended)' : 'enabled'}`]);
  });
}

/** `users passwd <username>`: a new password from stdin, or generated and printed once; the user's sessions end. */
export async function usersPasswd(opts: Opts, io: Io): Promise<number> {
  return withFleet(opts, io, async (s) => {
    const ax = accessContext(s.ctx);
    const user = await findUser(ax, text(opts.username) ?? '');
    if (!user)
      throw new FawtaraError('NOT_FOUND', `no user ${String(opts.username)}`, { field: 'username', messageAr: `لا يوجد مستخدم ${String(opts.username)}` });
    const generated = !opts.passwordStdin;
    const password = generated ? randomBytes(18).toString('base64url') : await readStdin();
    await resetPassword(ax, operator(), user, password);
    return out(io, s.json, { user: userView(user), ...(generated && { password }) }, [
      `password of ${user.username} reset; its sessions ended`,
      ...(generated ? [`new password (shown once; the user changes it with POST /api/v1/auth/password): ${password}`] : []),
    ]);
  });
}

export const usersDisable = (opts: Opts, io: Io) => setDisabled(opts, io, true);
export const usersEnable = (opts: Opts, io: Io) => setDisabled(opts, io, false);

export async function usersToken(opts: Opts, io: Io): Promise<number> {
  return withFleet(opts, io, async (s) => {
    const taxpayer = await s.taxpayer();
    const unit = await resolveUnit(s.ctx, taxpayer, text(opts.unit) ?? '');
    const days = Number(text(opts.days) ?? '365');
    const { token, row } = await createDeviceToken(accessContext(s.ctx), operator(), unit, {
      ...(text(opts.name) && { name: text(opts.name)! }),
      expiresInDays: days,
    });
    return out(io, s.json, { token, id: row.id, unit: unit.name, expiresAt: row.expires_at }, [
      `device token for unit ${unit.name} (id ${row.id}, until ${row.expires_at}; shown once — revoke with DELETE …/units/${unit.name}/tokens/${row.id}):`,
      `  ${token}`,
    ]);
  });
}
