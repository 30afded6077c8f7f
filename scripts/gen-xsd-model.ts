// Generates src/xsd/ubl-invoice-model.json, the compact structural model of ZATCA's UBL 2.1 Invoice
// schemas (element order, cardinality, attribute sets, simple types) that src/xsd/validate.ts runs.
//
// Usage: node <compiled>/scripts/gen-xsd-model.js <dir with UBL2.1/xsd> [out.json]
// The model holds facts read from the XSDs (names, order, occurrence bounds, facets), not their text.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOMParser, type Element } from '@xmldom/xmldom';
import type { Particle, SchemaModel, SimpleTypeModel, TypeModel } from '../src/xsd/model.js';

const XS = 'http://www.w3.org/2001/XMLSchema';

interface SchemaDoc {
  root: Element;
  tns: string;
  elementQualified: boolean;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.xsd')) out.push(p);
  }
  return out;
}

function xsChildren(el: Element, local?: string): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType !== 1) continue;
    const e = n as Element;
    if (e.namespaceURI !== XS) continue;
    if (local && e.localName !== local) continue;
    out.push(e);
  }
  return out;
}

function main(): void {
  const dir = process.argv[2];
  const outFile = process.argv[3] ?? 'src/xsd/ubl-invoice-model.json';
  if (!dir) throw new Error('usage: gen-xsd-model <xsd dir> [out.json]');
  const docs: SchemaDoc[] = [];
  for (const file of walk(dir)) {
    // The xmldsig copy carries an internal DOCTYPE that only declares defaults; drop it so the
    // plain parser reads the schema.
    const text = readFileSync(file, 'utf8')
      .replace(/^\uFEFF/, '')
      .replace(/<!DOCTYPE[\s\S]*?\]>/, '');
    const doc = new DOMParser().parseFromString(text, 'text/xml');
    const root = doc.documentElement!;
    docs.push({
      root,
      tns: root.getAttribute('targetNamespace') ?? '',
      elementQualified: root.getAttribute('elementFormDefault') === 'qualified',
    });
  }

  const globalElements = new Map<string, { el: Element; doc: SchemaDoc }>();
  const complexTypes = new Map<string, { el: Element; doc: SchemaDoc }>();
  const simpleTypes = new Map<string, { el: Element; doc: SchemaDoc }>();
  for (const d of docs) {
    for (const c of xsChildren(d.root)) {
      const name = c.getAttribute('name');
      if (!name) continue;
      const key = `${d.tns}|${name}`;
      if (c.localName === 'element') globalElements.set(key, { el: c, doc: d });
      else if (c.localName === 'complexType') complexTypes.set(key, { el: c, doc: d });
      else if (c.localName === 'simpleType') simpleTypes.set(key, { el: c, doc: d });
    }
  }

  const nsList: string[] = [];
  const nsIndex = (uri: string): number => {
    let i = nsList.indexOf(uri);
    if (i < 0) i = nsList.push(uri) - 1;
    return i;
  };
  const qkey = (uri: string, local: string): string => `${nsIndex(uri)}:${local}`;

  const resolveQName = (el: Element, value: string): [string, string] => {
    const [prefix, local] = value.includes(':') ? (value.split(':', 2) as [string, string]) : [null, value];
    const uri = el.lookupNamespaceURI(prefix) ?? (prefix === null ? el.lookupNamespaceURI('') : null) ?? '';
    return [uri, local];
  };

  const types: Array<TypeModel | SimpleTypeModel | null> = [];
  const typeIds = new Map<string, number>();
  const elements: Record<string, number> = {};

  const simpleOf = (uri: string, local: string): number => {
    const key = `S|${uri}|${local}`;
    const known = typeIds.get(key);
    if (known !== undefined) return known;
    const id = types.push(null) - 1;
    typeIds.set(key, id);
    if (uri === XS) {
      types[id] = { kind: 'simple', base: local };
      return id;
    }
    const def = simpleTypes.get(`${uri}|${local}`);
    if (!def) throw new Error(`unknown simple type ${uri}:${local}`);
    types[id] = compileSimple(def.el);
    return id;
  };

  const compileSimple = (st: Element): SimpleTypeModel => {
    const restriction = xsChildren(st, 'restriction')[0];
    if (!restriction) throw new Error('only restriction simple types are supported');
    const base = restriction.getAttribute('base');
    let model: SimpleTypeModel;
    if (base) {
      const [u, l] = resolveQName(restriction, base);
      const baseModel = types[simpleOf(u, l)] as SimpleTypeModel;
      model = { ...baseModel };
    } else {
      model = { kind: 'simple', base: 'string' };
    }
    const enums = xsChildren(restriction, 'enumeration').map((e) => e.getAttribute('value') ?? '');
    if (enums.length) model.enumeration = enums;
    const patterns = xsChildren(restriction, 'pattern').map((e) => e.getAttribute('value') ?? '');
    if (patterns.length) model.pattern = patterns;
    return model;
  };

  /** Text type and attributes of a complex type with simple content, or a simple type. */
  const typeRef = (ctx: Element, qname: string): number => {
    const [u, l] = resolveQName(ctx, qname);
    if (u === XS) return simpleOf(u, l);
    if (simpleTypes.has(`${u}|${l}`)) return simpleOf(u, l);
    return complexOf(u, l);
  };

  const complexOf = (uri: string, local: string): number => {
    const key = `C|${uri}|${local}`;
    const known = typeIds.get(key);
    if (known !== undefined) return known;
    const def = complexTypes.get(`${uri}|${local}`);
    if (!def) throw new Error(`unknown complex type ${uri}:${local}`);
    const id = types.push(null) - 1;
    typeIds.set(key, id);
    types[id] = compileComplex(def.el, def.doc);
    return id;
  };

  const attributesOf = (holder: Element, into: Record<string, [number, boolean]>): boolean => {
    let anyAttribute = false;
    for (const a of xsChildren(holder)) {
      if (a.localName === 'attribute') {
        const name = a.getAttribute('name');
        if (!name) continue;
        if (a.getAttribute('use') === 'prohibited') {
          delete into[name];
          continue;
        }
        const t = a.getAttribute('type');
        const inline = xsChildren(a, 'simpleType')[0];
        const tid = t ? typeRef(a, t) : inline ? types.push(compileSimple(inline)) - 1 : simpleOf(XS, 'string');
        into[name] = [tid, a.getAttribute('use') === 'required'];
      } else if (a.localName === 'anyAttribute') anyAttribute = true;
    }
    return anyAttribute;
  };

  const occurs = (el: Element): [number, number] => {
    const min = Number(el.getAttribute('minOccurs') ?? '1');
    const maxAttr = el.getAttribute('maxOccurs') ?? '1';
    return [min, maxAttr === 'unbounded' ? -1 : Number(maxAttr)];
  };

  const compileParticle = (p: Element, doc: SchemaDoc): Particle => {
    const [min, max] = occurs(p);
    switch (p.localName) {
      case 'sequence':
      case 'choice': {
        const items = xsChildren(p).filter((c) => ['element', 'sequence', 'choice', 'any'].includes(c.localName!));
        return { [p.localName === 'sequence' ? 'seq' : 'choice']: items.map((c) => compileParticle(c, doc)), min, max } as Particle;
      }
      case 'any': {
        const ns = p.getAttribute('namespace') ?? '##any';
        const pc = p.getAttribute('processContents') ?? 'strict';
        const nsSpec = ns === '##other' ? `other:${nsIndex(doc.tns)}` : ns === '##any' ? 'any' : ns;
        return { any: nsSpec, pc: pc as 'lax' | 'skip' | 'strict', min, max };
      }
      case 'element': {
        const ref = p.getAttribute('ref');
        if (ref) {
          const [u, l] = resolveQName(p, ref);
          ensureGlobal(u, l);
          return { el: qkey(u, l), min, max };
        }
        const name = p.getAttribute('name')!;
        const uri = doc.elementQualified || p.getAttribute('form') === 'qualified' ? doc.tns : '';
        return { el: qkey(uri, name), type: elementType(p, doc), min, max };
      }
      default:
        throw new Error(`unsupported particle ${p.localName}`);
    }
  };

  const elementType = (el: Element, doc: SchemaDoc): number => {
    const t = el.getAttribute('type');
    if (t) return typeRef(el, t);
    const ct = xsChildren(el, 'complexType')[0];
    if (ct) {
      const id = types.push(null) - 1;
      types[id] = compileComplex(ct, doc);
      return id;
    }
    const st = xsChildren(el, 'simpleType')[0];
    if (st) return types.push(compileSimple(st)) - 1;
    return simpleOf(XS, 'anyType');
  };

  const compileComplex = (ct: Element, doc: SchemaDoc): TypeModel => {
    const model: TypeModel = { kind: 'complex', attrs: {} };
    if (ct.getAttribute('mixed') === 'true') model.mixed = true;
    const sc = xsChildren(ct, 'simpleContent')[0];
    const cc = xsChildren(ct, 'complexContent')[0];
    if (sc) {
      const deriv = xsChildren(sc)[0]!;
      const baseId = typeRef(deriv, deriv.getAttribute('base')!);
      const base = types[baseId];
      if (!base) throw new Error('recursive simple content base');
      if (base.kind === 'simple') model.text = baseId;
      else {
        model.text = base.text;
        Object.assign(model.attrs, base.attrs);
        if (base.anyAttribute) model.anyAttribute = true;
      }
      if (attributesOf(deriv, model.attrs)) model.anyAttribute = true;
      return model;
    }
    if (cc) {
      const deriv = xsChildren(cc)[0]!;
      const baseId = typeRef(deriv, deriv.getAttribute('base')!);
      const base = types[baseId] as TypeModel;
      const own = xsChildren(deriv).find((c) => ['sequence', 'choice'].includes(c.localName!));
      const ownParticle = own ? compileParticle(own, doc) : undefined;
      if (deriv.localName === 'extension') {
        Object.assign(model.attrs, base.attrs);
        if (base.anyAttribute) model.anyAttribute = true;
        const parts = [base.content, ownParticle].filter((p): p is Particle => p !== undefined);
        if (parts.length === 1) model.content = parts[0];
        else if (parts.length > 1) model.content = { seq: parts, min: 1, max: 1 };
      } else if (ownParticle) model.content = ownParticle;
      if (attributesOf(deriv, model.attrs)) model.anyAttribute = true;
      return model;
    }
    const group = xsChildren(ct).find((c) => ['sequence', 'choice'].includes(c.localName!));
    if (group) model.content = compileParticle(group, doc);
    if (attributesOf(ct, model.attrs)) model.anyAttribute = true;
    return model;
  };

  const ensureGlobal = (uri: string, local: string): void => {
    const key = qkey(uri, local);
    if (key in elements) return;
    const def = globalElements.get(`${uri}|${local}`);
    if (!def) throw new Error(`unknown element ${uri}:${local}`);
    elements[key] = -1; // placeholder against recursion
    elements[key] = elementType(def.el, def.doc);
  };

  // Every global element is reachable through lax wildcards (extension content, ds:Object), so
  // compile them all.
  for (const key of globalElements.keys()) {
    const [uri, local] = key.split('|') as [string, string];
    ensureGlobal(uri, local);
  }

  const model: SchemaModel = {
    note: 'Generated by scripts/gen-xsd-model.ts from the UBL 2.1 schemas ZATCA ships (Invoice, CAC, CBC, UDT, CCTS, extensions, signature, xmldsig, XAdES). Do not edit.',
    namespaces: nsList,
    elements,
    types: types as Array<TypeModel | SimpleTypeModel>,
  };
  writeFileSync(outFile, JSON.stringify(model));
  console.log(`wrote ${outFile}: ${Object.keys(elements).length} elements, ${types.length} types`);
}

main();
