// The A4 tax invoice, credit or debit note: letterhead with the QR, bilingual title, document facts
// and buyer, the lines table (its header repeated on every page), VAT breakdown, totals, footers.
import { labelText } from '../format.js';
import type { ColumnKey, InvoiceLayout, LineRow } from '../model.js';
import { COLUMN_LABEL } from '../labels.js';
import type { DrawOp, PagePlan } from './canvas.js';
import { fieldRows, footer, invalidBand, labelParts, qrBlock, say } from './blocks.js';
import { ACCENT, Frame, INK, lineHeight, MUTED, Pages, RULE, SHADE, text, texts, WHITE, widthOf } from './compose.js';
import { summaryBlock } from './a4-summary.js';

export const A4 = { width: 595.28, height: 841.89, margin: 36 };
const QR_SIZE = 112;
const FOOTER = 40;

const COLUMN_WIDTH: Record<Exclude<ColumnKey, 'description'>, number> = {
  no: 26,
  quantity: 38,
  unitPrice: 54,
  discount: 46,
  taxable: 60,
  vatRate: 38,
  vatAmount: 52,
  total: 62,
};

interface Column {
  key: ColumnKey;
  x: number;
  w: number;
}

function columnsOf(layout: InvoiceLayout, width: number): Column[] {
  const fixed = layout.columns.filter((k) => k !== 'description').reduce((s, k) => s + COLUMN_WIDTH[k as Exclude<ColumnKey, 'description'>], 0);
  let x = 0;
  return layout.columns.map((key) => {
    const w = key === 'description' ? width - fixed : COLUMN_WIDTH[key];
    const c = { key, x, w };
    x += w;
    return c;
  });
}

/** Seller letterhead at the start, the QR at the end; returns the height used. */
function letterhead(ops: DrawOp[], layout: InvoiceLayout, frame: Frame, y: number): number {
  const left = frame.sub(0, frame.width - QR_SIZE - 16);
  let h = texts(ops, layout.seller.name, { font: 'bold', size: 13, color: ACCENT }, left, y, 'natural');
  h += texts(ops, layout.seller.address, { font: 'regular', size: 8, color: MUTED }, left, y + h, 'natural');
  h += fieldRows(ops, layout.seller.fields, layout.lang, left.sub(0, Math.min(left.width, 330)), y + h + 4, layout.lang === 'both' ? 74 : 96, 8.5) + 4;
  qrBlock(ops, layout, frame.px(frame.width - QR_SIZE, QR_SIZE), y, QR_SIZE);
  return Math.max(h, QR_SIZE);
}

/** The title band: English at the left edge and Arabic at the right (Arabic only on `ar` pages). */
function titleBand(ops: DrawOp[], layout: InvoiceLayout, frame: Frame, y: number): number {
  const size = 15;
  const h = lineHeight(size) + 8 + (layout.badges.length ? lineHeight(8) : 0);
  ops.push({ kind: 'rect', x: frame.left, y, w: frame.width, h, fill: SHADE });
  const inner = new Frame(frame.left + 8, frame.width - 16, false);
  if (layout.lang !== 'ar') text(ops, layout.title.en, { font: 'bold', size, color: ACCENT, dir: 'ltr' }, inner, y + 4, 'start');
  text(ops, layout.title.ar, { font: 'bold', size, color: ACCENT, dir: 'rtl' }, inner, y + 4, layout.lang === 'ar' ? 'center' : 'end');
  if (layout.badges.length) {
    const badges = layout.badges.map((b) => say(b, layout.lang)).join('   ');
    text(ops, badges, { font: 'bold', size: 8, color: INK }, inner, y + 4 + lineHeight(size), 'center');
  }
  return h;
}

/** Document facts, and the buyer beside them when there is one. */
function factsAndBuyer(ops: DrawOp[] | undefined, layout: InvoiceLayout, frame: Frame, y: number): number {
  const labelWidth = layout.lang === 'both' ? 74 : 96;
  if (!layout.buyer) {
    const half = (frame.width - 16) / 2;
    const split = Math.ceil(layout.facts.length / 2);
    const a = fieldRows(ops, layout.facts.slice(0, split), layout.lang, frame.sub(0, half), y, labelWidth, 8.5);
    const b = fieldRows(ops, layout.facts.slice(split), layout.lang, frame.sub(half + 16, half), y, labelWidth, 8.5);
    return Math.max(a, b);
  }
  const factsWidth = frame.width * 0.52;
  const facts = fieldRows(ops, layout.facts, layout.lang, frame.sub(0, factsWidth), y, labelWidth, 8.5);
  const box = frame.sub(factsWidth + 14, frame.width - factsWidth - 14);
  const inner = new Frame(box.left + 6, box.width - 12, frame.rtl);
  const buyer = layout.buyer;
  let h = text(ops, say(buyer.title, layout.lang), { font: 'bold', size: 8, color: WHITE }, inner, y + 2, 'start') + 4;
  h += texts(ops, buyer.name, { font: 'bold', size: 9.5 }, inner, y + h, 'natural');
  h += texts(ops, buyer.address, { font: 'regular', size: 7.5, color: MUTED }, inner, y + h, 'natural');
  h += fieldRows(ops, buyer.fields, layout.lang, inner, y + h + 2, layout.lang === 'both' ? 62 : 80, 8) + 6;
  if (ops) {
    ops.unshift(
      { kind: 'rect', x: box.left, y, w: box.width, h, stroke: RULE },
      { kind: 'rect', x: box.left, y, w: box.width, h: lineHeight(8) + 4, fill: ACCENT },
    );
  }
  return Math.max(facts, h);
}

function tableHeader(ops: DrawOp[], layout: InvoiceLayout, frame: Frame, cols: Column[], y: number): number {
  const style = { font: 'bold' as const, size: 6.8, color: WHITE };
  const height =
    Math.max(...cols.map((c) => texts(undefined, labelParts(COLUMN_LABEL[c.key], layout.lang), style, frame.sub(c.x + 2, c.w - 4), 0, 'center'))) + 6;
  ops.push({ kind: 'rect', x: frame.left, y, w: frame.width, h: height, fill: ACCENT });
  for (const c of cols) texts(ops, labelParts(COLUMN_LABEL[c.key], layout.lang), style, frame.sub(c.x + 2, c.w - 4), y + 3, 'center');
  return height;
}

/** An item name: Arabic and English side by side when both fit on one line, else one under the other. */
function description(ops: DrawOp[] | undefined, names: string[], cell: Frame, y: number): number {
  const style = { font: 'regular' as const, size: 8 };
  const [first, second] = names;
  if (first !== undefined && second !== undefined && widthOf(first, style) + widthOf(second, style) + 12 <= cell.width) {
    return Math.max(text(ops, first, style, cell, y, 'natural'), text(ops, second, style, cell, y, 'natural'));
  }
  return texts(ops, names, style, cell, y, 'natural');
}

function row(ops: DrawOp[] | undefined, line: LineRow, frame: Frame, cols: Column[], y: number): number {
  let h = 0;
  for (const c of cols) {
    const cell = frame.sub(c.x + 3, c.w - 6);
    if (c.key === 'description') {
      let d = description(ops, line.description, cell, y + 3);
      d += texts(ops, line.details, { font: 'regular', size: 6.5, color: MUTED }, cell, y + 3 + d, 'natural');
      h = Math.max(h, d);
    } else {
      h = Math.max(h, text(ops, line.cells[c.key], { font: 'regular', size: 8, dir: 'ltr' }, cell, y + 3, c.key === 'no' ? 'center' : 'end'));
    }
  }
  return h + 6;
}

function linesTable(pages: Pages, layout: InvoiceLayout, frame: Frame, cols: Column[]): void {
  pages.y += tableHeader(pages.ops, layout, frame, cols, pages.y);
  layout.lines.forEach((line, i) => {
    const h = row(undefined, line, frame, cols, 0);
    if (pages.need(h)) pages.y += tableHeader(pages.ops, layout, frame, cols, pages.y);
    if (i % 2 === 1) pages.ops.push({ kind: 'rect', x: frame.left, y: pages.y, w: frame.width, h, fill: SHADE });
    row(pages.ops, line, frame, cols, pages.y);
    pages.y += h;
    pages.ops.push({ kind: 'rect', x: frame.left, y: pages.y - 0.3, w: frame.width, h: 0.3, fill: RULE });
  });
}

/** Continuation pages open with the title, number and (when invalid) the band. */
function continuationHeader(layout: InvoiceLayout, frame: Frame) {
  return (ops: DrawOp[], y: number): number => {
    const heading = `${labelText(layout.title, layout.lang === 'ar' ? 'ar' : 'both')} — ${layout.number}`;
    let h = text(ops, heading, { font: 'bold', size: 10, color: ACCENT }, frame, y, 'start') + 4;
    h += invalidBand(ops, layout, frame, y + h, true);
    return h + (layout.invalid.length ? 6 : 0);
  };
}

export function planA4(layout: InvoiceLayout): PagePlan[] {
  const { width, height, margin } = A4;
  const frame = new Frame(margin, width - 2 * margin, layout.rtl);
  const pages = new Pages(width, height, margin, height - FOOTER - 8, continuationHeader(layout, frame));
  pages.y += letterhead(pages.ops, layout, frame, pages.y) + 10;
  pages.y += titleBand(pages.ops, layout, frame, pages.y) + 8;
  const band = invalidBand(pages.ops, layout, frame, pages.y);
  pages.y += band ? band + 8 : 0;
  pages.y += factsAndBuyer(pages.ops, layout, frame, pages.y) + 12;
  linesTable(pages, layout, frame, columnsOf(layout, frame.width));
  pages.y += 12;
  summaryBlock(pages, layout, frame);
  const count = pages.plans.length;
  pages.plans.forEach((plan, i) => {
    footer(plan.ops, layout, frame, height - FOOTER, i + 1, count);
  });
  return pages.plans;
}
