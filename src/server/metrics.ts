// The server's Prometheus metrics: one registry per server (several servers in one process never
// share a series), request and sale observations from hooks, and the database gauges read on scrape.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { ENDED_UNIT_STATES } from '../egs/index.js';
import { FawtaraError } from '../errors.js';
import { AT_RISK_MS } from '../outbox/status.js';
import { metricsQueries, PENDING_SUBMISSION_STATES } from '../store/index.js';
import type { ServerDeps } from './plugin.js';

export interface MetricsOptions {
  /** The bearer token a scraper sends (FAWTARA_METRICS_TOKEN); without it /metrics answers 404. */
  token?: string;
}

export interface ServerMetrics {
  registry: Registry;
  /** SHA-256 of the configured token (compared in constant time), or undefined: metrics are off. */
  tokenHash: Buffer | undefined;
  /** Stop listening to the fleet (the server closes; the fleet may outlive it). */
  close(): void;
}

/** A scrape token is a secret a person generates: at least this long (e.g. `openssl rand -hex 32`). */
export const METRICS_TOKEN_MIN_LENGTH = 32;

/** Seconds; from a cached sale (a few ms) to a standard invoice waiting for clearance (10 s). */
const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** The operations that issue a document: the POS sale and the API's issue call. */
const ISSUING: Readonly<Record<string, string>> = { posSale: 'pos', issueDocument: 'api' };

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Does `Authorization: Bearer <token>` carry the configured token? Hash-then-compare: constant time whatever the lengths. */
export function metricsTokenMatches(m: ServerMetrics, authorization: string | undefined): boolean {
  if (!m.tokenHash || !authorization?.startsWith('Bearer ')) return false;
  return timingSafeEqual(sha256(authorization.slice('Bearer '.length).trim()), m.tokenHash);
}

/** The registry, the request hooks and the scrape-time gauges of one server. Call before routes are registered. */
export function installMetrics(app: FastifyInstance, deps: ServerDeps, options: MetricsOptions = {}): ServerMetrics {
  const token = options.token?.trim();
  if (token !== undefined && token.length < METRICS_TOKEN_MIN_LENGTH) {
    throw new FawtaraError('USAGE', `FAWTARA_METRICS_TOKEN must be at least ${METRICS_TOKEN_MIN_LENGTH} characters (e.g. openssl rand -hex 32)`, {
      field: 'FAWTARA_METRICS_TOKEN',
      messageAr: `يجب ألا يقل FAWTARA_METRICS_TOKEN عن ${METRICS_TOKEN_MIN_LENGTH} حرفاً`,
    });
  }
  const registry = new Registry();
  // Off: no hooks, no listener, no event-loop monitor (the defaults start one that is never stopped).
  if (!token) return { registry, tokenHash: undefined, close: () => undefined };
  collectDefaultMetrics({ register: registry });
  observeRequests(app, registry);
  const close = observeZatca(deps, registry);
  databaseGauges(deps, registry);
  return { registry, tokenHash: sha256(token), close };
}

function observeRequests(app: FastifyInstance, registry: Registry): void {
  const registers = [registry];
  const requests = new Histogram({
    name: 'fawtara_http_request_duration_seconds',
    help: 'Requests by operation (the route table: bounded) and status class, from arrival to the last byte',
    labelNames: ['operation', 'status_class'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const sales = new Counter({
    name: 'fawtara_pos_sales_total',
    help: 'POS sales by outcome: released (201), awaiting_clearance (202), replayed (200, a retried UUID), refused (4xx), failed (5xx)',
    labelNames: ['outcome'] as const,
    registers,
  });
  const saleLatency = new Histogram({
    name: 'fawtara_pos_sale_duration_seconds',
    help: 'POS sales answered 2xx, arrival to last byte',
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const issued = new Counter({
    name: 'fawtara_documents_issued_total',
    help: 'New documents issued by this instance, by route (pos, api)',
    labelNames: ['route'] as const,
    registers,
  });
  const issueLatency = new Histogram({
    name: 'fawtara_issue_duration_seconds',
    help: "Issuing a new document: the route's handler (build, stamp, chain append, commit; standard: the clearance wait), by route",
    labelNames: ['route'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const started = new WeakMap<FastifyRequest, number>();
  app.addHook('preHandler', async (request) => {
    if (ISSUING[request.routeOptions.config.operation ?? '']) started.set(request, performance.now());
  });
  // Registered before the server's own onSend (headers, audit row): the handler's time only.
  app.addHook('onSend', async (request, reply, payload) => {
    const route = ISSUING[request.routeOptions.config.operation ?? ''];
    const t = started.get(request);
    if (route && t !== undefined && (reply.statusCode === 201 || reply.statusCode === 202)) {
      issued.inc({ route });
      issueLatency.observe({ route }, (performance.now() - t) / 1000);
    }
    return payload;
  });
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const operation = request.routeOptions.config.operation ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    requests.observe({ operation, status_class: `${Math.floor(reply.statusCode / 100)}xx` }, seconds);
    if (operation !== 'posSale') return;
    sales.inc({ outcome: saleOutcome(reply.statusCode) });
    if (reply.statusCode < 300) saleLatency.observe(seconds);
  });
}

function saleOutcome(status: number): string {
  if (status === 201) return 'released';
  if (status === 202) return 'awaiting_clearance';
  if (status < 300) return 'replayed';
  return status < 500 ? 'refused' : 'failed';
}

/** Every ZATCA call of this process (outbox, clearance, onboarding, renewal), as `egs/exchange.ts` logs it. */
function observeZatca(deps: ServerDeps, registry: Registry): () => void {
  const events = deps.fleet.events;
  if (!events) return () => undefined;
  const registers = [registry];
  const calls = new Counter({
    name: 'fawtara_zatca_exchanges_total',
    help: 'ZATCA calls by endpoint, outcome and HTTP status (none: no answer arrived)',
    labelNames: ['endpoint', 'outcome', 'status'] as const,
    registers,
  });
  const latency = new Histogram({
    name: 'fawtara_zatca_exchange_duration_seconds',
    help: 'ZATCA call duration by endpoint',
    labelNames: ['endpoint'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const listener = (e: { endpoint: string; outcome: string; httpStatus: number | null; seconds: number }) => {
    calls.inc({ endpoint: e.endpoint, outcome: e.outcome, status: e.httpStatus === null ? 'none' : String(e.httpStatus) });
    latency.observe({ endpoint: e.endpoint }, e.seconds);
  };
  events.on('zatcaExchange', listener);
  return () => events.off('zatcaExchange', listener);
}

/** Gauges read from the database on each scrape, with bounded queries (store/metrics-repository.ts). */
function databaseGauges(deps: ServerDeps, registry: Registry): void {
  const registers = [registry];
  const { store, clock } = deps.fleet;
  const db = store.db;
  new Gauge({
    name: 'fawtara_outbox_depth',
    help: 'Documents ZATCA does not hold yet, by state (to-submit, held)',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      const rows = await metricsQueries.waitingByState(db);
      for (const state of PENDING_SUBMISSION_STATES) this.set({ state }, rows.find((r) => r.state === state)?.n ?? 0);
    },
  });
  // Its own (queue-only) query: prom-client collects the gauges of one scrape concurrently.
  new Gauge({
    name: 'fawtara_outbox_oldest_age_seconds',
    help: 'Age of the oldest waiting document, by issue time (0: none)',
    registers,
    async collect() {
      const oldest = (await metricsQueries.waitingByState(db))
        .map((r) => r.oldestIssuedAt)
        .filter((x): x is string => x !== null)
        .sort()[0];
      this.set(oldest ? Math.max(0, (clock.now().getTime() - Date.parse(oldest)) / 1000) : 0);
    },
  });
  new Gauge({
    name: 'fawtara_outbox_deadline_documents',
    help: `Waiting documents past their reporting deadline (late) or within ${AT_RISK_MS / 3_600_000} h of it (at_risk)`,
    labelNames: ['window'] as const,
    registers,
    async collect() {
      const now = clock.now();
      const r = await metricsQueries.waitingDeadlines(db, now.toISOString(), new Date(now.getTime() + AT_RISK_MS).toISOString());
      this.set({ window: 'late' }, r.late);
      this.set({ window: 'at_risk' }, r.atRisk);
    },
  });
  new Gauge({
    name: 'fawtara_unit_certificate_days_left',
    help: "Whole days until each working unit's production certificate ends (one series per unit: a few thousand at most)",
    labelNames: ['taxpayer', 'unit'] as const,
    registers,
    async collect() {
      this.reset();
      const now = clock.now().getTime();
      for (const c of await metricsQueries.activeCertificateEnds(db, ENDED_UNIT_STATES)) {
        this.set({ taxpayer: c.vat, unit: c.unit }, Math.floor((Date.parse(c.notAfter) - now) / 86_400_000));
      }
    },
  });
  new Gauge({
    name: 'fawtara_branch_sync_lag_seconds',
    help: "Seconds since each branch node's last sync reached head office",
    labelNames: ['taxpayer', 'branch'] as const,
    registers,
    async collect() {
      this.reset();
      const now = clock.now().getTime();
      for (const b of await metricsQueries.branchSyncTimes(db))
        this.set({ taxpayer: b.vat, branch: b.branch }, Math.max(0, (now - Date.parse(b.lastSyncAt)) / 1000));
    },
  });
  const poolUse = store.poolUse;
  if (!poolUse) return; // SQLite: one connection, no pool to watch.
  new Gauge({
    name: 'fawtara_db_pool_connections',
    help: 'PostgreSQL pool of this instance: connections open (total), idle among them, and queries waiting for one (waiting)',
    labelNames: ['state'] as const,
    registers,
    collect() {
      const u = poolUse();
      this.set({ state: 'total' }, u.total);
      this.set({ state: 'idle' }, u.idle);
      this.set({ state: 'waiting' }, u.waiting);
    },
  });
}
