// Key custody for the demo: FAWTARA_MASTER_KEY (or a passphrase) when set; otherwise a random
// master key in the data directory, created once with 0600 permissions and refused if others can read it.
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { kekSourceFromEnv, parseMasterKey, type KekSource } from '../egs/index.js';
import { FawtaraError } from '../errors.js';

export const MASTER_KEY_FILE = 'master.key';

export interface DemoKek {
  kek: KekSource;
  source: 'environment' | 'file-created' | 'file';
  file?: string;
}

export function demoKek(dataDir: string, env: NodeJS.ProcessEnv = process.env): DemoKek {
  if (env.FAWTARA_MASTER_KEY?.trim() || env.FAWTARA_KEY_PASSPHRASE) return { kek: kekSourceFromEnv(env), source: 'environment' };
  const file = join(dataDir, MASTER_KEY_FILE);
  if (!existsSync(file)) {
    // 'wx': never overwrite a key that appeared meanwhile (a second start racing this one).
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, `${randomBytes(32).toString('hex')}\n`);
    } finally {
      closeSync(fd);
    }
    return { kek: { protection: 'master-key', key: parseMasterKey(readFileSync(file, 'utf8').trim()) }, source: 'file-created', file };
  }
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
    throw new FawtaraError('KEY_STORE', `${file} is readable by other users; restrict it (chmod 600 ${file}) and start again`, {
      field: MASTER_KEY_FILE,
      messageAr: `ملف المفتاح الرئيسي ${file} مقروء لمستخدمين آخرين؛ قيّد صلاحياته (chmod 600) ثم أعد التشغيل`,
    });
  }
  return { kek: { protection: 'master-key', key: parseMasterKey(readFileSync(file, 'utf8').trim()) }, source: 'file', file };
}
