// What reading a CSR yields (crypto/csr.ts parseCsr): the ZATCA fields, the key, the signature's
// verdict, and the structure as sent, so the simulator can judge a CSR against ZATCA's profile.
import type { KeyObject } from 'node:crypto';
import type { CsrAlternativeName, CsrSubject } from './csr.js';

/** How an attribute value was encoded: what ZATCA's profile pins for each attribute. */
export type AsnStringType = 'utf8String' | 'printableString' | 'ia5String' | 'bmpString' | 'teletexString' | 'universalString' | 'other';

export interface NameAttribute {
  oid: string;
  value: string;
  stringType: AsnStringType;
}

export interface ParsedCsr {
  der: Buffer;
  /** Subject values by CSR-config field (first occurrence of each attribute). */
  subject: Partial<CsrSubject>;
  /** SAN directoryName values by CSR-config field. */
  alternativeName: Partial<CsrAlternativeName>;
  /** Value of the certificate template name extension (1.3.6.1.4.1.311.20.2), if present and a string. */
  templateName?: string;
  /** DER SubjectPublicKeyInfo as carried by the CSR. */
  publicKeySpki: Buffer;
  /** The public key, when Node can load it (any curve Node supports). */
  publicKey?: KeyObject;
  /** Named curve of an EC key (`secp256k1`, `prime256v1`…), when Node can load it. */
  publicKeyCurve?: string;
  /** True for an EC key on secp256k1, the only kind ZATCA certifies. */
  publicKeyIsSecp256k1: boolean;
  /** OID of the signature algorithm. */
  signatureAlgorithm: string;
  /** True when the self-signature is ecdsa-with-SHA256 and verifies with the CSR's own key. */
  signatureValid: boolean;
  /** The SAN extension's value (DER GeneralNames), so an issuer can copy it byte for byte. */
  subjectAlternativeNameDer?: Buffer;
  /** Structural facts, in DER order, for comparing with ZATCA's profile. */
  structure: {
    /** Subject RDNs (each RDN a list of attributes). */
    subject: NameAttribute[][];
    /** RDNs of the first directoryName in the SAN. */
    alternativeName: NameAttribute[][];
    /** Kinds of GeneralName in the SAN (`directoryName`, `dNSName`…), in order. */
    alternativeNameKinds: string[];
    /** Extensions requested in the extensionRequest attribute, in order. */
    extensions: Array<{ oid: string; critical: boolean }>;
    /** OIDs of the CSR attributes, in order. */
    attributes: string[];
    templateNameStringType?: AsnStringType;
  };
}
