// The chain auditor over HTTP (`auditChains`): re-verify stored bytes, signatures, ICV/PIH links and
// submission states for the taxpayer, a branch or one unit — within the caller's scope, on a worker thread.
import { z } from 'zod';
import { auditChains, type AuditReport } from '../../audit/index.js';
import type { Taxpayer } from '../../store/index.js';
import { boundedRange } from '../bounds.js';
import { periodRange, scopedFilter, unitIdsOf } from '../documents/scope.js';
import { defineRoutes, principalOf, scoped, type ServerDeps } from '../plugin.js';
import { js, out, Ref, TaxpayerParams, UnitParams } from '../schema.js';

const Period = {
  from: z.string().max(40).optional().describe('date (KSA day) or ISO instant'),
  to: z.string().max(40).optional().describe('date (KSA day) or ISO instant, exclusive; from..to covers at most 366 days'),
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('breaks and warnings listed at most (all are counted)'),
};
const TaxpayerQuery = z.strictObject({ branch: Ref.optional(), unit: Ref.optional(), ...Period });
const UnitQuery = z.strictObject(Period);
const Finding = z.object({ check: z.string(), unit: z.string(), icv: z.number().optional(), number: z.string().optional(), message: z.string() });
const Report = z.object({
  ok: z.boolean().describe('no break found'),
  units: z.number(),
  documents: z.number(),
  checked: z.number(),
  breakCount: z.number().describe('breaks found (the list holds at most limit)'),
  warningCount: z.number(),
  breaks: z.array(Finding),
  warnings: z.array(Finding),
});

function merge(reports: AuditReport[], limit: number): z.infer<typeof Report> {
  const r = { units: 0, documents: 0, checked: 0, breaks: [] as AuditReport['breaks'], warnings: [] as AuditReport['warnings'] };
  for (const x of reports) {
    r.units += x.units;
    r.documents += x.documents;
    r.checked += x.checked;
    r.breaks.push(...x.breaks);
    r.warnings.push(...x.warnings);
  }
  return {
    ok: r.breaks.length === 0,
    units: r.units,
    documents: r.documents,
    checked: r.checked,
    breakCount: r.breaks.length,
    warningCount: r.warnings.length,
    breaks: r.breaks.slice(0, limit),
    warnings: r.warnings.slice(0, limit),
  };
}

/**
 * Run the audit on a worker thread (its own store connection): re-hashing and verifying every
 * document is CPU work that would otherwise hold the event loop and every till's sale behind it.
 * An in-memory store cannot be shared with a thread, so there (tests, embedding) it runs here.
 */
async function audit(deps: ServerDeps, t: Taxpayer, unitIds: string[] | undefined, range: { from?: string; to?: string }): Promise<AuditReport[]> {
  if (deps.workers) {
    return deps.workers.pool.run('auditChains', { store: deps.workers.store, taxpayerId: t.id, ...(unitIds && { unitIds }), ...range });
  }
  if (!unitIds) return [await auditChains(deps.fleet, t, range)];
  const reports: AuditReport[] = [];
  for (const unit of unitIds) reports.push(await auditChains(deps.fleet, t, { ...range, unit }));
  return reports;
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
        return merge(await audit(deps, t, ids, boundedRange(periodRange(q))), q.limit);
      },
    });

    app.get<{ Params: z.infer<typeof UnitParams>; Querystring: z.infer<typeof UnitQuery> }>('/api/v1/taxpayers/:vat/units/:unit/chain-audit', {
      config: { operation: 'auditUnitChain', access: 'documents:read' },
      schema: { summary: "Audit one unit's chain", params: js(UnitParams), querystring: js(UnitQuery), response: { 200: out(Report) } },
      handler: async (request) =>
        merge(await audit(deps, scoped(request, 'taxpayer'), [scoped(request, 'unit').id], boundedRange(periodRange(request.query))), request.query.limit),
    });
  },
});
