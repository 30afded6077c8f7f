// Who a unit's certificate names (the SAN directoryName of ZATCA's profile: SN = the unit's serial,
// UID = the taxpayer's VAT number) and whether a CA signed it — head office's enrolment checks.
import type { X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, SubjectAlternativeName } from '@peculiar/asn1-x509';
import { describeName, OID } from './csr.js';

export interface CertificateIdentity {
  /** SAN SN: `1-Maker|2-Model|3-Serial` (docs/zatca-notes.md §8). */
  unitSerial?: string;
  /** SAN UID: the taxpayer's VAT number (or a VAT-group member's TIN). */
  vatNumber?: string;
  commonName?: string;
  organizationUnit?: string;
}

const SUBJECT_ALT_NAME = '2.5.29.17';

export function certificateIdentity(der: Buffer): CertificateIdentity {
  const out: CertificateIdentity = {};
  let cert: Certificate;
  try {
    cert = AsnConvert.parse(der, Certificate);
  } catch {
    return out;
  }
  const subject = describeName(cert.tbsCertificate.subject).flat();
  out.commonName = subject.find((a) => a.oid === OID.commonName)?.value;
  out.organizationUnit = subject.find((a) => a.oid === OID.organizationalUnitName)?.value;
  const san = cert.tbsCertificate.extensions?.find((e) => e.extnID === SUBJECT_ALT_NAME);
  if (!san) return out;
  try {
    const names = AsnConvert.parse(san.extnValue.buffer, SubjectAlternativeName);
    const dir = names.find((n) => n.directoryName)?.directoryName;
    const attrs = dir ? describeName(dir).flat() : [];
    out.unitSerial = attrs.find((a) => a.oid === OID.surname)?.value;
    out.vatNumber = attrs.find((a) => a.oid === OID.userId)?.value;
  } catch {
    /* an unreadable SAN names nobody */
  }
  return out;
}

/** True when `ca` issued `cert` and its key verifies the signature. */
export function issuedBy(cert: X509Certificate, ca: X509Certificate): boolean {
  try {
    return cert.checkIssued(ca) && cert.verify(ca.publicKey);
  } catch {
    return false;
  }
}
