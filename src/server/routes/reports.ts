// Reports over HTTP: the unified VAT report (JSON or CSV, drill-down) and the reconciliation of a
// period. A branch-scoped caller (branch manager, branch auditor) sees its own branch only.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { resolveBranch, resolveUnit } from '../../egs/index.js';
import { branchInScope, unitInScope } from '../documents/scope.js';
import { drillDown, reconcile, reconciliationCsv, vatDocumentsCsv, vatReport, vatReportCsv, type DrillFilter, type VatReport } from '../../reports/index.js';
import type { Taxpayer } from '../../store/index.js';
import { defineRoutes, principalOf, scoped, type ServerDeps } from '../plugin.js';
import { js, media, out, Ref, TaxpayerParams } from '../schema.js';
import { boundedPeriod, PageQuery, pageOf } from '../bounds.js';

const PeriodQuery = {
  period: z.string().max(20).optional().describe('a quarter (2026-Q3) or a month (2026-11), by issue date'),
  from: z.string().max(10).optional().describe('first day YYYY-MM-DD (with to)'),
  to: z.string().max(10).optional().describe('last day YYYY-MM-DD, inclusive'),
};
const VatQuery = z.strictObject({
  ...PeriodQuery,
  branch: Ref.optional(),
  unit: Ref.optional(),
  by: z.enum(['category', 'market', 'branch', 'unit', 'type']).default('category').describe('CSV rows'),
  format: z.enum(['json', 'csv']).default('json'),
  documents: z.enum(['true', 'false']).default('false').describe('include the documents behind the figures'),
  category: z.string().max(60).optional().describe('drill-down: a category key (S:15.00) or letter'),
  market: z.enum(['B2B', 'B2C']).optional().describe('drill-down'),
  documentType: z.string().max(20).optional().describe('drill-down'),
  ...PageQuery,
});
const ReconcileQuery = z.strictObject({ ...PeriodQuery, unit: Ref.optional(), format: z.enum(['json', 'csv']).default('json'), ...PageQuery });

const PeriodView = z.object({ label: z.string(), from: z.string(), to: z.string(), toExclusive: z.string() });
const Row = z.object({
  key: z.string(),
  documents: z.number(),
  taxableSar: z.string(),
  vatSar: z.string(),
  category: z.string().optional(),
  rate: z.string().optional(),
  exemptionCode: z.string().nullable().optional(),
  market: z.string().optional(),
  branch: z.string().optional(),
  unit: z.string().optional(),
  documentType: z.string().optional(),
});
const Line = z.object({
  key: z.string(),
  category: z.string(),
  rate: z.string(),
  exemptionCode: z.string().nullable(),
  taxable: z.string(),
  vat: z.string(),
  taxableSar: z.string(),
  vatSar: z.string(),
});
const Doc = z.object({
  id: z.string(),
  number: z.string(),
  uuid: z.string(),
  unit: z.string(),
  unitId: z.string(),
  branch: z.string(),
  branchId: z.string(),
  icv: z.number(),
  issueDate: z.string(),
  issueTime: z.string(),
  documentType: z.string(),
  kind: z.string(),
  market: z.string(),
  sign: z.number(),
  currency: z.string(),
  exchangeRate: z.string().nullable(),
  buyerVat: z.string().nullable(),
  buyerName: z.string().nullable(),
  originalNumber: z.string().nullable(),
  state: z.string(),
  evidence: z.enum(['zatca-stamp', 'zatca-answer', 'reported-by-branch']),
  duplicate: z.boolean(),
  invoiceHash: z.string(),
  lines: z.array(Line),
  taxableSar: z.string(),
  vatSar: z.string(),
  stated: z.array(Line).describe('the breakdown as the document writes it; `lines` = stated − prepaid'),
  prepaid: z.array(Line.extend({ invoiceId: z.string(), invoiceUuid: z.string() })).describe('prepayments (386) a final invoice deducts'),
  statedVatSar: z.string(),
  prepaidVatSar: z.string(),
});
const Report = z.object({
  taxpayer: z.object({ vatNumber: z.string(), name: z.string() }),
  period: PeriodView,
  scope: z.object({ branch: z.string().nullable(), unit: z.string().nullable() }),
  generatedAt: z.string(),
  currency: z.string(),
  totals: z.object({ documents: z.number(), taxableSar: z.string(), vatSar: z.string() }),
  byCategory: z.array(Row),
  byMarket: z.array(Row),
  byBranch: z.array(Row),
  byUnit: z.array(Row),
  byType: z.array(Row),
  excluded: z.record(z.string(), z.number()),
  documents: z.array(Doc).optional().describe('one page of the documents behind the figures (documents=true or a drill-down)'),
  nextCursor: z.string().nullable().optional().describe('the next page of documents, or null'),
});
const Reconciliation = z.object({
  taxpayer: z.string(),
  period: PeriodView,
  source: z.string(),
  generatedAt: z.string(),
  clean: z.boolean(),
  units: z.array(
    z.object({
      unit: z.string(),
      unitId: z.string(),
      branch: z.string(),
      issued: z.number(),
      acceptedByUs: z.number(),
      acceptedByZatca: z.number().nullable(),
      inVatReport: z.number(),
      reportedByBranch: z.number(),
      differences: z.number(),
    }),
  ),
  differences: z.array(
    z.object({
      unit: z.string(),
      reason: z.string(),
      number: z.string().nullable(),
      uuid: z.string().nullable(),
      icv: z.number().nullable(),
      state: z.string().nullable(),
      message: z.string(),
      messageAr: z.string(),
    }),
  ),
  nextCursor: z.string().nullable().describe('the next page of differences, or null'),
});
const CsvText = media('text/csv', 'CSV (RFC 4180, CRLF) when format=csv; a paged CSV carries the next page in the x-next-cursor header');

/** The branch and unit a report may cover: the caller's own scope, narrowed further by the query. */
export async function reportScope(deps: ServerDeps, request: FastifyRequest, t: Taxpayer, q: { branch?: string | undefined; unit?: string | undefined }) {
  const p = principalOf(request);
  let branch: { id: string; name: string } | undefined;
  let unit: { id: string; name: string } | undefined;
  if (p.branchId) {
    const b = await resolveBranch(deps.fleet, t, p.branchId);
    branch = { id: b.id, name: b.name };
  }
  if (q.branch) {
    const b = await branchInScope(deps.fleet, p, t, q.branch);
    branch = { id: b.id, name: b.name };
  }
  if (p.unitId) {
    const u = await resolveUnit(deps.fleet, t, p.unitId);
    unit = { id: u.id, name: u.name };
  }
  if (q.unit) {
    const u = await unitInScope(deps.fleet, p, t, q.unit);
    unit = { id: u.id, name: u.name };
  }
  return { branch, unit };
}

export default defineRoutes({
  name: 'reports',
  tag: { name: 'reports', description: 'The unified VAT report and the reconciliation with ZATCA' },
  register(app, deps) {
    app.get<{ Params: z.infer<typeof TaxpayerParams>; Querystring: z.infer<typeof VatQuery> }>('/api/v1/taxpayers/:vat/reports/vat', {
      config: { operation: 'vatReport', access: 'reports:read' },
      schema: {
        summary: 'Output VAT of a period from accepted documents: by category, B2B/B2C, branch, unit; notes netted; SAR; JSON or CSV; drill-down',
        params: js(TaxpayerParams),
        querystring: js(VatQuery),
        response: { 200: { anyOf: [out(Report), CsvText] } },
      },
      handler: async (request, reply) => {
        const t = scoped(request, 'taxpayer');
        const q = request.query;
        const period = boundedPeriod(q);
        const { branch, unit } = await reportScope(deps, request, t, q);
        const report: VatReport = await vatReport(deps.fleet.store.db, t, period, {
          ...(branch && { branch }),
          ...(unit && { unit }),
          now: deps.fleet.clock.now(),
        });
        const filter: DrillFilter = {
          ...(q.category && { category: q.category }),
          ...(q.market && { market: q.market }),
          ...(q.documentType && { documentType: q.documentType }),
        };
        const drilling = Object.keys(filter).length > 0;
        const listing = drilling || q.documents === 'true';
        const { documents, ...rest } = report;
        if (!listing) return q.format === 'csv' ? reply.type('text/csv; charset=utf-8').send(vatReportCsv(report, q.by)) : rest;
        const page = pageOf(drilling ? drillDown(report, filter) : documents, q, ['vat', t.id, branch?.id, unit?.id, period.label, filter]);
        if (q.format === 'csv') {
          if (page.nextCursor) void reply.header('x-next-cursor', page.nextCursor);
          return reply.type('text/csv; charset=utf-8').send(vatDocumentsCsv(page.rows));
        }
        return { ...rest, documents: page.rows, nextCursor: page.nextCursor };
      },
    });

    app.get<{ Params: z.infer<typeof TaxpayerParams>; Querystring: z.infer<typeof ReconcileQuery> }>('/api/v1/taxpayers/:vat/reports/reconcile', {
      config: { operation: 'reconcile', access: 'reports:read' },
      schema: {
        summary: 'Per unit: issued vs accepted (our submission log) vs in the VAT report; every difference with its reason',
        params: js(TaxpayerParams),
        querystring: js(ReconcileQuery),
        response: { 200: { anyOf: [out(Reconciliation), CsvText] } },
      },
      handler: async (request, reply) => {
        const t = scoped(request, 'taxpayer');
        const period = boundedPeriod(request.query);
        const { branch, unit } = await reportScope(deps, request, t, request.query);
        const r = await reconcile(deps.fleet.store.db, t, period, {
          ...(branch && { branchId: branch.id }),
          ...(unit && { unitId: unit.id }),
          now: deps.fleet.clock.now(),
        });
        const page = pageOf(r.differences, request.query, ['reconcile', t.id, branch?.id, unit?.id, period.label]);
        const paged = { ...r, differences: page.rows, nextCursor: page.nextCursor };
        if (request.query.format === 'csv') {
          if (page.nextCursor) void reply.header('x-next-cursor', page.nextCursor);
          return reply.type('text/csv; charset=utf-8').send(reconciliationCsv(paged));
        }
        return paged;
      },
    });
  },
});
