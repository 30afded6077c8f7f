// The audit log of who did what: one append per action (rows are never changed; triggers in the
// database refuse UPDATE and DELETE). Details pass the redactor, so no secret is ever written.
import { auditLog, rideAlong, type AuditRow } from '../../store/index.js';
import type { AccessContext } from './context.js';

export interface AuditEntry {
  actor: string;
  role?: string | null;
  taxpayerId?: string | null;
  branchId?: string | null;
  unitId?: string | null;
  action: string;
  target?: string | null;
  outcome: 'ok' | 'denied' | 'error';
  status?: number | null;
  ip?: string | null;
  requestId?: string | null;
  detail?: Record<string, unknown>;
}

/** Keys whose values are never recorded, whatever a caller passes. */
const SECRET_KEYS = /pass(word)?|secret|token|otp|key|hash|authorization/i;

function scrub(detail: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(detail)) {
    if (v === undefined) continue;
    out[k] = SECRET_KEYS.test(k) && !/^(tokenId|tokenName)$/.test(k) ? '[REDACTED]' : v;
  }
  return out;
}

/**
 * Resolves once the row is committed. Rows share commits (the next write transaction's, e.g. a
 * sale's, or one for all rows of the moment): an append costs no fsync of its own under load.
 */
export async function appendAudit(ax: AccessContext, entry: AuditEntry): Promise<void> {
  const detail = ax.fleet.redactor.redact(JSON.stringify(scrub(entry.detail ?? {})));
  const row = {
    at: ax.fleet.clock.now().toISOString(),
    actor: entry.actor,
    role: entry.role ?? null,
    taxpayer_id: entry.taxpayerId ?? null,
    branch_id: entry.branchId ?? null,
    unit_id: entry.unitId ?? null,
    action: entry.action,
    target: entry.target == null ? null : ax.fleet.redactor.redact(entry.target),
    outcome: entry.outcome,
    status: entry.status ?? null,
    ip: entry.ip ?? null,
    request_id: entry.requestId ?? null,
    detail,
  };
  await rideAlong(ax.fleet.store, (trx) => auditLog.appendAuditRow(trx, row));
}

export function listAudit(ax: AccessContext, q: auditLog.AuditQuery): Promise<AuditRow[]> {
  return auditLog.listAuditRows(ax.fleet.store.db, q);
}
