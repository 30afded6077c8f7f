// The simulator's HTTP face: fastify on 127.0.0.1 serving the six gateway endpoints under the three
// environment prefixes and the control API under /__sim/<env>, with size and time bounds.
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ENDPOINT_ROUTES, SIMULATOR_REVOCATION_HEADER, type ZatcaEndpoint } from '../zatca/types.js';
import { isFatooraEnv } from '../zatca/environments.js';
import type { Checks } from './checks.js';
import { SimulatorClock, type Clock } from './clock.js';
import { DEFAULT_MAX_BODY_BYTES, defaultModes, REQUEST_TIMEOUT_MS, SIM_ENVIRONMENTS, type EnvironmentMode, type SimEnvironmentId } from './config.js';
import { ControlError, EnvironmentControl, VAT_GROUP_EVENTS } from './control.js';
import { engineChecks } from './engine-checks.js';
import { SimEnvironment, type GatewayRequest, type GatewayResponse } from './environment.js';
import { internalErrorBody, VERSION_NOT_SUPPORTED_TEXT } from './messages.js';
import { resolveSeed } from './random.js';
import { VAT_STATUSES } from './state.js';

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

function segmentOf(id: string): SimEnvironmentId | undefined {
  if ((SIM_ENVIRONMENTS as readonly string[]).includes(id)) return id as SimEnvironmentId;
  if (isFatooraEnv(id)) return id === 'sandbox' ? 'developer-portal' : id === 'production' ? 'core' : 'simulation';
  return undefined;
}

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

const taxpayerSchema = z.object({
  vat: z.string(),
  status: z.enum(VAT_STATUSES as [string, ...string[]]).optional(),
  groupVat: z.string().optional(),
  memberTin: z.string().optional(),
});
const otpSchema = z.object({ vat: z.string(), count: z.number().int().min(1).max(100).optional(), purpose: z.enum(['onboard', 'renew']).optional() });
const statusSchema = z.object({ status: z.enum(VAT_STATUSES as [string, ...string[]]) });
const groupEventSchema = z.object({ event: z.enum(VAT_GROUP_EVENTS as [string, ...string[]]), memberTin: z.string().optional() });
const clearanceSchema = z.object({ enabled: z.boolean() });
const clockSchema = z.union([z.object({ advanceSeconds: z.number() }), z.object({ now: z.string() })]);
const endpointSchema = z.enum([...(Object.keys(ENDPOINT_ROUTES) as [ZatcaEndpoint, ...ZatcaEndpoint[]]), '*']);
const faultSchema = z.object({
  endpoint: endpointSchema.default('*'),
  status: z.union([z.literal(413), z.literal(429), z.literal(500), z.literal(503), z.literal(504)]).optional(),
  drop: z.boolean().optional(),
  dropAnswer: z.boolean().optional(),
  delayMs: z.number().min(0).optional(),
  count: z.number().int().min(1).max(10_000).default(1),
});
const ratesSchema = z.object({
  serverError: z.number().min(0).max(1).optional(),
  rateLimited: z.number().min(0).max(1).optional(),
  slow: z.number().min(0).max(1).optional(),
  dropped: z.number().min(0).max(1).optional(),
  lostAnswer: z.number().min(0).max(1).optional(),
  slowMs: z.number().min(0).optional(),
});
const revokeSchema = z.object({ reason: z.string().max(200).optional() }).optional();

/** Start the simulator. Every environment shares one clock; each has its own state and CA. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const host = '127.0.0.1';
  if (options.host !== undefined && options.host !== host) throw new Error('the simulator binds 127.0.0.1 only: its control API has no authentication');
  const seed = resolveSeed(options.seed);
  const clock = new SimulatorClock(options.clock);
  const checks = options.checks ?? engineChecks();
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const modes = defaultModes();
  const environments = new Map<SimEnvironmentId, { env: SimEnvironment; control: EnvironmentControl; mutex: Mutex }>();
  for (const id of SIM_ENVIRONMENTS) {
    const mode = { ...modes[id], ...(options.modes?.[id] ?? {}) };
    const env = new SimEnvironment(id, mode, checks, clock, seed, options.dataDir, maxBodyBytes);
    environments.set(id, { env, control: new EnvironmentControl(env, clock, seed), mutex: new Mutex() });
  }

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

  // --- gateway -----------------------------------------------------------------------------
  for (const [key, endpoint] of ENDPOINT_OF_ROUTE) {
    const [method, path] = key.split(' ') as ['POST' | 'PATCH', string];
    app.route({
      method,
      url: `/e-invoicing/:env${path}`,
      // docs/zatca-notes.md §A12.2 steps 2–3 run before the body is read, so a 406 or an injected fault never
      // depends on the body, and only then does the size bound (step 4) apply.
      onRequest: async (request, reply) => {
        const entry = environments.get((request.params as { env: string }).env as SimEnvironmentId);
        if (!entry) return reply.callNotFound();
        if ((request.headers['accept-version'] ?? '') !== 'V2') {
          return send(reply, { status: 406, text: VERSION_NOT_SUPPORTED_TEXT });
        }
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
      },
      handler: async (request, reply) => {
        const entry = environments.get((request.params as { env: string }).env as SimEnvironmentId)!;
        const gateway: GatewayRequest = { headers: headersOf(request), rawBody: typeof request.body === 'string' ? request.body : '' };
        if (entry.env.rateLimited(gateway)) return send(reply, { status: 429 });
        const response = await entry.mutex.run(async () => {
          try {
            switch (endpoint) {
              case 'compliance-csid':
                return entry.env.complianceCsid(gateway);
              case 'compliance-invoices':
                return await entry.env.complianceInvoices(gateway);
              case 'production-csid':
                return entry.env.productionCsid(gateway);
              case 'renew-production-csid':
                return entry.env.renewProductionCsid(gateway);
              case 'reporting':
                return await entry.env.reporting(gateway);
              case 'clearance':
                return await entry.env.clearance(gateway);
            }
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
      },
    });
  }

  // --- control API (docs/zatca-notes.md §A12.11) -------------------------------------------------------------
  const control = (request: FastifyRequest): EnvironmentControl => {
    const id = segmentOf((request.params as { env: string }).env);
    if (!id) throw new ControlError(404, 'unknown environment; use developer-portal, simulation or core', 'بيئة غير معروفة');
    return environments.get(id)!.control;
  };
  const body = (request: FastifyRequest): unknown => {
    const text = typeof request.body === 'string' ? request.body : '';
    if (text.trim() === '') return {};
    try {
      return JSON.parse(text);
    } catch {
      throw new ControlError(400, 'the body is not JSON', 'جسم الطلب ليس JSON');
    }
  };
  const handle =
    (fn: (request: FastifyRequest) => unknown) =>
    async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
      try {
        const result = await fn(request);
        return reply
          .code(200)
          .type('application/json')
          .send(JSON.stringify(result ?? { ok: true }));
      } catch (error) {
        if (error instanceof ControlError) {
          return reply
            .code(error.status)
            .type('application/json')
            .send(JSON.stringify({ error: error.message, errorAr: error.messageAr }));
        }
        if (error instanceof z.ZodError) {
          return reply
            .code(400)
            .type('application/json')
            .send(JSON.stringify({ error: 'invalid control request', errorAr: 'طلب تحكم غير صالح', issues: error.issues }));
        }
        const message = error instanceof Error ? error.message : String(error);
        return reply
          .code(500)
          .type('application/json')
          .send(JSON.stringify({ error: message.slice(0, 300) }));
      }
    };
  const base = '/__sim/:env';
  app.get(
    '/__sim/health',
    handle(() => ({ ok: true, seed, now: clock.now().toISOString() })),
  );
  app.post(
    `${base}/taxpayers`,
    handle((r) => control(r).registerTaxpayer(taxpayerSchema.parse(body(r)) as Parameters<EnvironmentControl['registerTaxpayer']>[0])),
  );
  app.get(
    `${base}/taxpayers/:vat`,
    handle((r) => control(r).taxpayer((r.params as { vat: string }).vat)),
  );
  app.post(
    `${base}/taxpayers/:vat/status`,
    handle((r) => control(r).setVatStatus((r.params as { vat: string }).vat, statusSchema.parse(body(r)).status as never)),
  );
  app.post(
    `${base}/otps`,
    handle((r) => ({ otps: control(r).generateOtps(otpSchema.parse(body(r))) })),
  );
  app.get(
    `${base}/egs`,
    handle((r) => ({ egs: control(r).listEgs((r.query as { vat?: string }).vat) })),
  );
  app.get(
    `${base}/egs/:id`,
    handle((r) => {
      const c = control(r);
      return c.view(c.egs((r.params as { id: string }).id));
    }),
  );
  app.post(
    `${base}/egs/:id/revoke`,
    handle((r) => control(r).revoke((r.params as { id: string }).id, revokeSchema.parse(body(r))?.reason)),
  );
  app.get(
    `${base}/egs/:id/history`,
    // `?certificate=<serial>,…` (decimal, the unit's CSIDs) picks one generation of a re-onboarded device.
    handle((r) => {
      const certificates = String((r.query as { certificate?: string }).certificate ?? '')
        .split(',')
        .map((x) => x.trim())
        .filter((x) => /^\d{1,80}$/.test(x))
        .slice(0, 50);
      return { submissions: control(r).history((r.params as { id: string }).id, certificates) };
    }),
  );
  app.post(
    `${base}/vat-groups/:groupVat/events`,
    handle((r) => control(r).vatGroupEvent((r.params as { groupVat: string }).groupVat, groupEventSchema.parse(body(r)) as never)),
  );
  app.post(
    `${base}/clearance`,
    handle((r) => control(r).setClearance(clearanceSchema.parse(body(r)).enabled)),
  );
  app.get(
    `${base}/clock`,
    handle((r) => control(r).now()),
  );
  app.post(
    `${base}/clock`,
    handle((r) => {
      const input = clockSchema.parse(body(r));
      if ('advanceSeconds' in input) return control(r).advanceClock(input.advanceSeconds);
      const at = new Date(input.now);
      if (Number.isNaN(at.getTime())) throw new ControlError(400, 'now must be an ISO date-time', 'يجب أن يكون الوقت بصيغة ISO');
      return control(r).setClock(at);
    }),
  );
  app.post(
    `${base}/faults`,
    handle((r) => control(r).enqueueFault(faultSchema.parse(body(r)))),
  );
  app.post(
    `${base}/faults/rates`,
    handle((r) => control(r).setFaultRates(ratesSchema.parse(body(r)))),
  );
  app.delete(
    `${base}/faults`,
    handle((r) => {
      control(r).clearFaults();
      return { ok: true };
    }),
  );
  app.get(
    `${base}/faults/log`,
    handle((r) => ({ log: control(r).faultLog() })),
  );
  app.get(
    `${base}/ca`,
    handle((r) => control(r).certificateAuthority()),
  );
  app.get(
    `${base}/mode`,
    handle((r) => control(r).mode),
  );
  app.post(
    `${base}/mode`,
    handle((r) => control(r).configure(z.record(z.string(), z.unknown()).parse(body(r)) as Partial<EnvironmentMode>)),
  );
  app.post(
    `${base}/reset`,
    handle((r) => {
      control(r).reset();
      return { ok: true };
    }),
  );

  try {
    await app.listen({ port: options.port ?? 0, host });
  } catch (error) {
    // A taken port: release what was set up, so the caller may try another port.
    await app.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
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
