// ZATCA's UBL schema model (generated from its XSDs) compiled once into the particles and required
// attributes the structural check in xsd/validate.ts walks.
import modelJson from './ubl-invoice-model.json' with { type: 'json' };
import type { Particle, SchemaModel } from './model.js';

const model = modelJson as unknown as SchemaModel;

// Particles get their namespace URI, local name, resolved type and emptiability up front so the
// matcher compares strings and numbers only; required attributes are listed per type.

/** What a matched child is validated as: a type id (>= 0) or one of these. */
const LAX = -1;
export const SKIP = -2;
export const STRICT = -3;
/** Matched by an element particle whose element has no known type: not descended into. */
export const UNTYPED = -4;

interface CBase {
  min: number;
  /** -1 = unbounded. */
  max: number;
  /** Can match nothing (emptiable() of the original particle). */
  empty: boolean;
}
export interface CEl extends CBase {
  kind: 0;
  /** `${namespaceIndex}:${localName}` as in the model (for labels). */
  key: string;
  ns: string;
  local: string;
  type: number;
}
export interface CAny extends CBase {
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
export type CParticle = CEl | CAny | CSeq | CChoice;

interface CompiledModel {
  content: Array<CParticle | undefined>;
  /** Required attribute names per complex type, in declaration order. */
  required: string[][];
  elements: Map<string, Map<string, number>>;
}

let compiledModel: CompiledModel | undefined;

export function compiled(): CompiledModel {
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
