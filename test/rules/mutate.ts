// Mutant recipes: a base invoice (an SDK sample read from ../shared at test time, or an invoice our
// own engine builds) plus one DOM edit. Recipes are committed; ZATCA's files never are.
import { DOMParser, XMLSerializer, type Element } from '@xmldom/xmldom';
import { NS } from '../../src/xml/parse.js';

export type Edit =
  | { op: 'setText'; path: string; value: string }
  /** Add a number to the element's value, keeping its number of decimals. */
  | { op: 'add'; path: string; delta: string }
  | { op: 'setAttr'; path: string; name: string; value: string }
  | { op: 'removeAttr'; path: string; name: string }
  | { op: 'remove'; path: string }
  /** Insert an XML fragment (prefixes cac/cbc/ext declared for it) relative to an element. */
  | { op: 'insert'; path: string; where: 'before' | 'after' | 'append'; xml: string }
  /** Move an element to just before another one (wrong element order). */
  | { op: 'moveBefore'; path: string; target: string }
  /** Duplicate an element in place (cardinality). */
  | { op: 'duplicate'; path: string }
  /** Replace the first match of a regular expression in the element's text (e.g. one character of a base64 value). */
  | { op: 'replace'; path: string; pattern: string; replacement: string }
  /** Insert a text node (e.g. whitespace inside a signed element) relative to an element. */
  | { op: 'insertText'; path: string; where: 'before' | 'after' | 'append' | 'prepend'; text: string }
  /** Flip the low bit of one byte of a base64 value (index from the start; negative from the end). */
  | { op: 'flipBase64'; path: string; index: number }
  /** QR TLV (base64 text of the element): set a tag's value (UTF-8 text or hex; added in tag order when missing). */
  | { op: 'tlvSet'; path: string; tag: number; value?: string; hex?: string }
  /** QR TLV: remove a tag. */
  | { op: 'tlvRemove'; path: string; tag: number }
  /** QR TLV: drop the last `bytes` bytes of the decoded TLV (truncated value). */
  | { op: 'tlvTruncate'; path: string; bytes: number }
  /** QR TLV: swap the positions of two tags (order), or repeat one (duplicate). */
  | { op: 'tlvSwap'; path: string; a: number; b: number }
  | { op: 'tlvRepeat'; path: string; tag: number };

export interface MutantRecipe {
  id: string;
  /** `sdk:<path under the SDK data folder>` or `built:<scenario name>` for our own engine's invoices. */
  base: string;
  edits: Edit[];
  /** What the mutant is meant to break (documentation only; the oracle's verdict is the truth). */
  intent: string;
  /** Rule id (or check id) the mutant targets and where it is defined, for the test name. */
  rule?: string;
  source?: string;
  /** Group of the corpus (totals, QR, signature, …), for reporting. */
  category?: string;
  /**
   * Built bases only: `signed` (default) is the document stamped with the SDK test certificate
   * (needs the SDK data); `unsigned` is the writer's output (`unsignedXml`), which needs nothing.
   */
  form?: 'signed' | 'unsigned';
  /**
   * Built signed bases only: re-sign after the edits (deterministic signer, FIXED_SIGNING_TIME) so
   * the stamp is valid again and only the business rule fails. Without it the edit lands in the
   * signed document as is (crypto/QR mutants, or business rules judged on a broken stamp).
   */
  restamp?: boolean;
}

const PREFIXES: Record<string, string> = { cac: NS.cac, cbc: NS.cbc, ext: NS.ext, sig: NS.sig, sac: NS.sac, sbc: NS.sbc, ds: NS.ds, xades: NS.xades };

/** Resolve `cac:A/cbc:B[2]` from the root (1-based index per step, default 1). */
export function resolve(root: Element, path: string): Element {
  let cur: Element = root;
  for (const step of path.split('/')) {
    const m = /^(\w+):([\w]+)(?:\[(\d+)\])?$/.exec(step);
    if (!m) throw new Error(`bad path step ${step}`);
    const ns = PREFIXES[m[1]!];
    const index = m[3] ? Number(m[3]) : 1;
    let seen = 0;
    let found: Element | undefined;
    for (let n = cur.firstChild; n; n = n.nextSibling) {
      if (n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === m[2]) {
        if (++seen === index) {
          found = n as Element;
          break;
        }
      }
    }
    if (!found) throw new Error(`path not found: ${path} (at ${step})`);
    cur = found;
  }
  return cur;
}

function fragment(xml: string): Element[] {
  const decls = Object.entries(PREFIXES)
    .map(([p, u]) => `xmlns:${p}="${u}"`)
    .join(' ');
  const doc = new DOMParser().parseFromString(`<wrap ${decls}>${xml}</wrap>`, 'text/xml');
  const out: Element[] = [];
  for (let n = doc.documentElement!.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}

interface Tlv {
  tag: number;
  value: Buffer;
}

function readTlv(text: string): { items: Tlv[]; rest: Buffer } {
  const bytes = Buffer.from(text.trim(), 'base64');
  const items: Tlv[] = [];
  let i = 0;
  while (i + 2 <= bytes.length && i + 2 + bytes[i + 1]! <= bytes.length) {
    items.push({ tag: bytes[i]!, value: bytes.subarray(i + 2, i + 2 + bytes[i + 1]!) });
    i += 2 + bytes[i + 1]!;
  }
  return { items, rest: bytes.subarray(i) };
}

function writeTlv(items: readonly Tlv[]): string {
  return Buffer.concat(items.flatMap((t) => [Buffer.from([t.tag, t.value.length]), t.value])).toString('base64');
}

function editTlv(text: string, e: Extract<Edit, { op: `tlv${string}` }>): string {
  const { items } = readTlv(text);
  switch (e.op) {
    case 'tlvSet': {
      const value = e.hex !== undefined ? Buffer.from(e.hex, 'hex') : Buffer.from(e.value ?? '', 'utf8');
      const at = items.findIndex((t) => t.tag === e.tag);
      if (at >= 0) items[at] = { tag: e.tag, value };
      else {
        const after = items.findIndex((t) => t.tag > e.tag);
        items.splice(after < 0 ? items.length : after, 0, { tag: e.tag, value });
      }
      return writeTlv(items);
    }
    case 'tlvRemove':
      return writeTlv(items.filter((t) => t.tag !== e.tag));
    case 'tlvTruncate': {
      const raw = Buffer.from(text.trim(), 'base64');
      return raw.subarray(0, raw.length - e.bytes).toString('base64');
    }
    case 'tlvSwap': {
      const a = items.findIndex((t) => t.tag === e.a);
      const b = items.findIndex((t) => t.tag === e.b);
      if (a < 0 || b < 0) throw new Error(`QR tags ${e.a}/${e.b} not found`);
      [items[a], items[b]] = [items[b]!, items[a]!];
      return writeTlv(items);
    }
    case 'tlvRepeat': {
      const at = items.findIndex((t) => t.tag === e.tag);
      if (at < 0) throw new Error(`QR tag ${e.tag} not found`);
      items.splice(at + 1, 0, items[at]!);
      return writeTlv(items);
    }
  }
}

function setTextOf(el: Element, value: string): void {
  while (el.firstChild) el.removeChild(el.firstChild);
  el.appendChild(el.ownerDocument!.createTextNode(value));
}

function addDecimal(value: string, delta: string): string {
  const v = value.trim();
  const decimals = v.includes('.') ? v.split('.')[1]!.length : 0;
  const scale = 10 ** Math.max(decimals, delta.includes('.') ? delta.split('.')[1]!.length : 0);
  const sum = Math.round(Number(v) * scale + Number(delta) * scale) / scale;
  return sum.toFixed(Math.max(decimals, delta.includes('.') ? delta.split('.')[1]!.length : 0));
}

/** Apply a recipe's edits to invoice XML text and return the mutated text. */
export function applyEdits(xml: string, edits: readonly Edit[]): string {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const root = doc.documentElement!;
  for (const e of edits) {
    const el = resolve(root, e.path);
    switch (e.op) {
      case 'setText':
        while (el.firstChild) el.removeChild(el.firstChild);
        el.appendChild(doc.createTextNode(e.value));
        break;
      case 'add': {
        const v = addDecimal(el.textContent ?? '0', e.delta);
        while (el.firstChild) el.removeChild(el.firstChild);
        el.appendChild(doc.createTextNode(v));
        break;
      }
      case 'setAttr':
        el.setAttribute(e.name, e.value);
        break;
      case 'removeAttr':
        el.removeAttribute(e.name);
        break;
      case 'remove':
        el.parentNode!.removeChild(el);
        break;
      case 'insert':
        for (const f of fragment(e.xml)) {
          const node = doc.importNode(f, true);
          if (e.where === 'append') el.appendChild(node);
          else if (e.where === 'before') el.parentNode!.insertBefore(node, el);
          else el.parentNode!.insertBefore(node, el.nextSibling);
        }
        break;
      case 'moveBefore': {
        const target = resolve(root, e.target);
        el.parentNode!.removeChild(el);
        target.parentNode!.insertBefore(el, target);
        break;
      }
      case 'duplicate':
        el.parentNode!.insertBefore(el.cloneNode(true), el.nextSibling);
        break;
      case 'replace': {
        const before = el.textContent ?? '';
        const after = before.replace(new RegExp(e.pattern), e.replacement);
        if (after === before) throw new Error(`replace: /${e.pattern}/ changes nothing in ${e.path}`);
        setTextOf(el, after);
        break;
      }
      case 'insertText': {
        const node = doc.createTextNode(e.text);
        if (e.where === 'append') el.appendChild(node);
        else if (e.where === 'prepend') el.insertBefore(node, el.firstChild);
        else if (e.where === 'before') el.parentNode!.insertBefore(node, el);
        else el.parentNode!.insertBefore(node, el.nextSibling);
        break;
      }
      case 'flipBase64': {
        const raw = Buffer.from((el.textContent ?? '').trim(), 'base64');
        const i = e.index < 0 ? raw.length + e.index : e.index;
        raw[i] = raw[i]! ^ 1;
        setTextOf(el, raw.toString('base64'));
        break;
      }
      case 'tlvSet':
      case 'tlvRemove':
      case 'tlvTruncate':
      case 'tlvSwap':
      case 'tlvRepeat':
        setTextOf(el, editTlv(el.textContent ?? '', e));
        break;
    }
  }
  return new XMLSerializer().serializeToString(doc);
}
