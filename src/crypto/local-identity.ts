// A signing identity issued by a local certificate authority: a fresh secp256k1 key, a CSR in
// ZATCA's profile and a certificate from that CA. For demos, benchmarks and offline tests only.
import { createCertificateAuthority, issueCertificate, type CertificateAuthority } from './x509-issue.js';
import { createCsr, parseCsr } from './csr.js';
import type { CsrConfig } from './csr-config.js';
import { loadCertificate, type SigningCertificate } from './certificate.js';
import { generatePrivateKey, type LoadedPrivateKey } from './keys.js';
import { createSigner, type Signer, type SignerBackend } from './signer.js';

export interface LocalIdentity {
  key: LoadedPrivateKey;
  certificate: SigningCertificate;
  signer: Signer;
  authority: CertificateAuthority;
}

/** Example EGS unit values (a ZATCA test VAT number), used when no CSR config is given. */
export const EXAMPLE_CSR_CONFIG: CsrConfig = {
  commonName: 'FAWTARA-DEMO-EGS-1',
  serialNumber: '1-Fawtara|2-Demo|3-0001',
  organizationIdentifier: '399999999900003',
  organizationUnitName: 'Riyadh Branch',
  organizationName: 'Fawtara Demo Trading LLC',
  countryName: 'SA',
  invoiceType: '1100',
  locationAddress: 'RRRD2929',
  industryBusinessCategory: 'Retail',
};

export function createLocalIdentity(options: { config?: CsrConfig; backend?: SignerBackend; now?: Date } = {}): LocalIdentity {
  const now = options.now ?? new Date();
  const authority = createCertificateAuthority({ now });
  const key = generatePrivateKey();
  const csr = createCsr({ config: options.config ?? EXAMPLE_CSR_CONFIG, privateKey: key, environment: 'simulation' });
  const issued = issueCertificate({
    ca: authority,
    csr: parseCsr(csr.pem),
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + 365 * 24 * 3600_000),
  });
  return { key, certificate: loadCertificate(issued.pem), signer: createSigner(key, options.backend), authority };
}
