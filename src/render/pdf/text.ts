// Paragraph layout for the PDF: Unicode bidi levels (bidi-js), mirrored brackets, greedy line
// breaking at spaces, and the visual order of each line's runs (UAX #9 rule L2).
import bidiModule from 'bidi-js';
import { type FontKey, type ShapedRun, shape } from './fonts.js';

type BidiFactory = typeof import('bidi-js').default;
// bidi-js is CommonJS with an ESM-style declaration: take the factory whichever way it arrives.
const bidiFactory: BidiFactory = (bidiModule as unknown as { default?: BidiFactory }).default ?? (bidiModule as unknown as BidiFactory);
const bidi = bidiFactory();

export type Direction = 'auto' | 'ltr' | 'rtl';

export interface TextStyle {
  font: FontKey;
  size: number;
}

/** One run of a laid-out line: shaped glyphs at one bidi level, placed `x` points from the line start. */
export interface Piece {
  run: ShapedRun;
  /** The run's characters in logical order (the PDF's ActualText for right-to-left runs). */
  text: string;
  rtl: boolean;
  x: number;
}

export interface Line {
  pieces: Piece[];
  width: number;
}

export interface Paragraph {
  lines: Line[];
  /** Base direction of the paragraph: right-to-left text starts at the right edge. */
  rtl: boolean;
}

interface Segment {
  text: string;
  level: number;
  run: ShapedRun;
  width: number;
}

interface Word {
  segments: Segment[];
  width: number;
  /** The space before this word (absent for the first word). */
  space?: Segment;
}

/** Isolates, embeddings, overrides and marks: they steer the levels and are never drawn. */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const ARABIC = /[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]/;

export function hasArabic(text: string): boolean {
  return ARABIC.test(text);
}

function segment(text: string, level: number, style: TextStyle): Segment {
  const run = shape(style.font, text, (level & 1) === 1);
  return { text, level, run, width: (run.width * style.size) / 1000 };
}

/** Words (split at spaces) made of level-uniform segments, with the spaces between them. */
function wordsOf(text: string, levels: Uint8Array, style: TextStyle): Word[] {
  const words: Word[] = [];
  let i = 0;
  let space: Segment | undefined;
  while (i < text.length) {
    if (text[i] === ' ') {
      space = segment(' ', levels[i]!, style);
      i++;
      continue;
    }
    const segments: Segment[] = [];
    let start = i;
    while (i < text.length && text[i] !== ' ') {
      i++;
      if (i === text.length || text[i] === ' ' || levels[i] !== levels[start]) {
        segments.push(segment(text.slice(start, i), levels[start]!, style));
        start = i;
      }
    }
    words.push({ segments, width: segments.reduce((w, s) => w + s.width, 0), ...(space && { space }) });
    space = undefined;
  }
  return words;
}

/** A word wider than the line, cut into pieces that fit (long numbers, URLs, names without spaces). */
function splitWord(word: Word, maxWidth: number, style: TextStyle): Word[] {
  const out: Word[] = [];
  let current: Segment[] = [];
  let width = 0;
  for (const seg of word.segments) {
    let chunk = '';
    for (const ch of Array.from(seg.text)) {
      const next = segment(chunk + ch, seg.level, style);
      if (width + next.width > maxWidth && (chunk || current.length)) {
        if (chunk) current.push(segment(chunk, seg.level, style));
        out.push({ segments: current, width: current.reduce((w, s) => w + s.width, 0) });
        current = [];
        width = 0;
        chunk = ch;
      } else chunk += ch;
    }
    if (chunk) {
      const s = segment(chunk, seg.level, style);
      current.push(s);
      width += s.width;
    }
  }
  if (current.length) out.push({ segments: current, width });
  if (out[0] && word.space) out[0].space = word.space;
  return out;
}

/** UAX #9 L2: reverse every run at level ≥ k, from the highest level down to the lowest odd one. */
function visualOrder(segments: Segment[]): Segment[] {
  const out = segments.slice();
  let max = 0;
  let minOdd = Number.POSITIVE_INFINITY;
  for (const s of out) {
    max = Math.max(max, s.level);
    if (s.level & 1) minOdd = Math.min(minOdd, s.level);
  }
  for (let level = max; level >= minOdd; level--) {
    for (let i = 0; i < out.length; ) {
      if (out[i]!.level < level) {
        i++;
        continue;
      }
      let j = i;
      while (j < out.length && out[j]!.level >= level) j++;
      const reversed = out.slice(i, j).reverse();
      out.splice(i, j - i, ...reversed);
      i = j;
    }
  }
  return out;
}

function toLine(words: Word[]): Line {
  const logical: Segment[] = [];
  words.forEach((w, i) => {
    if (i > 0 && w.space) logical.push(w.space);
    logical.push(...w.segments);
  });
  const pieces: Piece[] = [];
  let x = 0;
  for (const s of visualOrder(logical)) {
    const rtl = (s.level & 1) === 1;
    pieces.push({ run: s.run, text: s.text, rtl, x });
    x += s.width;
  }
  return { pieces, width: x };
}

// Labels and many values repeat from one printout to the next: a laid-out paragraph is immutable,
// so it is kept and shared (bounded, oldest first, like the shaping cache).
const PARAGRAPH_LIMIT = 10_000;
const paragraphs = new Map<string, Paragraph>();

/**
 * Lay out one paragraph in lines no wider than `maxWidth` points. Whitespace collapses to single
 * spaces; the base direction is the first strong character's unless `dir` forces one.
 */
export function layoutParagraph(input: string, style: TextStyle, maxWidth: number, dir: Direction = 'auto'): Paragraph {
  const key = `${style.font}|${style.size}|${maxWidth}|${dir}|${input}`;
  let para = paragraphs.get(key);
  if (!para) {
    para = layout(input, style, maxWidth, dir);
    if (paragraphs.size >= PARAGRAPH_LIMIT) paragraphs.delete(paragraphs.keys().next().value!);
    paragraphs.set(key, para);
  }
  return para;
}

function layout(input: string, style: TextStyle, maxWidth: number, dir: Direction): Paragraph {
  const text = input.replace(/\s+/g, ' ').trim();
  if (!text) return { lines: [], rtl: dir === 'rtl' };
  const embedding = bidi.getEmbeddingLevels(text, dir === 'auto' ? undefined : dir);
  const mirrored = bidi.getMirroredCharactersMap(text, embedding.levels);
  // mirror brackets at right-to-left levels, then drop the invisible bidi controls (isolates, marks)
  const units = text.split('');
  for (const [i, c] of mirrored) units[i] = c;
  const kept: number[] = [];
  for (let i = 0; i < units.length; i++) if (!BIDI_CONTROLS.test(units[i]!)) kept.push(i);
  const chars = kept.map((i) => units[i]).join('');
  const levels = Uint8Array.from(kept, (i) => embedding.levels[i]!);
  const lines: Line[] = [];
  let line: Word[] = [];
  let width = 0;
  for (const whole of wordsOf(chars, levels, style)) {
    for (const word of whole.width > maxWidth ? splitWord(whole, maxWidth, style) : [whole]) {
      const space = line.length && word.space ? word.space.width : 0;
      if (line.length && width + space + word.width > maxWidth) {
        lines.push(toLine(line));
        line = [];
        width = 0;
      }
      width += (line.length ? space : 0) + word.width;
      line.push(word);
    }
  }
  if (line.length) lines.push(toLine(line));
  return { lines, rtl: (embedding.paragraphs[0]?.level ?? 0) % 2 === 1 };
}
