// Blocks both PDF formats draw: bilingual label/value rows, the validity band, the QR (or the
// statement that there is none), and the footer with small print and page numbers.
import type { Lang } from '../format.js';
import type { Bi } from '../labels.js';
import type { Field, InvoiceLayout } from '../model.js';
import type { DrawOp } from './canvas.js';
import { ALERT, Frame, INK, MUTED, RULE, type Style, text, texts, WHITE } from './compose.js';

/** The label in the shown language; `both` gives English and Arabic as two strings. */
export function labelParts(label: Bi, lang: Lang): string[] {
  return lang === 'ar' ? [label.ar] : lang === 'en' ? [label.en] : [label.en, label.ar];
}

export function say(label: Bi, lang: Lang): string {
  return labelParts(label, lang).join(' · ');
}

/**
 * One field: `both` puts the English label at the start, the Arabic one at the end and the value
 * between; one language puts label then value. Returns the row height.
 */
export function fieldRow(ops: DrawOp[] | undefined, f: Field, lang: Lang, frame: Frame, y: number, labelWidth: number, size: number): number {
  const labelStyle: Style = { font: 'regular', size: size - 0.8, color: MUTED };
  const valueStyle: Style = { font: f.plain ? 'regular' : 'bold', size, ...(f.ltr && { dir: 'ltr' as const }) };
  const value = f.value || '—';
  if (lang === 'both') {
    const en = text(ops, f.label.en, { ...labelStyle, dir: 'ltr' }, frame.sub(0, labelWidth), y, 'start');
    const ar = text(ops, f.label.ar, { ...labelStyle, dir: 'rtl' }, frame.sub(frame.width - labelWidth, labelWidth), y, 'end');
    const v = text(ops, value, valueStyle, frame.sub(labelWidth + 4, frame.width - 2 * labelWidth - 8), y, f.plain ? 'natural' : 'start');
    return Math.max(en, ar, v);
  }
  const l = text(ops, lang === 'ar' ? f.label.ar : f.label.en, labelStyle, frame.sub(0, labelWidth), y, 'start');
  const v = text(ops, value, valueStyle, frame.sub(labelWidth + 4, frame.width - labelWidth - 4), y, 'start');
  return Math.max(l, v);
}

export function fieldRows(ops: DrawOp[] | undefined, fields: Field[], lang: Lang, frame: Frame, y: number, labelWidth: number, size: number): number {
  let h = 0;
  for (const f of fields) h += fieldRow(ops, f, lang, frame, y + h, labelWidth, size) + 1.5;
  return h;
}

/** The red band of a document that is not a valid tax invoice, with its reasons. */
export function invalidBand(ops: DrawOp[] | undefined, layout: InvoiceLayout, frame: Frame, y: number, compact = false): number {
  if (!layout.invalid.length) return 0;
  const inner = new Frame(frame.left + 6, frame.width - 12, frame.rtl);
  const title: Style = { font: 'bold', size: compact ? 9 : 12, color: WHITE };
  const reasons = compact ? [] : layout.invalid.map((r) => say(r, layout.lang === 'en' ? 'en' : layout.lang));
  const measure = (o: DrawOp[] | undefined): number => {
    const h = text(o, 'NOT A VALID TAX INVOICE / ليست فاتورة ضريبية صالحة', title, inner, y + 4, 'center');
    return h + texts(o, reasons, { font: 'regular', size: 7, color: WHITE }, inner, y + 4 + h, 'center');
  };
  const h = measure(undefined) + 8;
  if (ops) {
    ops.push({ kind: 'rect', x: frame.left, y, w: frame.width, h, fill: ALERT });
    measure(ops);
  }
  return h;
}

/** The QR at (x, y) with its quiet zone, or a framed statement that the document carries none. */
export function qrBlock(ops: DrawOp[], layout: InvoiceLayout, x: number, y: number, size: number): void {
  if ('text' in layout.qr) {
    const { modules } = layout.qr;
    const quiet = (size * 4) / (modules.size + 8);
    ops.push({ kind: 'rect', x, y, w: size, h: size, fill: WHITE });
    ops.push({ kind: 'qr', x: x + quiet, y: y + quiet, size: size - 2 * quiet, modules });
    return;
  }
  ops.push({ kind: 'rect', x, y, w: size, h: size, stroke: ALERT, lineWidth: 1 });
  const frame = new Frame(x + 6, size - 12, false);
  const lines = labelParts(layout.qr.missing, layout.lang === 'en' ? 'both' : layout.lang);
  const h = texts(undefined, lines, { font: 'bold', size: 8, color: ALERT }, frame, 0, 'center');
  texts(ops, lines, { font: 'bold', size: 8, color: ALERT }, frame, y + (size - h) / 2, 'center');
}

/** Small print (UUID, ICV) at the start and "n/N" at the end of every page's foot. */
export function footer(ops: DrawOp[], layout: InvoiceLayout, frame: Frame, y: number, page: number, pages: number): void {
  ops.push({ kind: 'rect', x: frame.left, y, w: frame.width, h: 0.5, fill: RULE });
  const pageWidth = 36;
  const available = frame.width - pageWidth - 12;
  const labelWidth = layout.lang === 'both' ? 58 : 70;
  // the UUID needs the room; the counter is a few digits
  const widths = [available * 0.62, available * 0.38];
  let x = 0;
  layout.smallPrint.slice(0, 2).forEach((f, i) => {
    fieldRow(ops, f, layout.lang, frame.sub(x, widths[i]! - 6), y + 4, labelWidth, 6.2);
    x += widths[i]!;
  });
  const numbers = `${page}/${pages}`;
  const pageText = layout.digits === 'arabic' ? numbers.replace(/[0-9]/g, (c) => '٠١٢٣٤٥٦٧٨٩'[Number(c)]!) : numbers;
  text(ops, pageText, { font: 'bold', size: 7.5, color: INK, dir: 'ltr' }, frame.sub(frame.width - pageWidth, pageWidth), y + 4, 'end');
}
