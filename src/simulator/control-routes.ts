// The simulator's control API (docs/zatca-notes.md §A12.11) under /__sim/<env>: the portal's and the
// tests' knobs, loopback only and unauthenticated; bodies are checked with zod, answers are JSON.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isFatooraEnv } from '../zatca/environments.js';
import { ENDPOINT_ROUTES, type ZatcaEndpoint } from '../zatca/types.js';
import { SIM_ENVIRONMENTS, type EnvironmentMode, type SimEnvironmentId } from './config.js';
import { ControlError, type EnvironmentControl, VAT_GROUP_EVENTS } from './control.js';
import { VAT_STATUSES } from './state.js';

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

/** A gateway segment (`developer-portal`) or a client environment id (`sandbox`) → the environment. */
export function segmentOf(id: string): SimEnvironmentId | undefined {
  if ((SIM_ENVIRONMENTS as readonly string[]).includes(id)) return id as SimEnvironmentId;
  if (isFatooraEnv(id)) return id === 'sandbox' ? 'developer-portal' : id === 'production' ? 'core' : 'simulation';
  return undefined;
}

type Route = (request: FastifyRequest) => unknown;

function bodyOf(request: FastifyRequest): unknown {
  const text = typeof request.body === 'string' ? request.body : '';
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ControlError(400, 'the body is not JSON', 'جسم الطلب ليس JSON');
  }
}

function json(reply: FastifyReply, status: number, value: unknown): FastifyReply {
  return reply.code(status).type('application/json').send(JSON.stringify(value));
}

/** Run one control route: its result as 200 JSON, a refusal in English and Arabic, never a stack trace. */
function handle(fn: Route) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    try {
      return json(reply, 200, (await fn(request)) ?? { ok: true });
    } catch (error) {
      if (error instanceof ControlError) return json(reply, error.status, { error: error.message, errorAr: error.messageAr });
      if (error instanceof z.ZodError) return json(reply, 400, { error: 'invalid control request', errorAr: 'طلب تحكم غير صالح', issues: error.issues });
      const message = error instanceof Error ? error.message : String(error);
      return json(reply, 500, { error: message.slice(0, 300) });
    }
  };
}

const BASE = '/__sim/:env';
const param = (r: FastifyRequest, name: string): string => (r.params as Record<string, string>)[name]!;

/** The portal's side: taxpayers and their status, OTPs, EGS units, revocation, VAT-group events. */
function registerPortalRoutes(app: FastifyInstance, control: (r: FastifyRequest) => EnvironmentControl): void {
  app.post(
    `${BASE}/taxpayers`,
    handle((r) => control(r).registerTaxpayer(taxpayerSchema.parse(bodyOf(r)) as Parameters<EnvironmentControl['registerTaxpayer']>[0])),
  );
  app.get(
    `${BASE}/taxpayers/:vat`,
    handle((r) => control(r).taxpayer(param(r, 'vat'))),
  );
  app.post(
    `${BASE}/taxpayers/:vat/status`,
    handle((r) => control(r).setVatStatus(param(r, 'vat'), statusSchema.parse(bodyOf(r)).status as never)),
  );
  app.post(
    `${BASE}/otps`,
    handle((r) => ({ otps: control(r).generateOtps(otpSchema.parse(bodyOf(r))) })),
  );
  app.get(
    `${BASE}/egs`,
    handle((r) => ({ egs: control(r).listEgs((r.query as { vat?: string }).vat) })),
  );
  app.get(
    `${BASE}/egs/:id`,
    handle((r) => control(r).view(control(r).egs(param(r, 'id')))),
  );
  app.post(
    `${BASE}/egs/:id/revoke`,
    handle((r) => control(r).revoke(param(r, 'id'), revokeSchema.parse(bodyOf(r))?.reason)),
  );
  app.get(
    `${BASE}/egs/:id/history`,
    // `?certificate=<serial>,…` (decimal, the unit's CSIDs) picks one generation of a re-onboarded device.
    handle((r) => {
      const certificates = String((r.query as { certificate?: string }).certificate ?? '')
        .split(',')
        .map((x) => x.trim())
        .filter((x) => /^\d{1,80}$/.test(x))
        .slice(0, 50);
      return { submissions: control(r).history(param(r, 'id'), certificates) };
    }),
  );
  app.post(
    `${BASE}/vat-groups/:groupVat/events`,
    handle((r) => control(r).vatGroupEvent(param(r, 'groupVat'), groupEventSchema.parse(bodyOf(r)) as never)),
  );
}

/** The tests' side: the clearance switch, simulated time, injected faults, the CA, mode flags, reset. */
function registerTestRoutes(app: FastifyInstance, control: (r: FastifyRequest) => EnvironmentControl): void {
  app.post(
    `${BASE}/clearance`,
    handle((r) => control(r).setClearance(clearanceSchema.parse(bodyOf(r)).enabled)),
  );
  app.get(
    `${BASE}/clock`,
    handle((r) => control(r).now()),
  );
  app.post(
    `${BASE}/clock`,
    handle((r) => {
      const input = clockSchema.parse(bodyOf(r));
      if ('advanceSeconds' in input) return control(r).advanceClock(input.advanceSeconds);
      const at = new Date(input.now);
      if (Number.isNaN(at.getTime())) throw new ControlError(400, 'now must be an ISO date-time', 'يجب أن يكون الوقت بصيغة ISO');
      return control(r).setClock(at);
    }),
  );
  app.post(
    `${BASE}/faults`,
    handle((r) => control(r).enqueueFault(faultSchema.parse(bodyOf(r)))),
  );
  app.post(
    `${BASE}/faults/rates`,
    handle((r) => control(r).setFaultRates(ratesSchema.parse(bodyOf(r)))),
  );
  app.delete(
    `${BASE}/faults`,
    handle((r) => {
      control(r).clearFaults();
      return { ok: true };
    }),
  );
  app.get(
    `${BASE}/faults/log`,
    handle((r) => ({ log: control(r).faultLog() })),
  );
  app.get(
    `${BASE}/ca`,
    handle((r) => control(r).certificateAuthority()),
  );
  app.get(
    `${BASE}/mode`,
    handle((r) => control(r).mode),
  );
  app.post(
    `${BASE}/mode`,
    handle((r) => control(r).configure(z.record(z.string(), z.unknown()).parse(bodyOf(r)) as Partial<EnvironmentMode>)),
  );
  app.post(
    `${BASE}/reset`,
    handle((r) => {
      control(r).reset();
      return { ok: true };
    }),
  );
}

/** Register the control API; `health` answers `GET /__sim/health`. */
export function registerControlRoutes(app: FastifyInstance, controlOf: (id: SimEnvironmentId) => EnvironmentControl, health: () => unknown): void {
  const control = (request: FastifyRequest): EnvironmentControl => {
    const id = segmentOf(param(request, 'env'));
    if (!id) throw new ControlError(404, 'unknown environment; use developer-portal, simulation or core', 'بيئة غير معروفة');
    return controlOf(id);
  };
  app.get('/__sim/health', handle(health));
  registerPortalRoutes(app, control);
  registerTestRoutes(app, control);
}
