// Onboarding one unit (docs/zatca-notes.md §A8.4): CSR → compliance CSID with the OTP → the compliance documents its
// title requires → production CSID. Every step is persisted before and after its call, so running
// the same command again after a crash continues where it stopped, without a second CSID.
import { credentials, type Csid, type EgsUnit, type Taxpayer } from '../store/index.js';
import type { FleetContext } from './context.js';
import { freshCsr, markCsrSent, partsOf, promote, runComplianceChecks, scopeOf, storeCsid, type StepHooks, type UnitParts } from './csid-steps.js';
import { FleetError } from './errors.js';
import { exchange, revokedError, zatcaFailure } from './exchange.js';
import { credentialWarnings, type UnitWarning } from './sandbox-certificate.js';
import { moveUnit } from './states.js';
import { resolveUnit, unitZatca } from './units.js';

export interface OnboardOptions extends StepHooks {
  /** The portal OTP; needed only while the unit has no compliance CSID yet. */
  otp?: string;
}

export interface OnboardResult {
  unit: EgsUnit;
  /** Steps completed by this run, in order (empty when the unit was already active). */
  steps: string[];
  alreadyActive: boolean;
  pcsidExpiresAt: string | null;
  /** What a person must know about the unit's credential (the sandbox's canned certificate), English and Arabic. */
  warnings: UnitWarning[];
}

/** Bound on state-machine rounds: each round moves the unit forward or throws. */
const MAX_ROUNDS = 12;

export function validateOtp(otp: string | undefined, field = 'otp'): string {
  const v = (otp ?? '').trim();
  if (!/^\d{6}$/.test(v)) {
    throw new FleetError('OTP_REQUIRED', `${field}: a 6-digit OTP from the Fatoora portal is required for this step (it is valid for one hour and used once)`, {
      field,
      messageAr: `${field}: يلزم رمز تحقق من 6 أرقام من بوابة فاتورة لهذه الخطوة (صالح لساعة واحدة ويُستخدم مرة واحدة)`,
    });
  }
  return v;
}

type Note = (step: string, unit: EgsUnit) => Promise<void>;

/** State `new`: a CSR (made once), then `POST /compliance` with the OTP (null: already spent by this run). */
async function requestCcsid(ctx: FleetContext, parts: UnitParts, otp: string | null | undefined, note: Note): Promise<EgsUnit> {
  let unit = parts.unit;
  const { csr, created } = await freshCsr(ctx, parts, 'onboard');
  if (created) await note('csr-created', unit);
  if (otp === null)
    throw new FleetError('OTP_REQUIRED', `unit ${unit.name}: the OTP of this run was used; generate a new one`, {
      field: 'otp',
      messageAr: 'استُخدم رمز التحقق في هذا التشغيل؛ أنشئ رمزاً جديداً',
    });
  const code = validateOtp(otp);
  await markCsrSent(ctx, unit, csr);
  const outcome = await exchange(ctx, unit, 'compliance-csid', () => unitZatca(ctx, unit).requestComplianceCsid({ otp: code, csrPem: csr.pem }));
  if (outcome.kind === 'accepted' && outcome.body) {
    const body = outcome.body;
    const u = unit;
    unit = await ctx.store.db.transaction().execute(async (trx) => {
      await storeCsid(ctx, trx, u, csr, 'compliance', 'onboard', body);
      await credentials.setCsrStatus(trx, scopeOf(u), csr.id, 'sent', 'used');
      return moveUnit(trx, u, {
        to: 'ccsid-issued',
        actor: ctx.actor,
        reason: `compliance CSID issued (request ${body.requestID})`,
        at: ctx.clock.now(),
      });
    });
    await note('ccsid-issued', unit);
    return unit;
  }
  if (outcome.errors.some((e) => e.code === 'Invalid-CSR')) await credentials.setCsrStatus(ctx.store.db, scopeOf(unit), csr.id, 'sent', 'rejected');
  const failure = zatcaFailure(unit, { en: 'the compliance CSID request failed', ar: 'فشل طلب شهادة الامتثال' }, outcome);
  if (outcome.errors.some((e) => e.code === 'Invalid-OTP')) {
    throw new FleetError(
      'ZATCA_REJECTED',
      `${failure.message}; the OTP is wrong, expired (one hour), already used or for another VAT number — generate a new one in the Fatoora portal and run the command again`,
      {
        field: 'otp',
        rule: 'Invalid-OTP',
        messageAr: 'رمز التحقق غير صحيح أو منتهٍ أو مستخدم أو لرقم ضريبي آخر؛ أنشئ رمزاً جديداً من بوابة فاتورة وأعد تشغيل الأمر',
      },
    );
  }
  throw failure;
}

/** The unit's compliance CSID, or the unit moved back to `new` when it has none left to use. */
async function ccsidOrRestart(ctx: FleetContext, unit: EgsUnit): Promise<{ ccsid: Csid } | { unit: EgsUnit }> {
  const ccsid = await credentials.activeCsid(ctx.store.db, scopeOf(unit), 'compliance');
  if (ccsid) return { ccsid };
  return {
    unit: await moveUnit(ctx.store.db, unit, { to: 'new', actor: ctx.actor, reason: 'no usable compliance CSID; onboarding restarts', at: ctx.clock.now() }),
  };
}

/** States after the last onboarding step: the active result, or the reason the unit cannot be onboarded. */
async function finished(ctx: FleetContext, unit: EgsUnit, steps: string[], startedActive: boolean): Promise<OnboardResult> {
  switch (unit.state) {
    case 'active': {
      const pcsid = await credentials.activeCsid(ctx.store.db, scopeOf(unit), 'production');
      const warnings = credentialWarnings(unit, pcsid);
      return { unit, steps, alreadyActive: startedActive, pcsidExpiresAt: pcsid?.not_after ?? null, warnings };
    }
    case 'renewal-pending':
      throw new FleetError('WRONG_STATE', `unit ${unit.name} is being renewed; continue with "fawtara units renew ${unit.name}"`, {
        field: 'unit',
        messageAr: `الوحدة ${unit.name} قيد التجديد؛ تابع بالأمر units renew`,
      });
    case 'revoked':
      throw revokedError(unit);
    default:
      throw new FleetError(
        unit.state === 'expired' ? 'UNIT_EXPIRED' : 'UNIT_RETIRED',
        `unit ${unit.name} is ${unit.state}; a device is onboarded again only as a new unit ("fawtara units add --replaces ${unit.name}")`,
        {
          field: 'unit',
          messageAr: `الوحدة ${unit.name} في الحالة ${unit.state}؛ يُعاد تسجيل الجهاز كوحدة جديدة فقط`,
        },
      );
  }
}

export async function onboardUnit(ctx: FleetContext, taxpayer: Taxpayer, ref: string, options: OnboardOptions = {}): Promise<OnboardResult> {
  const steps: string[] = [];
  const note: Note = async (step, unit) => {
    steps.push(step);
    await options.afterStep?.(step, unit);
  };
  const hooks: StepHooks = { afterStep: note };
  let otpSpent = false;
  let missingRetries = 0;
  let unit = await resolveUnit(ctx, taxpayer, ref);
  const startedActive = unit.state === 'active';
  for (let round = 0; round < MAX_ROUNDS; round++) {
    unit = await resolveUnit(ctx, taxpayer, unit.id);
    const parts = await partsOf(ctx, taxpayer, unit);
    if (unit.state === 'new') {
      // null: this run's OTP was spent on an earlier round (one OTP buys one CCSID).
      unit = await requestCcsid(ctx, parts, otpSpent ? null : options.otp, note);
      otpSpent = true;
      continue;
    }
    if (unit.state === 'ccsid-issued' || unit.state === 'compliance-in-progress' || unit.state === 'compliance-done') {
      const found = await ccsidOrRestart(ctx, unit);
      if ('unit' in found) continue;
      if (unit.state !== 'compliance-done') {
        const r = await runComplianceChecks(ctx, parts, found.ccsid, hooks);
        unit = await moveUnit(ctx.store.db, r.unit, {
          to: 'compliance-done',
          actor: ctx.actor,
          reason: 'every compliance step required by the title passed',
          at: ctx.clock.now(),
        });
        await note('compliance-done', unit);
        continue;
      }
      const r = await promote(ctx, parts, found.ccsid, 'onboard', hooks);
      if (r.kind === 'missing-steps' && ++missingRetries > 1) {
        throw new FleetError(
          'ZATCA_REJECTED',
          `unit ${unit.name}: ZATCA still misses compliance steps ${r.missing.join(', ')} after they passed; run the command again later`,
          { field: 'unit', messageAr: 'ما زالت الهيئة تطلب خطوات امتثال بعد اجتيازها؛ أعد المحاولة لاحقاً' },
        );
      }
      continue;
    }
    return finished(ctx, unit, steps, startedActive);
  }
  throw new FleetError('INTERRUPTED', `unit ${unit.name}: onboarding did not finish in ${MAX_ROUNDS} rounds (state ${unit.state}); run the command again`, {
    field: 'unit',
    messageAr: 'لم يكتمل التسجيل؛ أعد تشغيل الأمر',
  });
}
