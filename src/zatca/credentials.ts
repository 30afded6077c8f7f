// CSID credentials as ZATCA hands them out (docs/zatca-notes.md §A2.3): Basic auth from token and secret, and the
// certificate hidden inside `binarySecurityToken` (base64 of base64-DER text).
import { X509Certificate } from 'node:crypto';
import { FawtaraError } from '../errors.js';
import type { CsidCredentials } from './types.js';

/** `Basic base64(token + ":" + secret)`, the token used exactly as returned (not decoded). */
export function basicAuth(credentials: CsidCredentials): string {
  return 'Basic ' + Buffer.from(`${credentials.binarySecurityToken}:${credentials.secret}`, 'utf8').toString('base64');
}

export interface DecodedSecurityToken {
  /** base64 DER text: what goes into `ds:X509Certificate`. */
  pemBody: string;
  der: Buffer;
  x509: X509Certificate;
}

/** Unwrap `binarySecurityToken` into the certificate it carries. */
export function decodeBinarySecurityToken(token: string): DecodedSecurityToken {
  const pemBody = Buffer.from(token, 'base64').toString('latin1').trim();
  const der = Buffer.from(pemBody, 'base64');
  try {
    return { pemBody, der, x509: new X509Certificate(der) };
  } catch (error) {
    throw new FawtaraError('INVALID_CERTIFICATE', 'binarySecurityToken does not carry an X.509 certificate (expected base64 of base64 DER)', {
      field: 'binarySecurityToken',
      messageAr: 'لا يحتوي binarySecurityToken على شهادة X.509 (المتوقع base64 لنص base64 DER)',
      cause: error,
    });
  }
}

/** The token form of a DER certificate: what ZATCA (and the simulator) return. */
export function encodeBinarySecurityToken(der: Uint8Array): string {
  return Buffer.from(Buffer.from(der).toString('base64'), 'latin1').toString('base64');
}
