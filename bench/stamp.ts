// bench/stamp: throughput of build + hash + sign + QR for a 10-line simplified invoice on one core,
// as a ratio to S (one node:crypto secp256k1 signature, same run); per-line cost; cold start.
// Run: npm run bench:stamp   (cold start needs dist/: npm run build)
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLocalIdentity } from '../src/crypto/local-identity.js';
import { availableSignerBackends, createSigner } from '../src/crypto/signer.js';
import { stampInvoice } from '../src/stamp/index.js';
import { buildInvoice } from '../src/ubl/writer.js';
import { fmt, median, opsPerSecond, ratioToS } from './harness.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const base = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'scenarios', 'simplified-invoice.json'), 'utf8'));

export function invoiceWithLines(n: number): Record<string, unknown> {
  return {
    ...base,
    uuid: '3cf5ee18-ee25-44ea-a444-2c37ba7f28be',
    allowanceCharges: [],
    lines: Array.from({ length: n }, (_, i) => ({
      name: `صنف ${i + 1} | Item ${i + 1}`,
      quantity: String(1 + (i % 5)),
      unitPrice: (10 + (i % 7) * 1.25).toFixed(2),
    })),
  };
}

const identity = createLocalIdentity();
const ten = invoiceWithLines(10);
const quick = process.argv.includes('--quick');
const rounds = quick ? 3 : 7;

console.log(`bench/stamp — node ${process.version}, signer backends here: ${availableSignerBackends().join(', ')}`);
console.log('ratio = stamped invoices per second ÷ node:crypto secp256k1 signatures per second (S), interleaved rounds\n');

for (const backend of availableSignerBackends()) {
  const signer = createSigner(identity.key, backend);
  for (const selfCheck of [false, true]) {
    const work = () => void stampInvoice(buildInvoice(ten), { certificate: identity.certificate, signer, selfCheck });
    const r = ratioToS(work, rounds);
    console.log(
      `10-line simplified, ${backend.padEnd(6)} signer, self-check ${selfCheck ? 'on ' : 'off'}: ` +
        `${fmt(r.median)} S (min ${fmt(r.min)} – max ${fmt(r.max)}); ${Math.round(r.opsMedian)} invoices/s vs S = ${Math.round(r.sMedian)} signatures/s`,
    );
  }
}

// Per-line cost: build + stamp time divided by the number of lines (should stay flat: linear growth).
console.log('\nper-line cost (build + stamp, native signer, self-check on):');
const signer = createSigner(identity.key);
for (const n of [10, 100, 1000, 5000]) {
  const json = invoiceWithLines(n);
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const ops = opsPerSecond(() => void stampInvoice(buildInvoice(json), { certificate: identity.certificate, signer }), n >= 1000 ? 400 : 200);
    samples.push(1e6 / ops / n);
  }
  const xml = stampInvoice(buildInvoice(json), { certificate: identity.certificate, signer }).xml;
  console.log(`  ${String(n).padStart(5)} lines: ${fmt(median(samples))} µs/line (min ${fmt(Math.min(...samples))} – max ${fmt(Math.max(...samples))}), document ${Math.round(xml.length / 1024)} KiB`);
}

// Cold start: a fresh node process that imports the built library and signs one invoice, against bare node.
const dist = join(root, 'dist', 'index.js');
if (!existsSync(dist)) {
  console.log('\ncold start: skipped (run `npm run build` first)');
} else {
  const script = `
    const f = await import(${JSON.stringify(dist)});
    const json = JSON.parse(process.argv[1]);
    const key = f.generatePrivateKey();
    const { createLocalIdentity } = await import(${JSON.stringify(join(root, 'dist', 'crypto', 'local-identity.js'))});
    const id = createLocalIdentity();
    const s = f.stampInvoice(f.buildInvoice(json), { certificate: id.certificate, signer: id.signer });
    if (!s.invoiceHash) process.exit(1);`;
  const time = (args: string[]): number => {
    const t = performance.now();
    execFileSync(process.execPath, args, { stdio: 'ignore' });
    return performance.now() - t;
  };
  const bare: number[] = [];
  const first: number[] = [];
  for (let i = 0; i < (quick ? 3 : 9); i++) {
    bare.push(time(['-e', '0']));
    first.push(time(['--input-type=module', '-e', script, JSON.stringify(ten)]));
  }
  const b = median(bare);
  const f = median(first);
  console.log(`\ncold start to the first signed invoice: ${fmt(f, 1)} ms vs bare node ${fmt(b, 1)} ms → +${fmt(f - b, 1)} ms (median of ${bare.length})`);
  console.log('  (includes generating a key, a local CA and a certificate, which a real unit loads instead)');
}
