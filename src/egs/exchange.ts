// Every call a unit makes to ZATCA goes through here: the exchange is logged (endpoint, request id,
// status, outcome, messages — redacted, never a body); a 401 holds the unit until someone decides.
import type { EgsUnit } from '../store/index.js';
import { credentials, logs, submissions, units as unitRepo } from '../store/index.js';
import type { CsidResponse, ZatcaEndpoint, ZatcaOutcome } from '../zatca/index.js';
import type { FleetContext } from './context.js';
import { FleetError } from './errors.js';
import { moveUnit, type UnitState } from './states.js';

export async function exchange<T>(ctx: FleetContext, unit: EgsUnit, endpoint: ZatcaEndpoint, call: () => Promise<ZatcaOutcome<T>>): Promise<ZatcaOutcome<T>> {
  const started = Date.now();
  const outcome = await call();
  const body = outcome.body as Partial<CsidResponse> | null;
  // Register what ZATCA handed back before anything can print it.
  if (body && typeof body === 'object' && typeof body.secret === 'string') ctx.redactor.add(body.secret);
  const messages = [...outcome.errors, ...outcome.warnings].map((f) => ({
    severity: f.severity,
    code: f.code,
    message: ctx.redactor.redact(f.message).slice(0, 1000),
  }));
  const row = {
    taxpayer_id: unit.taxpayer_id,
    unit_id: unit.id,
    endpoint,
    request_id: outcome.requestId,
    http_status: outcome.httpStatus,
    outcome: outcome.kind,
    messages: JSON.stringify(messages),
    duration_ms: Date.now() - started,
    at: ctx.clock.now().toISOString(),
  };
  await logs.insertExchange(ctx.store.db, row);
  ctx.events?.emit('zatcaExchange', { endpoint, outcome: outcome.kind, httpStatus: outcome.httpStatus, seconds: row.duration_ms / 1000 });
  ctx.logger.info(
    { unit: unit.name, serial: unit.serial, endpoint, requestId: row.request_id, httpStatus: row.http_status, outcome: row.outcome, messages },
    'zatca exchange',
  );
  return outcome;
}

/** Portal reasons that mean the taxpayer itself lost its registration: no unit can be onboarded meanwhile. */
const TAXPAYER_REVOCATIONS = ['vat-deregistered', 'vat-suspended'];

/**
 * ZATCA answered 401 to a call made with the unit's CSID. Every real 401 other projects recorded came
 * from a credential mix-up (a compliance CSID used for production, a wrongly built header, a sandbox
 * certificate), so one 401 never revokes a unit: its queued submissions are held, the unit is marked
 * and an alert is logged until an operator decides (`units revoke` or `outbox run --retry-held`).
 * Only the portal's own signal (the simulator's revocation header) revokes at once — except
 * "renewed", which concerns the old CSID, not the unit.
 */
export async function afterUnauthorized(ctx: FleetContext, unit: EgsUnit, endpoint: ZatcaEndpoint, outcome: ZatcaOutcome<unknown>): Promise<FleetError> {
  const portal = outcome.portalRevocation;
  if (portal && portal !== 'renewed') {
    const revoked = await revokeUnit(ctx, unit, `the portal reports the unit revoked (${portal}); ZATCA answered 401 on ${endpoint}`, portal);
    return revokedError(revoked);
  }
  const at = ctx.clock.now().toISOString();
  const reason = `ZATCA answered 401 on ${endpoint}`;
  await ctx.store.db.transaction().execute(async (trx) => {
    await unitRepo.markCredentialsRefused(trx, unit, at, reason);
    await submissions.holdQueued(
      trx,
      unit.taxpayer_id,
      unit.id,
      at,
      `unauthorized: ${reason}; held until an operator confirms a revocation or fixes the credentials`,
    );
  });
  ctx.logger.error(
    { unit: unit.name, serial: unit.serial, endpoint, alert: 'credentials-refused' },
    "ZATCA refused this unit's credentials (401): its submissions are held",
  );
  return credentialsRefusedError(unit, endpoint);
}

export function credentialsRefusedError(unit: Pick<EgsUnit, 'name' | 'serial'>, endpoint: string): FleetError {
  return new FleetError(
    'CREDENTIALS_REFUSED',
    `ZATCA refused unit ${unit.name}'s credentials (401 on ${endpoint}). This is usually a credential mix-up (a compliance CSID used for production, a wrong header, a sandbox certificate), not a revocation: the unit was NOT revoked; its queued submissions are held. Check the unit in the Fatoora portal (serial ${unit.serial}): if ZATCA revoked it, confirm with "fawtara units revoke ${unit.name} --reason …"; otherwise fix the credentials and run "fawtara outbox run --retry-held"`,
    {
      field: 'unit',
      messageAr: `رفضت الهيئة بيانات اعتماد الوحدة ${unit.name} (الرمز 401). غالباً ما يكون السبب خلطاً في بيانات الاعتماد وليس إلغاءً: لم تُلغَ الوحدة، وعُلّقت مستنداتها المنتظرة. تحقق منها في بوابة فاتورة: إن ألغتها الهيئة فأكّد الإلغاء بأمر إلغاء الوحدة، وإلا فأصلح بيانات الاعتماد ثم أعد الإرسال مع خيار إعادة المعلّقة`,
    },
  );
}

/** Mark the unit revoked (confirmed by the operator or the portal), dropping its credentials. */
export async function revokeUnit(ctx: FleetContext, unit: EgsUnit, reason: string, cause: string): Promise<EgsUnit> {
  if (['revoked', 'retired', 'expired'].includes(unit.state)) return unit;
  const moved = await ctx.store.db.transaction().execute(async (trx) => {
    const m = await moveUnit(trx, unit, { to: 'revoked' as UnitState, actor: ctx.actor, reason, at: ctx.clock.now() });
    await credentials.revokeUnitCsids(trx, { taxpayerId: unit.taxpayer_id, unitId: unit.id });
    await unitRepo.markCredentialsRefused(trx, unit, ctx.clock.now().toISOString(), cause);
    return m;
  });
  ctx.logger.warn({ unit: unit.name, serial: unit.serial, cause }, 'unit revoked');
  return { ...moved, credentials_refused_reason: cause };
}

export function revokedError(unit: Pick<EgsUnit, 'name' | 'serial'> & { credentials_refused_reason?: string | null }): FleetError {
  if (unit.credentials_refused_reason && TAXPAYER_REVOCATIONS.includes(unit.credentials_refused_reason)) {
    const status = unit.credentials_refused_reason === 'vat-suspended' ? 'suspended' : 'deregistered';
    return new FleetError(
      'UNIT_REVOKED',
      `unit ${unit.name} (${unit.serial}) was revoked by ZATCA because the taxpayer's VAT registration is ${status}; it cannot issue documents. No unit can be onboarded for this VAT number until ZATCA reactivates the registration — do not onboard again now; once it is reactive, register the device as a new unit ("fawtara units add --replaces ${unit.name}")`,
      {
        field: 'unit',
        messageAr: `ألغت الهيئة الوحدة ${unit.name} لأن تسجيل المكلف في ضريبة القيمة المضافة ${status === 'suspended' ? 'معلّق' : 'ملغى'}؛ لا يمكنها الإصدار، ولا يمكن تسجيل أي وحدة لهذا الرقم حتى تعيد الهيئة تفعيل التسجيل — لا تعد التسجيل الآن`,
      },
    );
  }
  return new FleetError(
    'UNIT_REVOKED',
    `unit ${unit.name} (${unit.serial}) is revoked by ZATCA and cannot issue documents; onboard the device again as a new unit ("fawtara units add --replaces ${unit.name}", then "units onboard" with a new OTP) — it starts at ICV 1 with a new key`,
    {
      field: 'unit',
      messageAr: `الوحدة ${unit.name} ملغاة من الهيئة ولا يمكنها إصدار مستندات؛ سجّل الجهاز كوحدة جديدة بمفتاح جديد ورمز تحقق جديد (يبدأ العداد من 1)`,
    },
  );
}

/** What failed, in both languages (the Arabic message is entirely Arabic but for ZATCA's own text). */
export interface FailedStep {
  en: string;
  ar: string;
}

/** A refusal from ZATCA or no answer, as a fleet error naming the unit and what to do. */
export function zatcaFailure(unit: Pick<EgsUnit, 'name'>, what: FailedStep, outcome: ZatcaOutcome<unknown>): FleetError {
  const unavailable = outcome.retryable || outcome.kind === 'unexpected';
  return new FleetError(
    unavailable ? 'ZATCA_UNAVAILABLE' : 'ZATCA_REJECTED',
    `${what.en} for unit ${unit.name}: ${outcome.message.en}${unavailable ? '; nothing was lost — run the same command again' : ''}`,
    {
      field: 'unit',
      ...(outcome.message.code && { rule: outcome.message.code }),
      messageAr: `${what.ar} للوحدة ${unit.name}: ${outcome.message.ar}${unavailable ? '؛ لم يُفقد شيء — أعد تشغيل الأمر نفسه' : ''}`,
    },
  );
}
