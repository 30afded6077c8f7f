// The database-level integrity check: SQLite's `PRAGMA quick_check` at open (on the connection) and
// on a schedule (in a worker thread, so a large file never stalls the event loop).
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import { asStoreError, damaged, isStoreFault } from './faults.js';

export interface StoreIntegrity {
  /** `damaged` sticks until the store is opened again (after a restore); writes are refused meanwhile. */
  state: 'ok' | 'damaged' | 'unchecked';
  checkedAt?: string;
  /** SQLite's findings (at most 10), empty when the check passed. */
  problems: string[];
}

const MAX_PROBLEMS = 10;

/** `PRAGMA quick_check` on an open connection: the problems it lists, [] when the file is sound. */
export function quickCheck(database: BetterSqlite3.Database): string[] {
  const rows = database.pragma('quick_check') as Array<{ quick_check: string }>;
  return problemsOf(rows.map((r) => r.quick_check));
}

function problemsOf(rows: string[]): string[] {
  return rows.length === 1 && rows[0] === 'ok' ? [] : rows.slice(0, MAX_PROBLEMS);
}

// Plain CommonJS evaluated in the worker: it needs no build step, so it runs the same from src/ and dist/.
const WORKER_CODE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.file, { fileMustExist: true, timeout: workerData.timeoutMs });
  parentPort.postMessage({ rows: db.pragma('quick_check').map((r) => r.quick_check) });
} catch (e) {
  parentPort.postMessage({ error: { code: e && e.code, message: String(e && e.message) } });
} finally {
  if (db) db.close();
}`;

/**
 * Run quick_check on its own connection in a worker thread. A malformed file is a finding; any other
 * failure (locked past the timeout, disk gone) is thrown as the storage fault it is.
 */
export function quickCheckInWorker(file: string, timeoutMs: number): { result: Promise<string[]>; stop: () => Promise<void> } {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_CODE, { eval: true, workerData: { driver, file, timeoutMs } });
  const result = new Promise<string[]>((resolve, reject) => {
    worker.once('message', (m: { rows?: string[]; error?: { code?: string; message: string } }) => {
      if (m.rows) return resolve(problemsOf(m.rows));
      const error = Object.assign(new Error(m.error?.message ?? 'integrity check failed'), { code: m.error?.code });
      const mapped = asStoreError(error);
      if (isStoreFault(mapped, 'MALFORMED')) resolve([`${m.error?.code}: ${m.error?.message}`]);
      else reject(mapped);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the integrity check stopped (worker exit ${code})`)));
  });
  return { result, stop: async () => void (await worker.terminate()) };
}

/** The error that refuses a write on a store found damaged. */
export function damagedStoreError(integrity: StoreIntegrity, location: string) {
  return damaged('INTEGRITY', `integrity check of ${location} at ${integrity.checkedAt ?? 'open'}: ${integrity.problems.join('; ')}`);
}
