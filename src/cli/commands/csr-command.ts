// `fawtara csr` (fatoora -csr): a secp256k1 key generated in memory (or loaded) and a CSR in
// ZATCA's profile from an SDK csr-config.properties or JSON file; no openssl, no temp files.
import { existsSync } from 'node:fs';
import { parseCsrConfigJson, parseCsrConfigProperties } from '../../crypto/csr-config.js';
import { createCsr, type ZatcaEnvironment } from '../../crypto/csr.js';
import { exportPrivateKeyPem, generatePrivateKey, loadPrivateKey } from '../../crypto/keys.js';
import { readInput, writeOutput } from '../io.js';
import { EXIT, type Io } from '../output.js';

export interface CsrOptions {
  csrConfig: string;
  env: ZatcaEnvironment;
  privateKey?: string;
  generatedCsr?: string;
  pem?: boolean;
  json?: boolean;
}

function stamp(): string {
  return new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

export async function csrCommand(opts: CsrOptions, io: Io): Promise<number> {
  const raw = readInput(opts.csrConfig, 'CSR configuration');
  const config =
    /\.json$/i.test(opts.csrConfig) || raw.toString('utf8').trimStart().startsWith('{')
      ? parseCsrConfigJson(raw, opts.csrConfig)
      : parseCsrConfigProperties(raw, opts.csrConfig);

  // An existing --private-key file is used; otherwise a new key is generated and written there
  // (or, like the SDK, to a time-stamped file in the current folder) with owner-only permissions.
  let keyPath = opts.privateKey;
  let generated = false;
  let key: ReturnType<typeof generatePrivateKey>;
  if (keyPath && existsSync(keyPath)) {
    key = loadPrivateKey(readInput(keyPath, 'private key'), keyPath);
  } else {
    key = generatePrivateKey();
    generated = true;
    keyPath ??= `generated-private-key-${stamp()}.key`;
  }
  const csr = createCsr({ config, privateKey: key, environment: opts.env });
  const csrText = opts.pem ? csr.pem : csr.base64Pem + '\n';
  if (opts.generatedCsr) writeOutput(opts.generatedCsr, csrText);
  if (generated) writeOutput(keyPath, exportPrivateKeyPem(key), 0o600);

  if (opts.json) {
    io.out(
      JSON.stringify(
        {
          ok: true,
          environment: opts.env,
          privateKey: keyPath,
          privateKeyGenerated: generated,
          generatedCsr: opts.generatedCsr ?? null,
          csr: csr.base64Pem,
          csrPem: csr.pem,
        },
        null,
        2,
      ),
    );
  } else {
    if (!opts.generatedCsr) io.out(csrText.trimEnd());
    io.err(
      [
        generated ? `private key generated → ${keyPath} (keep it secret; it never leaves this machine)` : `private key: ${keyPath}`,
        opts.generatedCsr ? `CSR (${opts.pem ? 'PEM' : 'base64 of PEM, as POST /compliance takes it'}) → ${opts.generatedCsr}` : '',
        `environment: ${opts.env}`,
      ]
        .filter(Boolean)
        .join('\n'),
    );
  }
  return EXIT.ok;
}
