// The archive index over HTTP (auditors and administrators): what `archive export` would write for
// a period — VAT number, issue date and time, number, UUID, ICV, PIH, hash, QR — within the scope.
import { z } from 'zod';
import { periodDocuments } from '../../reports/index.js';
import { csvLines } from '../../reports/vat.js';
import { retainUntil } from '../../archive/index.js';
import { defineRoutes, scoped } from '../plugin.js';
import { js, media, out, Ref, TaxpayerParams } from '../schema.js';
import { reportScope } from './reports.js';
import { boundedPeriod, PageQuery, pageOf } from '../bounds.js';

const Query = z.strictObject({
  period: z.string().max(20).optional().describe('a quarter (2026-Q3) or a month (2026-11)'),
  from: z.string().max(10).optional(),
  to: z.string().max(10).optional(),
  branch: Ref.optional(),
  unit: Ref.optional(),
  format: z.enum(['json', 'csv']).default('json'),
  ...PageQuery,
});
const Entry = z.object({
  vatNumber: z.string(),
  branch: z.string(),
  unit: z.string(),
  issueDate: z.string(),
  issueTime: z.string(),
  number: z.string(),
  uuid: z.string(),
  icv: z.number(),
  pih: z.string(),
  invoiceHash: z.string(),
  documentType: z.string(),
  kind: z.string(),
  state: z.string(),
  cleared: z.boolean(),
  qr: z.string(),
});
const Index = z.object({
  vatNumber: z.string(),
  period: z.string(),
  retainUntil: z.string(),
  documents: z.array(Entry).describe('one page, in issue order'),
  nextCursor: z.string().nullable().describe('the next page, or null'),
});
const CsvText = media('text/csv', 'CSV (RFC 4180, CRLF) when format=csv; the next page in the x-next-cursor header');

export default defineRoutes({
  name: 'archive',
  tag: { name: 'archive', description: "The archive index of a VAT period (the files themselves: 'fawtara archive export')" },
  register(app, deps) {
    app.get<{ Params: z.infer<typeof TaxpayerParams>; Querystring: z.infer<typeof Query> }>('/api/v1/taxpayers/:vat/archive/index', {
      config: { operation: 'archiveIndex', access: 'archive:read' },
      schema: {
        summary: 'The index of every document issued in the period, with hash and QR',
        params: js(TaxpayerParams),
        querystring: js(Query),
        response: { 200: { anyOf: [out(Index), CsvText] } },
      },
      handler: async (request, reply) => {
        const t = scoped(request, 'taxpayer');
        const period = boundedPeriod(request.query);
        const { branch, unit } = await reportScope(deps, request, t, request.query);
        const all = await periodDocuments(deps.fleet.store.db, { taxpayerId: t.id, branchId: branch?.id, unitId: unit?.id }, period);
        const page = pageOf(all, request.query, ['archive', t.id, branch?.id, unit?.id, period.label]);
        const documents = page.rows.map((d) => ({
          vatNumber: t.vat_number,
          branch: d.branch_name,
          unit: d.unit_name,
          issueDate: d.issue_date,
          issueTime: d.issue_time,
          number: d.number,
          uuid: d.uuid,
          icv: d.icv,
          pih: d.pih,
          invoiceHash: d.invoice_hash,
          documentType: d.document_type,
          kind: d.kind,
          state: d.state ?? 'none',
          cleared: d.cleared_at !== null,
          qr: d.qr,
        }));
        if (request.query.format === 'csv') {
          if (page.nextCursor) void reply.header('x-next-cursor', page.nextCursor);
          return reply.type('text/csv; charset=utf-8').send(
            csvLines(
              [
                'vat_number',
                'branch',
                'unit',
                'issue_date',
                'issue_time',
                'number',
                'uuid',
                'icv',
                'pih',
                'invoice_hash',
                'document_type',
                'kind',
                'state',
                'cleared',
                'qr',
              ],
              documents.map((e) => [
                e.vatNumber,
                e.branch,
                e.unit,
                e.issueDate,
                e.issueTime,
                e.number,
                e.uuid,
                e.icv,
                e.pih,
                e.invoiceHash,
                e.documentType,
                e.kind,
                e.state,
                e.cleared,
                e.qr,
              ]),
            ),
          );
        }
        return { vatNumber: t.vat_number, period: period.label, retainUntil: retainUntil(period.to), documents, nextCursor: page.nextCursor };
      },
    });
  },
});
