// Printed documents (docs/render.md): a document's PDF/A-3b (A4 or 80 mm receipt) and print HTML,
// rendered from the legal XML — the stamped one, or ZATCA's cleared one for standard documents.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { FawtaraError } from '../../errors.js';
import { DIGITS, FORMATS, LANGS } from '../../render/options.js';
import { documents, type IssuedDocument, type Store, submissions } from '../../store/index.js';
import { defineRoutes, scoped } from '../plugin.js';
import { js, media, UnitParams } from '../schema.js';
import { documentOfUnit } from '../documents/views.js';

const DocParams = UnitParams.extend({ document: z.string().min(1).max(200).describe('document id, UUID or invoice number') });
const PrintQuery = z.strictObject({
  format: z.enum(FORMATS).optional().describe('a4 (tax invoice, credit or debit note) or receipt (80 mm); default receipt for simplified, a4 for standard'),
  lang: z.enum(LANGS).default('both').describe('ar, en or both'),
  digits: z.enum(DIGITS).default('latin').describe('latin or arabic (Arabic-Indic) digits for amounts, quantities and dates'),
});
type Print = { Params: z.infer<typeof DocParams>; Querystring: z.infer<typeof PrintQuery> };

/** The XML the buyer receives: simplified as stamped; standard only once ZATCA has cleared it. */
async function legalXml(store: Store, d: IssuedDocument): Promise<string> {
  if (d.kind !== 'standard') return d.xml;
  const cleared = await documents.findClearance(store.db, d.id);
  if (cleared) return cleared.xml;
  const s = await submissions.findSubmission(store.db, d.id);
  throw new FawtaraError(
    'UNIT_STATE',
    `${d.number} is not cleared (submission ${s?.state ?? 'unknown'}); a standard document is printed from ZATCA's cleared XML only`,
    {
      field: 'document',
      messageAr: `${d.number} لم يُعتمد بعد من الهيئة (${s?.state ?? 'غير معروف'})؛ تُطبع الفاتورة الضريبية من نسختها المعتمدة فقط`,
    },
  );
}

export default defineRoutes({
  name: 'printouts',
  tag: { name: 'printouts', description: 'Printed documents: PDF/A-3b with the XML embedded, and print HTML' },
  register(app, deps) {
    const print = (output: 'pdf' | 'html') => async (request: FastifyRequest<Print>) => {
      const d = await documentOfUnit(deps.fleet.store, scoped(request, 'unit'), request.params.document);
      const xml = await legalXml(deps.fleet.store, d);
      const q = request.query;
      // pdfkit and the fonts load with the first printout, not with the server
      const { renderInvoice } = await import('../../render/index.js');
      return renderInvoice(Buffer.from(xml, 'utf8'), { output, lang: q.lang, digits: q.digits, ...(q.format && { format: q.format }) });
    };

    app.get<Print>('/api/v1/taxpayers/:vat/units/:unit/documents/:document/pdf', {
      config: { operation: 'documentPdf', access: 'documents:read' },
      schema: {
        summary: 'The printed document as PDF/A-3b with the legal XML embedded byte for byte (application/pdf)',
        params: js(DocParams),
        querystring: js(PrintQuery),
        response: { 200: media('application/pdf', 'PDF/A-3b: A4 or 80 mm receipt') },
      },
      handler: async (request, reply) => {
        const r = await print('pdf')(request);
        return reply.type('application/pdf').header('content-disposition', `inline; filename="${r.fileName}"`).send(r.body);
      },
    });

    app.get<Print>('/api/v1/taxpayers/:vat/units/:unit/documents/:document/html', {
      config: { operation: 'documentHtml', access: 'documents:read' },
      schema: {
        summary: 'The printed document as one HTML page with print CSS (text/html)',
        params: js(DocParams),
        querystring: js(PrintQuery),
        response: { 200: media('text/html', 'self-contained HTML, A4 or 80 mm print CSS') },
      },
      handler: async (request, reply) => {
        const r = await print('html')(request);
        // the page carries no script and loads nothing: say so to the browser
        return (
          reply
            .type('text/html; charset=utf-8')
            // the console's document page shows it in a frame of its own origin; no other site may
            .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'")
            .header('x-frame-options', 'SAMEORIGIN')
            .send(r.body)
        );
      },
    });
  },
});
