// Group commit: issue requests queue here and are written in batches, each batch one transaction
// (one fsync for many documents). The chain head of every unit in a batch is locked for it.
import type { Kysely } from 'kysely';
import { REPORTING_DEADLINE_MS } from '../outbox/index.js';
import { assertCanIssue, assertCertificateValidAt, assertNotPaused, unitSigning, type FleetContext, type UnitSigning } from '../egs/index.js';
import { FawtaraError } from '../errors.js';
import { stampInvoice, stampInvoiceAsync, unsignedInvoiceHash } from '../stamp/index.js';
import {
  credentials,
  documents,
  asStoreError,
  withWriteTransaction,
  type Database,
  type DocumentsTable,
  type EgsUnit,
  type IssuedDocument,
  type Submission,
  type SubmissionsTable,
  type Taxpayer,
} from '../store/index.js';
import { writeInvoice } from '../ubl/writer.js';
import { appendToChain } from './chain.js';
import { IssueError } from './errors.js';
import { checkNoteReference } from './notes.js';
import { checkPrepaymentReferences } from './prepayments.js';
import { issueDateTime, type PreparedDocument } from './prepare.js';
import { replayOf } from './replay.js';
import { documentRow, submissionJob } from './rows.js';
import { offThreadStamperOf, type OffThreadStamper, type StampResult, type StampWork } from './stamper.js';

export interface IssueRequest {
  taxpayer: Taxpayer;
  unit: EgsUnit;
  prepared: PreparedDocument;
  externalReference: boolean;
  /** The units whose documents the caller may see (a cashier's, a branch's); absent: every unit. */
  visibleUnits?: ReadonlySet<string>;
}

export interface Issued {
  document: IssuedDocument;
  submission: Submission;
  /** The same UUID was issued before (a retry after a lost answer): the stored document is returned. */
  replayed: boolean;
}

interface Pending extends IssueRequest {
  resolve(value: Issued): void;
  reject(error: unknown): void;
  retries: number;
}

type Outcome = { ok: Issued } | { error: unknown; retry?: boolean };

/** The reporting deadline lives with the outbox, which also rebases it after a clock jump. */
export const DEADLINE_MS = REPORTING_DEADLINE_MS;

/** One issuer per fleet context: the queue, the batches in flight and the signing identities. */
export class Issuer {
  private queue: Pending[] = [];
  private inFlight = 0;
  private readonly busyUnits = new Set<string>();
  private scheduled = false;
  private readonly signings = new Map<string, UnitSigning>();
  /** Units by taxpayer and reference: only the id and title are used before the lock, and the state is re-checked under it. */
  readonly units = new Map<string, EgsUnit>();
  /** Committed transactions and the documents they carried (documents per commit = group-commit gain). */
  readonly stats = { commits: 0, documents: 0 };
  private readonly maxInFlight: number;

  constructor(
    private readonly ctx: FleetContext,
    private readonly maxBatch = 64,
  ) {
    // SQLite has one writer; PostgreSQL batches on disjoint units commit side by side.
    this.maxInFlight = ctx.store.dialect === 'postgres' ? 4 : 1;
  }

  submit(request: IssueRequest): Promise<Issued> {
    return new Promise<Issued>((resolve, reject) => {
      this.queue.push({ ...request, resolve, reject, retries: 0 });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Let the requests made in this turn of the event loop join the same batch.
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch: Pending[] = [];
      const rest: Pending[] = [];
      for (const p of this.queue) {
        if (batch.length < this.maxBatch && !this.busyUnits.has(p.unit.id)) batch.push(p);
        else rest.push(p);
      }
      if (batch.length === 0) return;
      this.queue = rest;
      const units = new Set(batch.map((p) => p.unit.id));
      for (const u of units) this.busyUnits.add(u);
      this.inFlight++;
      void this.run(batch).finally(() => {
        for (const u of units) this.busyUnits.delete(u);
        this.inFlight--;
        if (this.queue.length > 0) this.schedule();
      });
      // While a batch on these units runs, the next batch may only take other units.
      if (this.maxInFlight === 1) return;
    }
  }

  private async run(batch: Pending[]): Promise<void> {
    const ready: Pending[] = [];
    for (const p of batch) {
      try {
        await this.signingOf(p);
        ready.push(p);
      } catch (error) {
        p.reject(error);
      }
    }
    if (ready.length === 0) return;
    let outcomes: Outcome[];
    try {
      // Re-run safely if the connection drops before COMMIT: `write` re-reads heads, UUIDs and numbers under
      // its locks and touches nothing outside the rolled-back transaction. A drop DURING COMMIT fails (503);
      // the till resends the same sale and its UUID returns the stored document if the commit happened.
      outcomes = await withWriteTransaction(this.ctx.store, (trx) => this.write(trx, ready), { rerunOnLostConnection: true });
      this.stats.commits++;
      this.stats.documents += outcomes.filter((o) => 'ok' in o && !o.ok.replayed).length;
    } catch (error) {
      // Nothing of the batch was written. One document's unexpected failure must not sink the
      // others: run them one by one, and report the failure to its own caller only. A store that
      // cannot be reached is no one document's fault: every caller hears it at once (503).
      if (ready.length > 1 && !isStorageOutage(error)) {
        for (const p of ready) await this.run([p]);
      } else {
        for (const p of ready) p.reject(error);
      }
      return;
    }
    outcomes.forEach((o, i) => {
      const p = ready[i]!;
      if ('ok' in o) p.resolve(o.ok);
      else if (o.retry && p.retries < 2) {
        p.retries++;
        this.queue.push(p);
        this.schedule();
      } else p.reject(o.error);
    });
  }

  private async signingOf(p: Pending): Promise<UnitSigning> {
    let s = this.signings.get(p.unit.id);
    if (!s) {
      s = await unitSigning(this.ctx, p.taxpayer, p.unit.id);
      this.signings.set(p.unit.id, s);
    }
    return s;
  }

  /**
   * One batch in one transaction: lock the units' chain heads, then each request in turn (checks,
   * next ICV/PIH, build, stamp), then the one append. Stamped off the event loop when a pool is set.
   */
  private async write(trx: Kysely<Database>, batch: Pending[]): Promise<Outcome[]> {
    const b = await this.begin(trx, batch);
    const out: Outcome[] = [];
    for (const p of batch) {
      try {
        out.push(await this.writeOne(b, p));
      } catch (error) {
        if (!(error instanceof FawtaraError)) throw error;
        out.push({ error });
      }
    }
    // Every hash (so every PIH) was made above in ICV order; the signatures come back here. A failed
    // one fails the batch: later documents already link to its hash (run() then retries one by one).
    if (b.offThread.length > 0) {
      const stamps = await b.stamper!.stamp(b.offThread.map((o) => o.work));
      for (const [i, { row }] of b.offThread.entries()) fillStamp(row, stamps[i]!);
    }
    await appendToChain(
      trx,
      this.ctx.store.dialect,
      b.written.map((document, i) => ({ document, submission: b.jobs[i]! })),
    );
    return out;
  }

  /** Lock the chain heads, fix the batch's time, and find the UUIDs and numbers already taken. */
  private async begin(trx: Kysely<Database>, batch: Pending[]): Promise<BatchState> {
    const locked = await documents.lockUnits(
      trx,
      this.ctx.store.dialect,
      batch.map((p) => p.taxpayer.id),
      batch.map((p) => p.unit.id),
    );
    const now = this.ctx.clock.now();
    const known = new Map<string, IssuedDocument>();
    const taken = new Map<string, IssuedDocument>();
    for (const taxpayerId of new Set(batch.map((p) => p.taxpayer.id))) {
      const mine = batch.filter((p) => p.taxpayer.id === taxpayerId);
      const uuids = mine.map((p) => p.prepared.computed.uuid);
      for (const d of await documents.findByUuids(trx, taxpayerId, uuids)) known.set(`${taxpayerId}|${d.uuid}`, d);
      const numbers = mine.map((p) => p.prepared.computed.id);
      for (const d of await documents.findByNumbers(trx, taxpayerId, numbers)) taken.set(`${taxpayerId}|${d.number}`, d);
    }
    const stamper = offThreadStamperOf(this.ctx.store);
    return {
      trx,
      now,
      nowIso: now.toISOString(),
      deadline: new Date(now.getTime() + DEADLINE_MS).toISOString(),
      when: issueDateTime(now),
      locked,
      known,
      taken,
      tails: new Map(),
      activeCsid: new Map(),
      written: [],
      jobs: [],
      ...(stamper && { stamper }),
      offThread: [],
    };
  }

  /** One request of the batch: its outcome, or a FawtaraError thrown for its caller alone. */
  private async writeOne(b: BatchState, p: Pending): Promise<Outcome> {
    const unit = b.locked.get(p.unit.id);
    if (!unit) throw new FawtaraError('NOT_FOUND', `unit ${p.unit.name} no longer exists`, { field: 'unit', messageAr: `الوحدة ${p.unit.name} غير موجودة` });
    assertCanIssue(unit);
    assertNotPaused(unit, b.now);
    const signing = this.signings.get(unit.id)!;
    if (!b.activeCsid.has(unit.id))
      b.activeCsid.set(unit.id, (await credentials.activeCsid(b.trx, { taxpayerId: unit.taxpayer_id, unitId: unit.id }, 'production'))?.id);
    if (b.activeCsid.get(unit.id) !== signing.csid.id) {
      // Renewed (or revoked) since the identity was loaded: load it again and retry.
      this.signings.delete(unit.id);
      return { error: certificateChanged(unit), retry: true };
    }
    const tail = b.tails.get(unit.id) ?? { icv: unit.icv, pih: unit.pih, last: unit.last_issued_at };
    if (tail.last && b.nowIso < tail.last) throw clockBehind(unit, b.nowIso, tail.last);
    assertCertificateValidAt(unit, signing.certificate, b.now);
    const inv = { ...p.prepared.computed, icv: tail.icv + 1, pih: tail.pih, ...b.when };
    const visible = p.visibleUnits && ((unitId: string) => p.visibleUnits!.has(unitId));
    const again = await replayOf(b, p, unit, inv, visible);
    if (again) return { ok: again };
    const batchDocs = b.written.filter((d) => d.taxpayer_id === p.taxpayer.id);
    const reference = await checkNoteReference(b.trx, p.taxpayer.id, inv, batchDocs, p.externalReference, visible);
    await checkPrepaymentReferences(b.trx, p.taxpayer.id, inv, batchDocs);
    const facts = {
      taxpayerId: p.taxpayer.id,
      unitId: unit.id,
      csidId: signing.csid.id,
      inv,
      issuedAt: b.nowIso,
      deadlineAt: b.deadline,
      ...(reference && { reference }),
    };
    const doc = writeInvoice(inv);
    let row: IssuedDocument;
    // A sandbox-only certificate is not the signer's (docs/fleet.md, "Sandbox onboarding"): signed here, where its one exception is made.
    if (b.stamper && signing.signer.threadKey && !signing.sandboxCertificate) {
      // The hash is made here, in ICV order (the next PIH); the signature on a worker thread.
      const hash = unsignedInvoiceHash(doc);
      row = documentRow({ ...facts, invoiceHash: hash.base64 });
      b.offThread.push({ row, work: { doc, hash, certificate: signing.certificate, signer: signing.signer, csidId: signing.csid.id, signingTime: b.now } });
    } else {
      const stampOptions = { certificate: signing.certificate, signer: signing.signer, signingTime: b.now, sandboxCertificate: signing.sandboxCertificate };
      // A token signs on a libuv thread (other requests go on meanwhile); in-memory keys sign inline, faster.
      const stamped = signing.signer.signAsync ? await stampInvoiceAsync(doc, stampOptions) : stampInvoice(doc, stampOptions);
      row = documentRow({ ...facts, invoiceHash: stamped.invoiceHash }, stamped);
    }
    const job = submissionJob(row);
    b.written.push(row);
    b.jobs.push(job);
    b.tails.set(unit.id, { icv: row.icv, pih: row.invoice_hash, last: b.nowIso });
    return { ok: { document: row, submission: job, replayed: false } };
  }
}

const isStorageOutage = (error: unknown) => (asStoreError(error) as { code?: unknown } | null)?.code === 'STORAGE_UNAVAILABLE';

/** What one batch's transaction knows while it runs. */
interface BatchState {
  trx: Kysely<Database>;
  now: Date;
  nowIso: string;
  deadline: string;
  when: ReturnType<typeof issueDateTime>;
  /** Each unit's row as locked at the start of the transaction (its stored chain head). */
  locked: Map<string, EgsUnit>;
  /** Documents of the batch's UUIDs and numbers already stored, by `taxpayer|uuid` and `taxpayer|number`. */
  known: Map<string, IssuedDocument>;
  taken: Map<string, IssuedDocument>;
  /** Each unit's chain tail as this batch extends it (absent: the locked head). */
  tails: Map<string, { icv: number; pih: string; last: string | null }>;
  activeCsid: Map<string, string | undefined>;
  written: DocumentsTable[];
  jobs: SubmissionsTable[];
  stamper?: OffThreadStamper;
  /** Rows whose signature is being made on a worker thread, with what it needs. */
  offThread: Array<{ row: IssuedDocument; work: StampWork }>;
}

function fillStamp(row: IssuedDocument, stamp: StampResult): void {
  // The thread re-hashed the stamped text against this hash (the self-check); a mismatch here would mean a mixed-up answer.
  if (stamp.invoiceHash !== row.invoice_hash) throw new Error(`a worker thread returned the stamp of another document (ICV ${row.icv})`);
  row.xml = stamp.xml;
  row.qr = stamp.qr;
  row.signing_time = stamp.signingTime;
}

function certificateChanged(unit: EgsUnit): IssueError {
  return new IssueError('RETRY', `unit ${unit.name}'s certificate changed while issuing; run the same request again`, {
    field: 'unit',
    messageAr: `تغيرت شهادة الوحدة ${unit.name} أثناء الإصدار؛ أعد المحاولة`,
  });
}

function clockBehind(unit: EgsUnit, nowIso: string, last: string): IssueError {
  return new IssueError(
    'CLOCK_BEHIND',
    `the clock (${nowIso}) is earlier than unit ${unit.name}'s last issue time (${last}); fix the system clock — documents are never issued back in time. If that last document was issued while the clock ran ahead, see "A unit whose clock jumped" in docs/issuing.md`,
    {
      field: 'clock',
      messageAr: `ساعة النظام (${nowIso}) أقدم من وقت آخر إصدار للوحدة ${unit.name} (${last})؛ اضبط الساعة، وإن صدر ذلك المستند والساعة متقدمة فاتبع خطوات الاسترداد في دليل الإصدار`,
    },
  );
}

/**
 * Issuers by store, key provider and clock — not by context object: the server makes a context per
 * request (its actor), and an issuer per request would batch nothing and reload every signing identity.
 * The issuer uses only these three of its context (and what they reach), so contexts sharing them share it.
 */
const issuers = new WeakMap<FleetContext['store'], WeakMap<FleetContext['keys'], WeakMap<FleetContext['clock'], Issuer>>>();

export function issuerOf(ctx: FleetContext): Issuer {
  let byKeys = issuers.get(ctx.store);
  if (!byKeys) issuers.set(ctx.store, (byKeys = new WeakMap()));
  let byClock = byKeys.get(ctx.keys);
  if (!byClock) byKeys.set(ctx.keys, (byClock = new WeakMap()));
  let issuer = byClock.get(ctx.clock);
  if (!issuer) byClock.set(ctx.clock, (issuer = new Issuer(ctx)));
  return issuer;
}
