// secp256k1 private keys: generation and loading from every form ZATCA material comes in
// (PEM SEC1/PKCS#8, or the SDK's bare base64 SEC1 body), without temp files or an openssl binary.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { FawtaraError } from '../errors.js';

export interface LoadedPrivateKey {
  key: KeyObject;
  /** The 32-byte secret scalar, for the libsecp256k1 signer. */
  secret: Buffer;
  /** DER SubjectPublicKeyInfo of the matching public key. */
  publicKeySpki: Buffer;
}

/** Generate a fresh secp256k1 key pair in memory. */
export function generatePrivateKey(): LoadedPrivateKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
  return describeKey(privateKey);
}

/** PEM text of a private key as SEC1 `EC PRIVATE KEY` (what the SDK writes) or PKCS#8. */
export function exportPrivateKeyPem(key: LoadedPrivateKey, format: 'sec1' | 'pkcs8' = 'sec1'): string {
  return key.key.export({ type: format, format: 'pem' }).toString();
}

/** The SDK's own key file form: base64 of SEC1 DER on one line, no PEM armour. */
export function exportPrivateKeyBareBase64(key: LoadedPrivateKey): string {
  return (key.key.export({ type: 'sec1', format: 'der' }) as Buffer).toString('base64');
}

/**
 * Load a secp256k1 private key from PEM (SEC1 or PKCS#8) or bare base64 DER (SEC1 or PKCS#8).
 * `source` names the file or option in error messages.
 */
export function loadPrivateKey(text: string | Buffer, source = 'private key'): LoadedPrivateKey {
  const raw = typeof text === 'string' ? text : text.toString('utf8');
  const trimmed = raw.trim();
  let key: KeyObject | undefined;
  try {
    if (trimmed.includes('-----BEGIN')) {
      key = createPrivateKey({ key: trimmed, format: 'pem' });
    } else {
      const der = Buffer.from(trimmed.replace(/\s+/g, ''), 'base64');
      for (const type of ['sec1', 'pkcs8'] as const) {
        try {
          key = createPrivateKey({ key: der, format: 'der', type });
          break;
        } catch {
          /* try the next form */
        }
      }
    }
  } catch (error) {
    throw invalidKey(source, 'it is not a PEM or base64 DER private key', error);
  }
  if (!key) throw invalidKey(source, 'it is not a PEM or base64 DER private key (SEC1 or PKCS#8)');
  return describeKey(key, source);
}

/** A KeyObject (loaded here, or cloned into a worker thread) with its secret scalar and public key. */
export function describeKey(key: KeyObject, source = 'private key'): LoadedPrivateKey {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'secp256k1') {
    throw invalidKey(
      source,
      `ZATCA requires an EC key on curve secp256k1, this one is ${key.asymmetricKeyType ?? 'unknown'} ${key.asymmetricKeyDetails?.namedCurve ?? ''}`.trim(),
    );
  }
  const jwk = key.export({ format: 'jwk' });
  const secret = Buffer.from(jwk.d!, 'base64url');
  const publicKeySpki = createPublicKey(key).export({ type: 'spki', format: 'der' }) as Buffer;
  return { key, secret, publicKeySpki };
}

function invalidKey(source: string, why: string, cause?: unknown): FawtaraError {
  return new FawtaraError('INVALID_KEY', `${source}: ${why}`, {
    field: source,
    messageAr: `${source}: المفتاح الخاص غير صالح؛ يجب أن يكون مفتاح EC على المنحنى secp256k1 بصيغة PEM أو base64`,
    cause,
  });
}
