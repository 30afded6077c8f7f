// Canonical XML 1.1 (inclusive, without comments) of a whole document, optionally minus whole
// element subtrees: exactly what ZATCA's invoice hash needs (docs/zatca-notes.md §5), for XML we did not write.
import type { Attr, Document, Element, Node } from '@xmldom/xmldom';

const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

export interface C14nOptions {
  /** Elements for which this returns true are left out with their descendants (text around them stays). */
  exclude?: (element: Element) => boolean;
}

/** Escape character data the way C14N writes text nodes. */
export function escapeC14nText(text: string): string {
  if (!/[&<>\r]/.test(text)) return text;
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');
}

/** Escape an attribute value the way C14N writes it (always inside double quotes). */
export function escapeC14nAttribute(value: string): string {
  if (!/[&<"\t\n\r]/.test(value)) return value;
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/\t/g, '&#x9;').replace(/\n/g, '&#xA;').replace(/\r/g, '&#xD;');
}

/** C14N 1.1 of `doc` (or of one element, with the namespaces in scope from its ancestors). */
export function canonicalize(node: Document | Element, options: C14nOptions = {}): string {
  const out: string[] = [];
  if (node.nodeType === 9) {
    const doc = node as Document;
    let seenRoot = false;
    for (let n = doc.firstChild; n; n = n.nextSibling) {
      if (n.nodeType === 1) {
        writeElement(n as Element, new Map(), out, options);
        seenRoot = true;
      } else if (n.nodeType === 7 && n.nodeName.toLowerCase() !== 'xml') {
        // (some parsers keep the XML declaration as a PI node; it is not part of the infoset)
        // Processing instructions outside the root: a newline separates them from the root.
        if (seenRoot) out.push('\n');
        out.push(pi(n));
        if (!seenRoot) out.push('\n');
      }
    }
  } else {
    const el = node as Element;
    writeElement(el, inScopeNamespaces(el.parentNode), out, options);
  }
  return out.join('');
}

function pi(n: Node): string {
  const data = (n as unknown as { data: string }).data;
  return `<?${n.nodeName}${data ? ' ' + data : ''}?>`;
}

/** Namespace declarations in scope at `node` (prefix '' = default namespace). */
function inScopeNamespaces(node: Node | null): Map<string, string> {
  const chain: Element[] = [];
  for (let n = node; n && n.nodeType === 1; n = n.parentNode) chain.unshift(n as Element);
  const map = new Map<string, string>();
  for (const el of chain) {
    for (let i = 0; i < el.attributes.length; i++) {
      const a = el.attributes.item(i)!;
      if (a.namespaceURI === XMLNS_NS) map.set(a.prefix ? a.localName! : '', a.value);
    }
  }
  return map;
}

/** One element being written: where its children continue and the namespaces they inherit. */
interface Frame {
  el: Element;
  next: Node | null;
  context: Map<string, string>;
}

/**
 * Writes `root` and its subtree with an explicit stack instead of recursion, so that no nesting
 * depth can overflow the call stack (parse.ts bounds depth too; a DOM may come from elsewhere).
 */
function writeElement(root: Element, rendered: Map<string, string>, out: string[], options: C14nOptions): void {
  const stack: Frame[] = [{ el: root, next: root.firstChild, context: openElement(root, rendered, out) }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const n = frame.next;
    if (n === null) {
      out.push('</', frame.el.tagName, '>');
      stack.pop();
      continue;
    }
    frame.next = n.nextSibling;
    switch (n.nodeType) {
      case 1:
        if (!options.exclude?.(n as Element)) {
          const el = n as Element;
          stack.push({ el, next: el.firstChild, context: openElement(el, frame.context, out) });
        }
        break;
      case 3: // text
      case 4: // CDATA: written as escaped text
        out.push(escapeC14nText((n as unknown as { data: string }).data));
        break;
      case 7:
        out.push(pi(n));
        break;
      default: // comments are dropped (C14N without comments)
        break;
    }
  }
}

/** The start tag of `el` given the namespaces its output ancestors rendered; returns its children's context. */
function openElement(el: Element, rendered: Map<string, string>, out: string[]): Map<string, string> {
  if (el.attributes.length === 0) {
    // Most elements of an invoice: nothing to declare or sort, no allocation.
    out.push('<', el.tagName, '>');
    return rendered;
  }
  const nsDecls: Array<[string, string]> = [];
  const attrs: Attr[] = [];
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes.item(i)!;
    if (a.namespaceURI === XMLNS_NS) nsDecls.push([a.prefix ? a.localName! : '', a.value]);
    else attrs.push(a);
  }
  const rendering = renderNamespaces(nsDecls, rendered);
  writeStartTag(out, el, rendering.emitted, attrs);
  return rendering.context;
}

/**
 * Exclusive C14N (without comments) of one element subtree: only namespaces an element or its
 * attributes visibly use are declared. ZATCA's SignedProperties digest is built on this form.
 */
export function canonicalizeExclusive(el: Element): string {
  const out: string[] = [];
  writeExclusive(el, new Map(), inScopeNamespaces(el), out);
  return out.join('');
}

interface ExclusiveFrame extends Frame {
  scope: Map<string, string>;
}

function writeExclusive(root: Element, rendered: Map<string, string>, inherited: Map<string, string>, out: string[]): void {
  const stack: ExclusiveFrame[] = [{ el: root, next: root.firstChild, ...openExclusive(root, rendered, inherited, out) }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const n = frame.next;
    if (n === null) {
      out.push('</', frame.el.tagName, '>');
      stack.pop();
      continue;
    }
    frame.next = n.nextSibling;
    if (n.nodeType === 1) {
      const el = n as Element;
      stack.push({ el, next: el.firstChild, ...openExclusive(el, frame.context, frame.scope, out) });
    } else if (n.nodeType === 3 || n.nodeType === 4) out.push(escapeC14nText((n as unknown as { data: string }).data));
    else if (n.nodeType === 7) out.push(pi(n));
  }
}

/** Exclusive start tag: only the namespaces `el` and its attributes visibly use. */
function openExclusive(
  el: Element,
  rendered: Map<string, string>,
  inherited: Map<string, string>,
  out: string[],
): { context: Map<string, string>; scope: Map<string, string> } {
  let scope = inherited;
  const attrs: Attr[] = [];
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes.item(i)!;
    if (a.namespaceURI === XMLNS_NS) {
      if (scope === inherited) scope = new Map(inherited);
      scope.set(a.prefix ? a.localName! : '', a.value);
    } else attrs.push(a);
  }
  const used = new Set<string>([el.prefix ?? '']);
  for (const a of attrs) if (a.prefix) used.add(a.prefix);
  const { context, emitted } = renderNamespaces(
    [...used].map((prefix): [string, string] => [prefix, scope.get(prefix) ?? '']),
    rendered,
  );
  writeStartTag(out, el, emitted, attrs);
  return { context, scope };
}

/**
 * The namespace declarations an element must write given what its output ancestors already wrote
 * (C14N §2.3 / Exclusive C14N §3): each candidate not already in effect, `xmlns=""` only to undo a
 * default namespace. Returns them sorted by prefix and the context its children inherit.
 */
function renderNamespaces(
  candidates: ReadonlyArray<[string, string]>,
  rendered: Map<string, string>,
): { context: Map<string, string>; emitted: Array<[string, string]> } {
  let context = rendered;
  const emitted: Array<[string, string]> = [];
  for (const [prefix, uri] of candidates) {
    const current = context.get(prefix);
    if (prefix === '' && uri === '' && (current === undefined || current === '')) continue;
    if (current === uri) continue;
    if (context === rendered) context = new Map(rendered);
    context.set(prefix, uri);
    emitted.push([prefix, uri]);
  }
  emitted.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { context, emitted };
}

/** `<name ns-decls attributes>`: declarations first, then attributes by namespace URI and local name. */
function writeStartTag(out: string[], el: Element, emitted: ReadonlyArray<[string, string]>, attrs: Attr[]): void {
  attrs.sort((a, b) => {
    const ua = a.namespaceURI ?? '';
    const ub = b.namespaceURI ?? '';
    if (ua !== ub) return ua < ub ? -1 : 1;
    const la = a.localName ?? a.name;
    const lb = b.localName ?? b.name;
    return la < lb ? -1 : la > lb ? 1 : 0;
  });
  out.push('<', el.tagName);
  for (const [prefix, uri] of emitted) out.push(prefix ? ` xmlns:${prefix}="` : ' xmlns="', escapeC14nAttribute(uri), '"');
  for (const a of attrs) out.push(' ', a.name, '="', escapeC14nAttribute(a.value), '"');
  out.push('>');
}
