// Units: the list (by branch and state) and one unit's page — certificate, chain head (ICV, PIH),
// history, ZATCA exchanges — with the actions the caller's role allows (onboard, renew, retire, token).
import { UNIT_STATES } from '../../../egs/index.js';
import type { PageContext } from '../context.js';
import { html, type Html, query, seg } from '../html.js';
import { fmtInstant, fmtNumber } from '../i18n.js';
import { consolePath } from '../layout.js';
import { t } from '../words.js';

interface UnitView {
  id: string;
  name: string;
  serial: string;
  branch: string | null;
  environment: string;
  state: string;
  icv: number;
  pih: string;
  lastIssuedAt: string | null;
  pcsid: { certificateSerial: string; notAfter: string } | null;
}
interface UnitDetail {
  unit: UnitView;
  csids: Array<{ kind: string; purpose: string; status: string; certificateSerial: string; notAfter: string }>;
  history: Array<{ at: string; from: string | null; to: string; actor: string; reason: string }>;
  exchanges: Array<{ at: string; endpoint: string; httpStatus: number | null; outcome: string; messages: string }>;
}

const badge = (state: string) => html`<span class="badge ${state}">${state}</span>`;

const str = (v: unknown) => (typeof v === 'string' ? v : '');

export async function unitsPage(ctx: PageContext): Promise<Html> {
  const { locale, vat } = ctx;
  const q = ctx.request.query as Record<string, string | undefined>;
  const branches = (await ctx.get<{ branches: Array<{ name: string }> }>(`/api/v1/taxpayers/${seg(vat)}/branches`)).branches;
  const state = (UNIT_STATES as readonly string[]).includes(str(q.state)) ? q.state : undefined;
  const list = await ctx.get<{ units: UnitView[] }>(`/api/v1/taxpayers/${seg(vat)}/units${query({ branch: q.branch, state })}`);
  return html`<form class="filters" method="get" role="search">
<label>${t(locale, 'branch')}<select name="branch"><option value="">${t(locale, 'all')}</option>${branches.map(
    (b) => html`<option${b.name === q.branch ? html` selected` : ''}>${b.name}</option>`,
  )}</select></label>
<label>${t(locale, 'state')}<select name="state"><option value="">${t(locale, 'all')}</option>${UNIT_STATES.map(
    (s) => html`<option${s === state ? html` selected` : ''}>${s}</option>`,
  )}</select></label>
<button type="submit" class="primary">${t(locale, 'search')}</button></form>
<div class="table-wrap"><table><caption class="muted">${fmtNumber(list.units.length, locale)} ${t(locale, 'units')}</caption>
<thead><tr><th>${t(locale, 'name')}</th><th>${t(locale, 'branch')}</th><th>${t(locale, 'state')}</th><th class="num">${t(locale, 'icv')}</th><th>${t(locale, 'notAfter')}</th><th>${t(locale, 'environment')}</th></tr></thead>
<tbody>${list.units.map(
    (u) =>
      html`<tr><td><a href="${consolePath(vat, `units/${seg(u.name)}`)}">${u.name}</a><div class="muted ltr">${u.serial}</div></td><td>${u.branch ?? ''}</td><td>${badge(u.state)}</td><td class="num">${fmtNumber(u.icv, locale)}</td><td>${fmtInstant(u.pcsid?.notAfter, locale)}</td><td>${u.environment}</td></tr>`,
  )}</tbody></table></div>`;
}

/** ZATCA's messages of one exchange (stored as a JSON list), one per line. */
function messagesOf(text: string): Html {
  let list: Array<{ severity?: string; code?: string; message?: string }> = [];
  try {
    const parsed = JSON.parse(text) as unknown;
    if (Array.isArray(parsed)) list = parsed as typeof list;
  } catch {
    return html`${text}`;
  }
  return html`${list.map((m) => html`<div><strong>${m.severity ?? ''}</strong> <code>${m.code ?? ''}</code> ${m.message ?? ''}</div>`)}`;
}

function actions(ctx: PageContext, unitName: string, state: string): Html {
  const { locale, vat } = ctx;
  const api = `/api/v1/taxpayers/${seg(vat)}/units/${seg(unitName)}`;
  const done = t(locale, 'done');
  const forms: Html[] = [];
  if (ctx.can('units:lifecycle') && state !== 'active' && state !== 'retired' && state !== 'revoked') {
    forms.push(html`<form data-api="${api}/onboard" data-done="${done}" data-reload id="onboard-form"><h3>${t(locale, 'onboard')}</h3>
<label for="otp">${t(locale, 'otp')}<input id="otp" name="otp" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" required autocomplete="one-time-code"></label>
<button type="submit">${t(locale, 'onboard')}</button><div class="result" aria-live="polite"></div></form>`);
  }
  if (ctx.can('units:lifecycle') && state === 'active') {
    forms.push(html`<form data-api="${api}/renew" data-done="${done}" data-reload><h3>${t(locale, 'renew')}</h3>
<label for="renew-otp">${t(locale, 'otp')}<input id="renew-otp" name="otp" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" required autocomplete="one-time-code"></label>
<button type="submit">${t(locale, 'renew')}</button><div class="result" aria-live="polite"></div></form>`);
    forms.push(html`<form data-api="${api}/retire" data-done="${done}" data-reload data-confirm="${t(locale, 'retire')}: ${unitName}?"><h3>${t(locale, 'retire')}</h3>
<label for="retire-reason">${t(locale, 'reason')}<input id="retire-reason" name="reason" maxlength="500" required></label>
<button type="submit" class="danger">${t(locale, 'retire')}</button><div class="result" aria-live="polite"></div></form>`);
  }
  if (ctx.can('tokens:manage') && state === 'active') {
    forms.push(html`<form data-api="${api}/tokens" data-done="${done}" data-once="${t(locale, 'tokenShownOnce')}"><h3>${t(locale, 'issueToken')}</h3>
<label for="token-name">${t(locale, 'tokenName')}<input id="token-name" name="name" maxlength="64" required></label>
<button type="submit">${t(locale, 'issueToken')}</button><div class="result" aria-live="polite"></div></form>`);
  }
  return forms.length > 0 ? html`<h2>${t(locale, 'actions')}</h2><div class="actions">${forms}</div>` : html``;
}

export async function unitPage(ctx: PageContext): Promise<Html> {
  const { locale, vat } = ctx;
  const ref = (ctx.request.params as { unit: string }).unit;
  const d = await ctx.get<UnitDetail>(`/api/v1/taxpayers/${seg(vat)}/units/${seg(ref)}`);
  const u = d.unit;
  return html`<h2>${u.name} ${badge(u.state)}</h2>
<dl class="facts"><dt>${t(locale, 'serial')}</dt><dd class="ltr">${u.serial}</dd><dt>${t(locale, 'branch')}</dt><dd>${u.branch ?? ''}</dd>
<dt>${t(locale, 'environment')}</dt><dd>${u.environment}</dd><dt>${t(locale, 'icv')}</dt><dd class="ltr" id="chain-icv">${fmtNumber(u.icv, locale)}</dd>
<dt>${t(locale, 'pih')}</dt><dd class="ltr"><code>${u.pih}</code></dd>
<dt>${t(locale, 'notAfter')}</dt><dd>${fmtInstant(u.pcsid?.notAfter, locale)}</dd></dl>
<p><a href="${consolePath(vat, `documents${query({ unit: u.name })}`)}">${t(locale, 'documents')}</a></p>
${actions(ctx, u.name, u.state)}
<h2>${t(locale, 'certificates')}</h2><div class="table-wrap"><table><thead><tr><th>${t(locale, 'kind')}</th><th>${t(locale, 'state')}</th><th>${t(locale, 'serial')}</th><th>${t(locale, 'notAfter')}</th></tr></thead>
<tbody>${d.csids.map((c) => html`<tr><td>${c.kind} (${c.purpose})</td><td>${badge(c.status)}</td><td class="ltr">${c.certificateSerial}</td><td>${fmtInstant(c.notAfter, locale)}</td></tr>`)}</tbody></table></div>
<h2>${t(locale, 'history')}</h2><div class="table-wrap"><table><thead><tr><th>${t(locale, 'at')}</th><th>${t(locale, 'state')}</th><th>${t(locale, 'actor')}</th><th>${t(locale, 'reason')}</th></tr></thead>
<tbody>${d.history.map((h) => html`<tr><td>${fmtInstant(h.at, locale)}</td><td>${h.from ?? '∅'} → ${h.to}</td><td>${h.actor}</td><td>${h.reason}</td></tr>`)}</tbody></table></div>
<h2>${t(locale, 'exchanges')}</h2><div class="table-wrap"><table><thead><tr><th>${t(locale, 'at')}</th><th>endpoint</th><th class="num">HTTP</th><th>${t(locale, 'outcome')}</th><th>${t(locale, 'zatcaMessages')}</th></tr></thead>
<tbody>${d.exchanges.map(
    (x) =>
      html`<tr><td>${fmtInstant(x.at, locale)}</td><td class="ltr">${x.endpoint}</td><td class="num">${x.httpStatus ?? '—'}</td><td>${badge(x.outcome)}</td><td>${messagesOf(x.messages)}</td></tr>`,
  )}</tbody></table></div>`;
}
