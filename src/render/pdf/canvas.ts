// Page plans (what goes where, in points from the top-left) and their drawing into a pdfkit page:
// shaped glyphs straight into the content stream, rules and boxes, the QR as vector modules.
import type {} from 'pdfkit';
import { fontProgram, toUnicodeCmap } from './font-embed.js';
import { type FontKey, fonts, type ShapedRun } from './fonts.js';
import { hasArabic, type Line } from './text.js';

export type Color = readonly [number, number, number];

export type DrawOp =
  /** One laid-out line; `y` is its baseline. */
  | { kind: 'text'; line: Line; x: number; y: number; font: FontKey; size: number; color: Color }
  | { kind: 'rect'; x: number; y: number; w: number; h: number; fill?: Color; stroke?: Color; lineWidth?: number }
  | { kind: 'qr'; x: number; y: number; size: number; modules: QrModules };

export interface QrModules {
  size: number;
  /** Row-major, 1 = dark. */
  data: Uint8Array;
}

export interface PagePlan {
  width: number;
  height: number;
  ops: DrawOp[];
}

/** The parts of pdfkit 0.20's document that page drawing uses (pinned version). */
interface Reference {
  data: Record<string, unknown>;
  end(chunk?: Buffer | string): void;
}
interface DocumentInternals {
  page: { fonts: Record<string, unknown> };
  ref(data: Record<string, unknown>): Reference;
  addContent(data: string): unknown;
}

/** One font of one document: the glyphs drawn, their widths and characters; written at the end. */
class DocumentFont {
  readonly ref: Reference;
  private readonly widths = new Map<number, number>();
  private readonly unicode = new Map<number, number[]>();

  constructor(
    private readonly doc: DocumentInternals,
    private readonly key: FontKey,
    readonly id: string,
  ) {
    this.ref = doc.ref({});
  }

  use(run: ShapedRun): void {
    for (let i = 0; i < run.glyphs.length; i++) {
      const g = run.glyphs[i]!;
      if (this.widths.has(g)) continue;
      this.widths.set(g, run.widths[i]!);
      this.unicode.set(g, run.codePoints[i]!);
    }
  }

  /** Type0 font, CIDFontType2, descriptor, subset program and ToUnicode (ISO 32000-1 9.7, 9.10). */
  finish(): void {
    const t = fonts()[this.key].tables;
    const name = `${this.key === 'bold' ? 'FAWTRB' : 'FAWTRA'}+${t.postscriptName}`;
    const program = fontProgram(t, this.widths.keys());
    const file = this.doc.ref({ Filter: 'FlateDecode', Length1: program.length });
    file.end(program.data);
    const descriptor = this.doc.ref({
      Type: 'FontDescriptor',
      FontName: name,
      Flags: 4,
      FontBBox: t.bbox,
      ItalicAngle: 0,
      Ascent: t.ascent,
      Descent: t.descent,
      CapHeight: t.capHeight,
      XHeight: t.xHeight,
      StemV: 0,
      FontFile2: file,
    });
    descriptor.end();
    const ids = [...this.widths.keys()].sort((a, b) => a - b);
    const w: Array<number | number[]> = [];
    for (const g of ids) {
      const last = w.at(-1);
      if (Array.isArray(last) && (w.at(-2) as number) + last.length === g) last.push(round(this.widths.get(g)!));
      else w.push(g, [round(this.widths.get(g)!)]);
    }
    const cid = this.doc.ref({
      Type: 'Font',
      Subtype: 'CIDFontType2',
      BaseFont: name,
      CIDSystemInfo: { Registry: new String('Adobe'), Ordering: new String('Identity'), Supplement: 0 },
      FontDescriptor: descriptor,
      W: w,
      CIDToGIDMap: 'Identity',
    });
    cid.end();
    const cmap = this.doc.ref({});
    cmap.end(toUnicodeCmap(this.unicode));
    Object.assign(this.ref.data, { Type: 'Font', Subtype: 'Type0', BaseFont: name, Encoding: 'Identity-H', DescendantFonts: [cid], ToUnicode: cmap });
    this.ref.end();
  }
}

const round = (v: number): number => Math.round(v * 1000) / 1000;
const n = (v: number): string => (Math.round(v * 1000) / 1000).toString();
const rgb = (c: Color): string => `${n(c[0])} ${n(c[1])} ${n(c[2])}`;

/** UTF-16BE with BOM as a PDF hex string (ActualText). */
function pdfTextString(text: string): string {
  let hex = 'FEFF';
  for (let i = 0; i < text.length; i++) hex += text.charCodeAt(i).toString(16).padStart(4, '0');
  return `<${hex}>`;
}

export class PageWriter {
  private readonly internals: DocumentInternals;
  private readonly embedded = new Map<FontKey, DocumentFont>();
  private out: string[] = [];

  constructor(doc: PDFKit.PDFDocument) {
    this.internals = doc as unknown as DocumentInternals;
  }

  private font(key: FontKey): DocumentFont {
    let f = this.embedded.get(key);
    if (!f) {
      f = new DocumentFont(this.internals, key, `FF${this.embedded.size + 1}`);
      this.embedded.set(key, f);
    }
    return f;
  }

  /** Write the fonts used (call once, after the last page). */
  finish(): void {
    for (const f of this.embedded.values()) f.finish();
  }

  /** Draw one page's plan; coordinates turn from top-left points into PDF user space here. */
  draw(plan: PagePlan): void {
    this.out = [];
    for (const op of plan.ops) {
      if (op.kind === 'text') this.text(op, plan.height);
      else if (op.kind === 'rect') this.rect(op, plan.height);
      else this.qr(op, plan.height);
    }
    // pdfkit starts each page with a y-down transform; the plan is drawn in PDF's y-up space.
    this.internals.addContent(`q 1 0 0 -1 0 ${n(plan.height)} cm\n${this.out.join('\n')}\nQ`);
  }

  private rect(op: Extract<DrawOp, { kind: 'rect' }>, height: number): void {
    const box = `${n(op.x)} ${n(height - op.y - op.h)} ${n(op.w)} ${n(op.h)} re`;
    if (op.fill) this.out.push(`${rgb(op.fill)} rg ${box} f`);
    if (op.stroke) this.out.push(`${rgb(op.stroke)} RG ${n(op.lineWidth ?? 0.5)} w ${box} S`);
  }

  private qr(op: Extract<DrawOp, { kind: 'qr' }>, height: number): void {
    const { size, data } = op.modules;
    const m = op.size / size;
    const parts: string[] = ['0 0 0 rg'];
    for (let r = 0; r < size; r++) {
      // one rectangle per horizontal run of dark modules
      for (let c = 0; c < size; ) {
        if (!data[r * size + c]) {
          c++;
          continue;
        }
        let e = c;
        while (e < size && data[r * size + e]) e++;
        parts.push(`${n(op.x + c * m)} ${n(height - op.y - (r + 1) * m)} ${n((e - c) * m)} ${n(m)} re`);
        c = e;
      }
    }
    parts.push('f');
    this.out.push(parts.join('\n'));
  }

  private text(op: Extract<DrawOp, { kind: 'text' }>, height: number): void {
    const font = this.font(op.font);
    const page = this.internals.page;
    page.fonts[font.id] ??= font.ref;
    const y = height - op.y;
    const parts: string[] = [`BT /${font.id} ${n(op.size)} Tf ${rgb(op.color)} rg`];
    for (const piece of op.line.pieces) {
      const actual = piece.rtl && hasArabic(piece.text);
      if (actual) parts.push(`/Span <</ActualText ${pdfTextString(piece.text)}>> BDC`);
      font.use(piece.run);
      parts.push(glyphOps(piece.run, op.x + piece.x, y, op.size));
      if (actual) parts.push('EMC');
    }
    parts.push('ET');
    this.out.push(parts.join('\n'));
  }
}

/** Glyphs of one run from (x, y): TJ for plain advances, a fresh position for each placed mark. */
function glyphOps(run: ShapedRun, x: number, y: number, size: number): string {
  const ops: string[] = [];
  let pen = 0;
  let tj = '';
  let open = false;
  for (let i = 0; i < run.glyphs.length; i++) {
    const dx = run.xOffsets[i]!;
    const dy = run.yOffsets[i]!;
    if (dx || dy) {
      if (tj) ops.push(`[${tj}] TJ`);
      tj = '';
      open = false;
      ops.push(`1 0 0 1 ${n(x + ((pen + dx) * size) / 1000)} ${n(y + (dy * size) / 1000)} Tm ${run.codes[i]} Tj`);
    } else {
      if (!open) {
        ops.push(`1 0 0 1 ${n(x + (pen * size) / 1000)} ${n(y)} Tm`);
        open = true;
      }
      tj += run.codes[i];
      // TJ moves the pen by the glyph's own width; a different advance (kerning) is adjusted here
      const adjust = run.widths[i]! - run.advances[i]!;
      if (Math.abs(adjust) > 0.01) tj += ` ${n(adjust)} `;
    }
    pen += run.advances[i]!;
  }
  if (tj) ops.push(`[${tj}] TJ`);
  return ops.join('\n');
}
