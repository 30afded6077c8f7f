// The layout model as one self-contained HTML page with print CSS (A4 or 80 mm): the browser shapes
// Arabic and orders mixed text itself (dir/lang on every run), the QR is inline SVG, headers repeat.
import type { Lang } from './format.js';
import { type Bi, COLUMN_LABEL, LABELS } from './labels.js';
import type { ColumnKey, Field, InvoiceLayout, LineRow, PartyBlock } from './model.js';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function label(b: Bi, lang: Lang): string {
  const en = `<span class="en" lang="en" dir="ltr">${esc(b.en)}</span>`;
  const ar = `<span class="ar" lang="ar" dir="rtl">${esc(b.ar)}</span>`;
  return lang === 'ar' ? ar : lang === 'en' ? en : `${en} ${ar}`;
}

const lines = (texts: string[], cls = ''): string => texts.map((t) => `<div dir="auto"${cls ? ` class="${cls}"` : ''}>${esc(t)}</div>`).join('');

function fieldRow(f: Field, lang: Lang): string {
  const value = `<td class="value" dir="${f.ltr ? 'ltr' : 'auto'}">${esc(f.value || '—')}</td>`;
  if (lang === 'both')
    return `<tr><th class="en" lang="en" dir="ltr">${esc(f.label.en)}</th>${value}<th class="ar" lang="ar" dir="rtl">${esc(f.label.ar)}</th></tr>`;
  return `<tr><th>${label(f.label, lang)}</th>${value}</tr>`;
}

const fields = (list: Field[], lang: Lang, cls: string): string => `<table class="fields ${cls}">${list.map((f) => fieldRow(f, lang)).join('')}</table>`;

function qrSvg(layout: InvoiceLayout): string {
  if (!('text' in layout.qr)) return `<div class="qr missing" role="note">${label(layout.qr.missing, layout.lang === 'en' ? 'both' : layout.lang)}</div>`;
  const { size, data } = layout.qr.modules;
  let d = '';
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; ) {
      if (!data[r * size + c]) {
        c++;
        continue;
      }
      let e = c;
      while (e < size && data[r * size + e]) e++;
      d += `M${c + 4} ${r + 4}h${e - c}v1h${c - e}z`;
      c = e;
    }
  }
  return `<svg class="qr" viewBox="0 0 ${size + 8} ${size + 8}" role="img" aria-label="ZATCA QR"><rect width="100%" height="100%" fill="#fff"/><path d="${d}" fill="#000"/></svg>`;
}

function party(p: PartyBlock, lang: Lang, cls: string): string {
  return `<section class="party ${cls}"><h2>${label(p.title, lang)}</h2>${lines(p.name, 'name')}${lines(p.address, 'address')}${fields(p.fields, lang, 'ids')}</section>`;
}

function title(layout: InvoiceLayout): string {
  const t = layout.title;
  const parts =
    layout.lang === 'ar'
      ? [`<span lang="ar" dir="rtl">${esc(t.ar)}</span>`]
      : [`<span lang="en" dir="ltr">${esc(t.en)}</span>`, `<span lang="ar" dir="rtl">${esc(t.ar)}</span>`];
  const badges = layout.badges.map((b) => `<span class="badge">${label(b, layout.lang)}</span>`).join(' ');
  return `<h1 class="title">${parts.join('')}</h1>${badges ? `<p class="badges">${badges}</p>` : ''}`;
}

function band(layout: InvoiceLayout): string {
  if (!layout.invalid.length) return '';
  const reasons = layout.invalid.map((r) => `<li>${label(r, layout.lang === 'en' ? 'en' : layout.lang)}</li>`).join('');
  return `<div class="band" role="alert"><strong>NOT A VALID TAX INVOICE / <span lang="ar" dir="rtl">ليست فاتورة ضريبية صالحة</span></strong><ul>${reasons}</ul></div>`;
}

function lineCell(key: ColumnKey, line: LineRow): string {
  if (key === 'description') return `<td class="desc">${lines(line.description)}${lines(line.details, 'detail')}</td>`;
  return `<td class="num" dir="ltr">${esc(line.cells[key])}</td>`;
}

function linesTable(layout: InvoiceLayout): string {
  if (layout.format === 'receipt') {
    const rows = layout.lines.map(
      (l) =>
        `<tr><td class="desc" colspan="3">${lines(l.description)}</td></tr><tr class="figures"><td dir="ltr">${esc(`${l.cells.quantity} × ${l.cells.unitPrice}`)}</td><td class="num" dir="ltr">${esc(l.cells.vatRate)}</td><td class="num total" dir="ltr">${esc(l.cells.total)}</td></tr>${l.details.length ? `<tr><td colspan="3">${lines(l.details, 'detail')}</td></tr>` : ''}`,
    );
    return `<table class="lines">${rows.join('')}</table>`;
  }
  const head = layout.columns.map((k) => `<th class="col-${k}">${label(COLUMN_LABEL[k], layout.lang)}</th>`).join('');
  const body = layout.lines.map((l) => `<tr>${layout.columns.map((k) => lineCell(k, l)).join('')}</tr>`).join('');
  return `<table class="lines"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function summary(layout: InvoiceLayout): string {
  const lang = layout.lang;
  const breakdown = layout.breakdown
    .map(
      (r) =>
        `<tr><td>${label(r.category, lang)} <span class="code" dir="ltr">(${esc(r.code)})</span>${lines(r.exemption, 'detail')}</td><td class="num" dir="ltr">${esc(r.rate)}</td><td class="num" dir="ltr">${esc(r.taxable)}</td><td class="num" dir="ltr">${esc(r.vat)}</td></tr>`,
    )
    .join('');
  const head = [LABELS.category, LABELS.vatRate, LABELS.taxable, LABELS.vatAmount].map((b) => `<th>${label(b, lang)}</th>`).join('');
  const totals = layout.totals
    .map((t) => `<tr${t.strong ? ' class="strong"' : ''}><th>${label(t.label, lang)}</th><td class="num" dir="ltr">${esc(t.value)}</td></tr>`)
    .join('');
  return `<section class="summary"><div class="breakdown"><h2>${label(LABELS.vatBreakdown, lang)}</h2><table><thead><tr>${head}</tr></thead><tbody>${breakdown}</tbody></table></div><table class="totals">${totals}</table></section>`;
}

export function renderHtml(layout: InvoiceLayout): string {
  const lang = layout.lang;
  const notes = layout.notes.length ? `<section class="notes"><h2>${label(LABELS.notes, lang)}</h2>${lines(layout.notes)}</section>` : '';
  const seller = `<div class="seller">${lines(layout.seller.name, 'name')}${lines(layout.seller.address, 'address')}${fields(layout.seller.fields, lang, 'ids')}</div>`;
  const body = [
    `<header class="letterhead">${seller}${layout.format === 'a4' ? qrSvg(layout) : ''}</header>`,
    title(layout),
    band(layout),
    `<div class="head">${fields(layout.facts, lang, 'facts')}${layout.buyer ? party(layout.buyer, lang, 'buyer') : ''}</div>`,
    linesTable(layout),
    summary(layout),
    notes,
    layout.format === 'receipt' ? `<div class="qr-foot">${qrSvg(layout)}</div>` : '',
    `<footer class="small">${fields(layout.smallPrint, lang, 'smallprint')}</footer>`,
  ].join('\n');
  const docTitle = `${layout.lang === 'ar' ? layout.title.ar : layout.title.en} ${layout.number}`;
  return `<!DOCTYPE html>
<html lang="${lang === 'en' ? 'en' : 'ar'}" dir="${layout.rtl ? 'rtl' : 'ltr'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(docTitle)}</title>
<style>${css(layout)}</style>
</head>
<body>
<main class="sheet ${layout.format}${layout.invalid.length ? ' invalid' : ''}">
${body}
</main>
</body>
</html>
`;
}

function css(layout: InvoiceLayout): string {
  const receipt = layout.format === 'receipt';
  return `
@page { size: ${receipt ? '80mm auto' : 'A4'}; margin: ${receipt ? '3mm' : '12mm'}; }
* { box-sizing: border-box; }
body { margin: 0; background: #f2f4f3; color: #1f1f24; font: ${receipt ? '8.5pt' : '9pt'}/1.45 "Noto Sans Arabic", "Noto Naskh Arabic", "Segoe UI", Tahoma, Arial, sans-serif; }
.sheet { background: #fff; margin: 8mm auto; padding: ${receipt ? '3mm' : '12mm'}; width: ${receipt ? '80mm' : '210mm'}; }
@media print { body { background: #fff; } .sheet { margin: 0; padding: 0; width: auto; } }
.letterhead { display: flex; justify-content: space-between; gap: 6mm; ${receipt ? 'flex-direction: column; text-align: center;' : ''} }
.seller .name { font-weight: 700; font-size: ${receipt ? '11pt' : '13pt'}; color: #0a5c4d; }
.address { color: #666b73; font-size: 8pt; }
svg.qr { width: ${receipt ? '48mm' : '40mm'}; height: auto; display: block; }
.qr.missing { border: 1px solid #bd1419; color: #bd1419; font-weight: 700; padding: 4mm; width: 40mm; text-align: center; }
.qr-foot { display: flex; justify-content: center; margin: 3mm 0; }
.title { display: flex; justify-content: ${layout.lang === 'ar' ? 'center' : 'space-between'}; ${receipt ? 'flex-direction: column; align-items: center;' : ''} background: #edf5f3; color: #0a5c4d; font-size: ${receipt ? '12pt' : '15pt'}; margin: 4mm 0 2mm; padding: 2mm 3mm; }
.badges { text-align: center; font-weight: 700; margin: 0 0 2mm; }
.badge { margin: 0 2mm; }
.band { background: #bd1419; color: #fff; text-align: center; padding: 2mm; margin: 2mm 0; font-size: ${receipt ? '10pt' : '12pt'}; }
.band ul { list-style: none; margin: 1mm 0 0; padding: 0; font-size: 8pt; font-weight: 400; }
.head { display: flex; gap: 5mm; align-items: flex-start; ${receipt ? 'flex-direction: column;' : ''} }
table { border-collapse: collapse; width: 100%; }
.fields th { font-weight: 400; color: #666b73; text-align: start; white-space: nowrap; padding: 0.4mm 1.5mm 0.4mm 0; vertical-align: top; }
.fields th.ar { text-align: end; }
.fields td.value { font-weight: 700; padding: 0.4mm 1.5mm; }
.fields td.value[dir="ltr"] { text-align: start; unicode-bidi: isolate; }
.party { border: 1px solid #c7ccd1; flex: 1; }
.party h2 { background: #0a5c4d; color: #fff; font-size: 8pt; margin: 0; padding: 1mm 2mm; }
.party > div, .party > table { margin: 0 2mm; }
.party .name { font-weight: 700; }
table.lines { margin-top: 4mm; }
.lines thead { display: table-header-group; }
.lines th { background: #0a5c4d; color: #fff; font-size: 7pt; padding: 1mm; vertical-align: bottom; }
.lines th span { display: block; }
.lines td { padding: 1mm; vertical-align: top; border-bottom: 0.5px solid #c7ccd1; }
.lines tbody tr:nth-child(even) { background: #edf5f3; }
.lines tr { break-inside: avoid; }
.num { text-align: ${layout.rtl ? 'left' : 'right'}; unicode-bidi: isolate; white-space: nowrap; font-variant-numeric: tabular-nums; }
.detail { color: #666b73; font-size: 7pt; }
${receipt ? '.lines td { border: 0; } .lines tr.figures td { color: #666b73; } .lines td.total { color: #1f1f24; font-weight: 700; }' : ''}
.summary { display: flex; gap: 5mm; margin-top: 4mm; align-items: flex-start; ${receipt ? 'flex-direction: column-reverse;' : ''} }
.summary > * { flex: 1; }
.summary h2 { color: #0a5c4d; font-size: 8.5pt; margin: 0 0 1mm; }
.breakdown th { background: #0a5c4d; color: #fff; font-size: 7pt; padding: 1mm; }
.breakdown td { padding: 1mm; border-bottom: 0.5px solid #c7ccd1; vertical-align: top; }
.totals { border: 1px solid #c7ccd1; }
.totals th { text-align: start; font-weight: 400; color: #666b73; padding: 1mm 2mm; }
.totals th span { display: block; }
.totals td { font-weight: 700; padding: 1mm 2mm; }
.totals tr.strong { background: #edf5f3; font-size: 1.1em; }
.totals tr.strong th { color: #1f1f24; font-weight: 700; }
.notes h2 { color: #0a5c4d; font-size: 8.5pt; }
.small { border-top: 0.5px solid #c7ccd1; margin-top: 4mm; font-size: 6.5pt; color: #666b73; }
`;
}
