// bench/stamp: throughput of build + hash + sign + QR for a 10-line simplified invoice on one core,
// as a ratio to S (one node:crypto secp256k1 signature, same run), PKCS#11 too; per-line cost; cold start.
// Run: npm run bench:stamp   (cold start needs dist/: npm run build)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createLocalIdentity } from '../src/crypto/local-identity.js';
import { exportPrivateKeyPem } from '../src/crypto/keys.js';
import { availableSignerBackends, createSigner } from '../src/crypto/signer.js';
import { unsignedXml } from '../src/ubl/document.js';
import { stampInvoice } from '../src/stamp/index.js';
import { buildInvoice } from '../src/ubl/writer.js';
import { fmt, makeReferenceSignature, median, opsPerSecond, ratioToS } from './harness.js';
import { stampPerWorker, tokenIdentity } from './pkcs11.js';
import { invoiceWithLines } from './invoices.js';
import { goalLine, profileTop } from './profile.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const identity = createLocalIdentity();
const ten = invoiceWithLines(10);
const quick = process.argv.includes('--quick');
const rounds = quick ? 3 : 7;

console.log(`bench/stamp — node ${process.version}, signer backends here: ${availableSignerBackends().join(', ')}`);
console.log('ratio = stamped invoices per second ÷ node:crypto secp256k1 signatures per second (S), interleaved rounds\n');

const native: Record<string, number> = {};
for (const backend of availableSignerBackends()) {
  const signer = createSigner(identity.key, backend);
  for (const selfCheck of [false, true]) {
    const work = () => void stampInvoice(buildInvoice(ten), { certificate: identity.certificate, signer, selfCheck });
    const r = ratioToS(work, rounds);
    if (backend === availableSignerBackends()[0]) native[selfCheck ? 'on' : 'off'] = r.median;
    console.log(
      `10-line simplified, ${backend.padEnd(6)} signer, self-check ${selfCheck ? 'on ' : 'off'}: ` +
        `${fmt(r.median)} S (min ${fmt(r.min)} – max ${fmt(r.max)}); ${Math.round(r.opsMedian)} invoices/s vs S = ${Math.round(r.sMedian)} signatures/s`,
    );
  }
}

// Issue 15's goals for build + stamp from JSON, with the fastest signer here, and where the time goes.
console.log(`\n${goalLine('build + stamp, self-check off', native.off!, 5)}`);
console.log(goalLine('build + stamp, self-check on', native.on!, 3));
if (native.off! < 5 || native.on! < 3) {
  const signer = createSigner(identity.key);
  console.log('profile of build + stamp, self-check on (self time by function):');
  const work = () => void stampInvoice(buildInvoice(ten), { certificate: identity.certificate, signer });
  for (const p of await profileTop(work, quick ? 1_000 : 2_000)) console.log(`  ${fmt(p.share, 1).padStart(5)} %  ${p.where}`);
}
console.log('');

// The stamping engine alone (hash + sign + XAdES + QR + assembly) on an invoice already built.
{
  const built = buildInvoice(ten);
  const signer = createSigner(identity.key);
  for (const selfCheck of [false, true]) {
    const r = ratioToS(() => void stampInvoice(built, { certificate: identity.certificate, signer, selfCheck }), rounds);
    console.log(
      `stamp only (prebuilt 10-line invoice), native signer, self-check ${selfCheck ? 'on ' : 'off'}: ${fmt(r.median)} S (min ${fmt(r.min)} – max ${fmt(r.max)})`,
    );
  }
}

// The unit key in a PKCS#11 token (SoftHSM2 here; a network HSM adds its round trip per signature):
// one thread, then one token object — one pooled session — per worker thread on every core.
{
  const token = tokenIdentity(identity.authority);
  if (typeof token === 'string') console.log(`\nPKCS#11: skipped (${token})`);
  else {
    try {
      const r = ratioToS(() => void stampInvoice(buildInvoice(ten), { certificate: token.certificate, signer: token.signer }), rounds);
      console.log(
        `\n10-line simplified, PKCS#11 signer (SoftHSM2), self-check on: ${fmt(r.median)} S (min ${fmt(r.min)} – max ${fmt(r.max)}); ${Math.round(r.opsMedian)} invoices/s vs S = ${Math.round(r.sMedian)} signatures/s`,
      );
      const workers = availableParallelism();
      const s = opsPerSecond(makeReferenceSignature(), 500);
      const perWorker = await stampPerWorker(token, workers, quick ? 1000 : 3000);
      console.log(`  ${workers} worker threads, a pooled session each: ${Math.round(perWorker)} invoices/s in all = ${fmt(perWorker / s)} S (one core's S)`);
    } finally {
      token.hsm.cleanup();
    }
  }
}

// Per-line cost: build + stamp time divided by the number of lines (should stay flat: linear growth).
console.log('\nper-line cost (build + stamp, native signer, self-check on):');
const signer = createSigner(identity.key);
for (const n of [10, 100, 1000]) {
  const json = invoiceWithLines(n);
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const ops = opsPerSecond(() => void stampInvoice(buildInvoice(json), { certificate: identity.certificate, signer }), n >= 1000 ? 400 : 200);
    samples.push(1e6 / ops / n);
  }
  const xml = stampInvoice(buildInvoice(json), { certificate: identity.certificate, signer }).xml;
  console.log(
    `  ${String(n).padStart(5)} lines: ${fmt(median(samples))} µs/line (min ${fmt(Math.min(...samples))} – max ${fmt(Math.max(...samples))}), document ${Math.round(xml.length / 1024)} KiB`,
  );
}

// Cold start: a fresh node process that loads a unit's key and certificate from files (as a
// device does), builds one invoice from JSON and stamps it — against bare `node -e 0`.
const dist = join(root, 'dist');
if (!existsSync(join(dist, 'ubl', 'writer.js'))) {
  console.log('\ncold start: skipped (run `npm run build` first)');
} else {
  const tmp = mkdtempSync(join(tmpdir(), 'fawtara-bench-'));
  writeFileSync(join(tmp, 'key.pem'), exportPrivateKeyPem(identity.key));
  writeFileSync(join(tmp, 'cert.pem'), identity.certificate.x509.toString());
  writeFileSync(join(tmp, 'invoice.json'), JSON.stringify(ten));
  const url = (p: string): string => JSON.stringify(pathToFileURL(join(dist, p)).href);
  const script = (withBuild: boolean): string => `
    import { readFileSync } from 'node:fs';
    const { loadPrivateKey } = await import(${url('crypto/keys.js')});
    const { loadCertificate } = await import(${url('crypto/certificate.js')});
    const { createSigner } = await import(${url('crypto/signer.js')});
    const { stampInvoice } = await import(${url('stamp/stamp.js')});
    const certificate = loadCertificate(readFileSync(${JSON.stringify(join(tmp, 'cert.pem'))}));
    const signer = createSigner(loadPrivateKey(readFileSync(${JSON.stringify(join(tmp, 'key.pem'))})));
    ${
      withBuild
        ? `const { buildInvoice } = await import(${url('ubl/writer.js')});
         const doc = buildInvoice(JSON.parse(readFileSync(${JSON.stringify(join(tmp, 'invoice.json'))}, 'utf8')));`
        : `const { signInvoiceXml } = await import(${url('stamp/sign-xml.js')});`
    }
    const s = ${withBuild ? 'stampInvoice(doc, { certificate, signer })' : `signInvoiceXml(readFileSync(${JSON.stringify(join(tmp, 'unsigned.xml'))}), { certificate, signer })`};
    if (!s.invoiceHash) process.exit(1);`;
  writeFileSync(join(tmp, 'unsigned.xml'), unsignedXml(buildInvoice(ten)));
  const time = (args: string[]): number => {
    const t = performance.now();
    execFileSync(process.execPath, args, { stdio: 'inherit' });
    return performance.now() - t;
  };
  const bare: number[] = [];
  const fromJson: number[] = [];
  const fromXml: number[] = [];
  for (let i = 0; i < (quick ? 3 : 9); i++) {
    bare.push(time(['-e', '0']));
    fromJson.push(time(['--input-type=module', '-e', script(true)]));
    fromXml.push(time(['--input-type=module', '-e', script(false)]));
  }
  const b = median(bare);
  console.log(`\ncold start to the first signed invoice (median of ${bare.length}; bare node ${fmt(b, 1)} ms):`);
  console.log(`  invoice JSON → build → stamp: +${fmt(median(fromJson) - b, 1)} ms`);
  console.log(`  unsigned XML → sign (fatoora -sign path): +${fmt(median(fromXml) - b, 1)} ms`);
  const extra = median(fromJson) - b;
  console.log(
    extra <= 50
      ? `goal cold start from JSON: ≤ +50 ms over bare node — met (+${fmt(extra, 1)} ms)`
      : `goal cold start from JSON: ≤ +50 ms over bare node — not met: +${fmt(extra, 1)} ms, gap ${fmt(extra - 50, 1)} ms`,
  );
  rmSync(tmp, { recursive: true, force: true });
}
