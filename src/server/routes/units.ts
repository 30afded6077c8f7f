// EGS units: list (filtered to the caller's branch or unit), register, show one with its
// certificates (never a secret) and history, and the expiry watch.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { addUnit, expiringUnits, UNIT_STATES } from '../../egs/index.js';
import { credentials, logs, tenants, units } from '../../store/index.js';
import { branchInScope, unitInScope } from '../documents/scope.js';
import { defineRoutes, fleetFor, principalOf, scoped, type ServerDeps } from '../plugin.js';
import { js, out, Ref, TaxpayerParams, UnitParams } from '../schema.js';
import { UnitView, unitView } from '../views.js';
import { EGS_SERIAL, TIN, UNIT_TITLES } from '../../model/identifiers.js';

const ListQuery = z.strictObject({ branch: Ref.optional(), state: z.enum(UNIT_STATES).optional() });
const UnitBody = z.strictObject({
  branch: Ref.optional().describe("required unless `replaces` is given (default: the replaced unit's branch)"),
  serial: z.string().regex(EGS_SERIAL).max(200).optional().describe("required unless `replaces` is given (default: the replaced unit's serial)"),
  title: z.enum(UNIT_TITLES).optional(),
  environment: z.enum(['sandbox', 'simulation', 'production']).optional(),
  name: z.string().min(1).max(64).optional(),
  memberTin: z.string().regex(TIN).optional(),
  replaces: Ref.optional(),
  /** `sealed` (default; a replacement keeps its predecessor's) or `pkcs11`: keys generated in the server's token (docs/keys.md). */
  keyProvider: z.enum(['sealed', 'pkcs11']).optional(),
});
const UnitDetail = z.object({
  unit: UnitView,
  csids: z.array(
    z.object({ kind: z.string(), purpose: z.string(), requestId: z.string(), status: z.string(), certificateSerial: z.string(), notAfter: z.string() }),
  ),
  history: z.array(z.object({ at: z.string(), from: z.string().nullable(), to: z.string(), actor: z.string(), reason: z.string() })),
  exchanges: z
    .array(
      z.object({ at: z.string(), endpoint: z.string(), httpStatus: z.number().nullable(), outcome: z.string(), messages: z.string(), durationMs: z.number() }),
    )
    .describe("the unit's latest 20 exchanges with ZATCA, newest first (messages: JSON list of ZATCA's {severity, code, message})"),
});
const ExpiringQuery = z.strictObject({ days: z.coerce.number().int().min(0).max(3650).default(30) });
const Expiring = z.object({ days: z.number(), units: z.array(z.object({ unit: UnitView, notAfter: z.string(), daysLeft: z.number() })) });

export default defineRoutes({
  name: 'units',
  tag: { name: 'units', description: 'EGS units: register, list, show, watch expiry' },
  register(app, deps) {
    registerListAndAdd(app, deps);
    registerShow(app, deps);
    registerExpiring(app, deps);
  },
});

/** Units within the caller's scope, and registering one (a branch manager in its own branch). */
function registerListAndAdd(app: FastifyInstance, deps: ServerDeps): void {
  app.get<{ Params: z.infer<typeof TaxpayerParams>; Querystring: z.infer<typeof ListQuery> }>('/api/v1/taxpayers/:vat/units', {
    config: { operation: 'listUnits', access: 'fleet:read' },
    schema: {
      summary: 'Units within your scope, optionally of one branch or state',
      params: js(TaxpayerParams),
      querystring: js(ListQuery),
      response: { 200: out(z.object({ units: z.array(UnitView) })) },
    },
    handler: async (request) => {
      const p = principalOf(request);
      const t = scoped(request, 'taxpayer');
      const db = deps.fleet.store.db;
      let branchId = p.branchId ?? undefined;
      if (request.query.branch) branchId = (await branchInScope(deps.fleet, p, t, request.query.branch)).id;
      const list = (await units.listUnits(db, t.id, { ...(branchId && { branchId }), ...(request.query.state && { states: [request.query.state] }) })).filter(
        (u) => p.unitId === null || u.id === p.unitId,
      );
      const branches = new Map((await tenants.listBranches(db, t.id)).map((b) => [b.id, b]));
      return { units: await Promise.all(list.map((u) => unitView(deps.fleet, u, branches))) };
    },
  });

  app.post<{ Params: z.infer<typeof TaxpayerParams>; Body: z.infer<typeof UnitBody> }>('/api/v1/taxpayers/:vat/units', {
    config: { operation: 'addUnit', access: 'units:write' },
    schema: {
      summary: 'Register a unit (state new); a branch manager registers in its own branch',
      params: js(TaxpayerParams),
      body: js(UnitBody),
      response: { 201: out(z.object({ unit: UnitView })) },
    },
    handler: async (request, reply) => {
      const p = principalOf(request);
      const t = scoped(request, 'taxpayer');
      // Replacing a device's old unit is an act on that unit too: it must be in scope as well.
      const replaced = request.body.replaces ? await unitInScope(deps.fleet, p, t, request.body.replaces) : undefined;
      const branch = await branchInScope(deps.fleet, p, t, request.body.branch ?? replaced?.branch_id ?? '');
      const u = await addUnit(fleetFor(deps, request), t, { ...request.body, branch: branch.id });
      request.auditDetail = { unit: u.name, serial: u.serial };
      void reply.code(201);
      return { unit: await unitView(deps.fleet, u) };
    },
  });
}

/** One unit with its certificates (no secrets), history and recent ZATCA exchanges. */
function registerShow(app: FastifyInstance, deps: ServerDeps): void {
  app.get<{ Params: z.infer<typeof UnitParams> }>('/api/v1/taxpayers/:vat/units/:unit', {
    config: { operation: 'showUnit', access: 'fleet:read' },
    schema: {
      summary: 'One unit (id, name or serial): state, certificates (no secrets), history',
      params: js(UnitParams),
      response: { 200: out(UnitDetail) },
    },
    handler: async (request) => {
      const u = scoped(request, 'unit');
      const db = deps.fleet.store.db;
      const scope = { taxpayerId: u.taxpayer_id, unitId: u.id };
      return {
        unit: await unitView(deps.fleet, u),
        csids: (await credentials.listCsids(db, scope)).map((c) => ({
          kind: c.kind,
          purpose: c.purpose,
          requestId: c.request_id,
          status: c.status,
          certificateSerial: c.certificate_serial,
          notAfter: c.not_after,
        })),
        history: (await units.listTransitions(db, u.taxpayer_id, u.id)).map((h) => ({
          at: h.at,
          from: h.from_state,
          to: h.to_state,
          actor: h.actor,
          reason: h.reason,
        })),
        exchanges: (await logs.recentExchanges(db, u.taxpayer_id, u.id, 20)).map((x) => ({
          at: x.at,
          endpoint: x.endpoint,
          httpStatus: x.http_status,
          outcome: x.outcome,
          messages: x.messages,
          durationMs: x.duration_ms,
        })),
      };
    },
  });
}

/** Units whose production CSID ends soon, within the caller's scope. */
function registerExpiring(app: FastifyInstance, deps: ServerDeps): void {
  app.get<{ Params: z.infer<typeof TaxpayerParams>; Querystring: z.infer<typeof ExpiringQuery> }>('/api/v1/taxpayers/:vat/expiring-units', {
    config: { operation: 'expiringUnits', access: 'fleet:read' },
    schema: {
      summary: 'Units whose production CSID ends within N days (ended ones become expired)',
      params: js(TaxpayerParams),
      querystring: js(ExpiringQuery),
      response: { 200: out(Expiring) },
    },
    handler: async (request) => {
      const p = principalOf(request);
      // The move to `expired` is the clock's, not the caller's: recorded as the system, naming who looked.
      const list = await expiringUnits({ ...deps.fleet, actor: `system:expiry (seen by ${p.actor})` }, scoped(request, 'taxpayer'), request.query.days);
      const visible = list.filter((e) => (p.branchId === null || e.unit.branch_id === p.branchId) && (p.unitId === null || e.unit.id === p.unitId));
      return {
        days: request.query.days,
        units: await Promise.all(visible.map(async (e) => ({ unit: await unitView(deps.fleet, e.unit), notAfter: e.notAfter, daysLeft: e.daysLeft }))),
      };
    },
  });
}
