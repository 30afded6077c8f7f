// X.509 signing certificates (CSIDs): loading every form ZATCA hands them out in, and the values
// the XAdES stamp and the QR need (docs/zatca-notes.md §6.2, §7): issuer form, decimal serial, digests, SPKI, tag 9.
import { createHash, X509Certificate } from 'node:crypto';
import { FawtaraError } from '../errors.js';

export interface SigningCertificate {
  x509: X509Certificate;
  /** DER bytes. */
  der: Buffer;
  /** base64 of the DER on one line: the `ds:X509Certificate` text and what CertDigest hashes. */
  base64: string;
  /** `xades:CertDigest` value: base64(hex(SHA-256(base64 text))), docs/zatca-notes.md §6.2. */
  certDigest: string;
  /** `ds:X509IssuerName`: issuer RDNs most specific first, joined by ", " (docs/zatca-notes.md §6.2). */
  issuerName: string;
  /** `ds:X509SerialNumber`: serial as a decimal integer. */
  serialNumber: string;
  /** DER SubjectPublicKeyInfo: QR tag 8. */
  publicKeySpki: Buffer;
  /** The CA's signature over the certificate (BIT STRING content): QR tag 9 on simplified documents. */
  signatureValue: Buffer;
  notBefore: Date;
  notAfter: Date;
}

/**
 * Load a certificate from PEM, bare base64 DER (the SDK's cert.pem), or ZATCA's
 * `binarySecurityToken` (base64 of the base64 text).
 */
export function loadCertificate(text: string | Buffer, source = 'certificate', options: CertificateOptions = {}): SigningCertificate {
  const raw = (typeof text === 'string' ? text : text.toString('utf8')).trim();
  let body = raw.includes('-----BEGIN') ? raw.replace(/-----BEGIN [^-]+-----|-----END [^-]+-----/g, '').replace(/\s+/g, '') : raw.replace(/\s+/g, '');
  let der = Buffer.from(body, 'base64');
  // binarySecurityToken: one more base64 layer around "MII..." text.
  if (der.length > 0 && der[0] !== 0x30) {
    const inner = der.toString('latin1');
    if (/^MI[A-Za-z0-9+/=]+$/.test(inner)) {
      body = inner;
      der = Buffer.from(inner, 'base64');
    }
  }
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
  } catch (error) {
    throw new FawtaraError('INVALID_CERTIFICATE', `${source}: not an X.509 certificate in PEM, base64 DER or binarySecurityToken form`, {
      field: source,
      messageAr: `${source}: ليست شهادة X.509 بصيغة PEM أو base64`,
      cause: error,
    });
  }
  return describeCertificate(x509, source, options);
}

export interface CertificateOptions {
  /**
   * Accept a key of any type (ZATCA requires EC secp256k1). Only for reading the certificate of a
   * document under verification, so that every check that can still be evaluated is reported.
   */
  anyKey?: boolean;
}

export function describeCertificate(x509: X509Certificate, source = 'certificate', options: CertificateOptions = {}): SigningCertificate {
  const der = x509.raw;
  const base64 = der.toString('base64');
  const publicKey = x509.publicKey;
  if (!options.anyKey && !isSecp256k1(x509)) {
    throw new FawtaraError('INVALID_CERTIFICATE', `${source}: the certificate key is not EC secp256k1, as ZATCA requires`, {
      field: source,
      messageAr: `${source}: مفتاح الشهادة ليس EC secp256k1 كما تشترط الهيئة`,
    });
  }
  return {
    x509,
    der,
    base64,
    certDigest: hexDigestBase64(base64),
    issuerName: x509.issuer.split('\n').reverse().join(', '),
    serialNumber: BigInt('0x' + x509.serialNumber).toString(10),
    publicKeySpki: publicKey.export({ type: 'spki', format: 'der' }) as Buffer,
    signatureValue: certificateSignature(der),
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
  };
}

/** The certificate's key is EC on secp256k1, the only curve ZATCA issues CSIDs for. */
export function isSecp256k1(x509: X509Certificate): boolean {
  const key = x509.publicKey;
  return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'secp256k1';
}

/** base64 of the lowercase hex SHA-256 of `data`: ZATCA's form for CertDigest and SignedProperties. */
export function hexDigestBase64(data: string | Buffer): string {
  return Buffer.from(createHash('sha256').update(data).digest('hex'), 'latin1').toString('base64');
}

/** One DER element at `offset`: where its content starts and ends. */
function derElement(der: Buffer, offset: number): { tag: number; start: number; end: number } {
  const tag = der[offset]!;
  let length = der[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start + i]!;
    start += bytes;
  }
  return { tag, start, end: start + length };
}

/**
 * The CA's signature over the certificate: the content of the final BIT STRING of
 * Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue } (QR tag 9, docs/zatca-notes.md §7).
 * A three-step DER walk; node:crypto's X509Certificate does not expose it.
 */
export function certificateSignature(der: Buffer): Buffer {
  const cert = derElement(der, 0);
  const tbs = derElement(der, cert.start);
  const algorithm = derElement(der, tbs.end);
  const bits = derElement(der, algorithm.end);
  if (cert.tag !== 0x30 || tbs.tag !== 0x30 || algorithm.tag !== 0x30 || bits.tag !== 0x03 || bits.end > der.length) {
    throw new FawtaraError('INVALID_CERTIFICATE', 'the certificate has no signature value where X.509 puts it', {
      messageAr: 'الشهادة لا تحتوي على قيمة التوقيع في موضعها المعتاد',
    });
  }
  // The first content byte counts unused bits (0 for signatures).
  return der.subarray(bits.start + 1, bits.end);
}
