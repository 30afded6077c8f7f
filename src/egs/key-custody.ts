// Key custody: the key-encryption key (FAWTARA_MASTER_KEY or a scrypt passphrase), AES-256-GCM
// envelopes bound to their unit, and the KeyProvider seam the PKCS#11 provider also implements.
import { createCipheriv, createDecipheriv, randomBytes, randomUUID, scryptSync } from 'node:crypto';
import type { Kysely } from 'kysely';
import { createCsr, type CreatedCsr, type ZatcaEnvironment } from '../crypto/csr.js';
import type { CsrConfig } from '../crypto/csr-config.js';
import { generatePrivateKey, loadPrivateKey } from '../crypto/keys.js';
import { createSigner, type Signer } from '../crypto/signer.js';
import { credentials, logs, type Database } from '../store/index.js';
import { FleetError } from './errors.js';
import type { Redactor } from './redact.js';

export type KekSource =
  | { protection: 'master-key'; key: Buffer }
  | { protection: 'passphrase'; passphrase: string }
  /** Tests and local development only, chosen explicitly by name (never a silent fallback). */
  | { protection: 'unprotected' };

/** The explicit opt-in for an unprotected key store (tests, local development). */
export const UNPROTECTED_ENV = 'FAWTARA_DEV_UNPROTECTED_KEYS';

/**
 * Where the KEK comes from: `FAWTARA_MASTER_KEY` (32 bytes, base64 or hex), else
 * `FAWTARA_KEY_PASSPHRASE`, else — only when `FAWTARA_DEV_UNPROTECTED_KEYS=1` or the caller opts in —
 * an unprotected store. Otherwise refuse to start.
 */
export function kekSourceFromEnv(env: NodeJS.ProcessEnv, options: { allowUnprotected?: boolean } = {}): KekSource {
  const master = env.FAWTARA_MASTER_KEY?.trim();
  if (master) return { protection: 'master-key', key: parseMasterKey(master) };
  const passphrase = env.FAWTARA_KEY_PASSPHRASE;
  if (passphrase) {
    if (passphrase.length < 12) {
      throw new FleetError('KEY_STORE', 'FAWTARA_KEY_PASSPHRASE is too short: use at least 12 characters', {
        field: 'FAWTARA_KEY_PASSPHRASE',
        messageAr: 'عبارة المرور FAWTARA_KEY_PASSPHRASE قصيرة جداً: استخدم 12 حرفاً على الأقل',
      });
    }
    return { protection: 'passphrase', passphrase };
  }
  if (options.allowUnprotected || env[UNPROTECTED_ENV] === '1') return { protection: 'unprotected' };
  throw new FleetError(
    'KEY_STORE',
    `refusing to start with an unprotected key store: set FAWTARA_MASTER_KEY (32 bytes, base64 or hex) or FAWTARA_KEY_PASSPHRASE; for tests and local development only, ${UNPROTECTED_ENV}=1`,
    {
      field: 'FAWTARA_MASTER_KEY',
      messageAr: `لن يبدأ التشغيل ومخزن المفاتيح غير محمي: عيّن FAWTARA_MASTER_KEY (32 بايت بصيغة base64 أو hex) أو FAWTARA_KEY_PASSPHRASE؛ وللاختبار فقط ${UNPROTECTED_ENV}=1`,
    },
  );
}

export function parseMasterKey(text: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32 || (!/^[0-9a-fA-F]{64}$/.test(text) && key.toString('base64').replace(/=+$/, '') !== text.replace(/=+$/, ''))) {
    throw new FleetError('KEY_STORE', 'FAWTARA_MASTER_KEY must be 32 random bytes written as 64 hex digits or 44 base64 characters', {
      field: 'FAWTARA_MASTER_KEY',
      messageAr: 'يجب أن يكون FAWTARA_MASTER_KEY مكوّناً من 32 بايت عشوائياً مكتوباً بـ 64 خانة hex أو 44 حرف base64',
    });
  }
  return key;
}

const CHECK_PLAINTEXT = Buffer.from('fawtara key store v1');
const CHECK_AAD = 'key-store-check';
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

/** Seals and opens secrets under the store's KEK; the KEK itself never leaves this object. */
export class KeyVault {
  readonly #kek: Buffer;
  constructor(
    kek: Buffer,
    readonly protection: KekSource['protection'],
  ) {
    this.#kek = kek;
  }

  /** `v1.` + base64(iv ‖ tag ‖ ciphertext); `context` is authenticated, so an envelope moved elsewhere fails. */
  seal(plaintext: Buffer, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#kek, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return 'v1.' + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  open(sealed: string, context: string): Buffer {
    try {
      if (!sealed.startsWith('v1.')) throw new Error('unknown envelope version');
      const raw = Buffer.from(sealed.slice(3), 'base64');
      const decipher = createDecipheriv('aes-256-gcm', this.#kek, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
    } catch (error) {
      throw new FleetError(
        'KEY_STORE',
        `a sealed secret (${context.split(':')[0]}) cannot be opened: wrong key-encryption key, or it was moved from another unit`,
        {
          field: 'FAWTARA_MASTER_KEY',
          messageAr: 'تعذر فتح سر مختوم: مفتاح التشفير الرئيسي غير صحيح أو نُقل السر من وحدة أخرى',
          cause: error,
        },
      );
    }
  }
}

/** Open the store's key vault: the first open records how it is protected; later opens must match. */
export async function openKeyVault(db: Kysely<Database>, source: KekSource, at: Date): Promise<KeyVault> {
  let meta = await logs.readKeyStore(db);
  if (!meta) {
    const salt = source.protection === 'passphrase' ? randomBytes(16).toString('base64') : null;
    const vault = new KeyVault(deriveKek(source, salt), source.protection);
    meta = await logs.initKeyStore(db, {
      id: 'kek',
      protection: source.protection,
      salt,
      check_value: vault.seal(CHECK_PLAINTEXT, CHECK_AAD),
      created_at: at.toISOString(),
    });
  }
  if (meta.protection !== source.protection) {
    throw new FleetError(
      'KEY_STORE',
      `this key store is protected by ${meta.protection === 'unprotected' ? 'nothing (it was created for tests)' : meta.protection === 'master-key' ? 'FAWTARA_MASTER_KEY' : 'FAWTARA_KEY_PASSPHRASE'}, but ${source.protection === 'unprotected' ? 'no key-encryption key' : source.protection === 'master-key' ? 'FAWTARA_MASTER_KEY' : 'FAWTARA_KEY_PASSPHRASE'} was given; configure the same protection it was created with`,
      { field: 'FAWTARA_MASTER_KEY', messageAr: 'طريقة حماية مخزن المفاتيح لا تطابق الإعداد الحالي؛ استخدم نفس الحماية التي أُنشئ بها' },
    );
  }
  const vault = new KeyVault(deriveKek(source, meta.salt), source.protection);
  const check = (() => {
    try {
      return vault.open(meta.check_value, CHECK_AAD);
    } catch {
      return undefined;
    }
  })();
  if (!check || !check.equals(CHECK_PLAINTEXT)) {
    throw new FleetError(
      'KEY_STORE',
      `the configured ${source.protection === 'passphrase' ? 'FAWTARA_KEY_PASSPHRASE' : 'FAWTARA_MASTER_KEY'} does not open this key store; use the one it was created with`,
      {
        field: source.protection === 'passphrase' ? 'FAWTARA_KEY_PASSPHRASE' : 'FAWTARA_MASTER_KEY',
        messageAr: 'مفتاح التشفير الرئيسي المعيّن لا يفتح مخزن المفاتيح هذا؛ استخدم المفتاح الذي أُنشئ به',
      },
    );
  }
  return vault;
}

function deriveKek(source: KekSource, salt: string | null): Buffer {
  if (source.protection === 'master-key') return source.key;
  if (source.protection === 'passphrase') return scryptSync(source.passphrase, Buffer.from(salt ?? '', 'base64'), 32, SCRYPT);
  // Deliberately a constant: an unprotected store is marked as such and refused outside tests.
  return Buffer.alloc(32, 0);
}

export interface UnitKeyScope {
  taxpayerId: string;
  unitId: string;
}

export interface KeyHandle {
  keyId: string;
  publicKeySpki: Buffer;
}

/**
 * Where a unit's private key lives. The software provider keeps it sealed in the store; the PKCS#11
 * provider (`egs/pkcs11-keys.ts`) keeps it in a token and implements the same operations.
 */
export interface KeyProvider {
  readonly name: string;
  generateKey(db: Kysely<Database>, scope: UnitKeyScope, at: Date): Promise<KeyHandle>;
  createCsr(db: Kysely<Database>, scope: UnitKeyScope, keyId: string, config: CsrConfig, environment: ZatcaEnvironment): Promise<CreatedCsr>;
  signer(db: Kysely<Database>, scope: UnitKeyScope, keyId: string): Promise<Signer>;
  /** Destroy a key that will never sign again (a token's objects); false when there was nothing to do. */
  destroyKey?(db: Kysely<Database>, scope: UnitKeyScope, keyId: string, at: Date): Promise<boolean>;
  /** Throw when units cannot be registered with this provider name here (e.g. no token configured). */
  accepts?(provider: 'sealed' | 'pkcs11'): void;
}

export function keyContext(scope: UnitKeyScope, keyId: string): string {
  return `unit-key:${scope.taxpayerId}:${scope.unitId}:${keyId}`;
}

export function secretContext(scope: UnitKeyScope, csidId: string): string {
  return `csid-secret:${scope.taxpayerId}:${scope.unitId}:${csidId}`;
}

/** The software key provider: secp256k1 keys sealed with the vault, opened only to sign. */
export function softwareKeyProvider(vault: KeyVault, redactor: Redactor): KeyProvider {
  const open = async (db: Kysely<Database>, scope: UnitKeyScope, keyId: string) => {
    const row = await credentials.findKey(db, scope, keyId);
    if (!row) {
      throw new FleetError('CERTIFICATE_NOT_OF_UNIT', `key ${keyId} does not belong to unit ${scope.unitId}; a unit signs only with its own key`, {
        field: 'unit',
        messageAr: 'المفتاح لا ينتمي إلى هذه الوحدة؛ لا توقّع الوحدة إلا بمفتاحها',
      });
    }
    const der = vault.open(row.sealed_private_key, keyContext(scope, keyId));
    const key = loadPrivateKey(der.toString('base64'), 'unit key');
    redactor.addKeyMaterial({ secretScalar: key.secret, der });
    return key;
  };
  return {
    name: 'software',
    async generateKey(db, scope, at) {
      const key = generatePrivateKey();
      const der = key.key.export({ type: 'sec1', format: 'der' }) as Buffer;
      redactor.addKeyMaterial({ secretScalar: key.secret, der });
      const keyId = randomUUID();
      await credentials.insertKey(db, {
        id: keyId,
        unit_id: scope.unitId,
        taxpayer_id: scope.taxpayerId,
        provider: 'software',
        public_key_spki: key.publicKeySpki.toString('base64'),
        sealed_private_key: vault.seal(der, keyContext(scope, keyId)),
        created_at: at.toISOString(),
        token_label: null,
        key_label: null,
        destroyed_at: null,
      });
      return { keyId, publicKeySpki: key.publicKeySpki };
    },
    async createCsr(db, scope, keyId, config, environment) {
      return createCsr({ config, privateKey: await open(db, scope, keyId), environment });
    },
    async signer(db, scope, keyId) {
      return createSigner(await open(db, scope, keyId));
    },
  };
}
