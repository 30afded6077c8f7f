// Taxpayers: list (within the caller's scope), register (global administrators), show one with
// its branches and unit counts, add a VAT-group member.
import { z } from 'zod';
import { addMember, addTaxpayer, UNIT_STATES } from '../../egs/index.js';
import { tenants, units } from '../../store/index.js';
import { forbidden } from '../access/errors.js';
import { defineRoutes, fleetFor, principalOf, scoped } from '../plugin.js';
import { js, out, TaxpayerParams, VatNumber } from '../schema.js';
import { TaxpayerView, taxpayerView } from '../views.js';
import { TIN } from '../../model/identifiers.js';

const TaxpayerBody = z.strictObject({
  vatNumber: VatNumber,
  nameAr: z.string().min(1).max(127),
  nameEn: z.string().max(127).optional(),
  vatGroup: z.boolean().optional(),
  businessCategory: z.string().max(127).optional(),
  members: z
    .array(z.strictObject({ tin: z.string().regex(TIN), name: z.string().min(1).max(127) }))
    .max(1000)
    .optional(),
});
const MemberBody = z.strictObject({ tin: z.string().regex(TIN), name: z.string().min(1).max(127) });
const Member = z.object({ tin: z.string(), name: z.string() });
const TaxpayerDetail = z.object({
  taxpayer: TaxpayerView,
  members: z.array(Member),
  branches: z.array(z.object({ id: z.string(), name: z.string(), city: z.string(), units: z.number() })),
  units: z.object({ total: z.number(), byState: z.record(z.string(), z.number()) }),
});

export default defineRoutes({
  name: 'taxpayers',
  tag: { name: 'taxpayers', description: 'Taxpayers (VAT numbers) and VAT-group members' },
  register(app, deps) {
    app.get('/api/v1/taxpayers', {
      config: { operation: 'listTaxpayers', access: 'fleet:read' },
      schema: { summary: 'Taxpayers within your scope', response: { 200: out(z.object({ taxpayers: z.array(TaxpayerView) })) } },
      handler: async (request) => {
        const p = principalOf(request);
        const all = await tenants.listTaxpayers(deps.fleet.store.db);
        return { taxpayers: all.filter((t) => p.taxpayerId === null || t.id === p.taxpayerId).map(taxpayerView) };
      },
    });

    app.post<{ Body: z.infer<typeof TaxpayerBody> }>('/api/v1/taxpayers', {
      config: { operation: 'addTaxpayer', access: 'taxpayers:write' },
      schema: { summary: 'Register a taxpayer (global administrators)', body: js(TaxpayerBody), response: { 201: out(z.object({ taxpayer: TaxpayerView })) } },
      handler: async (request, reply) => {
        if (principalOf(request).taxpayerId !== null)
          throw forbidden('OUT_OF_SCOPE', 'only a global administrator registers taxpayers', 'لا يسجل المكلفين إلا مدير عام');
        const t = await addTaxpayer(fleetFor(deps, request), request.body as Parameters<typeof addTaxpayer>[1]);
        request.auditDetail = { vatNumber: t.vat_number };
        void reply.code(201);
        return { taxpayer: taxpayerView(t) };
      },
    });

    app.get<{ Params: z.infer<typeof TaxpayerParams> }>('/api/v1/taxpayers/:vat', {
      config: { operation: 'showTaxpayer', access: 'fleet:read' },
      schema: {
        summary: 'A taxpayer with its members, branches (within your scope) and units per state',
        params: js(TaxpayerParams),
        response: { 200: out(TaxpayerDetail) },
      },
      handler: async (request) => {
        const p = principalOf(request);
        const t = scoped(request, 'taxpayer');
        const db = deps.fleet.store.db;
        const branches = (await tenants.listBranches(db, t.id)).filter((b) => p.branchId === null || b.id === p.branchId);
        const all = (await units.listUnits(db, t.id)).filter(
          (u) => (p.branchId === null || u.branch_id === p.branchId) && (p.unitId === null || u.id === p.unitId),
        );
        const byState = Object.fromEntries(UNIT_STATES.map((s) => [s, all.filter((u) => u.state === s).length] as const).filter(([, n]) => n > 0));
        return {
          taxpayer: taxpayerView(t),
          members: (await tenants.listMembers(db, t.id)).map((m) => ({ tin: m.tin, name: m.name })),
          branches: branches.map((b) => ({ id: b.id, name: b.name, city: b.city, units: all.filter((u) => u.branch_id === b.id).length })),
          units: { total: all.length, byState },
        };
      },
    });

    app.post<{ Params: z.infer<typeof TaxpayerParams>; Body: z.infer<typeof MemberBody> }>('/api/v1/taxpayers/:vat/members', {
      config: { operation: 'addVatGroupMember', access: 'taxpayers:write' },
      schema: {
        summary: 'Add a member (10-digit TIN) to a VAT group',
        params: js(TaxpayerParams),
        body: js(MemberBody),
        response: { 201: out(z.object({ member: Member })) },
      },
      handler: async (request, reply) => {
        const m = await addMember(fleetFor(deps, request), scoped(request, 'taxpayer'), request.body);
        void reply.code(201);
        return { member: { tin: m.tin, name: m.name } };
      },
    });
  },
});
