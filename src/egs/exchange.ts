// Every call a unit makes to ZATCA goes through here: the exchange is logged (endpoint, request id,
// status, outcome, messages — redacted, never a body), and a 401 revokes the unit on the spot.
import type { EgsUnit } from '../store/index.js';
import { credentials, logs } from '../store/index.js';
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
  ctx.logger.info(
    { unit: unit.name, serial: unit.serial, endpoint, requestId: row.request_id, httpStatus: row.http_status, outcome: row.outcome, messages },
    'zatca exchange',
  );
  return outcome;
}

/**
 * ZATCA answered 401 to a call made with the unit's CSID: it was revoked (portal, VAT status or
 * VAT-group event) or expired. The unit becomes `revoked` and never issues again (spec §8.3).
 */
export async function revokeAfterUnauthorized(ctx: FleetContext, unit: EgsUnit, endpoint: ZatcaEndpoint): Promise<FleetError> {
  const reason = `ZATCA answered 401 on ${endpoint}: the unit's CSID is revoked or expired`;
  if (!['revoked', 'retired', 'expired'].includes(unit.state)) {
    await ctx.store.db.transaction().execute(async (trx) => {
      await moveUnit(trx, unit, { to: 'revoked' as UnitState, actor: ctx.actor, reason, at: ctx.clock.now() });
      await credentials.revokeUnitCsids(trx, { taxpayerId: unit.taxpayer_id, unitId: unit.id });
    });
    ctx.logger.warn({ unit: unit.name, serial: unit.serial, endpoint }, 'unit revoked after 401');
  }
  return revokedError(unit);
}

export function revokedError(unit: Pick<EgsUnit, 'name' | 'serial'>): FleetError {
  return new FleetError(
    'UNIT_REVOKED',
    `unit ${unit.name} (${unit.serial}) is revoked by ZATCA and cannot issue documents; onboard the device again as a new unit ("fawtara units add --replaces ${unit.name}", then "units onboard" with a new OTP) — it starts at ICV 1 with a new key`,
    {
      field: 'unit',
      messageAr: `الوحدة ${unit.name} ملغاة من الهيئة ولا يمكنها إصدار مستندات؛ سجّل الجهاز كوحدة جديدة بمفتاح جديد ورمز تحقق جديد (يبدأ العداد من 1)`,
    },
  );
}

/** A refusal from ZATCA or no answer, as a fleet error naming the unit and what to do. */
export function zatcaFailure(unit: Pick<EgsUnit, 'name'>, what: string, outcome: ZatcaOutcome<unknown>): FleetError {
  const unavailable = outcome.retryable || outcome.kind === 'unexpected';
  return new FleetError(
    unavailable ? 'ZATCA_UNAVAILABLE' : 'ZATCA_REJECTED',
    `${what} for unit ${unit.name}: ${outcome.message.en}${unavailable ? '; nothing was lost — run the same command again' : ''}`,
    {
      field: 'unit',
      ...(outcome.message.code && { rule: outcome.message.code }),
      messageAr: `${what} للوحدة ${unit.name}: ${outcome.message.ar}`,
    },
  );
}
