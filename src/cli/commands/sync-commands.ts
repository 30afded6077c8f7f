// `fawtara sync …` at head office: branch sync tokens (list, revoke), unit enrolments a branch node
// offered (list, approve, refuse) and the ZATCA authority certificates head office trusts (add, list).
import { readFileSync } from 'node:fs';
import { resolveBranch } from '../../egs/index.js';
import { FawtaraError } from '../../errors.js';
import {
  addAuthority,
  approveEnrolment,
  AUTHORITY_KINDS,
  listAuthorities,
  listEnrolments,
  listSyncTokens,
  refuseEnrolment,
  revokeSyncToken,
  type AuthorityKind,
} from '../../sync/index.js';
import { EXIT, type Io } from '../output.js';
import { withFleet, type FleetCliOptions } from './fleet-session.js';

type Opts = FleetCliOptions & Record<string, unknown>;
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function lines(rows: ReadonlyArray<object>, columns: string[]): string {
  if (rows.length === 0) return '(none)';
  return [columns.join('  ').toUpperCase(), ...rows.map((r) => columns.map((c) => String((r as Record<string, unknown>)[c] ?? '-')).join('  '))].join('\n');
}

function print(io: Io, json: boolean, value: object, human: () => string): number {
  io.out(json ? JSON.stringify({ ok: true, ...value }, null, 2) : human());
  return EXIT.ok;
}

function usage(field: string, message: string, messageAr: string): FawtaraError {
  return new FawtaraError('USAGE', message, { field, messageAr });
}

export async function syncTokensList(opts: Opts, io: Io): Promise<number> {
  return withFleet(opts, io, async (s) => {
    const t = await s.taxpayer();
    const branch = text(opts.branch) ? await resolveBranch(s.ctx, t, text(opts.branch)!) : undefined;
    const tokens = await listSyncTokens(s.ctx, t, branch?.id);
    return print(s.io, s.json, { tokens }, () => lines(tokens, ['id', 'name', 'branchId', 'createdBy', 'expiresAt', 'revokedAt', 'lastUsedAt']));
  });
}

export async function syncTokensRevoke(opts: Opts, io: Io): Promise<number> {
  return withFleet(opts, io, async (s) => {
    const id = text(opts.id);
    if (!id || !/^[0-9a-f]{16}$/.test(id)) throw usage('id', 'give the token id (16 hex digits, from "sync tokens list")', 'حدد معرف الرمز (16 خانة ست عشرية)');
    await revokeSyncToken(s.ctx, await s.taxpayer(), id);
    return print(s.io, s.json, { revoked: id }, () => `sync token ${id} revoked: the branch node is refused from its next request`);
  });
}

export async function syncEnrolmentsList(opts: Opts, io: Io): Promise<number> {
  return withFleet(opts, io, async (s) => {
    const state = text(opts.state);
    const enrolments = await listEnrolments(s.ctx, await s.taxpayer(), state ? { state } : {});
    return print(s.io, s.json, { enrolments }, () =>
      enrolments.length === 0
        ? '(none)'
        : enrolments
            .map((e) =>
              [
                `${e.id}  ${e.state}  ${e.name} (${e.serial}, generation ${e.generation})  certificate ${e.certificateSerial} until ${e.notAfter}`,
                ...e.checks.map((c) => `    ${c.status.padEnd(7)} ${c.id}: ${c.message}`),
              ].join('\n'),
            )
            .join('\n'),
    );
  });
}

export async function syncEnrolmentsDecide(opts: Opts, io: Io): Promise<number> {
  return withFleet(opts, io, async (s) => {
    const id = text(opts.id);
    if (!id) throw usage('id', 'give the enrolment id (from "sync enrolments list")', 'حدد معرف طلب التسجيل');
    const decide = opts.decision === 'approve' ? approveEnrolment : refuseEnrolment;
    const view = await decide(s.ctx, await s.taxpayer(), id);
    return print(s.io, s.json, { enrolment: view }, () => `enrolment ${view.id} of ${view.name} (${view.serial}): ${view.state}`);
  });
}

export async function syncAuthoritiesAdd(opts: Opts, io: Io): Promise<number> {
  return withFleet(opts, io, async (s) => {
    const environment = text(opts.environment);
    if (!environment || !['sandbox', 'simulation', 'production'].includes(environment))
      throw usage('--environment', '--environment must be sandbox, simulation or production', '--environment يجب أن يكون sandbox أو simulation أو production');
    const kind = text(opts.kind) as AuthorityKind | undefined;
    if (!kind || !AUTHORITY_KINDS.includes(kind)) throw usage('--kind', '--kind must be issuing-ca or stamp', '--kind يجب أن يكون issuing-ca أو stamp');
    const file = text(opts.file);
    if (!file) throw usage('--file', '--file <certificate.pem> is required', 'الخيار --file مطلوب');
    let pem: string;
    try {
      pem = readFileSync(file, 'utf8');
    } catch {
      throw new FawtaraError('FILE_UNREADABLE', `cannot read ${file}`, { field: '--file', messageAr: `تعذرت قراءة الملف ${file}` });
    }
    const r = await addAuthority(s.ctx, environment, kind, pem);
    return print(s.io, s.json, { environment, kind, ...r }, () => `${r.added ? 'added' : 'already trusted'}: ${kind} of ${environment} — ${r.subject}`);
  });
}

export async function syncAuthoritiesList(opts: Opts, io: Io): Promise<number> {
  return withFleet(opts, io, async (s) => {
    const all = (await Promise.all(['sandbox', 'simulation', 'production'].map((e) => listAuthorities(s.ctx, e)))).flat();
    return print(s.io, s.json, { authorities: all }, () => lines(all, ['environment', 'kind', 'subject', 'notAfter']));
  });
}
