// XPath 2.0 value semantics the business rules need (string, number, decimal, rounding, code
// lists) and the dynamic error the compiled XSL would raise; the element index is rules/context.ts.
import type { Element, Node } from '@xmldom/xmldom';
import DecimalModule, { type Decimal as DecimalJs } from 'decimal.js';
import type { Els, InvoiceContext } from './context.js';

type DecimalConstructor = typeof DecimalJs;
// decimal.js's types are CommonJS-style under NodeNext: the default import is the constructor at
// run time but typed as the module; take whichever is real. XPath decimals need no more than 40 digits.
const DecimalBase: DecimalConstructor =
  (DecimalModule as unknown as { default?: DecimalConstructor }).default ?? (DecimalModule as unknown as DecimalConstructor);
export const Decimal: DecimalConstructor = DecimalBase.clone({ precision: 40, toExpNeg: -40, toExpPos: 40 });
export type Decimal = DecimalJs;
/** decimal.js values are immutable: one zero serves every sum. */
const DECIMAL_ZERO: Decimal = new Decimal(0);

/**
 * Thrown by a rule where ZATCA's compiled XSL would raise an XPath dynamic error (a cast of a
 * non-number, a division by zero, several items where one is allowed): the SDK then reports the
 * whole rule layer as one failed transformation instead of rule findings.
 */
export class XPathDynamicError extends Error {
  override readonly name = 'XPathDynamicError';
}

export function xpathError(message: string): never {
  throw new XPathDynamicError(message);
}

// --- XPath 2.0 value semantics ---------------------------------------------------------------

/** string() of an element: all descendant text. */
export function str(el: Node | undefined | null): string {
  return el ? (el.textContent ?? '') : '';
}

/** String value of the first node, '' when empty (XPath's string() on a sequence of one). */
export function s1(els: Els): string {
  return els.length ? str(els[0]) : '';
}

/** normalize-space() */
export function norm(v: string): string {
  return v.replace(/[ \t\r\n]+/g, ' ').trim();
}

/** string-length(): characters (code points), not UTF-16 units. */
export function len(v: string): number {
  let n = v.length;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--;
  }
  return n;
}

/** `exists(x) and x != ''`: some node whose string value is not empty. */
export function nonEmpty(els: Els): boolean {
  return els.some((e) => str(e) !== '');
}

const DOUBLE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const DECIMAL_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** Cast of an untyped value to xs:double (whitespace trimmed); NaN when not a number. */
export function dbl(v: string): number {
  const t = v.trim();
  if (DOUBLE.test(t)) return Number(t);
  if (t === 'INF' || t === '+INF') return Infinity;
  if (t === '-INF') return -Infinity;
  return NaN;
}

/** xs:decimal(v), or undefined when the text is not a decimal. */
export function dec(v: string): Decimal | undefined {
  const hit = DECIMALS.get(v);
  if (hit) return hit;
  const t = v.trim();
  if (!DECIMAL_RE.test(t)) return undefined;
  const d = new Decimal(t);
  if (DECIMALS.size >= 4096) DECIMALS.clear();
  DECIMALS.set(v, d);
  return d;
}

/**
 * Parsed decimals by text: several rules read the same amounts, and amounts repeat across
 * invoices; decimal.js values are immutable, so sharing them is safe. Bounded.
 */
const DECIMALS = new Map<string, Decimal>();

/** xs:decimal of the first node, 0-free: undefined when absent or invalid. */
export function dec1(els: Els): Decimal | undefined {
  return els.length ? dec(str(els[0])) : undefined;
}

/** sum(x/xs:decimal(.)) — invalid members make the sum undefined (XPath would raise an error). */
export function decSum(els: Els): Decimal | undefined {
  let total = DECIMAL_ZERO;
  for (const e of els) {
    const d = dec(str(e));
    if (!d) return undefined;
    total = total.plus(d);
  }
  return total;
}

/** sum(untyped nodes): each value cast to xs:double and added in document order. */
export function dblSum(els: Els): number {
  let total = 0;
  for (const e of els) total += dbl(str(e));
  return total;
}

/** xs:decimal(a double), as Saxon converts it (shortest round-trip representation). */
export function decOfDouble(d: number): Decimal | undefined {
  return Number.isFinite(d) ? new Decimal(d) : undefined;
}

/** XPath round(): half toward positive infinity. */
export function xround(d: Decimal): Decimal {
  return d.plus(0.5).floor();
}

/** round(x * 100) div 100 — the schematrons' 2-decimal rounding. */
export function round2(d: Decimal): Decimal {
  return xround(d.times(100)).div(100);
}

/** format-number(x, '#.00'): half-to-even at 2 decimals, compared as text by the rules. */
export function fmt2(d: Decimal | number | undefined): string {
  if (d === undefined) return 'NaN';
  if (typeof d === 'number' && !Object.is(d, -0)) {
    // A double whose shortest form has at most 2 decimals: rounding changes nothing, the text
    // only gets its zeros (what the decimal.js path below returns, without building a Decimal).
    const t = String(d);
    if (TWO_DECIMALS.test(t)) {
      const dot = t.indexOf('.');
      return dot < 0 ? `${t}.00` : t.length - dot === 2 ? `${t}0` : t;
    }
  }
  const v = typeof d === 'number' ? decOfDouble(d) : d;
  if (!v) return 'NaN';
  return v.toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN).toFixed(2);
}

const TWO_DECIMALS = /^-?\d+(\.\d\d?)?$/;

/** Digits after the first '.' (`string-length(substring-after(x, '.'))`). */
export function fractionDigits(v: string): number {
  const i = v.indexOf('.');
  return i < 0 ? 0 : len(v.slice(i + 1));
}

/** `contains(' A B C ', concat(' ', normalize-space(x), ' '))` with the no-inner-space guard. */
export function inCodeList(list: ReadonlySet<string>, v: string): boolean {
  const n = norm(v);
  return !n.includes(' ') && list.has(n);
}

export function codeSet(words: string): ReadonlySet<string> {
  return new Set(words.trim().split(/\s+/));
}

/** Cast of text to xs:boolean as a general comparison with true()/false() does. */
export function bool(v: string): boolean | undefined {
  const t = v.trim();
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  return undefined;
}

/** `cbc:ChargeIndicator = true()` on an AllowanceCharge (existential over its indicators). */
export function isCharge(ac: Element, ctx: InvoiceContext): boolean {
  return ctx.kids(ac, 'cbc:ChargeIndicator').some((i) => bool(str(i)) === true);
}

export function isAllowance(ac: Element, ctx: InvoiceContext): boolean {
  return ctx.kids(ac, 'cbc:ChargeIndicator').some((i) => bool(str(i)) === false);
}

/** `[cac:TaxScheme/normalize-space(upper-case(cbc:ID))='VAT']` on a tax category. */
export function isVatScheme(cat: Element, ctx: InvoiceContext): boolean {
  return ctx.path(cat, 'cac:TaxScheme/cbc:ID').some((e) => norm(str(e)).toUpperCase() === 'VAT');
}

/** `normalize-space(cbc:ID) = code` on a tax category (existential). */
export function catIs(cat: Element, ctx: InvoiceContext, code: string): boolean {
  return ctx.kids(cat, 'cbc:ID').some((e) => norm(str(e)) === code);
}
