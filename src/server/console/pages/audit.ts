// The proving pages: the chain audit (run on request: it re-verifies every stored document), the
// archive index of a period, the audit log, and users with their device tokens.
import type { PageContext } from '../context.js';
import { html, type Html, query, seg } from '../html.js';
import { fmtInstant, fmtNumber } from '../i18n.js';
import { consolePath, notice } from '../layout.js';
import { t } from '../words.js';

interface Finding {
  check: string;
  unit: string;
  icv?: number;
  number?: string;
  message: string;
}

export async function chainAuditPage(ctx: PageContext): Promise<Html> {
  const { locale, vat } = ctx;
  const q = ctx.request.query as Record<string, string | undefined>;
  const form = html`<form class="filters" method="get"><input type="hidden" name="run" value="1">
<label>${t(locale, 'unit')}<input name="unit" value="${q.unit ?? ''}" maxlength="200"></label>
<label>${t(locale, 'from')}<input type="date" name="from" value="${q.from ?? ''}"></label><label>${t(locale, 'to')}<input type="date" name="to" value="${q.to ?? ''}"></label>
<button type="submit" class="primary">${t(locale, 'run')}</button></form>`;
  if (q.run !== '1') return html`${form}<p class="muted">${t(locale, 'chainAuditIntro')}</p>`;
  const r = await ctx.get<{
    ok: boolean;
    units: number;
    documents: number;
    checked: number;
    breakCount: number;
    warningCount: number;
    breaks: Finding[];
    warnings: Finding[];
  }>(`/api/v1/taxpayers/${seg(vat)}/chain-audit${query({ unit: q.unit, from: q.from, to: q.to })}`);
  const list = (items: Finding[]) =>
    html`<div class="table-wrap"><table><thead><tr><th>check</th><th>${t(locale, 'unit')}</th><th class="num">ICV</th><th>${t(locale, 'number')}</th><th></th></tr></thead><tbody>${items.map(
      (f) =>
        html`<tr><td><code>${f.check}</code></td><td>${f.unit}</td><td class="num">${f.icv ?? ''}</td><td>${f.number ?? ''}</td><td>${f.message}</td></tr>`,
    )}</tbody></table></div>`;
  return html`${form}
${r.ok ? notice(locale, 'ok', `No break: ${r.checked} documents of ${r.units} units re-verified.`, `لا انقطاع: أعيد التحقق من ${r.checked} مستند لـ ${r.units} وحدة.`) : notice(locale, 'error', `${r.breakCount} breaks found.`, `وُجد ${r.breakCount} انقطاع.`)}
${r.breaks.length > 0 ? list(r.breaks) : ''}${r.warnings.length > 0 ? html`<h2>warnings (${fmtNumber(r.warningCount, locale)})</h2>${list(r.warnings)}` : ''}`;
}

export async function archivePage(ctx: PageContext): Promise<Html> {
  const { locale, vat } = ctx;
  const q = ctx.request.query as Record<string, string | undefined>;
  const period = q.period && /^\d{4}-(Q[1-4]|0[1-9]|1[0-2])$/.test(q.period) ? q.period : undefined;
  const api = `/api/v1/taxpayers/${seg(vat)}/archive/index`;
  const form = html`<form class="filters" method="get"><label>${t(locale, 'period')}<input name="period" value="${period ?? ''}" placeholder="2026-Q4" required></label><button type="submit" class="primary">${t(locale, 'run')}</button></form>`;
  if (!period) return html`${form}<p class="muted">${t(locale, 'archiveIntro')}</p>`;
  const r = await ctx.get<{
    period: string;
    retainUntil: string;
    documents: Array<{ unit: string; number: string; icv: number; state: string; cleared: boolean; issueDate: string }>;
    nextCursor: string | null;
  }>(`${api}${query({ period, limit: 100 })}`);
  return html`${form}<p>${t(locale, 'period')} <strong>${r.period}</strong> · ${t(locale, 'retainUntil')} <strong>${r.retainUntil}</strong> · <a href="${api}${query({ period, format: 'csv' })}" download>${t(locale, 'downloadCsv')}</a></p>
<div class="table-wrap"><table><thead><tr><th>${t(locale, 'unit')}</th><th>${t(locale, 'number')}</th><th class="num">ICV</th><th>${t(locale, 'issuedAt')}</th><th>${t(locale, 'state')}</th></tr></thead><tbody>${r.documents.map(
    (d) =>
      html`<tr><td>${d.unit}</td><td>${d.number}</td><td class="num">${fmtNumber(d.icv, locale)}</td><td>${d.issueDate}</td><td>${d.state}${d.cleared ? ' ✓' : ''}</td></tr>`,
  )}</tbody></table></div>${r.nextCursor ? html`<p class="muted">${t(locale, 'next')}: CSV</p>` : ''}`;
}

interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  role: string | null;
  action: string;
  target: string | null;
  outcome: string;
  status: number | null;
  ip: string | null;
  detail: Record<string, unknown>;
}

export async function auditLogPage(ctx: PageContext): Promise<Html> {
  const { locale, vat } = ctx;
  const q = ctx.request.query as Record<string, string | undefined>;
  const r = await ctx.get<{ entries: AuditEntry[]; nextBefore?: number | null }>(
    `/api/v1/audit-log${query({ action: q.action, before: q.before, limit: 100 })}`,
  );
  return html`<form class="filters" method="get"><label>action<input name="action" value="${q.action ?? ''}" maxlength="100"></label><button type="submit" class="primary">${t(locale, 'search')}</button></form>
<div class="table-wrap"><table id="audit-log"><thead><tr><th>${t(locale, 'at')}</th><th>${t(locale, 'actor')}</th><th>action</th><th>target</th><th>${t(locale, 'outcome')}</th><th>detail</th></tr></thead><tbody>${r.entries.map(
    (e) =>
      html`<tr><td>${fmtInstant(e.at, locale)}</td><td>${e.actor}${e.role ? html` <span class="muted">(${e.role})</span>` : ''}</td><td><code>${e.action}</code></td><td class="ltr">${e.target ?? ''}</td><td><span class="badge ${e.outcome}">${e.outcome}</span> ${e.status ?? ''}</td><td class="ltr"><code>${Object.keys(e.detail).length > 0 ? JSON.stringify(e.detail) : ''}</code></td></tr>`,
  )}</tbody></table></div>
${r.nextBefore ? html`<p><a rel="next" href="${consolePath(vat, 'audit-log')}${query({ action: q.action, before: r.nextBefore })}">${t(locale, 'next')}</a></p>` : ''}`;
}

export async function usersPage(ctx: PageContext): Promise<Html> {
  const { locale, vat } = ctx;
  const users = await ctx.get<{ users: Array<{ username: string; displayName: string | null; role: string; disabled: boolean }> }>('/api/v1/users');
  const units = ctx.can('tokens:manage') ? (await ctx.get<{ units: Array<{ name: string }> }>(`/api/v1/taxpayers/${seg(vat)}/units`)).units : [];
  const tokens = await Promise.all(
    units.map(async (u) => ({
      unit: u.name,
      list:
        (
          await ctx.tryGet<{
            deviceTokens: Array<{ id: string; name: string; createdAt: string; expiresAt: string | null; revokedAt: string | null; lastUsedAt: string | null }>;
          }>(`/api/v1/taxpayers/${seg(vat)}/units/${seg(u.name)}/tokens`)
        )?.deviceTokens ?? [],
    })),
  );
  return html`<h2>${t(locale, 'users')}</h2><div class="table-wrap"><table id="users"><thead><tr><th>${t(locale, 'username')}</th><th>${t(locale, 'name')}</th><th>role</th><th>${t(locale, 'state')}</th></tr></thead><tbody>${users.users.map(
    (u) =>
      html`<tr><td>${u.username}</td><td>${u.displayName ?? ''}</td><td>${u.role}</td><td>${u.disabled ? html`<span class="badge revoked">disabled</span>` : html`<span class="badge active">active</span>`}</td></tr>`,
  )}</tbody></table></div>
${
  tokens.length > 0
    ? html`<h2>${t(locale, 'deviceTokens')}</h2><div class="table-wrap"><table><thead><tr><th>${t(locale, 'unit')}</th><th>${t(locale, 'tokenName')}</th><th>${t(locale, 'at')}</th><th>${t(locale, 'notAfter')}</th><th>${t(locale, 'lastUsed')}</th><th>${t(locale, 'state')}</th></tr></thead><tbody>${tokens.flatMap(
        (u) =>
          u.list.map(
            (k) =>
              html`<tr><td><a href="${consolePath(vat, `units/${seg(u.unit)}`)}">${u.unit}</a></td><td>${k.name}</td><td>${fmtInstant(k.createdAt, locale)}</td><td>${fmtInstant(k.expiresAt, locale)}</td><td>${fmtInstant(k.lastUsedAt, locale)}</td><td>${k.revokedAt ? html`<span class="badge revoked">revoked</span>` : html`<span class="badge active">active</span>`}</td></tr>`,
          ),
      )}</tbody></table></div>`
    : ''
}`;
}
