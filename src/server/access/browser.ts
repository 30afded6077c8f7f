// Browser sessions: the session token carried in an HttpOnly cookie instead of a Bearer header, and
// the CSRF check every state-changing cookie request passes (docs/security.md, "Browser sessions").
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessError } from './errors.js';

/** The cookie's name. `__Host-` would need Secure, which plain-HTTP installations cannot set. */
export const SESSION_COOKIE = 'fawtara_session';
/** The header the console's script sends its CSRF token in (forms send the `_csrf` field). */
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The CSRF token of a session: an HMAC of a fixed label keyed by the session's own secret token.
 * Bound to the session (a new login, a new token), stored nowhere, and unknowable to another site
 * (it never sees the HttpOnly cookie). The synchronizer-token pattern without a server-side table.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('fawtara console csrf v1').digest('base64url');
}

/** The session token from the cookie, if the request carries one (and no Authorization header). */
export function cookieCredential(request: FastifyRequest): string | undefined {
  if (request.headers.authorization) return undefined;
  const value = request.cookies?.[SESSION_COOKIE];
  return value && value.length <= 200 ? value : undefined;
}

const refused = (message: string, messageAr: string) => new AccessError('FORBIDDEN', 'CSRF', message, messageAr);

/** Where the request says it comes from, as `scheme://host[:port]`, or undefined when it says nothing. */
function originOf(request: FastifyRequest): string | undefined {
  const origin = request.headers.origin;
  if (typeof origin === 'string' && origin !== 'null') return origin;
  if (origin === 'null') return 'null';
  const referer = request.headers.referer;
  if (typeof referer !== 'string') return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return 'null';
  }
}

/**
 * A state-changing request riding on the session cookie must come from this site (Origin or Referer,
 * when the browser sends one) and carry the session's CSRF token. SameSite=Strict already keeps the
 * cookie off cross-site requests in current browsers; this check does not rely on it.
 */
export function checkCsrf(request: FastifyRequest, sessionToken: string, formToken?: string): void {
  if (SAFE_METHODS.has(request.method)) return;
  const from = originOf(request);
  const self = `${request.protocol}://${request.host}`;
  if (from !== undefined && from !== self) {
    throw refused(`cross-site request refused: it comes from ${from.slice(0, 100)}, not from this console`, 'رُفض طلب من موقع آخر: لا يأتي من هذه الواجهة');
  }
  const header = request.headers[CSRF_HEADER];
  const presented = typeof header === 'string' ? header : formToken;
  const expected = Buffer.from(csrfTokenFor(sessionToken));
  const given = Buffer.from(presented ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw refused(
      'the CSRF token is missing or wrong: reload the console page and try again',
      'رمز الحماية من الطلبات المزورة مفقود أو خاطئ: أعد تحميل الصفحة وحاول مجدداً',
    );
  }
}

/** Set the session cookie: HttpOnly, SameSite=Strict, Secure when the console is served over TLS. */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, expiresAt: string): void {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: request.protocol === 'https',
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https' });
}
