// Structural XML Schema check of a UBL Invoice against the model generated from ZATCA's XSDs:
// element order, cardinality, unknown elements/attributes, required attributes and simple types.
import type { Document, Element, Node } from '@xmldom/xmldom';
import modelJson from './ubl-invoice-model.json' with { type: 'json' };
import type { SchemaModel, SimpleTypeModel, TypeModel } from './model.js';
import { checkSimple } from './simple-types.js';
import { compiled, SKIP, STRICT, UNTYPED, type CAny, type CEl, type CParticle } from './compiled-model.js';

const model = modelJson as unknown as SchemaModel;
const nsIndex = new Map(model.namespaces.map((uri, i) => [uri, i] as const));
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const XMLNS = 'http://www.w3.org/2000/xmlns/';

export interface XsdIssue {
  /** Location as a simple path, e.g. `/Invoice/cac:InvoiceLine[2]/cbc:ID`. */
  path: string;
  message: string;
  messageAr: string;
}

/** Stop collecting after this many issues: a broken document should not cost more than a good one. */
const MAX_ISSUES = 50;

export function validateSchema(doc: Document): XsdIssue[] {
  const issues: XsdIssue[] = [];
  const root = doc.documentElement;
  if (!root) return [{ path: '/', message: 'no root element', messageAr: 'لا يوجد عنصر جذر' }];
  const key = keyOf(root);
  const typeId = key === undefined ? undefined : model.elements[key];
  if (typeId === undefined) {
    issues.push({
      path: `/${root.nodeName}`,
      message: `root element {${root.namespaceURI ?? ''}}${root.localName} is not declared by the Invoice schema`,
      messageAr: `العنصر الجذر ${root.nodeName} غير معرّف في مخطط الفاتورة`,
    });
    return issues;
  }
  validateElement(root, typeId, issues);
  return issues;
}

function keyOf(el: Element): string | undefined {
  const i = nsIndex.get(el.namespaceURI ?? '');
  return i === undefined ? (el.namespaceURI ? undefined : `-1:${el.localName}`) : `${i}:${el.localName}`;
}

/** Global element declaration of an element (wildcard content), without building its key. */
function declaredType(el: Element): number | undefined {
  return compiled()
    .elements.get(el.namespaceURI ?? '')
    ?.get(el.localName!);
}

function push(issues: XsdIssue[], path: string, message: string, messageAr: string): void {
  if (issues.length < MAX_ISSUES) issues.push({ path, message, messageAr });
}

/**
 * `/Invoice/cac:InvoiceLine[2]/cbc:ID`: built only when an issue is reported, from the DOM
 * (index = position among the element siblings of the same name), so valid documents pay nothing.
 */
function pathOf(el: Element): string {
  const parent = el.parentNode;
  if (!parent || parent.nodeType !== 1) return `/${el.nodeName}`;
  let n = 1;
  for (let s = el.previousSibling; s; s = s.previousSibling) if (s.nodeType === 1 && s.nodeName === el.nodeName) n++;
  return `${pathOf(parent as Element)}/${el.nodeName}${n > 1 ? `[${n}]` : ''}`;
}

function validateElement(el: Element, typeId: number, issues: XsdIssue[]): void {
  if (issues.length >= MAX_ISSUES) return;
  const type = model.types[typeId]!;
  checkAttributes(el, type, typeId, issues);
  if (type.kind === 'simple' || type.text !== undefined) {
    checkTextContent(el, type.kind === 'simple' ? typeId : (type as TypeModel).text!, issues);
    return;
  }
  const children: Element[] = [];
  let hasText = false;
  for (let n: Node | null = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1) children.push(n as Element);
    else if (!hasText && (n.nodeType === 3 || n.nodeType === 4) && (n.nodeValue ?? '').trim() !== '') hasText = true;
  }
  const complex = type as TypeModel;
  if (!complex.mixed && hasText) {
    push(issues, pathOf(el), `${el.nodeName} must not contain text`, `يجب ألا يحتوي ${el.nodeName} على نص`);
  }
  const assigned: Array<number | undefined> = new Array(children.length);
  const content = compiled().content[typeId];
  const state: MatchState = { children, assigned, furthest: -1, expected: undefined, record: false };
  const end = content ? matchParticle(content, state, 0) : 0;
  // Children that were matched before a problem are still checked, so one mistake does not hide others.
  if (end === -1 || end < children.length) reportContentMismatch(el, content!, state, end, issues);
  validateChildren(children, assigned, issues);
}

/** Attributes: none undeclared (namespace declarations and xsi:* aside), values valid, the required present. */
function checkAttributes(el: Element, type: SimpleTypeModel | TypeModel, typeId: number, issues: XsdIssue[]): void {
  const attrs = el.attributes;
  const declared = type.kind === 'complex' ? type.attrs : {};
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs.item(i)!;
    const ns = a.namespaceURI;
    if (ns === XMLNS || a.name === 'xmlns' || a.name.startsWith('xmlns:') || ns === XSI) continue;
    const decl = ns ? undefined : declared[a.name];
    if (!decl) {
      if (type.kind === 'complex' && type.anyAttribute) continue;
      push(issues, pathOf(el), `attribute ${a.name} is not allowed on ${el.nodeName}`, `السمة ${a.name} غير مسموح بها في ${el.nodeName}`);
      continue;
    }
    const problem = checkSimple(decl[0], a.value);
    if (problem) push(issues, `${pathOf(el)}/@${a.name}`, `attribute ${a.name}: ${problem}`, `قيمة السمة ${a.name} غير صالحة: ${problem}`);
  }
  const required = type.kind === 'complex' ? compiled().required[typeId]! : [];
  for (const name of required) {
    // seen: a declared attribute of that name without a namespace (the loop above)
    let seen = false;
    for (let i = 0; i < attrs.length && !seen; i++) {
      const a = attrs.item(i)!;
      seen = a.name === name && !a.namespaceURI;
    }
    if (!seen) push(issues, pathOf(el), `attribute ${name} is required on ${el.nodeName}`, `السمة ${name} مطلوبة في ${el.nodeName}`);
  }
}

/** Text-only content (most elements): no child element, the text valid for simple type `textType`. */
function checkTextContent(el: Element, textType: number, issues: XsdIssue[]): void {
  let text = '';
  for (let n: Node | null = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1) {
      push(
        issues,
        `${pathOf(el)}/${n.nodeName}`,
        `element ${n.nodeName} is not allowed inside ${el.nodeName} (text only)`,
        `العنصر ${n.nodeName} غير مسموح به داخل ${el.nodeName} (نص فقط)`,
      );
      return;
    }
    if (n.nodeType === 3 || n.nodeType === 4) text += n.nodeValue ?? '';
  }
  const problem = checkSimple(textType, text);
  if (problem) push(issues, pathOf(el), `${el.nodeName}: ${problem}`, `قيمة ${el.nodeName} غير صالحة: ${problem}`);
}

/** The child where matching stopped (or the missing end), and what was expected there. */
function reportContentMismatch(el: Element, content: CParticle, state: MatchState, end: number, issues: XsdIssue[]): void {
  if (end === -1) {
    // Where matching stopped and what was expected there: the same match again, recording.
    state.record = true;
    matchParticle(content, state, 0);
  }
  const pos = end === -1 ? Math.max(state.furthest, 0) : end;
  const at = state.children[pos];
  const path = pathOf(el);
  const where = at ? `${path}/${at.nodeName}` : path;
  const expected = end === -1 && state.expected ? ` (expected ${state.expected})` : '';
  if (at) {
    push(
      issues,
      where,
      `element ${at.nodeName} is not expected here in ${el.nodeName}${expected}: unknown element, wrong order or too many occurrences`,
      `العنصر ${at.nodeName} غير متوقع في هذا الموضع داخل ${el.nodeName}: عنصر غير معروف أو ترتيب خاطئ أو تكرار زائد`,
    );
  } else {
    push(issues, where, `${el.nodeName} is incomplete${expected}`, `العنصر ${el.nodeName} ناقص: عنصر إلزامي مفقود`);
  }
}

/** Each matched child against the type it was matched to (or its xsi:type under a wildcard). */
function validateChildren(children: readonly Element[], assigned: ReadonlyArray<number | undefined>, issues: XsdIssue[]): void {
  for (let i = 0; i < children.length; i++) {
    const a = assigned[i];
    if (a === undefined || a === UNTYPED || a === SKIP) continue;
    const child = children[i]!;
    if (a >= 0) validateElement(child, a, issues);
    else {
      const t = declaredType(child);
      if (t !== undefined) validateElement(child, t, issues);
      else if (a === STRICT) {
        push(issues, pathOf(child), `no declaration for element ${child.nodeName}`, `لا يوجد تعريف للعنصر ${child.nodeName}`);
      }
    }
  }
}

interface MatchState {
  children: Element[];
  assigned: Array<number | undefined>;
  furthest: number;
  expected: string | undefined;
  /** Only a failed match is run again with recording on, to say what was expected. */
  record: boolean;
}

function elementLabel(key: string): string {
  const [i, local] = key.split(':') as [string, string];
  const uri = model.namespaces[Number(i)] ?? '';
  const prefix = PREFIXES[uri];
  return prefix ? `${prefix}:${local}` : local;
}

const PREFIXES: Record<string, string> = {
  'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2': 'cac',
  'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2': 'cbc',
  'urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2': 'ext',
  'urn:oasis:names:specification:ubl:schema:xsd:CommonSignatureComponents-2': 'sig',
  'urn:oasis:names:specification:ubl:schema:xsd:SignatureAggregateComponents-2': 'sac',
  'urn:oasis:names:specification:ubl:schema:xsd:SignatureBasicComponents-2': 'sbc',
  'http://www.w3.org/2000/09/xmldsig#': 'ds',
  'http://uri.etsi.org/01903/v1.3.2#': 'xades',
};

/**
 * Greedy matching. ZATCA's schemas obey XML Schema's unique particle attribution, so the next
 * child always decides which particle it belongs to and no backtracking is needed.
 */
function matchParticle(p: CParticle, s: MatchState, pos: number): number {
  let count = 0;
  while (p.max === -1 || count < p.max) {
    const next = matchOnce(p, s, pos);
    if (next === -1 || next === pos) {
      if (next === pos && count < p.min) count = p.min; // an emptiable group satisfies any minimum
      break;
    }
    pos = next;
    count++;
  }
  if (count < p.min) return -1;
  return pos;
}

function elementMatches(p: CEl, el: Element): boolean {
  return el.localName === p.local && (el.namespaceURI ?? '') === p.ns;
}

function matchOnce(p: CParticle, s: MatchState, pos: number): number {
  switch (p.kind) {
    case 0: {
      const child = s.children[pos];
      if (child && elementMatches(p, child)) {
        s.assigned[pos] = p.type;
        return pos + 1;
      }
      if (s.record) noteExpected(s, pos, elementLabel(p.key));
      return -1;
    }
    case 1: {
      const child = s.children[pos];
      if (child && wildcardAllows(p, child)) {
        s.assigned[pos] = p.assign;
        return pos + 1;
      }
      if (s.record) noteExpected(s, pos, 'an element from another namespace');
      return -1;
    }
    case 2: {
      for (const item of p.items) {
        pos = matchParticle(item, s, pos);
        if (pos === -1) return -1;
      }
      return pos;
    }
    default: {
      // choice: the alternative whose first element is the next child; else an empty alternative
      const child = s.children[pos];
      let emptyOk = false;
      for (const alt of p.alts) {
        if (child && startsWith(alt, child)) {
          const next = matchParticle(alt, s, pos);
          if (next !== -1) return next;
        }
        if (alt.empty) emptyOk = true;
      }
      if (!emptyOk && s.record) for (const alt of p.alts) for (const l of firstLabels(alt)) noteExpected(s, pos, l);
      return emptyOk ? pos : -1;
    }
  }
}

function noteExpected(s: MatchState, pos: number, label: string): void {
  if (pos > s.furthest) {
    s.furthest = pos;
    s.expected = label;
  } else if (pos === s.furthest && s.expected && !s.expected.split(' or ').includes(label)) {
    if (s.expected.length < 200) s.expected += ` or ${label}`;
  }
}

function wildcardAllows(p: CAny, el: Element): boolean {
  if (p.spec === 'any') return true;
  const ns = el.namespaceURI ?? '';
  if (p.list === undefined) return ns !== '' && ns !== p.other;
  return p.list.includes(ns);
}

function startsWith(p: CParticle, el: Element): boolean {
  switch (p.kind) {
    case 0:
      return elementMatches(p, el);
    case 1:
      return wildcardAllows(p, el);
    case 3:
      return p.alts.some((a) => startsWith(a, el));
    default:
      for (const item of p.items) {
        if (startsWith(item, el)) return true;
        if (!item.empty) return false;
      }
      return false;
  }
}

function firstLabels(p: CParticle): string[] {
  switch (p.kind) {
    case 0:
      return [elementLabel(p.key)];
    case 1:
      return ['an element from another namespace'];
    case 3:
      return p.alts.flatMap(firstLabels);
    default: {
      const out: string[] = [];
      for (const item of p.items) {
        out.push(...firstLabels(item));
        if (!item.empty) break;
      }
      return out;
    }
  }
}
