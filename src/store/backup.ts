// Backup and restore of the SQLite store: an online, consistent copy (`VACUUM INTO`, one read
// transaction, so writers go on), and a restore that stages, checks and only then swaps files in.
import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, existsSync, fsyncSync, linkSync, mkdirSync, openSync, closeSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { FawtaraError } from '../errors.js';
import { asStoreError, damaged } from './faults.js';
import {
  createPrivateFile,
  DATABASE_COMPANIONS,
  DATABASE_FILE,
  databaseSize,
  noStore,
  readMarker,
  refuseLostDatabase,
  restrictMode,
  secureDataDir,
  syncDirectory,
  writeMarker,
} from './files.js';
import { quickCheck } from './integrity.js';

export interface BackupFacts {
  file: string;
  bytes: number;
  sha256: string;
  storeId: string;
  /** When the copy's snapshot was taken (also written into the copy's `store_meta`). */
  takenAt: string;
  documents: number;
}

const BUSY_MS = 10_000;

/** The live database file of a data directory, refusing a directory without a store or with a lost one. */
function liveDatabase(dataDir: string): string {
  const file = join(dataDir, DATABASE_FILE);
  const size = databaseSize(file);
  const marker = readMarker(dataDir);
  if (!size) throw marker ? refuseLostDatabase(dataDir, marker, size) : noStore(dataDir);
  return file;
}

/**
 * Copy the store in `dataDir` to `out` (never overwritten) while it may be in use: one read snapshot,
 * so the copy is a consistent store even if the server commits meanwhile. The copy is checked
 * (quick_check), owner-only (0600), durable (fsync) and self-contained (no -wal to carry).
 */
export async function backupStore(dataDir: string, out: string, at: Date = new Date()): Promise<BackupFacts> {
  const file = liveDatabase(dataDir);
  if (existsSync(out)) {
    throw new FawtaraError('CONFLICT', `${out} already exists; a backup never overwrites a file — choose a new name`, {
      field: '--out',
      messageAr: `الملف ${out} موجود؛ لا تستبدل النسخة الاحتياطية أي ملف، فاختر اسماً جديداً`,
    });
  }
  if (!existsSync(dirname(out))) {
    throw new FawtaraError('FILE_NOT_FOUND', `the folder of ${out} does not exist`, { field: '--out', messageAr: `مجلد ${out} غير موجود` });
  }
  const partial = join(dirname(out), `.${basename(out)}.${process.pid}.partial`);
  try {
    snapshot(file, partial);
    const facts = stamp(partial, at);
    durable(partial);
    // link + unlink: fails instead of replacing a file that appeared at `out` meanwhile.
    linkSync(partial, out);
    rmSync(partial, { force: true });
    syncDirectory(dirname(out));
    return { file: out, bytes: statSync(out).size, sha256: await sha256(out), ...facts };
  } catch (error) {
    rmSync(partial, { force: true });
    throw asStoreError(error, file);
  }
}

function snapshot(file: string, partial: string): void {
  const source = new BetterSqlite3(file, { fileMustExist: true, timeout: BUSY_MS });
  try {
    const problems = quickCheck(source);
    // A copy of a damaged file is a damaged backup: say so now rather than at restore time.
    if (problems.length > 0) throw damaged('INTEGRITY', `${file}: ${problems.join('; ')}`);
    // VACUUM INTO wants an absent or empty target: an empty one made 0600 first keeps it private throughout.
    createPrivateFile(partial);
    source.prepare('VACUUM INTO ?').run(partial);
  } finally {
    source.close();
  }
}

/** Make the copy self-contained, record when it was taken, and check it. */
function stamp(partial: string, at: Date): Omit<BackupFacts, 'file' | 'bytes' | 'sha256'> {
  const copy = new BetterSqlite3(partial, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
    const takenAt = at.toISOString();
    copy.prepare(`INSERT INTO store_meta (key, value) VALUES ('backup_taken_at', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(takenAt);
    const problems = quickCheck(copy);
    if (problems.length > 0) throw damaged('INTEGRITY', `the copy ${partial}: ${problems.join('; ')}`);
    const storeId = (copy.prepare(`SELECT value FROM store_meta WHERE key = 'store_id'`).get() as { value: string } | undefined)?.value ?? '(none)';
    const documents = (copy.prepare('SELECT count(*) AS n FROM documents').get() as { n: number }).n;
    return { storeId, takenAt, documents };
  } finally {
    copy.close();
  }
}

function durable(file: string): void {
  restrictMode(file, 0o600);
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function sha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

export interface StagedRestore {
  /** The copy to check (open it as a store, audit it) before `swapIn`. */
  file: string;
  storeId: string;
  takenAt?: string;
  discard(): void;
}

/** Whether `dataDir` holds a database that a restore would replace (a lost one leaves nothing to protect). */
export function holdsStore(dataDir: string): boolean {
  return Boolean(databaseSize(join(dataDir, DATABASE_FILE)));
}

/** Copy a backup next to the live file (same disk, so the swap is a rename) and check it is a sound Fawtara store. */
export function stageRestore(backup: string, dataDir: string): StagedRestore {
  if (!existsSync(backup))
    throw new FawtaraError('FILE_NOT_FOUND', `backup file ${backup} not found`, { field: 'FILE', messageAr: `ملف النسخة الاحتياطية ${backup} غير موجود` });
  secureDataDir(dataDir);
  const file = join(dataDir, `${DATABASE_FILE}.restore-${process.pid}`);
  const discard = () => {
    for (const f of [file, ...DATABASE_COMPANIONS.map((s) => file + s)]) rmSync(f, { force: true });
  };
  discard();
  copyFileSync(backup, file);
  restrictMode(file, 0o600);
  try {
    const copy = new BetterSqlite3(file, { fileMustExist: true });
    try {
      const problems = quickCheck(copy);
      if (problems.length > 0) throw new Error(`integrity check: ${problems.join('; ')}`);
      const meta = copy.prepare(`SELECT key, value FROM store_meta WHERE key IN ('store_id', 'backup_taken_at')`).all() as Array<{
        key: string;
        value: string;
      }>;
      const storeId = meta.find((m) => m.key === 'store_id')?.value;
      if (!storeId || !copy.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'documents'`).get())
        throw new Error('it holds no Fawtara store');
      const takenAt = meta.find((m) => m.key === 'backup_taken_at')?.value;
      return { file, storeId, ...(takenAt && { takenAt }), discard };
    } finally {
      copy.close();
    }
  } catch (error) {
    discard();
    throw new FawtaraError(
      'INVALID_INPUT',
      `${backup} is not a sound Fawtara backup (${(error as Error).message}); nothing was changed — choose another backup`,
      {
        field: 'FILE',
        messageAr: `الملف ${backup} ليس نسخة احتياطية سليمة من Fawtara؛ لم يتغير شيء — اختر نسخة أخرى`,
        cause: error,
      },
    );
  }
}

/** Refuse while another process has the database open (a running server or outbox): it would keep writing to the old file. */
export function assertNotInUse(file: string): void {
  if (!existsSync(file)) return;
  const probe = new BetterSqlite3(file, { fileMustExist: true, timeout: 0 });
  try {
    // In WAL mode every open connection holds a shared lock on the file: an exclusive one means nobody else is in.
    probe.pragma('locking_mode = EXCLUSIVE');
    probe.exec('BEGIN EXCLUSIVE');
    probe.exec('COMMIT');
  } catch (error) {
    if (!/^SQLITE_BUSY/.test((error as { code?: string }).code ?? '')) throw asStoreError(error, file);
    throw new FawtaraError('CONFLICT', `${file} is in use by another process (a running fawtara serve or outbox run?); stop it, then restore`, {
      field: 'data directory',
      messageAr: `ملف قاعدة البيانات ${file} قيد الاستخدام من عملية أخرى؛ أوقفها ثم أعد الاستعادة`,
    });
  } finally {
    probe.close();
  }
}

/**
 * Put the staged copy in place of the live store. The live files (database, -wal, -shm) move aside
 * together into `replaced-<time>/` — a stale -wal left beside the restored file would be replayed into it.
 */
export function swapIn(staged: StagedRestore, dataDir: string, at: Date = new Date()): { keptAside?: string } {
  const live = join(dataDir, DATABASE_FILE);
  settle(staged.file);
  const present = [live, ...DATABASE_COMPANIONS.map((s) => live + s)].filter((f) => existsSync(f));
  let keptAside: string | undefined;
  if (present.length > 0) {
    assertNotInUse(live);
    keptAside = join(dataDir, `replaced-${at.toISOString().replace(/[:.]/g, '-')}`);
    mkdirSync(keptAside, { recursive: true, mode: 0o700 });
    for (const f of present) renameSync(f, join(keptAside, basename(f)));
  }
  renameSync(staged.file, live);
  syncDirectory(dataDir);
  writeMarker(dataDir, staged.storeId, at);
  return keptAside ? { keptAside } : {};
}

/** Fold the staged copy's write-ahead log into it, so the file alone is the store. */
function settle(file: string): void {
  const db = new BetterSqlite3(file, { fileMustExist: true });
  try {
    db.pragma('journal_mode = DELETE');
  } finally {
    db.close();
  }
}
