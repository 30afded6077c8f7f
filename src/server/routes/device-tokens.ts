// Per-device API tokens, each bound to one unit: a POS or terminal calls with it and can act for
// that unit only. The token is shown once, at creation; only its hash is kept.
import { z } from 'zod';
import { createDeviceToken, listDeviceTokens, revokeDeviceToken } from '../access/users.js';
import { defineRoutes, principalOf, scoped } from '../plugin.js';
import { js, out, UnitParams } from '../schema.js';
import { DeviceTokenView, deviceTokenView } from '../views.js';

const CreateBody = z.strictObject({ name: z.string().min(1).max(64).optional(), expiresInDays: z.number().int().min(1).max(730).optional() });
const TokenParams = UnitParams.extend({ tokenId: z.string().regex(/^[0-9a-f]{16}$/) });

export default defineRoutes({
  name: 'device-tokens',
  tag: { name: 'device tokens', description: 'Per-device API tokens bound to one unit' },
  register(app, deps) {
    app.post<{ Params: z.infer<typeof UnitParams>; Body: z.infer<typeof CreateBody> }>('/api/v1/taxpayers/:vat/units/:unit/tokens', {
      config: { operation: 'createDeviceToken', access: 'tokens:manage' },
      schema: {
        summary: 'Create a device token for this unit; the token is in this response only',
        params: js(UnitParams),
        body: js(CreateBody),
        response: { 201: out(z.object({ token: z.string(), tokenType: z.literal('Bearer'), deviceToken: DeviceTokenView })) },
      },
      handler: async (request, reply) => {
        const r = await createDeviceToken(deps.access, principalOf(request), scoped(request, 'unit'), request.body);
        request.auditDetail = { tokenId: r.row.id };
        void reply.code(201);
        return { token: r.token, tokenType: 'Bearer' as const, deviceToken: deviceTokenView(r.row) };
      },
    });

    app.get<{ Params: z.infer<typeof UnitParams> }>('/api/v1/taxpayers/:vat/units/:unit/tokens', {
      config: { operation: 'listDeviceTokens', access: 'tokens:manage' },
      schema: {
        summary: "The unit's device tokens (never the token itself)",
        params: js(UnitParams),
        response: { 200: out(z.object({ deviceTokens: z.array(DeviceTokenView) })) },
      },
      handler: async (request) => {
        const u = scoped(request, 'unit');
        return { deviceTokens: (await listDeviceTokens(deps.access, u.taxpayer_id, u.id)).map(deviceTokenView) };
      },
    });

    app.delete<{ Params: z.infer<typeof TokenParams> }>('/api/v1/taxpayers/:vat/units/:unit/tokens/:tokenId', {
      config: { operation: 'revokeDeviceToken', access: 'tokens:manage' },
      schema: {
        summary: 'Revoke a device token (effective at once)',
        params: js(TokenParams),
        response: { 200: out(z.object({ deviceToken: DeviceTokenView })) },
      },
      handler: async (request) => {
        const row = await revokeDeviceToken(deps.access, principalOf(request), scoped(request, 'unit'), request.params.tokenId);
        return { deviceToken: deviceTokenView(row) };
      },
    });
  },
});
