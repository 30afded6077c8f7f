// How the console answers a failure: a browser asking for a page gets the login page (no session)
// or a bilingual error page; any other client gets the API's JSON error, unchanged.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { toHttpError } from '../errors.js';
import { clearSessionCookie } from '../access/browser.js';
import { requestLocale } from './context.js';
import { html } from './html.js';
import { notice, shell } from './layout.js';
import { t } from './words.js';

/** A browser navigating (not a script or the API matrix) says it accepts HTML. */
export const wantsHtml = (request: FastifyRequest): boolean => String(request.headers.accept ?? '').includes('text/html');

export function consoleErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const e = toHttpError(error, request.id);
  if (e.status >= 500) request.log.error({ err: { message: error?.message, code: (error as { code?: string })?.code } }, 'console request failed');
  if (!wantsHtml(request)) {
    void reply.code(e.status).headers(e.headers).send(e.body);
    return;
  }
  if (e.status === 401) {
    clearSessionCookie(request, reply);
    const next = request.method === 'GET' && request.url.startsWith('/console/') ? `?next=${encodeURIComponent(request.url)}` : '';
    void reply.code(303).header('location', `/${next}`).send('');
    return;
  }
  const locale = requestLocale(request);
  const body = html`<main id="main"><h1>${t(locale, 'error')}</h1>${notice(locale, 'error', e.body.error.message, e.body.error.messageAr)}
<p><a href="/">${t(locale, 'overview')}</a></p></main>`;
  void reply
    .code(e.status)
    .headers(e.headers)
    .type('text/html; charset=utf-8')
    .send(shell(locale, t(locale, 'error'), body));
}
