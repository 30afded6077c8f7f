// Who issued a document and with which clock (issue 14): the operator (a cashier named by the POS, or
// the logged-in user), the calling token, and the device's clock reading — recorded beside the
// document after it is committed, never in the signed XML (docs/server.md, "Operators and clocks").
import type { FastifyRequest } from 'fastify';
import { FawtaraError } from '../../errors.js';
import { documentContext } from '../../store/index.js';
import type { ServerDeps } from '../plugin.js';
import { principalOf } from '../plugin.js';

export interface IssueContextInput {
  documentId: string;
  taxpayerId: string;
  unitId: string;
  /** Head office's clock when the request arrived. */
  receivedAt: Date;
  operator?: { id: string; name?: string | undefined } | undefined;
  deviceTime?: string | undefined;
}

/**
 * The operator of a sale: a device token names the cashier (the POS knows who is logged in at the
 * till); a logged-in person is the operator themselves and may not name someone else.
 */
export function operatorOf(request: FastifyRequest, given: IssueContextInput['operator']): { id: string; name: string | null } | null {
  const p = principalOf(request);
  if (p.kind === 'user') {
    if (given && given.id !== p.name) {
      throw new FawtaraError('INVALID_INPUT', `body.operator: a logged-in user sells as themselves (${p.name}); leave operator out`, {
        field: 'body.operator',
        messageAr: `body.operator: المستخدم المسجل يبيع باسمه (${p.name})؛ احذف هذا الحقل`,
      });
    }
    return { id: p.name, name: given?.name ?? null };
  }
  return given ? { id: given.id, name: given.name ?? null } : null;
}

/** Record the context row (a replayed sale keeps the first one) and name the operator in the audit row. */
export async function recordIssueContext(deps: ServerDeps, request: FastifyRequest, input: IssueContextInput): Promise<void> {
  const p = principalOf(request);
  const operator = operatorOf(request, input.operator);
  const deviceMs = input.deviceTime ? Date.parse(input.deviceTime) : Number.NaN;
  await documentContext.recordContext(deps.fleet.store.db, {
    document_id: input.documentId,
    taxpayer_id: input.taxpayerId,
    unit_id: input.unitId,
    actor: p.actor,
    operator_id: operator?.id ?? null,
    operator_name: operator?.name ?? null,
    device_time: Number.isNaN(deviceMs) ? null : new Date(deviceMs).toISOString(),
    received_at: input.receivedAt.toISOString(),
    drift_ms: Number.isNaN(deviceMs) ? null : deviceMs - input.receivedAt.getTime(),
  });
  if (operator) request.auditDetail = { ...request.auditDetail, operator: operator.id };
}
