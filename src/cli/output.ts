// How the CLI talks to people and scripts: one clear bilingual message per error (never a stack
// trace), `--json` objects on stdout, and the documented exit codes.
import { FawtaraError, isFawtaraError } from '../errors.js';
import { asStoreError } from '../store/faults.js';

/** Exit codes (README "Exit codes"). */
export const EXIT = {
  ok: 0,
  /** The document was checked and is invalid (verify/validate found errors). */
  invalid: 1,
  /** Wrong command-line usage. */
  usage: 2,
  /** Bad input: a file that does not exist, invalid JSON or XML, a wrong field, key or certificate. */
  input: 3,
  /** A bug in Fawtara: please report it. */
  internal: 4,
  /** A temporary failure (ZATCA unreachable, 5xx/429, an interrupted step, a busy, full, read-only or unreachable database, a unit's PKCS#11 token unusable): run the same command again. */
  retry: 5,
} as const;

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** A command's work: parsed options in, exit code out. */
export type Action<T> = (opts: T, io: Io) => Promise<number>;

/** Wraps a lazily loaded action for commander: runs it, maps errors to exit codes. */
export type Runner = <T>(load: () => Promise<Action<T>>) => (opts: Record<string, unknown>) => Promise<void>;

export const processIo: Io = {
  out: (text) => void process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
  err: (text) => void process.stderr.write(text.endsWith('\n') ? text : text + '\n'),
};

export function exitCodeOf(thrown: unknown): number {
  // A database lock timeout or a storage fault arrives as the driver's error; it is operational, not a bug.
  const error = asStoreError(thrown);
  if (!isFawtaraError(error)) return EXIT.internal;
  if (error.code === 'USAGE') return EXIT.usage;
  if (error.code === 'INTERNAL') return EXIT.internal;
  if (error.code === 'ZATCA_UNAVAILABLE' || error.code === 'BUSY' || error.code === 'STORAGE_UNAVAILABLE' || error.code === 'KEY_UNAVAILABLE')
    return EXIT.retry;
  // STORE_DAMAGED, like bad input, needs a person: exit 3 with the restore procedure in the message.
  return EXIT.input;
}

/** Report an error: a JSON object with --json, otherwise English and Arabic lines with the field. */
export function reportError(thrown: unknown, io: Io, json: boolean): number {
  const error = asStoreError(thrown);
  const code = exitCodeOf(error);
  const e = isFawtaraError(error)
    ? error
    : new FawtaraError('INTERNAL', `unexpected failure: ${(error as Error)?.message ?? String(error)} — please report this as a bug`, {
        messageAr: 'خطأ داخلي غير متوقع؛ يرجى الإبلاغ عنه',
      });
  if (json) {
    io.out(JSON.stringify({ ok: false, error: e.toJSON() }, null, 2));
  } else {
    // The bracket names what a script reads from --json: the specific `reason` when the error has one
    // (UNIT_REVOKED, not its family UNIT_STATE), else the code.
    const reason = (e as { reason?: unknown }).reason;
    const lines = [`error [${typeof reason === 'string' ? reason : e.code}]${e.rule ? ` ${e.rule}` : ''}: ${e.message}`];
    for (const issue of e.issues ?? []) {
      const text = issue.message.startsWith(issue.field) ? issue.message : `${issue.field}: ${issue.message}`;
      lines.push(`  - ${text}${issue.rule ? ` (${issue.rule})` : ''}`);
    }
    if (e.messageAr) lines.push(`خطأ: ${e.messageAr}`);
    io.err(lines.join('\n'));
    if (code === EXIT.internal && process.env.FAWTARA_DEBUG && error instanceof Error) io.err(error.stack ?? '');
  }
  return code;
}
