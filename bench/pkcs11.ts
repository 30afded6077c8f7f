// bench/stamp's PKCS#11 row: a SoftHSM2 token in a temporary directory, a unit key generated in it
// with a certificate from the local CA, and stamping through the token on one thread or per worker.
import { randomBytes } from 'node:crypto';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { loadCertificate, type SigningCertificate } from '../src/crypto/certificate.js';
import { createCsr, parseCsr } from '../src/crypto/csr.js';
import { EXAMPLE_CSR_CONFIG } from '../src/crypto/local-identity.js';
import { Pkcs11Token, tokenSigner } from '../src/crypto/pkcs11.js';
import type { Signer } from '../src/crypto/signer.js';
import { issueCertificate, type CertificateAuthority } from '../src/crypto/x509-issue.js';
import { stampInvoice } from '../src/stamp/index.js';
import { buildInvoice } from '../src/ubl/writer.js';
import { SOFTHSM_MISSING, softHsm, type SoftHsm } from '../test/helpers/softhsm.js';
import { invoiceWithLines } from './invoices.js';

const LABEL = 'fawtara-bench';
const PIN = 'bench-pin-1';

export interface TokenIdentity {
  hsm: SoftHsm;
  signer: Signer;
  certificate: SigningCertificate;
  /** What a worker needs to open its own session pool on the same key. */
  shared: { module: string; id: string; spki: string; certificate: string };
}

/** A SoftHSM token with one unit key and its certificate, or why not (SoftHSM2 missing). */
export function tokenIdentity(authority: CertificateAuthority): TokenIdentity | string {
  if (SOFTHSM_MISSING) return SOFTHSM_MISSING;
  const hsm = softHsm({ [LABEL]: PIN });
  const token = new Pkcs11Token({ module: hsm.module, token: LABEL, pin: () => PIN });
  const id = randomBytes(16);
  const { publicKeySpki } = token.generateKeyPair('bench/unit', id);
  const signer = tokenSigner(token, id, publicKeySpki);
  const csr = createCsr({ config: EXAMPLE_CSR_CONFIG, privateKey: signer, environment: 'simulation' });
  const now = Date.now();
  const issued = issueCertificate({ ca: authority, csr: parseCsr(csr.pem), notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000) });
  return {
    hsm,
    signer,
    certificate: loadCertificate(issued.pem),
    shared: { module: hsm.module, id: id.toString('hex'), spki: publicKeySpki.toString('base64'), certificate: issued.pem },
  };
}

/**
 * Stamped invoices per second with `workers` threads, each with its own token object (its own pooled
 * session) on the same key, for about `ms` milliseconds.
 */
export async function stampPerWorker(identity: TokenIdentity, workers: number, ms: number): Promise<number> {
  const url = new URL(import.meta.url);

  const runs = Array.from(
    { length: workers },
    () =>
      new Promise<{ count: number; elapsed: number }>((resolve, reject) => {
        // A worker does not inherit `--import tsx`: it registers tsx itself, then loads this module.
        const boot = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(url.href)});`;
        const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData: { ...identity.shared, ms } });
        w.once('message', resolve);
        w.once('error', reject);
      }),
  );
  const results = await Promise.all(runs);
  return results.reduce((sum, r) => sum + (r.count * 1000) / r.elapsed, 0);
}

if (!isMainThread && workerData?.module) {
  const data = workerData as TokenIdentity['shared'] & { ms: number };
  const token = new Pkcs11Token({ module: data.module, token: LABEL, pin: () => PIN });
  const signer = tokenSigner(token, Buffer.from(data.id, 'hex'), Buffer.from(data.spki, 'base64'));
  const certificate = loadCertificate(data.certificate);
  const ten = invoiceWithLines(10);
  const work = () => stampInvoice(buildInvoice(ten), { certificate, signer });
  for (let i = 0; i < 20; i++) work();
  let count = 0;
  const start = performance.now();
  let now = start;
  while (now - start < data.ms) {
    for (let i = 0; i < 10; i++) work();
    count += 10;
    now = performance.now();
  }
  token.close();
  parentPort!.postMessage({ count, elapsed: now - start });
}
