// The overview: "are we compliant right now?" — units by state, certificates near expiry, the outbox
// (depth, oldest unreported and its deadline, at risk and late), today's rejections, branch sync.
import type { PageContext } from '../context.js';
import { html, type Html, query, seg } from '../html.js';
import { issueDateTime } from '../../../model/ksa-time.js';
import { fmtInstant, fmtMinutes, fmtNumber } from '../i18n.js';
import { consolePath, notice } from '../layout.js';
import { t } from '../words.js';

interface UnitsAnswer {
  units: Array<{ id: string; name: string; state: string; branch: string | null; icv: number }>;
}
interface ExpiringAnswer {
  units: Array<{ unit: { name: string; branch: string | null }; notAfter: string; daysLeft: number }>;
}
interface OutboxDoc {
  number: string;
  unitId: string;
  deadlineAt: string;
  minutesLeft: number;
  state: string;
}
interface OutboxAnswer {
  now: string;
  depth: number;
  byState: Record<string, number>;
  oldestAgeSeconds: number;
  atRisk: OutboxDoc[];
  late: OutboxDoc[];
  deliveredLate: number;
}
interface SyncAnswer {
  branches: Array<{ branch: string; node: string | null; lastSyncAt: string | null; units: Array<{ name: string; lag: number | null }>; incidents: number }>;
}
interface DriftAnswer {
  toleranceMs: number;
  devices: Array<{ unit: string; branch: string | null; at: string; driftMs: number; beyondTolerance: boolean }>;
  nodes: Array<{ branch: string; node: string; at: string; offsetMs: number; beyondTolerance: boolean }>;
}
interface DocsAnswer {
  documents: Array<{ id: string; number: string; unitId: string; unit: string; payableAmount: string; issuedAt: string }>;
  nextCursor: string | null;
}

const card = (label: string, figure: string, tone: '' | 'bad' | 'warn', extra?: Html) =>
  html`<div class="card ${tone}"><div class="muted">${label}</div><div class="figure">${figure}</div>${extra ?? ''}</div>`;

/** The part of the overview that refreshes itself (the whole `#live` element is fetched again). */
export async function overviewLive(ctx: PageContext): Promise<Html> {
  const { locale, vat } = ctx;
  const base = `/api/v1/taxpayers/${seg(vat)}`;
  const now = ctx.app.fawtara.fleet.clock.now();
  const [unitsA, expiring, outbox, sync, rejected, drift] = await Promise.all([
    ctx.get<UnitsAnswer>(`${base}/units`),
    ctx.tryGet<ExpiringAnswer>(`${base}/expiring-units?days=30`),
    ctx.tryGet<OutboxAnswer>(`${base}/outbox`),
    ctx.tryGet<SyncAnswer>(`${base}/sync/branches`),
    ctx.tryGet<DocsAnswer>(`${base}/documents${query({ state: 'rejected', from: issueDateTime(now).issueDate, limit: 100 })}`),
    ctx.tryGet<DriftAnswer>(`${base}/clock-drift`),
  ]);
  const byState = new Map<string, number>();
  for (const u of unitsA.units) byState.set(u.state, (byState.get(u.state) ?? 0) + 1);
  const unitName = new Map(unitsA.units.map((u) => [u.id, u.name]));
  const docLink = (d: { unitId: string; number: string }) => `${consolePath(vat, `units/${seg(d.unitId)}/documents/${seg(d.number)}`)}`;
  const oldestDeadline = outbox && outbox.depth > 0 ? new Date(Date.parse(outbox.now) - outbox.oldestAgeSeconds * 1000 + 24 * 3_600_000).toISOString() : null;
  const rejectedCount = rejected ? `${fmtNumber(rejected.documents.length, locale)}${rejected.nextCursor ? '+' : ''}` : '—';
  const docTable = (docs: OutboxDoc[]) =>
    docs.length === 0
      ? html`<p class="muted">${t(locale, 'none')}</p>`
      : html`<div class="table-wrap"><table><thead><tr><th>${t(locale, 'number')}</th><th>${t(locale, 'unit')}</th><th>${t(locale, 'deadline')}</th><th class="num">${t(locale, 'minutesLeft')}</th></tr></thead><tbody>${docs
          .slice(0, 20)
          .map(
            (d) =>
              html`<tr><td><a href="${docLink(d)}">${d.number}</a></td><td>${unitName.get(d.unitId) ?? d.unitId}</td><td>${fmtInstant(d.deadlineAt, locale)}</td><td class="num">${d.minutesLeft < 0 ? '−' : ''}${fmtMinutes(d.minutesLeft, locale)}</td></tr>`,
          )}</tbody></table></div>`;
  return html`<div id="live" data-live="${consolePath(vat, 'overview/live')}" data-every="15" aria-live="polite">
<p class="muted">${t(locale, 'updatedAt')}: <time datetime="${now.toISOString()}">${fmtInstant(now.toISOString(), locale)}</time></p>
<div class="cards">
${card(
  t(locale, 'unitsByState'),
  fmtNumber(unitsA.units.length, locale),
  '',
  html`<ul class="states">${[...byState].map(([s, n]) => html`<li><a href="${consolePath(vat, `units${query({ state: s })}`)}">${s}</a>: ${fmtNumber(n, locale)}</li>`)}</ul>`,
)}
${card(t(locale, 'expiringCerts'), expiring ? fmtNumber(expiring.units.length, locale) : '—', expiring && expiring.units.length > 0 ? 'warn' : '')}
${outbox ? card(t(locale, 'outboxDepth'), fmtNumber(outbox.depth, locale), outbox.depth > 0 ? 'warn' : '') : ''}
${outbox ? card(t(locale, 'oldestUnreported'), oldestDeadline ? fmtMinutes(outbox.oldestAgeSeconds / 60, locale) : '—', '', oldestDeadline ? html`<div>${t(locale, 'deadline')}: ${fmtInstant(oldestDeadline, locale)}</div>` : undefined) : ''}
${outbox ? card(t(locale, 'atRisk'), fmtNumber(outbox.atRisk.length, locale), outbox.atRisk.length > 0 ? 'warn' : '') : ''}
${outbox ? card(t(locale, 'late'), fmtNumber(outbox.late.length, locale), outbox.late.length > 0 ? 'bad' : '') : ''}
${card(t(locale, 'rejectionsToday'), rejectedCount, rejected && rejected.documents.length > 0 ? 'bad' : '', rejected && rejected.documents.length > 0 ? html`<a href="${consolePath(vat, `documents${query({ state: 'rejected', from: issueDateTime(now).issueDate })}`)}">${t(locale, 'documents')}</a>` : undefined)}
</div>
${outbox ? html`<h2>${t(locale, 'atRisk')}</h2>${docTable(outbox.atRisk)}<h2>${t(locale, 'late')}</h2>${docTable(outbox.late)}` : notice(locale, 'info', t('en', 'notAllowed'), t('ar', 'notAllowed'))}
${
  expiring && expiring.units.length > 0
    ? html`<h2>${t(locale, 'expiringCerts')}</h2><div class="table-wrap"><table><thead><tr><th>${t(locale, 'unit')}</th><th>${t(locale, 'branch')}</th><th>${t(locale, 'notAfter')}</th><th class="num">${t(locale, 'daysLeft')}</th></tr></thead><tbody>${expiring.units.map(
        (e) =>
          html`<tr><td>${e.unit.name}</td><td>${e.unit.branch ?? ''}</td><td>${fmtInstant(e.notAfter, locale)}</td><td class="num">${fmtNumber(e.daysLeft, locale)}</td></tr>`,
      )}</tbody></table></div>`
    : ''
}
${drift ? driftTable(ctx, drift) : ''}
${
  sync && sync.branches.length > 0
    ? html`<h2>${t(locale, 'branchSync')}</h2><div class="table-wrap"><table><thead><tr><th>${t(locale, 'branch')}</th><th>${t(locale, 'lastSync')}</th><th class="num">${t(locale, 'lag')}</th></tr></thead><tbody>${sync.branches.map(
        (b) =>
          html`<tr><td>${b.branch}</td><td>${fmtInstant(b.lastSyncAt, locale)}</td><td class="num">${fmtNumber(
            b.units.reduce((n, u) => n + (u.lag ?? 0), 0),
            locale,
          )}</td></tr>`,
      )}</tbody></table></div>`
    : ''
}
</div>`;
}

export async function overviewPage(ctx: PageContext): Promise<Html> {
  return html`<p class="muted">${t(ctx.locale, 'compliantNow')}</p>${await overviewLive(ctx)}`;
}

/** Seconds, signed, in the locale's digits. */
const seconds = (ms: number, locale: PageContext['locale']) => `${ms >= 0 ? '+' : '−'}${fmtNumber(Math.round(Math.abs(ms) / 1000), locale)} s`;

function driftTable(ctx: PageContext, d: DriftAnswer): Html {
  const { locale } = ctx;
  const rows = [
    ...d.devices.map((x) => ({ who: x.unit, where: x.branch ?? '', at: x.at, ms: x.driftMs, bad: x.beyondTolerance })),
    ...d.nodes.map((x) => ({ who: x.node, where: x.branch, at: x.at, ms: x.offsetMs, bad: x.beyondTolerance })),
  ];
  const flagged = rows.filter((r) => r.bad).length;
  return html`<h2>${t(locale, 'clockDrift')}</h2><p class="muted">${t(locale, 'clockTolerance')}: ±${fmtNumber(d.toleranceMs / 1000, locale)} s${flagged > 0 ? html` · <strong class="badge late">${fmtNumber(flagged, locale)}</strong>` : ''}</p>
${
  rows.length === 0
    ? html`<p class="muted">${t(locale, 'none')}</p>`
    : html`<div class="table-wrap"><table id="clock-drift"><thead><tr><th>${t(locale, 'unit')}</th><th>${t(locale, 'branch')}</th><th>${t(locale, 'at')}</th><th class="num">${t(locale, 'drift')}</th></tr></thead><tbody>${rows.map(
        (r) =>
          html`<tr><td>${r.who}</td><td>${r.where}</td><td>${fmtInstant(r.at, locale)}</td><td class="num">${r.bad ? html`<span class="badge late">${seconds(r.ms, locale)}</span>` : seconds(r.ms, locale)}</td></tr>`,
      )}</tbody></table></div>`
}`;
}
