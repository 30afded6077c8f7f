// Renewing a unit's production CSID (spec §3.4, §8.4) with a renewal OTP and a CSR on a new key:
// a 200 is the new PCSID; a 428 is a renewed CCSID that redoes compliance before its PCSID.
// The unit keeps issuing with its current PCSID, and its ICV/PIH chain, throughout.
import { credentials, type EgsUnit, type Taxpayer } from '../store/index.js';
import type { FleetContext } from './context.js';
import { credentialsOf, freshCsr, markCsrSent, partsOf, promote, runComplianceChecks, scopeOf, storeCsid, type StepHooks } from './csid-steps.js';
import { FleetError } from './errors.js';
import { exchange, revokeAfterUnauthorized, revokedError, zatcaFailure } from './exchange.js';
import { validateOtp } from './onboarding.js';
import { moveUnit } from './states.js';
import { resolveUnit, unitZatca } from './units.js';

export interface RenewOptions extends StepHooks {
  otp?: string;
}

export interface RenewResult {
  unit: EgsUnit;
  steps: string[];
  /** `200`: ZATCA issued the PCSID directly; `428`: through compliance with a renewed CCSID. */
  path: '200' | '428';
  pcsidExpiresAt: string;
  /** The unit's production CSID already came from a renewal and no OTP was given: nothing was done. */
  alreadyRenewed?: boolean;
}

const MAX_ROUNDS = 6;

export async function renewUnit(ctx: FleetContext, taxpayer: Taxpayer, ref: string, options: RenewOptions = {}): Promise<RenewResult> {
  const steps: string[] = [];
  const note = async (step: string, unit: EgsUnit) => {
    steps.push(step);
    await options.afterStep?.(step, unit);
  };
  let path: RenewResult['path'] = '200';
  let unit = await resolveUnit(ctx, taxpayer, ref);
  let sentThisRun = false;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    unit = await resolveUnit(ctx, taxpayer, unit.id);
    const parts = await partsOf(ctx, taxpayer, unit);
    const scope = scopeOf(unit);
    if (unit.state === 'active') {
      if (sentThisRun) {
        const pcsid = (await credentials.activeCsid(ctx.store.db, scope, 'production'))!;
        return { unit, steps, path, pcsidExpiresAt: pcsid.not_after };
      }
      const current = await credentials.activeCsid(ctx.store.db, scope, 'production');
      if (!current)
        throw new FleetError('UNIT_NOT_ACTIVE', `unit ${unit.name} has no production CSID to renew; onboard it`, {
          field: 'unit',
          messageAr: 'لا توجد شهادة إنتاج للتجديد؛ سجّل الوحدة أولاً',
        });
      // A rerun after a finished renewal (e.g. after a crash at its very end) has nothing to do.
      if (options.otp === undefined && current.purpose === 'renew') return { unit, steps, path, pcsidExpiresAt: current.not_after, alreadyRenewed: true };
      const otp = validateOtp(options.otp);
      const { csr, created } = await freshCsr(ctx, parts, 'renew');
      if (created) await note('renewal-csr-created', unit);
      const creds = credentialsOf(ctx, unit, current);
      await markCsrSent(ctx, unit, csr);
      sentThisRun = true;
      const outcome = await exchange(ctx, unit, 'renew-production-csid', () => unitZatca(ctx, unit).renewProductionCsid(creds, { otp, csrPem: csr.pem }));
      if (outcome.kind === 'unauthorized') throw await revokeAfterUnauthorized(ctx, unit, 'renew-production-csid');
      if ((outcome.kind === 'accepted' || outcome.kind === 'renewal-needs-compliance') && outcome.body) {
        const body = outcome.body;
        const direct = outcome.kind === 'accepted';
        path = direct ? '200' : '428';
        const u = unit;
        unit = await ctx.store.db.transaction().execute(async (trx) => {
          if (direct) await credentials.setCsidStatus(trx, scope, current.id, 'superseded');
          await storeCsid(ctx, trx, u, csr, direct ? 'production' : 'compliance', 'renew', body);
          await credentials.setCsrStatus(trx, scope, csr.id, 'sent', 'used');
          return direct
            ? moveUnit(trx, u, { to: 'active', actor: ctx.actor, reason: `production CSID renewed directly (request ${body.requestID})`, at: ctx.clock.now() })
            : moveUnit(trx, u, {
                to: 'renewal-pending',
                actor: ctx.actor,
                reason: `renewal answered 428: renewed compliance CSID ${body.requestID} must pass compliance`,
                at: ctx.clock.now(),
              });
        });
        await note(direct ? 'renewal-pcsid-issued' : 'renewal-ccsid-issued', unit);
        continue;
      }
      if (outcome.errors.some((e) => e.code === 'Invalid-CSR')) await credentials.setCsrStatus(ctx.store.db, scope, csr.id, 'sent', 'rejected');
      throw zatcaFailure(unit, 'the renewal request failed', outcome);
    }
    if (unit.state === 'renewal-pending') {
      path = '428';
      sentThisRun = true;
      const ccsid = (await credentials.listCsids(ctx.store.db, scope))
        .filter((c) => c.kind === 'compliance' && c.purpose === 'renew' && c.status === 'active')
        .at(-1);
      if (!ccsid)
        throw new FleetError('WRONG_STATE', `unit ${unit.name} is renewal-pending without a renewed compliance CSID; renew again with a new OTP`, {
          field: 'unit',
          messageAr: 'لا توجد شهادة امتثال مجددة؛ أعد التجديد برمز تحقق جديد',
        });
      const r = await runComplianceChecks(ctx, parts, ccsid, { afterStep: note });
      const p = await promote(ctx, { ...parts, unit: r.unit }, ccsid, 'renew', { afterStep: note });
      // Missing steps were forgotten by promote(); the next round submits them again.
      if (p.kind === 'missing-steps') ctx.logger.warn({ unit: unit.name, missing: p.missing }, 'renewal: ZATCA misses compliance steps');
      continue;
    }
    if (unit.state === 'revoked') throw revokedError(unit);
    throw new FleetError(
      'UNIT_NOT_ACTIVE',
      `unit ${unit.name} is ${unit.state}; only an active unit is renewed${unit.state === 'new' || unit.state.startsWith('c') ? ' — finish "fawtara units onboard" first' : ''}`,
      {
        field: 'unit',
        messageAr: `الوحدة ${unit.name} في الحالة ${unit.state}؛ لا تُجدد إلا وحدة نشطة`,
      },
    );
  }
  throw new FleetError('INTERRUPTED', `unit ${unit.name}: renewal did not finish (state ${unit.state}); run the command again`, {
    field: 'unit',
    messageAr: 'لم يكتمل التجديد؛ أعد تشغيل الأمر',
  });
}
