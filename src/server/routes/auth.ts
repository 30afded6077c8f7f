// Sessions: log in (throttled), who am I, log out, change my password, and the one-time setup of
// the first administrator. Login and setup are public; everything else needs the session they give.
import { z } from 'zod';
import { changePassword } from '../access/users.js';
import { completeSetup, login, logout } from '../access/sessions.js';
import { PASSWORD_MAX } from '../access/passwords.js';
import { defineRoutes, principalOf } from '../plugin.js';
import { js, Ok, out } from '../schema.js';
import { UserView, userView } from '../views.js';

const LoginBody = z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(PASSWORD_MAX) });
const SetupBody = z.strictObject({
  setupToken: z.string().min(1).max(200),
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(PASSWORD_MAX),
  displayName: z.string().max(100).optional(),
});
const PasswordBody = z.strictObject({ currentPassword: z.string().min(1).max(PASSWORD_MAX), newPassword: z.string().min(1).max(PASSWORD_MAX) });
const Session = z.object({ token: z.string(), tokenType: z.literal('Bearer'), expiresAt: z.string(), idleMinutes: z.number(), user: UserView });
const Me = z.object({
  kind: z.enum(['user', 'device']),
  name: z.string(),
  role: z.string(),
  taxpayerId: z.string().nullable(),
  branchId: z.string().nullable(),
  unitId: z.string().nullable(),
});

export default defineRoutes({
  name: 'auth',
  tag: { name: 'auth', description: 'Login, sessions and first-admin setup' },
  register(app, deps) {
    app.post<{ Body: z.infer<typeof LoginBody> }>('/api/v1/auth/login', {
      config: { operation: 'login', access: 'public' },
      schema: {
        summary: 'Log in: a session token (expires; idle timeout). Throttled per user and per address.',
        body: js(LoginBody),
        response: { 200: out(Session) },
      },
      handler: async (request) => {
        const r = await login(deps.access, { username: request.body.username, password: request.body.password, ip: request.ip, requestId: request.id });
        return { token: r.token, tokenType: 'Bearer' as const, expiresAt: r.expiresAt, idleMinutes: r.idleMinutes, user: userView(r.user) };
      },
    });

    app.post<{ Body: z.infer<typeof SetupBody> }>('/api/v1/setup', {
      config: { operation: 'setupFirstAdmin', access: 'public' },
      schema: {
        summary: 'Create the first administrator with the one-time setup token printed by `fawtara serve` (or `fawtara users setup`)',
        body: js(SetupBody),
        response: { 201: out(z.object({ user: UserView })) },
      },
      handler: async (request, reply) => {
        const user = await completeSetup(deps.access, { ...request.body, ip: request.ip, requestId: request.id });
        void reply.code(201);
        return { user: userView(user) };
      },
    });

    app.get('/api/v1/auth/me', {
      config: { operation: 'whoAmI', access: 'session' },
      schema: { summary: 'The caller: role and scope', response: { 200: out(Me) } },
      handler: async (request) => {
        const p = principalOf(request);
        return { kind: p.kind, name: p.name, role: p.role, taxpayerId: p.taxpayerId, branchId: p.branchId, unitId: p.unitId };
      },
    });

    app.delete('/api/v1/auth/session', {
      config: { operation: 'logout', access: 'session' },
      schema: { summary: 'Log out: end this session', response: { 200: out(Ok) } },
      handler: async (request) => {
        const p = principalOf(request);
        if (p.sessionId) await logout(deps.access, p.sessionId);
        return { ok: true as const };
      },
    });

    app.post<{ Body: z.infer<typeof PasswordBody> }>('/api/v1/auth/password', {
      config: { operation: 'changePassword', access: 'session' },
      schema: { summary: 'Change my password (ends my other sessions)', body: js(PasswordBody), response: { 200: out(Ok) } },
      handler: async (request) => {
        await changePassword(deps.access, principalOf(request), request.body.currentPassword, request.body.newPassword, request.ip);
        return { ok: true as const };
      },
    });
  },
});
