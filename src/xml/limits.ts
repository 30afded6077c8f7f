// The one gate every XML document we did not write passes before a parser sees it: size, UTF-8 bytes,
// the declared encoding, and the structural limits (depth, attributes, namespace declarations, nodes).
import { FawtaraError } from '../errors.js';

/**
 * Limits of a ZATCA document. Size: ZATCA's API refuses invoices over 10 MB (docs/zatca-notes.md §A10.1, 413).
 * The others are far above any invoice (the deepest path, inside the XAdES signature, is 15
 * elements; the root declares about 8 namespaces; a 1000-line invoice is about 60,000 nodes) and
 * far below what makes a parser, C14N or the checks slow or run out of stack.
 */
export const XML_LIMITS = {
  maxBytes: 10 * 1024 * 1024,
  /** Nesting depth of elements. */
  maxDepth: 100,
  /** Attributes (namespace declarations included) on one element. */
  maxAttributesPerElement: 64,
  /** Namespace declarations in the whole document. */
  maxNamespaceDeclarations: 256,
  /** Elements, attributes, text runs, comments and processing instructions together. */
  maxNodes: 1_000_000,
} as const;

export type XmlLimits = { [K in keyof typeof XML_LIMITS]: number };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function where(source: string | undefined): string {
  return source ? `${source}: ` : '';
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * Bytes → text: refuses more than `maxBytes`, bytes that are not UTF-8 (never replaced by U+FFFD:
 * the text hashed must be the bytes stored) and UTF-16 byte order marks; drops a UTF-8 BOM.
 */
export function decodeXmlBytes(input: Uint8Array | string, options: { source?: string; maxBytes?: number } = {}): string {
  const max = options.maxBytes ?? XML_LIMITS.maxBytes;
  const at = where(options.source);
  // A UTF-16 unit is at most 3 UTF-8 bytes: text that short cannot exceed the limit, so its byte
  // count (a full scan) is only taken for long text, where the message needs it.
  const size = typeof input === 'string' ? (input.length * 3 <= max ? input.length : Buffer.byteLength(input, 'utf8')) : input.byteLength;
  if (size > max) {
    throw new FawtaraError('TOO_LARGE', `${at}the document is ${size} bytes; ZATCA accepts at most ${max} bytes`, {
      field: options.source,
      messageAr: `${at}حجم المستند ${size} بايت؛ الحد الأقصى المقبول ${max} بايت`,
    });
  }
  if (typeof input !== 'string') {
    if ((input[0] === 0xff && input[1] === 0xfe) || (input[0] === 0xfe && input[1] === 0xff)) {
      throw new FawtaraError(
        'INVALID_XML',
        `${at}the document is UTF-16 (it starts with a UTF-16 byte order mark); ZATCA documents are UTF-8: save it as UTF-8`,
        {
          field: options.source,
          messageAr: `${at}المستند بترميز UTF-16؛ مستندات الهيئة بترميز UTF-8: احفظه بترميز UTF-8`,
        },
      );
    }
    try {
      return utf8.decode(input); // drops a UTF-8 BOM (ignoreBOM: false)
    } catch {
      const bad = firstInvalidUtf8(input);
      const line = lineAt(Buffer.from(input.buffer, input.byteOffset, bad).toString('utf8'), bad);
      throw new FawtaraError(
        'INVALID_XML',
        `${at}the document is not valid UTF-8 (byte 0x${(input[bad] ?? 0).toString(16).padStart(2, '0')} at offset ${bad}, line ${line}); ZATCA documents are UTF-8: save it as UTF-8`,
        { field: options.source, messageAr: `${at}المستند ليس بترميز UTF-8 صالح (البايت رقم ${bad}، السطر ${line})؛ احفظه بترميز UTF-8` },
      );
    }
  }
  // isWellFormed (V8, Node 20) answers without a regex scan; only a bad text pays for the position.
  const lone = (input as { isWellFormed?: () => boolean }).isWellFormed?.() === true ? null : LONE_SURROGATE.exec(input);
  if (lone) {
    // Text given as a string must be what its UTF-8 bytes say: half a surrogate pair has no UTF-8
    // form, so it would be hashed as U+FFFD and the stored bytes would not be the signed ones.
    const line = lineAt(input, lone.index);
    throw new FawtaraError('INVALID_XML', `${at}the text contains half of a UTF-16 surrogate pair (line ${line}), which no UTF-8 document can carry`, {
      field: options.source,
      messageAr: `${at}النص يحتوي على نصف زوج بديل في UTF-16 (السطر ${line}) لا يمكن ترميزه بـ UTF-8`,
    });
  }
  return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Offset of the first byte sequence that is not well-formed UTF-8 (RFC 3629), for the message. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (need === 0) return i;
    // The second byte's range excludes overlong forms, surrogates and code points above U+10FFFF.
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k <= need; k++) {
      const d = b[i + k];
      if (d === undefined || (k === 1 ? d < lo || d > hi : (d & 0xc0) !== 0x80)) return i;
    }
    i += need + 1;
  }
  return b.length;
}

const DECLARATION = /^<\?xml[ \t\r\n][^>]*?encoding[ \t\r\n]*=[ \t\r\n]*(["'])([^"']*)\1/;

/**
 * The encoding the XML declaration names must be what the bytes are: UTF-8. A document declared
 * UTF-16 whose bytes are UTF-8 is a fatal error for a conforming parser (XML 1.0 §4.3.3), and
 * ZATCA's documents are UTF-8 (ZATCA XML Implementation Standard), so any other name is refused.
 */
export function checkDeclaredEncoding(text: string, source?: string): void {
  if (!text.startsWith('<?xml')) return;
  const m = DECLARATION.exec(text.slice(0, 200));
  if (!m) return;
  const name = m[2]!;
  if (/^utf-?8$/i.test(name)) return;
  const at = where(source);
  throw new FawtaraError(
    'INVALID_XML',
    `${at}the XML declaration says encoding="${name}" but the bytes are UTF-8: not well-formed (XML 1.0 §4.3.3); ZATCA documents are UTF-8 — declare encoding="UTF-8"`,
    {
      field: source,
      messageAr: `${at}تعريف XML يذكر الترميز "${name}" بينما البايتات بترميز UTF-8: مستند غير سليم البنية؛ مستندات الهيئة بترميز UTF-8 — اكتب encoding="UTF-8"`,
    },
  );
}

function refuse(source: string | undefined, text: string, offset: number, what: string, whatAr: string, limit: number): never {
  const at = where(source);
  const line = lineAt(text, offset);
  throw new FawtaraError('TOO_LARGE', `${at}${what} (line ${line}); a ZATCA document needs at most ${limit}: this is not an invoice`, {
    field: source,
    messageAr: `${at}${whatAr} (السطر ${line})؛ الحد الأقصى ${limit}: هذا ليس مستند فاتورة`,
  });
}

/** `xmlns` or `xmlns:…` starts at `at` (an attribute name). */
function isXmlnsName(text: string, at: number): boolean {
  if (!text.startsWith('xmlns', at)) return false;
  const c = text.charCodeAt(at + 5);
  return c === 0x3a /* : */ || c === 0x3d /* = */ || c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/**
 * One linear pass over the text counting what a parser would build, refusing a document beyond
 * XML_LIMITS before any parser or C14N sees it. Malformed markup is left for the parser to report.
 */
export function checkXmlLimits(text: string, source?: string, limits: XmlLimits = XML_LIMITS): void {
  const n = text.length;
  let depth = 0;
  let nodes = 0;
  let namespaces = 0;
  let i = 0;
  const node = (offset: number, count = 1): void => {
    nodes += count;
    if (nodes > limits.maxNodes) refuse(source, text, offset, `more than ${limits.maxNodes} nodes`, `أكثر من ${limits.maxNodes} عقدة`, limits.maxNodes);
  };
  while (i < n) {
    const lt = text.indexOf('<', i);
    if (lt === -1) break;
    if (lt > i) node(lt);
    const next = text.charCodeAt(lt + 1);
    let end: number;
    if (next === 0x21 /* ! */ || next === 0x3f /* ? */) {
      const close = text.startsWith('<!--', lt) ? '-->' : text.startsWith('<![CDATA[', lt) ? ']]>' : next === 0x3f ? '?>' : '>';
      end = text.indexOf(close, lt + 2);
      if (end === -1) return;
      node(lt);
      i = end + close.length;
      continue;
    }
    if (next === 0x2f /* / */) {
      end = text.indexOf('>', lt + 2);
      if (end === -1) return;
      depth--;
      i = end + 1;
      continue;
    }
    // A start tag: attributes are counted by their '=' outside quoted values.
    let attributes = 0;
    let quote = 0;
    let nameStart = -1;
    let k = lt + 1;
    for (; k < n; k++) {
      const c = text.charCodeAt(k);
      if (quote) {
        if (c === quote) quote = 0;
        continue;
      }
      if (c === 0x22 || c === 0x27) quote = c;
      else if (c === 0x3e /* > */) break;
      else if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) nameStart = k + 1;
      else if (c === 0x3d /* = */) {
        attributes++;
        if (nameStart !== -1 && text.charCodeAt(nameStart) === 0x78 /* x */ && isXmlnsName(text, nameStart)) {
          namespaces++;
          if (namespaces > limits.maxNamespaceDeclarations)
            refuse(
              source,
              text,
              lt,
              `more than ${limits.maxNamespaceDeclarations} namespace declarations`,
              `أكثر من ${limits.maxNamespaceDeclarations} تعريف نطاق أسماء`,
              limits.maxNamespaceDeclarations,
            );
        }
        nameStart = -1;
      }
    }
    if (k >= n) return;
    if (attributes > limits.maxAttributesPerElement)
      refuse(source, text, lt, `an element with ${attributes} attributes`, `عنصر يحمل ${attributes} سمة`, limits.maxAttributesPerElement);
    node(lt, 1 + attributes);
    if (text.charCodeAt(k - 1) !== 0x2f /* not self-closing */) {
      depth++;
      if (depth > limits.maxDepth)
        refuse(source, text, lt, `elements nested more than ${limits.maxDepth} deep`, `عناصر متداخلة بعمق يتجاوز ${limits.maxDepth}`, limits.maxDepth);
    }
    i = k + 1;
  }
}
