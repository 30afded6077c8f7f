// Bounded fuzzing of head office's sync batch parser (issue 10): JSON text → schema (SyncBatch) → batch
// id → per-document judgement (bytes, XML, signature). Run: node --import tsx scripts/fuzz-sync.ts [cases] [seed]
import { pathToFileURL } from 'node:url';
import { createLocalIdentity } from '../src/crypto/local-identity.js';
import { documentTotals } from '../src/issuing/totals.js';
import { computeInvoice, parseInvoiceInput } from '../src/model/index.js';
import { ksaLocalToInstant } from '../src/model/ksa-time.js';
import { stampInvoice } from '../src/stamp/index.js';
import type { Taxpayer } from '../src/store/index.js';
import { admitDocument } from '../src/sync/admit.js';
import { batchIdOf, SyncBatch, type BatchDocument } from '../src/sync/protocol.js';
import { writeInvoice } from '../src/ubl/writer.js';
import { invoiceWithLines } from '../bench/invoices.js';

/** A case taking longer than this is a hang (issue 10: 0 hangs > 5 s). */
export const HANG_MS = 5000;

export interface FuzzFigures {
  seed: number;
  cases: number;
  /** Batches the parser accepted as a whole (schema, id and every document). */
  accepted: number;
  /** Refused with a reason (schema error, bad id, refused document): the expected outcome of most cases. */
  refused: number;
  /** Exceptions that escaped the parser: must be 0. */
  crashes: Array<{ case: number; error: string }>;
  hangs: Array<{ case: number; ms: number }>;
  slowestMs: number;
}

/** mulberry32: a small seeded generator, so a failing case is replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function validBatch() {
  const json = invoiceWithLines(3);
  const inv = computeInvoice(parseInvoiceInput(json));
  // The certificate is valid when the scenario's invoice was issued (head office checks that).
  const issued = ksaLocalToInstant(inv.issueDate, inv.issueTime)!;
  const identity = createLocalIdentity({ now: issued });
  const stamped = stampInvoice(writeInvoice(inv), { certificate: identity.certificate, signer: identity.signer, signingTime: issued });
  const t = documentTotals(inv);
  const doc: BatchDocument = {
    serial: '1-Fawtara|2-Demo|3-0001',
    generation: 1,
    icv: inv.icv,
    pih: inv.pih,
    invoiceHash: stamped.invoiceHash,
    uuid: inv.uuid,
    number: inv.id,
    xml: Buffer.from(stamped.xml, 'utf8').toString('base64'),
    clearedXml: null,
    facts: {
      documentType: inv.documentType,
      typeCode: inv.typeCode,
      transactionCode: inv.transactionCode,
      kind: inv.kind,
      issueDate: inv.issueDate,
      issueTime: inv.issueTime,
      issuedAt: '2026-03-01T09:00:00.000Z',
      deadlineAt: '2026-03-02T09:00:00.000Z',
      signingTime: stamped.signingTime,
      currency: t.currency,
      exchangeRate: t.exchangeRate,
      buyerVat: null,
      buyerName: null,
      originalNumber: null,
      taxExclusiveAmount: t.taxExclusive,
      taxAmount: t.tax,
      taxAmountSar: t.taxSar,
      taxInclusiveAmount: t.taxInclusive,
      payableAmount: t.payable,
      taxableAmountSar: t.taxableSar,
      vatBreakdown: JSON.stringify(t.breakdown),
      qr: stamped.qr,
    },
    claim: 'branch',
    submission: {
      state: 'to-submit',
      endpoint: 'reporting',
      attempts: 0,
      lastOutcome: null,
      lastHttpStatus: null,
      lastMessage: null,
      acceptedAt: null,
      late: false,
      duplicate: false,
    },
  };
  const content = { protocol: 1 as const, node: 'fuzz', units: [], documents: [doc], statuses: [], relayPending: [] };
  return { batch: { ...content, batchId: batchIdOf(content) }, identity, vat: (json as { seller: { vatNumber: string } }).seller.vatNumber, issued };
}

const NASTY = ['', 'null', '{}', '[]', '"\\ud800"', '1e309', '-0', '<!DOCTYPE x [<!ENTITY a "b">]>', '&a;', '\u0000', '\uffff', 'ﷺ', '9'.repeat(40)];

function mutateText(text: string, r: () => number): string {
  const at = Math.floor(r() * text.length);
  switch (Math.floor(r() * 5)) {
    case 0:
      return text.slice(0, at) + String.fromCharCode(Math.floor(r() * 0x10000)) + text.slice(at + 1);
    case 1:
      return text.slice(0, at) + text.slice(at + 1 + Math.floor(r() * 50));
    case 2:
      return text.slice(0, at) + NASTY[Math.floor(r() * NASTY.length)] + text.slice(at);
    case 3:
      return text.slice(0, at) + text.slice(at, at + Math.floor(r() * 200)).repeat(1 + Math.floor(r() * 4)) + text.slice(at);
    default:
      return text.slice(0, at);
  }
}

/** Replace one value somewhere in the object with something of another shape. */
function mutateValue(value: unknown, r: () => number, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') {
    const pick = Math.floor(r() * 6);
    return pick === 0 ? null : pick === 1 ? r() * 1e12 : pick === 2 ? NASTY[Math.floor(r() * NASTY.length)] : pick === 3 ? [] : pick === 4 ? {} : -1;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return value;
  const key = keys[Math.floor(r() * keys.length)]!;
  const copy: Record<string, unknown> = Array.isArray(value) ? ([...value] as unknown as Record<string, unknown>) : { ...(value as Record<string, unknown>) };
  copy[key] = mutateValue(copy[key], r, depth + 1);
  return copy;
}

/** The document XML changed, the base64 and (sometimes) the batch id made consistent again. */
function mutateXml(batch: SyncBatch, r: () => number): SyncBatch {
  const d = batch.documents[0]!;
  let xml = Buffer.from(d.xml, 'base64').toString('utf8');
  if (r() < 0.15) xml = xml.replace('<cbc:ProfileID>', '<a>'.repeat(1 + Math.floor(r() * 3000)) + '<cbc:ProfileID>');
  else xml = mutateText(xml, r);
  const documents = [{ ...d, xml: Buffer.from(xml, 'utf8').toString('base64') }];
  const { batchId: _old, ...content } = { ...batch, documents };
  return { ...content, batchId: r() < 0.7 ? batchIdOf(content) : batch.batchId };
}

/** One case through the whole parser; returns whether the batch was accepted. Throws only on a crash. */
function parseAndJudge(text: string, ctx: { taxpayer: Taxpayer; registered: ReturnType<typeof createLocalIdentity>['certificate'][]; now: Date }): boolean {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError) return false;
    throw error;
  }
  const parsed = SyncBatch.safeParse(raw);
  if (!parsed.success) return false;
  if (batchIdOf(parsed.data) !== parsed.data.batchId) return false;
  return parsed.data.documents.every((d) => 'admitted' in admitDocument(ctx.taxpayer, d, ctx.registered, ctx.now));
}

export function runSyncFuzz(cases: number, seed: number): FuzzFigures {
  const r = rng(seed);
  const { batch, identity, vat, issued } = validBatch();
  const ctx = { taxpayer: { vat_number: vat } as Taxpayer, registered: [identity.certificate], now: new Date(issued.getTime() + 3600_000) };
  const figures: FuzzFigures = { seed, cases, accepted: 0, refused: 0, crashes: [], hangs: [], slowestMs: 0 };
  const base = JSON.stringify(batch);
  // The unmutated batch must pass, or every case would stop at the same early refusal.
  if (!parseAndJudge(base, ctx)) {
    const verdict = JSON.stringify(admitDocument(ctx.taxpayer, batch.documents[0]!, ctx.registered, ctx.now)).slice(0, 300);
    throw new Error(`fuzz: the valid batch is refused (${verdict}); the fuzz would exercise nothing`);
  }
  for (let i = 0; i < cases; i++) {
    const kind = r();
    const text = kind < 0.35 ? mutateText(base, r) : kind < 0.65 ? JSON.stringify(mutateValue(batch, r)) : JSON.stringify(mutateXml(batch, r));
    const started = performance.now();
    try {
      if (parseAndJudge(text, ctx)) figures.accepted++;
      else figures.refused++;
    } catch (error) {
      figures.crashes.push({ case: i, error: String((error as Error)?.stack ?? error).slice(0, 400) });
    }
    const ms = performance.now() - started;
    figures.slowestMs = Math.max(figures.slowestMs, ms);
    if (ms > HANG_MS) figures.hangs.push({ case: i, ms });
  }
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const cases = Number(process.argv[2] ?? 20_000);
  const seed = Number(process.argv[3] ?? Date.now() % 2 ** 31);
  const started = performance.now();
  const f = runSyncFuzz(cases, seed);
  console.log(
    `sync batch parser fuzz: seed ${f.seed}, ${f.cases} cases in ${((performance.now() - started) / 1000).toFixed(1)} s — ${f.accepted} accepted, ${f.refused} refused, ${f.crashes.length} crashes, ${f.hangs.length} hangs > ${HANG_MS} ms, slowest ${f.slowestMs.toFixed(1)} ms`,
  );
  for (const c of f.crashes.slice(0, 5)) console.log(`crash at case ${c.case}: ${c.error}`);
  process.exitCode = f.crashes.length || f.hangs.length ? 1 : 0;
}
