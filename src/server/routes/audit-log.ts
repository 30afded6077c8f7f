// GET the audit log of who did what (administrators and auditors, within their taxpayer and
// branch), newest first, paged by id. The log itself is append-only in the database.
import { z } from 'zod';
import { listAudit } from '../access/audit.js';
import { defineRoutes, principalOf } from '../plugin.js';
import { js, out } from '../schema.js';

const Query = z.strictObject({
  before: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  action: z.string().max(100).optional(),
});
const Entry = z.object({
  id: z.number(),
  at: z.string(),
  actor: z.string(),
  role: z.string().nullable(),
  taxpayerId: z.string().nullable(),
  branchId: z.string().nullable(),
  unitId: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  outcome: z.string(),
  status: z.number().nullable(),
  ip: z.string().nullable(),
  requestId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});

export default defineRoutes({
  name: 'audit-log',
  tag: { name: 'audit log', description: 'Who did what (append-only)' },
  register(app, deps) {
    app.get<{ Querystring: z.infer<typeof Query> }>('/api/v1/audit-log', {
      config: { operation: 'listAuditLog', access: 'audit:read' },
      schema: {
        summary: 'Audit entries within your scope, newest first',
        querystring: js(Query),
        response: { 200: out(z.object({ entries: z.array(Entry), nextBefore: z.number().nullable() })) },
      },
      handler: async (request) => {
        const p = principalOf(request);
        const rows = await listAudit(deps.access, {
          taxpayerId: p.taxpayerId,
          branchId: p.branchId,
          limit: request.query.limit,
          ...(request.query.before && { before: request.query.before }),
          ...(request.query.action && { action: request.query.action }),
        });
        return {
          entries: rows.map((r) => ({
            id: Number(r.id),
            at: r.at,
            actor: r.actor,
            role: r.role,
            taxpayerId: r.taxpayer_id,
            branchId: r.branch_id,
            unitId: r.unit_id,
            action: r.action,
            target: r.target,
            outcome: r.outcome,
            status: r.status === null ? null : Number(r.status),
            ip: r.ip,
            requestId: r.request_id,
            detail: JSON.parse(r.detail) as Record<string, unknown>,
          })),
          nextBefore: rows.length === request.query.limit ? Number(rows.at(-1)!.id) : null,
        };
      },
    });
  },
});
