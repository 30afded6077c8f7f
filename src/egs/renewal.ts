// Renewing a unit's production CSID (ZATCA renewal API, docs/fleet.md) with a renewal OTP and a CSR on
// a new key: 200 is the new PCSID; 428 a renewed CCSID that redoes compliance before its PCSID.
import { credentials, submissions, type Csid, type EgsUnit, type Taxpayer } from '../store/index.js';
import type { FleetContext } from './context.js';
import {
  credentialsOf,
  freshCsr,
  markCsrSent,
  partsOf,
  promote,
  runComplianceChecks,
  scopeOf,
  storeCsid,
  type StepHooks,
  type UnitParts,
} from './csid-steps.js';
import { FleetError, isFleetError } from './errors.js';
import { exchange, afterUnauthorized, revokedError, zatcaFailure } from './exchange.js';
import { destroyUnusedKeys } from './key-retirement.js';
import { validateOtp } from './onboarding.js';
import { pauseIssuing, resumeIssuing } from './pause.js';
import { moveUnit } from './states.js';
import { resolveUnit, unitZatca } from './units.js';

/**
 * Submit every queued document of the unit once, now, with its current certificate (the outbox
 * provides it: egs/ sits below outbox/). Without it, a renewal proceeds only on an empty queue.
 */
export type DrainUnit = (unit: EgsUnit) => Promise<void>;

export interface RenewOptions extends StepHooks {
  otp?: string;
  drain?: DrainUnit;
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
  const note: Note = async (step, unit) => {
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
        await resumeIssuing(ctx.store.db, unit);
        const pcsid = (await credentials.activeCsid(ctx.store.db, scope, 'production'))!;
        // The key of the superseded PCSID never signs again: a token destroys it now.
        await destroyUnusedKeys(ctx, unit);
        return { unit, steps, path, pcsidExpiresAt: pcsid.not_after };
      }
      const current = await credentials.activeCsid(ctx.store.db, scope, 'production');
      if (!current)
        throw new FleetError('UNIT_NOT_ACTIVE', `unit ${unit.name} has no production CSID to renew; onboard it`, {
          field: 'unit',
          messageAr: 'لا توجد شهادة إنتاج للتجديد؛ سجّل الوحدة أولاً',
        });
      // A rerun after a finished renewal (e.g. after a crash at its very end) has nothing to do.
      if (options.otp === undefined && current.purpose === 'renew') {
        await resumeIssuing(ctx.store.db, unit);
        return { unit, steps, path, pcsidExpiresAt: current.not_after, alreadyRenewed: true };
      }
      const otp = validateOtp(options.otp);
      ({ unit, path } = await sendRenewal(ctx, taxpayer, parts, current, otp, options.drain, note));
      sentThisRun = true;
      continue;
    }
    if (unit.state === 'renewal-pending') {
      path = '428';
      sentThisRun = true;
      await promoteRenewed(ctx, taxpayer, parts, options.drain, note);
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

type Note = (step: string, unit: EgsUnit) => Promise<void>;

/**
 * Send the renewal request with a CSR on a new key, after the queue signed with the current PCSID has
 * reached ZATCA. Returns the unit as the answer left it: active (200) or renewal-pending (428).
 */
async function sendRenewal(
  ctx: FleetContext,
  taxpayer: Taxpayer,
  parts: UnitParts,
  current: Csid,
  otp: string,
  drain: DrainUnit | undefined,
  note: Note,
): Promise<{ unit: EgsUnit; path: RenewResult['path'] }> {
  const unit = parts.unit;
  const scope = scopeOf(unit);
  const { csr, created } = await freshCsr(ctx, parts, 'renew');
  if (created) await note('renewal-csr-created', unit);
  // The old certificate stops working once ZATCA issues the new one (ZATCA's renewal API; the
  // simulator revokes it then): everything it signed must reach ZATCA before the request leaves.
  await drainBeforeSwitch(ctx, taxpayer, unit, drain, note, 'renewal');
  const creds = credentialsOf(ctx, unit, current);
  await markCsrSent(ctx, unit, csr);
  const outcome = await exchange(ctx, unit, 'renew-production-csid', () => unitZatca(ctx, unit).renewProductionCsid(creds, { otp, csrPem: csr.pem }));
  if (!(outcome.kind === 'accepted' || outcome.kind === 'renewal-needs-compliance') || !outcome.body) await resumeIssuing(ctx.store.db, unit);
  if (outcome.kind === 'unauthorized') throw await afterUnauthorized(ctx, unit, 'renew-production-csid', outcome);
  if ((outcome.kind === 'accepted' || outcome.kind === 'renewal-needs-compliance') && outcome.body) {
    const body = outcome.body;
    const direct = outcome.kind === 'accepted';
    const renewed = await ctx.store.db.transaction().execute(async (trx) => {
      if (direct) await credentials.setCsidStatus(trx, scope, current.id, 'superseded');
      await storeCsid(ctx, trx, unit, csr, direct ? 'production' : 'compliance', 'renew', body);
      await credentials.setCsrStatus(trx, scope, csr.id, 'sent', 'used');
      // 200 switched the certificate; 428 leaves the current one working until the promotion.
      await resumeIssuing(trx, unit);
      return direct
        ? moveUnit(trx, unit, { to: 'active', actor: ctx.actor, reason: `production CSID renewed directly (request ${body.requestID})`, at: ctx.clock.now() })
        : moveUnit(trx, unit, {
            to: 'renewal-pending',
            actor: ctx.actor,
            reason: `renewal answered 428: renewed compliance CSID ${body.requestID} must pass compliance`,
            at: ctx.clock.now(),
          });
    });
    await note(direct ? 'renewal-pcsid-issued' : 'renewal-ccsid-issued', renewed);
    return { unit: renewed, path: direct ? '200' : '428' };
  }
  if (outcome.errors.some((e) => e.code === 'Invalid-CSR')) await credentials.setCsrStatus(ctx.store.db, scope, csr.id, 'sent', 'rejected');
  throw zatcaFailure(unit, { en: 'the renewal request failed', ar: 'فشل طلب التجديد' }, outcome);
}

/** 428 path: the renewed CCSID passes compliance, then is promoted once the current PCSID's queue is drained. */
async function promoteRenewed(ctx: FleetContext, taxpayer: Taxpayer, parts: UnitParts, drain: DrainUnit | undefined, note: Note): Promise<void> {
  const unit = parts.unit;
  const scope = scopeOf(unit);
  const ccsid = (await credentials.listCsids(ctx.store.db, scope))
    .filter((c) => c.kind === 'compliance' && c.purpose === 'renew' && c.status === 'active')
    .at(-1);
  if (!ccsid)
    throw new FleetError('WRONG_STATE', `unit ${unit.name} is renewal-pending without a renewed compliance CSID; renew again with a new OTP`, {
      field: 'unit',
      messageAr: 'لا توجد شهادة امتثال مجددة؛ أعد التجديد برمز تحقق جديد',
    });
  const r = await runComplianceChecks(ctx, parts, ccsid, { afterStep: note });
  // Promotion is the switch on this path: the queue signed with the current PCSID goes first.
  await drainBeforeSwitch(ctx, taxpayer, r.unit, drain, note, 'promotion');
  let p: Awaited<ReturnType<typeof promote>>;
  try {
    p = await promote(ctx, { ...parts, unit: r.unit }, ccsid, 'renew', { afterStep: note });
  } catch (error) {
    // A refusal or no answer: the current certificate still works. (An injected crash keeps the
    // pause, as a real one would; it ends by itself or on the next run.)
    if (!isFleetError(error, 'INTERRUPTED')) await resumeIssuing(ctx.store.db, unit);
    throw error;
  }
  // Missing steps were forgotten by promote(); the next round submits them again.
  if (p.kind === 'missing-steps') {
    await resumeIssuing(ctx.store.db, unit);
    ctx.logger.warn({ unit: unit.name, missing: p.missing }, 'renewal: ZATCA misses compliance steps');
  }
}

/**
 * Pause issuing on the unit, submit its queue with the current certificate, and go on only when ZATCA
 * holds every document it signed. Otherwise the pause is lifted and the renewal is refused unsent
 * (the OTP stays unused): documents still failing are named with what to do (docs/fleet.md).
 */
async function drainBeforeSwitch(
  ctx: FleetContext,
  taxpayer: Taxpayer,
  unit: EgsUnit,
  drain: DrainUnit | undefined,
  note: Note,
  before: 'renewal' | 'promotion',
): Promise<void> {
  await pauseIssuing(ctx, unit, before === 'renewal' ? 'renewal request' : 'renewed certificate promotion');
  await note(`${before}-issuing-paused`, unit);
  try {
    await drain?.(unit);
  } catch (error) {
    await resumeIssuing(ctx.store.db, unit);
    throw error;
  }
  const { queued, held } = await submissions.pendingOfUnit(ctx.store.db, taxpayer.id, unit.id);
  const waiting = { length: queued + held };
  if (waiting.length > 0) {
    await resumeIssuing(ctx.store.db, unit);
    throw new FleetError(
      'UNSUBMITTED_DOCUMENTS',
      `unit ${unit.name}: renewal not sent — ${waiting.length} document(s) signed with the current certificate have not reached ZATCA (${queued} queued, ${held} held), and the current certificate stops working once the new one is issued. Nothing changed and the OTP is still unused: see "fawtara outbox status", submit them ("fawtara outbox run --once"${held > 0 ? ', "--retry-held" for held ones once their cause is fixed' : ''}), then renew again`,
      {
        field: 'unit',
        messageAr: `الوحدة ${unit.name}: لم يُرسل طلب التجديد — ${waiting.length} مستند موقّع بالشهادة الحالية لم يصل إلى الهيئة بعد، والشهادة الحالية تتوقف عند إصدار الجديدة. لم يتغير شيء ورمز التحقق لم يُستخدم: أرسل المستندات أولاً ثم أعد التجديد`,
      },
    );
  }
  await note(`${before}-queue-drained`, unit);
}
