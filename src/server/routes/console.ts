// The operator console (docs/console.md): the login page at `/`, cookie sessions with CSRF checks,
// and server-rendered pages that read their data through this same API as the logged-in user.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { FawtaraError } from '../../errors.js';
import { consoleDb } from '../../store/migration-0013-console.js';
import { clearSessionCookie, cookieCredential, setSessionCookie } from '../access/browser.js';
import { authenticate, type Principal } from '../access/principal.js';
import type { Permission } from '../access/roles.js';
import { login, logout } from '../access/sessions.js';
import { consoleAsset } from '../console/assets.js';
import { callApi, LANG_COOKIE, pageContext, requestLocale, type PageContext } from '../console/context.js';
import { consoleErrorHandler } from '../console/errors.js';
import type { Html } from '../console/html.js';
import { isLocale } from '../console/i18n.js';
import { CONSOLE_CSP, consolePath, page } from '../console/layout.js';
import { loginPage } from '../console/pages/login.js';
import { CONSOLE_PAGES } from '../console/pages/index.js';
import { defineRoutes, principalOf, type ServerDeps } from '../plugin.js';
import { js, media, TaxpayerParams } from '../schema.js';

const HtmlPage = { 200: media('text/html', 'a console page') };
const Redirect = { 303: { type: 'string', description: 'to the next page' } };
const LoginForm = z.strictObject({ username: z.string().max(64), password: z.string().max(256), next: z.string().max(500).optional() });
const CsrfForm = z.strictObject({ _csrf: z.string().max(100).optional() });
const LanguageForm = CsrfForm.extend({ lang: z.enum(['en', 'ar']), back: z.string().max(1000).optional() });
const AnyQuery = { type: 'object', additionalProperties: { type: 'string', maxLength: 200 } };

/** A path on this console to return to after a form (never another site: no `//`, no scheme). */
function localPath(value: string | undefined): string {
  return value && /^\/console\/[^/\\]/.test(value) && !value.includes('//') ? value : '/';
}

const sendHtml = (reply: FastifyReply, text: string, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(text);

/** The taxpayer a logged-in caller lands on: its own, or (a global administrator) the first one. */
async function homeOf(app: FastifyInstance, request: FastifyRequest): Promise<string | undefined> {
  const r = await callApi(app, request, '/api/v1/taxpayers');
  const list = (r.json as { taxpayers?: Array<{ vatNumber?: string; vat?: string }> } | undefined)?.taxpayers ?? [];
  const first = list[0];
  return first?.vatNumber ?? first?.vat;
}

function registerPages(app: FastifyInstance, deps: ServerDeps): void {
  for (const p of CONSOLE_PAGES) {
    const render = async (request: FastifyRequest, reply: FastifyReply): Promise<{ ctx: PageContext; content: Html }> => {
      const principal: Principal = principalOf(request);
      const vat = (request.params as { vat: string }).vat;
      const ctx = pageContext(app, request, reply, principal, vat, requestLocale(request, await storedLocale(deps, principal)));
      return { ctx, content: await p.render(ctx) };
    };
    app.get(`/console/taxpayers/:vat/${p.path}`, {
      config: { operation: `console.${p.name}`, access: p.needs as Permission, console: true },
      schema: { summary: `Console page: ${p.name}`, params: p.params ?? js(TaxpayerParams), querystring: AnyQuery, response: HtmlPage },
      handler: async (request, reply) => {
        const { ctx, content } = await render(request, reply);
        return sendHtml(reply, p.bare ? `<!doctype html><html><body>${content.text}</body></html>` : page(ctx, p.title, content));
      },
    });
  }
}

/** The user's remembered language (users.locale); none for devices or before it is chosen. */
async function storedLocale(deps: ServerDeps, p: Principal): Promise<string | null> {
  if (p.kind !== 'user') return null;
  const row = await consoleDb(deps.fleet.store.db).selectFrom('users').select('locale').where('id', '=', p.id).executeTakeFirst();
  return row?.locale ?? null;
}

export default defineRoutes({
  name: 'console',
  tag: { name: 'console', description: 'The operator console (HTML pages for browsers; not an API)' },
  register(app, deps) {
    prepareConsole(app);
    registerHome(app, deps);
    registerLogin(app, deps);
    registerPreferences(app, deps);
    registerAssets(app);
    registerPages(app, deps);
  },
});

/** Form bodies, the console's security headers and its HTML error pages, for every console route. */
function prepareConsole(app: FastifyInstance): void {
  // Plain HTML forms (login, log out, language) post url-encoded fields; only within the console.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('content-security-policy', CONSOLE_CSP);
    // A browser under no-referrer sends `Origin: null` with a form post, which the CSRF check must
    // refuse; same-origin keeps the Origin of our own pages and still tells no other site anything.
    reply.header('referrer-policy', 'same-origin');
  });
  app.setErrorHandler(consoleErrorHandler);
}

/** `/`: the login page, or a logged-in caller's landing page. */
function registerHome(app: FastifyInstance, deps: ServerDeps): void {
  app.get<{ Querystring: { next?: string; lang?: string } }>('/', {
    config: { operation: 'console.home', access: 'public', console: true },
    schema: { summary: 'The console: the login page, or the overview once logged in', querystring: AnyQuery, response: { ...HtmlPage, ...Redirect } },
    handler: async (request, reply) => {
      const { lang, next } = request.query;
      if (isLocale(lang)) reply.setCookie(LANG_COOKIE, lang, { path: '/', sameSite: 'strict', httpOnly: true, maxAge: 365 * 86400 });
      const token = cookieCredential(request);
      if (token) {
        const p = await authenticate(deps.access, `Bearer ${token}`, request.ip).catch(() => undefined);
        if (p) {
          request.sessionToken = token;
          const vat = await homeOf(app, request);
          if (vat)
            return reply
              .code(303)
              .header('location', localPath(next) !== '/' ? localPath(next) : consolePath(vat, p.role === 'cashier' ? 'documents' : 'overview'))
              .send('');
        } else clearSessionCookie(request, reply);
      }
      return sendHtml(reply, loginPage(isLocale(lang) ? lang : requestLocale(request), undefined, localPath(next) === '/' ? undefined : next));
    },
  });
}

/** Log in (sets the session cookie) and log out. */
function registerLogin(app: FastifyInstance, deps: ServerDeps): void {
  app.post<{ Body: z.infer<typeof LoginForm> }>('/console/login', {
    config: { operation: 'console.login', access: 'public', console: true },
    schema: { summary: 'Log in from the console form: sets the session cookie', body: js(LoginForm), response: { ...HtmlPage, ...Redirect } },
    handler: async (request, reply) => {
      const locale = requestLocale(request);
      const origin = request.headers.origin;
      if (typeof origin === 'string' && origin !== `${request.protocol}://${request.host}`) {
        throw new FawtaraError('FORBIDDEN', 'cross-site login refused', { messageAr: 'رُفض تسجيل دخول من موقع آخر' });
      }
      try {
        const r = await login(deps.access, { username: request.body.username, password: request.body.password, ip: request.ip, requestId: request.id });
        setSessionCookie(request, reply, r.token, r.expiresAt);
        return reply
          .code(303)
          .header('location', `/${request.body.next ? `?next=${encodeURIComponent(localPath(request.body.next))}` : ''}`)
          .send('');
      } catch (error) {
        const e = error as FawtaraError;
        if (!(e instanceof FawtaraError) || (e.code !== 'UNAUTHENTICATED' && e.code !== 'THROTTLED')) throw error;
        return sendHtml(
          reply,
          loginPage(locale, { message: e.message, ...(e.messageAr && { messageAr: e.messageAr }) }, request.body.next),
          e.code === 'THROTTLED' ? 429 : 401,
        );
      }
    },
  });

  app.post<{ Body: z.infer<typeof CsrfForm> }>('/console/logout', {
    config: { operation: 'console.logout', access: 'session', console: true },
    schema: { summary: 'Log out from the console: ends the session, clears the cookie', body: js(CsrfForm), response: Redirect },
    handler: async (request, reply) => {
      const p = principalOf(request);
      if (p.sessionId) await logout(deps.access, p.sessionId);
      clearSessionCookie(request, reply);
      return reply.code(303).header('location', '/').send('');
    },
  });
}

/** The console's language, remembered for the user. */
function registerPreferences(app: FastifyInstance, deps: ServerDeps): void {
  app.post<{ Body: z.infer<typeof LanguageForm> }>('/console/language', {
    config: { operation: 'console.language', access: 'session', console: true },
    schema: { summary: "Switch the console's language; remembered for the user", body: js(LanguageForm), response: Redirect },
    handler: async (request, reply) => {
      const p = principalOf(request);
      if (p.kind === 'user') await consoleDb(deps.fleet.store.db).updateTable('users').set({ locale: request.body.lang }).where('id', '=', p.id).execute();
      reply.setCookie(LANG_COOKIE, request.body.lang, { path: '/', sameSite: 'strict', httpOnly: true, maxAge: 365 * 86400 });
      return reply.code(303).header('location', localPath(request.body.back)).send('');
    },
  });
}

function registerAssets(app: FastifyInstance): void {
  app.get<{ Params: { file: string } }>('/console/assets/:file', {
    config: { operation: 'console.asset', access: 'public', console: true },
    schema: {
      summary: "The console's script and style sheet",
      params: { type: 'object', properties: { file: { type: 'string', maxLength: 40 } }, required: ['file'] },
      response: { 200: { type: 'string' }, 304: { type: 'string' } },
    },
    handler: async (request, reply) => {
      const a = await consoleAsset(request.params.file);
      if (!a) throw new FawtaraError('NOT_FOUND', `no console asset ${request.params.file}`, { messageAr: 'لا يوجد ملف بهذا الاسم' });
      // The same names for every version: revalidated each time, answered 304 while unchanged.
      reply.header('cache-control', 'no-cache').header('etag', a.etag);
      if (request.headers['if-none-match'] === a.etag) return reply.code(304).send('');
      return reply.type(a.type).send(a.body);
    },
  });
}
