// Building page plans: a frame that mirrors x for right-to-left pages, text blocks that wrap and
// align by their own direction, and pages that break with a repeated header and "n/N" footers.
import type { Color, DrawOp, PagePlan } from './canvas.js';
import type { FontKey } from './fonts.js';
import { type Direction, layoutParagraph } from './text.js';

export const INK: Color = [0.12, 0.12, 0.14];
export const MUTED: Color = [0.4, 0.42, 0.45];
export const ACCENT: Color = [0.04, 0.36, 0.3];
export const RULE: Color = [0.78, 0.8, 0.82];
export const SHADE: Color = [0.93, 0.96, 0.95];
export const ALERT: Color = [0.74, 0.08, 0.1];
export const WHITE: Color = [1, 1, 1];

/** start/end follow the page direction; left/right are physical; natural follows each paragraph's own direction. */
export type Align = 'start' | 'end' | 'center' | 'natural';

export interface Style {
  font: FontKey;
  size: number;
  color?: Color;
  /** Force a paragraph direction (numbers and identifiers are left-to-right). */
  dir?: Direction;
}

/** Line height and baseline offset for a size: Arabic marks need more room than Latin. */
export const lineHeight = (size: number): number => size * 1.5;
const baseline = (size: number): number => size * 1.08;

/** A rectangle of the page in logical coordinates: x runs from the start edge (right on RTL pages). */
export class Frame {
  constructor(
    readonly left: number,
    readonly width: number,
    readonly rtl: boolean,
  ) {}

  /** Physical x of a box that starts `x` from the start edge and is `w` wide. */
  px(x: number, w: number): number {
    return this.rtl ? this.left + this.width - x - w : this.left + x;
  }

  sub(x: number, w: number): Frame {
    return new Frame(this.px(x, w), w, this.rtl);
  }
}

/**
 * Text wrapped into `frame`'s width from `y` (top); returns the height it takes. Ops go to `ops`
 * unless it is undefined (measuring only).
 */
export function text(ops: DrawOp[] | undefined, content: string, style: Style, frame: Frame, y: number, align: Align = 'natural'): number {
  if (content.includes('\n')) return texts(ops, content.split('\n'), style, frame, y, align);
  const para = layoutParagraph(content, style, frame.width, style.dir ?? 'auto');
  const lh = lineHeight(style.size);
  if (ops) {
    para.lines.forEach((line, i) => {
      const rightAligned = align === 'natural' ? para.rtl : align === 'start' ? frame.rtl : align === 'end' ? !frame.rtl : false;
      const x = align === 'center' ? frame.left + (frame.width - line.width) / 2 : rightAligned ? frame.left + frame.width - line.width : frame.left;
      ops.push({ kind: 'text', line, x, y: y + i * lh + baseline(style.size), font: style.font, size: style.size, color: style.color ?? INK });
    });
  }
  return para.lines.length * lh;
}

/** Width of `content` on one line, unwrapped. */
export function widthOf(content: string, style: Style): number {
  return layoutParagraph(content, style, Number.POSITIVE_INFINITY, style.dir ?? 'auto').lines[0]?.width ?? 0;
}

/** Several paragraphs one under the other. */
export function texts(ops: DrawOp[] | undefined, contents: string[], style: Style, frame: Frame, y: number, align: Align = 'natural'): number {
  let h = 0;
  for (const c of contents) h += text(ops, c, style, frame, y + h, align);
  return h;
}

export function rule(ops: DrawOp[], frame: Frame, y: number, color: Color = RULE, width = 0.5): void {
  ops.push({ kind: 'rect', x: frame.left, y, w: frame.width, h: width, fill: color });
}

/** Pages of one size filled top to bottom; `header` is drawn on every page after the first. */
export class Pages {
  readonly plans: PagePlan[] = [];
  ops: DrawOp[] = [];
  y = 0;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly top: number,
    /** Lowest y content may reach (the footer lives below it). */
    readonly bottom: number,
    private readonly header: (ops: DrawOp[], y: number) => number = () => 0,
  ) {
    this.start(true);
  }

  /** Where content ended on each finished page. */
  private readonly ends: number[] = [];

  private start(first: boolean): void {
    if (!first) this.ends.push(this.y);
    this.ops = [];
    this.plans.push({ width: this.width, height: this.height, ops: this.ops });
    this.y = this.top;
    if (!first) this.y += this.header(this.ops, this.y);
  }

  /** Make room for `h` points, starting a new page when the block does not fit. */
  need(h: number): boolean {
    if (this.y + h <= this.bottom || this.y === this.top) return false;
    this.start(false);
    return true;
  }

  /** Pages as long as their content (roll paper): `foot` draws under each page's content. */
  finish(margin: number, foot: (ops: DrawOp[], y: number, page: number, count: number) => void): PagePlan[] {
    const ends = [...this.ends, this.y];
    const count = this.plans.length;
    this.plans.forEach((plan, i) => {
      foot(plan.ops, ends[i]! + 2, i + 1, count);
      plan.height = ends[i]! + margin + (count > 1 ? lineHeight(7) : 0);
    });
    return this.plans;
  }
}
