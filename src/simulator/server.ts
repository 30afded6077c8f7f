// The simulator's HTTP face: fastify on 127.0.0.1 serving the six gateway endpoints under the three
// environment prefixes and the control API under /__sim/<env>, with size and time bounds.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ENDPOINT_ROUTES, SIMULATOR_REVOCATION_HEADER, type ZatcaEndpoint } from '../zatca/types.js';
import type { Checks } from './checks.js';
import { SimulatorClock, type Clock } from './clock.js';
import { DEFAULT_MAX_BODY_BYTES, defaultModes, REQUEST_TIMEOUT_MS, SIM_ENVIRONMENTS, type EnvironmentMode, type SimEnvironmentId } from './config.js';
import { EnvironmentControl } from './control.js';
import { registerControlRoutes, segmentOf } from './control-routes.js';
import { DEVELOPER_PORTAL_BEHAVIOUR } from './env-developer-portal.js';
import { engineChecks } from './engine-checks.js';
import { SimEnvironment, type GatewayRequest, type GatewayResponse } from './environment.js';
import { internalErrorBody, VERSION_NOT_SUPPORTED_TEXT } from './messages.js';
import { resolveSeed } from './random.js';

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Loopback only: the control API has no authentication. */
  host?: '127.0.0.1';
  /** Persist each environment's state as `<dataDir>/<env>.json`. */
  dataDir?: string;
  /** Seed for serials, secrets, request ids, OTPs and injected faults. */
  seed?: number | string;
  /** Base clock; the control API moves simulated time on top of it. */
  clock?: Clock;
  /** Request body bound (default 10 MiB, docs/zatca-notes.md §A7). */
  maxBodyBytes?: number;
  /** Per-environment overrides of the docs/zatca-notes.md §A12.1 flags. */
  modes?: Partial<Record<SimEnvironmentId, Partial<EnvironmentMode>>>;
  /**
   * `developer-portal`: the developer-portal environment behaves as ZATCA's real sandbox (docs/simulator.md):
   * one canned certificate for every CSR, OTP 123345, own-key signatures pass with a warning. `modes` still wins.
   */
  behaviour?: 'developer-portal';
  /** The engine seam; default the product's own modules. */
  checks?: Checks;
}

export interface SimulatorControl {
  clock: SimulatorClock;
  seed: string;
  /** Control of one environment, by gateway segment or client env id (`sandbox`, `production`). */
  env(id: SimEnvironmentId | 'sandbox' | 'production'): EnvironmentControl;
}

export interface RunningSimulator {
  /** `http://127.0.0.1:<port>`; gateway base URLs are `<url>/e-invoicing/<segment>`. */
  url: string;
  port: number;
  close(): Promise<void>;
  control: SimulatorControl;
}

const ENDPOINT_OF_ROUTE = new Map<string, ZatcaEndpoint>(
  (Object.entries(ENDPOINT_ROUTES) as Array<[ZatcaEndpoint, { method: string; path: string }]>).map(([endpoint, r]) => [`${r.method} ${r.path}`, endpoint]),
);

/** Serialise gateway work per environment so concurrent requests never interleave state changes. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function headersOf(request: FastifyRequest): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) out[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  return out;
}

/** Requests whose answer an injected fault drops once they have been processed. */
const LOSE_ANSWER = new WeakSet<FastifyRequest>();

function send(reply: FastifyReply, response: GatewayResponse): FastifyReply {
  reply.code(response.status);
  if (response.diagnostic) reply.header('x-simulator-diagnostic', response.diagnostic.replace(/[^\x20-\x7e]/g, '?'));
  if (response.revocation) reply.header(SIMULATOR_REVOCATION_HEADER, response.revocation.replace(/[^\x20-\x7e]/g, '?'));
  if (response.text !== undefined) return reply.type('text/plain;charset=UTF-8').send(response.text);
  if (response.body === undefined) return reply.send('');
  return reply.type('application/json').send(JSON.stringify(response.body));
}

interface EnvironmentEntry {
  env: SimEnvironment;
  control: EnvironmentControl;
  mutex: Mutex;
}
type Environments = Map<SimEnvironmentId, EnvironmentEntry>;

function createEnvironments(options: SimulatorOptions, seed: string, clock: SimulatorClock): Environments {
  const checks = options.checks ?? engineChecks();
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const modes = defaultModes();
  if (options.behaviour === 'developer-portal') Object.assign(modes['developer-portal'], DEVELOPER_PORTAL_BEHAVIOUR);
  const environments: Environments = new Map();
  for (const id of SIM_ENVIRONMENTS) {
    const mode = { ...modes[id], ...(options.modes?.[id] ?? {}) };
    const env = new SimEnvironment(id, mode, checks, clock, seed, options.dataDir, maxBodyBytes);
    environments.set(id, { env, control: new EnvironmentControl(env, clock, seed), mutex: new Mutex() });
  }
  return environments;
}

/** Fastify with the simulator's bounds, every body read as text, and ZATCA-shaped 4xx/5xx/404 answers. */
function createApp(maxBodyBytes: number): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: maxBodyBytes,
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionTimeout: REQUEST_TIMEOUT_MS * 2,
    forceCloseConnections: true,
    return503OnClosing: true,
  });
  // Bodies arrive as text whatever the content type, so malformed JSON is answered the way ZATCA
  // does (docs/zatca-notes.md §A12.2 step 7) instead of with fastify's own 400.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.setErrorHandler((error: { code?: string; statusCode?: number; message?: string }, _request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || error.statusCode === 413) return reply.code(413).send('');
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    return reply
      .code(status)
      .type('application/json')
      .send(JSON.stringify({ category: 'HTTP-Errors', code: String(status), message: 'The request could not be processed.' }));
  });
  app.setNotFoundHandler((_request, reply) =>
    reply
      .code(404)
      .type('application/json')
      .send(JSON.stringify({ status: 404, error: 'Not Found', message: '' })),
  );
  return app;
}

function entryOf(environments: Environments, request: FastifyRequest): EnvironmentEntry | undefined {
  return environments.get((request.params as { env: string }).env as SimEnvironmentId);
}

/**
 * docs/zatca-notes.md §A12.2 steps 2–3 run before the body is read, so a 406 or an injected fault never
 * depends on the body, and only then does the size bound (step 4) apply.
 */
function beforeBody(environments: Environments, endpoint: ZatcaEndpoint) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const entry = entryOf(environments, request);
    if (!entry) {
      reply.callNotFound();
      return reply;
    }
    if ((request.headers['accept-version'] ?? '') !== 'V2') return send(reply, { status: 406, text: VERSION_NOT_SUPPORTED_TEXT });
    const decision = entry.env.faults.decide(endpoint);
    if (!decision) return undefined;
    if (decision.delayMs) await sleep(decision.delayMs);
    // A lost answer is decided here but carried out after the handler has processed the request.
    if (decision.dropAnswer) LOSE_ANSWER.add(request);
    if (decision.drop) {
      reply.hijack();
      request.raw.socket?.destroy();
      return reply;
    }
    if (decision.status === 500) return send(reply, { status: 500, body: internalErrorBody(endpoint) });
    if (decision.status !== undefined) return send(reply, { status: decision.status });
    return undefined;
  };
}

function dispatch(env: SimEnvironment, endpoint: ZatcaEndpoint, gateway: GatewayRequest): GatewayResponse | Promise<GatewayResponse> {
  switch (endpoint) {
    case 'compliance-csid':
      return env.complianceCsid(gateway);
    case 'compliance-invoices':
      return env.complianceInvoices(gateway);
    case 'production-csid':
      return env.productionCsid(gateway);
    case 'renew-production-csid':
      return env.renewProductionCsid(gateway);
    case 'reporting':
      return env.reporting(gateway);
    case 'clearance':
      return env.clearance(gateway);
  }
}

function gatewayHandler(environments: Environments, endpoint: ZatcaEndpoint) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const entry = entryOf(environments, request)!;
    const gateway: GatewayRequest = { headers: headersOf(request), rawBody: typeof request.body === 'string' ? request.body : '' };
    if (entry.env.rateLimited(gateway)) return send(reply, { status: 429 });
    const response = await entry.mutex.run(async () => {
      try {
        return await dispatch(entry.env, endpoint, gateway);
      } catch (error) {
        return entry.env.internalError(endpoint, error);
      }
    });
    if (LOSE_ANSWER.delete(request)) {
      // Processed (state and history are written); the answer never reaches the caller.
      reply.hijack();
      request.raw.socket?.destroy();
      return reply;
    }
    return send(reply, response);
  };
}

function registerGateway(app: FastifyInstance, environments: Environments): void {
  for (const [key, endpoint] of ENDPOINT_OF_ROUTE) {
    const [method, path] = key.split(' ') as ['POST' | 'PATCH', string];
    app.route({
      method,
      url: `/e-invoicing/:env${path}`,
      onRequest: beforeBody(environments, endpoint),
      handler: gatewayHandler(environments, endpoint),
    });
  }
}

async function listen(app: FastifyInstance, port: number, host: string): Promise<number> {
  try {
    await app.listen({ port, host });
  } catch (error) {
    // A taken port: release what was set up, so the caller may try another port.
    await app.close();
    throw error;
  }
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : port;
}

/** Start the simulator. Every environment shares one clock; each has its own state and CA. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const host = '127.0.0.1';
  if (options.host !== undefined && options.host !== host) throw new Error('the simulator binds 127.0.0.1 only: its control API has no authentication');
  const seed = resolveSeed(options.seed);
  const clock = new SimulatorClock(options.clock);
  const environments = createEnvironments(options, seed, clock);
  const app = createApp(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  registerGateway(app, environments);
  registerControlRoutes(
    app,
    (id) => environments.get(id)!.control,
    () => ({ ok: true, seed, now: clock.now().toISOString() }),
  );
  const port = await listen(app, options.port ?? 0, host);
  return {
    url: `http://${host}:${port}`,
    port,
    close: async () => {
      await app.close();
    },
    control: {
      clock,
      seed,
      env(id) {
        const segment = segmentOf(id);
        if (!segment) throw new Error(`unknown simulator environment ${id}`);
        return environments.get(segment)!.control;
      },
    },
  };
}
