// The key a CSR is made with: its public half for the request and how it signs the request info —
// a key in memory (node:crypto) or a Signer whose key never leaves its token (PKCS#11).
import { createPublicKey, sign, type KeyObject } from 'node:crypto';
import { FawtaraError } from '../errors.js';
import type { LoadedPrivateKey } from './keys.js';
import type { Signer } from './signer.js';

/** The CSR key's public half and how it signs: a key in memory (node:crypto) or a `Signer` (a token). */
export function csrKey(key: LoadedPrivateKey | KeyObject | Signer): { spki: Buffer; signInfo: (infoDer: Buffer) => Buffer } {
  const refuse = () =>
    new FawtaraError('INVALID_KEY', 'the CSR key must be a private EC key on curve secp256k1, as ZATCA requires', {
      field: 'privateKey',
      messageAr: 'مفتاح طلب الشهادة يجب أن يكون مفتاحاً خاصاً من نوع EC على المنحنى secp256k1',
    });
  if ('sign' in key && typeof key.sign === 'function') {
    const signer = key as Signer;
    const details = createPublicKey({ key: signer.publicKeySpki, format: 'der', type: 'spki' }).asymmetricKeyDetails;
    if (details?.namedCurve !== 'secp256k1') throw refuse();
    // Signer.sign is ECDSA-SHA256 over its argument: exactly the CSR's ecdsa-with-SHA256.
    return { spki: signer.publicKeySpki, signInfo: (infoDer) => signer.sign(infoDer) };
  }
  const privateKey = 'key' in key && 'publicKeySpki' in key ? key.key : (key as KeyObject);
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'secp256k1') throw refuse();
  return {
    spki: createPublicKey(privateKey).export({ type: 'spki', format: 'der' }),
    signInfo: (infoDer) => sign('sha256', infoDer, { key: privateKey, dsaEncoding: 'der' }),
  };
}
