// A bounded, seedable fuzz run of the engine's entry points: mutated JSON invoices into buildInvoice,
// mutated unsigned and signed XML into validateInvoice, invoiceHashOf and verifyInvoice.
//
// A crash is an exception that is not our typed FawtaraError; a hang is one call over 5 s. Run with
// `npm run fuzz -- [--seed N] [--cases N] [--only I]`; it prints the seed and the counts, and exits 1
// on any crash or hang. `--only I` replays case I of a seed (each case has its own derived seed).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describeCertificate } from '../src/crypto/certificate.js';
import { invoiceHashOf } from '../src/crypto/hash.js';
import { loadPrivateKey } from '../src/crypto/keys.js';
import { createSigner } from '../src/crypto/signer.js';
import { createCertificateAuthority, createSigningCertificate } from '../src/crypto/x509-issue.js';
import { isFawtaraError } from '../src/errors.js';
import { validateInvoice } from '../src/rules/index.js';
import { stampInvoice, verifyInvoice } from '../src/stamp/index.js';
import { unsignedXml } from '../src/ubl/document.js';
import { buildInvoice } from '../src/ubl/writer.js';

export type Target = 'buildInvoice' | 'validateInvoice' | 'invoiceHashOf' | 'verifyInvoice';
export const TARGETS: readonly Target[] = ['buildInvoice', 'validateInvoice', 'invoiceHashOf', 'verifyInvoice'];

/** One call longer than this is a hang. */
export const HANG_MS = 5000;

export interface FuzzCrash {
  target: Target;
  caseIndex: number;
  error: string;
}

export interface TargetFigures {
  cases: number;
  /** Calls that returned (for validateInvoice: a report, valid or not). */
  returned: number;
  /** Calls refused with a typed FawtaraError. */
  refused: number;
  crashes: number;
  hangs: number;
  slowestMs: number;
}

export interface FuzzResult {
  seed: number;
  cases: number;
  figures: Record<Target, TargetFigures>;
  crashes: FuzzCrash[];
  elapsedMs: number;
}

// --- a seedable PRNG (mulberry32) ---------------------------------------------------------------

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Each case has its own seed, so one case can be replayed without the ones before it. */
function caseSeed(seed: number, index: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
}

type Rand = () => number;
const int = (r: Rand, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rand, list: readonly T[]): T => list[int(r, list.length)]!;

// --- JSON mutations ---------------------------------------------------------------------------

const ODD_VALUES: readonly unknown[] = [
  '',
  ' ',
  '0',
  '-0',
  '-1',
  '1e5',
  '0x10',
  '١٢٣',
  '99999999999999999999999999999999',
  '0.000000000000000000001',
  '12.345',
  '2026-02-30',
  '9999-12-31',
  '25:61:61',
  'SAR',
  'XXX',
  '\ud800',
  'a\u0000b',
  '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>&e;',
  ']]>',
  'ضريبة 😀',
  'x'.repeat(5000),
  0,
  -1,
  1e308,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  0.1 + 0.2,
  true,
  false,
  null,
  undefined,
  {},
  [],
  [[[[[[[[[[[]]]]]]]]]]],
  JSON.parse('{"__proto__":{"polluted":true}}'),
];

/** Containers (object or array) and keys reachable in `value`, for a random pick. */
function slots(value: unknown, out: Array<[Record<string, unknown> | unknown[], string | number]> = [], depth = 0): typeof out {
  if (depth > 8 || value === null || typeof value !== 'object') return out;
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  for (const [key, v] of entries) {
    out.push([value as Record<string, unknown> | unknown[], key]);
    slots(v, out, depth + 1);
  }
  return out;
}

export function mutateJson(base: unknown, r: Rand): unknown {
  const json = structuredClone(base) as Record<string, unknown>;
  const rounds = r() < 0.7 ? 1 : 2 + int(r, 2);
  for (let k = 0; k < rounds; k++) {
    const all = slots(json);
    if (all.length === 0) break;
    const [container, key] = pick(r, all);
    const c = container as Record<string | number, unknown>;
    switch (int(r, 8)) {
      case 0:
        if (Array.isArray(container)) container.splice(key as number, 1);
        else delete c[key];
        break;
      case 1:
      case 2:
      case 3: // a number written as text, shifted or scaled
        c[key] =
          typeof c[key] === 'string' && /^-?\d/.test(c[key] as string) ? `${c[key]}${pick(r, ['0', '.5', '9', 'e3', '00001', '-'])}` : pick(r, ODD_VALUES);
        break;
      case 4:
        if (Array.isArray(container)) for (let d = int(r, 4); d >= 0; d--) container.push(structuredClone(container[key as number]));
        else c[`unknown${int(r, 9)}`] = pick(r, ODD_VALUES);
        break;
      default:
        c[key] = structuredClone(pick(r, ODD_VALUES));
    }
  }
  return json;
}

// --- XML mutations ----------------------------------------------------------------------------

const SNIPPETS: readonly string[] = [
  '<',
  '>',
  '&',
  '&amp;',
  '&#x0;',
  '&#65;',
  '&unknown;',
  '"',
  '<!DOCTYPE a>',
  '<![CDATA[x]]>',
  '<?pi x?>',
  '<!-- c -->',
  '<x:y/>',
  ' xmlns:ext="urn:x"',
  ' xmlns="urn:other"',
  '<cbc:Note>n</cbc:Note>',
  '</cac:InvoiceLine>',
  '<cac:TaxTotal><cbc:TaxAmount currencyID="SAR">1</cbc:TaxAmount></cac:TaxTotal>',
  '<a>'.repeat(150),
  ' a="1"'.repeat(80),
  '\r\n',
  '\uFEFF',
  '\ud800',
  'ضريبة',
  '<?xml version="1.0" encoding="UTF-16"?>',
  '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/>',
];

const TEXT_VALUES: readonly string[] = [
  '',
  ' ',
  '0',
  '-0.00',
  '1',
  '100.005',
  '1e400',
  '99999999999999999999999999.99',
  'NaN',
  '2026-02-30',
  '25:61:61',
  '01',
  '0200000',
  '0211010',
  '388',
  '381',
  '383',
  'S',
  'Z',
  'E',
  'O',
  'VATEX-SA-29',
  'SAR',
  'USD',
  'QR',
  'ICV',
  'PIH',
  'AAAA',
  '&lt;&amp;&gt;',
  'ضريبة 😀',
  '300000000000003',
  'x'.repeat(300),
];

/** One value inside well-formed markup changes: a text, an attribute, a leaf removed or repeated. */
function mutateValue(text: string, r: Rand): string {
  const kind = int(r, 4);
  const pattern = kind === 0 ? />([^<>]*)</g : kind === 1 ? /="([^"]*)"/g : /<([a-z]+:[A-Za-z]+)(?: [^<>]*)?>[^<>]*<\/\1>/g;
  const matches = [...text.matchAll(pattern)];
  if (matches.length === 0) return text;
  const m = pick(r, matches);
  const at = m.index!;
  const value = pick(r, TEXT_VALUES);
  const replacement = kind === 0 ? `>${value}<` : kind === 1 ? `="${value.replace(/"/g, '&quot;')}"` : kind === 2 ? '' : m[0] + m[0];
  return text.slice(0, at) + replacement + text.slice(at + m[0].length);
}

export function mutateXml(base: string, r: Rand): string | Buffer {
  let text = base;
  const rounds = 1 + int(r, 2);
  for (let k = 0; k < rounds && text.length > 0; k++) {
    const at = int(r, text.length);
    if (r() < 0.6) {
      text = mutateValue(text, r);
      continue;
    }
    switch (int(r, 7)) {
      case 0:
        text = text.slice(0, at) + pick(r, SNIPPETS) + text.slice(at);
        break;
      case 1:
        text = text.slice(0, at) + text.slice(at + 1 + int(r, 40));
        break;
      case 2: {
        const len = 1 + int(r, 200);
        text = text.slice(0, at) + text.slice(at, at + len) + text.slice(at);
        break;
      }
      case 3: // a figure in the text becomes another (the totals and the QR then disagree)
        text = text.replace(/>(-?\d+(?:\.\d+)?)</g, (m, n: string) =>
          r() < 0.1 ? `>${pick(r, ['0', '-1', '1e400', '99999999999999999999999999.99', n + '0', ''])}<` : m,
        );
        break;
      case 4:
        text = text.slice(0, at);
        break;
      case 5: {
        const names = text.match(/<[a-z]+:[A-Za-z]+/g) ?? [];
        if (names.length > 1) text = text.replace(pick(r, names), pick(r, names));
        break;
      }
      default:
        text = text.slice(0, at) + String.fromCharCode(int(r, 0x700)) + text.slice(at + 1);
    }
  }
  if (r() < 0.1) {
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.length) bytes[int(r, bytes.length)] = int(r, 256);
    return bytes;
  }
  return text;
}

// --- bases ------------------------------------------------------------------------------------

interface Bases {
  json: unknown[];
  xml: string[];
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The valid JSON scenarios of test/fixtures/scenarios, and each built unsigned and signed by a throwaway CA. */
export function loadBases(): Bases {
  const dir = join(root, 'test', 'fixtures', 'scenarios');
  const json = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown);
  const ca = createCertificateAuthority({ subject: 'CN=FAWTARA-FUZZ-CA' });
  const stamp = createSigningCertificate({ subject: 'CN=FAWTARA-FUZZ', issuer: ca });
  const certificate = describeCertificate(stamp.certificate);
  const signer = createSigner(loadPrivateKey(stamp.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string));
  const xml: string[] = [];
  for (const j of json) {
    const doc = buildInvoice(j);
    xml.push(unsignedXml(doc), stampInvoice(doc, { certificate, signer, signingTime: new Date('2026-01-01T00:00:00Z') }).xml);
  }
  return { json, xml };
}

// --- the run ----------------------------------------------------------------------------------

const NOW = new Date('2026-06-01T12:00:00Z');

export function runFuzz(options: { seed: number; cases: number; only?: number; bases?: Bases }): FuzzResult {
  const started = performance.now();
  const bases = options.bases ?? loadBases();
  const figures = Object.fromEntries(TARGETS.map((t) => [t, { cases: 0, returned: 0, refused: 0, crashes: 0, hangs: 0, slowestMs: 0 }])) as Record<
    Target,
    TargetFigures
  >;
  const crashes: FuzzCrash[] = [];
  const call = (target: Target, caseIndex: number, f: () => unknown): unknown => {
    const fig = figures[target];
    fig.cases++;
    const t0 = performance.now();
    let value: unknown;
    try {
      value = f();
      fig.returned++;
    } catch (error) {
      if (isFawtaraError(error)) fig.refused++;
      else {
        fig.crashes++;
        if (crashes.length < 20) crashes.push({ target, caseIndex, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      }
    }
    const ms = performance.now() - t0;
    fig.slowestMs = Math.max(fig.slowestMs, ms);
    if (ms > HANG_MS) fig.hangs++;
    return value;
  };
  const first = options.only ?? 0;
  const last = options.only ?? options.cases - 1;
  for (let i = first; i <= last; i++) {
    const r = prng(caseSeed(options.seed, i));
    const built = call('buildInvoice', i, () => buildInvoice(mutateJson(pick(r, bases.json), r))) as Parameters<typeof unsignedXml>[0] | undefined;
    // A mutated JSON that still builds is a fresh XML base now and then: odd values reach the XML.
    const base = built && r() < 0.2 ? unsignedXml(built) : pick(r, bases.xml);
    const xml = mutateXml(base, r);
    call('validateInvoice', i, () => validateInvoice(xml, { now: NOW }));
    call('invoiceHashOf', i, () => invoiceHashOf(xml));
    call('verifyInvoice', i, () => verifyInvoice(xml));
  }
  return { seed: options.seed, cases: last - first + 1, figures, crashes, elapsedMs: performance.now() - started };
}

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

function main(): number {
  const seed = Number(argument('seed') ?? Math.floor(Math.random() * 2 ** 31));
  const cases = Number(argument('cases') ?? 20_000);
  const onlyText = argument('only');
  if (!Number.isInteger(seed) || !Number.isInteger(cases) || cases < 1 || (onlyText !== undefined && !Number.isInteger(Number(onlyText)))) {
    console.error('usage: npm run fuzz -- [--seed N] [--cases N] [--only CASE]');
    return 2;
  }
  console.log(`fuzz-engine: seed ${seed}, ${onlyText !== undefined ? `case ${onlyText}` : `${cases} cases per target`}`);
  const result = runFuzz({ seed, cases, ...(onlyText !== undefined && { only: Number(onlyText) }) });
  for (const t of TARGETS) {
    const f = result.figures[t];
    console.log(
      `  ${t.padEnd(16)} ${f.cases} cases: ${f.returned} returned, ${f.refused} refused (typed), ${f.crashes} crashes, ${f.hangs} hangs > ${HANG_MS / 1000} s, slowest ${f.slowestMs.toFixed(1)} ms`,
    );
  }
  for (const c of result.crashes) console.log(`CRASH ${c.target} case ${c.caseIndex} (replay: --seed ${seed} --only ${c.caseIndex})\n${c.error}`);
  console.log(`done in ${(result.elapsedMs / 1000).toFixed(1)} s`);
  const bad = TARGETS.some((t) => result.figures[t].crashes > 0 || result.figures[t].hangs > 0);
  return bad ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main();
