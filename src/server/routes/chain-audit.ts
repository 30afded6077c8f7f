// The chain auditor over HTTP (`auditChains`): re-verify stored bytes, signatures, ICV/PIH links and
// submission states for the taxpayer, a branch or one unit — within the caller's scope.
import { z } from 'zod';
import { auditChains, type AuditReport } from '../../audit/index.js';
import { defineRoutes, principalOf, scoped } from '../plugin.js';
import { js, out, Ref, TaxpayerParams, UnitParams } from '../schema.js';
import { periodRange, scopedFilter, unitIdsOf } from '../documents/scope.js';

const Period = {
  from: z.string().optional().describe('date (KSA day) or ISO instant'),
  to: z.string().optional().describe('date (KSA day) or ISO instant, exclusive'),
};
const TaxpayerQuery = z.strictObject({ branch: Ref.optional(), unit: Ref.optional(), ...Period });
const UnitQuery = z.strictObject(Period);
const Finding = z.object({ check: z.string(), unit: z.string(), icv: z.number().optional(), number: z.string().optional(), message: z.string() });
const Report = z.object({
  ok: z.boolean().describe('no break found'),
  units: z.number(),
  documents: z.number(),
  checked: z.number(),
  breaks: z.array(Finding),
  warnings: z.array(Finding),
});

function merge(reports: AuditReport[]): z.infer<typeof Report> {
  const r = { units: 0, documents: 0, checked: 0, breaks: [] as AuditReport['breaks'], warnings: [] as AuditReport['warnings'] };
  for (const x of reports) {
    r.units += x.units;
    r.documents += x.documents;
    r.checked += x.checked;
    r.breaks.push(...x.breaks);
    r.warnings.push(...x.warnings);
  }
  return { ok: r.breaks.length === 0, ...r };
}

export default defineRoutes({
  name: 'chain-audit',
  tag: { name: 'chain audit', description: 'Re-verify stored documents and hash chains' },
  register(app, deps) {
    app.get<{ Params: z.infer<typeof TaxpayerParams>; Querystring: z.infer<typeof TaxpayerQuery> }>('/api/v1/taxpayers/:vat/chain-audit', {
      config: { operation: 'auditChains', access: 'documents:read' },
      schema: {
        summary: "Audit every unit's chain within your scope (optionally one branch or unit, a period)",
        params: js(TaxpayerParams),
        querystring: js(TaxpayerQuery),
        response: { 200: out(Report) },
      },
      handler: async (request) => {
        const t = scoped(request, 'taxpayer');
        const q = request.query;
        const ids = await unitIdsOf(deps.fleet, t, await scopedFilter(deps.fleet, principalOf(request), t, q));
        const range = periodRange(q);
        if (!ids) return merge([await auditChains(deps.fleet, t, range)]);
        const reports: AuditReport[] = [];
        for (const id of ids) reports.push(await auditChains(deps.fleet, t, { ...range, unit: id }));
        return merge(reports);
      },
    });

    app.get<{ Params: z.infer<typeof UnitParams>; Querystring: z.infer<typeof UnitQuery> }>('/api/v1/taxpayers/:vat/units/:unit/chain-audit', {
      config: { operation: 'auditUnitChain', access: 'documents:read' },
      schema: { summary: "Audit one unit's chain", params: js(UnitParams), querystring: js(UnitQuery), response: { 200: out(Report) } },
      handler: async (request) =>
        merge([await auditChains(deps.fleet, scoped(request, 'taxpayer'), { ...periodRange(request.query), unit: scoped(request, 'unit').id })]),
    });
  },
});
