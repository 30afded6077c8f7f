// The 80 mm receipt for simplified documents: one narrow column as thermal printers print it, the
// page as long as its content (split into pages only past PDF's page-size limit), the QR at the foot.
import { ltr } from '../format.js';
import type { InvoiceLayout, LineRow } from '../model.js';
import { LABELS } from '../labels.js';
import type { DrawOp, PagePlan } from './canvas.js';
import { fieldRows, invalidBand, labelParts, qrBlock, say } from './blocks.js';
import { ACCENT, Frame, INK, lineHeight, MUTED, Pages, RULE, rule, SHADE, text, texts } from './compose.js';

export const RECEIPT = { width: 226.77, margin: 10, qr: 136 };
/** PDF viewers refuse pages past 200 inches (14,400 pt); longer receipts continue on a next page. */
const MAX_PAGE = 14_000;

const labelWidth = (layout: InvoiceLayout): number => (layout.lang === 'both' ? 56 : 74);

function header(ops: DrawOp[], layout: InvoiceLayout, frame: Frame, y0: number): number {
  let y = y0;
  y += texts(ops, layout.seller.name, { font: 'bold', size: 10.5, color: ACCENT }, frame, y, 'center');
  y += texts(ops, layout.seller.address, { font: 'regular', size: 7, color: MUTED }, frame, y, 'center') + 2;
  y += fieldRows(ops, layout.seller.fields, layout.lang, frame, y, labelWidth(layout), 7.5) + 4;
  rule(ops, frame, y);
  y += 6;
  if (layout.lang !== 'en') y += text(ops, layout.title.ar, { font: 'bold', size: 12, color: ACCENT, dir: 'rtl' }, frame, y, 'center');
  if (layout.lang !== 'ar') y += text(ops, layout.title.en, { font: 'bold', size: 10, color: ACCENT, dir: 'ltr' }, frame, y, 'center');
  if (layout.lang === 'en') y += text(ops, layout.title.ar, { font: 'bold', size: 10, color: ACCENT, dir: 'rtl' }, frame, y, 'center');
  for (const b of layout.badges) y += text(ops, say(b, layout.lang), { font: 'bold', size: 7.5 }, frame, y, 'center');
  y += 4;
  const band = invalidBand(ops, layout, frame, y);
  return y - y0 + (band ? band + 6 : 0);
}

function item(ops: DrawOp[] | undefined, line: LineRow, frame: Frame, y: number): number {
  let h = texts(ops, line.description, { font: 'regular', size: 8 }, frame, y, 'natural');
  const qtyPrice = `${ltr(line.cells.quantity)} × ${ltr(line.cells.unitPrice)}`;
  const priceWidth = frame.width * 0.5;
  h += Math.max(
    text(ops, qtyPrice, { font: 'regular', size: 7.5, color: MUTED, dir: frame.rtl ? 'rtl' : 'ltr' }, frame.sub(0, priceWidth), y + h, 'start'),
    text(ops, line.cells.vatRate, { font: 'regular', size: 7, color: MUTED, dir: 'ltr' }, frame.sub(priceWidth, frame.width * 0.18), y + h, 'center'),
    text(ops, line.cells.total, { font: 'bold', size: 8, dir: 'ltr' }, frame.sub(frame.width * 0.68, frame.width * 0.32), y + h, 'end'),
  );
  h += texts(ops, line.details, { font: 'regular', size: 6.5, color: MUTED }, frame, y + h, 'natural');
  return h + 4;
}

/** A label (stacked English and Arabic) at the start and its value at the end. */
function pair(ops: DrawOp[] | undefined, labels: string[], value: string, frame: Frame, y: number, size: number, strong = false): number {
  const labelFrame = frame.sub(0, frame.width - 80);
  const labelStyle = { font: strong ? ('bold' as const) : ('regular' as const), size: size - 0.5, color: strong ? INK : MUTED };
  const h = Math.max(texts(undefined, labels, labelStyle, labelFrame, 0, 'start'), lineHeight(size));
  if (ops && strong) ops.push({ kind: 'rect', x: frame.left - 2, y: y - 1, w: frame.width + 4, h: h + 2, fill: SHADE });
  texts(ops, labels, labelStyle, labelFrame, y, 'start');
  text(ops, value, { font: 'bold', size, dir: 'ltr' }, frame.sub(frame.width - 80, 80), y, 'end');
  return h + 2;
}

function totalsBlock(ops: DrawOp[] | undefined, layout: InvoiceLayout, frame: Frame, y: number): number {
  let h = 0;
  for (const t of layout.totals) h += pair(ops, labelParts(t.label, layout.lang), t.value, frame, y + h, t.strong ? 8.5 : 7.5, t.strong);
  return h;
}

function breakdownBlock(ops: DrawOp[] | undefined, layout: InvoiceLayout, frame: Frame, y: number): number {
  let h = text(ops, say(LABELS.vatBreakdown, layout.lang), { font: 'bold', size: 7.5, color: ACCENT }, frame, y, 'start');
  for (const r of layout.breakdown) {
    h += text(ops, `${say(r.category, layout.lang)} ${ltr(r.rate)}`, { font: 'bold', size: 7 }, frame, y + h, 'start');
    h += pair(ops, labelParts(LABELS.taxable, layout.lang), r.taxable, frame, y + h, 7);
    h += pair(ops, labelParts(LABELS.vatAmount, layout.lang), r.vat, frame, y + h, 7);
    h += texts(ops, r.exemption, { font: 'regular', size: 6.5, color: MUTED }, frame, y + h, 'natural');
  }
  return h;
}

function foot(pages: Pages, layout: InvoiceLayout, frame: Frame): void {
  // label over value, centred: a UUID needs the whole width of the roll
  const small = (ops: DrawOp[] | undefined, y: number): number => {
    let h = 0;
    for (const f of layout.smallPrint) {
      h += text(ops, say(f.label, layout.lang), { font: 'regular', size: 5.8, color: MUTED }, frame, y + h, 'center');
      h += text(ops, f.value || '—', { font: 'bold', size: 6.2, dir: 'ltr' }, frame, y + h, 'center');
    }
    return h;
  };
  pages.need(RECEIPT.qr + 8 + small(undefined, 0));
  qrBlock(pages.ops, layout, frame.left + (frame.width - RECEIPT.qr) / 2, pages.y, RECEIPT.qr);
  pages.y += RECEIPT.qr + 6;
  pages.y += small(pages.ops, pages.y);
}

export function planReceipt(layout: InvoiceLayout): PagePlan[] {
  const { width, margin } = RECEIPT;
  const frame = new Frame(margin, width - 2 * margin, layout.rtl);
  const heading = (ops: DrawOp[], y: number): number =>
    text(
      ops,
      `${say(layout.title, layout.lang === 'ar' ? 'ar' : 'both')} — ${ltr(layout.number)}`,
      { font: 'bold', size: 8, color: ACCENT },
      frame,
      y,
      'center',
    ) +
    invalidBand(ops, layout, frame, y + lineHeight(8), true) +
    4;
  const pages = new Pages(width, MAX_PAGE, margin, MAX_PAGE - 30, heading);
  pages.y += header(pages.ops, layout, frame, pages.y);
  pages.y += fieldRows(pages.ops, layout.facts, layout.lang, frame, pages.y, labelWidth(layout), 7.5) + 2;
  if (layout.buyer) {
    const b = layout.buyer;
    pages.y += text(pages.ops, say(b.title, layout.lang), { font: 'bold', size: 7.5, color: ACCENT }, frame, pages.y, 'start');
    pages.y += texts(pages.ops, [...b.name, ...b.address], { font: 'regular', size: 7.5 }, frame, pages.y, 'natural');
    pages.y += fieldRows(pages.ops, b.fields, layout.lang, frame, pages.y, labelWidth(layout), 7.5);
  }
  rule(pages.ops, frame, pages.y + 3);
  pages.y += 8;
  for (const line of layout.lines) {
    pages.need(item(undefined, line, frame, 0));
    pages.y += item(pages.ops, line, frame, pages.y);
  }
  rule(pages.ops, frame, pages.y);
  pages.y += 5;
  pages.need(totalsBlock(undefined, layout, frame, 0));
  pages.y += totalsBlock(pages.ops, layout, frame, pages.y) + 6;
  pages.need(breakdownBlock(undefined, layout, frame, 0));
  pages.y += breakdownBlock(pages.ops, layout, frame, pages.y) + 6;
  rule(pages.ops, frame, pages.y, RULE);
  pages.y += 8;
  foot(pages, layout, frame);
  return pages.finish(margin, (ops, y, page, count) => {
    if (count > 1) text(ops, `${page}/${count}`, { font: 'bold', size: 7, dir: 'ltr' }, frame, y, 'center');
  });
}
