// The fleet commands of taxpayers and branches (and their branch node's sync), as tables or --json;
// the unit commands are in unit-commands.ts. No secret is printed but a sync token, once.
import { addBranch, addMember, removeMember, addTaxpayer, resolveBranch, resolveUnit, UNIT_STATES } from '../../egs/index.js';
import { FawtaraError } from '../../errors.js';
import { tenants, units } from '../../store/index.js';
import { createSyncToken, DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, setBranchSync } from '../../sync/index.js';
import { EXIT, type Io } from '../output.js';
import { text, withFleet, type FleetCliOptions } from './fleet-session.js';
import { print, table } from './fleet-output.js';

type Opts = FleetCliOptions & Record<string, unknown>;

export async function taxpayersAdd(opts: Opts, io: Io): Promise<number> {
  return withFleet(
    opts,
    io,
    async (s) => {
      const members = ((opts.member as string[] | undefined) ?? []).map((m) => {
        const [tin, ...name] = m.split(':');
        return { tin: tin ?? '', name: name.join(':') || (tin ?? '') };
      });
      const t = await addTaxpayer(s.ctx, {
        vatNumber: text(opts.vat) ?? '',
        nameAr: text(opts.nameAr) ?? '',
        ...(text(opts.nameEn) && { nameEn: text(opts.nameEn)! }),
        vatGroup: Boolean(opts.vatGroup),
        ...(text(opts.businessCategory) && { businessCategory: text(opts.businessCategory)! }),
        members,
      });
      return print(
        s.io,
        s.json,
        { taxpayer: { vatNumber: t.vat_number, nameAr: t.name_ar, nameEn: t.name_en, vatGroup: t.is_vat_group === 1, members } },
        () => `taxpayer ${t.vat_number} registered${t.is_vat_group ? ` (VAT group, ${members.length} member(s))` : ''}`,
      );
    },
    { create: true },
  );
}

export async function taxpayersAddMember(opts: Opts, io: Io): Promise<number> {
  return withFleet(opts, io, async (s) => {
    const t = await s.taxpayer();
    const m = await addMember(s.ctx, t, { tin: text(opts.tin) ?? '', name: text(opts.name) ?? '' });
    return print(s.io, s.json, { member: { tin: m.tin, name: m.name, group: t.vat_number } }, () => `member ${m.tin} added to VAT group ${t.vat_number}`);
  });
}

export async function taxpayersRemoveMember(opts: Opts, io: Io): Promise<number> {
  return withFleet(opts, io, async (s) => {
    const t = await s.taxpayer();
    const m = await removeMember(s.ctx, t, text(opts.tin) ?? '');
    return print(s.io, s.json, { removed: { tin: m.tin, name: m.name, group: t.vat_number } }, () => `member ${m.tin} removed from VAT group ${t.vat_number}`);
  });
}

export async function taxpayersList(opts: Opts, io: Io): Promise<number> {
  return withFleet(opts, io, async (s) => {
    const rows = (await tenants.listTaxpayers(s.ctx.store.db)).map((t) => ({
      vatNumber: t.vat_number,
      nameAr: t.name_ar,
      nameEn: t.name_en,
      vatGroup: t.is_vat_group === 1,
    }));
    return print(s.io, s.json, { taxpayers: rows }, () => table(rows, ['vatNumber', 'nameEn', 'nameAr', 'vatGroup']));
  });
}

export async function taxpayersShow(opts: Opts, io: Io): Promise<number> {
  return withFleet({ ...opts, taxpayer: text(opts.vat) ?? opts.taxpayer }, io, async (s) => {
    const t = await s.taxpayer();
    const db = s.ctx.store.db;
    const members = (await tenants.listMembers(db, t.id)).map((m) => ({ tin: m.tin, name: m.name }));
    const branches = await tenants.listBranches(db, t.id);
    const all = await units.listUnits(db, t.id);
    const byState = Object.fromEntries(UNIT_STATES.map((st) => [st, all.filter((u) => u.state === st).length]).filter(([, n]) => n !== 0));
    const value = {
      taxpayer: {
        vatNumber: t.vat_number,
        nameAr: t.name_ar,
        nameEn: t.name_en,
        vatGroup: t.is_vat_group === 1,
        businessCategory: t.business_category,
        members,
      },
      branches: branches.map((b) => ({ name: b.name, crn: b.crn, city: b.city, units: all.filter((u) => u.branch_id === b.id).length })),
      units: { total: all.length, byState },
    };
    return print(s.io, s.json, value, () =>
      [
        `${t.vat_number}  ${t.name_en ?? ''}  ${t.name_ar}${t.is_vat_group ? '  (VAT group)' : ''}`,
        ...(members.length ? ['members:', ...members.map((m) => `  ${m.tin}  ${m.name}`)] : []),
        'branches:',
        table(value.branches, ['name', 'crn', 'city', 'units']),
        `units: ${all.length} (${
          Object.entries(byState)
            .map(([k, n]) => `${k} ${n}`)
            .join(', ') || 'none'
        })`,
      ].join('\n'),
    );
  });
}

export async function branchesAdd(opts: Opts, io: Io): Promise<number> {
  return withFleet(opts, io, async (s) => {
    const t = await s.taxpayer();
    const b = await addBranch(s.ctx, t, {
      name: text(opts.name) ?? '',
      crn: text(opts.crn) ?? '',
      street: text(opts.street) ?? '',
      buildingNumber: text(opts.building) ?? '',
      district: text(opts.district) ?? '',
      city: text(opts.city) ?? '',
      postalCode: text(opts.postal) ?? '',
      ...(text(opts.shortAddress) && { shortAddress: text(opts.shortAddress)! }),
    });
    return print(s.io, s.json, { branch: { name: b.name, crn: b.crn, city: b.city } }, () => `branch ${b.name} added to ${t.vat_number}`);
  });
}

export async function branchesList(opts: Opts, io: Io): Promise<number> {
  return withFleet(opts, io, async (s) => {
    const t = await s.taxpayer();
    const rows = (await tenants.listBranches(s.ctx.store.db, t.id)).map((b) => ({
      name: b.name,
      crn: b.crn,
      city: b.city,
      address: b.short_address ?? `${b.building_number} ${b.street}, ${b.district}`,
    }));
    return print(s.io, s.json, { branches: rows }, () => table(rows, ['name', 'crn', 'city', 'address']));
  });
}

/** `branches sync-token --branch B`: the branch node's sync token (role branch-node), printed once. */
export async function branchesSyncToken(opts: Opts, io: Io): Promise<number> {
  return withFleet(opts, io, async (s) => {
    const t = await s.taxpayer();
    const branch = await resolveBranch(s.ctx, t, text(opts.branch) ?? '');
    const days = text(opts.days) ?? String(DEFAULT_TOKEN_DAYS);
    if (!/^\d+$/.test(days))
      throw new FawtaraError('USAGE', `--days must be a whole number from 1 to ${MAX_TOKEN_DAYS} (got "${days}")`, {
        field: '--days',
        messageAr: `--days يجب أن يكون عدداً صحيحاً من 1 إلى ${MAX_TOKEN_DAYS}`,
      });
    const r = await createSyncToken(s.ctx, branch, { ...(text(opts.name) && { name: text(opts.name)! }), expiresInDays: Number(days), createdBy: s.ctx.actor });
    // The raw io, not s.io: the redactor would mask the token, and it is shown this once only.
    io.out(
      s.json
        ? JSON.stringify({ ok: true, token: r.token, id: r.id, branch: branch.name, expiresAt: r.expiresAt }, null, 2)
        : [
            `sync token for branch ${branch.name} (id ${r.id}, until ${r.expiresAt}; shown once — give it to the branch node as FAWTARA_HQ_TOKEN):`,
            `  ${r.token}`,
          ].join('\n'),
    );
    return EXIT.ok;
  });
}

/** `branches sync --branch B --reporting direct|relay [--relay-unit U]`: who reports the branch's documents. */
export async function branchesSync(opts: Opts, io: Io): Promise<number> {
  return withFleet(opts, io, async (s) => {
    const reporting = text(opts.reporting);
    if (reporting !== 'direct' && reporting !== 'relay')
      throw new FawtaraError('USAGE', `--reporting must be "direct" or "relay" (got "${reporting ?? ''}")`, {
        field: '--reporting',
        messageAr: '--reporting يجب أن يكون direct أو relay',
      });
    if (reporting === 'direct' && text(opts.relayUnit))
      throw new FawtaraError('USAGE', '--relay-unit goes with --reporting relay only', {
        field: '--relay-unit',
        messageAr: '--relay-unit يستخدم مع --reporting relay فقط',
      });
    const t = await s.taxpayer();
    const branch = await resolveBranch(s.ctx, t, text(opts.branch) ?? '');
    const relayUnit = text(opts.relayUnit) ? await resolveUnit(s.ctx, t, text(opts.relayUnit)!) : null;
    await setBranchSync(s.ctx, t, branch, { reporting, relayUnit });
    return print(s.io, s.json, { branch: branch.name, reporting, relayUnit: relayUnit?.name ?? null }, () =>
      reporting === 'relay'
        ? `branch ${branch.name}: head office reports its documents with unit ${relayUnit!.name}'s CSID`
        : `branch ${branch.name}: the branch node reports its documents to ZATCA itself`,
    );
  });
}
