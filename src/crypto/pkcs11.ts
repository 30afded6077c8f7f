// PKCS#11 tokens (network and cloud HSMs, SoftHSM): secp256k1 keys generated inside the token and
// never readable, ECDSA made by the token, sessions pooled per thread and reopened after a loss.
import { createHash } from 'node:crypto';
import type { Handle, PKCS11, Pkcs11Error, Template } from 'pkcs11js';
import { api, library, mapError, sessionLost, unavailable } from './pkcs11-module.js';
import { FawtaraError } from '../errors.js';
import { compactToDer, type Signer } from './signer.js';

export interface Pkcs11Settings {
  /** Path of the PKCS#11 module (`FAWTARA_PKCS11_MODULE`), e.g. SoftHSM's `libsofthsm2.so`. */
  module: string;
  /** Label of the token that holds the keys (`FAWTARA_PKCS11_TOKEN`). */
  token: string;
  /** The user PIN, read when a login is needed (so a rotated PIN file is picked up without a restart). */
  pin: () => string;
}

/** What a key object in the token says about itself (read through the module, never the key). */
export interface TokenKeyAttributes {
  label: string;
  sensitive: boolean;
  extractable: boolean;
  alwaysSensitive: boolean;
  neverExtractable: boolean;
}

/** secp256k1's OID 1.3.132.0.10 as DER: the CKA_EC_PARAMS ZATCA's curve needs. */
const SECP256K1_PARAMS = Buffer.from('06052b8104000a', 'hex');
/** SubjectPublicKeyInfo header of a secp256k1 key; the 65-byte uncompressed point follows. */
const SECP256K1_SPKI_HEADER = Buffer.from('3056301006072a8648ce3d020106052b8104000a034200', 'hex');

function pinDigest(pin: string): string {
  return createHash('sha256').update(pin, 'utf8').digest('hex');
}

/**
 * One token of one module. Every call takes a session from this object's pool (synchronous calls
 * answer in the calling thread; `signDigestAsync` on a libuv thread); a lost session is reopened and
 * the call tried once more; any other fault becomes KEY_UNAVAILABLE and the next call starts afresh
 * (slot, session, login).
 */
export class Pkcs11Token {
  readonly #settings: Pkcs11Settings;
  readonly #lib: () => PKCS11;
  #loaded: PKCS11 | undefined;
  #slot: Handle | undefined;
  #idle: Handle[] = [];
  #keys = new Map<string, Handle>();
  /** A PIN the token refused: never presented again (an HSM locks its PIN after a few tries). */
  #refusedPin: string | undefined;

  constructor(settings: Pkcs11Settings, lib?: PKCS11) {
    this.#settings = settings;
    this.#lib = lib ? () => lib : () => library(settings.module);
  }

  get label(): string {
    return this.#settings.token;
  }

  /** Generate a secp256k1 key pair inside the token: private half sensitive and never extractable. */
  generateKeyPair(label: string, id: Buffer): { publicKeySpki: Buffer } {
    return this.#call((lib, session) => {
      const m = api();
      const common: Template = [
        { type: m.CKA_TOKEN, value: true },
        { type: m.CKA_LABEL, value: label },
        { type: m.CKA_ID, value: id },
      ];
      const pair = lib.C_GenerateKeyPair(
        session,
        { mechanism: m.CKM_EC_KEY_PAIR_GEN },
        [
          ...common,
          { type: m.CKA_VERIFY, value: true },
          { type: m.CKA_ENCRYPT, value: false },
          { type: m.CKA_WRAP, value: false },
          { type: m.CKA_EC_PARAMS, value: SECP256K1_PARAMS },
        ],
        // A signing key and nothing else: no derive (ECDH), decrypt or unwrap, whatever the token's defaults.
        [
          ...common,
          { type: m.CKA_PRIVATE, value: true },
          { type: m.CKA_SIGN, value: true },
          { type: m.CKA_DERIVE, value: false },
          { type: m.CKA_DECRYPT, value: false },
          { type: m.CKA_UNWRAP, value: false },
          { type: m.CKA_SENSITIVE, value: true },
          { type: m.CKA_EXTRACTABLE, value: false },
        ],
      );
      this.#keys.set(id.toString('hex'), pair.privateKey);
      return { publicKeySpki: this.#spkiOf(lib, session, pair.publicKey) };
    });
  }

  /** DER ECDSA signature by the token over a 32-byte digest (CKM_ECDSA signs what it is given). */
  signDigest(id: Buffer, digest: Buffer): Buffer {
    return this.#call((lib, session) => {
      lib.C_SignInit(session, { mechanism: api().CKM_ECDSA }, this.#privateKey(lib, session, id));
      // CKM_ECDSA returns r ‖ s (32 bytes each for secp256k1); XML-DSig and X.509 want DER.
      return compactToDer(lib.C_Sign(session, digest, Buffer.alloc(72)));
    });
  }

  /** The public key the token holds under `id`, as DER SubjectPublicKeyInfo. */
  publicKeySpki(id: Buffer): Buffer {
    return this.#call((lib, session) => {
      const handle = this.#find(lib, session, api().CKO_PUBLIC_KEY, id);
      if (!handle) throw this.#missingKey(id);
      return this.#spkiOf(lib, session, handle);
    });
  }

  /** The private key object's label and protection flags; undefined when there is none under `id`. */
  keyAttributes(id: Buffer): TokenKeyAttributes | undefined {
    return this.#call((lib, session) => {
      const m = api();
      const handle = this.#find(lib, session, m.CKO_PRIVATE_KEY, id);
      if (!handle) return undefined;
      const types = [m.CKA_LABEL, m.CKA_SENSITIVE, m.CKA_EXTRACTABLE, m.CKA_ALWAYS_SENSITIVE, m.CKA_NEVER_EXTRACTABLE];
      const [label, sensitive, extractable, alwaysSensitive, neverExtractable] = lib
        .C_GetAttributeValue(
          session,
          handle,
          types.map((type) => ({ type })),
        )
        .map((a) => a.value as Buffer);
      const flag = (b: Buffer | undefined) => b !== undefined && b.length > 0 && b[0] !== 0;
      return {
        label: label?.toString('utf8') ?? '',
        sensitive: flag(sensitive),
        extractable: flag(extractable),
        alwaysSensitive: flag(alwaysSensitive),
        neverExtractable: flag(neverExtractable),
      };
    });
  }

  /** Destroy both halves of the key under `id`; true when something was destroyed. */
  destroyKey(id: Buffer): boolean {
    return this.#call((lib, session) => {
      const m = api();
      let destroyed = false;
      for (const cls of [m.CKO_PRIVATE_KEY, m.CKO_PUBLIC_KEY]) {
        for (let handle = this.#find(lib, session, cls, id), n = 0; handle && n < 8; handle = this.#find(lib, session, cls, id), n++) {
          lib.C_DestroyObject(session, handle);
          destroyed = true;
        }
      }
      this.#keys.delete(id.toString('hex'));
      return destroyed;
    });
  }

  /** Close every pooled session (tests, shutdown); the next call opens a new one. */
  close(): void {
    this.#reset();
  }

  /**
   * The same signature off the event loop: the module signs on a libuv thread, in a pooled session
   * of its own (a session runs one operation at a time; concurrent signatures each take one).
   */
  async signDigestAsync(id: Buffer, digest: Buffer): Promise<Buffer> {
    for (let attempt = 0; ; attempt++) {
      let session: Handle | undefined;
      try {
        const lib = (this.#loaded = this.#lib());
        session = this.#idle.pop() ?? this.#open(lib);
        lib.C_SignInit(session, { mechanism: api().CKM_ECDSA }, this.#privateKey(lib, session, id));
        const der = compactToDer(await lib.C_SignAsync(session, digest, Buffer.alloc(72)));
        this.#idle.push(session);
        return der;
      } catch (error) {
        this.#recover(error, session, attempt);
      }
    }
  }

  #call<T>(work: (lib: PKCS11, session: Handle) => T): T {
    for (let attempt = 0; ; attempt++) {
      let session: Handle | undefined;
      try {
        const lib = (this.#loaded = this.#lib());
        session = this.#idle.pop() ?? this.#open(lib);
        const result = work(lib, session);
        this.#idle.push(session);
        return result;
      } catch (error) {
        this.#recover(error, session, attempt);
      }
    }
  }

  /** After a failed call: return to try once more (a lost session), or throw what the caller sees. */
  #recover(error: unknown, session: Handle | undefined, attempt: number): void {
    if (error instanceof FawtaraError && error.code !== 'KEY_UNAVAILABLE') {
      if (session) this.#idle.push(session);
      throw error;
    }
    this.#reset();
    if (attempt === 0 && sessionLost(error)) return;
    throw mapError(error, this.#settings.token);
  }

  #open(lib: PKCS11): Handle {
    const m = api();
    this.#slot ??= this.#findSlot(lib);
    // The PIN first: a PIN file that cannot be read, or a PIN already refused, opens no session.
    const pin = this.#settings.pin();
    const digest = pinDigest(pin);
    if (digest === this.#refusedPin) throw mapError({ code: m.CKR_PIN_INCORRECT }, this.#settings.token);
    const session = lib.C_OpenSession(this.#slot, m.CKF_SERIAL_SESSION | m.CKF_RW_SESSION);
    try {
      lib.C_Login(session, m.CKU_USER, pin);
    } catch (error) {
      const code = (error as Pkcs11Error).code;
      if (code !== m.CKR_USER_ALREADY_LOGGED_IN) {
        if (code === m.CKR_PIN_INCORRECT || code === m.CKR_PIN_LOCKED) this.#refusedPin = digest;
        lib.C_CloseSession(session);
        throw error;
      }
    }
    this.#refusedPin = undefined;
    return session;
  }

  #findSlot(lib: PKCS11): Handle {
    for (const slot of lib.C_GetSlotList(true)) {
      if (lib.C_GetTokenInfo(slot).label.trim() === this.#settings.token) return slot;
    }
    throw unavailable(
      `no PKCS#11 token labelled "${this.#settings.token}" (FAWTARA_PKCS11_TOKEN) is present in ${this.#settings.module}: connect the HSM or correct the label; nothing was written`,
      `لا توجد وحدة أمان باسم "${this.#settings.token}" (FAWTARA_PKCS11_TOKEN)؛ صِل وحدة الأمان أو صحح الاسم؛ لم يُكتب شيء`,
      undefined,
      'FAWTARA_PKCS11_TOKEN',
    );
  }

  #privateKey(lib: PKCS11, session: Handle, id: Buffer): Handle {
    const key = id.toString('hex');
    let handle = this.#keys.get(key);
    if (!handle) {
      handle = this.#find(lib, session, api().CKO_PRIVATE_KEY, id);
      if (!handle) throw this.#missingKey(id);
      this.#keys.set(key, handle);
    }
    return handle;
  }

  #find(lib: PKCS11, session: Handle, cls: number, id: Buffer): Handle | undefined {
    const m = api();
    lib.C_FindObjectsInit(session, [
      { type: m.CKA_CLASS, value: cls },
      { type: m.CKA_ID, value: id },
    ]);
    try {
      return lib.C_FindObjects(session) ?? undefined;
    } finally {
      lib.C_FindObjectsFinal(session);
    }
  }

  #spkiOf(lib: PKCS11, session: Handle, publicKey: Handle): Buffer {
    const point = lib.C_GetAttributeValue(session, publicKey, [{ type: api().CKA_EC_POINT }])[0]?.value as Buffer | undefined;
    // CKA_EC_POINT is the DER OCTET STRING of the point; its last 65 bytes are 04 ‖ X ‖ Y.
    if (!point || point.length < 65 || point[point.length - 65] !== 0x04) {
      throw unavailable(
        `the PKCS#11 token "${this.#settings.token}" returned a public key that is not an uncompressed secp256k1 point`,
        `أعادت وحدة الأمان "${this.#settings.token}" مفتاحاً عاماً غير صالح`,
      );
    }
    return Buffer.concat([SECP256K1_SPKI_HEADER, point.subarray(point.length - 65)]);
  }

  #missingKey(id: Buffer): FawtaraError {
    return new FawtaraError(
      'KEY_UNAVAILABLE',
      `the PKCS#11 token "${this.#settings.token}" holds no key with id ${id.toString('hex')}: it was destroyed, or this is not the token the unit was onboarded with (check FAWTARA_PKCS11_TOKEN)`,
      {
        field: 'FAWTARA_PKCS11_TOKEN',
        messageAr: `وحدة الأمان "${this.#settings.token}" لا تحوي مفتاح هذه الوحدة؛ ربما أُتلف أو أن هذه ليست وحدة الأمان التي سُجلت بها (راجع FAWTARA_PKCS11_TOKEN)`,
      },
    );
  }

  #reset(): void {
    const lib = this.#loaded;
    for (const session of this.#idle) {
      try {
        lib?.C_CloseSession(session);
      } catch {
        /* already gone with the token */
      }
    }
    this.#idle = [];
    this.#keys.clear();
    this.#slot = undefined;
  }
}

/**
 * A Signer whose key stays in the token: the same signature input as the sealed signers — ECDSA over
 * SHA-256 of the message (the invoice-hash bytes, or a CSR's request info); CKM_ECDSA signs the
 * digest it is handed, so the SHA-256 is taken here.
 */
export function tokenSigner(token: Pkcs11Token, id: Buffer, publicKeySpki: Buffer): Signer {
  const digest = (message: Buffer) => createHash('sha256').update(message).digest();
  return {
    backend: 'pkcs11',
    publicKeySpki,
    sign: (message) => token.signDigest(id, digest(message)),
    signAsync: (message) => token.signDigestAsync(id, digest(message)),
  };
}
