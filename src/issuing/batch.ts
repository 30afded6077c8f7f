// Group commit: issue requests queue here and are written in batches, each batch one transaction
// (one fsync for many documents). The chain head of every unit in a batch is locked for it.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { REPORTING_DEADLINE_MS } from '../outbox/index.js';
import { assertCanIssue, assertCertificateValidAt, assertNotPaused, unitSigning, type FleetContext, type UnitSigning } from '../egs/index.js';
import { FawtaraError } from '../errors.js';
import { stampInvoice, stampInvoiceAsync } from '../stamp/index.js';
import {
  credentials,
  documents,
  submissions,
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
import { isSameDocument, issueDateTime, type PreparedDocument } from './prepare.js';
import { documentTotals } from './totals.js';

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
      outcomes = await withWriteTransaction(this.ctx.store, (trx) => this.write(trx, ready));
      this.stats.commits++;
      this.stats.documents += outcomes.filter((o) => 'ok' in o && !o.ok.replayed).length;
    } catch (error) {
      // Nothing of the batch was written. One document's unexpected failure must not sink the
      // others: run them one by one, and report the failure to its own caller only.
      if (ready.length > 1) {
        for (const p of ready) await this.run([p]);
      } else {
        ready[0]!.reject(error);
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

  private async write(trx: Kysely<Database>, batch: Pending[]): Promise<Outcome[]> {
    const ctx = this.ctx;
    const heads = await documents.lockUnits(
      trx,
      ctx.store.dialect,
      batch.map((p) => p.taxpayer.id),
      batch.map((p) => p.unit.id),
    );
    const now = ctx.clock.now();
    const nowIso = now.toISOString();
    const deadline = new Date(now.getTime() + DEADLINE_MS).toISOString();
    const when = issueDateTime(now);
    const known = new Map<string, IssuedDocument>();
    for (const taxpayerId of new Set(batch.map((p) => p.taxpayer.id))) {
      const uuids = batch.filter((p) => p.taxpayer.id === taxpayerId).map((p) => p.prepared.computed.uuid);
      for (const d of await documents.findByUuids(trx, taxpayerId, uuids)) known.set(`${taxpayerId}|${d.uuid}`, d);
    }
    const taken = new Map<string, IssuedDocument>();
    for (const taxpayerId of new Set(batch.map((p) => p.taxpayer.id))) {
      const numbers = batch.filter((p) => p.taxpayer.id === taxpayerId).map((p) => p.prepared.computed.id);
      for (const d of await documents.findByNumbers(trx, taxpayerId, numbers)) taken.set(`${taxpayerId}|${d.number}`, d);
    }
    const written: DocumentsTable[] = [];
    const jobs: SubmissionsTable[] = [];
    const heads2 = new Map<string, { unit: EgsUnit; icv: number; pih: string; last: string | null }>();
    const activeCsid = new Map<string, string | undefined>();
    const out: Outcome[] = [];
    for (const p of batch) {
      try {
        const unit = heads.get(p.unit.id);
        if (!unit)
          throw new FawtaraError('NOT_FOUND', `unit ${p.unit.name} no longer exists`, { field: 'unit', messageAr: `الوحدة ${p.unit.name} غير موجودة` });
        assertCanIssue(unit);
        assertNotPaused(unit, now);
        const signing = this.signings.get(unit.id)!;
        if (!activeCsid.has(unit.id))
          activeCsid.set(unit.id, (await credentials.activeCsid(trx, { taxpayerId: unit.taxpayer_id, unitId: unit.id }, 'production'))?.id);
        if (activeCsid.get(unit.id) !== signing.csid.id) {
          // Renewed (or revoked) since the identity was loaded: load it again and retry.
          this.signings.delete(unit.id);
          out.push({
            error: new IssueError('RETRY', `unit ${unit.name}'s certificate changed while issuing; run the same request again`, {
              field: 'unit',
              messageAr: `تغيرت شهادة الوحدة ${unit.name} أثناء الإصدار؛ أعد المحاولة`,
            }),
            retry: true,
          });
          continue;
        }
        const head = heads2.get(unit.id) ?? { unit, icv: unit.icv, pih: unit.pih, last: unit.last_issued_at };
        if (head.last && nowIso < head.last) {
          throw new IssueError(
            'CLOCK_BEHIND',
            `the clock (${nowIso}) is earlier than unit ${unit.name}'s last issue time (${head.last}); fix the system clock — documents are never issued back in time. If that last document was issued while the clock ran ahead, see "A unit whose clock jumped" in docs/issuing.md`,
            {
              field: 'clock',
              messageAr: `ساعة النظام (${nowIso}) أقدم من وقت آخر إصدار للوحدة ${unit.name} (${head.last})؛ اضبط الساعة، وإن صدر ذلك المستند والساعة متقدمة فاتبع خطوات الاسترداد في دليل الإصدار`,
            },
          );
        }
        assertCertificateValidAt(unit, signing.certificate, now);
        const inv = { ...p.prepared.computed, icv: head.icv + 1, pih: head.pih, ...when };
        const visible = p.visibleUnits && ((unitId: string) => p.visibleUnits!.has(unitId));
        const prior =
          known.get(`${p.taxpayer.id}|${inv.uuid}`) ??
          (written.find((d) => d.taxpayer_id === p.taxpayer.id && d.uuid === inv.uuid) as IssuedDocument | undefined);
        if (prior) {
          if (prior.unit_id === unit.id && prior.number === inv.id) {
            out.push({ ok: { document: prior, submission: (await submissions.findSubmission(trx, prior.id))!, replayed: true } });
            continue;
          }
          throw duplicate('uuid', inv.uuid, prior, visible);
        }
        const inBatch = written.find((d) => d.taxpayer_id === p.taxpayer.id && d.number === inv.id);
        const stored = taken.get(`${p.taxpayer.id}|${inv.id}`);
        // The same command run again (a standard invoice left waiting for clearance): the same number
        // and content on the same unit is the stored document, not a second one.
        if (!inBatch && stored && stored.unit_id === unit.id && isSameDocument(stored, p.prepared)) {
          out.push({ ok: { document: stored, submission: (await submissions.findSubmission(trx, stored.id))!, replayed: true } });
          continue;
        }
        const sameNumber = inBatch ?? stored;
        if (sameNumber) throw duplicate('id', inv.id, sameNumber, visible);
        const reference = await checkNoteReference(
          trx,
          p.taxpayer.id,
          inv,
          written.filter((d) => d.taxpayer_id === p.taxpayer.id),
          p.externalReference,
          visible,
        );
        await checkPrepaymentReferences(
          trx,
          p.taxpayer.id,
          inv,
          written.filter((d) => d.taxpayer_id === p.taxpayer.id),
        );
        const stampOptions = { certificate: signing.certificate, signer: signing.signer, signingTime: now, sandboxCertificate: signing.sandboxCertificate };
        // A token signs on a libuv thread (other requests go on meanwhile); in-memory keys sign inline, faster.
        const stamped = signing.signer.signAsync ? await stampInvoiceAsync(writeInvoice(inv), stampOptions) : stampInvoice(writeInvoice(inv), stampOptions);
        const totals = documentTotals(inv);
        const row = {
          id: randomUUID(),
          taxpayer_id: p.taxpayer.id,
          unit_id: unit.id,
          icv: inv.icv,
          pih: inv.pih,
          invoice_hash: stamped.invoiceHash,
          uuid: inv.uuid,
          number: inv.id,
          document_type: inv.documentType,
          type_code: inv.typeCode,
          transaction_code: inv.transactionCode,
          kind: inv.kind,
          issue_date: inv.issueDate,
          issue_time: inv.issueTime,
          issued_at: nowIso,
          deadline_at: deadline,
          signing_time: stamped.signingTime,
          csid_id: signing.csid.id,
          currency: totals.currency,
          exchange_rate: totals.exchangeRate,
          buyer_vat: inv.buyer?.vatNumber ?? null,
          buyer_name:
            inv.buyer?.name === undefined
              ? null
              : typeof inv.buyer.name === 'string'
                ? inv.buyer.name
                : [inv.buyer.name.ar, inv.buyer.name.en].filter(Boolean).join(' | '),
          original_document_id: reference?.originalId ?? null,
          original_number: reference?.originalNumber ?? inv.billingReference?.invoiceId ?? null,
          tax_exclusive_amount: totals.taxExclusive,
          tax_amount: totals.tax,
          tax_amount_sar: totals.taxSar,
          tax_inclusive_amount: totals.taxInclusive,
          payable_amount: totals.payable,
          taxable_amount_sar: totals.taxableSar,
          vat_breakdown: JSON.stringify(totals.breakdown),
          prepaid_breakdown: JSON.stringify(totals.prepaid),
          qr: stamped.qr,
          xml: stamped.xml,
        } satisfies DocumentsTable;
        const job: SubmissionsTable = {
          document_id: row.id,
          taxpayer_id: row.taxpayer_id,
          unit_id: row.unit_id,
          icv: row.icv,
          kind: row.kind,
          endpoint: row.kind === 'standard' ? 'clearance' : 'reporting',
          state: 'to-submit',
          attempts: 0,
          next_attempt_at: nowIso,
          lease_owner: null,
          lease_until: null,
          issued_at: nowIso,
          deadline_at: deadline,
          late: 0,
          duplicate: 0,
          last_http_status: null,
          last_outcome: null,
          last_message: null,
          accepted_at: null,
          updated_at: nowIso,
        };
        written.push(row);
        jobs.push(job);
        heads2.set(unit.id, { unit, icv: row.icv, pih: row.invoice_hash, last: nowIso });
        out.push({ ok: { document: row, submission: job, replayed: false } });
      } catch (error) {
        if (!(error instanceof FawtaraError)) throw error;
        out.push({ error });
      }
    }
    await appendToChain(
      trx,
      ctx.store.dialect,
      written.map((document, i) => ({ document, submission: jobs[i]! })),
    );
    return out;
  }
}

function duplicate(
  field: 'uuid' | 'id',
  value: string,
  prior: Pick<IssuedDocument, 'number' | 'icv' | 'unit_id'>,
  visible?: (unitId: string) => boolean,
): IssueError {
  if (visible && !visible(prior.unit_id)) {
    // Another unit's document: the value is taken, and nothing more is said about that document.
    return new IssueError(
      'DUPLICATE',
      `${field}: ${value} is already used by another document of this taxpayer; every document has its own ${field === 'uuid' ? 'UUID' : 'invoice number'}`,
      {
        field,
        messageAr: `${field}: القيمة ${value} مستخدمة في مستند آخر لهذا المكلف؛ لكل مستند ${field === 'uuid' ? 'معرف' : 'رقم'} خاص به`,
        rule: field === 'uuid' ? 'BR-KSA-03' : 'BR-02',
      },
    );
  }
  return new IssueError(
    'DUPLICATE',
    `${field}: ${value} is already used by document ${prior.number} (ICV ${prior.icv})${field === 'id' ? ' with different content (the same input again returns the stored document)' : ''}; every document of a taxpayer has its own ${field === 'uuid' ? 'UUID' : 'invoice number'}`,
    {
      field,
      messageAr: `${field}: القيمة ${value} مستخدمة في المستند ${prior.number}${field === 'id' ? ' بمحتوى مختلف (إعادة المدخلات نفسها تُرجع المستند المحفوظ)' : ''}؛ لكل مستند ${field === 'uuid' ? 'معرف' : 'رقم'} خاص به`,
      rule: field === 'uuid' ? 'BR-KSA-03' : 'BR-02',
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
