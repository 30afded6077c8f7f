// bench/render: printouts per second — an 80 mm receipt and a 10-line A4 PDF/A-3b — as a ratio to S
// (one node:crypto secp256k1 signature, same run); cold start to the first PDF; memory over 10,000 renders.
// Run: npm run bench:render   (cold start needs dist/: npm run build; --quick for a shorter run)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createLocalIdentity } from '../src/crypto/local-identity.js';
import { renderInvoice } from '../src/render/index.js';
import { stampInvoice } from '../src/stamp/index.js';
import { buildInvoice } from '../src/ubl/writer.js';
import { fmt, median, ratioToS } from './harness.js';
import { invoiceWithLines } from './invoices.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const rounds = quick ? 3 : 7;
const identity = createLocalIdentity();
const stamp = (json: Record<string, unknown>): string => stampInvoice(buildInvoice(json), { certificate: identity.certificate, signer: identity.signer }).xml;

/** A 10-line simplified invoice (the receipt) and the same lines as a standard invoice with a buyer (A4). */
const simplified = invoiceWithLines(10);
const standard = {
  ...invoiceWithLines(10),
  kind: 'standard',
  buyer: {
    name: { ar: 'شركة نماذج فاتورة المحدودة', en: 'Fatoora Samples LTD' },
    vatNumber: '399999999800003',
    address: {
      street: 'صلاح الدين | Salah Al-Din',
      buildingNumber: '1111',
      district: 'المروج | Al-Murooj',
      city: 'الرياض | Riyadh',
      postalCode: '12222',
      country: 'SA',
    },
  },
  delivery: { actualDate: String(simplified.issueDate) },
};
const receiptXml = Buffer.from(stamp(simplified));
const a4Xml = Buffer.from(stamp(standard));

console.log(`bench/render — node ${process.version}`);
console.log('ratio = printouts per second ÷ node:crypto secp256k1 signatures per second (S), interleaved rounds\n');
const cases: Array<[string, () => void, number]> = [
  ['80 mm receipt, PDF/A-3b (10 lines)', () => void renderInvoice(receiptXml, { format: 'receipt' }), 0.1],
  ['A4 tax invoice, PDF/A-3b (10 lines)', () => void renderInvoice(a4Xml, { format: 'a4' }), 0.05],
  ['A4 tax invoice, HTML (10 lines)', () => void renderInvoice(a4Xml, { format: 'a4', output: 'html' }), 0],
];
for (const [name, work, goal] of cases) {
  const r = ratioToS(work, rounds);
  const verdict = goal ? ` — goal ≥ ${goal} S: ${r.median >= goal ? 'met' : 'NOT met'}` : '';
  console.log(
    `${name.padEnd(38)} ${fmt(r.median, 3)} S (min ${fmt(r.min, 3)} – max ${fmt(r.max, 3)}); ${Math.round(r.opsMedian)}/s vs S = ${Math.round(r.sMedian)}/s${verdict}`,
  );
}

// Memory: 10,000 renders over 200 distinct documents (distinct names and numbers, so the shaping and
// paragraph caches see new text all along); fonts are parsed once, caches are bounded.
{
  const total = quick ? 2_000 : 10_000;
  const docs = Array.from({ length: 200 }, (_, i) => {
    const json = invoiceWithLines(3 + (i % 8));
    json.id = `MEM-${i}`;
    json.uuid = `3cf5ee18-ee25-44ea-a444-${String(i).padStart(12, '0')}`;
    json.lines = (json.lines as Array<Record<string, unknown>>).map((l, j) => ({ ...l, name: `صنف ${i}-${j} | Item ${i}-${j} ${'x'.repeat(i % 13)}` }));
    return Buffer.from(stamp(json));
  });
  const gc = (globalThis as { gc?: () => void }).gc;
  const heap = (): number => {
    gc?.();
    return process.memoryUsage().heapUsed / 2 ** 20;
  };
  const marks: string[] = [`0: ${fmt(heap(), 1)} MiB`];
  for (let i = 1; i <= total; i++) {
    renderInvoice(docs[i % docs.length]!, { format: i % 2 ? 'receipt' : 'a4' });
    // as a server would between requests: pdfkit's stream ends on the next tick
    await new Promise((resolve) => setImmediate(resolve));
    if (i % (total / 4) === 0) marks.push(`${i}: ${fmt(heap(), 1)} MiB`);
  }
  console.log(`\nheap after GC over ${total} renders (${gc ? 'exact' : 'run with --expose-gc for exact figures'}): ${marks.join(', ')}`);
}

// Cold start: a fresh node process that loads the library from dist/ and writes one receipt PDF,
// against bare `node -e 0`.
const dist = join(root, 'dist', 'render', 'index.js');
if (!existsSync(dist)) {
  console.log('\ncold start: skipped (run `npm run build` first)');
} else {
  const tmp = mkdtempSync(join(tmpdir(), 'fawtara-bench-'));
  writeFileSync(join(tmp, 'receipt.xml'), receiptXml);
  const script = `
    import { readFileSync, writeFileSync } from 'node:fs';
    const { renderInvoice } = await import(${JSON.stringify(pathToFileURL(dist).href)});
    writeFileSync(${JSON.stringify(join(tmp, 'out.pdf'))}, renderInvoice(readFileSync(${JSON.stringify(join(tmp, 'receipt.xml'))})).body);`;
  const run = (args: string[]): number => {
    const t = performance.now();
    execFileSync(process.execPath, args, { stdio: 'ignore' });
    return performance.now() - t;
  };
  const bare: number[] = [];
  const cold: number[] = [];
  for (let i = 0; i < (quick ? 3 : 5); i++) {
    bare.push(run(['-e', '0']));
    cold.push(run(['--input-type=module', '-e', script]));
  }
  console.log(`\ncold start to the first receipt PDF: ${fmt(median(cold), 0)} ms (bare node: ${fmt(median(bare), 0)} ms)`);
  rmSync(tmp, { recursive: true, force: true });
}
