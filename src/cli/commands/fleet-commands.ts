// The fleet commands: taxpayers, branches (and their branch node's sync), units (add, list, show, onboard —
// one or a bulk list — renew, retire, expiring), as tables or --json. No secret but a sync token, once.
import { drainUnit } from '../../outbox/index.js';
import { readFileSync } from 'node:fs';
import {
  addBranch,
  addMember,
  confirmRevocation,
  removeMember,
  addTaxpayer,
  addUnit,
  bulkOnboard,
  expiringUnits,
  onboardUnit,
  parseBulkList,
  renewUnit,
  resolveBranch,
  resolveUnit,
  retireUnit,
  UNIT_STATES,
} from '../../egs/index.js';
import { describeUnit, describeUnitCsids, describeUnitKeys } from '../../egs/unit-view.js';
import { FawtaraError } from '../../errors.js';
import { logs, submissions, tenants, units, type EgsUnit } from '../../store/index.js';
import { createSyncToken, DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, setBranchSync } from '../../sync/index.js';
import { EXIT, type Io } from '../output.js';
import { commandTarget, recordTarget, targetBaseUrl, withFleet, type FleetCliOptions } from './fleet-session.js';
import { print, progressReporter, table } from './fleet-output.js';

type Opts = FleetCliOptions & Record<string, unknown>;

const unitView = describeUnit;

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

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

export async function unitsAdd(opts: Opts, io: Io): Promise<number> {
  return withFleet(opts, io, async (s) => {
    const t = await s.taxpayer();
    const u = await addUnit(s.ctx, t, {
      // With --replaces both default to the replaced unit's (the same device in the same branch).
      ...(text(opts.branch) && { branch: text(opts.branch)! }),
      ...(text(opts.serial) && { serial: text(opts.serial)! }),
      ...(text(opts.title) && { title: text(opts.title)! }),
      ...(text(opts.env) && { environment: text(opts.env)! }),
      ...(text(opts.name) && { name: text(opts.name)! }),
      ...(text(opts.member) && { memberTin: text(opts.member)! }),
      ...(text(opts.replaces) && { replaces: text(opts.replaces)! }),
      ...(text(opts.keyProvider) && { keyProvider: text(opts.keyProvider)! }),
      zatcaBaseUrl: (environment) => targetBaseUrl(commandTarget(opts), environment),
    });
    const view = await unitView(s.ctx, u);
    return print(
      s.io,
      s.json,
      { unit: view },
      () => `unit ${u.name} (${u.serial}) registered in ${view.branch}, state new, keys ${view.keyProvider}; next: fawtara units onboard ${u.name} --otp <OTP>`,
    );
  });
}

export async function unitsList(opts: Opts, io: Io): Promise<number> {
  return withFleet(opts, io, async (s) => {
    const t = await s.taxpayer();
    const state = text(opts.state);
    if (state && !(UNIT_STATES as readonly string[]).includes(state)) {
      throw new FawtaraError('USAGE', `--state must be one of ${UNIT_STATES.join(', ')}`, {
        field: '--state',
        messageAr: `--state يجب أن يكون إحدى: ${UNIT_STATES.join('، ')}`,
      });
    }
    const branch = text(opts.branch) ? await tenants.findBranch(s.ctx.store.db, t.id, text(opts.branch)!) : undefined;
    const list = await units.listUnits(s.ctx.store.db, t.id, { ...(branch && { branchId: branch.id }), ...(state && { states: [state] }) });
    const views = await Promise.all(list.map((u) => unitView(s.ctx, u)));
    return print(s.io, s.json, { units: views }, () =>
      table(
        views.map((v) => ({ ...v, expires: v.pcsid?.notAfter.slice(0, 10) ?? '' })),
        ['name', 'serial', 'generation', 'branch', 'state', 'environment', 'title', 'organizationUnit', 'icv', 'expires'],
      ),
    );
  });
}

export async function unitsShow(opts: Opts, io: Io): Promise<number> {
  return withFleet(opts, io, async (s) => {
    const t = await s.taxpayer();
    const u = await resolveUnit(s.ctx, t, text(opts.unit) ?? '');
    const db = s.ctx.store.db;
    const view = await unitView(s.ctx, u);
    const csids = await describeUnitCsids(s.ctx, u);
    const keys = await describeUnitKeys(s.ctx, u);
    const history = (await units.listTransitions(db, t.id, u.id)).map((h) => ({
      at: h.at,
      from: h.from_state,
      to: h.to_state,
      actor: h.actor,
      reason: h.reason,
    }));
    const exchanges = (await logs.listExchanges(db, t.id, u.id)).map((e) => ({
      at: e.at,
      endpoint: e.endpoint,
      requestId: e.request_id,
      httpStatus: e.http_status,
      outcome: e.outcome,
      messages: JSON.parse(e.messages) as unknown[],
    }));
    return print(s.io, s.json, { unit: view, keys, csids, history, exchanges }, () =>
      [
        `${u.name}  ${u.serial}  ${u.state}  (${u.environment}, title ${u.title}, OU ${u.organization_unit}, branch ${view.branch})`,
        `ICV ${u.icv}${view.pcsid ? `, production CSID ${view.pcsid.requestId} valid until ${view.pcsid.notAfter}` : ''}`,
        `key provider: ${view.keyProvider === 'pkcs11' ? 'pkcs11 (made and kept in the token, never exported)' : 'sealed (encrypted in this store)'}; keys:`,
        table(keys, ['provider', 'token', 'label', 'createdAt', 'destroyedAt']),
        'certificates:',
        table(csids, ['kind', 'purpose', 'requestId', 'status', 'notAfter']),
        'history:',
        table(history, ['at', 'from', 'to', 'actor', 'reason']),
        `ZATCA exchanges: ${exchanges.length}`,
        table(exchanges.slice(-10), ['at', 'endpoint', 'httpStatus', 'outcome', 'requestId']),
      ].join('\n'),
    );
  });
}

/** A progress bar on a terminal, one plain line per unit otherwise (logs, CI, pipes). */
export async function unitsOnboard(opts: Opts, io: Io): Promise<number> {
  const otp = text(opts.otp);
  return withFleet(opts, io, async (s) => {
    if (otp) s.ctx.redactor.add(otp);
    const t = await s.taxpayer();
    const from = text(opts.from);
    if (from) {
      if (text(opts.unit) || otp)
        throw new FawtaraError('USAGE', 'give either a unit with --otp, or --from <list> (each entry carries its own OTP)', {
          field: '--from',
          messageAr: 'حدد وحدة مع --otp أو قائمة بالخيار --from',
        });
      let body: string;
      try {
        body = readFileSync(from, 'utf8');
      } catch (error) {
        throw new FawtaraError('FILE_NOT_FOUND', `cannot read the unit list ${from}`, {
          field: '--from',
          messageAr: `تعذرت قراءة قائمة الوحدات ${from}`,
          cause: error,
        });
      }
      const entries = parseBulkList(body, from);
      for (const e of entries) if (e.otp) s.ctx.redactor.add(e.otp);
      const results = await bulkOnboard(s.ctx, t, entries, {
        onProgress: progressReporter(s.io, s.tty, (t) => s.ctx.redactor.redact(t)),
        beforeOnboard: (unit) => recordTarget(s.ctx, unit, opts),
      });
      const failed = results.filter((r) => !r.ok).length;
      s.io.out(
        s.json
          ? JSON.stringify({ ok: failed === 0, onboarded: results.length - failed, failed, results }, null, 2)
          : [
              table(
                results.map((r) => ({ ...r, result: r.ok ? 'ok' : `${r.error?.reason}: ${r.error?.message}` })),
                ['line', 'unit', 'serial', 'state', 'result'],
              ),
              `${results.length - failed} of ${results.length} unit(s) onboarded`,
            ].join('\n'),
      );
      return failed === 0 ? EXIT.ok : EXIT.invalid;
    }
    const ref = text(opts.unit);
    if (!ref)
      throw new FawtaraError('USAGE', 'name the unit to onboard (name, serial or id), or give --from <list>', {
        field: 'unit',
        messageAr: 'حدد الوحدة المراد تسجيلها أو قائمة بالخيار --from',
      });
    await recordTarget(s.ctx, await resolveUnit(s.ctx, t, ref), opts);
    const r = await onboardUnit(s.ctx, t, ref, { ...(otp && { otp }), afterStep: (step) => void (!s.json && s.io.err(`  ${step}`)) });
    return print(s.io, s.json, { unit: await unitView(s.ctx, r.unit), steps: r.steps, alreadyActive: r.alreadyActive }, () =>
      r.alreadyActive
        ? `unit ${r.unit.name} is already active (production CSID valid until ${r.pcsidExpiresAt})`
        : `unit ${r.unit.name} onboarded: active, production CSID valid until ${r.pcsidExpiresAt}`,
    );
  });
}

export async function unitsRenew(opts: Opts, io: Io): Promise<number> {
  const otp = text(opts.otp);
  return withFleet(opts, io, async (s) => {
    if (otp) s.ctx.redactor.add(otp);
    const t = await s.taxpayer();
    await recordTarget(s.ctx, await resolveUnit(s.ctx, t, text(opts.unit) ?? ''), opts);
    const r = await renewUnit(s.ctx, t, text(opts.unit) ?? '', {
      ...(otp && { otp }),
      afterStep: (step) => void (!s.json && s.io.err(`  ${step}`)),
      // The unit's queue reaches ZATCA with the current certificate before it is switched.
      drain: async (unit) => {
        const d = await drainUnit(s.ctx, unit);
        if (!s.json) for (const r of d.results) s.io.err(`  ${r.number}: ${r.state} — ${r.outcome}${r.httpStatus ? ` HTTP ${r.httpStatus}` : ''}`);
      },
    });
    return print(s.io, s.json, { unit: await unitView(s.ctx, r.unit), path: r.path, steps: r.steps, alreadyRenewed: Boolean(r.alreadyRenewed) }, () =>
      r.alreadyRenewed
        ? `unit ${r.unit.name} was already renewed (production CSID valid until ${r.pcsidExpiresAt}); give --otp to renew again`
        : `unit ${r.unit.name} renewed (${r.path} path): production CSID valid until ${r.pcsidExpiresAt}`,
    );
  });
}

export async function unitsRetire(opts: Opts, io: Io): Promise<number> {
  return withFleet(opts, io, async (s) => {
    const t = await s.taxpayer();
    if (opts.force && !text(opts.reason)?.trim())
      throw new FawtaraError('USAGE', '--force needs --reason "<why>" (kept in the unit history)', {
        field: '--reason',
        messageAr: 'الخيار --force يتطلب ذكر السبب بالخيار --reason',
      });
    const u = await retireUnit(s.ctx, t, text(opts.unit) ?? '', {
      force: Boolean(opts.force),
      ...(text(opts.reason) && { reason: text(opts.reason)! }),
      drain: async (unit) => void (await drainUnit(s.ctx, unit)),
    });
    const left = await submissions.pendingOfUnit(s.ctx.store.db, t.id, u.id);
    return print(s.io, s.json, { unit: await unitView(s.ctx, u), unsubmitted: left }, () =>
      left.queued + left.held === 0
        ? `unit ${u.name} retired; ZATCA holds every document it issued`
        : `unit ${u.name} retired (forced): it never issues again; ${left.queued} queued document(s) are still submitted by the outbox with its kept certificate, ${left.held} held one(s) wait for "fawtara outbox run --retry-held"`,
    );
  });
}

export async function unitsRevoke(opts: Opts, io: Io): Promise<number> {
  return withFleet(opts, io, async (s) => {
    const t = await s.taxpayer();
    const u = await confirmRevocation(s.ctx, t, text(opts.unit) ?? '', {
      ...(text(opts.reason) && { reason: text(opts.reason)! }),
      ...(text(opts.cause) && { cause: text(opts.cause)! }),
    });
    return print(
      s.io,
      s.json,
      { unit: await unitView(s.ctx, u) },
      () => `unit ${u.name} marked revoked (${u.credentials_refused_reason ?? 'portal'}); ${revokedHint(u)}`,
    );
  });
}

function revokedHint(u: EgsUnit): string {
  return ['vat-deregistered', 'vat-suspended'].includes(u.credentials_refused_reason ?? '')
    ? 'no unit can be onboarded for this VAT number until ZATCA reactivates its registration'
    : `register the device again as a new unit: fawtara units add --replaces ${u.name}`;
}

export async function unitsExpiring(opts: Opts, io: Io): Promise<number> {
  return withFleet(opts, io, async (s) => {
    const t = await s.taxpayer();
    const days = Number(text(opts.days) ?? '30');
    const list = await expiringUnits(s.ctx, t, days);
    const rows = list.map((e) => ({ name: e.unit.name, serial: e.unit.serial, state: e.unit.state, notAfter: e.notAfter, daysLeft: e.daysLeft }));
    return print(s.io, s.json, { days, units: rows }, () =>
      rows.length ? table(rows, ['name', 'serial', 'state', 'notAfter', 'daysLeft']) : `no production CSID expires within ${days} day(s)`,
    );
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
