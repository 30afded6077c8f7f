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
  | { op: 'duplicate'; path: string };

export interface MutantRecipe {
  id: string;
  /** `sdk:<path under the SDK data folder>` or `built:<scenario name>` for our own engine's invoices. */
  base: string;
  edits: Edit[];
  /** What the mutant is meant to break (documentation only; the oracle's verdict is the truth). */
  intent: string;
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
  const decls = Object.entries(PREFIXES).map(([p, u]) => `xmlns:${p}="${u}"`).join(' ');
  const doc = new DOMParser().parseFromString(`<wrap ${decls}>${xml}</wrap>`, 'text/xml');
  const out: Element[] = [];
  for (let n = doc.documentElement!.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
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
    }
  }
  return new XMLSerializer().serializeToString(doc);
}
