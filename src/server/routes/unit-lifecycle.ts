// Unit lifecycle actions (docs/fleet.md): onboard with a portal OTP, renew, retire. Each resumes
// like the CLI does; the OTP is registered with the redactor before anything can log it.
import { drainUnit } from '../../outbox/index.js';
import { z } from 'zod';
import { confirmRevocation, onboardUnit, renewUnit, retireUnit, REVOCATION_CAUSES } from '../../egs/index.js';
import type { FastifyInstance } from 'fastify';
import { defineRoutes, fleetFor, scoped, type ServerDeps } from '../plugin.js';
import { js, out, UnitParams } from '../schema.js';
import { UnitView, unitView } from '../views.js';

const Otp = z
  .string()
  .regex(/^\d{6}$/)
  .describe('6-digit OTP from the Fatoora portal');
const OnboardBody = z.strictObject({ otp: Otp.optional() });
const RenewBody = z.strictObject({ otp: Otp.optional() });
const RetireBody = z.strictObject({ force: z.boolean().optional(), reason: z.string().min(1).max(500).optional() });
const RevokeBody = z.strictObject({
  reason: z.string().min(1).max(500).describe('what the Fatoora portal shows (kept in the unit history)'),
  cause: z.enum(REVOCATION_CAUSES).optional().describe('portal (default), vat-deregistered, vat-suspended or vat-group'),
});
const Steps = z.object({ unit: UnitView, steps: z.array(z.string()) });

export default defineRoutes({
  name: 'unit-lifecycle',
  tag: { name: 'units', description: 'EGS units: register, list, show, watch expiry' },
  register(app, deps) {
    app.post<{ Params: z.infer<typeof UnitParams>; Body: z.infer<typeof OnboardBody> }>('/api/v1/taxpayers/:vat/units/:unit/onboard', {
      config: { operation: 'onboardUnit', access: 'units:lifecycle' },
      schema: {
        summary: 'Onboard a unit: CSR, compliance CSID (OTP), compliance documents, production CSID; resumes where it stopped',
        params: js(UnitParams),
        body: js(OnboardBody),
        response: { 200: out(Steps.extend({ alreadyActive: z.boolean(), pcsidExpiresAt: z.string().nullable() })) },
      },
      handler: async (request) => {
        const fleet = fleetFor(deps, request);
        if (request.body.otp) fleet.redactor.add(request.body.otp);
        const r = await onboardUnit(fleet, scoped(request, 'taxpayer'), scoped(request, 'unit').id, { ...(request.body.otp && { otp: request.body.otp }) });
        request.auditDetail = { steps: r.steps.length, state: r.unit.state };
        return { unit: await unitView(deps.fleet, r.unit), steps: r.steps, alreadyActive: r.alreadyActive, pcsidExpiresAt: r.pcsidExpiresAt };
      },
    });

    app.post<{ Params: z.infer<typeof UnitParams>; Body: z.infer<typeof RenewBody> }>('/api/v1/taxpayers/:vat/units/:unit/renew', {
      config: { operation: 'renewUnit', access: 'units:lifecycle' },
      schema: {
        summary: 'Renew the production CSID with a renewal OTP (200 or 428 path); resumable',
        params: js(UnitParams),
        body: js(RenewBody),
        response: { 200: out(Steps.extend({ path: z.enum(['200', '428']), pcsidExpiresAt: z.string(), alreadyRenewed: z.boolean() })) },
      },
      handler: async (request) => {
        const fleet = fleetFor(deps, request);
        if (request.body.otp) fleet.redactor.add(request.body.otp);
        const r = await renewUnit(fleet, scoped(request, 'taxpayer'), scoped(request, 'unit').id, {
          ...(request.body.otp && { otp: request.body.otp }),
          drain: async (unit) => void (await drainUnit(fleet, unit)),
        });
        request.auditDetail = { path: r.path, state: r.unit.state };
        return {
          unit: await unitView(deps.fleet, r.unit),
          steps: r.steps,
          path: r.path,
          pcsidExpiresAt: r.pcsidExpiresAt,
          alreadyRenewed: Boolean(r.alreadyRenewed),
        };
      },
    });

    app.post<{ Params: z.infer<typeof UnitParams>; Body: z.infer<typeof RetireBody> }>('/api/v1/taxpayers/:vat/units/:unit/retire', {
      config: { operation: 'retireUnit', access: 'units:lifecycle' },
      schema: {
        summary: 'Retire a unit locally; refused while documents wait for ZATCA unless force with a reason',
        params: js(UnitParams),
        body: js(RetireBody),
        response: { 200: out(z.object({ unit: UnitView })) },
      },
      handler: async (request) => {
        const fleet = fleetFor(deps, request);
        const u = await retireUnit(fleet, scoped(request, 'taxpayer'), scoped(request, 'unit').id, {
          ...request.body,
          drain: async (unit) => void (await drainUnit(fleet, unit)),
        });
        request.auditDetail = { force: Boolean(request.body.force), ...(request.body.reason && { reason: request.body.reason }) };
        return { unit: await unitView(deps.fleet, u) };
      },
    });

    registerRevoke(app, deps);
  },
});

/**
 * The operator confirms a revocation ZATCA made (docs/fleet.md): every instance refuses the unit's next
 * sale, since issuing re-reads the unit's state under its lock (docs/architecture.md "Several instances").
 */
function registerRevoke(app: FastifyInstance, deps: ServerDeps): void {
  app.post<{ Params: z.infer<typeof UnitParams>; Body: z.infer<typeof RevokeBody> }>('/api/v1/taxpayers/:vat/units/:unit/revoke', {
    config: { operation: 'revokeUnit', access: 'units:lifecycle' },
    schema: {
      summary: 'Confirm that ZATCA revoked the unit: its credentials are dropped and it never issues again',
      params: js(UnitParams),
      body: js(RevokeBody),
      response: { 200: out(z.object({ unit: UnitView })) },
    },
    handler: async (request) => {
      const fleet = fleetFor(deps, request);
      const u = await confirmRevocation(fleet, scoped(request, 'taxpayer'), scoped(request, 'unit').id, request.body);
      request.auditDetail = { reason: request.body.reason, cause: request.body.cause ?? 'portal' };
      return { unit: await unitView(deps.fleet, u) };
    },
  });
}
