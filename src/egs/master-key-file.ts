// Where a data directory's key-encryption key comes from, for the server and the CLI alike:
// FAWTARA_MASTER_KEY / FAWTARA_KEY_PASSPHRASE when set, else the directory's 0600 `master.key` file.
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { FleetError } from './errors.js';
import { kekSourceFromEnv, parseMasterKey, type KekSource } from './key-custody.js';

export const MASTER_KEY_FILE = 'master.key';

export interface DataDirKek {
  kek: KekSource;
  source: 'environment' | 'file-created' | 'file';
  file?: string;
}

/**
 * The key-encryption key of the store in `dataDir`. `create` (only `npm start`'s demo head office)
 * writes a random master key file when neither the environment nor the directory has one; every
 * other caller reads an existing file, or falls back to the environment's rules (which refuse an
 * unprotected store unless asked for by name).
 */
export function dataDirKek(dataDir: string, env: NodeJS.ProcessEnv = process.env, options: { create?: boolean } = {}): DataDirKek {
  if (env.FAWTARA_MASTER_KEY?.trim() || env.FAWTARA_KEY_PASSPHRASE) return { kek: kekSourceFromEnv(env), source: 'environment' };
  const file = join(dataDir, MASTER_KEY_FILE);
  if (!existsSync(file)) {
    if (!options.create) return { kek: kekSourceFromEnv(env), source: 'environment' };
    // 'wx': never overwrite a key that appeared meanwhile (a second start racing this one).
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, `${randomBytes(32).toString('hex')}\n`);
    } finally {
      closeSync(fd);
    }
    return { kek: readKeyFile(file), source: 'file-created', file };
  }
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
    throw new FleetError('KEY_STORE', `${file} is readable by other users; restrict it (chmod 600 ${file}) and start again`, {
      field: MASTER_KEY_FILE,
      messageAr: `ملف المفتاح الرئيسي ${file} مقروء لمستخدمين آخرين؛ قيّد صلاحياته (chmod 600) ثم أعد التشغيل`,
    });
  }
  return { kek: readKeyFile(file), source: 'file', file };
}

function readKeyFile(file: string): KekSource {
  return { protection: 'master-key', key: parseMasterKey(readFileSync(file, 'utf8').trim()) };
}
