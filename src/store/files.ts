// The data directory on disk: owner-only permissions (0700, files 0600) whatever existed before, and
// the store marker that tells "a new directory" from "a store whose database went missing".
import { randomUUID } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RESTORE_STEPS, StoreFault } from './faults.js';

/** The SQLite file of a data directory. */
export const DATABASE_FILE = 'fawtara.db';
/** Written once the store exists; its absence with a database missing means "new directory". */
export const MARKER_FILE = 'fawtara.store';
/** SQLite's companions of the database file: the write-ahead log, its index, a rollback journal. */
export const DATABASE_COMPANIONS = ['-wal', '-shm', '-journal'] as const;

/** Files of ours in a data directory that hold secrets or the record (tightened to 0600 on open). */
const PRIVATE_FILES = [
  DATABASE_FILE,
  ...DATABASE_COMPANIONS.map((s) => DATABASE_FILE + s),
  MARKER_FILE,
  'fawtara.log',
  'server.log',
  'master.key',
  'demo.json',
];

export interface StoreMarker {
  format: 'fawtara-store';
  version: 1;
  /** The store's id, also kept in the database (`store_meta`): a different database here is another store. */
  storeId: string;
  database: string;
  createdAt: string;
}

const posix = process.platform !== 'win32';

/** chmod when the mode is wider (or other) than wanted; no-op where permissions are not POSIX. */
export function restrictMode(path: string, mode: number): void {
  if (!posix || !existsSync(path)) return;
  if ((statSync(path).mode & 0o777) !== mode) chmodSync(path, mode);
}

/**
 * Create the data directory owner-only, or tighten an existing one to 0700 and our files in it to
 * 0600: password hashes, sealed keys, token hashes and logs are nobody else's business.
 */
export function secureDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  restrictMode(dir, 0o700);
  for (const name of PRIVATE_FILES) restrictMode(join(dir, name), 0o600);
}

/** The database file and whichever companions exist, to 0600 (SQLite gives new companions the file's mode). */
export function secureDatabaseFiles(file: string): void {
  restrictMode(file, 0o600);
  for (const suffix of DATABASE_COMPANIONS) restrictMode(file + suffix, 0o600);
}

/** Create an empty database file with mode 0600 before SQLite does (so its companions inherit it). */
export function createPrivateFile(file: string): void {
  closeSync(openSync(file, 'a', 0o600));
  restrictMode(file, 0o600);
}

export function readMarker(dir: string): StoreMarker | undefined {
  const file = join(dir, MARKER_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<StoreMarker>;
    if (parsed.format === 'fawtara-store' && typeof parsed.storeId === 'string') return parsed as StoreMarker;
  } catch {
    // fall through: a marker we cannot read still says a store was here
  }
  return { format: 'fawtara-store', version: 1, storeId: '(unreadable marker)', database: DATABASE_FILE, createdAt: '(unknown)' };
}

/** Write the marker atomically and durably (temp file, fsync, rename, fsync of the directory). */
export function writeMarker(dir: string, storeId: string, at: Date = new Date()): StoreMarker {
  const marker: StoreMarker = { format: 'fawtara-store', version: 1, storeId, database: DATABASE_FILE, createdAt: at.toISOString() };
  writeDurably(join(dir, MARKER_FILE), `${JSON.stringify(marker, null, 2)}\n`);
  return marker;
}

function writeDurably(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  syncDirectory(dirname(file));
}

/** fsync a directory so a rename in it survives a power cut (not possible on Windows; skipped there). */
export function syncDirectory(dir: string): void {
  if (!posix) return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Bytes of the database file, or undefined when there is none. */
export function databaseSize(file: string): number | undefined {
  return existsSync(file) ? statSync(file).size : undefined;
}

/**
 * Never start over silently: a directory whose marker says it held a store, but whose database is
 * missing or empty, is an error with the ways out — not a fresh, empty store.
 */
export function refuseLostDatabase(dir: string, marker: StoreMarker, size: number | undefined): StoreFault {
  const file = join(dir, DATABASE_FILE);
  const what = size === undefined ? 'is missing' : 'is empty (0 bytes)';
  const whatAr = size === undefined ? 'مفقود' : 'فارغ (0 بايت)';
  return new StoreFault(
    'MISSING',
    `${dir} held a Fawtara store (id ${marker.storeId}, created ${marker.createdAt}) but its database ${file} ${what}; nothing was created. ` +
      `If the file was moved, put it back. Otherwise: ${RESTORE_STEPS.en} ` +
      `To really begin a new, empty store, move ${dir} aside (keep it: it holds the log) and start again.`,
    {
      field: 'data directory',
      messageAr:
        `احتوى ${dir} على مخزن Fawtara لكن ملف قاعدة البيانات ${whatAr}؛ لم يُنشأ شيء. إن نُقل الملف فأعده إلى مكانه، وإلا: ${RESTORE_STEPS.ar} ` +
        `ولبدء مخزن جديد فارغ فعلاً انقل المجلد جانباً (احتفظ به) ثم ابدأ من جديد.`,
    },
  );
}

/** The database in the directory carries another store's id than the marker: a file was swapped in. */
export function refuseOtherStore(dir: string, marker: StoreMarker, found: string): StoreFault {
  return new StoreFault(
    'OTHER_STORE',
    `the database in ${dir} is another store (id ${found}) than the one this directory held (id ${marker.storeId}); Fawtara will not use it. ` +
      `Put the right file back, or bring a backup in with \`fawtara restore BACKUP_FILE --data ${dir} --force\`, which records the new store's id.`,
    {
      field: 'data directory',
      messageAr: `قاعدة البيانات في ${dir} تعود لمخزن آخر غير الذي احتواه المجلد؛ أعد الملف الصحيح أو استخدم fawtara restore لاستعادة نسخة احتياطية`,
    },
  );
}

/** `create: false` and nothing there: no store yet (the CLI names the command that creates one). */
export function noStore(dir: string): StoreFault {
  return new StoreFault('NO_STORE', `there is no Fawtara store in ${dir} yet`, { field: 'data directory', messageAr: `لا يوجد مخزن Fawtara في ${dir} بعد` });
}
