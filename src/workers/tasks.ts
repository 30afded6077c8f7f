// The tasks worker threads run: one name each, with its input and output (structured-clone data
// only — no functions, no connections). The pool imports the types; the worker imports the handlers.
import type { KeyObject } from 'node:crypto';
import type { AuditReport } from '../audit/index.js';
import type { StampResult } from '../issuing/index.js';
import type { StoreOptions } from '../store/index.js';
import type { UnsignedInvoice } from '../ubl/document.js';

export interface AuditChainsInput {
  /** Where the store is: the worker opens its own connection (never the server's). */
  store: StoreOptions;
  taxpayerId: string;
  /** Units to audit one by one; absent: every unit of the taxpayer. */
  unitIds?: string[];
  from?: string;
  to?: string;
}

export interface StampInput {
  /** The signing identities of this task: the certificate's base64 DER and the cloned in-memory key. */
  identities: Array<{ csidId: string; certificate: string; key: KeyObject }>;
  /** Documents in the issuer's order, each with its invoice hash (base64) made on the event loop. */
  items: Array<{ identity: number; doc: UnsignedInvoice; hash: string; signingTime: string }>;
}

export interface Tasks {
  /** The chain auditor (`auditChains`) over a taxpayer or some of its units: one report per unit asked for, or one. */
  auditChains: { input: AuditChainsInput; output: AuditReport[] };
  /** Sign, assemble and self-check documents already hashed in chain order: one stamp per item, in order. */
  stamp: { input: StampInput; output: StampResult[] };
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
