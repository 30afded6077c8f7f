// The tasks worker threads run: one name each, with its input and output (structured-clone data
// only — no functions, no connections). The pool imports the types; the worker imports the handlers.
import type { AuditReport } from '../audit/index.js';
import type { StoreOptions } from '../store/index.js';

export interface AuditChainsInput {
  /** Where the store is: the worker opens its own connection (never the server's). */
  store: StoreOptions;
  taxpayerId: string;
  /** Units to audit one by one; absent: every unit of the taxpayer. */
  unitIds?: string[];
  from?: string;
  to?: string;
}

export interface Tasks {
  /** The chain auditor (`auditChains`) over a taxpayer or some of its units: one report per unit asked for, or one. */
  auditChains: { input: AuditChainsInput; output: AuditReport[] };
}

export type TaskName = keyof Tasks;

/** What crosses the thread boundary: the value, or a FawtaraError's fields (classes do not survive the copy). */
export type TaskResult<T> =
  | { ok: true; value: T }
  | { ok: false; error: { code: string; message: string; messageAr?: string; field?: string; reason?: string } };

export interface TaskMessage<K extends TaskName = TaskName> {
  task: K;
  input: Tasks[K]['input'];
}
