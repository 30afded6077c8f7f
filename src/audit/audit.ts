// The chain auditor: re-reads every stored document of a taxpayer (or one unit, or a period),
// recomputes hashes from the stored bytes, follows ICV and PIH links, verifies signatures, and checks
// each submission state against ZATCA's logged answers (and, given one, ZATCA's own history).
import { resolveUnit, type FleetContext } from '../egs/index.js';
import { verifyInvoice } from '../stamp/index.js';
import { readChainFacts } from '../stamp/read.js';
import { parseInvoiceXml } from '../xml/parse.js';
import { documents, submissions, units as unitRepo, type EgsUnit, type IssuedDocument, type Taxpayer } from '../store/index.js';
import { EMPTY_CHAIN, linkProblems } from '../issuing/chain-link.js';
import { INITIAL_PIH } from '../model/chain.js';
import { isAcceptedSubmission } from '../store/index.js';

/** What ZATCA says it received from a unit (the simulator's `history`, or a gateway's records). */
export interface ZatcaRecord {
  endpoint: string;
  httpStatus: number;
  uuid: string | null;
  invoiceHash: string | null;
  /** base64 of the bytes as received, when known. */
  invoice?: string | null;
}

export interface AuditOptions {
  unit?: string;
  /** Only documents issued from / before these instants are checked (links still follow the whole chain). */
  from?: string;
  to?: string;
  zatcaHistory?: (unit: EgsUnit) => ZatcaRecord[] | Promise<ZatcaRecord[]>;
  onProgress?: (done: number, total: number) => void;
}

export interface AuditFinding {
  check: string;
  unit: string;
  icv?: number;
  number?: string;
  message: string;
}

export interface AuditReport {
  units: number;
  documents: number;
  checked: number;
  breaks: AuditFinding[];
  warnings: AuditFinding[];
}

const PAGE = 500;
const NEW_SUCCESS = new Set([200, 202]);

export async function auditChains(ctx: FleetContext, taxpayer: Taxpayer, options: AuditOptions = {}): Promise<AuditReport> {
  const db = ctx.store.db;
  const list = options.unit ? [await resolveUnit(ctx, taxpayer, options.unit)] : await unitRepo.listUnits(db, taxpayer.id);
  const total = await documents.countDocuments(db, taxpayer.id, options.unit ? list[0]!.id : undefined);
  const report: AuditReport = { units: list.length, documents: total, checked: 0, breaks: [], warnings: [] };
  let done = 0;
  for (const unit of list) {
    const brk = (check: string, message: string, d?: IssuedDocument) =>
      report.breaks.push({ check, unit: unit.name, ...(d && { icv: d.icv, number: d.number }), message });
    const warn = (check: string, message: string, d?: IssuedDocument) =>
      report.warnings.push({ check, unit: unit.name, ...(d && { icv: d.icv, number: d.number }), message });
    const history = options.zatcaHistory ? await options.zatcaHistory(unit) : undefined;
    const byUuid = new Map<string, ZatcaRecord[]>();
    // Compliance samples (onboarding) are not documents of the chain.
    for (const h of history ?? [])
      if (h.uuid && (h.endpoint === 'reporting' || h.endpoint === 'clearance')) byUuid.set(h.uuid, [...(byUuid.get(h.uuid) ?? []), h]);
    const answers = new Map<string, string[]>();
    for (const a of await submissions.attemptsOfUnit(db, taxpayer.id, unit.id)) answers.set(a.document_id, [...(answers.get(a.document_id) ?? []), a.outcome]);
    const seen = new Set<string>();
    const jobs = new Map((await submissions.submissionsOfUnit(db, taxpayer.id, unit.id)).map((s) => [s.document_id, s]));
    let prev: IssuedDocument | undefined;
    for (let after = 0; ; ) {
      const page = await documents.unitChainPage(db, taxpayer.id, unit.id, after, PAGE);
      if (page.length === 0) break;
      for (const d of page) {
        const inRange = (!options.from || d.issued_at >= options.from) && (!options.to || d.issued_at < options.to);
        if (inRange) {
          report.checked++;
          const head = prev ? { icv: prev.icv, hash: prev.invoice_hash, issuedAt: prev.issued_at } : EMPTY_CHAIN;
          const expectedPih = head.hash;
          for (const p of linkProblems(head, { icv: d.icv, pih: d.pih, issuedAt: d.issued_at }))
            brk(
              p.kind === 'fork' ? 'pih' : p.kind === 'back-dated' ? 'time' : 'icv',
              p.kind === 'fork' ? `PIH does not link to the previous document's hash (fork): ${p.message}` : p.message,
              d,
            );
          checkDocument(d, expectedPih, brk);
          checkSubmission(d, jobs.get(d.id), answers.get(d.id) ?? [], byUuid.get(d.uuid), history !== undefined, brk, warn);
          const clearance = await documents.findClearance(db, d.id);
          if (clearance && clearance.invoice_hash !== d.invoice_hash)
            brk('cleared', `ZATCA's cleared document hashes to ${clearance.invoice_hash}, not to the document's hash`, d);
          if (!clearance && d.kind === 'standard' && isAcceptedSubmission(jobs.get(d.id)?.state) && jobs.get(d.id)?.endpoint === 'clearance')
            brk('cleared', 'cleared by ZATCA but the cleared document is not stored', d);
        }
        seen.add(d.uuid);
        prev = d;
        after = d.icv;
        options.onProgress?.(++done, total);
      }
    }
    if ((prev?.icv ?? 0) !== unit.icv || (prev?.invoice_hash ?? INITIAL_PIH) !== unit.pih) {
      brk('head', `the unit's chain head (ICV ${unit.icv}) does not point at its last stored document (ICV ${prev?.icv ?? 0})`);
    }
    if (!options.from && !options.to) {
      for (const uuid of byUuid.keys())
        if (!seen.has(uuid)) warn('zatca', `ZATCA holds a submission with UUID ${uuid} that is not a stored document of this unit`);
    }
  }
  for (const r of await documents.repeatedUuids(db, taxpayer.id))
    report.breaks.push({ check: 'uuid', unit: '*', message: `UUID ${r.uuid} is used by ${r.n} documents of the taxpayer` });
  return report;
}

type Report = (check: string, message: string, d?: IssuedDocument) => void;

function checkDocument(d: IssuedDocument, expectedPih: string, brk: Report): void {
  let result: ReturnType<typeof verifyInvoice>;
  let written: ReturnType<typeof readChainFacts>;
  try {
    const doc = parseInvoiceXml(d.xml, { source: d.number, readOnly: true });
    result = verifyInvoice(doc, { pih: expectedPih, source: d.number });
    written = readChainFacts(doc);
  } catch (error) {
    brk('xml', `the stored bytes do not parse as an invoice: ${(error as Error).message}`, d);
    return;
  }
  if (result.invoiceHash !== d.invoice_hash) brk('hash', `the stored bytes hash to ${result.invoiceHash}, not to the recorded ${d.invoice_hash}`, d);
  for (const c of result.checks) if (c.status === 'fail') brk(c.layer === 'SIGNATURE' ? 'signature' : c.layer.toLowerCase(), `${c.id}: ${c.message}`, d);
  if (written.icv !== d.icv) brk('icv', `the ICV written in the document (${written.icv ?? 'none'}) is not the recorded ${d.icv}`, d);
  if (written.uuid !== d.uuid) brk('uuid', `the UUID written in the document (${written.uuid ?? 'none'}) is not the recorded ${d.uuid}`, d);
}

function checkSubmission(
  d: IssuedDocument,
  job: { state: string; endpoint: string } | undefined,
  answers: string[],
  records: ZatcaRecord[] | undefined,
  haveHistory: boolean,
  brk: Report,
  warn: Report,
): void {
  if (!job) {
    brk('submission', 'the document has no submission job (it would never reach ZATCA)', d);
    return;
  }
  // The state must follow from ZATCA's last logged answer (src/outbox/states.ts).
  const okAnswers = new Set(['accepted', 'accepted-with-warnings', 'duplicate-accepted']);
  if (isAcceptedSubmission(job.state) && !answers.some((a) => okAnswers.has(a)))
    brk('submission', `recorded as ${job.state}, but no ZATCA answer accepting it is logged`, d);
  if (job.state === 'rejected' && answers.at(-1) !== 'rejected') brk('submission', 'recorded as rejected, but the last logged answer is not a rejection', d);
  if (!haveHistory) return;
  const received = records ?? [];
  const fresh = received.filter((r) => NEW_SUCCESS.has(r.httpStatus));
  if (fresh.length > 1) brk('zatca', `ZATCA accepted this document as new ${fresh.length} times`, d);
  const stored = Buffer.from(d.xml, 'utf8').toString('base64');
  for (const r of received) {
    if (r.invoiceHash && r.invoiceHash !== d.invoice_hash) brk('zatca', `ZATCA received hash ${r.invoiceHash} for this UUID, not the stored document's`, d);
    if (r.invoice && r.invoice !== stored) brk('zatca', 'ZATCA received bytes that differ from the stored document', d);
  }
  const success = received.some((r) => NEW_SUCCESS.has(r.httpStatus) || r.httpStatus === 208 || r.httpStatus === 409);
  if (isAcceptedSubmission(job.state) && !success) brk('zatca', `recorded as ${job.state}, but ZATCA has no successful submission of it`, d);
  if (job.state === 'rejected' && !received.some((r) => r.httpStatus === 400)) brk('zatca', 'recorded as rejected, but ZATCA never answered 400 for it', d);
  if ((job.state === 'to-submit' || job.state === 'held') && success)
    warn('zatca', `ZATCA holds it but the outbox still has it as ${job.state} (an answer was lost; the next attempt gets 208/409)`, d);
}
