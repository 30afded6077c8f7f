// The fonts of every printout, parsed once per process: Noto Sans Arabic (OFL-1.1, Arabic and Latin)
// from its npm package; shaping (contextual forms, lam-alef, marks) by fontkit, cached per run of text.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as fontkit from 'fontkit';
import { type FontTables, readTables } from './font-embed.js';

export type FontKey = 'regular' | 'bold';

const FILES: Record<FontKey, string> = {
  regular: '@expo-google-fonts/noto-sans-arabic/400Regular/NotoSansArabic_400Regular.ttf',
  bold: '@expo-google-fonts/noto-sans-arabic/700Bold/NotoSansArabic_700Bold.ttf',
};

/** One shaped run in visual order; positions in thousandths of the font size (PDF text space). */
export interface ShapedRun {
  glyphs: number[];
  /** Pen advance after each glyph (with kerning and mark positioning). */
  advances: number[];
  /** Each glyph's own advance width (the PDF font's widths). */
  widths: number[];
  /** Mark placement relative to the pen (Arabic dots and vowel marks); mostly zero. */
  xOffsets: number[];
  yOffsets: number[];
  /** The characters each glyph stands for (the PDF's ToUnicode map). */
  codePoints: number[][];
  /** Each glyph's code in the content stream (`<0a1b>`: glyph ids are kept in the subset). */
  codes: string[];
  width: number;
}

export interface LoadedFont {
  key: FontKey;
  font: fontkit.Font;
  /** Ascender and descender in thousandths of the font size. */
  ascent: number;
  descent: number;
  /** The tables embedding copies glyphs from. */
  tables: FontTables;
}

let loaded: Record<FontKey, LoadedFont> | undefined;

/** Both fonts, read and parsed on first use and kept for the life of the process. */
export function fonts(): Record<FontKey, LoadedFont> {
  if (!loaded) {
    const require = createRequire(import.meta.url);
    const load = (key: FontKey): LoadedFont => {
      const font = fontkit.create(readFileSync(require.resolve(FILES[key]))) as fontkit.Font;
      const scale = 1000 / font.unitsPerEm;
      return { key, font, ascent: font.ascent * scale, descent: font.descent * scale, tables: readTables(font) };
    };
    loaded = { regular: load('regular'), bold: load('bold') };
  }
  return loaded;
}

// Labels, digits and names repeat across documents: shaping each distinct run once keeps a render
// cheap. Bounded (oldest entries go first), so a stream of distinct texts cannot grow memory.
const CACHE_LIMIT = 20_000;
const cache = new Map<string, ShapedRun>();

/** Shape `text` (one bidi level, no line break) in `font`; `rtl` runs come back in visual order. */
export function shape(key: FontKey, text: string, rtl: boolean): ShapedRun {
  const cacheKey = `${key}${rtl ? 'R' : 'L'}${text}`;
  const hit = cache.get(cacheKey);
  if (hit) return hit;
  const { font } = fonts()[key];
  const scale = 1000 / font.unitsPerEm;
  const run = font.layout(text, undefined, undefined, undefined, rtl ? 'rtl' : 'ltr');
  const shaped: ShapedRun = { glyphs: [], advances: [], widths: [], xOffsets: [], yOffsets: [], codePoints: [], codes: [], width: 0 };
  run.glyphs.forEach((glyph, i) => {
    const p = run.positions[i]!;
    shaped.glyphs.push(glyph.id);
    shaped.advances.push(p.xAdvance * scale);
    shaped.widths.push(glyph.advanceWidth * scale);
    shaped.xOffsets.push(p.xOffset * scale);
    shaped.yOffsets.push(p.yOffset * scale);
    shaped.codePoints.push(glyph.codePoints);
    shaped.codes.push(`<${glyph.id.toString(16).padStart(4, '0')}>`);
    shaped.width += p.xAdvance * scale;
  });
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(cacheKey, shaped);
  return shaped;
}
