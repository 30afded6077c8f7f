// Unit keys in a PKCS#11 token (issue 16): the FAWTARA_PKCS11_* settings, the provider that makes,
// signs with and destroys keys there, and the fleet provider that serves sealed and token units alike.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { createCsr } from '../crypto/csr.js';
import { Pkcs11Token, tokenSigner, type Pkcs11Settings } from '../crypto/pkcs11.js';
import type { Signer } from '../crypto/signer.js';
import { FawtaraError } from '../errors.js';
import { credentials, tenants, units, type Database, type UnitKey } from '../store/index.js';
import { FleetError } from './errors.js';
import type { KeyProvider, UnitKeyScope } from './key-custody.js';
import type { Redactor } from './redact.js';

/** Where a unit's keys are made and kept: `sealed` in this store (the default) or `pkcs11` in a token. */
export const KEY_PROVIDERS = ['sealed', 'pkcs11'] as const;
export type KeyProviderName = (typeof KEY_PROVIDERS)[number];

function notConfigured(what: string, whatAr: string, field = 'FAWTARA_PKCS11_MODULE'): FawtaraError {
  return new FawtaraError('KEY_UNAVAILABLE', `${what}; nothing was written`, { field, messageAr: `${whatAr}؛ لم يُكتب شيء` });
}

/**
 * The token settings from the environment, or undefined when FAWTARA_PKCS11_MODULE is not set. The PIN
 * comes from FAWTARA_PKCS11_PIN or FAWTARA_PKCS11_PIN_FILE only (never a command-line option), is read
 * when the token asks for a login (a rotated PIN file needs no restart) and is registered with the
 * redactor so no log or message can carry it.
 */
export function pkcs11SettingsFromEnv(env: NodeJS.ProcessEnv, redactor: Redactor): Pkcs11Settings | undefined {
  const module = env.FAWTARA_PKCS11_MODULE?.trim();
  if (!module) return undefined;
  const token = env.FAWTARA_PKCS11_TOKEN?.trim() ?? '';
  return {
    module,
    token,
    pin: () => {
      if (token === '') {
        throw notConfigured(
          'FAWTARA_PKCS11_TOKEN is not set: give the label of the token that holds the keys',
          'لم يُعيَّن FAWTARA_PKCS11_TOKEN: حدد اسم وحدة الأمان',
          'FAWTARA_PKCS11_TOKEN',
        );
      }
      const file = env.FAWTARA_PKCS11_PIN_FILE?.trim();
      let pin = env.FAWTARA_PKCS11_PIN;
      if (file) {
        try {
          pin = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
        } catch (error) {
          throw new FawtaraError(
            'KEY_UNAVAILABLE',
            `FAWTARA_PKCS11_PIN_FILE (${file}) cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}; nothing was written`,
            {
              field: 'FAWTARA_PKCS11_PIN_FILE',
              messageAr: 'تعذرت قراءة ملف رمز PIN المحدد في FAWTARA_PKCS11_PIN_FILE؛ لم يُكتب شيء',
            },
          );
        }
      }
      if (!pin) {
        throw notConfigured(
          'the PKCS#11 user PIN is not set: put it in FAWTARA_PKCS11_PIN or in a file named by FAWTARA_PKCS11_PIN_FILE',
          'لم يُعيَّن رمز PIN لوحدة الأمان: ضعه في FAWTARA_PKCS11_PIN أو في ملف يحدده FAWTARA_PKCS11_PIN_FILE',
          'FAWTARA_PKCS11_PIN',
        );
      }
      redactor.add(pin);
      return pin;
    },
  };
}

/** CKA_ID of a unit key: the 16 bytes of its UUID, so the store row and the token objects name each other. */
export function tokenKeyId(keyId: string): Buffer {
  return Buffer.from(keyId.replace(/-/g, ''), 'hex');
}

/** CKA_LABEL: taxpayer, unit (name and generation) and the key's number within the unit, for people using the HSM's tools. */
async function keyLabel(db: Kysely<Database>, scope: UnitKeyScope): Promise<string> {
  const unit = await units.findUnitById(db, scope.taxpayerId, scope.unitId);
  const taxpayer = await tenants.findTaxpayerById(db, scope.taxpayerId);
  const n = (await credentials.listKeys(db, scope)).length + 1;
  return `fawtara/${taxpayer?.vat_number ?? scope.taxpayerId}/${unit?.name ?? scope.unitId}/g${unit?.generation ?? 1}/k${n}`;
}

function notOfUnit(scope: UnitKeyScope, keyId: string): FleetError {
  return new FleetError('CERTIFICATE_NOT_OF_UNIT', `key ${keyId} does not belong to unit ${scope.unitId}; a unit signs only with its own key`, {
    field: 'unit',
    messageAr: 'المفتاح لا ينتمي إلى هذه الوحدة؛ لا توقّع الوحدة إلا بمفتاحها',
  });
}

/** The PKCS#11 provider: keys generated in `token`, the store keeps only their public half and labels. */
export function pkcs11KeyProvider(token: Pkcs11Token): KeyProvider {
  const rowOf = async (db: Kysely<Database>, scope: UnitKeyScope, keyId: string): Promise<UnitKey> => {
    const row = await credentials.findKey(db, scope, keyId);
    if (!row || row.provider !== 'pkcs11') throw notOfUnit(scope, keyId);
    if (row.destroyed_at) {
      throw new FawtaraError('KEY_UNAVAILABLE', `key ${row.key_label} was destroyed in its token on ${row.destroyed_at}; the unit cannot sign with it`, {
        field: 'unit',
        messageAr: 'أُتلف مفتاح هذه الوحدة في وحدة الأمان؛ لا يمكن التوقيع به',
      });
    }
    return row;
  };
  const signerOf = (row: UnitKey): Signer => tokenSigner(token, tokenKeyId(row.id), Buffer.from(row.public_key_spki, 'base64'));
  return {
    name: 'pkcs11',
    async generateKey(db, scope, at) {
      const keyId = randomUUID();
      const label = await keyLabel(db, scope);
      const { publicKeySpki } = token.generateKeyPair(label, tokenKeyId(keyId));
      try {
        await credentials.insertKey(db, {
          id: keyId,
          unit_id: scope.unitId,
          taxpayer_id: scope.taxpayerId,
          provider: 'pkcs11',
          public_key_spki: publicKeySpki.toString('base64'),
          sealed_private_key: '',
          created_at: at.toISOString(),
          token_label: token.label,
          key_label: label,
          destroyed_at: null,
        });
      } catch (error) {
        // No row, no key: a key the store does not know would never be used or destroyed.
        try {
          token.destroyKey(tokenKeyId(keyId));
        } catch {
          /* the token went away too; the orphan carries its label */
        }
        throw error;
      }
      return { keyId, publicKeySpki };
    },
    async createCsr(db, scope, keyId, config, environment) {
      return createCsr({ config, privateKey: signerOf(await rowOf(db, scope, keyId)), environment });
    },
    async signer(db, scope, keyId) {
      return signerOf(await rowOf(db, scope, keyId));
    },
    async destroyKey(db, scope, keyId, at) {
      const row = await credentials.findKey(db, scope, keyId);
      if (!row || row.provider !== 'pkcs11') throw notOfUnit(scope, keyId);
      if (row.destroyed_at) return false;
      token.destroyKey(tokenKeyId(keyId));
      await credentials.markKeyDestroyed(db, scope, keyId, at.toISOString());
      return true;
    },
  };
}

/**
 * The fleet's provider: a unit's new keys go where the unit says (`egs_units.key_provider`), and an
 * existing key is used where it was made (`unit_keys.provider`). The token is opened on first use, so
 * a fleet of sealed units never loads a PKCS#11 module (`tokenOf` lets a test wrap the module).
 */
export function fleetKeyProvider(sealed: KeyProvider, settings: Pkcs11Settings | undefined, tokenOf = (s: Pkcs11Settings) => new Pkcs11Token(s)): KeyProvider {
  let pkcs11: KeyProvider | undefined;
  const token = (): KeyProvider => {
    if (!settings) {
      throw notConfigured(
        'this unit keeps its keys in a PKCS#11 token, but FAWTARA_PKCS11_MODULE is not set: configure the module, FAWTARA_PKCS11_TOKEN and the PIN (docs/keys.md)',
        'مفاتيح هذه الوحدة في وحدة أمان PKCS#11 لكن FAWTARA_PKCS11_MODULE غير معيّن: اضبط المكتبة واسم الوحدة ورمز PIN',
      );
    }
    return (pkcs11 ??= pkcs11KeyProvider(tokenOf(settings)));
  };
  const byKey = async (db: Kysely<Database>, scope: UnitKeyScope, keyId: string) =>
    (await credentials.findKey(db, scope, keyId))?.provider === 'pkcs11' ? token() : sealed;
  return {
    name: 'fleet',
    accepts(provider) {
      if (provider === 'pkcs11' && !settings) token();
    },
    async generateKey(db, scope, at) {
      const unit = await units.findUnitById(db, scope.taxpayerId, scope.unitId);
      return (unit?.key_provider === 'pkcs11' ? token() : sealed).generateKey(db, scope, at);
    },
    createCsr: async (db, scope, keyId, config, environment) => (await byKey(db, scope, keyId)).createCsr(db, scope, keyId, config, environment),
    signer: async (db, scope, keyId) => (await byKey(db, scope, keyId)).signer(db, scope, keyId),
    async destroyKey(db, scope, keyId, at) {
      const provider = await byKey(db, scope, keyId);
      return provider.destroyKey ? provider.destroyKey(db, scope, keyId, at) : false;
    },
  };
}
