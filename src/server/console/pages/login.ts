// The login page at `/`: what a browser sees before it has a session (not JSON), in the browser's
// language, with the console's own style sheet only.
import { html } from '../html.js';
import { notice, shell } from '../layout.js';
import type { Locale } from '../i18n.js';
import { t } from '../words.js';

export function loginPage(locale: Locale, error?: { message: string; messageAr?: string }, next?: string): string {
  const other: Locale = locale === 'ar' ? 'en' : 'ar';
  const body = html`<main id="main" class="login">
<header><h1>${t(locale, 'appName')}</h1><a href="/?lang=${other}" lang="${other}" id="switch-language">${t(locale, 'language')}</a></header>
<p class="muted">${t(locale, 'loginIntro')}</p>
${error ? notice(locale, 'error', error.message, error.messageAr) : ''}
<form method="post" action="/console/login">
<input type="hidden" name="next" value="${next ?? ''}">
<label for="username">${t(locale, 'username')}<input id="username" name="username" autocomplete="username" required maxlength="64" autofocus></label>
<label for="password">${t(locale, 'password')}<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="256"></label>
<button type="submit" class="primary">${t(locale, 'login')}</button>
</form></main>`;
  return shell(locale, t(locale, 'login'), body);
}
