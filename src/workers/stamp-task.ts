// Signing on a worker thread: the issuer hashed each document in ICV order on the event loop; here
// the hash is signed with a cloned in-memory key, the stamp assembled and self-checked (stamp/stamp.ts).
import { loadCertificate, type SigningCertificate } from '../crypto/certificate.js';
import { describeKey } from '../crypto/keys.js';
import { createSigner, type Signer } from '../crypto/signer.js';
import type { StampResult } from '../issuing/index.js';
import { stampHashed } from '../stamp/index.js';
import type { StampInput } from './tasks.js';

/** Identities this thread was given, by CSID: a CSID's certificate and key never change. */
const identities = new Map<string, { certificate: SigningCertificate; signer: Signer }>();
const IDENTITY_LIMIT = 10_000;

export async function stampTask(input: StampInput): Promise<StampResult[]> {
  const given = input.identities.map((id) => {
    let known = identities.get(id.csidId);
    if (!known || known.certificate.base64 !== id.certificate) {
      known = { certificate: loadCertificate(id.certificate, 'certificate'), signer: createSigner(describeKey(id.key)) };
      if (identities.size >= IDENTITY_LIMIT) identities.clear();
      identities.set(id.csidId, known);
    }
    return known;
  });
  return input.items.map((item) => {
    const { certificate, signer } = given[item.identity]!;
    const hash = { bytes: Buffer.from(item.hash, 'base64'), base64: item.hash };
    // stampHashed binds the key to the certificate and runs the post-sign self-check.
    const s = stampHashed(item.doc, { certificate, signer, signingTime: new Date(item.signingTime) }, hash);
    return { xml: s.xml, invoiceHash: s.invoiceHash, qr: s.qr, signingTime: s.signingTime };
  });
}
