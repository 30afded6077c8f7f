// bench/validate: full validation (all layers) of a 10-line signed invoice built by our engine, per
// core, as a ratio to S (one node:crypto secp256k1 signature, same run); per-layer and per-line cost.
// Run: npm run bench:validate [-- --quick] [-- <path to a signed invoice to time as well>]
import { readFileSync } from 'node:fs';
import { hexDigestBase64 } from '../src/crypto/certificate.js';
import { invoiceHashOfDocument } from '../src/crypto/hash.js';
import { createLocalIdentity } from '../src/crypto/local-identity.js';
import { createVerifier } from '../src/crypto/signer.js';
import { decodeTlv } from '../src/qr/tlv.js';
import { InvoiceContext } from '../src/rules/context.js';
import { EN_RULES, KSA_RULES, runRules, validateDocument, validateInvoice } from '../src/rules/index.js';
import { stampInvoice } from '../src/stamp/index.js';
import { findSignatures, readAttachment, readQrSources, readSignatureParts } from '../src/stamp/read.js';
import { verifyInvoice } from '../src/stamp/verify.js';
import { buildInvoice } from '../src/ubl/writer.js';
import { canonicalizeExclusive } from '../src/xml/c14n.js';
import { parseInvoiceXml } from '../src/xml/parse.js';
import { validateSchema } from '../src/xsd/validate.js';
import { fmt, median, opsPerSecond, ratioToS } from './harness.js';
import { invoiceWithLines } from './invoices.js';
import { goalLine, profileTop } from './profile.js';

const quick = process.argv.includes('--quick');
const extraFile = process.argv.slice(2).find((a) => !a.startsWith('--'));
const rounds = quick ? 3 : 7;

const identity = createLocalIdentity();
const signedXml = (lines: number): string =>
  stampInvoice(buildInvoice(invoiceWithLines(lines)), { certificate: identity.certificate, signer: identity.signer }).xml;
const ten = signedXml(10);
const scenario = invoiceWithLines(10) as { issueDate: string; issueTime: string };
// Validated an hour after issue, as a device reporting promptly would (no BR-KSA-98 warning).
const now = new Date(Date.parse(`${scenario.issueDate}T${scenario.issueTime}+03:00`) + 3600_000);

const check = validateInvoice(ten, { now });
if (!check.valid || check.warnings.length) {
  console.error('the benchmark invoice does not validate cleanly:', [...check.errors, ...check.warnings].map((f) => `${f.layer} ${f.id}`).join(', '));
  process.exit(1);
}

console.log(`bench/validate — node ${process.version}; 10-line signed simplified invoice built by Fawtara (${Math.round(ten.length / 1024)} KiB)`);
console.log('ratio = validations per second ÷ node:crypto secp256k1 signatures per second (S), interleaved rounds;');
console.log('cost in S = time of one operation ÷ time of one signature (lower is better)\n');

const full = ratioToS(() => void validateInvoice(ten, { now }), rounds);
console.log(
  `full validation (parse + XSD + EN + KSA + QR + SIGNATURE + PIH): ${fmt(full.median)} S (min ${fmt(full.min)} – max ${fmt(full.max)}); ` +
    `${Math.round(full.opsMedian)} invoices/s per core vs S = ${Math.round(full.sMedian)} signatures/s; ${fmt(1e6 / full.opsMedian, 0)} µs per invoice`,
);
const rules = ratioToS(() => void validateInvoice(ten, { now, layers: ['EN', 'KSA'] }), rounds);
console.log(goalLine('full validation, all layers (issue 15)', full.median, 1));
console.log(`rules only (parse + EN + KSA): ${fmt(rules.median)} S; ${fmt(1e6 / rules.opsMedian, 0)} µs per invoice`);

// Per layer, each on its own (the validator shares the parse and the rule index between layers).
const doc = parseInvoiceXml(ten, { readOnly: true });
const sig = readSignatureParts(findSignatures(doc)[0]!);
const verifier = createVerifier(identity.certificate.publicKeySpki);
const hashBytes = invoiceHashOfDocument(doc).bytes;
const signature = Buffer.from(sig.signatureValue!, 'base64');
const layers: Array<[string, () => void]> = [
  ['parse (fast reader)', () => void parseInvoiceXml(ten, { readOnly: true })],
  ['parse (xmldom, the reference; used for unusual documents)', () => void parseInvoiceXml(ten)],
  ['XSD (structural schema check)', () => void validateSchema(doc)],
  ['rule index (one walk, shared by EN and KSA)', () => void new InvoiceContext(doc, now)],
  ['EN16931 rules (incl. index)', () => void runRules(EN_RULES, new InvoiceContext(doc, now))],
  ['KSA rules (incl. index)', () => void runRules(KSA_RULES, new InvoiceContext(doc, now))],
  ['QR + SIGNATURE + PIH (verifyInvoice)', () => void verifyInvoice(doc)],
  ['  SIGNATURE: invoice hash (C14N 1.1 + SHA-256)', () => void invoiceHashOfDocument(doc)],
  ['  SIGNATURE: ECDSA verify (libsecp256k1)', () => void verifier.verify(hashBytes, signature)],
  ['  SIGNATURE: SignedProperties digest (exclusive C14N)', () => void hexDigestBase64(canonicalizeExclusive(sig.signedProperties!))],
  ['  QR: read the sources, decode the TLV', () => void (readQrSources(doc), decodeTlv(readAttachment(doc, 'QR')!.text))],
  ['  PIH: read and decode', () => void Buffer.from(readAttachment(doc, 'PIH')!.text.trim(), 'base64')],
  ['all layers on a parsed document (validateDocument)', () => void validateDocument(doc, { now })],
];
console.log('\ncost per layer (cost in S; µs):');
for (const [name, fn] of layers) {
  const r = ratioToS(fn, quick ? 3 : 5, 150);
  console.log(`  ${name.padEnd(58)} ${fmt(1 / r.median, 3).padStart(6)} S  ${fmt(1e6 / r.opsMedian, 1).padStart(7)} µs`);
}

// Per line: full validation of invoices with 10, 100 and 1,000 lines (linear: µs/line flat).
console.log('\nper-line cost (full validation, all layers):');
const perLine: Array<[number, number]> = [];
for (const n of [10, 100, 1000]) {
  const xml = signedXml(n);
  if (!validateInvoice(xml, { now }).valid) throw new Error(`the ${n}-line invoice does not validate`);
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) samples.push(1e6 / opsPerSecond(() => void validateInvoice(xml, { now }), n >= 1000 ? 600 : 250));
  const us = median(samples);
  perLine.push([n, us]);
  console.log(
    `  ${String(n).padStart(5)} lines: ${fmt(us / 1000, 2).padStart(7)} ms per invoice, ${fmt(us / n, 1).padStart(6)} µs/line (document ${Math.round(xml.length / 1024)} KiB)`,
  );
}
const [[, t10], [, t100], [, t1000]] = perLine as [[number, number], [number, number], [number, number]];
console.log(`  marginal cost of a line: ${fmt((t100 - t10) / 90, 1)} µs (10→100), ${fmt((t1000 - t100) / 900, 1)} µs (100→1,000)`);

if (extraFile) {
  const xml = readFileSync(extraFile, 'utf8');
  const r = ratioToS(() => void validateInvoice(xml, { now }), rounds);
  console.log(`\n${extraFile}: full validation ${fmt(r.median)} S; ${fmt(1e6 / r.opsMedian, 0)} µs`);
}

// Where the time of a full validation goes (V8 sampling profiler, self time by function).
if (full.median < 1) {
  console.log('\nprofile of full validation (self time; the gap above is spent here):');
  for (const p of await profileTop(() => void validateInvoice(ten, { now }), quick ? 1_000 : 2_000))
    console.log(`  ${fmt(p.share, 1).padStart(5)} %  ${p.where}`);
}
