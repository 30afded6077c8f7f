// Page plans (what goes where, in points from the top-left) and their drawing into a pdfkit page:
// shaped glyphs straight into the content stream, rules and boxes, the QR as vector modules.
import type {} from 'pdfkit';
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

/** The parts of pdfkit 0.20's embedded font and document that glyph drawing uses (pinned version). */
interface EmbeddedFont {
  id: string;
  subset: { includeGlyph(id: number): number };
  widths: number[];
  unicode: number[][];
  ref(): unknown;
}
interface DocumentInternals {
  _font: EmbeddedFont;
  page: { fonts: Record<string, unknown>; height: number };
  addContent(data: string): unknown;
}

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
  private readonly embedded = new Map<FontKey, EmbeddedFont>();
  private out: string[] = [];

  constructor(private readonly doc: PDFKit.PDFDocument) {
    this.internals = doc as unknown as DocumentInternals;
  }

  private font(key: FontKey): EmbeddedFont {
    let f = this.embedded.get(key);
    if (!f) {
      // pdfkit accepts a parsed fontkit font: the process parses each font once (fonts.ts).
      this.doc.font(fonts()[key].font as unknown as string, `Fawtara-${key}`);
      f = this.internals._font;
      this.embedded.set(key, f);
    }
    return f;
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
    if (page.fonts[font.id] == null) page.fonts[font.id] = font.ref();
    const y = height - op.y;
    const parts: string[] = [`BT /${font.id} ${n(op.size)} Tf ${rgb(op.color)} rg`];
    for (const piece of op.line.pieces) {
      const actual = piece.rtl && hasArabic(piece.text);
      if (actual) parts.push(`/Span <</ActualText ${pdfTextString(piece.text)}>> BDC`);
      parts.push(glyphOps(font, piece.run, op.x + piece.x, y, op.size));
      if (actual) parts.push('EMC');
    }
    parts.push('ET');
    this.out.push(parts.join('\n'));
  }
}

/** Glyphs of one run from (x, y): TJ for plain advances, a fresh position for each placed mark. */
function glyphOps(font: EmbeddedFont, run: ShapedRun, x: number, y: number, size: number): string {
  const ops: string[] = [];
  let pen = 0;
  let tj: string[] = [];
  let open = false;
  const flush = (): void => {
    if (tj.length) ops.push(`[${tj.join(' ')}] TJ`);
    tj = [];
  };
  for (let i = 0; i < run.glyphs.length; i++) {
    const gid = font.subset.includeGlyph(run.glyphs[i]!);
    font.widths[gid] ??= run.widths[i]!;
    font.unicode[gid] ??= run.codePoints[i]!;
    const hex = `<${gid.toString(16).padStart(4, '0')}>`;
    const dx = run.xOffsets[i]!;
    const dy = run.yOffsets[i]!;
    if (dx || dy) {
      flush();
      open = false;
      ops.push(`1 0 0 1 ${n(x + ((pen + dx) * size) / 1000)} ${n(y + (dy * size) / 1000)} Tm ${hex} Tj`);
    } else {
      if (!open) {
        ops.push(`1 0 0 1 ${n(x + (pen * size) / 1000)} ${n(y)} Tm`);
        open = true;
      }
      tj.push(hex);
      // TJ moves the pen by the glyph's own width; a different advance (kerning) is adjusted here
      const adjust = run.widths[i]! - run.advances[i]!;
      if (Math.abs(adjust) > 0.01) tj.push(n(adjust));
    }
    pen += run.advances[i]!;
  }
  flush();
  return ops.join('\n');
}
