// Head office's sync API: branch nodes push batches with their sync token (bound to one branch);
// administrators set each branch's reporting mode, create sync tokens and watch every branch's state.
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import type { FastifySchemaValidationError } from 'fastify/types/schema.js';
import { z } from 'zod';
import { resolveUnit } from '../../egs/index.js';
import { documentContext, tenants } from '../../store/index.js';
import { forbidden } from '../access/errors.js';
import { defineRoutes, fleetFor, principalOf, scoped, type ServerDeps } from '../plugin.js';
import { BranchParams, js, out, Ok, Ref, TaxpayerParams, VatNumber } from '../schema.js';
import { SyncError } from '../../sync/errors.js';
import {
  approveEnrolment,
  branchSyncStatus,
  createSyncToken,
  EnrolmentRequest,
  listEnrolments,
  listIncidents,
  listSyncTokens,
  MAX_TOKEN_DAYS,
  receiveBatch,
  refuseEnrolment,
  requestEnrolment,
  revokeSyncToken,
  setBranchSync,
} from '../../sync/index.js';
import { ReportingMode, SyncBatch, SyncResult } from '../../sync/protocol.js';

const Settings = z.strictObject({ reporting: ReportingMode, relayUnit: z.string().min(1).max(200).optional() });
const TokenBody = z.strictObject({ name: z.string().min(1).max(64).optional(), expiresInDays: z.number().int().min(1).max(MAX_TOKEN_DAYS).optional() });
const StatusView = z.object({
  branches: z.array(
    z.object({
      branch: z.string(),
      reporting: ReportingMode,
      relayUnit: z.string().nullable(),
      node: z.string().nullable(),
      lastSyncAt: z.string().nullable(),
      lastBatchId: z.string().nullable(),
      units: z.array(
        z.object({ serial: z.string(), name: z.string(), icv: z.number(), hash: z.string(), branchIcv: z.number().nullable(), lag: z.number().nullable() }),
      ),
      withBranch: z.number(),
      relayQueued: z.number(),
      incidents: z.number(),
    }),
  ),
});
const EnrolmentView = z.object({
  id: z.string(),
  branchId: z.string(),
  serial: z.string(),
  generation: z.number(),
  name: z.string(),
  environment: z.string(),
  certificateSerial: z.string(),
  notAfter: z.string(),
  state: z.string(),
  checks: z.array(z.object({ id: z.string(), status: z.string(), message: z.string() })),
  unitId: z.string().nullable(),
  requestedAt: z.string(),
  decidedAt: z.string().nullable(),
  decidedBy: z.string().nullable(),
});
const EnrolmentParams = z.strictObject({ vat: VatNumber, enrolment: Ref });
const EnrolmentQuery = z.strictObject({ state: z.enum(['pending', 'approved', 'refused']).optional() });
const TokenParams = z.strictObject({ vat: VatNumber, branch: Ref, token: z.string().regex(/^[0-9a-f]{16}$/) });
const TokenView = z.object({
  tokens: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      branchId: z.string(),
      createdAt: z.string(),
      createdBy: z.string(),
      expiresAt: z.string().nullable(),
      revokedAt: z.string().nullable(),
      lastUsedAt: z.string().nullable(),
    }),
  ),
});
const IncidentView = z.object({
  incidents: z.array(
    z.object({
      id: z.number(),
      unit_serial: z.string(),
      icv: z.number(),
      kind: z.string(),
      stored_hash: z.string().nullable(),
      received_hash: z.string().nullable(),
      batch_id: z.string(),
      message: z.string(),
      at: z.string(),
    }),
  ),
});

/**
 * The batch body is checked by zod itself, not by ajv: ajv's type coercion turns a nullable field's
 * null into "" or 0, changing the very content the batch id is the hash of (and the stored facts).
 */
function exactBody(schema: z.ZodType): FastifySchemaCompiler<unknown> {
  return () => (data: unknown) => {
    const r = schema.safeParse(data);
    if (r.success) return { value: data };
    const error: FastifySchemaValidationError[] = r.error.issues
      .slice(0, 10)
      .map((i) => ({ keyword: i.code, instancePath: `/${i.path.join('/')}`, schemaPath: '', params: {}, message: i.message }));
    return { error };
  };
}

export default defineRoutes({
  name: 'sync',
  tag: { name: 'sync', description: 'Branch nodes (distributed model): batches of stamped documents, reporting mode, status' },
  register(app, deps) {
    registerBatches(app, deps);
    registerBranchSetup(app, deps);
    registerSyncStatus(app, deps);
    registerEnrolmentRequests(app, deps);
    registerEnrolmentDecisions(app, deps);
    registerSyncTokens(app, deps);
  },
});

/** A branch node pushes its batch (its sync token names taxpayer and branch); its clock offset is recorded. */
function registerBatches(app: FastifyInstance, deps: ServerDeps): void {
  app.post<{ Body: SyncBatch }>('/api/v1/sync/batches', {
    config: { operation: 'pushSyncBatch', access: 'sync:write' },
    validatorCompiler: exactBody(SyncBatch),
    schema: {
      summary: 'A branch node pushes its documents (exact bytes), chain heads and submission outcomes; idempotent',
      body: js(SyncBatch),
      response: { 200: out(SyncResult) },
    },
    handler: async (request) => {
      const p = principalOf(request);
      if (p.role !== 'branch-node' || !p.branchId || !p.taxpayerId)
        throw forbidden('WRONG_ROLE', 'only a branch sync token may push batches (POST …/branches/{branch}/sync-tokens)', 'يرسل الدفعات رمز مزامنة الفرع فقط');
      const taxpayer = (await tenants.findTaxpayerById(deps.fleet.store.db, p.taxpayerId))!;
      const branch = (await tenants.findBranch(deps.fleet.store.db, taxpayer.id, p.branchId))!;
      const receivedAt = deps.fleet.clock.now();
      const nodeMs = request.body.nodeTime ? Date.parse(request.body.nodeTime) : Number.NaN;
      if (!Number.isNaN(nodeMs)) {
        await documentContext.recordClockOffset(deps.fleet.store.db, {
          taxpayer_id: taxpayer.id,
          branch_id: branch.id,
          node: request.body.node,
          reported_at: receivedAt.toISOString(),
          offset_ms: nodeMs - receivedAt.getTime(),
        });
      }
      try {
        const r = await receiveBatch(fleetFor(deps, request), taxpayer, branch, request.body);
        request.auditDetail = { batchId: r.batchId, stored: r.stored, already: r.already, replayed: r.replayed };
        return r;
      } catch (error) {
        if (error instanceof SyncError) request.auditDetail = { batchId: request.body.batchId, refused: error.reason };
        throw error;
      }
    },
  });
}

/** Head office sets a branch up: its reporting mode and its branch node's sync token. */
function registerBranchSetup(app: FastifyInstance, deps: ServerDeps): void {
  app.put<{ Params: z.infer<typeof BranchParams>; Body: z.infer<typeof Settings> }>('/api/v1/taxpayers/:vat/branches/:branch/sync', {
    config: { operation: 'setBranchSync', access: 'branches:write' },
    schema: {
      summary: "Set how the branch's documents reach ZATCA: the branch reports directly, or head office relays with relayUnit's CSID",
      params: js(BranchParams),
      body: js(Settings),
      response: { 200: out(Ok) },
    },
    handler: async (request) => {
      const ctx = fleetFor(deps, request);
      const taxpayer = scoped(request, 'taxpayer');
      const relayUnit = request.body.relayUnit ? await resolveUnit(ctx, taxpayer, request.body.relayUnit) : null;
      await setBranchSync(ctx, taxpayer, scoped(request, 'branch'), { reporting: request.body.reporting, relayUnit });
      request.auditDetail = { reporting: request.body.reporting };
      return { ok: true as const };
    },
  });

  app.post<{ Params: z.infer<typeof BranchParams>; Body: z.infer<typeof TokenBody> }>('/api/v1/taxpayers/:vat/branches/:branch/sync-tokens', {
    config: { operation: 'createSyncToken', access: 'tokens:manage' },
    schema: {
      summary: "Create the branch node's sync token; the token is in this response only",
      params: js(BranchParams),
      body: js(TokenBody),
      response: { 201: out(z.object({ token: z.string(), tokenType: z.literal('Bearer'), id: z.string(), expiresAt: z.string() })) },
    },
    handler: async (request, reply) => {
      const r = await createSyncToken(deps.fleet, scoped(request, 'branch'), { ...request.body, createdBy: principalOf(request).actor });
      request.auditDetail = { tokenId: r.id };
      void reply.code(201);
      return { token: r.token, tokenType: 'Bearer' as const, id: r.id, expiresAt: r.expiresAt };
    },
  });
}

/** Each branch node's sync state, and the chains head office refused. */
function registerSyncStatus(app: FastifyInstance, deps: ServerDeps): void {
  app.get<{ Params: z.infer<typeof TaxpayerParams> }>('/api/v1/taxpayers/:vat/sync/branches', {
    config: { operation: 'listBranchSync', access: 'fleet:read' },
    schema: {
      summary: "Each branch node's last sync, chain heads here and at the branch, and lag",
      params: js(TaxpayerParams),
      response: { 200: out(StatusView) },
    },
    handler: async (request) => ({ branches: await branchSyncStatus(deps.fleet, scoped(request, 'taxpayer'), principalOf(request).branchId ?? undefined) }),
  });

  app.get<{ Params: z.infer<typeof TaxpayerParams> }>('/api/v1/taxpayers/:vat/sync/incidents', {
    config: { operation: 'listSyncIncidents', access: 'fleet:read' },
    schema: {
      summary: 'Forked, gapped or invalid branch chains that head office refused (newest first)',
      params: js(TaxpayerParams),
      response: { 200: out(IncidentView) },
    },
    handler: async (request) => ({ incidents: await listIncidents(deps.fleet, scoped(request, 'taxpayer'), principalOf(request).branchId ?? undefined) }),
  });
}

/** A branch node offers a unit for enrolment; head office lists the offers. */
function registerEnrolmentRequests(app: FastifyInstance, deps: ServerDeps): void {
  app.post<{ Body: EnrolmentRequest }>('/api/v1/sync/enrolments', {
    config: { operation: 'requestSyncEnrolment', access: 'sync:write' },
    schema: {
      summary: "A branch node offers one of its units and the unit's production certificate; head office checks it and an administrator approves it",
      body: js(EnrolmentRequest),
      response: { 200: out(EnrolmentView) },
    },
    handler: async (request) => {
      const p = principalOf(request);
      if (p.role !== 'branch-node' || !p.branchId || !p.taxpayerId)
        throw forbidden('WRONG_ROLE', 'only a branch sync token may request an enrolment', 'يطلب التسجيل رمز مزامنة الفرع فقط');
      const taxpayer = (await tenants.findTaxpayerById(deps.fleet.store.db, p.taxpayerId))!;
      const branch = (await tenants.findBranch(deps.fleet.store.db, taxpayer.id, p.branchId))!;
      const view = await requestEnrolment(fleetFor(deps, request), taxpayer, branch, request.body, p.actor);
      request.auditDetail = { enrolment: view.id, serial: view.serial, state: view.state };
      return view;
    },
  });

  app.get<{ Params: z.infer<typeof TaxpayerParams>; Querystring: z.infer<typeof EnrolmentQuery> }>('/api/v1/taxpayers/:vat/sync/enrolments', {
    config: { operation: 'listSyncEnrolments', access: 'fleet:read' },
    schema: {
      summary: "Branch units offered for enrolment, with head office's checks of their certificates (newest first)",
      params: js(TaxpayerParams),
      querystring: js(EnrolmentQuery),
      response: { 200: out(z.object({ enrolments: z.array(EnrolmentView) })) },
    },
    handler: async (request) => {
      const branchId = principalOf(request).branchId ?? undefined;
      const enrolments = await listEnrolments(deps.fleet, scoped(request, 'taxpayer'), {
        ...(branchId && { branchId }),
        ...(request.query.state && { state: request.query.state }),
      });
      return { enrolments };
    },
  });
}

/** An administrator approves or refuses an enrolment. */
function registerEnrolmentDecisions(app: FastifyInstance, deps: ServerDeps): void {
  for (const decision of ['approve', 'refuse'] as const) {
    app.post<{ Params: z.infer<typeof EnrolmentParams> }>(`/api/v1/taxpayers/:vat/sync/enrolments/:enrolment/${decision}`, {
      config: { operation: decision === 'approve' ? 'approveSyncEnrolment' : 'refuseSyncEnrolment', access: 'taxpayers:write' },
      schema: {
        summary:
          decision === 'approve'
            ? "Approve a branch unit's enrolment: the checks run again, then the unit and its certificate are registered"
            : "Refuse a branch unit's enrolment",
        params: js(EnrolmentParams),
        body: js(z.strictObject({})),
        response: { 200: out(EnrolmentView) },
      },
      handler: async (request) => {
        const ctx = fleetFor(deps, request);
        const taxpayer = scoped(request, 'taxpayer');
        const view = await (decision === 'approve' ? approveEnrolment : refuseEnrolment)(ctx, taxpayer, request.params.enrolment);
        request.auditDetail = { enrolment: view.id, serial: view.serial, state: view.state };
        return view;
      },
    });
  }
}

/** A branch's sync tokens (never their secrets), and revoking one. */
function registerSyncTokens(app: FastifyInstance, deps: ServerDeps): void {
  app.get<{ Params: z.infer<typeof BranchParams> }>('/api/v1/taxpayers/:vat/branches/:branch/sync-tokens', {
    config: { operation: 'listSyncTokens', access: 'tokens:manage' },
    schema: {
      summary: "The branch's sync tokens (never their secrets): created, by whom, expiry, revocation, last use",
      params: js(BranchParams),
      response: { 200: out(TokenView) },
    },
    handler: async (request) => ({ tokens: await listSyncTokens(deps.fleet, scoped(request, 'taxpayer'), scoped(request, 'branch').id) }),
  });

  app.delete<{ Params: z.infer<typeof TokenParams> }>('/api/v1/taxpayers/:vat/branches/:branch/sync-tokens/:token', {
    config: { operation: 'revokeSyncToken', access: 'tokens:manage' },
    schema: {
      summary: 'Revoke a sync token at once: the branch node is refused from its next request',
      params: js(TokenParams),
      response: { 200: out(Ok) },
    },
    handler: async (request) => {
      await revokeSyncToken(fleetFor(deps, request), scoped(request, 'taxpayer'), request.params.token, scoped(request, 'branch').id);
      request.auditDetail = { tokenId: request.params.token };
      return { ok: true as const };
    },
  });
}
