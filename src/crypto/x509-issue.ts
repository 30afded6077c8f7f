// A small certificate authority for the local ZATCA simulator: its own secp256k1 CA, and X.509 v3
// certificates issued from parsed CSRs in the profiles ZATCA's CSIDs have (docs/zatca-notes.md §8, docs/zatca-notes.md §A6).
import { createHash, createPublicKey, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_kp_clientAuth,
  id_kp_codeSigning,
} from '@peculiar/asn1-x509';
import { CertificationRequest } from '@peculiar/asn1-csr';
import { ecdsaWithSHA256 } from '@peculiar/asn1-ecc';
import { FawtaraError } from '../errors.js';
import { generatePrivateKey, loadPrivateKey } from './keys.js';
import { derToPem, OID, singleRdn } from './csr.js';
import type { ParsedCsr } from './csr-parsed.js';
import { directoryEncoding, parseDistinguishedName } from './x509-name.js';

/** A private key with its certificate: a CA, or an end entity such as the platform's stamp. */
export interface KeyAndCertificate {
  /** The signing key (secp256k1); never written anywhere unless the caller exports it. */
  privateKey: KeyObject;
  certificate: X509Certificate;
  der: Buffer;
  pem: string;
  /** The certificate's subject as `ds:X509IssuerName` shows names: most specific first, e.g. `CN=…-CA, DC=…`. */
  name: string;
}

export type CertificateAuthority = KeyAndCertificate;

export interface CreateCertificateAuthorityOptions {
  /**
   * Distinguished name, most specific first, `KEY=value` joined by ", " with keys CN, OU, O, C, DC
   * (values without commas). Defaults to {@link DEFAULT_CA_SUBJECT}.
   */
  subject?: string;
  /** Lifetime in days from `now` (default 3650); ignored when `notAfter` is given. */
  validityDays?: number;
  /** Start of validity (default: the current time); pass the simulator's clock for reproducible tests. */
  now?: Date;
  /** End of validity, instead of `validityDays`. */
  notAfter?: Date;
  /** Reuse an existing secp256k1 key instead of generating one. */
  privateKey?: KeyObject;
  /** Sign with this CA (an issuing CA under a root) instead of self-signing. */
  issuer?: CertificateAuthority;
  /** Positive serial; default a random 19-byte number. */
  serialNumber?: bigint;
}

/**
 * Shaped like ZATCA's issuing CAs (`CN=PRZEINVOICESCA4-CA, DC=extgazt, DC=gov, DC=local`) but
 * plainly named as ours, so no certificate from the simulator can be mistaken for ZATCA's.
 */
export const DEFAULT_CA_SUBJECT = 'CN=FAWTARA-SIMULATOR-CA, DC=simulator, DC=fawtara, DC=local';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Generate a CA key (secp256k1) and its certificate, self-signed unless `issuer` is given; in memory. */
export function createCertificateAuthority(options: CreateCertificateAuthorityOptions = {}): CertificateAuthority {
  return createKeyAndCertificate(options, options.subject ?? DEFAULT_CA_SUBJECT, (keyId) => [
    extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: true })),
    extension(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign | KeyUsageFlags.digitalSignature)),
    extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyId)),
  ]);
}

export interface CreateSigningCertificateOptions extends Omit<CreateCertificateAuthorityOptions, 'subject' | 'issuer'> {
  /** Same form as a CA subject, e.g. `CN=eInvoicing-stamp`. */
  subject: string;
  issuer: CertificateAuthority;
}

/**
 * A key and an end-entity certificate for it, without a CSR: what the simulator signs cleared
 * invoices with. keyUsage digitalSignature (critical), basicConstraints CA:FALSE.
 */
export function createSigningCertificate(options: CreateSigningCertificateOptions): KeyAndCertificate {
  return createKeyAndCertificate(options, options.subject, (keyId) => [
    extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: false })),
    extension(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.digitalSignature)),
    extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyId)),
  ]);
}

function createKeyAndCertificate(
  options: CreateCertificateAuthorityOptions,
  subjectText: string,
  ownExtensions: (keyId: Buffer) => Extension[],
): KeyAndCertificate {
  const subject = parseDistinguishedName(subjectText, DEFAULT_CA_SUBJECT);
  const notBefore = options.now ?? new Date();
  let notAfter = options.notAfter;
  if (notAfter === undefined) {
    const validityDays = options.validityDays ?? 3650;
    if (!Number.isFinite(validityDays) || validityDays <= 0) {
      throw new FawtaraError('INVALID_INPUT', `validityDays must be a positive number of days; got ${validityDays}`, {
        field: 'validityDays',
        messageAr: 'مدة صلاحية الشهادة يجب أن تكون عدداً موجباً من الأيام',
      });
    }
    notAfter = new Date(notBefore.getTime() + validityDays * DAY_MS);
  }
  checkValidity(notBefore, notAfter);
  const serialNumber = checkSerial(options.serialNumber ?? randomSerial());
  const privateKey = options.privateKey ?? generatePrivateKey().key;
  assertSecp256k1(privateKey, 'privateKey');
  const spki = AsnConvert.parse(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }), SubjectPublicKeyInfo);
  const keyId = subjectKeyIdentifier(spki);

  const issuer = options.issuer;
  const issuerCertificate = issuer ? AsnConvert.parse(issuer.der, Certificate) : undefined;
  const extensions = ownExtensions(keyId);
  const authorityKeyId = issuerCertificate ? authorityKeyIdentifierOf(issuerCertificate) : undefined;
  if (authorityKeyId) extensions.push(authorityKeyId);

  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: serialToBytes(serialNumber),
    signature: ecdsaWithSHA256,
    issuer: issuerCertificate ? issuerCertificate.tbsCertificate.subject : subject,
    validity: new Validity({ notBefore, notAfter }),
    subject,
    subjectPublicKeyInfo: spki,
    extensions: new Extensions(extensions),
  });
  return describeKeyAndCertificate(signCertificate(tbs, issuer ? issuer.privateKey : privateKey), privateKey);
}

/** PEM texts to store a CA (key as PKCS#8); keep the key file as secret as any signing key. */
export function exportCertificateAuthority(ca: CertificateAuthority): { certificatePem: string; privateKeyPem: string } {
  return { certificatePem: ca.pem, privateKeyPem: ca.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** Load a CA stored with {@link exportCertificateAuthority}; refuses a key that is not the certificate's. */
export function loadCertificateAuthority(stored: { certificatePem: string; privateKeyPem: string }): CertificateAuthority {
  const { key } = loadPrivateKey(stored.privateKeyPem, 'CA private key');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(stored.certificatePem);
  } catch (error) {
    throw new FawtaraError('INVALID_CERTIFICATE', 'CA certificate: not a PEM X.509 certificate', {
      field: 'certificatePem',
      messageAr: 'شهادة جهة الإصدار ليست شهادة X.509 بصيغة PEM',
      cause: error,
    });
  }
  if (!x509.checkPrivateKey(key)) {
    throw new FawtaraError('KEY_CERT_MISMATCH', 'CA private key does not belong to the CA certificate', {
      field: 'privateKeyPem',
      messageAr: 'المفتاح الخاص لجهة الإصدار لا يطابق شهادتها',
    });
  }
  return describeKeyAndCertificate(x509.raw, key);
}

/**
 * Which ZATCA certificate to imitate (docs/zatca-notes.md §A6):
 * - `production`: a PCSID — subject reordered C, O, OU, CN; SAN; SKI; AKI; keyUsage digitalSignature
 *   (critical); EKU codeSigning + clientAuth.
 * - `compliance`: a CCSID — subject copied from the CSR as it is; basicConstraints CA:FALSE (critical); SAN.
 */
export type CertificateProfile = 'production' | 'compliance';

export interface IssueCertificateOptions {
  ca: CertificateAuthority;
  /** A CSR read with `parseCsr`; its self-signature must verify. */
  csr: ParsedCsr;
  /** Positive serial number; default a random 19-byte number like ZATCA's PCSIDs. */
  serialNumber?: bigint;
  notBefore: Date;
  notAfter: Date;
  /** Default `production`. */
  profile?: CertificateProfile;
}

export interface IssuedCertificate {
  der: Buffer;
  pem: string;
  /** base64 of the DER on one line (what `loadCertificate` and the XAdES stamp use). */
  base64: string;
  /** What the gateway returns as `binarySecurityToken`: base64 of the base64 text (docs/zatca-notes.md §A2.3). */
  binarySecurityToken: string;
  serialNumber: bigint;
  x509: X509Certificate;
}

/** Issue a certificate for a CSR's key and names, signed ECDSA-SHA256 by the CA. */
export function issueCertificate(options: IssueCertificateOptions): IssuedCertificate {
  const { ca, csr, notBefore, notAfter } = options;
  const profile = options.profile ?? 'production';
  if (!csr.signatureValid) throw badCsr('its self-signature does not verify, so nothing shows the requester holds the key');
  if (!csr.publicKeyIsSecp256k1) throw badCsr('its public key is not EC secp256k1, the only kind ZATCA certifies');
  if (!csr.subjectAlternativeNameDer || Object.keys(csr.alternativeName).length === 0) {
    throw badCsr('it has no subjectAltName directoryName (SN, UID, title, registeredAddress, businessCategory)');
  }
  const { countryName, organizationName, organizationUnitName, commonName } = csr.subject;
  if (!countryName || !organizationName || !organizationUnitName || !commonName) {
    throw badCsr('its subject lacks one of C, OU, O, CN');
  }
  checkValidity(notBefore, notAfter);
  const serialNumber = checkSerial(options.serialNumber ?? randomSerial());

  const request = AsnConvert.parse(csr.der, CertificationRequest);
  const spki = request.certificationRequestInfo.subjectPKInfo;
  const caCertificate = AsnConvert.parse(ca.der, Certificate);
  const authorityKeyId = authorityKeyIdentifierOf(caCertificate);
  // The SAN goes across byte for byte: it is what ZATCA's checks read the VAT number and EGS serial from.
  const alternativeName = new Extension({
    extnID: id_ce_subjectAltName,
    critical: false,
    extnValue: new OctetString(csr.subjectAlternativeNameDer),
  });

  let subject: Name;
  let extensions: Extension[];
  if (profile === 'compliance') {
    subject = request.certificationRequestInfo.subject;
    extensions = [extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: false })), alternativeName];
  } else {
    subject = new Name([
      singleRdn(OID.countryName, countryName, 'printableString'),
      singleRdn(OID.organizationName, organizationName, directoryEncoding(organizationName)),
      singleRdn(OID.organizationalUnitName, organizationUnitName, directoryEncoding(organizationUnitName)),
      singleRdn(OID.commonName, commonName, directoryEncoding(commonName)),
    ]);
    extensions = [
      alternativeName,
      extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(subjectKeyIdentifier(spki))),
      ...(authorityKeyId ? [authorityKeyId] : []),
      extension(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.digitalSignature)),
      extension(id_ce_extKeyUsage, false, new ExtendedKeyUsage([id_kp_codeSigning, id_kp_clientAuth])),
    ];
  }

  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: serialToBytes(serialNumber),
    signature: ecdsaWithSHA256,
    // The CA's subject exactly as encoded in its certificate, so chain building matches byte for byte.
    issuer: caCertificate.tbsCertificate.subject,
    validity: new Validity({ notBefore, notAfter }),
    subject,
    subjectPublicKeyInfo: spki,
    extensions: new Extensions(extensions),
  });
  const der = signCertificate(tbs, ca.privateKey);
  const base64 = der.toString('base64');
  return {
    der,
    pem: derToPem(der, 'CERTIFICATE'),
    base64,
    binarySecurityToken: Buffer.from(base64, 'latin1').toString('base64'),
    serialNumber,
    x509: new X509Certificate(der),
  };
}

function describeKeyAndCertificate(der: Buffer, privateKey: KeyObject): KeyAndCertificate {
  const certificate = new X509Certificate(der);
  return {
    privateKey,
    certificate,
    der,
    pem: derToPem(der, 'CERTIFICATE'),
    name: certificate.subject.split('\n').reverse().join(', '),
  };
}

/** AKI pointing at the issuer's SKI, when the issuer has one (ZATCA's PCSIDs carry both). */
function authorityKeyIdentifierOf(issuer: Certificate): Extension | undefined {
  const ski = issuer.tbsCertificate.extensions?.find((e) => e.extnID === id_ce_subjectKeyIdentifier);
  if (!ski) return undefined;
  const keyIdentifier = new KeyIdentifier(AsnConvert.parse(ski.extnValue.buffer, SubjectKeyIdentifier).buffer);
  return extension(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier }));
}

function checkValidity(notBefore: Date, notAfter: Date): void {
  const valid = (d: unknown): d is Date => d instanceof Date && !Number.isNaN(d.getTime());
  if (!valid(notBefore) || !valid(notAfter) || notAfter.getTime() <= notBefore.getTime()) {
    throw new FawtaraError('INVALID_INPUT', 'notAfter must be a date later than notBefore', {
      field: 'notAfter',
      messageAr: 'تاريخ انتهاء الصلاحية يجب أن يكون بعد تاريخ بدئها',
    });
  }
}

function checkSerial(serialNumber: bigint): bigint {
  if (typeof serialNumber !== 'bigint' || serialNumber <= 0n) {
    throw new FawtaraError('INVALID_INPUT', 'serialNumber must be a positive integer (bigint)', {
      field: 'serialNumber',
      messageAr: 'الرقم التسلسلي للشهادة يجب أن يكون عدداً صحيحاً موجباً',
    });
  }
  return serialNumber;
}

function extension(oid: string, critical: boolean, value: object): Extension {
  return new Extension({ extnID: oid, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

function signCertificate(tbs: TBSCertificate, privateKey: KeyObject): Buffer {
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const signature = sign('sha256', tbsDer, { key: privateKey, dsaEncoding: 'der' });
  const certificate = new Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: ecdsaWithSHA256,
    signatureValue: new Uint8Array(signature).buffer,
  });
  return Buffer.from(AsnConvert.serialize(certificate));
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING contents. */
function subjectKeyIdentifier(spki: SubjectPublicKeyInfo): Buffer {
  return createHash('sha1').update(Buffer.from(spki.subjectPublicKey)).digest();
}

/** 19 random bytes with the top bit clear and a non-zero first byte: positive, fixed length. */
function randomSerial(): bigint {
  const bytes = randomBytes(19);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return BigInt('0x' + bytes.toString('hex'));
}

/** Minimal two's-complement bytes of a positive integer (a leading 0x00 when the top bit is set). */
function serialToBytes(serial: bigint): ArrayBuffer {
  let hex = serial.toString(16);
  if (hex.length % 2 === 1) hex = '0' + hex;
  if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = '00' + hex;
  return new Uint8Array(Buffer.from(hex, 'hex')).buffer;
}

function assertSecp256k1(key: KeyObject, field: string): void {
  if (key.type !== 'private' || key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'secp256k1') {
    throw new FawtaraError('INVALID_KEY', `${field}: the CA key must be a private EC key on secp256k1`, {
      field,
      messageAr: `${field}: مفتاح جهة الإصدار يجب أن يكون مفتاحاً خاصاً من نوع EC على المنحنى secp256k1`,
    });
  }
}

function badCsr(why: string): FawtaraError {
  return new FawtaraError('INVALID_INPUT', `cannot issue a certificate for this CSR: ${why}`, {
    field: 'csr',
    rule: 'docs/zatca-notes.md §8',
    messageAr: 'لا يمكن إصدار شهادة لطلب التوقيع هذا لأنه لا يستوفي متطلبات الهيئة',
  });
}
