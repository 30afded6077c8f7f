// The VAT report with charts (by branch, by category and rate, by month), drill-down to documents and
// CSV downloads; and the reconciliation, each difference with its reason — both read from the API.
import type { PageContext } from '../context.js';
import { html, type Html, jsonBlock, query, seg } from '../html.js';
import { fmtAmount, fmtDay, fmtNumber, type Locale } from '../i18n.js';
import { consolePath, notice } from '../layout.js';
import { t } from '../words.js';
import { documentPath } from './documents.js';
import { issueDateTime } from '../../../model/ksa-time.js';

interface Row {
  key: string;
  /** The branch's name on by-branch rows (the key is its id). */
  branch?: string;
  documents: number;
  taxableSar: string;
  vatSar: string;
}
interface Report {
  period: { label: string; from: string; to: string };
  totals: { documents: number; taxableSar: string; vatSar: string };
  byCategory: Row[];
  byBranch: Row[];
  documents?: Array<{
    number: string;
    unitId: string;
    unit: string;
    branch: string;
    issueDate: string;
    documentType: string;
    taxableSar: string;
    vatSar: string;
  }>;
  nextCursor?: string | null;
}

/** The period asked for (a quarter or a month), or the current KSA quarter. */
function periodOf(q: Record<string, string | undefined>, now: Date): string {
  if (q.period && /^\d{4}-(Q[1-4]|0[1-9]|1[0-2])$/.test(q.period)) return q.period;
  const [y, m] = issueDateTime(now).issueDate.split('-').map(Number) as [number, number];
  return `${y}-Q${Math.ceil(m / 3)}`;
}

/** The months (YYYY-MM) a period covers: three for a quarter, one for a month. */
function monthsOf(period: string): string[] {
  const m = /^(\d{4})-Q([1-4])$/.exec(period);
  if (!m) return [period];
  const first = (Number(m[2]) - 1) * 3 + 1;
  return [0, 1, 2].map((i) => `${m[1]}-${String(first + i).padStart(2, '0')}`);
}

/** A bar chart drawn by the page's script from a JSON block; a click on a bar follows its link. */
function chart(id: string, title: string, labels: string[], series: Array<{ label: string; values: number[] }>, links: string[]): Html {
  return html`<section><h2 id="${id}-title">${title}</h2><div class="chart"><canvas data-chart="${id}-data" role="img" aria-labelledby="${id}-title" id="${id}"></canvas></div>
${jsonBlock(`${id}-data`, { labels, series, links })}</section>`;
}

function rowsTable(locale: Locale, rows: Row[], label: string, link: (r: Row) => string): Html {
  return html`<div class="table-wrap"><table><thead><tr><th>${label}</th><th class="num">${t(locale, 'documents')}</th><th class="num">${t(locale, 'taxable')}</th><th class="num">${t(locale, 'vatAmount')}</th></tr></thead>
<tbody>${rows.map(
    (r) =>
      html`<tr><td><a href="${link(r)}">${r.branch ?? r.key}</a></td><td class="num">${fmtNumber(r.documents, locale)}</td><td class="num">${fmtAmount(r.taxableSar, locale)}</td><td class="num">${fmtAmount(r.vatSar, locale)}</td></tr>`,
  )}</tbody></table></div>`;
}

export async function vatReportPage(ctx: PageContext): Promise<Html> {
  const { locale, vat } = ctx;
  const q = ctx.request.query as Record<string, string | undefined>;
  const period = periodOf(q, ctx.app.fawtara.fleet.clock.now());
  const api = `/api/v1/taxpayers/${seg(vat)}/reports/vat`;
  const scope = { branch: q.branch };
  const here = (extra: Record<string, string | undefined>) => `${consolePath(vat, 'vat-report')}${query({ period, ...scope, ...extra })}`;
  const months = monthsOf(period);
  const [report, ...monthly] = await Promise.all([
    ctx.get<Report>(`${api}${query({ period, ...scope })}`),
    ...months.map((m) => ctx.get<Report>(`${api}${query({ period: m, ...scope })}`)),
  ]);
  const operators = await ctx.tryGet<{
    operators: Array<{ operatorId: string | null; operatorName: string | null; documents: number; taxableSar: string; vatSar: string }>;
  }>(`/api/v1/taxpayers/${seg(vat)}/reports/operators${query({ period, ...scope })}`);
  const drill = q.category ? await ctx.get<Report>(`${api}${query({ period, ...scope, category: q.category, limit: 100 })}`) : undefined;
  const sar = (rows: Row[]) => rows.map((r) => Number(r.vatSar));
  const taxable = (rows: Row[]) => rows.map((r) => Number(r.taxableSar));
  return html`<form class="filters" method="get"><label>${t(locale, 'period')}<input name="period" value="${period}" pattern="\\d{4}-(Q[1-4]|0[1-9]|1[0-2])" required aria-describedby="period-help"></label>
<span id="period-help" class="muted">2026-Q3 · 2026-11</span>${q.branch ? html`<input type="hidden" name="branch" value="${q.branch}">` : ''}
<button type="submit" class="primary">${t(locale, 'run')}</button></form>
<p>${fmtDay(report.period.from, locale)} – ${fmtDay(report.period.to, locale)}${q.branch ? html` · ${t(locale, 'branch')}: <strong>${q.branch}</strong> (<a href="${here({ branch: undefined })}">${t(locale, 'all')}</a>)` : ''}</p>
<div class="cards" id="vat-totals"><div class="card"><div class="muted">${t(locale, 'documents')}</div><div class="figure">${fmtNumber(report.totals.documents, locale)}</div></div>
<div class="card"><div class="muted">${t(locale, 'taxable')}</div><div class="figure">${fmtAmount(report.totals.taxableSar, locale)}</div></div>
<div class="card"><div class="muted">${t(locale, 'vatAmount')}</div><div class="figure" id="vat-total">${fmtAmount(report.totals.vatSar, locale)}</div></div></div>
<p><a href="${api}${query({ period, ...scope, format: 'csv', by: 'category' })}" download>${t(locale, 'downloadCsv')} (${t(locale, 'byCategory')})</a> · <a href="${api}${query({ period, ...scope, format: 'csv', by: 'branch' })}" download>${t(locale, 'downloadCsv')} (${t(locale, 'byBranch')})</a></p>
<div class="grid2">
${chart(
  'by-branch',
  t(locale, 'byBranch'),
  report.byBranch.map((r) => r.branch ?? r.key),
  [
    { label: t(locale, 'taxable'), values: taxable(report.byBranch) },
    { label: t(locale, 'vatAmount'), values: sar(report.byBranch) },
  ],
  report.byBranch.map((r) => here({ branch: r.branch ?? r.key })),
)}
${chart(
  'by-category',
  t(locale, 'byCategory'),
  report.byCategory.map((r) => r.key),
  [{ label: t(locale, 'vatAmount'), values: sar(report.byCategory) }],
  report.byCategory.map((r) => here({ category: r.key })),
)}
${chart(
  'by-month',
  t(locale, 'byMonth'),
  months,
  [{ label: t(locale, 'vatAmount'), values: monthly.map((m) => Number(m.totals.vatSar)) }],
  months.map((m) => `${consolePath(vat, 'vat-report')}${query({ period: m, ...scope })}`),
)}
</div>
<h2>${t(locale, 'byCategory')}</h2>${rowsTable(locale, report.byCategory, t(locale, 'byCategory'), (r) => here({ category: r.key }))}
<h2>${t(locale, 'byBranch')}</h2>${rowsTable(locale, report.byBranch, t(locale, 'branch'), (r) => here({ branch: r.branch ?? r.key }))}
${
  operators && operators.operators.length > 0
    ? html`<h2>${t(locale, 'byOperator')}</h2><div class="table-wrap"><table id="by-operator"><thead><tr><th>${t(locale, 'operator')}</th><th class="num">${t(locale, 'documents')}</th><th class="num">${t(locale, 'taxable')}</th><th class="num">${t(locale, 'vatAmount')}</th></tr></thead><tbody>${operators.operators.map(
        (o) =>
          html`<tr><td>${o.operatorId ? html`<a href="${consolePath(vat, `documents${query({ operator: o.operatorId })}`)}">${o.operatorName ?? o.operatorId}</a> <span class="muted">${o.operatorId}</span>` : '—'}</td><td class="num">${fmtNumber(o.documents, locale)}</td><td class="num">${fmtAmount(o.taxableSar, locale)}</td><td class="num">${fmtAmount(o.vatSar, locale)}</td></tr>`,
      )}</tbody></table></div>`
    : ''
}
${drill ? drillTable(ctx, q.category ?? '', drill) : ''}`;
}

function drillTable(ctx: PageContext, category: string, r: Report): Html {
  const { locale, vat } = ctx;
  const docs = r.documents ?? [];
  return html`<h2 id="drill">${t(locale, 'documents')}: <span class="ltr">${category}</span></h2>
<div class="table-wrap"><table id="drill-documents"><thead><tr><th>${t(locale, 'number')}</th><th>${t(locale, 'unit')}</th><th>${t(locale, 'branch')}</th><th>${t(locale, 'issuedAt')}</th><th>${t(locale, 'type')}</th><th class="num">${t(locale, 'taxable')}</th><th class="num">${t(locale, 'vatAmount')}</th></tr></thead>
<tbody>${docs.map(
    (d) =>
      html`<tr><td><a href="${documentPath(vat, d)}">${d.number}</a></td><td>${d.unit}</td><td>${d.branch}</td><td>${fmtDay(d.issueDate, locale)}</td><td>${d.documentType}</td><td class="num">${fmtAmount(d.taxableSar, locale)}</td><td class="num">${fmtAmount(d.vatSar, locale)}</td></tr>`,
  )}</tbody></table></div>${r.nextCursor ? html`<p class="muted">${t(locale, 'next')}: CSV</p>` : ''}`;
}

interface Reconciliation {
  period: { label: string; from: string; to: string };
  clean: boolean;
  units: Array<{
    unit: string;
    branch: string;
    issued: number;
    acceptedByUs: number;
    acceptedByZatca: number | null;
    inVatReport: number;
    differences: number;
  }>;
  differences: Array<{ unit: string; reason: string; number: string | null; icv: number | null; state: string | null; message: string; messageAr: string }>;
}

export async function reconciliationPage(ctx: PageContext): Promise<Html> {
  const { locale, vat } = ctx;
  const q = ctx.request.query as Record<string, string | undefined>;
  const period = periodOf(q, ctx.app.fawtara.fleet.clock.now());
  const api = `/api/v1/taxpayers/${seg(vat)}/reports/reconcile`;
  const r = await ctx.get<Reconciliation>(`${api}${query({ period, limit: 500 })}`);
  const n = (v: number | null) => fmtNumber(v, locale);
  return html`<form class="filters" method="get"><label>${t(locale, 'period')}<input name="period" value="${period}" required></label><button type="submit" class="primary">${t(locale, 'run')}</button></form>
${r.clean ? notice(locale, 'ok', 'Every document issued is accepted by ZATCA and in the VAT report.', 'كل مستند صادر مقبول لدى الهيئة ومُدرج في تقرير الضريبة.') : ''}
<p><a href="${api}${query({ period, format: 'csv' })}" download>${t(locale, 'downloadCsv')}</a></p>
<div class="table-wrap"><table><thead><tr><th>${t(locale, 'unit')}</th><th>${t(locale, 'branch')}</th><th class="num">issued</th><th class="num">accepted (ours)</th><th class="num">accepted (ZATCA)</th><th class="num">VAT report</th><th class="num">${t(locale, 'difference')}</th></tr></thead>
<tbody>${r.units.map(
    (u) =>
      html`<tr><td>${u.unit}</td><td>${u.branch}</td><td class="num">${n(u.issued)}</td><td class="num">${n(u.acceptedByUs)}</td><td class="num">${n(u.acceptedByZatca)}</td><td class="num">${n(u.inVatReport)}</td><td class="num">${n(u.differences)}</td></tr>`,
  )}</tbody></table></div>
${
  r.differences.length > 0
    ? html`<h2>${t(locale, 'difference')}</h2><div class="table-wrap"><table><thead><tr><th>${t(locale, 'unit')}</th><th>${t(locale, 'number')}</th><th>${t(locale, 'reason')}</th><th>${t(locale, 'state')}</th><th></th></tr></thead><tbody>${r.differences.map(
        (d) =>
          html`<tr><td>${d.unit}</td><td>${d.number ?? '—'}</td><td><span class="badge ${d.reason}">${d.reason}</span></td><td>${d.state ?? ''}</td><td>${locale === 'ar' ? d.messageAr : d.message}</td></tr>`,
      )}</tbody></table></div>`
    : ''
}`;
}
