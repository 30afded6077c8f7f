// The page shell every console page shares: language and direction, navigation by role, the
// language switch and log-out forms, and the one script and one style sheet the CSP allows.
import type { Permission } from '../access/roles.js';
import type { PageContext } from './context.js';
import { html, type Html, seg } from './html.js';
import type { Locale } from './i18n.js';
import { t, type WordKey } from './words.js';

/** What a console page may load: only our own script, style and images; no inline code, no other site. */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'";

const NAV: ReadonlyArray<{ key: WordKey; path: string; needs: Permission }> = [
  { key: 'overview', path: 'overview', needs: 'fleet:read' },
  { key: 'units', path: 'units', needs: 'fleet:read' },
  { key: 'documents', path: 'documents', needs: 'documents:read' },
  { key: 'vatReport', path: 'vat-report', needs: 'reports:read' },
  { key: 'reconciliation', path: 'reconciliation', needs: 'reports:read' },
  { key: 'chainAudit', path: 'chain-audit', needs: 'documents:read' },
  { key: 'archive', path: 'archive', needs: 'archive:read' },
  { key: 'auditLog', path: 'audit-log', needs: 'audit:read' },
  { key: 'users', path: 'users', needs: 'users:read' },
];

export const consolePath = (vat: string, page: string) => `/console/taxpayers/${seg(vat)}/${page}`;

export function shell(locale: Locale, title: string, body: Html, csrf = ''): string {
  return html`<!doctype html>
<html lang="${locale}" dir="${locale === 'ar' ? 'rtl' : 'ltr'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="csrf-token" content="${csrf}"><link rel="icon" href="data:,"><title>${title} · ${t(locale, 'appName')}</title>
<link rel="stylesheet" href="/console/assets/console.css"><script src="/console/assets/console.js" defer></script></head>
<body>${body}</body></html>`.text;
}

/** A full console page: header with navigation for the caller's role, then the page's own content. */
export function page(ctx: PageContext, current: WordKey, content: Html): string {
  const { locale, principal, vat } = ctx;
  const here = ctx.request.url;
  const nav = NAV.filter((n) => ctx.can(n.needs));
  const body = html`<a class="skip" href="#main">${t(locale, 'skip')}</a>
<header class="top"><div class="brand"><strong>${t(locale, 'appName')}</strong> <span class="muted" dir="ltr">VAT ${vat}</span></div>
<nav aria-label="${t(locale, 'appName')}"><ul>${nav.map(
    (n) => html`<li><a href="${consolePath(vat, n.path)}"${n.key === current ? html` aria-current="page"` : ''}>${t(locale, n.key)}</a></li>`,
  )}</ul></nav>
<div class="who"><span>${t(locale, 'signedInAs')} <strong>${principal.name}</strong> (${principal.role})</span>
<form method="post" action="/console/language"><input type="hidden" name="_csrf" value="${ctx.csrf}"><input type="hidden" name="back" value="${here}">
<input type="hidden" name="lang" value="${locale === 'ar' ? 'en' : 'ar'}"><button type="submit" class="link" id="switch-language" lang="${locale === 'ar' ? 'en' : 'ar'}">${t(locale, 'language')}</button></form>
<form method="post" action="/console/logout"><input type="hidden" name="_csrf" value="${ctx.csrf}"><button type="submit" class="link">${t(locale, 'logout')}</button></form></div></header>
<main id="main" tabindex="-1"><h1>${t(locale, current)}</h1>${content}</main>`;
  return shell(locale, t(locale, current), body, ctx.csrf);
}

/** A bilingual message box (errors, a refused action): both languages, the page's first. */
export function notice(locale: Locale, kind: 'error' | 'ok' | 'info', en: string, ar: string | undefined): Html {
  const [first, second] = locale === 'ar' ? [ar ?? en, en] : [en, ar];
  return html`<div class="notice ${kind}" role="${kind === 'error' ? 'alert' : 'status'}"><p>${first}</p>${second && second !== first ? html`<p class="muted" lang="${locale === 'ar' ? 'en' : 'ar'}">${second}</p>` : ''}</div>`;
}
