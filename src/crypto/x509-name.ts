// X.509 names of the simulator's certificates: a `CN=…, DC=…` subject parsed into a DER Name, and
// the directory string type each value is written in (as ZATCA's CA writes names).
import { Name } from '@peculiar/asn1-x509';
import { FawtaraError } from '../errors.js';
import { OID, singleRdn } from './csr.js';

/** Parse `CN=…, DC=…` (most specific first) into a Name in DER order (least specific first). */
export function parseDistinguishedName(text: string, example: string): Name {
  const parts = text.split(',').map((p) => p.trim());
  const rdns = parts.map((part) => {
    const match = /^(CN|OU|O|C|DC)=(.+)$/i.exec(part);
    if (!match) {
      throw new FawtaraError('INVALID_INPUT', `CA subject: "${part}" is not KEY=value with KEY one of CN, OU, O, C, DC (e.g. ${example})`, {
        field: 'subject',
        messageAr: `اسم جهة الإصدار: "${part}" ليس بالصيغة KEY=value`,
      });
    }
    const key = match[1]!.toUpperCase();
    const value = match[2]!.trim();
    switch (key) {
      case 'CN':
        return singleRdn(OID.commonName, value, directoryEncoding(value));
      case 'OU':
        return singleRdn(OID.organizationalUnitName, value, directoryEncoding(value));
      case 'O':
        return singleRdn(OID.organizationName, value, directoryEncoding(value));
      case 'C':
        return singleRdn(OID.countryName, value, 'printableString');
      default:
        // domainComponent is an IA5String by definition (RFC 4519), as in ZATCA's issuer names.
        return singleRdn(OID.domainComponent, value, 'ia5String');
    }
  });
  return new Name(rdns.reverse());
}

/** PrintableString when the value allows it (as ZATCA's CA writes names), UTF8String otherwise (Arabic). */
export function directoryEncoding(value: string): 'printableString' | 'utf8String' {
  return /^[A-Za-z0-9 '()+,\-./:=?]+$/.test(value) ? 'printableString' : 'utf8String';
}
