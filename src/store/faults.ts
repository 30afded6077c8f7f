// Storage faults as operational errors: the one table from SQLite result codes and PostgreSQL errors
// to a typed StoreFault that says what happened and what to do, in English and Arabic.
import { asBusyError, type ErrorCode, type ErrorDetails, FawtaraError } from '../errors.js';

export type StoreFaultReason =
  // Temporary (STORAGE_UNAVAILABLE: CLI exit 5, HTTP 503): nothing was written; fix it and run again.
  | 'DISK_FULL'
  | 'READ_ONLY'
  | 'IO_ERROR'
  | 'CANNOT_OPEN'
  | 'UNREACHABLE'
  // Damage (STORE_DAMAGED: CLI exit 3, HTTP 503): restore a backup.
  | 'MALFORMED'
  | 'INTEGRITY'
  | 'MISSING'
  | 'OTHER_STORE'
  // Configuration (exit 3): the store cannot be used as configured.
  | 'OWNER_ROLE'
  | 'NOT_MIGRATED'
  | 'NO_STORE';

const CODE_OF_REASON: Record<StoreFaultReason, ErrorCode> = {
  DISK_FULL: 'STORAGE_UNAVAILABLE',
  READ_ONLY: 'STORAGE_UNAVAILABLE',
  IO_ERROR: 'STORAGE_UNAVAILABLE',
  CANNOT_OPEN: 'STORAGE_UNAVAILABLE',
  UNREACHABLE: 'STORAGE_UNAVAILABLE',
  MALFORMED: 'STORE_DAMAGED',
  INTEGRITY: 'STORE_DAMAGED',
  MISSING: 'STORE_DAMAGED',
  OTHER_STORE: 'STORE_DAMAGED',
  OWNER_ROLE: 'INVALID_INPUT',
  NOT_MIGRATED: 'INVALID_INPUT',
  NO_STORE: 'NOT_FOUND',
};

/** A storage fault: a FawtaraError with a stable `reason`, so scripts and operators can branch on it. */
export class StoreFault extends FawtaraError {
  readonly reason: StoreFaultReason;

  constructor(reason: StoreFaultReason, message: string, details: ErrorDetails & { messageAr: string }) {
    super(CODE_OF_REASON[reason], message, details);
    this.name = 'StoreFault';
    this.reason = reason;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason };
  }
}

export function isStoreFault(value: unknown, reason?: StoreFaultReason): value is StoreFault {
  return value instanceof StoreFault && (reason === undefined || value.reason === reason);
}

/** What to do about a damaged store (docs/operations.md "Restore"), in both languages. */
export const RESTORE_STEPS = {
  en:
    'Restore the latest backup: stop every fawtara process using this data directory, then run ' +
    '`fawtara restore BACKUP_FILE --data DIR --force` (the damaged files are kept aside, the restored store is chain-audited). ' +
    'PostgreSQL: restore with pg_restore or point-in-time recovery. See docs/operations.md.',
  ar:
    'استعد آخر نسخة احتياطية: أوقف كل عمليات fawtara التي تستخدم مجلد البيانات ثم نفّذ ' +
    '`fawtara restore BACKUP_FILE --data DIR --force` (تُحفظ الملفات التالفة جانباً ويُدقَّق تسلسل المستندات المستعادة). ' +
    'في PostgreSQL استخدم pg_restore أو الاستعادة إلى نقطة زمنية. راجع docs/operations.md.',
};

/** The fixed wording of each driver-level fault; `detail` is the driver's own code and text. */
function faultOf(reason: StoreFaultReason, detail: string, cause: unknown): StoreFault {
  switch (reason) {
    case 'DISK_FULL':
      return new StoreFault(
        reason,
        `the disk holding the database is full (${detail}); nothing was written. Free space on that disk (or move the data directory to a larger one), then run the same command again`,
        {
          messageAr: 'القرص الذي يحمل قاعدة البيانات ممتلئ ولم يُكتب شيء؛ حرّر مساحة على القرص (أو انقل مجلد البيانات إلى قرص أكبر) ثم أعد تنفيذ الأمر نفسه',
          cause,
        },
      );
    case 'READ_ONLY':
      return new StoreFault(
        reason,
        `the database cannot be written: it is read-only (${detail}); nothing was written. Check that the disk is not mounted read-only and that the data directory and its files belong to the user running fawtara, then run the same command again`,
        {
          messageAr:
            'قاعدة البيانات للقراءة فقط ولم يُكتب شيء؛ تحقق من أن القرص غير مركّب للقراءة فقط وأن مجلد البيانات وملفاته مملوكة للمستخدم الذي يشغّل fawtara ثم أعد المحاولة',
          cause,
        },
      );
    case 'IO_ERROR':
      return new StoreFault(
        reason,
        `the disk reported an input/output error on the database (${detail}); nothing was written. Check the disk (system log, free space) and run the same command again; if it persists, restore the latest backup (docs/operations.md)`,
        {
          messageAr: 'أبلغ القرص عن خطأ إدخال/إخراج في قاعدة البيانات ولم يُكتب شيء؛ افحص القرص والمساحة ثم أعد المحاولة، وإن تكرر فاستعد آخر نسخة احتياطية',
          cause,
        },
      );
    case 'CANNOT_OPEN':
      return new StoreFault(
        reason,
        `the database file cannot be opened (${detail}). Check that the data directory exists, is on a mounted disk and is accessible to the user running fawtara, then run the same command again`,
        { messageAr: 'تعذر فتح ملف قاعدة البيانات؛ تحقق من وجود مجلد البيانات وأنه على قرص مركّب ومتاح للمستخدم الذي يشغّل fawtara ثم أعد المحاولة', cause },
      );
    case 'UNREACHABLE':
      return new StoreFault(
        reason,
        `PostgreSQL cannot be reached (${detail}); nothing was written. Check that the database server is running and reachable at FAWTARA_DATABASE_URL, then run the same command again`,
        { messageAr: 'تعذر الوصول إلى خادم PostgreSQL ولم يُكتب شيء؛ تحقق من أن الخادم يعمل ويمكن الوصول إليه عبر FAWTARA_DATABASE_URL ثم أعد المحاولة', cause },
      );
    default:
      return new StoreFault(reason, `the database is damaged (${detail}); Fawtara will not issue on it. ${RESTORE_STEPS.en}`, {
        messageAr: `قاعدة البيانات تالفة ولن يُصدر Fawtara عليها أي مستند. ${RESTORE_STEPS.ar}`,
        cause,
      });
  }
}

/** SQLite's extended result codes (better-sqlite3 names them) by family. */
function reasonOfSqlite(code: string): StoreFaultReason | undefined {
  if (code === 'SQLITE_FULL') return 'DISK_FULL';
  if (code.startsWith('SQLITE_READONLY')) return 'READ_ONLY';
  // A file cut short reads as "short read": the file is not the database it was, not a disk hiccup.
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB' || code === 'SQLITE_IOERR_SHORT_READ') return 'MALFORMED';
  if (code.startsWith('SQLITE_IOERR')) return 'IO_ERROR';
  if (code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM') return 'CANNOT_OPEN';
  return undefined;
}

/** The operating system's answer when the disk itself fails us (writing the marker, a backup, a state file). */
const FS_REASONS: Record<string, StoreFaultReason> = { ENOSPC: 'DISK_FULL', EDQUOT: 'DISK_FULL', EROFS: 'READ_ONLY', EIO: 'IO_ERROR' };

const PG_NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/** PostgreSQL SQLSTATEs (and node's socket codes) that are about the storage, not the statement. */
function reasonOfPg(code: string | undefined, message: string): StoreFaultReason | undefined {
  if (code !== undefined) {
    if (PG_NETWORK.has(code) || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') return 'UNREACHABLE';
    if (code === '53100') return 'DISK_FULL';
    if (code === '25006') return 'READ_ONLY';
    if (code === '58030') return 'IO_ERROR';
    if (code === 'XX001' || code === 'XX002') return 'MALFORMED';
  }
  // node-postgres reports a dropped or timed-out connection without a code.
  // A client that lost its connection earlier refuses further queries with a text of its own.
  if (/^Connection terminated|timeout exceeded when trying to connect|Connection terminated due to connection timeout|is not queryable$/.test(message))
    return 'UNREACHABLE';
  return undefined;
}

/** The first error in a cause chain (and an AggregateError's members) that carries a driver code or pg's texts. */
function driverError(thrown: unknown): { code: string | undefined; message: string; reason: StoreFaultReason | undefined } | undefined {
  const queue: unknown[] = [thrown];
  for (let i = 0; i < queue.length && i < 12; i++) {
    const e = queue[i];
    if (typeof e !== 'object' || e === null) continue;
    const { code, message, cause, errors } = e as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    const text = typeof message === 'string' ? message : '';
    if (typeof code === 'string' && code.startsWith('SQLITE_')) return { code, message: text, reason: reasonOfSqlite(code) };
    if (typeof code === 'string' && FS_REASONS[code]) return { code, message: text, reason: FS_REASONS[code] };
    const pgReason = reasonOfPg(typeof code === 'string' ? code : undefined, text);
    if (pgReason) return { code: typeof code === 'string' ? code : undefined, message: text, reason: pgReason };
    if (cause !== undefined) queue.push(cause);
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return undefined;
}

/**
 * A driver error about the storage as a StoreFault (or BUSY, see `asBusyError`); anything else unchanged.
 * Our own typed errors pass through, except INTERNAL wrappers whose cause is a storage fault.
 */
export function asStoreError(thrown: unknown, where?: string): unknown {
  const busy = asBusyError(thrown);
  if (busy !== thrown) return busy;
  if (thrown instanceof FawtaraError && thrown.code !== 'INTERNAL') return thrown;
  const driver = driverError(thrown);
  const reason = driver?.reason;
  if (!driver || !reason) return thrown;
  const detail = `${where ? `${where}: ` : ''}${driver.code ? `${driver.code}: ` : ''}${driver.message}`;
  return faultOf(reason, detail, thrown);
}

/** A failure while preparing the store: a storage fault stays one (naming where), anything else names the place. */
export function prepareError(error: unknown, location: string, field: string): unknown {
  const mapped = asStoreError(error, location);
  if (mapped instanceof FawtaraError) return mapped;
  return new FawtaraError('INVALID_INPUT', `the database at ${location} could not be prepared: ${(error as Error)?.message ?? String(error)}`, {
    field,
    messageAr: `تعذر تجهيز قاعدة البيانات في ${location}؛ تحقق من العنوان والصلاحيات`,
    cause: error,
  });
}

/** A damage finding of our own (the integrity check) with the restore steps. */
export function damaged(reason: 'MALFORMED' | 'INTEGRITY', detail: string, cause?: unknown): StoreFault {
  return faultOf(reason, detail, cause);
}
