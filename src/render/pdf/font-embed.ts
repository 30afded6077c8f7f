// Subset TrueType embedding for the printouts (CIDFontType2, Identity-H, ToUnicode): glyph ids are
// kept as in the font, so a shaped run's codes are the same in every document and the subset is a
// copy of the used glyphs' bytes — a few hundred microseconds where fontkit's re-encoding took ms.
import { deflateSync } from 'node:zlib';
import type { Font } from 'fontkit';

/** The font's tables as bytes, and where each glyph lies in `glyf` (read once per process). */
export interface FontTables {
  postscriptName: string;
  numGlyphs: number;
  tables: Map<string, Buffer>;
  /** Byte ranges of each glyph in `glyf` (long offsets, numGlyphs + 1 entries). */
  offsets: Uint32Array;
  /** Components of composite glyphs, by glyph id. */
  components: Map<number, number[]>;
  bbox: [number, number, number, number];
  ascent: number;
  descent: number;
  capHeight: number;
  xHeight: number;
  scale: number;
}

const raw = (font: Font, tag: string): Buffer | undefined => {
  const t = (font as unknown as { directory: { tables: Record<string, { offset: number; length: number }> }; stream: { buffer: Buffer } }).directory.tables[
    tag
  ];
  const buffer = (font as unknown as { stream: { buffer: Buffer } }).stream.buffer;
  return t ? Buffer.from(buffer.subarray(t.offset, t.offset + t.length)) : undefined;
};

function compositeParts(glyph: Buffer): number[] {
  if (glyph.length < 10 || glyph.readInt16BE(0) >= 0) return [];
  const parts: number[] = [];
  let p = 10;
  for (;;) {
    const flags = glyph.readUInt16BE(p);
    parts.push(glyph.readUInt16BE(p + 2));
    p += 4 + (flags & 0x0001 ? 4 : 2) + (flags & 0x0008 ? 2 : flags & 0x0040 ? 4 : flags & 0x0080 ? 8 : 0);
    if (!(flags & 0x0020)) return parts;
  }
}

export function readTables(font: Font): FontTables {
  const tables = new Map<string, Buffer>();
  for (const tag of ['head', 'hhea', 'hmtx', 'maxp', 'cvt ', 'fpgm', 'prep', 'glyf', 'loca']) {
    const t = raw(font, tag);
    if (t) tables.set(tag, t);
  }
  const head = tables.get('head')!;
  const loca = tables.get('loca')!;
  const numGlyphs = tables.get('maxp')!.readUInt16BE(4);
  const long = head.readInt16BE(50) === 1;
  const offsets = new Uint32Array(numGlyphs + 1);
  for (let i = 0; i <= numGlyphs; i++) offsets[i] = long ? loca.readUInt32BE(i * 4) : loca.readUInt16BE(i * 2) * 2;
  const glyf = tables.get('glyf')!;
  const components = new Map<number, number[]>();
  for (let g = 0; g < numGlyphs; g++) {
    const parts = compositeParts(glyf.subarray(offsets[g]!, offsets[g + 1]!));
    if (parts.length) components.set(g, parts);
  }
  const scale = 1000 / font.unitsPerEm;
  const b = font.bbox;
  return {
    postscriptName: font.postscriptName,
    numGlyphs,
    tables,
    offsets,
    components,
    bbox: [b.minX * scale, b.minY * scale, b.maxX * scale, b.maxY * scale],
    ascent: font.ascent * scale,
    descent: font.descent * scale,
    capHeight: (font.capHeight || font.ascent) * scale,
    xHeight: (font.xHeight || 0) * scale,
    scale,
  };
}

function checksum(b: Buffer): number {
  let sum = 0;
  const padded = b.length % 4 ? Buffer.concat([b, Buffer.alloc(4 - (b.length % 4))]) : b;
  for (let i = 0; i < padded.length; i += 4) sum = (sum + padded.readUInt32BE(i)) >>> 0;
  return sum;
}

/** A TrueType file with only `used` glyphs (and their components) filled in; ids unchanged. */
function subsetFont(t: FontTables, used: Iterable<number>): Buffer {
  const keep = new Set<number>([0]);
  const add = (g: number): void => {
    if (keep.has(g) || g >= t.numGlyphs) return;
    keep.add(g);
    for (const c of t.components.get(g) ?? []) add(c);
  };
  for (const g of used) add(g);
  for (const c of t.components.get(0) ?? []) add(c);
  const glyf = t.tables.get('glyf')!;
  const parts: Buffer[] = [];
  const loca = Buffer.alloc((t.numGlyphs + 1) * 4);
  let at = 0;
  for (let g = 0; g < t.numGlyphs; g++) {
    loca.writeUInt32BE(at, g * 4);
    if (!keep.has(g)) continue;
    const bytes = glyf.subarray(t.offsets[g]!, t.offsets[g + 1]!);
    parts.push(bytes);
    at += bytes.length;
    if (at % 4) {
      parts.push(Buffer.alloc(4 - (at % 4)));
      at += 4 - (at % 4);
    }
  }
  loca.writeUInt32BE(at, t.numGlyphs * 4);
  const head = Buffer.from(t.tables.get('head')!);
  head.writeUInt32BE(0, 8); // checkSumAdjustment: PDF readers ignore it
  head.writeInt16BE(1, 50); // long loca offsets
  const out = new Map(t.tables);
  out.set('head', head);
  out.set('loca', loca);
  out.set('glyf', Buffer.concat(parts));
  return assemble(out);
}

/** The sfnt file: offset table, table records (sorted by tag), tables padded to 4 bytes. */
function assemble(tables: Map<string, Buffer>): Buffer {
  const tags = [...tables.keys()].sort();
  const n = tags.length;
  const pow = 2 ** Math.floor(Math.log2(n));
  const header = Buffer.alloc(12 + 16 * n);
  header.writeUInt32BE(0x00010000, 0);
  header.writeUInt16BE(n, 4);
  header.writeUInt16BE(pow * 16, 6);
  header.writeUInt16BE(Math.log2(pow), 8);
  header.writeUInt16BE(n * 16 - pow * 16, 10);
  const bodies: Buffer[] = [];
  let offset = header.length;
  tags.forEach((tag, i) => {
    const data = tables.get(tag)!;
    header.write(tag, 12 + i * 16, 4, 'latin1');
    header.writeUInt32BE(checksum(data), 16 + i * 16);
    header.writeUInt32BE(offset, 20 + i * 16);
    header.writeUInt32BE(data.length, 24 + i * 16);
    const pad = (4 - (data.length % 4)) % 4;
    bodies.push(data, Buffer.alloc(pad));
    offset += data.length + pad;
  });
  return Buffer.concat([header, ...bodies]);
}

/** Deflated font program (level 6, as the rest of the file). */
export function fontProgram(t: FontTables, used: Iterable<number>): { data: Buffer; length: number } {
  const sfnt = subsetFont(t, used);
  return { data: deflateSync(sfnt), length: sfnt.length };
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

/** ToUnicode CMap: each used glyph to the characters it was first drawn for. */
export function toUnicodeCmap(unicode: Map<number, number[]>): string {
  const entries = [...unicode].filter(([, cps]) => cps.length).sort((a, b) => a[0] - b[0]);
  const lines: string[] = [];
  for (let i = 0; i < entries.length; i += 100) {
    const chunk = entries.slice(i, i + 100);
    lines.push(`${chunk.length} beginbfchar`);
    for (const [gid, cps] of chunk) {
      const utf16 = String.fromCodePoint(...cps);
      let h = '';
      for (let k = 0; k < utf16.length; k++) h += hex4(utf16.charCodeAt(k));
      lines.push(`<${hex4(gid)}> <${h}>`);
    }
    lines.push('endbfchar');
  }
  return `/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <ffff>
endcodespacerange
${lines.join('\n')}
endcmap
CMapName currentdict /CMap defineresource pop
end
end`;
}
