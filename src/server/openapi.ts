// The OpenAPI 3.1 document, generated from the registered routes' own JSON schemas, so the
// description cannot drift from what the server validates and serializes.
import { PERMISSIONS } from './access/roles.js';
import type { RouteModule, RouteRecord } from './plugin.js';

type Json = Record<string, unknown>;

const STATUS_TEXT: Record<string, string> = {
  '200': 'OK',
  '201': 'Created',
  '4XX': 'Refused: { error: { code, message, messageAr, field?, reason? } }',
  '5XX': 'Server or ZATCA unavailable',
};

/**
 * A response's content by media type. A body marked with `contentMediaType` (schema.ts `media`) is
 * served as that type, not JSON; `anyOf` a JSON body and such a marked one (`?format=csv`) is both.
 */
function contentOf(body: Json): Record<string, { schema: Json }> {
  const typeOf = (s: Json) => (typeof s.contentMediaType === 'string' ? s.contentMediaType : 'application/json');
  const parts = Array.isArray(body.anyOf) ? (body.anyOf as Json[]) : [body];
  const content: Record<string, { schema: Json }> = {};
  for (const part of parts) {
    const type = typeOf(part);
    const seen = content[type];
    content[type] = { schema: seen ? { anyOf: [...(Array.isArray(seen.schema.anyOf) ? (seen.schema.anyOf as Json[]) : [seen.schema]), part] } : part };
  }
  return content;
}

export function openApiDocument(routes: readonly RouteRecord[], tags: ReadonlyArray<RouteModule['tag']>, version: string): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    if (r.options.config?.console) continue;
    const schema = (r.options.schema ?? {}) as Json;
    const cfg = r.options.config ?? {};
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const parameters: Json[] = [];
    for (const [where, key] of [
      ['path', 'params'],
      ['query', 'querystring'],
    ] as const) {
      const s = schema[key] as { properties?: Record<string, Json>; required?: string[] } | undefined;
      for (const [name, prop] of Object.entries(s?.properties ?? {})) {
        parameters.push({
          name,
          in: where,
          required: where === 'path' || (s?.required ?? []).includes(name),
          schema: prop,
          ...(prop.description ? { description: prop.description } : {}),
        });
      }
    }
    const responses: Json = {};
    for (const [status, body] of Object.entries((schema.response ?? {}) as Json)) {
      const code = status.toUpperCase();
      responses[code] = { description: STATUS_TEXT[code] ?? 'Response', content: contentOf(body as Json) };
    }
    const isPublic = cfg.access === 'public';
    (paths[path] ??= {})[r.method.toLowerCase()] = {
      operationId: cfg.operation,
      summary: schema.summary,
      tags: schema.tags,
      ...(parameters.length > 0 && { parameters }),
      ...(schema.body ? { requestBody: { required: true, content: { 'application/json': { schema: schema.body } } } } : {}),
      responses,
      security: isPublic ? [] : [{ bearer: [] }],
      'x-permission': cfg.access,
      ...(cfg.access && cfg.access !== 'public' && { 'x-writes': PERMISSIONS[cfg.access].write }),
    };
  }
  const seen = new Set<string>();
  return {
    openapi: '3.1.0',
    info: {
      title: 'Fawtara head-office API',
      version,
      description:
        'ZATCA e-invoicing (FATOORA Phase 2) for taxpayers with many branches and devices. Every operation except health, login and first-admin setup needs `Authorization: Bearer <token>` (a session from POST /api/v1/auth/login, or a device token bound to one unit). Errors: `{ error: { code, message, messageAr, field?, reason? } }`.',
    },
    tags: tags.filter((t) => !seen.has(t.name) && seen.add(t.name)),
    paths,
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'session token (fws_…) or device token (fwd_…)' } } },
    security: [{ bearer: [] }],
  };
}
