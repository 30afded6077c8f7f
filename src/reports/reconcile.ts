// Reconciliation per unit: what we issued, what ZATCA accepted (our submission log, or ZATCA's own
// record — the simulator's history), and what the VAT report counts; every difference with a reason.
import type { Kysely } from 'kysely';
import type { Database, EgsUnit, Taxpayer } from '../store/index.js';
import { credentials, documents as documentRepo, tenants as tenantRepo, units as unitRepo } from '../store/index.js';
import { ENVIRONMENT_SEGMENT, type FatooraEnv } from '../zatca/index.js';
import { readQrSources } from '../stamp/read.js';
import { parseInvoiceXml } from '../xml/parse.js';
import { ReportError } from './errors.js';
import { rejectedReferences } from './corrections.js';
import type { Period } from './period.js';
import { evidenceOf, periodDocuments, type PeriodDocument } from './queries.js';
import { buildVatReport } from './vat.js';
import { isAcceptedSubmission } from '../store/index.js';

/** One submission as ZATCA recorded it (the simulator's `GET /__sim/<env>/egs/<id>/history`). */
export interface ZatcaHistoryRecord {
  at?: string;
  endpoint: string;
  httpStatus: number;
  uuid: string | null;
  invoiceHash: string | null;
  icv?: number | null;
  /** base64 of the XML as received (to place an unknown document in a period). */
  invoice?: string | null;
}

export type DifferenceReason =
  | 'pending' // queued, ZATCA does not have it yet (within its 24-hour deadline)
  | 'late' // past its deadline and ZATCA does not have it, or accepted only after the deadline
  | 'held' // waiting for attention (401 revoked unit, 413, 406, unexpected answer)
  | 'rejected' // ZATCA refused it (400); it is not output VAT, a corrected document must be issued
  | 'missing-at-zatca' // we recorded it as accepted, but ZATCA's record has no acceptance
  | 'accepted-not-recorded' // ZATCA accepted it, our outbox still waits (an answer was lost)
  | 'hash-mismatch' // ZATCA holds other bytes under this UUID than we stored
  | 'unknown-to-us' // ZATCA accepted a document from this unit that we never issued
  | 'report-mismatch' // the VAT report counts a document it should not, or misses one it should
  | 'original-rejected' // a note whose original ZATCA rejected (after the note was issued)
  | 'prepayment-rejected'; // a final invoice deducting a prepayment invoice (386) ZATCA rejected

export interface Difference {
  unit: string;
  reason: DifferenceReason;
  number: string | null;
  uuid: string | null;
  icv: number | null;
  state: string | null;
  message: string;
  messageAr: string;
}

export interface UnitReconciliation {
  unit: string;
  unitId: string;
  branch: string;
  issued: number;
  /** Accepted according to our submission log. */
  acceptedByUs: number;
  /** Accepted according to ZATCA's record; null when no record was given. */
  acceptedByZatca: number | null;
  inVatReport: number;
  /** Counted on a branch's word alone (a document it reported itself; ZATCA's reporting answers are not signed). */
  reportedByBranch: number;
  differences: number;
}

export interface Reconciliation {
  taxpayer: string;
  period: Period;
  source: 'submission-log' | 'zatca-history';
  generatedAt: string;
  clean: boolean;
  units: UnitReconciliation[];
  differences: Difference[];
}

export interface ReconcileOptions {
  /** ZATCA's record of what a unit sent; without it our submission log stands for ZATCA. */
  zatcaHistory?: (unit: EgsUnit) => Promise<ZatcaHistoryRecord[]> | ZatcaHistoryRecord[];
  unitId?: string;
  branchId?: string;
  now?: Date;
}

const NEW_ACCEPTANCE = new Set([200, 202]);
/** 208 (clearance) and 409 (reporting): ZATCA already holds the document. */
const ALREADY_HELD = new Set([208, 409]);

function issueDateOf(base64: string | null | undefined): string | null {
  if (!base64) return null;
  try {
    const date = readQrSources(parseInvoiceXml(Buffer.from(base64, 'base64'), { readOnly: true })).issueDate?.trim();
    return date && /^\d{4}-\d{2}-\d{2}$/.test(date) ? date : null;
  } catch {
    return null; // not an invoice: no date to compare
  }
}

type Diff = (reason: DifferenceReason, d: PeriodDocument | null, message: string, messageAr: string) => void;

/** What reconciling one unit needs beside the unit: the report, ZATCA's record and the corrections. */
interface UnitInputs {
  inReport: ReadonlySet<string>;
  zatcaByUuid: ReadonlyMap<string, ZatcaHistoryRecord[]>;
  leaning: Awaited<ReturnType<typeof rejectedReferences>>;
  withHistory: boolean;
  now: Date;
}

const submitted = (h: ZatcaHistoryRecord) => Boolean(h.uuid) && (h.endpoint === 'reporting' || h.endpoint === 'clearance');

function byUuid(records: readonly ZatcaHistoryRecord[], into = new Map<string, ZatcaHistoryRecord[]>()): Map<string, ZatcaHistoryRecord[]> {
  for (const h of records) if (submitted(h)) into.set(h.uuid!, [...(into.get(h.uuid!) ?? []), h]);
  return into;
}

/** A document ZATCA does not hold (yet): lost answer, late or pending. */
function notHeldDifference(d: PeriodDocument, zatcaHolds: boolean, x: UnitInputs, diff: Diff): void {
  if (x.withHistory && zatcaHolds)
    diff(
      'accepted-not-recorded',
      d,
      `ZATCA holds ${d.number} but our outbox still waits (an answer was lost; the next attempt gets 208/409)`,
      `لدى الهيئة ${d.number} بينما لا يزال في قائمة الإرسال لدينا`,
    );
  else if (x.now.toISOString() > d.deadline_at || d.late === 1)
    diff(
      'late',
      d,
      `${d.number} is past its 24-hour deadline (${d.deadline_at}) and ZATCA does not have it yet`,
      `تجاوز ${d.number} مهلة 24 ساعة ولم يصل إلى الهيئة بعد`,
    );
  else
    diff('pending', d, `${d.number} is queued; ZATCA does not have it yet (deadline ${d.deadline_at})`, `${d.number} في قائمة الانتظار ولم يصل إلى الهيئة بعد`);
}

/** Every difference one document shows; true when ZATCA's record holds it. */
function documentDifferences(d: PeriodDocument, x: UnitInputs, diff: Diff): boolean {
  const weAccepted = isAcceptedSubmission(d.state);
  const records = x.zatcaByUuid.get(d.uuid) ?? [];
  const zatcaHolds = records.some((r) => NEW_ACCEPTANCE.has(r.httpStatus) || ALREADY_HELD.has(r.httpStatus));
  if (d.state === 'rejected')
    diff(
      'rejected',
      d,
      `${d.number} was rejected by ZATCA: not output VAT; issue a corrected document`,
      `رفضت الهيئة ${d.number}: لا يُحتسب في ضريبة المخرجات؛ أصدر مستنداً مصححاً`,
    );
  else if (d.state === 'held')
    diff('held', d, `${d.number} is held and needs attention before it is sent again`, `${d.number} موقوف ويحتاج إلى معالجة قبل إعادة إرساله`);
  else if (!weAccepted && d.cleared_at === null) notHeldDifference(d, zatcaHolds, x, diff);
  else {
    if (d.late === 1) diff('late', d, `${d.number} was accepted after its 24-hour deadline (${d.deadline_at})`, `قُبل ${d.number} بعد مهلة 24 ساعة`);
    if (x.withHistory && !zatcaHolds)
      diff(
        'missing-at-zatca',
        d,
        `${d.number} is accepted in our log, but ZATCA's record has no acceptance of UUID ${d.uuid}`,
        `${d.number} مقبول في سجلنا ولا يوجد قبول له في سجل الهيئة`,
      );
  }
  const otherHash = records.find(
    (r) => (NEW_ACCEPTANCE.has(r.httpStatus) || ALREADY_HELD.has(r.httpStatus)) && r.invoiceHash && r.invoiceHash !== d.invoice_hash,
  );
  if (otherHash)
    diff(
      'hash-mismatch',
      d,
      `ZATCA holds UUID ${d.uuid} with hash ${otherHash.invoiceHash}, ours is ${d.invoice_hash}`,
      `لدى الهيئة المستند ${d.uuid} ببصمة مختلفة عن المخزنة لدينا`,
    );
  const rejectedRef = x.leaning.get(d.id);
  if (rejectedRef) diff(rejectedRef.reason, d, rejectedRef.message, rejectedRef.messageAr);
  const counted = x.inReport.has(d.id);
  if ((weAccepted || d.cleared_at !== null) !== counted)
    diff(
      'report-mismatch',
      d,
      `${d.number} is ${counted ? 'counted in' : 'missing from'} the VAT report but its state is ${d.state}`,
      `${d.number} ${counted ? 'محتسب في' : 'غائب عن'} تقرير الضريبة خلافاً لحالته`,
    );
  return zatcaHolds;
}

/** Documents ZATCA accepted from this unit in the period that we never issued. */
async function unknownToUs(
  db: Kysely<Database>,
  taxpayer: Taxpayer,
  unit: EgsUnit,
  period: Period,
  own: readonly PeriodDocument[],
  history: readonly ZatcaHistoryRecord[],
) {
  const ours = new Set(own.map((d) => d.uuid));
  const found: Difference[] = [];
  for (const [uuid, records] of byUuid(history)) {
    if (ours.has(uuid) || !records.some((r) => NEW_ACCEPTANCE.has(r.httpStatus))) continue;
    const date = issueDateOf(records[0]!.invoice);
    if (date !== null && (date < period.from || date >= period.toExclusive)) continue;
    // Not of this period's set: it may be ours in another period (an issue date outside the record's text).
    if ((await documentRepo.findByUuids(db, taxpayer.id, [uuid])).length > 0) continue;
    found.push({
      unit: unit.name,
      reason: 'unknown-to-us',
      number: null,
      uuid,
      icv: records[0]!.icv ?? null,
      state: null,
      message: `ZATCA accepted UUID ${uuid} from unit ${unit.name}, which we never issued`,
      messageAr: `قبلت الهيئة المستند ${uuid} من الوحدة ${unit.name} ولم نصدره`,
    });
  }
  return found;
}

/** ZATCA's record of every unit (a branch's relayed document sits in the relay unit's record, docs/zatca-notes.md §P0). */
async function zatcaRecords(allUnits: readonly EgsUnit[], source: ReconcileOptions['zatcaHistory']) {
  const historyOf = new Map<string, ZatcaHistoryRecord[]>();
  const zatcaByUuid = new Map<string, ZatcaHistoryRecord[]>();
  if (source)
    for (const unit of allUnits) {
      const records = await source(unit);
      historyOf.set(unit.id, records);
      byUuid(records, zatcaByUuid);
    }
  return { historyOf, zatcaByUuid };
}

export async function reconcile(db: Kysely<Database>, taxpayer: Taxpayer, period: Period, options: ReconcileOptions = {}): Promise<Reconciliation> {
  const now = options.now ?? new Date();
  const docs = await periodDocuments(db, { taxpayerId: taxpayer.id, branchId: options.branchId, unitId: options.unitId }, period);
  // The VAT report is computed as the report command does, and compared, not assumed.
  const report = buildVatReport(taxpayer, period, docs, { now });
  const allUnits = await unitRepo.listUnits(db, taxpayer.id, {});
  const list = allUnits.filter((u) => (!options.branchId || u.branch_id === options.branchId) && (!options.unitId || u.id === options.unitId));
  // ZATCA files a document under the unit whose CSID submitted it, so acceptance is looked up by UUID
  // across every unit of the taxpayer, while "unknown to us" stays a per-unit question.
  const { historyOf, zatcaByUuid } = await zatcaRecords(allUnits, options.zatcaHistory);
  const x: UnitInputs = {
    inReport: new Set(report.documents.map((d) => d.id)),
    zatcaByUuid,
    leaning: await rejectedReferences(db, taxpayer.id, docs),
    withHistory: options.zatcaHistory !== undefined,
    now,
  };
  const branchOf = new Map(docs.map((d) => [d.unit_id, d.branch_name]));
  const branches = new Map((await tenantRepo.listBranches(db, taxpayer.id)).map((b) => [b.id, b.name]));
  const byUnit = new Map<string, PeriodDocument[]>();
  for (const d of docs) byUnit.set(d.unit_id, [...(byUnit.get(d.unit_id) ?? []), d]);

  const differences: Difference[] = [];
  const units: UnitReconciliation[] = [];
  for (const unit of list) {
    const own = byUnit.get(unit.id) ?? [];
    const before = differences.length;
    const diff: Diff = (reason, d, message, messageAr) =>
      differences.push({
        unit: unit.name,
        reason,
        number: d?.number ?? null,
        uuid: d?.uuid ?? null,
        icv: d?.icv ?? null,
        state: d?.state ?? null,
        message,
        messageAr,
      });
    const acceptedByZatca = own.filter((d) => documentDifferences(d, x, diff)).length;
    if (x.withHistory) differences.push(...(await unknownToUs(db, taxpayer, unit, period, own, historyOf.get(unit.id) ?? [])));
    if (own.length === 0 && differences.length === before) continue;
    units.push({
      unit: unit.name,
      unitId: unit.id,
      branch: branchOf.get(unit.id) ?? branches.get(unit.branch_id) ?? '',
      issued: own.length,
      acceptedByUs: own.filter((d) => isAcceptedSubmission(d.state)).length,
      acceptedByZatca: x.withHistory ? acceptedByZatca : null,
      inVatReport: own.filter((d) => x.inReport.has(d.id)).length,
      reportedByBranch: own.filter((d) => x.inReport.has(d.id) && evidenceOf(d) === 'reported-by-branch').length,
      differences: differences.length - before,
    });
  }
  const source = x.withHistory ? 'zatca-history' : 'submission-log';
  return { taxpayer: taxpayer.vat_number, period, source, generatedAt: now.toISOString(), clean: differences.length === 0, units, differences };
}

/** ZATCA's record from a simulator's control API (`URL` = its root): never a real gateway. */
export function simulatorHistorySource(
  url: string,
  fetchImpl: typeof fetch = fetch,
  /** The unit's certificate serial numbers: a re-onboarded device shares its serial with earlier generations (issue 17 item 4). */
  certificatesOf?: (unit: EgsUnit) => Promise<string[]>,
): (unit: EgsUnit) => Promise<ZatcaHistoryRecord[]> {
  const root = url
    .replace(/\/e-invoicing\/.*$/, '')
    .replace(/\/__sim\/.*$/, '')
    .replace(/\/+$/, '');
  return async (unit) => {
    const segment = ENVIRONMENT_SEGMENT[unit.environment as FatooraEnv] ?? unit.environment;
    const certificates = certificatesOf ? await certificatesOf(unit) : [];
    const query = certificates.length > 0 ? `?certificate=${encodeURIComponent(certificates.join(','))}` : '';
    const response = await fetchImpl(`${root}/__sim/${segment}/egs/${encodeURIComponent(unit.serial)}/history${query}`).catch(() => undefined);
    // A unit never onboarded at this simulator has no record: nothing received from it.
    if (response?.status === 404) return [];
    if (!response?.ok) {
      throw new ReportError('HISTORY_UNAVAILABLE', `the simulator at ${root} did not give unit ${unit.name}'s history (is it running?)`, {
        field: '--simulator-history',
        messageAr: `لم يُرجع المحاكي سجل الوحدة ${unit.name}`,
      });
    }
    return ((await response.json()) as { submissions: ZatcaHistoryRecord[] }).submissions;
  };
}

/**
 * Serial numbers of the production certificates ZATCA issued to this unit (this generation only): the
 * certificates its documents are signed with. (Compliance certificates are left out: their serial is
 * a timestamp in the simulator, not unique enough to name a unit.)
 */
export function unitCertificateSerials(db: Kysely<Database>): (unit: EgsUnit) => Promise<string[]> {
  return async (unit) =>
    (await credentials.listCsids(db, { taxpayerId: unit.taxpayer_id, unitId: unit.id }))
      .filter((c) => c.kind === 'production')
      .map((c) => c.certificate_serial);
}

export function reconciliationCsv(r: Reconciliation): string {
  const field = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [['unit', 'reason', 'number', 'uuid', 'icv', 'state', 'message']];
  for (const d of r.differences) lines.push([d.unit, d.reason, d.number ?? '', d.uuid ?? '', d.icv === null ? '' : String(d.icv), d.state ?? '', d.message]);
  return lines.map((l) => l.map(field).join(',')).join('\r\n') + '\r\n';
}
