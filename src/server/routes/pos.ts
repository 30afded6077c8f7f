// The centralized model's POS endpoint: a till or dumb terminal posts a compact sale for its unit
// (device token), head office stamps it with that unit's key and answers in one call with the
// signed invoice, its QR and number — or, for a standard document, the cleared one.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { issueDateTime, issueDocument } from '../../issuing/index.js';
import { SaleBody, saleToInvoice, type Sale } from '../../pos/sale.js';
import { tenants } from '../../store/index.js';
import { FawtaraError } from '../../errors.js';
import { defineRoutes, fleetFor, principalOf, scoped } from '../plugin.js';
import { visibleUnitsOf } from '../documents/scope.js';
import { operatorOf, recordIssueContext } from '../documents/context.js';
import { js, out, UnitParams } from '../schema.js';
import { DocumentLinks, documentLinks } from '../documents/views.js';

const Receipt = z.object({
  number: z.string(),
  uuid: z.string(),
  icv: z.number(),
  invoiceHash: z.string(),
  kind: z.string(),
  issuedAt: z.string(),
  released: z.boolean().describe('false only for a standard document not cleared within the wait: do not hand it over yet'),
  xml: z.string().nullable().describe('the legal document: the signed simplified invoice, or the ZATCA-cleared standard one (null until cleared)'),
  qr: z.object({ base64: z.string(), pngUrl: z.string() }),
  totals: z.object({ currency: z.string(), taxExclusive: z.string(), vat: z.string(), payable: z.string() }),
  submission: z.object({ state: z.string(), lastMessage: z.string().nullable() }),
  replayed: z.boolean(),
  links: DocumentLinks,
});

export default defineRoutes({
  name: 'pos',
  tag: { name: 'pos', description: 'Centralized model: a POS posts a sale, gets the signed invoice and QR back' },
  register(app, deps) {
    app.post<{ Params: z.infer<typeof UnitParams>; Body: Sale }>('/api/v1/taxpayers/:vat/units/:unit/sales', {
      config: { operation: 'posSale', access: 'documents:issue' },
      schema: {
        summary:
          'Post a sale for this unit (a device token acts for its own unit): 201 with the signed invoice, QR and number; 202 when a standard invoice is not cleared within 10 s; 200 for a retried UUID',
        params: js(UnitParams),
        body: js(SaleBody),
        response: { 200: out(Receipt), 201: out(Receipt), 202: out(Receipt) },
      },
      handler: async (request, reply) => {
        const t = scoped(request, 'taxpayer');
        const u = scoped(request, 'unit');
        const ctx = fleetFor(deps, request);
        const receivedAt = ctx.clock.now();
        // Refused before anything is issued: a person may not sell in someone else's name.
        operatorOf(request, request.body.operator);
        const branch = await tenants.findBranch(deps.fleet.store.db, t.id, u.branch_id);
        if (!branch) throw new FawtaraError('NOT_FOUND', `unit ${u.name} has no branch`, { field: 'unit', messageAr: `لا يوجد فرع للوحدة ${u.name}` });
        const uuid = request.body.uuid ?? randomUUID();
        const invoice = saleToInvoice(request.body, { taxpayer: t, branch, unit: u, uuid, today: issueDateTime(ctx.clock.now()).issueDate });
        const r = await issueDocument(ctx, t, u.id, invoice, {
          clearanceWaitMs: 10_000,
          visibleUnits: await visibleUnitsOf(deps.fleet, principalOf(request), t),
        });
        request.auditDetail = { number: r.number, uuid: r.uuid, icv: r.icv, replayed: r.replayed };
        await recordIssueContext(deps, request, {
          documentId: r.id,
          taxpayerId: t.id,
          unitId: u.id,
          receivedAt,
          operator: request.body.operator,
          deviceTime: request.body.deviceTime,
        });
        const links = documentLinks(t.vat_number, u.id, r.id, r.kind);
        void reply.code(r.replayed ? 200 : r.released ? 201 : 202);
        return {
          number: r.number,
          uuid: r.uuid,
          icv: r.icv,
          invoiceHash: r.invoiceHash,
          kind: r.kind,
          issuedAt: r.issuedAt,
          released: r.released,
          xml: r.legalXml,
          qr: { base64: r.qr, pngUrl: links.qrPng },
          totals: r.totals,
          submission: { state: r.submission.state, lastMessage: r.submission.lastMessage },
          replayed: r.replayed,
          links,
        };
      },
    });
  },
});
