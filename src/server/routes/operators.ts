// Who sold and with which clock (issue 14): sales totalled by operator for a period, and each device's
// and branch node's clock drift against head office, flagged beyond the stated tolerance.
import { Decimal } from '../../money/decimal.js';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { FawtaraError } from '../../errors.js';
import { documentContext, tenants, units } from '../../store/index.js';
import { boundedPeriod } from '../bounds.js';
import { scopedFilter, unitIdsOf } from '../documents/scope.js';
import { defineRoutes, principalOf, scoped, type ServerDeps } from '../plugin.js';
import { js, out, Ref, TaxpayerParams } from '../schema.js';

/**
 * How far a device's or branch node's clock may stray from head office's before the console flags it
 * (docs/server.md, "Operators and clocks"). Issue times are signed into each invoice and the 24-hour
 * reporting limit runs from them, so minutes matter; network delay is well under this.
 */
export const CLOCK_TOLERANCE_MS = 2 * 60_000;
/** Sales read to total one period at most: a longer list asks for a shorter period. */
const MAX_ROWS = 500_000;

const PeriodQuery = z.strictObject({
  period: z.string().max(20).optional().describe('a quarter (2026-Q3) or a month (2026-11), by issue date'),
  from: z.string().max(10).optional(),
  to: z.string().max(10).optional(),
  branch: Ref.optional(),
  unit: Ref.optional(),
});
const Totals = z.object({
  period: z.object({ label: z.string(), from: z.string(), to: z.string() }),
  operators: z.array(
    z.object({ operatorId: z.string().nullable(), operatorName: z.string().nullable(), documents: z.number(), taxableSar: z.string(), vatSar: z.string() }),
  ),
});
const Drift = z.object({
  toleranceMs: z.number(),
  devices: z.array(z.object({ unit: z.string(), branch: z.string().nullable(), at: z.string(), driftMs: z.number(), beyondTolerance: z.boolean() })),
  nodes: z.array(z.object({ branch: z.string(), node: z.string(), at: z.string(), offsetMs: z.number(), beyondTolerance: z.boolean() })),
});

export default defineRoutes({
  name: 'operators',
  tag: { name: 'operators', description: 'Sales by operator (cashier) and device clock drift' },
  register(app, deps) {
    registerOperatorTotals(app, deps);
    registerClockDrift(app, deps);
  },
});

/** Sales per operator (cashier) for a period, within the caller's scope. */
function registerOperatorTotals(app: FastifyInstance, deps: ServerDeps): void {
  app.get<{ Params: z.infer<typeof TaxpayerParams>; Querystring: z.infer<typeof PeriodQuery> }>('/api/v1/taxpayers/:vat/reports/operators', {
    config: { operation: 'operatorTotals', access: 'documents:read' },
    schema: {
      summary: 'Documents and their SAR totals per operator (cashier) for a period, within your scope',
      params: js(TaxpayerParams),
      querystring: js(PeriodQuery),
      response: { 200: out(Totals) },
    },
    handler: async (request) => {
      const t = scoped(request, 'taxpayer');
      const period = boundedPeriod(request.query);
      const ids = await unitIdsOf(deps.fleet, t, await scopedFilter(deps.fleet, principalOf(request), t, request.query));
      let q = deps.fleet.store.db
        .selectFrom('documents as d')
        .leftJoin(sql<{ document_id: string; operator_id: string | null; operator_name: string | null }>`document_context`.as('c'), 'c.document_id', 'd.id')
        .select(['c.operator_id', 'c.operator_name', 'd.taxable_amount_sar', 'd.tax_amount_sar'])
        .where('d.taxpayer_id', '=', t.id)
        .where('d.issue_date', '>=', period.from)
        .where('d.issue_date', '<', period.toExclusive);
      if (ids) q = q.where('d.unit_id', 'in', ids.length > 0 ? ids : ['']);
      const rows = await q.limit(MAX_ROWS + 1).execute();
      if (rows.length > MAX_ROWS) {
        throw new FawtaraError('TOO_LARGE', `more than ${MAX_ROWS} documents in ${period.label}: ask for a month or one branch`, {
          field: 'querystring.period',
          messageAr: `أكثر من ${MAX_ROWS} مستند في الفترة: اطلب شهراً أو فرعاً واحداً`,
        });
      }
      const by = new Map<string, { operatorId: string | null; operatorName: string | null; documents: number; taxable: Decimal; vat: Decimal }>();
      for (const r of rows) {
        const key = r.operator_id ?? '';
        const o = by.get(key) ?? { operatorId: r.operator_id, operatorName: r.operator_name, documents: 0, taxable: new Decimal(0), vat: new Decimal(0) };
        o.documents += 1;
        o.taxable = o.taxable.plus(r.taxable_amount_sar);
        o.vat = o.vat.plus(r.tax_amount_sar);
        o.operatorName ??= r.operator_name;
        by.set(key, o);
      }
      const operators = [...by.values()]
        .sort((a, b) => (a.operatorId ?? '\uffff').localeCompare(b.operatorId ?? '\uffff'))
        .map((o) => ({
          operatorId: o.operatorId,
          operatorName: o.operatorName,
          documents: o.documents,
          taxableSar: o.taxable.toFixed(2),
          vatSar: o.vat.toFixed(2),
        }));
      return { period: { label: period.label, from: period.from, to: period.to }, operators };
    },
  });
}

/** Each device's and branch node's latest clock difference against head office. */
function registerClockDrift(app: FastifyInstance, deps: ServerDeps): void {
  app.get<{ Params: z.infer<typeof TaxpayerParams> }>('/api/v1/taxpayers/:vat/clock-drift', {
    config: { operation: 'clockDrift', access: 'fleet:read' },
    schema: {
      summary: "Each device's latest clock drift (from its sales, last 7 days) and each branch node's latest offset, against head office's clock",
      params: js(TaxpayerParams),
      response: { 200: out(Drift) },
    },
    handler: async (request) => {
      const t = scoped(request, 'taxpayer');
      const p = principalOf(request);
      const db = deps.fleet.store.db;
      const since = new Date(deps.fleet.clock.now().getTime() - 7 * 86_400_000).toISOString();
      const visible = (await units.listUnits(db, t.id, p.branchId ? { branchId: p.branchId } : {})).filter((u) => p.unitId === null || u.id === p.unitId);
      const byId = new Map(visible.map((u) => [u.id, u]));
      const branches = new Map((await tenants.listBranches(db, t.id)).map((b) => [b.id, b.name]));
      const devices = (await documentContext.latestDrifts(db, t.id, since))
        .filter((d) => byId.has(d.unit_id))
        .map((d) => {
          const u = byId.get(d.unit_id)!;
          return {
            unit: u.name,
            branch: branches.get(u.branch_id) ?? null,
            at: d.received_at,
            driftMs: d.drift_ms,
            beyondTolerance: Math.abs(d.drift_ms) > CLOCK_TOLERANCE_MS,
          };
        });
      const nodes = (await documentContext.latestOffsets(db, t.id))
        .filter((o) => p.branchId === null || o.branch_id === p.branchId)
        .map((o) => ({
          branch: branches.get(o.branch_id) ?? o.branch_id,
          node: o.node,
          at: o.reported_at,
          offsetMs: o.offset_ms,
          beyondTolerance: Math.abs(o.offset_ms) > CLOCK_TOLERANCE_MS,
        }));
      return { toleranceMs: CLOCK_TOLERANCE_MS, devices, nodes };
    },
  });
}
