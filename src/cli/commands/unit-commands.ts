// The unit commands of the fleet: add, list, show, onboard (one or a bulk list), renew, retire, revoke,
// expiring — as tables or --json; the taxpayer and branch commands are in fleet-commands.ts.
import { readFileSync } from 'node:fs';
import {
  addUnit,
  bulkOnboard,
  confirmRevocation,
  expiringUnits,
  onboardUnit,
  parseBulkList,
  renewUnit,
  resolveUnit,
  retireUnit,
  UNIT_STATES,
} from '../../egs/index.js';
import { describeUnit, describeUnitCsids, describeUnitKeys } from '../../egs/unit-view.js';
import { FawtaraError } from '../../errors.js';
import { drainUnit } from '../../outbox/index.js';
import { logs, submissions, tenants, units, type EgsUnit } from '../../store/index.js';
import { EXIT, type Io } from '../output.js';
import { commandTarget, recordTarget, targetBaseUrl, text, withFleet, type FleetCliOptions } from './fleet-session.js';
import { print, progressReporter, table } from './fleet-output.js';

type Opts = FleetCliOptions & Record<string, unknown>;

const unitView = describeUnit;

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
