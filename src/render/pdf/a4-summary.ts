// The A4 summary under the lines: the VAT breakdown per category and rate (with the exemption
// reason for E, Z and O) at the start, the totals at the end, then the document's notes.
import type { InvoiceLayout } from '../model.js';
import { LABELS } from '../labels.js';
import type { DrawOp } from './canvas.js';
import { labelParts, say } from './blocks.js';
import { ACCENT, Frame, INK, lineHeight, MUTED, type Pages, RULE, SHADE, text, texts, WHITE } from './compose.js';

const GAP = 14;

function breakdown(ops: DrawOp[] | undefined, layout: InvoiceLayout, frame: Frame, y: number): number {
  const cols = [
    { key: 'category', w: frame.width - 150 },
    { key: 'rate', w: 34 },
    { key: 'taxable', w: 60 },
    { key: 'vat', w: 56 },
  ] as const;
  const heads = { category: LABELS.category, rate: LABELS.vatRate, taxable: LABELS.taxable, vat: LABELS.vatAmount };
  const head = { font: 'bold' as const, size: 6.8, color: WHITE };
  let x = 0;
  const placed = cols.map((c) => {
    const p = { ...c, x };
    x += c.w;
    return p;
  });
  let h = text(ops, say(LABELS.vatBreakdown, layout.lang), { font: 'bold', size: 8.5, color: ACCENT }, frame, y, 'start') + 2;
  const headH = Math.max(...placed.map((c) => texts(undefined, labelParts(heads[c.key], layout.lang), head, frame.sub(c.x + 2, c.w - 4), 0, 'center'))) + 6;
  if (ops) {
    ops.push({ kind: 'rect', x: frame.left, y: y + h, w: frame.width, h: headH, fill: ACCENT });
    for (const c of placed) texts(ops, labelParts(heads[c.key], layout.lang), head, frame.sub(c.x + 2, c.w - 4), y + h + 3, 'center');
  }
  h += headH;
  for (const r of layout.breakdown) {
    const cell = (key: (typeof cols)[number]['key']) => {
      const c = placed.find((p) => p.key === key)!;
      return frame.sub(c.x + 3, c.w - 6);
    };
    let rh = texts(ops, labelParts(r.category, layout.lang), { font: 'regular', size: 7.5 }, cell('category'), y + h + 3, 'natural');
    rh += text(ops, r.code, { font: 'bold', size: 6.5, color: MUTED, dir: 'ltr' }, cell('category'), y + h + 3 + rh, 'start');
    rh += texts(ops, r.exemption, { font: 'regular', size: 6.5, color: MUTED }, cell('category'), y + h + 3 + rh, 'natural');
    const num = { font: 'regular' as const, size: 7.5, dir: 'ltr' as const };
    text(ops, r.rate, num, cell('rate'), y + h + 3, 'end');
    text(ops, r.taxable, num, cell('taxable'), y + h + 3, 'end');
    text(ops, r.vat, num, cell('vat'), y + h + 3, 'end');
    h += rh + 6;
    if (ops) ops.push({ kind: 'rect', x: frame.left, y: y + h - 0.3, w: frame.width, h: 0.3, fill: RULE });
  }
  return h;
}

/** One total: `both` writes the English label, the Arabic label and the value side by side. */
function totalRow(ops: DrawOp[] | undefined, layout: InvoiceLayout, t: InvoiceLayout['totals'][number], inner: Frame, y: number): number {
  const size = t.strong ? 9 : 8;
  const valueWidth = 78;
  const labelStyle = { font: t.strong ? ('bold' as const) : ('regular' as const), size: size - 0.5, color: t.strong ? INK : MUTED };
  const labels = inner.sub(0, inner.width - valueWidth - 6);
  let h: number;
  if (layout.lang === 'both') {
    const en = labels.width * 0.44;
    h = Math.max(
      text(ops, t.label.en, { ...labelStyle, dir: 'ltr' }, labels.sub(0, en - 3), y, 'start'),
      text(ops, t.label.ar, { ...labelStyle, dir: 'rtl' }, labels.sub(en + 3, labels.width - en - 3), y, 'end'),
    );
  } else {
    h = text(ops, layout.lang === 'ar' ? t.label.ar : t.label.en, labelStyle, labels, y, 'start');
  }
  text(ops, t.value, { font: 'bold', size, dir: 'ltr' }, inner.sub(inner.width - valueWidth, valueWidth), y, 'end');
  return Math.max(h, lineHeight(size));
}

function totals(ops: DrawOp[] | undefined, layout: InvoiceLayout, frame: Frame, y: number): number {
  const inner = new Frame(frame.left + 6, frame.width - 12, frame.rtl);
  let h = 4;
  for (const t of layout.totals) {
    const rh = totalRow(undefined, layout, t, inner, 0);
    if (ops && t.strong) ops.push({ kind: 'rect', x: frame.left, y: y + h - 2, w: frame.width, h: rh + 4, fill: SHADE });
    totalRow(ops, layout, t, inner, y + h);
    h += rh + 4;
  }
  if (ops) ops.push({ kind: 'rect', x: frame.left, y, w: frame.width, h, stroke: RULE });
  return h;
}

/** Breakdown beside totals (one page), then notes; moves to a new page when they do not fit. */
export function summaryBlock(pages: Pages, layout: InvoiceLayout, frame: Frame): void {
  const totalsWidth = frame.width * 0.54;
  const left = frame.sub(0, frame.width - totalsWidth - GAP);
  const right = frame.sub(frame.width - totalsWidth, totalsWidth);
  const h = Math.max(breakdown(undefined, layout, left, 0), totals(undefined, layout, right, 0));
  pages.need(h);
  breakdown(pages.ops, layout, left, pages.y);
  totals(pages.ops, layout, right, pages.y);
  pages.y += h + 10;
  if (!layout.notes.length) return;
  const title = say(LABELS.notes, layout.lang);
  const nh = texts(undefined, [title, ...layout.notes], { font: 'regular', size: 7.5 }, frame, 0);
  pages.need(nh);
  pages.y += text(pages.ops, title, { font: 'bold', size: 8, color: ACCENT }, frame, pages.y, 'start');
  pages.y += texts(pages.ops, layout.notes, { font: 'regular', size: 7.5 }, frame, pages.y, 'natural');
}
