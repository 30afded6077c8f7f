// The small read-only DOM the fast parser (xml/fast-parse.ts) builds: the nodes, names, attributes
// and lookups the validator reads, shaped like xmldom's so either tree serves the same code.
/** A list the way DOM node lists are read here (`length`, `item(i)`). */
type NodeList<T> = T[] & { item(i: number): T | null };

function nodeList<T>(items: T[]): NodeList<T> {
  const list = items as NodeList<T>;
  list.item = (i: number) => items[i] ?? null;
  return list;
}

abstract class LightNode {
  abstract readonly nodeType: number;
  abstract readonly nodeName: string;
  parentNode: LightParent | null = null;
  nextSibling: LightChild | null = null;
  previousSibling: LightChild | null = null;
}

export abstract class LightParent extends LightNode {
  firstChild: LightChild | null = null;
  lastChild: LightChild | null = null;

  appendChild(child: LightChild): void {
    child.parentNode = this;
    if (this.lastChild) {
      this.lastChild.nextSibling = child;
      child.previousSibling = this.lastChild;
    } else this.firstChild = child;
    this.lastChild = child;
  }

  get childNodes(): NodeList<LightChild> {
    const out: LightChild[] = [];
    for (let n = this.firstChild; n; n = n.nextSibling) out.push(n);
    return nodeList(out);
  }

  hasChildNodes(): boolean {
    return this.firstChild !== null;
  }

  getElementsByTagNameNS(ns: string | null, localName: string): NodeList<LightElement> {
    const out: LightElement[] = [];
    collect(this, (e) => (ns === '*' || e.namespaceURI === ns) && (localName === '*' || e.localName === localName), out);
    return nodeList(out);
  }

  getElementsByTagName(name: string): NodeList<LightElement> {
    const out: LightElement[] = [];
    collect(this, (e) => name === '*' || e.tagName === name, out);
    return nodeList(out);
  }
}

function collect(from: LightParent, test: (e: LightElement) => boolean, out: LightElement[]): void {
  for (let n = from.firstChild; n; n = n.nextSibling) {
    if (n.nodeType !== 1) continue;
    const e = n as LightElement;
    if (test(e)) out.push(e);
    collect(e, test, out);
  }
}

export class LightText extends LightNode {
  readonly nodeType = 3;
  readonly nodeName = '#text';
  readonly data: string;
  constructor(data: string) {
    super();
    this.data = data;
  }
  get nodeValue(): string {
    return this.data;
  }
  get textContent(): string {
    return this.data;
  }
  get length(): number {
    return this.data.length;
  }
}

export class LightProcessingInstruction extends LightNode {
  readonly nodeType = 7;
  readonly nodeName: string;
  readonly target: string;
  readonly data: string;
  constructor(target: string, data: string) {
    super();
    this.nodeName = this.target = target;
    this.data = data;
  }
  get nodeValue(): string {
    return this.data;
  }
  get textContent(): string {
    return this.data;
  }
}

export class LightComment extends LightNode {
  readonly nodeType = 8;
  readonly nodeName = '#comment';
  readonly data: string;
  constructor(data: string) {
    super();
    this.data = data;
  }
  get nodeValue(): string {
    return this.data;
  }
  get textContent(): string {
    return this.data;
  }
}

export class LightAttr {
  readonly nodeType = 2;
  readonly name: string;
  readonly value: string;
  readonly namespaceURI: string | null;
  readonly prefix: string | null;
  readonly localName: string;
  ownerElement: LightElement | null = null;
  readonly specified = true;
  constructor(name: string, value: string, namespaceURI: string | null, prefix: string | null, localName: string) {
    this.name = name;
    this.value = value;
    this.namespaceURI = namespaceURI;
    this.prefix = prefix;
    this.localName = localName;
  }
  get nodeName(): string {
    return this.name;
  }
  get nodeValue(): string {
    return this.value;
  }
  get textContent(): string {
    return this.value;
  }
}

export const NO_ATTRIBUTES: LightAttr[] = [];

class LightAttributes {
  readonly list: LightAttr[];
  constructor(list: LightAttr[]) {
    this.list = list;
  }
  get length(): number {
    return this.list.length;
  }
  item(i: number): LightAttr | null {
    return this.list[i] ?? null;
  }
  getNamedItem(name: string): LightAttr | null {
    for (const a of this.list) if (a.name === name) return a;
    return null;
  }
  getNamedItemNS(ns: string | null, localName: string): LightAttr | null {
    for (const a of this.list) if (a.namespaceURI === ns && a.localName === localName) return a;
    return null;
  }
}

const NO_ATTRIBUTE_LIST = new LightAttributes(NO_ATTRIBUTES);

export class LightElement extends LightParent {
  readonly nodeType = 1;
  readonly tagName: string;
  readonly namespaceURI: string | null;
  readonly prefix: string | null;
  readonly localName: string;
  readonly attributes: LightAttributes;
  constructor(tagName: string, namespaceURI: string | null, prefix: string | null, localName: string, attributes: LightAttr[]) {
    super();
    this.tagName = tagName;
    this.namespaceURI = namespaceURI;
    this.prefix = prefix;
    this.localName = localName;
    // elements without attributes (most of an invoice) share one empty list: less to allocate
    this.attributes = attributes.length ? new LightAttributes(attributes) : NO_ATTRIBUTE_LIST;
  }
  get nodeName(): string {
    return this.tagName;
  }
  get nodeValue(): null {
    return null;
  }
  /** All descendant text, as DOM textContent (one text child — the common case — costs nothing). */
  get textContent(): string {
    const first = this.firstChild;
    if (first === null) return '';
    if (first.nextSibling === null && first.nodeType === 3) return (first as LightText).data;
    let out = '';
    for (let n: LightChild | null = first; n; n = n.nextSibling) {
      if (n.nodeType === 3) out += (n as LightText).data;
      else if (n.nodeType === 1) out += (n as LightElement).textContent;
    }
    return out;
  }
  getAttributeNode(name: string): LightAttr | null {
    return this.attributes.getNamedItem(name);
  }
  getAttribute(name: string): string | null {
    const a = this.attributes.getNamedItem(name);
    return a ? a.value : null;
  }
  hasAttribute(name: string): boolean {
    return this.attributes.getNamedItem(name) !== null;
  }
  getAttributeNodeNS(ns: string | null, localName: string): LightAttr | null {
    return this.attributes.getNamedItemNS(ns, localName);
  }
  getAttributeNS(ns: string | null, localName: string): string | null {
    const a = this.attributes.getNamedItemNS(ns, localName);
    return a ? a.value : null;
  }
  hasAttributeNS(ns: string | null, localName: string): boolean {
    return this.attributes.getNamedItemNS(ns, localName) !== null;
  }
}

export class LightDocument extends LightParent {
  readonly nodeType = 9;
  readonly nodeName = '#document';
  documentElement: LightElement | null = null;
  get textContent(): null {
    return null;
  }
  get nodeValue(): null {
    return null;
  }
}

type LightChild = LightElement | LightText | LightProcessingInstruction | LightComment;
