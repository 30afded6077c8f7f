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

// --- the model, compiled once for matching ---------------------------------------------------
// Particles get their namespace URI, local name, resolved type and emptiability up front so the
// matcher compares strings and numbers only; required attributes are listed per type.

/** What a matched child is validated as: a type id (>= 0) or one of these. */
const LAX = -1;
const SKIP = -2;
const STRICT = -3;
/** Matched by an element particle whose element has no known type: not descended into. */
const UNTYPED = -4;

interface CBase {
  min: number;
  /** -1 = unbounded. */
  max: number;
  /** Can match nothing (emptiable() of the original particle). */
  empty: boolean;
}
interface CEl extends CBase {
  kind: 0;
  /** `${namespaceIndex}:${localName}` as in the model (for labels). */
  key: string;
  ns: string;
  local: string;
  type: number;
}
interface CAny extends CBase {
  kind: 1;
  spec: string;
  /** Namespace excluded by `other:i`, or the allowed list. */
  other?: string;
  list?: string[];
  assign: number;
}
interface CSeq extends CBase {
  kind: 2;
  items: CParticle[];
}
interface CChoice extends CBase {
  kind: 3;
  alts: CParticle[];
}
type CParticle = CEl | CAny | CSeq | CChoice;

interface CompiledModel {
  content: Array<CParticle | undefined>;
  /** Required attribute names per complex type, in declaration order. */
  required: string[][];
  elements: Map<string, Map<string, number>>;
}

let compiledModel: CompiledModel | undefined;

function compiled(): CompiledModel {
  if (compiledModel) return compiledModel;
  const cache = new Map<Particle, CParticle>();
  const compile = (p: Particle): CParticle => {
    let c = cache.get(p);
    if (c) return c;
    if ('el' in p) {
      const [i, local] = splitKey(p.el);
      const type = p.type !== undefined ? p.type : model.elements[p.el];
      c = {
        kind: 0,
        min: p.min,
        max: p.max,
        empty: p.min === 0,
        key: p.el,
        ns: i === -1 ? '' : (model.namespaces[i] ?? '\u0000'),
        local,
        type: type ?? UNTYPED,
      };
    } else if ('any' in p) {
      const any: CAny = { kind: 1, min: p.min, max: p.max, empty: p.min === 0, spec: p.any, assign: p.pc === 'lax' ? LAX : p.pc === 'skip' ? SKIP : STRICT };
      if (p.any.startsWith('other:')) any.other = model.namespaces[Number(p.any.slice(6))];
      else if (p.any !== 'any') any.list = p.any.split(/\s+/);
      c = any;
    } else if ('seq' in p) {
      const items = p.seq.map(compile);
      c = { kind: 2, min: p.min, max: p.max, empty: p.min === 0 || items.every((x) => x.empty), items };
    } else {
      const alts = p.choice.map(compile);
      c = { kind: 3, min: p.min, max: p.max, empty: p.min === 0 || alts.some((x) => x.empty), alts };
    }
    cache.set(p, c);
    return c;
  };
  const content: Array<CParticle | undefined> = [];
  const required: string[][] = [];
  model.types.forEach((t, i) => {
    if (t.kind !== 'complex') return;
    if (t.content) content[i] = compile(t.content);
    required[i] = Object.entries(t.attrs)
      .filter(([, [, req]]) => req)
      .map(([name]) => name);
  });
  const elements = new Map<string, Map<string, number>>();
  for (const [key, type] of Object.entries(model.elements)) {
    const [i, local] = splitKey(key);
    const ns = i === -1 ? '' : model.namespaces[i]!;
    let m = elements.get(ns);
    if (!m) elements.set(ns, (m = new Map()));
    m.set(local, type);
  }
  compiledModel = { content, required, elements };
  return compiledModel;
}

function splitKey(key: string): [number, string] {
  const c = key.indexOf(':');
  return [Number(key.slice(0, c)), key.slice(c + 1)];
}

function validateElement(el: Element, typeId: number, issues: XsdIssue[]): void {
  if (issues.length >= MAX_ISSUES) return;
  const type = model.types[typeId]!;
  // Attributes.
  const attrs = el.attributes;
  const declared = type.kind === 'complex' ? type.attrs : {};
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs.item(i)!;
    const ns = a.namespaceURI;
    if (ns === XMLNS || a.name === 'xmlns' || a.name.startsWith('xmlns:') || ns === XSI) continue;
    if (ns) {
      if (type.kind === 'complex' && type.anyAttribute) continue;
      push(issues, pathOf(el), `attribute ${a.name} is not allowed on ${el.nodeName}`, `السمة ${a.name} غير مسموح بها في ${el.nodeName}`);
      continue;
    }
    const decl = declared[a.name];
    if (!decl) {
      if (type.kind === 'complex' && type.anyAttribute) continue;
      push(issues, pathOf(el), `attribute ${a.name} is not allowed on ${el.nodeName}`, `السمة ${a.name} غير مسموح بها في ${el.nodeName}`);
      continue;
    }
    const problem = checkSimple(decl[0], a.value);
    if (problem) push(issues, `${pathOf(el)}/@${a.name}`, `attribute ${a.name}: ${problem}`, `قيمة السمة ${a.name} غير صالحة: ${problem}`);
  }
  const cm = compiled();
  const required = type.kind === 'complex' ? cm.required[typeId]! : [];
  for (const name of required) {
    // seen: a declared attribute of that name without a namespace (the loop above)
    let seen = false;
    for (let i = 0; i < attrs.length && !seen; i++) {
      const a = attrs.item(i)!;
      seen = a.name === name && !a.namespaceURI;
    }
    if (!seen) push(issues, pathOf(el), `attribute ${name} is required on ${el.nodeName}`, `السمة ${name} مطلوبة في ${el.nodeName}`);
  }

  if (type.kind === 'simple' || type.text !== undefined) {
    // Text-only content (most elements): no child list to build.
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
    const problem = checkSimple(type.kind === 'simple' ? typeId : (type as TypeModel).text!, text);
    if (problem) push(issues, pathOf(el), `${el.nodeName}: ${problem}`, `قيمة ${el.nodeName} غير صالحة: ${problem}`);
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
  const content = cm.content[typeId];
  const state: MatchState = { children, assigned, furthest: -1, expected: undefined, record: false };
  const end = content ? matchParticle(content, state, 0) : 0;
  if (end === -1 || end < children.length) {
    if (end === -1) {
      // Where matching stopped and what was expected there: the same match again, recording.
      state.record = true;
      matchParticle(content!, state, 0);
    }
    const pos = end === -1 ? Math.max(state.furthest, 0) : end;
    const at = children[pos];
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
    // Children that were matched before the problem are still checked, so one mistake does not
    // hide others.
  }
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
// biome-ignore lint/suspicious/noMisleadingCharacterClass: XML's NameChar production lists the combining marks U+0300–U+036F as a range of their own
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

const CHECKED_BASES = new Set(['decimal', 'integer', 'boolean', 'date', 'time', 'dateTime', 'base64Binary', 'ID', 'NCName', 'language']);

/** Returns a problem description, or undefined when the value is valid for the simple type. */
export function checkSimple(typeId: number, raw: string): string | undefined {
  const t = model.types[typeId] as SimpleTypeModel | TypeModel;
  if (t.kind !== 'simple') return undefined;
  const base = t.base;
  // Other bases accept any text; without an enumeration there is nothing to check.
  if (!t.enumeration && !CHECKED_BASES.has(base)) return undefined;
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
      value = /[\t\n\r ]/.test(raw) ? collapse(raw) : raw;
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
