// Users: list and create (administrators; a taxpayer's administrator within that taxpayer), and
// disable or enable an account. Passwords go in, never out.
import { z } from 'zod';
import { resolveBranch, resolveTaxpayer, resolveUnit, type FleetContext } from '../../egs/index.js';
import { tenants, type Taxpayer } from '../../store/index.js';
import { FawtaraError } from '../../errors.js';
import { PASSWORD_MAX } from '../access/passwords.js';
import { forbidden } from '../access/errors.js';
import { assertTaxpayer } from '../access/principal.js';
import { ROLES } from '../access/roles.js';
import { createUser, findUser, listUsers, setUserDisabled } from '../access/users.js';
import { defineRoutes, principalOf } from '../plugin.js';
import { js, out, Ref, VatNumber } from '../schema.js';
import { UserView, userView } from '../views.js';

const UserBody = z.strictObject({
  username: z.string().min(3).max(64),
  password: z.string().min(1).max(PASSWORD_MAX),
  role: z.enum(ROLES),
  displayName: z.string().max(100).optional(),
  taxpayer: VatNumber.optional(),
  branch: Ref.optional(),
  unit: Ref.optional(),
});
const UserParams = z.strictObject({ username: z.string().min(3).max(64) });

export default defineRoutes({
  name: 'users',
  tag: { name: 'users', description: 'Users, roles and scopes' },
  register(app, deps) {
    app.get('/api/v1/users', {
      config: { operation: 'listUsers', access: 'users:read' },
      schema: { summary: 'Users within your scope', response: { 200: out(z.object({ users: z.array(UserView) })) } },
      handler: async (request) => {
        const p = principalOf(request);
        return { users: (await listUsers(deps.access, { taxpayerId: p.taxpayerId, branchId: p.branchId })).map(userView) };
      },
    });

    app.post<{ Body: z.infer<typeof UserBody> }>('/api/v1/users', {
      config: { operation: 'addUser', access: 'users:write' },
      schema: {
        summary: 'Create a user with a role and a scope (taxpayer, branch, unit)',
        body: js(UserBody),
        response: { 201: out(z.object({ user: UserView })) },
      },
      handler: async (request, reply) => {
        const p = principalOf(request);
        const b = request.body;
        const fleet = deps.fleet;
        // A taxpayer's administrator creates users of its own taxpayer unless it names one (checked below).
        let taxpayer = p.taxpayerId !== null ? await taxpayerById(fleet, p.taxpayerId) : null;
        if (b.taxpayer && taxpayer?.vat_number !== b.taxpayer) {
          // Checked before the lookup: a scoped administrator learns nothing about other taxpayers.
          if (p.taxpayerId !== null) throw forbidden('OUT_OF_SCOPE', 'this taxpayer is outside your access', 'هذا المكلف خارج نطاق صلاحياتك', 'taxpayer');
          taxpayer = await resolveTaxpayer(fleet, b.taxpayer);
        }
        if (taxpayer) assertTaxpayer(p, taxpayer.id);
        if ((b.branch || b.unit) && !taxpayer)
          throw new FawtaraError('INVALID_INPUT', 'taxpayer: name the taxpayer of the branch or unit', {
            field: 'taxpayer',
            messageAr: 'حدد المكلف الذي يتبعه الفرع أو الوحدة',
          });
        const branch = b.branch && taxpayer ? await resolveBranch(fleet, taxpayer, b.branch) : null;
        const unit = b.unit && taxpayer ? await resolveUnit(fleet, taxpayer, b.unit) : null;
        const user = await createUser(deps.access, p, {
          username: b.username,
          password: b.password,
          role: b.role,
          ...(b.displayName && { displayName: b.displayName }),
          taxpayer,
          branch,
          unit,
        });
        request.auditDetail = { username: user.username, role: user.role };
        void reply.code(201);
        return { user: userView(user) };
      },
    });

    for (const [verb, disabled] of [
      ['disable', true],
      ['enable', false],
    ] as const) {
      app.post<{ Params: z.infer<typeof UserParams>; Body: Record<string, never> }>(`/api/v1/users/:username/${verb}`, {
        config: { operation: `${verb}User`, access: 'users:write' },
        schema: {
          summary: `${verb === 'disable' ? 'Disable a user (ends its sessions)' : 'Enable a user again'}`,
          params: js(UserParams),
          body: js(z.strictObject({})),
          response: { 200: out(z.object({ user: UserView })) },
        },
        handler: async (request) => {
          const user = await findUser(deps.access, request.params.username);
          if (!user)
            throw new FawtaraError('NOT_FOUND', `no user ${request.params.username}`, {
              field: 'username',
              messageAr: `لا يوجد مستخدم ${request.params.username}`,
            });
          return { user: userView(await setUserDisabled(deps.access, principalOf(request), user, disabled)) };
        },
      });
    }
  },
});

async function taxpayerById(fleet: FleetContext, id: string): Promise<Taxpayer> {
  const t = await tenants.findTaxpayerById(fleet.store.db, id);
  if (!t) throw new FawtaraError('NOT_FOUND', 'your taxpayer no longer exists', { field: 'taxpayer', messageAr: 'المكلف غير موجود' });
  return t;
}
