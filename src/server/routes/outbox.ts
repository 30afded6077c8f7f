// Outbox status over HTTP: queue depth per state, the oldest waiting document, documents at risk
// of missing their 24-hour deadline and late ones — taxpayer-wide, or the caller's branch or unit.
import { z } from 'zod';
import { defineRoutes, principalOf, scoped } from '../plugin.js';
import { js, out, Ref, TaxpayerParams } from '../schema.js';
import { scopedOutboxStatus } from '../documents/outbox-status.js';
import { scopedFilter, unitIdsOf } from '../documents/scope.js';

const Query = z.strictObject({ branch: Ref.optional(), unit: Ref.optional() });
const DocView = z.object({
  number: z.string(),
  uuid: z.string(),
  unitId: z.string(),
  icv: z.number(),
  state: z.string(),
  deadlineAt: z.string(),
  minutesLeft: z.number(),
  lastOutcome: z.string().nullable(),
});
const Status = z.object({
  now: z.string(),
  depth: z.number().describe('documents ZATCA does not hold yet (to-submit + held)'),
  byState: z.record(z.string(), z.number()),
  oldestAgeSeconds: z.number(),
  atRisk: z.array(DocView).describe('less than 2 hours to the deadline'),
  late: z.array(DocView).describe('past the deadline, still queued (never dropped)'),
  deliveredLate: z.number(),
  clockAhead: z.array(DocView).describe('issued while the clock ran ahead: submitted at once, deadline 24 h from the real clock (docs/issuing.md)'),
});

export default defineRoutes({
  name: 'outbox',
  tag: { name: 'outbox', description: 'Submission outbox status' },
  register(app, deps) {
    app.get<{ Params: z.infer<typeof TaxpayerParams>; Querystring: z.infer<typeof Query> }>('/api/v1/taxpayers/:vat/outbox', {
      config: { operation: 'outboxStatus', access: 'outbox:read' },
      schema: {
        summary: 'Outbox depth, oldest age, at-risk and late documents within your scope (optionally one branch or unit)',
        params: js(TaxpayerParams),
        querystring: js(Query),
        response: { 200: out(Status) },
      },
      handler: async (request) => {
        const t = scoped(request, 'taxpayer');
        const filter = await scopedFilter(deps.fleet, principalOf(request), t, request.query);
        return scopedOutboxStatus(deps.fleet, t.id, await unitIdsOf(deps.fleet, t, filter));
      },
    });
  },
});
