// Documents: issue on a unit (our invoice JSON), fetch the stamped XML, ZATCA's cleared XML and the
// QR image, and list/search by unit, branch, period and state — each confined to the caller's scope.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { FawtaraError } from '../../errors.js';
import { issueDocument, IssueError } from '../../issuing/index.js';
import { sellerOf } from '../../pos/sale.js';
import { qrPng } from '../../qr/image.js';
import { readAttachment } from '../../stamp/read.js';
import { parseInvoiceXml } from '../../xml/parse.js';
import { documentContext, documents, submissions, SUBMISSION_STATES, tenants, type EgsUnit, type Store, type Taxpayer } from '../../store/index.js';
import { defineRoutes, fleetFor, principalOf, scoped, type ServerDeps } from '../plugin.js';
import { js, media, out, Ref, TaxpayerParams, UnitParams } from '../schema.js';
import { searchDocuments } from '../documents/search.js';
import { recordIssueContext } from '../documents/context.js';
import { periodRange, scopedFilter, visibleUnitsOf } from '../documents/scope.js';
import { DocumentSummary, documentOfUnit, Issued, issuedView, summaryView } from '../documents/views.js';

const DocParams = UnitParams.extend({ document: z.string().min(1).max(200).describe('document id, UUID or invoice number') });
const IssueQuery = z.strictObject({
  wait: z.coerce.number().int().min(0).max(15).default(10).describe('standard documents: seconds to wait for clearance (0: leave it to the outbox)'),
});
const InvoiceBody = z
  .looseObject({})
  .describe('invoice JSON (docs/invoice-json.md) without seller, icv, pih, issueDate and issueTime: head office and the unit write them');
const ListQuery = z.strictObject({
  unit: Ref.optional(),
  branch: Ref.optional(),
  period: z.string().optional().describe('YYYY-MM or YYYY-MM-DD (KSA calendar)'),
  from: z.string().optional().describe('date (KSA day) or ISO instant, inclusive'),
  to: z.string().optional().describe('date (KSA day) or ISO instant, exclusive'),
  state: z.enum(SUBMISSION_STATES).optional(),
  kind: z.enum(['standard', 'simplified']).optional(),
  documentType: z.enum(['invoice', 'creditNote', 'debitNote', 'prepayment']).optional(),
  number: z.string().max(127).optional(),
  buyer: z.string().min(1).max(127).optional().describe("buyer's VAT number (exact) or a part of the buyer's name"),
  operator: z.string().min(1).max(64).optional().describe('the cashier id (or username) who made the sale'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(400).optional(),
});
const IssuedBy = z.object({
  actor: z.string().describe('the calling token: device:<id>, user:<name>'),
  operatorId: z.string().nullable(),
  operatorName: z.string().nullable(),
  deviceTime: z.string().nullable(),
  receivedAt: z.string(),
  driftMs: z.number().nullable().describe("the device's clock minus head office's at the sale"),
});
const Attempt = z.object({
  at: z.string(),
  endpoint: z.string(),
  attempt: z.number(),
  httpStatus: z.number().nullable(),
  outcome: z.string(),
  stateAfter: z.string(),
  messages: z.array(z.object({ severity: z.string(), code: z.string(), message: z.string() })).describe("ZATCA's validation messages, as it sent them"),
});
/** The stored JSON list of ZATCA's messages of one attempt (written by the outbox; read defensively). */
function messagesOf(text: string): Array<{ severity: string; code: string; message: string }> {
  try {
    const list = JSON.parse(text) as unknown;
    if (!Array.isArray(list)) return [];
    return list.map((m: Record<string, unknown>) => ({
      severity: String(m.severity ?? m.type ?? ''),
      code: String(m.code ?? ''),
      message: String(m.message ?? ''),
    }));
  } catch {
    return [];
  }
}
const Page = z.object({ documents: z.array(DocumentSummary), nextCursor: z.string().nullable() });
const XmlText = media('application/xml', 'the XML document, byte for byte as stored');

/**
 * The seller of a document issued on the unit: the registered taxpayer and the unit's branch, as on
 * the POS path. A body that names a seller is refused, not overwritten: a till cannot rename the seller.
 */
async function sellerOfUnit(store: Store, t: Taxpayer, u: EgsUnit, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  if ('seller' in body) {
    throw new IssueError(
      'ASSIGNED_FIELD',
      "seller: remove it from the input — head office writes the seller from the registered taxpayer (name, VAT number) and the unit's branch (CRN, address)",
      {
        field: 'seller',
        messageAr: 'seller: احذف هذا الحقل — يكتب المقر البائع من بيانات المكلف المسجل وفرع الوحدة (الاسم والرقم الضريبي والسجل التجاري والعنوان)',
      },
    );
  }
  const branch = await tenants.findBranch(store.db, t.id, u.branch_id);
  if (!branch) throw new FawtaraError('NOT_FOUND', `unit ${u.name} has no branch`, { field: 'unit', messageAr: `لا يوجد فرع للوحدة ${u.name}` });
  return sellerOf(t, branch);
}

export default defineRoutes({
  name: 'documents',
  tag: { name: 'documents', description: 'Issue documents on a unit; fetch XML, cleared XML and QR; list and search' },
  register(app, deps) {
    registerIssue(app, deps);
    registerSearch(app, deps);
    registerXml(app, deps);
    registerQr(app, deps);
  },
});

/** Issuing on a unit: the seller comes from the registry, never from the body. */
function registerIssue(app: FastifyInstance, deps: ServerDeps): void {
  app.post<{ Params: z.infer<typeof UnitParams>; Querystring: z.infer<typeof IssueQuery>; Body: Record<string, unknown> }>(
    '/api/v1/taxpayers/:vat/units/:unit/documents',
    {
      config: { operation: 'issueDocument', access: 'documents:issue' },
      schema: {
        summary: 'Issue a document on this unit (201; 202 when a standard document is not cleared within the wait; 200 for a replayed UUID)',
        params: js(UnitParams),
        querystring: js(IssueQuery),
        body: js(InvoiceBody),
        response: { 200: out(Issued), 201: out(Issued), 202: out(Issued) },
      },
      handler: async (request, reply) => {
        const t = scoped(request, 'taxpayer');
        const u = scoped(request, 'unit');
        const wait = request.query.wait;
        const receivedAt = deps.fleet.clock.now();
        const invoice = { ...request.body, seller: await sellerOfUnit(deps.fleet.store, t, u, request.body) };
        const r = await issueDocument(fleetFor(deps, request), t, u.id, invoice, {
          ...(wait === 0 ? { clearance: 'queue' } : { clearanceWaitMs: wait * 1000 }),
          visibleUnits: await visibleUnitsOf(deps.fleet, principalOf(request), t),
        });
        request.auditDetail = { number: r.number, uuid: r.uuid, icv: r.icv, replayed: r.replayed };
        await recordIssueContext(deps, request, { documentId: r.id, taxpayerId: t.id, unitId: u.id, receivedAt });
        void reply.code(r.replayed ? 200 : r.released ? 201 : 202);
        return issuedView(t.vat_number, r);
      },
    },
  );
}

/** The list within the caller's scope, and one document with its submission attempts. */
function registerSearch(app: FastifyInstance, deps: ServerDeps): void {
  app.get<{ Params: z.infer<typeof TaxpayerParams>; Querystring: z.infer<typeof ListQuery> }>('/api/v1/taxpayers/:vat/documents', {
    config: { operation: 'listDocuments', access: 'documents:read' },
    schema: {
      summary: 'Documents within your scope, newest first, by unit, branch, period, state, kind, type or number (keyset pages)',
      params: js(TaxpayerParams),
      querystring: js(ListQuery),
      response: { 200: out(Page) },
    },
    handler: async (request) => {
      const t = scoped(request, 'taxpayer');
      const q = request.query;
      const scope = await scopedFilter(deps.fleet, principalOf(request), t, q);
      const page = await searchDocuments(deps.fleet.store, {
        taxpayerId: t.id,
        ...scope,
        ...periodRange(q),
        ...(q.state && { state: q.state }),
        ...(q.kind && { kind: q.kind }),
        ...(q.documentType && { documentType: q.documentType }),
        ...(q.number && { number: q.number }),
        ...(q.buyer && { buyer: q.buyer }),
        ...(q.operator && { operator: q.operator }),
        limit: q.limit,
        ...(q.cursor && { cursor: q.cursor }),
      });
      return { documents: page.rows.map((r) => summaryView(t.vat_number, r)), nextCursor: page.nextCursor };
    },
  });

  app.get<{ Params: z.infer<typeof DocParams> }>('/api/v1/taxpayers/:vat/units/:unit/documents/:document', {
    config: { operation: 'showDocument', access: 'documents:read' },
    schema: {
      summary: 'One document of the unit (id, UUID or number) with its submission and links',
      params: js(DocParams),
      response: { 200: out(z.object({ document: DocumentSummary, attempts: z.array(Attempt), issuedBy: IssuedBy.nullable() })) },
    },
    handler: async (request) => {
      const t = scoped(request, 'taxpayer');
      const u = scoped(request, 'unit');
      const d = await documentOfUnit(deps.fleet.store, u, request.params.document);
      const page = await searchDocuments(deps.fleet.store, { taxpayerId: t.id, unitId: u.id, number: d.number, limit: 1 });
      const attempts = (await submissions.listAttempts(deps.fleet.store.db, d.id)).map((a) => ({
        at: a.at,
        endpoint: a.endpoint,
        attempt: Number(a.attempt),
        httpStatus: a.http_status === null ? null : Number(a.http_status),
        outcome: a.outcome,
        stateAfter: a.state_after,
        messages: messagesOf(a.messages),
      }));
      const c = await documentContext.findContext(deps.fleet.store.db, d.id);
      const issuedBy = c
        ? {
            actor: c.actor,
            operatorId: c.operator_id,
            operatorName: c.operator_name,
            deviceTime: c.device_time,
            receivedAt: c.received_at,
            driftMs: c.drift_ms === null ? null : Number(c.drift_ms),
          }
        : null;
      return { document: summaryView(t.vat_number, page.rows[0]!), attempts, issuedBy };
    },
  });
}

/** The stamped XML as stored, and ZATCA's cleared XML of a standard document. */
function registerXml(app: FastifyInstance, deps: ServerDeps): void {
  app.get<{ Params: z.infer<typeof DocParams> }>('/api/v1/taxpayers/:vat/units/:unit/documents/:document/xml', {
    config: { operation: 'documentXml', access: 'documents:read' },
    schema: { summary: 'The stamped XML exactly as stored and submitted (application/xml)', params: js(DocParams), response: { 200: XmlText } },
    handler: async (request, reply) => {
      const d = await documentOfUnit(deps.fleet.store, scoped(request, 'unit'), request.params.document);
      return reply.type('application/xml; charset=utf-8').send(d.xml);
    },
  });

  app.get<{ Params: z.infer<typeof DocParams> }>('/api/v1/taxpayers/:vat/units/:unit/documents/:document/cleared', {
    config: { operation: 'clearedDocumentXml', access: 'documents:read' },
    schema: {
      summary: "A standard document's ZATCA-cleared XML, the one given to the buyer (application/xml)",
      params: js(DocParams),
      response: { 200: XmlText },
    },
    handler: async (request, reply) => {
      const d = await documentOfUnit(deps.fleet.store, scoped(request, 'unit'), request.params.document);
      if (d.kind !== 'standard') {
        throw new FawtaraError('NOT_FOUND', `${d.number} is a simplified document: it is reported, not cleared; its stamped XML (…/xml) is the legal one`, {
          field: 'document',
          messageAr: `${d.number} مستند مبسط يُبلَّغ عنه ولا يُعتمد؛ نسخته الموقعة هي النسخة النظامية`,
        });
      }
      const cleared = await documents.findClearance(deps.fleet.store.db, d.id);
      if (!cleared) {
        const s = await submissions.findSubmission(deps.fleet.store.db, d.id);
        throw new FawtaraError(
          'UNIT_STATE',
          `${d.number} is not cleared (submission ${s?.state ?? 'unknown'}${s?.last_message ? `: ${s.last_message}` : ''}); it may not go to the buyer yet`,
          {
            field: 'document',
            messageAr: `${d.number} لم يُعتمد بعد من الهيئة (${s?.state ?? 'غير معروف'})؛ لا يُسلَّم للمشتري بعد`,
          },
        );
      }
      return reply.type('application/xml; charset=utf-8').send(cleared.xml);
    },
  });
}

/** The QR code as an image (a standard document's from its clearance). */
function registerQr(app: FastifyInstance, deps: ServerDeps): void {
  app.get<{ Params: z.infer<typeof DocParams> }>('/api/v1/taxpayers/:vat/units/:unit/documents/:document/qr.png', {
    config: { operation: 'documentQrPng', access: 'documents:read' },
    schema: {
      summary: "The document's QR code as a PNG image (404 when the document carries none; 409 for a standard one not yet cleared)",
      params: js(DocParams),
      response: { 200: media('image/png', 'the QR code (PNG)') },
    },
    handler: async (request, reply) => {
      const d = await documentOfUnit(deps.fleet.store, scoped(request, 'unit'), request.params.document);
      let qr = d.qr;
      if (!qr && d.kind === 'standard') {
        // A standard document's QR may come with ZATCA's clearance: the cleared XML's is the buyer's.
        const cleared = await documents.findClearance(deps.fleet.store.db, d.id);
        if (cleared) qr = readAttachment(parseInvoiceXml(cleared.xml), 'QR')?.text.trim() ?? '';
        else {
          throw new FawtaraError('UNIT_STATE', `${d.number} carries no QR code until ZATCA clears it; ask again once it is cleared`, {
            field: 'document',
            messageAr: `${d.number} لا يحمل رمز QR حتى تعتمده الهيئة؛ أعد الطلب بعد الاعتماد`,
          });
        }
      }
      if (!qr) throw new FawtaraError('NOT_FOUND', `${d.number} carries no QR code`, { field: 'document', messageAr: `${d.number} لا يحمل رمز QR` });
      return reply.type('image/png').send(await qrPng(qr));
    },
  });
}
