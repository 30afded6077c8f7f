// ECDSA secp256k1 signing of an invoice hash (docs/zatca-notes.md §6.2: DER signature over the 32 raw hash bytes,
// i.e. ECDSA-SHA256 with the digest as message), on the fastest backend this machine offers.
import { createHash, createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import type { LoadedPrivateKey } from './keys.js';

export type SignerBackend = 'native' | 'wasm' | 'node';

/** A signing key bound to a backend. A PKCS#11 or KMS signer can implement the same interface. */
export interface Signer {
  readonly backend: SignerBackend | string;
  /** DER SubjectPublicKeyInfo of the signing key (to bind it to its certificate). */
  readonly publicKeySpki: Buffer;
  /** DER ECDSA signature over `hashBytes` (the message; hashed once more with SHA-256 by ECDSA-SHA256). */
  sign(hashBytes: Buffer): Buffer;
  /**
   * The same signature without blocking the event loop, for a key that lives elsewhere (a PKCS#11
   * token answers on a libuv thread). In-memory signers leave it out: they are faster called directly.
   */
  signAsync?(hashBytes: Buffer): Promise<Buffer>;
  /**
   * The in-memory private key, so a worker thread of this process can sign with a copy of it
   * (postMessage clones a KeyObject without exporting it; it is never written or logged). Signers
   * whose key lives elsewhere (a PKCS#11 token) leave it out and sign where they are.
   */
  readonly threadKey?: KeyObject;
}

interface NativeSecp256k1 {
  ecdsaSign(msg32: Uint8Array, seckey: Uint8Array): { signature: Uint8Array; recid: number };
  signatureExport(sig: Uint8Array, output?: Uint8Array): Uint8Array;
  signatureImport(sig: Uint8Array, output?: Uint8Array): Uint8Array;
  signatureNormalize(sig: Uint8Array): Uint8Array;
  ecdsaVerify(sig: Uint8Array, msg32: Uint8Array, pubkey: Uint8Array): boolean;
  publicKeyConvert(pubkey: Uint8Array, compressed?: boolean): Uint8Array;
}
interface TinySecp256k1 {
  sign(h: Uint8Array, d: Uint8Array): Uint8Array;
  verify(h: Uint8Array, Q: Uint8Array, signature: Uint8Array): boolean;
}

const require = createRequire(import.meta.url);
let nativeModule: NativeSecp256k1 | null | undefined;
let wasmModule: TinySecp256k1 | null | undefined;

/** libsecp256k1 through the `secp256k1` addon, only when its native binding loads (never its JS fallback). */
function loadNative(): NativeSecp256k1 | null {
  if (nativeModule === undefined) {
    try {
      nativeModule = require('secp256k1/bindings') as NativeSecp256k1;
    } catch {
      nativeModule = null;
    }
  }
  return nativeModule;
}

function loadWasm(): TinySecp256k1 | null {
  if (wasmModule === undefined) {
    try {
      wasmModule = require('tiny-secp256k1') as TinySecp256k1;
    } catch {
      wasmModule = null;
    }
  }
  return wasmModule;
}

/** Backends usable here, fastest first. */
export function availableSignerBackends(): SignerBackend[] {
  const out: SignerBackend[] = [];
  if (loadNative()) out.push('native');
  if (loadWasm()) out.push('wasm');
  out.push('node');
  return out;
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

/** DER SEQUENCE{r, s} from a 64-byte compact signature. */
export function compactToDer(compact: Uint8Array): Buffer {
  const int = (b: Uint8Array): Buffer => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const v = Buffer.from(b.subarray(i));
    return v[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v;
  };
  const r = int(compact.subarray(0, 32));
  const s = int(compact.subarray(32, 64));
  const body = Buffer.concat([Buffer.from([0x02, r.length]), r, Buffer.from([0x02, s.length]), s]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/** Create a signer for `key`; `backend` forces one (tests compare them), default the fastest. */
export function createSigner(key: LoadedPrivateKey, backend?: SignerBackend): Signer {
  const chosen = backend ?? availableSignerBackends()[0]!;
  const publicKeySpki = key.publicKeySpki;
  if (chosen === 'native') {
    const lib = loadNative();
    if (!lib) throw new Error('the libsecp256k1 native addon is not available on this machine');
    const secret = new Uint8Array(key.secret);
    return {
      backend: 'native',
      publicKeySpki,
      threadKey: key.key,
      sign: (hashBytes) => Buffer.from(lib.signatureExport(lib.ecdsaSign(sha256(hashBytes), secret).signature)),
    };
  }
  if (chosen === 'wasm') {
    const lib = loadWasm();
    if (!lib) throw new Error('the tiny-secp256k1 WASM module is not available on this machine');
    const secret = new Uint8Array(key.secret);
    return { backend: 'wasm', publicKeySpki, threadKey: key.key, sign: (hashBytes) => compactToDer(lib.sign(sha256(hashBytes), secret)) };
  }
  const k: KeyObject = key.key;
  return { backend: 'node', publicKeySpki, threadKey: k, sign: (hashBytes) => nodeSign('sha256', hashBytes, { key: k, dsaEncoding: 'der' }) };
}

/** A public key prepared once for repeated verification. */
export interface Verifier {
  verify(hashBytes: Buffer, derSignature: Buffer): boolean;
}

/** Verifier for a DER SPKI public key: libsecp256k1 when present, node:crypto otherwise. */
export function createVerifier(publicKeySpki: Buffer): Verifier {
  const lib = loadNative();
  if (lib && publicKeySpki.length === 88) {
    // secp256k1 SPKI = 23-byte header + 65-byte uncompressed point.
    const point = new Uint8Array(publicKeySpki.subarray(publicKeySpki.length - 65));
    return {
      verify(hashBytes, der) {
        let compact: Uint8Array;
        try {
          compact = lib.signatureNormalize(lib.signatureImport(new Uint8Array(der)));
        } catch {
          return false;
        }
        // DER signatures with a high S are valid ECDSA; normalizing keeps libsecp256k1 from refusing them.
        return lib.ecdsaVerify(compact, sha256(hashBytes), point);
      },
    };
  }
  const key = createPublicKey({ key: publicKeySpki, format: 'der', type: 'spki' });
  return {
    verify: (hashBytes, der) => {
      try {
        return nodeVerify('sha256', hashBytes, { key, dsaEncoding: 'der' }, der);
      } catch {
        return false;
      }
    },
  };
}
