// What a console page works with: the caller, the language, the CSRF token, and the API itself —
// a page reads its data through the same routes (and so the same roles and scopes) as any client.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FawtaraError, type ErrorCode } from '../../errors.js';
import { csrfTokenFor } from '../access/browser.js';
import type { Principal } from '../access/principal.js';
import { roleAllows, type Permission } from '../access/roles.js';
import { isLocale, type Locale } from './i18n.js';

/** The language cookie: the console's choice before login and for a browser; the user's own choice wins once stored. */
export const LANG_COOKIE = 'fawtara_lang';

export interface PageContext {
  request: FastifyRequest;
  reply: FastifyReply;
  app: FastifyInstance;
  principal: Principal;
  locale: Locale;
  csrf: string;
  /** The taxpayer of the page's URL. */
  vat: string;
  can(permission: Permission): boolean;
  /** GET an API path as the caller; an API refusal becomes the same typed error. */
  get<T>(path: string): Promise<T>;
  /** GET an API path as the caller; a 403 (the role or scope does not reach it) is `undefined`. */
  tryGet<T>(path: string): Promise<T | undefined>;
}

interface ApiErrorBody {
  error?: { code?: string; message?: string; messageAr?: string; field?: string; rule?: string };
}

/** One call to the API as the caller, in process (no socket): the route's own access checks apply. */
export async function callApi(app: FastifyInstance, request: FastifyRequest, path: string): Promise<{ status: number; json: unknown; body: string }> {
  const token = request.sessionToken;
  const res = await app.inject({
    method: 'GET',
    url: path,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    remoteAddress: request.ip,
  });
  const json = res.headers['content-type']?.toString().startsWith('application/json') ? (JSON.parse(res.body) as unknown) : undefined;
  return { status: res.statusCode, json, body: res.body };
}

function asError(status: number, json: unknown): FawtaraError {
  const e = (json as ApiErrorBody | undefined)?.error;
  const code = (e?.code ?? (status === 404 ? 'NOT_FOUND' : 'INTERNAL')) as ErrorCode;
  return new FawtaraError(code, e?.message ?? `the API answered ${status}`, {
    ...(e?.messageAr && { messageAr: e.messageAr }),
    ...(e?.field && { field: e.field }),
    ...(e?.rule && { rule: e.rule }),
  });
}

export function pageContext(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  principal: Principal,
  vat: string,
  locale: Locale,
): PageContext {
  const get = async <T>(path: string): Promise<T> => {
    const r = await callApi(app, request, path);
    if (r.status >= 400) throw asError(r.status, r.json);
    return r.json as T;
  };
  return {
    request,
    reply,
    app,
    principal,
    locale,
    csrf: request.sessionToken ? csrfTokenFor(request.sessionToken) : '',
    vat,
    can: (permission) => roleAllows(principal.role, permission),
    get,
    tryGet: async <T>(path: string) => {
      const r = await callApi(app, request, path);
      if (r.status === 403) return undefined;
      if (r.status >= 400) throw asError(r.status, r.json);
      return r.json as T;
    },
  };
}

/** The language of this request: the user's stored choice, else the cookie, else Accept-Language, else English. */
export function requestLocale(request: FastifyRequest, stored?: string | null): Locale {
  if (isLocale(stored)) return stored;
  const cookie = request.cookies?.[LANG_COOKIE];
  if (isLocale(cookie)) return cookie;
  const accept = request.headers['accept-language'];
  return typeof accept === 'string' && /^\s*ar\b/i.test(accept) ? 'ar' : 'en';
}
