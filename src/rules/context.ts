// The read-once invoice context the business rules run on: one walk over the DOM indexes every
// element by prefixed name; the XPath 2.0 value semantics rules need live in rules/xpath-values.ts.
import type { Document, Element } from '@xmldom/xmldom';
import { NS } from '../xml/parse.js';

const PREFIX_OF: Record<string, string> = {
  [NS.cac]: 'cac',
  [NS.cbc]: 'cbc',
  [NS.ext]: 'ext',
  [NS.sig]: 'sig',
  [NS.sac]: 'sac',
  [NS.sbc]: 'sbc',
  [NS.ds]: 'ds',
  [NS.xades]: 'xades',
  [NS.invoice]: 'ubl',
};

/** `cac:InvoiceLine` style name of an element in the namespaces ZATCA's rules use. */
export function qname(el: Element): string {
  const ns = el.namespaceURI ?? '';
  let byLocal = QNAMES.get(ns);
  if (!byLocal) {
    byLocal = new Map();
    if (QNAMES.size < 256) QNAMES.set(ns, byLocal);
  }
  let q = byLocal.get(el.localName!);
  if (q === undefined) {
    const p = PREFIX_OF[ns];
    q = p ? `${p}:${el.localName}` : `{${ns}}${el.localName}`;
    // a document with endless distinct names must not grow this: names of UBL are a few hundred
    if (byLocal.size < 4096) byLocal.set(el.localName!, q);
  }
  return q;
}

/**
 * Prefixed names by namespace and local name: one string per name for the whole process instead of
 * one per element (cheaper to build, and its hash is computed once for every map keyed by it).
 */
const QNAMES = new Map<string, Map<string, string>>();

export type Els = readonly Element[];
const NO_ELEMENTS: Els = [];
const NO_CHILDREN: ReadonlyMap<string, Element[]> = new Map();

/** Path steps of the literal paths rules use, split once per process. */
const STEPS = new Map<string, readonly string[]>();
function stepsOf(path: string): readonly string[] {
  let steps = STEPS.get(path);
  if (!steps) {
    steps = path.split('/');
    // rules write literal paths; a bound keeps a caller building paths from data from growing this
    if (STEPS.size < 10_000) STEPS.set(path, steps);
  }
  return steps;
}

export class InvoiceContext {
  readonly doc: Document;
  readonly root: Element;
  /** Every element below the root (and the root), by prefixed name, in document order. */
  private readonly byName = new Map<string, Element[]>();
  /** Values of every `@name` attribute in the document (rules test `//*[matches(@name, …)]`). */
  readonly nameAttributes: string[] = [];
  private readonly childCache = new Map<Element, ReadonlyMap<string, Element[]>>();
  /** Time the KSA rules compare dates with (BR-KSA-04, BR-KSA-98). */
  readonly now: Date;
  /** Memo for values several rules share. */
  private readonly memo = new Map<string, unknown>();
  /** Root-relative paths already resolved (`at`). */
  private readonly atCache = new Map<string, Els>();

  constructor(doc: Document, now: Date = new Date()) {
    this.doc = doc;
    this.root = doc.documentElement!;
    this.now = now;
    this.index(this.root);
  }

  /**
   * One pre-order walk: `//name` lists in document order, and the child lists by name of every
   * element with element children (each element's prefixed name is built once, here).
   */
  private index(start: Element): void {
    const stack: Element[] = [start];
    const names: string[] = [qname(start)];
    const kids: Element[] = [];
    const kidNames: string[] = [];
    while (stack.length) {
      const el = stack.pop()!;
      const name = names.pop()!;
      let list = this.byName.get(name);
      if (!list) this.byName.set(name, (list = []));
      list.push(el);
      const nameAttr = el.getAttributeNode('name');
      if (nameAttr) this.nameAttributes.push(nameAttr.value);
      kids.length = 0;
      kidNames.length = 0;
      let byName: Map<string, Element[]> | undefined;
      for (let n = el.firstChild; n; n = n.nextSibling) {
        if (n.nodeType !== 1) continue;
        const q = qname(n as Element);
        byName ??= new Map();
        let same = byName.get(q);
        if (!same) byName.set(q, (same = []));
        same.push(n as Element);
        kids.push(n as Element);
        kidNames.push(q);
      }
      this.childCache.set(el, byName ?? NO_CHILDREN);
      // push children in reverse so the pop order is document order
      for (let i = kids.length - 1; i >= 0; i--) {
        stack.push(kids[i]!);
        names.push(kidNames[i]!);
      }
    }
  }

  /** `//name` */
  all(name: string): Els {
    return this.byName.get(name) ?? [];
  }

  /** Child elements of `el` named `name` (`cbc:ID`). */
  kids(el: Element | undefined, name: string): Els {
    if (!el) return NO_ELEMENTS;
    // every element of the document is indexed; the lazy build covers any other element
    let byName = this.childCache.get(el);
    if (!byName) {
      const built = new Map<string, Element[]>();
      for (let n = el.firstChild; n; n = n.nextSibling) {
        if (n.nodeType !== 1) continue;
        const q = qname(n as Element);
        let list = built.get(q);
        if (!list) built.set(q, (list = []));
        list.push(n as Element);
      }
      this.childCache.set(el, (byName = built));
    }
    return byName.get(name) ?? NO_ELEMENTS;
  }

  /**
   * Relative child path `a/b/c` from one or many elements, like XPath (all matches, document order).
   * The result may be a shared cached list (hence readonly): rules ask the same paths many times.
   */
  path(from: Element | Els | undefined, path: string): Els {
    if (from === undefined) return NO_ELEMENTS;
    const steps = stepsOf(path);
    let cur: Els;
    let i = 0;
    if (Array.isArray(from)) cur = from as Els;
    else {
      // One element (the common case): the first step is its cached child list, no allocation.
      const step = steps[0]!;
      cur = step === '..' ? [(from as Element).parentNode as Element] : this.kids(from as Element, step);
      i = 1;
    }
    for (; i < steps.length; i++) {
      if (cur.length === 0) return cur;
      const step = steps[i]!;
      if (step === '..') {
        cur = cur.map((e) => e.parentNode as Element);
        continue;
      }
      if (cur.length === 1) {
        cur = this.kids(cur[0], step);
        continue;
      }
      const next: Element[] = [];
      for (const e of cur) for (const k of this.kids(e, step)) next.push(k);
      cur = next;
    }
    return cur;
  }

  /** First element of a relative path. */
  first(from: Element | Els | undefined, path: string): Element | undefined {
    return this.path(from, path)[0];
  }

  /** Root-relative path (`cac:LegalMonetaryTotal/cbc:PayableAmount`). */
  at(path: string): Els {
    let r = this.atCache.get(path);
    if (!r) this.atCache.set(path, (r = this.path(this.root, path)));
    return r;
  }

  cached<T>(key: string, compute: () => T): T {
    if (this.memo.has(key)) return this.memo.get(key) as T;
    const v = compute();
    this.memo.set(key, v);
    return v;
  }

  // --- document facts many rules share -------------------------------------------------------

  /** `@name` of cbc:InvoiceTypeCode (KSA-2). */
  get typeName(): string {
    return this.cached('typeName', () => this.first(this.root, 'cbc:InvoiceTypeCode')?.getAttribute('name') ?? '');
  }

  /** `boolean(//*[matches(@name, re)])` — ZATCA's unanchored standard/simplified tests. */
  anyName(re: RegExp): boolean {
    return this.nameAttributes.some((n) => re.test(n));
  }

  /** Standard (tax) invoice as most KSA rules decide it: some @name contains `01` + 5 digits. */
  get isStandard(): boolean {
    return this.cached('isStandard', () => this.anyName(/01\d{5}/));
  }

  get isSimplified(): boolean {
    return this.cached('isSimplified', () => this.anyName(/02\d{5}/));
  }

  get lines(): Els {
    return this.kids(this.root, 'cac:InvoiceLine');
  }

  get documentAllowanceCharges(): Els {
    return this.kids(this.root, 'cac:AllowanceCharge');
  }

  get supplierParty(): Element | undefined {
    return this.first(this.root, 'cac:AccountingSupplierParty/cac:Party');
  }

  /** `//cac:AccountingCustomerParty/cac:Party` (first), as the rules read the buyer. */
  get customerParty(): Element | undefined {
    return this.path(this.all('cac:AccountingCustomerParty'), 'cac:Party')[0];
  }
}
