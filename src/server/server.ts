// createServer: the fastify instance of the head-office API — authentication on every route but
// the few public ones, scope checks from the URL, one error format, audit rows, and route discovery.
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import pino from 'pino';
import type { FleetContext } from '../egs/index.js';
import { FawtaraError } from '../errors.js';
import { tenants, units, type StoreOptions } from '../store/index.js';
import { WorkerPool, type WorkerPoolOptions } from '../workers/pool.js';
import { startStampPool, stampThreadsFromEnv } from '../workers/stamp-pool.js';
import { appendAudit } from './access/audit.js';
import { checkCsrf, cookieCredential } from './access/browser.js';
import { accessContext, type AccessContext, type AccessPolicy } from './access/context.js';
import { forbidden } from './access/errors.js';
import { assertBranch, assertTaxpayer, assertUnit, authenticate } from './access/principal.js';
import { PERMISSIONS, roleAllows } from './access/roles.js';
import { toHttpError } from './errors.js';
import { strictJsonBodies } from './json-body.js';
import { installMetrics, type MetricsOptions } from './metrics.js';
import type { RequestScope, RouteModule, RouteRecord, ServerDeps } from './plugin.js';
import { ERROR_SCHEMA } from './schema.js';

/**
 * The only routes reachable without a token (docs/zatca-notes.md §P3: no access without login). `/docs` is the
 * static page holding the login form for the browsable API; it carries no data. Adding a route here
 * is a security decision: the tests list these exactly.
 */
export const PUBLIC_ROUTES: ReadonlySet<string> = new Set([
  'GET /health',
  'GET /metrics', // its own token, FAWTARA_METRICS_TOKEN (server/routes/metrics.ts)
  'POST /api/v1/auth/login',
  'POST /api/v1/setup',
  'GET /docs',
  // The console's login page and form, and its own script and style (docs/console.md).
  'GET /',
  'POST /console/login',
  'GET /console/assets/:file',
]);

export interface ServerOptions {
  fleet: FleetContext;
  policy?: Partial<AccessPolicy>;
  /** Where log lines go (after redaction); no sink, no logging. */
  log?: (line: string) => void;
  logLevel?: string;
  /** Route modules; default: every module in src/server/routes/. */
  routes?: RouteModule[];
  /** Modules added to the discovered ones (embedding, tests). */
  extraRoutes?: RouteModule[];
  /** Trust X-Forwarded-For from a reverse proxy in front (client address for throttling). */
  /** Hops of trusted reverse proxies (or their addresses); never `true`, which trusts any client. */
  trustProxy?: number | string;
  bodyLimit?: number;
  /**
   * Where the fleet's store is (as it was opened): worker threads open their own connection to it
   * for CPU-heavy work (the chain audit), so the event loop keeps serving sales and /health.
   */
  store?: StoreOptions;
  workers?: WorkerPoolOptions;
  metrics?: MetricsOptions;
  /**
   * Worker threads that sign issued documents (the chain is still hashed in ICV order on the event
   * loop); 0 signs on the event loop. Default: FAWTARA_STAMP_THREADS, else 0 (docs/server.md).
   */
  stampThreads?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    fawtara: ServerDeps;
  }
}

/** Every module in ./routes/ (one file each, default export), in file-name order. */
export async function discoverRouteModules(): Promise<RouteModule[]> {
  const dir = new URL('./routes/', import.meta.url);
  const files = readdirSync(dir)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts') && !f.startsWith('_'))
    .sort();
  const modules: RouteModule[] = [];
  for (const file of files) {
    const mod = (await import(new URL(file, dir).href)) as { default?: RouteModule };
    if (!mod.default || typeof mod.default.register !== 'function') throw new Error(`src/server/routes/${file} must default-export defineRoutes({...})`);
    modules.push(mod.default);
  }
  return modules;
}

/** N hops as proxy-addr's trust function (trust the N proxies nearest to us), or the proxies' addresses. */
function trustProxyOf(setting: number | string | undefined): string | false | ((address: string, hop: number) => boolean) {
  if (setting === undefined || setting === 0) return false;
  if (typeof setting === 'string') return setting;
  return (_address, hop) => hop < setting;
}

export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  const access = accessContext(options.fleet, options.policy);
  // The pino instance's exact generic is ours alone; everything here and every caller sees a plain FastifyInstance.
  const app = Fastify({
    loggerInstance: serverLogger(options),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    exposeHeadRoutes: false,
    trustProxy: trustProxyOf(options.trustProxy),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // Unknown fields are refused rather than silently dropped: a typo in a sale must not vanish.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
  }) as unknown as FastifyInstance;

  strictJsonBodies(app);
  await app.register(fastifyCookie);
  const deps: ServerDeps = { fleet: options.fleet, access, routes: [], tags: [] };
  const shareable = options.store && (options.store.databaseUrl || options.store.sqliteFile !== ':memory:');
  if (options.store && shareable) {
    const pool = new WorkerPool(options.workers);
    deps.workers = { pool, store: options.store };
    app.addHook('onClose', () => pool.close());
  }
  const stamping = startStampPool(options.fleet.store, options.stampThreads ?? stampThreadsFromEnv());
  if (stamping) app.addHook('onClose', () => stamping.close());
  app.decorate('fawtara', deps);
  deps.metrics = installMetrics(app as unknown as FastifyInstance, deps, options.metrics);
  app.addHook('onClose', async () => deps.metrics?.close());
  app.decorateRequest('principal', null);
  app.decorateRequest('scope', null as unknown as RequestScope);
  app.decorateRequest('auditDetail', undefined);
  app.decorateRequest('sessionToken', undefined);
  guardRoutes(app, deps.routes);
  guardRequests(app, deps);
  answerFailures(app, access);
  await registerRoutes(app, deps, [...(options.routes ?? (await discoverRouteModules())), ...(options.extraRoutes ?? [])]);
  await app.ready();
  return app;
}

/** The server's pino logger: every line redacted, never a header or a body. */
function serverLogger(options: ServerOptions) {
  const redact = (line: string) => options.fleet.redactor.redact(line);
  return pino(
    {
      level: options.log ? (options.logLevel ?? 'info') : 'silent',
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      // Never a header (Authorization), never a body (passwords, OTPs): method, path and id only.
      serializers: {
        req: (req: { method?: string; url?: string; id?: string }) => ({ method: req.method, url: (req.url ?? '').split('?')[0], id: req.id }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
      redact: { paths: ['password', '*.password', 'token', '*.token', 'otp', '*.otp', 'headers.authorization'], censor: '[REDACTED]' },
    },
    { write: (line: string) => options.log?.(redact(line)) },
  );
}

/** Every route declares its operation, access, response, params and body schemas; the record feeds OpenAPI. */
function guardRoutes(app: FastifyInstance, routes: RouteRecord[]): void {
  app.addHook('onRoute', (route) => {
    const method = Array.isArray(route.method) ? route.method.join(',') : route.method;
    const where = `${method} ${route.url}`;
    const cfg = route.config as { access?: string; operation?: string } | undefined;
    if (!cfg?.operation || !cfg.access) throw new Error(`route ${where} must declare config.operation and config.access (a permission or 'public')`);
    if (cfg.access === 'public' ? !PUBLIC_ROUTES.has(where) : !(cfg.access in PERMISSIONS)) {
      throw new Error(`route ${where}: access '${cfg.access}' is not allowed (public routes are listed in PUBLIC_ROUTES)`);
    }
    const schema = (route.schema ?? {}) as Record<string, unknown>;
    if (!schema.response) throw new Error(`route ${where} must declare a response schema`);
    if (route.url.includes(':') && !schema.params) throw new Error(`route ${where} must declare a params schema`);
    if (['POST', 'PUT', 'PATCH'].includes(method) && !schema.body) throw new Error(`route ${where} must declare a body schema`);
    route.schema = { ...schema, response: { ...(schema.response as object), '4xx': ERROR_SCHEMA, '5xx': ERROR_SCHEMA } };
    routes.push({ method, url: route.url, options: route as RouteRecord['options'] });
  });
}

/** Authentication and role (onRequest), CSRF and URL scope (preValidation), security headers and the audit row (onSend). */
function guardRequests(app: FastifyInstance, deps: ServerDeps): void {
  const access = deps.access;
  app.addHook('onRequest', async (request) => {
    request.principal = null;
    request.scope = {};
    const required = request.routeOptions.config.access;
    // No route matched: the not-found handler decides (401 for anonymous callers, 404 otherwise).
    if (required === undefined || required === 'public') return;
    // A browser carries its session in the HttpOnly cookie; every other client sends Bearer.
    const cookieToken = cookieCredential(request);
    request.sessionToken = cookieToken;
    const principal = await authenticate(access, request.headers.authorization ?? (cookieToken && `Bearer ${cookieToken}`), request.ip);
    request.principal = principal;
    if (!roleAllows(principal.role, required)) {
      throw forbidden(
        'WRONG_ROLE',
        `the ${principal.role} role may not do this (${request.routeOptions.config.operation})`,
        `لا يسمح الدور ${principal.role} بهذا الإجراء`,
      );
    }
  });

  // Runs before body validation: a caller outside the URL's scope hears 403, not a field error.
  app.addHook('preValidation', async (request) => {
    const p = request.principal;
    if (!p) return;
    // After body parsing (a plain form sends its token as `_csrf`), before anything is done.
    if (request.sessionToken) {
      const form = (request.body ?? {}) as { _csrf?: unknown };
      checkCsrf(request, request.sessionToken, typeof form._csrf === 'string' ? form._csrf : undefined);
    }
    const params = (request.params ?? {}) as Record<string, string | undefined>;
    await resolveScope(deps, request, p, params);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('referrer-policy')) reply.header('referrer-policy', 'no-referrer');
    if (!reply.hasHeader('x-frame-options')) reply.header('x-frame-options', 'DENY');
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    await auditRequest(access, request, reply.statusCode);
    return payload;
  });
}

/** One error format for everything thrown (a lost database is 503, never 500), and 401/404 for unknown paths. */
function answerFailures(app: FastifyInstance, access: AccessContext): void {
  app.setErrorHandler((error, request, reply) => {
    const e = toHttpError(error, request.id);
    if (e.status >= 500) request.log.error({ err: { message: (error as Error)?.message, code: (error as FawtaraError)?.code } }, 'request failed');
    void reply.code(e.status).headers(e.headers).send(e.body);
  });

  app.setNotFoundHandler(async (request) => {
    // Anonymous callers cannot probe which paths exist.
    const cookieToken = cookieCredential(request);
    await authenticate(access, request.headers.authorization ?? (cookieToken && `Bearer ${cookieToken}`), request.ip);
    throw new FawtaraError('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}; see /openapi.json`, {
      messageAr: 'لا يوجد مسار بهذا العنوان؛ راجع /openapi.json',
    });
  });
}

/**
 * Where every route is registered: each module (src/server/routes/, one file each, plus the
 * embedder's extras) in its own encapsulated scope, tagged for OpenAPI by its module.
 */
async function registerRoutes(app: FastifyInstance, deps: ServerDeps, modules: RouteModule[]): Promise<void> {
  const names = new Set<string>();
  for (const module of modules) {
    if (names.has(module.name)) throw new Error(`two route modules are named ${module.name}`);
    names.add(module.name);
    deps.tags.push(module.tag);
    await app.register(async (scope) => {
      scope.addHook('onRoute', (route) => {
        const schema = (route.schema ?? {}) as Record<string, unknown>;
        if (!schema.tags) route.schema = { ...schema, tags: [module.tag.name] };
      });
      await module.register(scope, deps);
    });
  }
}

async function resolveScope(
  deps: ServerDeps,
  request: FastifyRequest,
  p: NonNullable<FastifyRequest['principal']>,
  params: Record<string, string | undefined>,
): Promise<void> {
  if (params.vat === undefined) return;
  const db = deps.fleet.store.db;
  // A scoped caller learns nothing about taxpayers, branches or units outside its scope: 403, not 404.
  const hidden = (what: 'vat' | 'branch' | 'unit', ar: string) =>
    forbidden('OUT_OF_SCOPE', `this ${what === 'vat' ? 'taxpayer' : what} is outside your access`, `${ar} خارج نطاق صلاحياتك`, what);
  const notFound = (what: string, ref: string, ar: string) =>
    new FawtaraError('NOT_FOUND', `no ${what} "${ref}"`, { field: what, messageAr: `${ar} "${ref}" غير موجود` });
  const taxpayer = await tenants.findTaxpayerByVat(db, params.vat);
  if (!taxpayer) throw p.taxpayerId !== null ? hidden('vat', 'هذا المكلف') : notFound('taxpayer', params.vat, 'المكلف');
  assertTaxpayer(p, taxpayer.id);
  request.scope.taxpayer = taxpayer;
  if (params.branch !== undefined) {
    const branch = await tenants.findBranch(db, taxpayer.id, params.branch);
    if (!branch) throw p.branchId !== null ? hidden('branch', 'هذا الفرع') : notFound('branch', params.branch, 'الفرع');
    assertBranch(p, taxpayer.id, branch.id);
    request.scope.branch = branch;
  }
  if (params.unit !== undefined) {
    const unit = await units.findUnit(db, taxpayer.id, params.unit.trim().normalize('NFC'));
    if (!unit) throw p.branchId !== null ? hidden('unit', 'هذه الوحدة') : notFound('unit', params.unit, 'الوحدة');
    assertUnit(p, unit);
    request.scope.unit = unit;
  }
}

/** One audit row per write (and per refusal) by a known caller; reads are not logged row by row. */
async function auditRequest(access: AccessContext, request: FastifyRequest, status: number): Promise<void> {
  const p = request.principal;
  const cfg = request.routeOptions.config;
  if (!p || !cfg.operation) return;
  if (request.method === 'GET' && status !== 403) return;
  try {
    await appendAudit(access, {
      actor: p.actor,
      role: p.role,
      taxpayerId: request.scope?.taxpayer?.id ?? p.taxpayerId,
      branchId: request.scope?.unit?.branch_id ?? request.scope?.branch?.id ?? p.branchId,
      unitId: request.scope?.unit?.id ?? p.unitId,
      action: cfg.operation,
      target: request.url.split('?')[0] ?? null,
      outcome: status < 400 ? 'ok' : status === 401 || status === 403 ? 'denied' : 'error',
      status,
      ip: request.ip,
      requestId: request.id,
      ...(request.auditDetail && { detail: request.auditDetail }),
    });
  } catch (error) {
    request.log.error({ err: { message: (error as Error).message } }, 'audit log write failed');
  }
}
