// Branches of a taxpayer: list (a branch-scoped caller sees its own), register (administrators),
// show one.
import { z } from 'zod';
import { addBranch } from '../../egs/index.js';
import { tenants } from '../../store/index.js';
import { defineRoutes, fleetFor, principalOf, scoped } from '../plugin.js';
import { BranchParams, js, out, TaxpayerParams } from '../schema.js';
import { BranchView, branchView } from '../views.js';
import { CRN } from '../../model/identifiers.js';

const BranchBody = z.strictObject({
  name: z.string().min(1).max(100),
  crn: z.string().regex(CRN),
  street: z.string().min(1).max(127),
  buildingNumber: z.string().regex(/^\d{4}$/),
  district: z.string().min(1).max(127),
  city: z.string().min(1).max(127),
  postalCode: z.string().regex(/^\d{5}$/),
  shortAddress: z
    .string()
    .regex(/^[A-Z]{4}\d{4}$/)
    .optional(),
});

export default defineRoutes({
  name: 'branches',
  tag: { name: 'branches', description: "A taxpayer's branches" },
  register(app, deps) {
    app.get<{ Params: z.infer<typeof TaxpayerParams> }>('/api/v1/taxpayers/:vat/branches', {
      config: { operation: 'listBranches', access: 'fleet:read' },
      schema: { summary: 'Branches within your scope', params: js(TaxpayerParams), response: { 200: out(z.object({ branches: z.array(BranchView) })) } },
      handler: async (request) => {
        const p = principalOf(request);
        const all = await tenants.listBranches(deps.fleet.store.db, scoped(request, 'taxpayer').id);
        return { branches: all.filter((b) => p.branchId === null || b.id === p.branchId).map(branchView) };
      },
    });

    app.post<{ Params: z.infer<typeof TaxpayerParams>; Body: z.infer<typeof BranchBody> }>('/api/v1/taxpayers/:vat/branches', {
      config: { operation: 'addBranch', access: 'branches:write' },
      schema: {
        summary: 'Register a branch (name, CRN, address)',
        params: js(TaxpayerParams),
        body: js(BranchBody),
        response: { 201: out(z.object({ branch: BranchView })) },
      },
      handler: async (request, reply) => {
        const b = await addBranch(fleetFor(deps, request), scoped(request, 'taxpayer'), request.body);
        request.auditDetail = { branch: b.name };
        void reply.code(201);
        return { branch: branchView(b) };
      },
    });

    app.get<{ Params: z.infer<typeof BranchParams> }>('/api/v1/taxpayers/:vat/branches/:branch', {
      config: { operation: 'showBranch', access: 'fleet:read' },
      schema: { summary: 'One branch (by id or name)', params: js(BranchParams), response: { 200: out(z.object({ branch: BranchView })) } },
      handler: async (request) => ({ branch: branchView(scoped(request, 'branch')) }),
    });
  },
});
