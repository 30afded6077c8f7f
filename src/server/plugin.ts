// The extension point: a route module is one file in src/server/routes/ that default-exports
// `defineRoutes({...})`; the server finds it, registers it, guards it and lists it in OpenAPI.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FleetContext } from '../egs/index.js';
import type { Branch, EgsUnit, StoreOptions, Taxpayer } from '../store/index.js';
import type { WorkerPool } from '../workers/pool.js';
import type { ServerMetrics } from './metrics.js';
import type { AccessContext } from './access/context.js';
import type { Principal } from './access/principal.js';
import type { Permission } from './access/roles.js';
import { forbidden } from './access/errors.js';

/** What every route module receives. Services take the fleet context (with the caller as actor). */
export interface ServerDeps {
  fleet: FleetContext;
  access: AccessContext;
  /** Every registered route, for the OpenAPI document. */
  routes: RouteRecord[];
  /** Every module's tag, in registration order. */
  tags: RouteModule['tag'][];
  /**
   * Worker threads for CPU-heavy work, with the store's location for their own connections; absent
   * when the store cannot be shared with a thread (an in-memory SQLite): the work then runs here.
   */
  workers?: { pool: WorkerPool; store: StoreOptions };
  /** This server's Prometheus registry and scrape token (server/metrics.ts); set by createServer, off without a token. */
  metrics?: ServerMetrics;
}

export interface RouteModule {
  /** Unique, e.g. `units`; also the default OpenAPI tag. */
  name: string;
  tag: { name: string; description: string };
  register(app: FastifyInstance, deps: ServerDeps): void | Promise<void>;
}

export function defineRoutes(module: RouteModule): RouteModule {
  return module;
}

export interface RouteRecord {
  method: string;
  url: string;
  /** Read lazily: module hooks may add tags after the route is recorded. */
  options: { schema?: Record<string, unknown>; config?: { operation?: string; access?: Permission | 'public'; console?: boolean } };
}

/** Entities named by the URL (`:vat`, `:branch`, `:unit`), resolved and scope-checked before the handler. */
export interface RequestScope {
  taxpayer?: Taxpayer;
  branch?: Branch;
  unit?: EgsUnit;
}

declare module 'fastify' {
  interface FastifySchema {
    summary?: string;
    description?: string;
    tags?: string[];
  }
  interface FastifyContextConfig {
    /** OpenAPI operationId and the audit log's action name. */
    operation?: string;
    /** The permission the route needs, or `public` (only health, login, setup and the docs shell). */
    access?: Permission | 'public';
    /** A console page or form (HTML for browsers), left out of the OpenAPI document. */
    console?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
    scope: RequestScope;
    /** Non-secret facts a handler adds to the audit row of this request. */
    auditDetail: Record<string, unknown> | undefined;
    /** The session token when it came in the console's cookie (the CSRF check and the console's API calls use it). */
    sessionToken: string | undefined;
  }
}

/** The caller; routes that are not public always have one (the auth hook ran). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw forbidden('WRONG_ROLE', 'no caller', 'لا يوجد مستخدم');
  return request.principal;
}

/** The fleet context acting as this caller: unit history and exchanges record `api:user:alice`. */
export function fleetFor(deps: ServerDeps, request: FastifyRequest): FleetContext {
  return { ...deps.fleet, actor: `api:${principalOf(request).actor}` };
}

export function scoped<K extends keyof RequestScope>(request: FastifyRequest, key: K): NonNullable<RequestScope[K]> {
  const v = request.scope[key];
  if (!v) throw new Error(`route ${request.routeOptions.url} uses request.scope.${key} but has no :${key === 'taxpayer' ? 'vat' : key} parameter`);
  return v as NonNullable<RequestScope[K]>;
}
