// Documents: search (branch, unit, period, kind, type, state, number, buyer) in keyset pages, and one
// document's page — printed form, XML, cleared XML, QR, submission attempts with ZATCA's messages and,
// for a rejection, what to fix (our validator's bilingual findings on the stored bytes).
import { EN_RULES, KSA_RULES, validateInvoice } from '../../../rules/index.js';
import { callApi, type PageContext } from '../context.js';
import { html, type Html, query, seg } from '../html.js';
import { fmtAmount, fmtInstant, fmtNumber } from '../i18n.js';
import { consolePath, notice } from '../layout.js';
import { t } from '../words.js';
import { isAcceptedSubmission, SUBMISSION_STATES } from '../../../store/index.js';

interface Summary {
  id: string;
  number: string;
  unit: string;
  unitId: string;
  icv: number;
  invoiceHash: string;
  kind: string;
  documentType: string;
  issuedAt: string;
  deadlineAt: string;
  currency: string;
  taxExclusiveAmount: string;
  taxAmount: string;
  payableAmount: string;
  buyerVat: string | null;
  buyerName: string | null;
  state: string;
  late: boolean;
  links: { xml: string; cleared: string | null; qrPng: string; pdf: string; html: string };
}
interface Attempt {
  at: string;
  attempt: number;
  httpStatus: number | null;
  outcome: string;
  stateAfter: string;
  messages: Array<{ severity: string; code: string; message: string }>;
}

const FILTERS = ['branch', 'unit', 'from', 'to', 'kind', 'documentType', 'state', 'number', 'buyer', 'operator'] as const;
const TYPES = ['invoice', 'creditNote', 'debitNote', 'prepayment'];

const badge = (state: string) => html`<span class="badge ${state}">${state}</span>`;

function select(name: string, label: string, options: readonly string[], current: string | undefined, all: string): Html {
  return html`<label>${label}<select name="${name}"><option value="">${all}</option>${options.map(
    (o) => html`<option${o === current ? html` selected` : ''}>${o}</option>`,
  )}</select></label>`;
}

export const documentPath = (vat: string, d: { unitId: string; number: string }) => consolePath(vat, `units/${seg(d.unitId)}/documents/${seg(d.number)}`);

export async function documentsPage(ctx: PageContext): Promise<Html> {
  const { locale, vat } = ctx;
  const q = ctx.request.query as Record<string, string | undefined>;
  const filter: Record<string, string | undefined> = {};
  for (const f of FILTERS) if (q[f]) filter[f] = q[f];
  const base = `/api/v1/taxpayers/${seg(vat)}`;
  const [branches, units, page] = await Promise.all([
    ctx.get<{ branches: Array<{ name: string }> }>(`${base}/branches`),
    ctx.get<{ units: Array<{ name: string }> }>(`${base}/units`),
    ctx.get<{ documents: Summary[]; nextCursor: string | null }>(`${base}/documents${query({ ...filter, cursor: q.cursor, limit: 50 })}`),
  ]);
  const all = t(locale, 'all');
  return html`<form class="filters" method="get" role="search" aria-label="${t(locale, 'search')}">
${select(
  'branch',
  t(locale, 'branch'),
  branches.branches.map((b) => b.name),
  q.branch,
  all,
)}
${select(
  'unit',
  t(locale, 'unit'),
  units.units.map((u) => u.name),
  q.unit,
  all,
)}
<label>${t(locale, 'from')}<input type="date" name="from" value="${q.from ?? ''}"></label>
<label>${t(locale, 'to')}<input type="date" name="to" value="${q.to ?? ''}"></label>
${select('kind', t(locale, 'kind'), ['standard', 'simplified'], q.kind, all)}
${select('documentType', t(locale, 'type'), TYPES, q.documentType, all)}
${select('state', t(locale, 'state'), SUBMISSION_STATES, q.state, all)}
<label>${t(locale, 'number')}<input name="number" value="${q.number ?? ''}" maxlength="127"></label>
<label>${t(locale, 'buyer')}<input name="buyer" value="${q.buyer ?? ''}" maxlength="127"></label>
<label>${t(locale, 'operator')}<input name="operator" value="${q.operator ?? ''}" maxlength="64"></label>
<button type="submit" class="primary">${t(locale, 'search')}</button></form>
<div class="table-wrap"><table id="documents"><thead><tr><th>${t(locale, 'number')}</th><th>${t(locale, 'unit')}</th><th>${t(locale, 'issuedAt')}</th><th>${t(locale, 'kind')}</th><th>${t(locale, 'type')}</th><th>${t(locale, 'buyer')}</th><th class="num">${t(locale, 'vat')}</th><th class="num">${t(locale, 'total')}</th><th>${t(locale, 'state')}</th></tr></thead>
<tbody>${page.documents.map(
    (d) =>
      html`<tr><td><a href="${documentPath(vat, d)}">${d.number}</a></td><td>${d.unit}</td><td>${fmtInstant(d.issuedAt, locale)}</td><td>${d.kind}</td><td>${d.documentType}</td><td>${d.buyerName ?? ''}</td><td class="num">${fmtAmount(d.taxAmount, locale)}</td><td class="num">${fmtAmount(d.payableAmount, locale)} ${d.currency}</td><td>${badge(d.state)}${d.late ? html` ${badge('late')}` : ''}</td></tr>`,
  )}</tbody></table></div>
${page.documents.length === 0 ? html`<p class="muted">${t(locale, 'none')}</p>` : ''}
${page.nextCursor ? html`<p><a rel="next" href="${query({ ...filter, cursor: page.nextCursor })}">${t(locale, 'next')}</a></p>` : ''}`;
}

const RULE_TEXT = new Map([...EN_RULES, ...KSA_RULES].map((r) => [r.id, r]));

/** ZATCA's message, and our own words for the same rule in both languages when we know the rule. */
function zatcaMessage(m: Attempt['messages'][number]): Html {
  const rule = RULE_TEXT.get(m.code);
  return html`<div><strong>${m.severity}</strong> <code>${m.code}</code> <span lang="en">${m.message}</span>${
    rule ? html`<div class="muted" lang="ar" dir="rtl">${rule.ar}</div>` : ''
  }</div>`;
}

/** What to fix: our validator's errors on the stored document, each with its rule and both languages. */
function whatToFix(ctx: PageContext, xml: string): Html {
  const report = validateInvoice(xml);
  const errors = report.inputError
    ? [{ id: report.inputError.code, message: report.inputError.message, messageAr: report.inputError.messageAr, location: undefined }]
    : report.errors;
  if (errors.length === 0)
    return notice(
      ctx.locale,
      'info',
      "Our validator finds no error in the stored document: read ZATCA's messages above.",
      'لا يجد المدقق خطأ في المستند المخزن: اقرأ رسائل الهيئة أعلاه.',
    );
  return html`<ul class="fix">${errors.map(
    (e) =>
      html`<li><code>${e.id}</code> ${ctx.locale === 'ar' ? e.messageAr : e.message}<div class="muted" lang="${ctx.locale === 'ar' ? 'en' : 'ar'}">${ctx.locale === 'ar' ? e.message : e.messageAr}</div>${e.location ? html`<div class="muted ltr">${e.location}</div>` : ''}</li>`,
  )}</ul>`;
}

export async function documentPage(ctx: PageContext): Promise<Html> {
  const { locale, vat } = ctx;
  const p = ctx.request.params as { unit: string; document: string };
  const {
    document: d,
    attempts,
    issuedBy,
  } = await ctx.get<{
    document: Summary;
    attempts: Attempt[];
    issuedBy: { actor: string; operatorId: string | null; operatorName: string | null; deviceTime: string | null; driftMs: number | null } | null;
  }>(`/api/v1/taxpayers/${seg(vat)}/units/${seg(p.unit)}/documents/${seg(p.document)}`);
  const rejected = d.state === 'rejected';
  const printable = d.kind !== 'standard' || isAcceptedSubmission(d.state);
  const xml = rejected ? (await callApi(ctx.app, ctx.request, d.links.xml)).body : undefined;
  return html`<h2>${d.number} ${badge(d.state)}${d.late ? html` ${badge('late')}` : ''}</h2>
<dl class="facts"><dt>${t(locale, 'unit')}</dt><dd><a href="${consolePath(vat, `units/${seg(d.unit)}`)}">${d.unit}</a></dd>
<dt>${t(locale, 'issuedAt')}</dt><dd>${fmtInstant(d.issuedAt, locale)}</dd><dt>${t(locale, 'deadline')}</dt><dd>${fmtInstant(d.deadlineAt, locale)}</dd>
<dt>${t(locale, 'kind')}</dt><dd>${d.kind} · ${d.documentType}</dd><dt>${t(locale, 'buyer')}</dt><dd>${d.buyerName ?? '—'} <span class="ltr">${d.buyerVat ?? ''}</span></dd>
<dt>${t(locale, 'vat')}</dt><dd>${fmtAmount(d.taxAmount, locale)} ${d.currency}</dd><dt>${t(locale, 'total')}</dt><dd>${fmtAmount(d.payableAmount, locale)} ${d.currency}</dd>
${
  issuedBy
    ? html`<dt>${t(locale, 'issuedBy')}</dt><dd>${issuedBy.operatorId ? html`${t(locale, 'operator')} <strong>${issuedBy.operatorName ?? issuedBy.operatorId}</strong> (${issuedBy.operatorId}) · ` : ''}<span class="ltr">${issuedBy.actor}</span></dd>${
        issuedBy.deviceTime
          ? html`<dt>${t(locale, 'deviceClock')}</dt><dd>${fmtInstant(issuedBy.deviceTime, locale)} (${t(locale, 'drift')} ${fmtNumber(Math.round((issuedBy.driftMs ?? 0) / 1000), locale)} s)</dd>`
          : ''
      }`
    : ''
}
<dt>ICV</dt><dd class="ltr">${fmtNumber(d.icv, locale)}</dd><dt>hash</dt><dd class="ltr"><code>${d.invoiceHash}</code></dd></dl>
<p><a href="${d.links.xml}" target="_blank" rel="noopener">${t(locale, 'xml')}</a>${d.links.cleared && printable ? html` · <a href="${d.links.cleared}" target="_blank" rel="noopener">${t(locale, 'clearedXml')}</a>` : ''}${
    printable
      ? html` · <a href="${d.links.html}" target="_blank" rel="noopener">${t(locale, 'openPrintout')}</a> · <a href="${d.links.pdf}" target="_blank" rel="noopener">PDF</a>`
      : ''
  }</p>
<h2>${t(locale, 'attempts')}</h2>
${
  attempts.length === 0
    ? html`<p class="muted">${t(locale, 'none')}</p>`
    : html`<div class="table-wrap"><table id="attempts"><thead><tr><th>#</th><th>${t(locale, 'at')}</th><th class="num">HTTP</th><th>${t(locale, 'outcome')}</th><th>${t(locale, 'zatcaMessages')}</th></tr></thead><tbody>${attempts.map(
        (a) =>
          html`<tr><td>${fmtNumber(a.attempt, locale)}</td><td>${fmtInstant(a.at, locale)}</td><td class="num">${a.httpStatus ?? '—'}</td><td>${badge(a.outcome)}</td><td>${a.messages.map(zatcaMessage)}</td></tr>`,
      )}</tbody></table></div>`
}
${rejected && xml ? html`<h2>${t(locale, 'whatToFix')}</h2>${whatToFix(ctx, xml)}` : ''}
<div class="grid2"><section><h2>${t(locale, 'qr')}</h2><img src="${d.links.qrPng}" alt="${t(locale, 'qr')} ${d.number}" width="200" height="200"></section>
${printable ? html`<section><h2>${t(locale, 'printout')}</h2><iframe class="printout" src="${d.links.html}" title="${t(locale, 'printout')} ${d.number}" sandbox></iframe></section>` : ''}</div>`;
}
