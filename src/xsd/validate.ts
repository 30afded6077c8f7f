// Structural XML Schema check of a UBL Invoice against the model generated from ZATCA's XSDs:
// element order, cardinality, unknown elements/attributes, required attributes and simple types.
import type { Document, Element, Node } from '@xmldom/xmldom';
import modelJson from './ubl-invoice-model.json' with { type: 'json' };
import type { Particle, SchemaModel, SimpleTypeModel, TypeModel } from './model.js';

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
  validateElement(root, typeId, `/${root.nodeName}`, issues);
  return issues;
}

function keyOf(el: Element): string | undefined {
  const i = nsIndex.get(el.namespaceURI ?? '');
  return i === undefined ? (el.namespaceURI ? undefined : `-1:${el.localName}`) : `${i}:${el.localName}`;
}

function push(issues: XsdIssue[], path: string, message: string, messageAr: string): void {
  if (issues.length < MAX_ISSUES) issues.push({ path, message, messageAr });
}

interface Assignment {
  type?: number;
  /** Wildcard match: how to process the element. */
  wildcard?: 'lax' | 'skip' | 'strict';
}

function validateElement(el: Element, typeId: number, path: string, issues: XsdIssue[]): void {
  if (issues.length >= MAX_ISSUES) return;
  const type = model.types[typeId]!;
  // Attributes.
  const attrs = el.attributes;
  const declared = type.kind === 'complex' ? type.attrs : {};
  const seen = new Set<string>();
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs.item(i)!;
    const ns = a.namespaceURI;
    if (ns === XMLNS || a.name === 'xmlns' || a.name.startsWith('xmlns:') || ns === XSI) continue;
    if (ns) {
      if (type.kind === 'complex' && type.anyAttribute) continue;
      push(issues, path, `attribute ${a.name} is not allowed on ${el.nodeName}`, `السمة ${a.name} غير مسموح بها في ${el.nodeName}`);
      continue;
    }
    const decl = declared[a.name];
    if (!decl) {
      if (type.kind === 'complex' && type.anyAttribute) continue;
      push(issues, path, `attribute ${a.name} is not allowed on ${el.nodeName}`, `السمة ${a.name} غير مسموح بها في ${el.nodeName}`);
      continue;
    }
    seen.add(a.name);
    const problem = checkSimple(decl[0], a.value);
    if (problem) push(issues, `${path}/@${a.name}`, `attribute ${a.name}: ${problem}`, `قيمة السمة ${a.name} غير صالحة: ${problem}`);
  }
  for (const [name, [, required]] of Object.entries(declared)) {
    if (required && !seen.has(name)) {
      push(issues, path, `attribute ${name} is required on ${el.nodeName}`, `السمة ${name} مطلوبة في ${el.nodeName}`);
    }
  }

  const children: Element[] = [];
  let text = '';
  for (let n: Node | null = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1) children.push(n as Element);
    else if (n.nodeType === 3 || n.nodeType === 4) text += n.nodeValue ?? '';
  }

  if (type.kind === 'simple' || type.text !== undefined) {
    if (children.length) {
      push(issues, `${path}/${children[0]!.nodeName}`, `element ${children[0]!.nodeName} is not allowed inside ${el.nodeName} (text only)`, `العنصر ${children[0]!.nodeName} غير مسموح به داخل ${el.nodeName} (نص فقط)`);
      return;
    }
    const problem = checkSimple(type.kind === 'simple' ? typeId : type.text!, text);
    if (problem) push(issues, path, `${el.nodeName}: ${problem}`, `قيمة ${el.nodeName} غير صالحة: ${problem}`);
    return;
  }
  if (!type.mixed && text.trim() !== '') {
    push(issues, path, `${el.nodeName} must not contain text`, `يجب ألا يحتوي ${el.nodeName} على نص`);
  }
  const assigned: Assignment[] = new Array(children.length);
  const state: MatchState = { children, assigned, furthest: -1, expected: undefined };
  const end = type.content ? matchParticle(type.content, state, 0) : 0;
  if (end === -1 || end < children.length) {
    const pos = end === -1 ? Math.max(state.furthest, 0) : end;
    const at = children[pos];
    const where = at ? `${path}/${at.nodeName}` : path;
    const expected = end === -1 && state.expected ? ` (expected ${state.expected})` : '';
    if (at) {
      push(issues, where, `element ${at.nodeName} is not expected here in ${el.nodeName}${expected}: unknown element, wrong order or too many occurrences`, `العنصر ${at.nodeName} غير متوقع في هذا الموضع داخل ${el.nodeName}: عنصر غير معروف أو ترتيب خاطئ أو تكرار زائد`);
    } else {
      push(issues, where, `${el.nodeName} is incomplete${expected}`, `العنصر ${el.nodeName} ناقص: عنصر إلزامي مفقود`);
    }
    // Children that were matched before the problem are still checked, so one mistake does not
    // hide others.
  }
  const counts = new Map<string, number>();
  for (let i = 0; i < children.length; i++) {
    const child = children[i]!;
    const a = assigned[i];
    const n = (counts.get(child.nodeName) ?? 0) + 1;
    counts.set(child.nodeName, n);
    const childPath = `${path}/${child.nodeName}${n > 1 ? `[${n}]` : ''}`;
    if (!a) continue;
    if (a.type !== undefined) validateElement(child, a.type, childPath, issues);
    else if (a.wildcard && a.wildcard !== 'skip') {
      const k = keyOf(child);
      const t = k === undefined ? undefined : model.elements[k];
      if (t !== undefined) validateElement(child, t, childPath, issues);
      else if (a.wildcard === 'strict') {
        push(issues, childPath, `no declaration for element ${child.nodeName}`, `لا يوجد تعريف للعنصر ${child.nodeName}`);
      }
    }
  }
}

interface MatchState {
  children: Element[];
  assigned: Assignment[];
  furthest: number;
  expected: string | undefined;
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
function matchParticle(p: Particle, s: MatchState, pos: number): number {
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

function matchOnce(p: Particle, s: MatchState, pos: number): number {
  if ('el' in p) {
    const child = s.children[pos];
    if (child && keyOf(child) === p.el) {
      s.assigned[pos] = p.type !== undefined ? { type: p.type } : { type: model.elements[p.el] };
      return pos + 1;
    }
    noteExpected(s, pos, elementLabel(p.el));
    return -1;
  }
  if ('any' in p) {
    const child = s.children[pos];
    if (child && wildcardAllows(p.any, child)) {
      s.assigned[pos] = { wildcard: p.pc };
      return pos + 1;
    }
    noteExpected(s, pos, 'an element from another namespace');
    return -1;
  }
  if ('seq' in p) {
    for (const item of p.seq) {
      pos = matchParticle(item, s, pos);
      if (pos === -1) return -1;
    }
    return pos;
  }
  // choice: the alternative whose first element is the next child; else an empty alternative
  const child = s.children[pos];
  let emptyOk = false;
  for (const alt of p.choice) {
    if (child && startsWith(alt, child)) {
      const next = matchParticle(alt, s, pos);
      if (next !== -1) return next;
    }
    if (emptiable(alt)) emptyOk = true;
  }
  if (!emptyOk) for (const alt of p.choice) firstLabels(alt).forEach((l) => noteExpected(s, pos, l));
  return emptyOk ? pos : -1;
}

function noteExpected(s: MatchState, pos: number, label: string): void {
  if (pos > s.furthest) {
    s.furthest = pos;
    s.expected = label;
  } else if (pos === s.furthest && s.expected && !s.expected.split(' or ').includes(label)) {
    if (s.expected.length < 200) s.expected += ` or ${label}`;
  }
}

function wildcardAllows(spec: string, el: Element): boolean {
  if (spec === 'any') return true;
  const ns = el.namespaceURI ?? '';
  if (spec.startsWith('other:')) return ns !== '' && ns !== model.namespaces[Number(spec.slice(6))];
  return spec.split(/\s+/).includes(ns);
}

function startsWith(p: Particle, el: Element): boolean {
  if ('el' in p) return keyOf(el) === p.el;
  if ('any' in p) return wildcardAllows(p.any, el);
  if ('choice' in p) return p.choice.some((a) => startsWith(a, el));
  for (const item of p.seq) {
    if (startsWith(item, el)) return true;
    if (!emptiable(item)) return false;
  }
  return false;
}

function emptiable(p: Particle): boolean {
  if (p.min === 0) return true;
  if ('el' in p || 'any' in p) return false;
  if ('seq' in p) return p.seq.every(emptiable);
  return p.choice.some(emptiable);
}

function firstLabels(p: Particle): string[] {
  if ('el' in p) return [elementLabel(p.el)];
  if ('any' in p) return ['an element from another namespace'];
  if ('choice' in p) return p.choice.flatMap(firstLabels);
  const out: string[] = [];
  for (const item of p.seq) {
    out.push(...firstLabels(item));
    if (!emptiable(item)) break;
  }
  return out;
}

// --- simple types ---------------------------------------------------------------------------

const collapse = (v: string): string => v.replace(/[\t\n\r ]+/g, ' ').trim();

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
// xs:integer has no size limit: the 45-digit ds:X509SerialNumber of every signed invoice is valid.
const INTEGER = /^[+-]?\d+$/;
const TZ = '(Z|[+-](0\\d|1[0-3]):[0-5]\\d|[+-]14:00)?';
const DATE = new RegExp(`^-?(\\d{4,})-(\\d\\d)-(\\d\\d)${TZ}$`);
const TIME = new RegExp(`^(\\d\\d):(\\d\\d):(\\d\\d)(\\.\\d+)?${TZ}$`);
const DATETIME = new RegExp(`^-?(\\d{4,})-(\\d\\d)-(\\d\\d)T(\\d\\d):(\\d\\d):(\\d\\d)(\\.\\d+)?${TZ}$`);
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})?$/;
const NCNAME = /^[\p{L}_][\p{L}\p{N}_.\-\u00B7\u0300-\u036F\u203F-\u2040]*$/u;
const LANGUAGE = /^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$/;

function validDate(y: string, m: string, d: string): boolean {
  const month = Number(m);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1) return false;
  const year = Number(y);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days && !/^-?0000$/.test(y);
}

function validTime(h: string, mi: string, s: string, frac: string | undefined): boolean {
  const hour = Number(h);
  if (hour === 24) return mi === '00' && s === '00' && (!frac || /^\.0+$/.test(frac));
  return hour < 24 && Number(mi) < 60 && Number(s) < 60;
}

/** Returns a problem description, or undefined when the value is valid for the simple type. */
export function checkSimple(typeId: number, raw: string): string | undefined {
  const t = model.types[typeId] as SimpleTypeModel | TypeModel;
  if (t.kind !== 'simple') return undefined;
  const base = t.base;
  let value = raw;
  switch (base) {
    case 'string':
    case 'anyType':
    case 'anySimpleType':
      break;
    case 'normalizedString':
      value = raw.replace(/[\t\n\r]/g, ' ');
      break;
    default:
      value = collapse(raw);
  }
  let ok = true;
  switch (base) {
    case 'decimal':
      ok = DECIMAL.test(value);
      break;
    case 'integer':
      ok = INTEGER.test(value);
      break;
    case 'boolean':
      ok = value === 'true' || value === 'false' || value === '1' || value === '0';
      break;
    case 'date': {
      const m = DATE.exec(value);
      ok = !!m && validDate(m[1]!, m[2]!, m[3]!);
      break;
    }
    case 'time': {
      const m = TIME.exec(value);
      ok = !!m && validTime(m[1]!, m[2]!, m[3]!, m[4]);
      break;
    }
    case 'dateTime': {
      const m = DATETIME.exec(value);
      ok = !!m && validDate(m[1]!, m[2]!, m[3]!) && validTime(m[4]!, m[5]!, m[6]!, m[7]);
      break;
    }
    case 'base64Binary':
      ok = BASE64.test(value.replace(/ /g, ''));
      break;
    case 'ID':
    case 'NCName':
      ok = NCNAME.test(value);
      break;
    case 'language':
      ok = LANGUAGE.test(value);
      break;
    default:
      ok = true;
  }
  if (!ok) return `'${shorten(raw)}' is not a valid ${base}`;
  if (t.enumeration && !t.enumeration.includes(value)) return `'${shorten(raw)}' is not one of ${t.enumeration.join(', ')}`;
  return undefined;
}

function shorten(v: string): string {
  return v.length > 40 ? `${v.slice(0, 37)}...` : v;
}
