// The API's own description: /openapi.json (authenticated) generated from the route schemas, and
// /docs, the offline page with a login form that renders it.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DOCS_CSP, DOCS_HTML } from '../docs-page.js';
import { openApiDocument } from '../openapi.js';
import { defineRoutes } from '../plugin.js';
import { media, out } from '../schema.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export default defineRoutes({
  name: 'api-docs',
  tag: { name: 'api', description: 'The API description' },
  register(app, deps) {
    let cached: Record<string, unknown> | undefined;
    app.get('/openapi.json', {
      config: { operation: 'openApiDocument', access: 'api:read' },
      // Free-form: the document describes itself, and a fixed schema would strip its contents.
      schema: { summary: 'This API as OpenAPI 3.1', response: { 200: out(z.object({ openapi: z.string() }).catchall(z.unknown())) } },
      handler: async () => (cached ??= openApiDocument(deps.routes, deps.tags, VERSION)),
    });

    app.get('/docs', {
      config: { operation: 'apiDocsPage', access: 'public' },
      schema: { summary: 'Browsable API page (static; log in on the page to load /openapi.json)', response: { 200: media('text/html', 'the page') } },
      handler: async (_request, reply) => {
        void reply.type('text/html; charset=utf-8').header('content-security-policy', DOCS_CSP);
        return DOCS_HTML;
      },
    });
  },
});
