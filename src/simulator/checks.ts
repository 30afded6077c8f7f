// The narrow seam between the simulator's HTTP behaviour and the product's engine (CSR parsing,
// certificate issuance, validation, hashing, clearance stamping), so each side is testable alone.
import type { ValidationMessage } from '../zatca/types.js';

/** What the simulator needs to know about a submitted CSR (docs/zatca-notes.md §A5, §A12.4 step 3). */
export interface CsrFacts {
  /** DER SubjectPublicKeyInfo: becomes the issued certificate's key. */
  publicKeySpki: Buffer;
  /** The CSR's self-signature verifies with its own key. */
  signatureValid: boolean;
  /** Named curve of the key (`secp256k1` required). */
  keyCurve: string | undefined;
  /** Signature algorithm name or OID (`ecdsa-with-SHA256` / 1.2.840.10045.4.3.2 required). */
  signatureAlgorithm: string;
  subject: { C?: string; OU?: string; O?: string; CN?: string };
  /** Microsoft certificateTemplateName extension (1.3.6.1.4.1.311.20.2). */
  templateName: string | undefined;
  /** subjectAltName dirName attributes. */
  san: { SN?: string; UID?: string; title?: string; registeredAddress?: string; businessCategory?: string };
}

/** A key and its certificate, in a form the simulator can persist as JSON. */
export interface Authority {
  /** PKCS#8 PEM of the private key. */
  keyPem: string;
  /** DER certificate, base64. */
  certificateBase64: string;
}

export interface AuthorityRequest {
  profile: 'compliance-issuer' | 'root-ca' | 'issuing-ca' | 'stamp';
  /** RFC 4514-style DN, most specific first, e.g. `CN=eInvoicing`. */
  subjectDn: string;
  /** Absent for self-signed certificates. */
  issuer?: Authority;
  serialNumber: Buffer;
  notBefore: Date;
  notAfter: Date;
}

export interface IssueRequest {
  profile: 'ccsid' | 'pcsid';
  issuer: Authority;
  csr: CsrFacts;
  /** Subject order: CCSID copies the CSR (C, OU, O, CN), PCSID reorders to C, O, OU, CN (docs/zatca-notes.md §A6). */
  subjectOrder: Array<'C' | 'OU' | 'O' | 'CN'>;
  serialNumber: Buffer;
  notBefore: Date;
  notAfter: Date;
}

export interface ValidationContext {
  mode: 'compliance' | 'reporting' | 'clearance';
  language: 'en' | 'ar';
  /** DER of the certificate the request authenticated with (CCSID or PCSID). */
  authenticatedCertificate: Buffer;
  simplified: boolean;
  now: Date;
}

export interface StampContext {
  stamp: Authority;
  now: Date;
}

/** Who the developer portal's canned test certificate names (docs/zatca-notes.md §A1.2). */
export interface TestIdentity {
  commonName: string;
  organizationName: string;
  organizationUnit: string;
  vat: string;
  serialNumber: string;
  title: string;
  address: string;
  businessCategory: string;
}

export interface Checks {
  /** Parse a PEM CSR; throws (any error) when it is not a CSR at all. */
  parseCsr(csrPem: string): CsrFacts;
  /** A new secp256k1 key (PKCS#8 PEM) and a sandbox-template CSR for it, naming `identity`. */
  createTestCsr(identity: TestIdentity): { csrPem: string; keyPem: string };
  /** Generate a secp256k1 key and a certificate for it. */
  createAuthority(request: AuthorityRequest): Authority;
  /** Issue a CSID certificate for the CSR's key; returns DER. */
  issueCertificate(request: IssueRequest): Buffer;
  /**
   * XSD, EN 16931, KSA rules, QR and signature of the XML, as ZATCA's message list (including
   * the `XSD_ZATCA_VALID` info on success). Body checks, the API hash, permissions, the
   * certificate's standing and the chain are the simulator's own (docs/zatca-notes.md §A12.8).
   */
  validate(xml: string, context: ValidationContext): ValidationMessage[] | Promise<ValidationMessage[]>;
  /** The invoice hash (docs/zatca-notes.md §A7): base64 SHA-256 of the canonical form without the stamp. */
  invoiceHash(xml: string): string;
  /** The cleared document: signed with the platform stamp key, QR tags 1–8 (docs/zatca-notes.md §A12.10 step 7). */
  stampCleared(xml: string, context: StampContext): string | Promise<string>;
}
