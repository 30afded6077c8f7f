// Benchmark of the validator: full validation (all layers, signed invoice) per core as a ratio to
// one node:crypto secp256k1 signature measured in the same run, rules-only cost, and per-line cost.
// Run: compile with tsc, then `node dist/bench/validate.js [path to a signed sample]`.
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { validateInvoice } from '../src/rules/index.js';
import { sdkDir, sdkPath } from '../test/helpers/sdk.js';

function timeIt(fn: () => void, minMs = 1000): number {
  for (let i = 0; i < 20; i++) fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    fn();
    n++;
  }
  return (performance.now() - start) / n;
}

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
const digest = Buffer.alloc(32, 7);
const signMs = timeIt(() => sign('sha256', digest, { key: privateKey, dsaEncoding: 'der' }));
console.log(`S (one secp256k1 signature): ${(signMs * 1000).toFixed(1)} µs`);

const file = process.argv[2] ?? (sdkDir ? sdkPath('Data/Samples/Simplified/Invoice/Simplified_Invoice.xml') : undefined);
if (!file) throw new Error('give a signed invoice file (SDK data not found)');
const xml = readFileSync(file, 'utf8');
const now = new Date();
const full = timeIt(() => validateInvoice(xml, { now }));
console.log(`full validation (all layers): ${(full * 1000).toFixed(0)} µs → ${(1000 / full).toFixed(0)} invoices/s per core = ${(signMs / full).toFixed(3)} S`);
const rules = timeIt(() => validateInvoice(xml, { now, layers: ['XSD', 'EN', 'KSA'] }));
console.log(`XSD + EN + KSA (incl. parse): ${(rules * 1000).toFixed(0)} µs`);
const enKsa = timeIt(() => validateInvoice(xml, { now, layers: ['EN', 'KSA'] }));
console.log(`EN + KSA rules (incl. parse): ${(enKsa * 1000).toFixed(0)} µs`);

// Per-line cost: repeat the first line n times (rules only; totals will not add up, which is fine here).
const lineMatch = /<cac:InvoiceLine>[\s\S]*?<\/cac:InvoiceLine>/.exec(xml);
if (lineMatch) {
  for (const n of [10, 100, 1000]) {
    const many = xml.replace(lineMatch[0], Array.from({ length: n }, (_, i) => lineMatch[0].replace(/<cbc:ID>\d+<\/cbc:ID>/, `<cbc:ID>${i + 1}</cbc:ID>`)).join('\n    '));
    const t = timeIt(() => validateInvoice(many, { now, layers: ['XSD', 'EN', 'KSA'] }), 1500);
    console.log(`${n} lines: ${(t * 1000).toFixed(0)} µs total, ${((t * 1000) / n).toFixed(1)} µs/line (XSD + EN + KSA)`);
  }
}
