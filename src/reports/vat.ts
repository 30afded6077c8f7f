// The unified VAT report of one VAT number for a period: output VAT from documents ZATCA accepted
// (or cleared), by category and exemption reason, B2B/B2C, branch and unit, notes netted, in SAR.
import type { Kysely } from 'kysely';
import { dec, money, ZERO, type Decimal } from '../money/index.js';
import type { Database, Taxpayer } from '../store/index.js';
import type { Period } from './period.js';
import { evidenceOf, periodDocuments, type PeriodDocument, type Scope } from './queries.js';
import type { PrepaidLine, VatLine as StoredVatLine } from '../issuing/index.js';
import { csvLines } from './csv.js';
import { documentFigures, type CategoryFigures, type PrepaidFigures } from './figures.js';
import { isAcceptedSubmission } from '../store/index.js';

export { csvLines } from './csv.js';
export type { PrepaidFigures } from './figures.js';

/**
 * Submission states in which ZATCA holds the document and it counts for VAT: 200, 202, and
 * 208/409 (stored as `accepted` with the duplicate flag: ZATCA had it already, counted once).
 */

/** Counts for VAT: ZATCA accepted it, or cleared it (a stored cleared version is ZATCA's own word). */
export function countsForVat(d: Pick<PeriodDocument, 'state' | 'cleared_at'>): boolean {
  return isAcceptedSubmission(d.state) || d.cleared_at !== null;
}

export type Market = 'B2B' | 'B2C';
export type ReportDimension = 'category' | 'market' | 'branch' | 'unit' | 'type';

/** One VAT category of a document (`S:15.00`, `Z:0.00:VATEX-SA-32`), signed: negative on a credit note. */
export type VatLine = CategoryFigures;

export interface ReportedDocument {
  id: string;
  number: string;
  uuid: string;
  unit: string;
  unitId: string;
  branch: string;
  branchId: string;
  icv: number;
  issueDate: string;
  issueTime: string;
  documentType: string;
  kind: string;
  market: Market;
  /** +1, or −1 for a credit note. */
  sign: 1 | -1;
  currency: string;
  exchangeRate: string | null;
  buyerVat: string | null;
  buyerName: string | null;
  originalNumber: string | null;
  state: string;
  /** What the ZATCA state rests on: ZATCA's stamp, ZATCA's answer, or a branch's word for a document it reported itself. */
  evidence: 'zatca-stamp' | 'zatca-answer' | 'reported-by-branch';
  duplicate: boolean;
  invoiceHash: string;
  /** What the document adds to the return per category: its breakdown less the prepayments it deducts. */
  lines: VatLine[];
  /** Signed totals in SAR: Σ lines — the document's own SAR VAT total (BT-111) less the prepaid VAT it deducts. */
  taxableSar: string;
  vatSar: string;
  /** The breakdown as the document writes it (BT-116/117, SAR VAT summing to BT-111), signed. */
  stated: VatLine[];
  /** The prepayments (386) a final invoice deducts (KSA-31/32), each with its reference; empty otherwise. */
  prepaid: PrepaidFigures[];
  /** Signed SAR VAT: the document's total (BT-111) and the prepaid VAT deducted; `vatSar` = stated − prepaid. */
  statedVatSar: string;
  prepaidVatSar: string;
}

export interface VatRow {
  key: string;
  documents: number;
  taxableSar: string;
  vatSar: string;
  category?: string;
  rate?: string;
  exemptionCode?: string | null;
  market?: Market;
  branch?: string;
  unit?: string;
  documentType?: string;
}

export interface VatReport {
  taxpayer: { vatNumber: string; name: string };
  period: Period;
  scope: { branch: string | null; unit: string | null };
  generatedAt: string;
  currency: 'SAR';
  totals: { documents: number; taxableSar: string; vatSar: string };
  byCategory: VatRow[];
  byMarket: VatRow[];
  byBranch: VatRow[];
  byUnit: VatRow[];
  byType: VatRow[];
  /** Issued in the period but not counted, by submission state (rejected, to-submit, held, none). */
  excluded: Record<string, number>;
  /** Every counted document with its signed figures: what each row above is the sum of. */
  documents: ReportedDocument[];
}

export interface VatReportOptions {
  branch?: { id: string; name: string };
  unit?: { id: string; name: string };
  now?: Date;
}

const signOf = (type: string): 1 | -1 => (type === 'creditNote' ? -1 : 1);

function reportedDocument(d: PeriodDocument): ReportedDocument {
  const sign = signOf(d.document_type);
  const f = documentFigures(
    JSON.parse(d.vat_breakdown) as StoredVatLine[],
    JSON.parse(d.prepaid_breakdown) as PrepaidLine[],
    d.exchange_rate,
    d.tax_amount_sar,
  );
  const signed = (v: string) => money(dec(v).times(sign));
  const signLine = <T extends VatLine>(l: T): T => ({
    ...l,
    taxable: signed(l.taxable),
    vat: signed(l.vat),
    taxableSar: signed(l.taxableSar),
    vatSar: signed(l.vatSar),
  });
  return {
    id: d.id,
    number: d.number,
    uuid: d.uuid,
    unit: d.unit_name,
    unitId: d.unit_id,
    branch: d.branch_name,
    branchId: d.branch_id,
    icv: d.icv,
    issueDate: d.issue_date,
    issueTime: d.issue_time,
    documentType: d.document_type,
    kind: d.kind,
    market: d.kind === 'standard' ? 'B2B' : 'B2C',
    sign,
    currency: d.currency,
    exchangeRate: d.exchange_rate,
    buyerVat: d.buyer_vat,
    buyerName: d.buyer_name,
    originalNumber: d.original_number,
    state: d.state ?? 'cleared',
    evidence: evidenceOf(d),
    duplicate: d.duplicate === 1,
    invoiceHash: d.invoice_hash,
    lines: f.net.map(signLine),
    taxableSar: signed(f.taxableSar),
    vatSar: signed(f.vatSar),
    stated: f.stated.map(signLine),
    prepaid: f.prepaid.map(signLine),
    statedVatSar: signed(f.statedVatSar),
    prepaidVatSar: signed(f.prepaidVatSar),
  };
}

class Acc {
  readonly rows = new Map<string, { row: Omit<VatRow, 'documents' | 'taxableSar' | 'vatSar'>; docs: Set<string>; taxable: Decimal; vat: Decimal }>();
  add(key: string, row: Omit<VatRow, 'documents' | 'taxableSar' | 'vatSar'>, doc: string, taxable: string, vat: string): void {
    const r = this.rows.get(key) ?? { row, docs: new Set<string>(), taxable: ZERO, vat: ZERO };
    r.docs.add(doc);
    r.taxable = r.taxable.plus(taxable);
    r.vat = r.vat.plus(vat);
    this.rows.set(key, r);
  }
  list(): VatRow[] {
    return (
      [...this.rows.entries()]
        .map(([, r]) => ({ ...r.row, documents: r.docs.size, taxableSar: money(r.taxable), vatSar: money(r.vat) }))
        // People read units and branches by name; ids only break ties between equal names.
        .sort((a, b) => {
          const x = `${a.unit ?? a.branch ?? a.key}\u0000${a.key}`;
          const y = `${b.unit ?? b.branch ?? b.key}\u0000${b.key}`;
          return x < y ? -1 : x > y ? 1 : 0;
        })
    );
  }
}

/** Builds the report from the documents of the period (in scope); pure arithmetic on decimals. */
export function buildVatReport(taxpayer: Taxpayer, period: Period, docs: readonly PeriodDocument[], options: VatReportOptions = {}): VatReport {
  const byCategory = new Acc();
  const byMarket = new Acc();
  const byBranch = new Acc();
  const byUnit = new Acc();
  const byType = new Acc();
  const excluded: Record<string, number> = {};
  const reported: ReportedDocument[] = [];
  let taxable = ZERO;
  let vat = ZERO;
  for (const d of docs) {
    if (!countsForVat(d)) {
      const why = d.state ?? 'no-submission';
      excluded[why] = (excluded[why] ?? 0) + 1;
      continue;
    }
    const r = reportedDocument(d);
    reported.push(r);
    taxable = taxable.plus(r.taxableSar);
    vat = vat.plus(r.vatSar);
    // Categories come from the document's breakdown less its prepayments, the SAR VAT allocated so
    // they add up to the document's total (its SAR TaxTotal less the prepaid VAT), which the other
    // dimensions add up: every dimension sums to the same total, to the halala.
    for (const l of r.lines) {
      byCategory.add(l.key, { key: l.key, category: l.category, rate: l.rate, exemptionCode: l.exemptionCode }, r.id, l.taxableSar, l.vatSar);
    }
    byMarket.add(r.market, { key: r.market, market: r.market }, r.id, r.taxableSar, r.vatSar);
    byBranch.add(r.branchId, { key: r.branchId, branch: r.branch }, r.id, r.taxableSar, r.vatSar);
    byUnit.add(r.unitId, { key: r.unitId, unit: r.unit, branch: r.branch }, r.id, r.taxableSar, r.vatSar);
    byType.add(r.documentType, { key: r.documentType, documentType: r.documentType }, r.id, r.taxableSar, r.vatSar);
  }
  return {
    taxpayer: { vatNumber: taxpayer.vat_number, name: taxpayer.name_en ?? taxpayer.name_ar },
    period,
    scope: { branch: options.branch?.name ?? null, unit: options.unit?.name ?? null },
    generatedAt: (options.now ?? new Date()).toISOString(),
    currency: 'SAR',
    totals: { documents: reported.length, taxableSar: money(taxable), vatSar: money(vat) },
    byCategory: byCategory.list(),
    byMarket: byMarket.list(),
    byBranch: byBranch.list(),
    byUnit: byUnit.list(),
    byType: byType.list(),
    excluded,
    documents: reported,
  };
}

/** The VAT report of a taxpayer for a period, optionally of one branch or unit. */
export async function vatReport(db: Kysely<Database>, taxpayer: Taxpayer, period: Period, options: VatReportOptions = {}): Promise<VatReport> {
  const scope: Scope = { taxpayerId: taxpayer.id, branchId: options.branch?.id, unitId: options.unit?.id };
  return buildVatReport(taxpayer, period, await periodDocuments(db, scope, period), options);
}

export interface DrillFilter {
  /** A category row's key (`S:15.00`), or just a category letter (`S`). */
  category?: string;
  market?: Market;
  /** Branch or unit: id or name. */
  branch?: string;
  unit?: string;
  documentType?: string;
}

/** The documents behind one figure: a row's key as a filter over the report's documents. */
export function drillDown(report: VatReport, filter: DrillFilter): ReportedDocument[] {
  return report.documents.filter(
    (d) =>
      (!filter.category || d.lines.some((l) => l.key === filter.category || l.category === filter.category)) &&
      (!filter.market || d.market === filter.market) &&
      (!filter.branch || d.branch === filter.branch || d.branchId === filter.branch) &&
      (!filter.unit || d.unit === filter.unit || d.unitId === filter.unit) &&
      (!filter.documentType || d.documentType === filter.documentType),
  );
}

export function rowsBy(report: VatReport, by: ReportDimension): VatRow[] {
  switch (by) {
    case 'category':
      return report.byCategory;
    case 'market':
      return report.byMarket;
    case 'branch':
      return report.byBranch;
    case 'unit':
      return report.byUnit;
    case 'type':
      return report.byType;
  }
}

/** CSV of one dimension's rows plus a total row (amounts in SAR, signed). */
export function vatReportCsv(report: VatReport, by: ReportDimension): string {
  const rows = rowsBy(report, by).map((r) => [
    report.taxpayer.vatNumber,
    report.period.label,
    by,
    r.key,
    r.category ?? '',
    r.rate ?? '',
    r.exemptionCode ?? '',
    r.market ?? '',
    r.branch ?? '',
    r.unit ?? '',
    r.documentType ?? '',
    r.documents,
    r.taxableSar,
    r.vatSar,
  ]);
  rows.push([
    report.taxpayer.vatNumber,
    report.period.label,
    'total',
    'total',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    report.totals.documents,
    report.totals.taxableSar,
    report.totals.vatSar,
  ]);
  return csvLines(
    [
      'vat_number',
      'period',
      'dimension',
      'key',
      'category',
      'rate',
      'exemption_code',
      'market',
      'branch',
      'unit',
      'document_type',
      'documents',
      'taxable_sar',
      'vat_sar',
    ],
    rows,
  );
}

/** The stated and the prepaid SAR amounts of one category of a document (the drill-down shows both). */
function statedAndPrepaid(d: ReportedDocument, key: string): string[] {
  const stated = d.stated.find((l) => l.key === key);
  const prepaid = d.prepaid.filter((l) => l.key === key);
  const total = (f: 'taxableSar' | 'vatSar') => money(prepaid.reduce((s, l) => s.plus(l[f]), ZERO));
  return [stated?.taxableSar ?? '0.00', stated?.vatSar ?? '0.00', total('taxableSar'), total('vatSar')];
}

/**
 * CSV of the documents behind the report: one row per document and VAT category; `taxable_sar` and
 * `vat_sar` are what it adds (stated − prepaid), the last four columns the two parts.
 */
export function vatDocumentsCsv(docs: readonly ReportedDocument[]): string {
  const rows: unknown[][] = [];
  for (const d of docs) {
    for (const l of d.lines) {
      rows.push([
        d.number,
        d.uuid,
        d.issueDate,
        d.issueTime,
        d.branch,
        d.unit,
        d.icv,
        d.documentType,
        d.market,
        d.state,
        d.currency,
        d.exchangeRate ?? '',
        d.buyerVat ?? '',
        l.key,
        l.taxable,
        l.vat,
        l.taxableSar,
        l.vatSar,
        d.invoiceHash,
        ...statedAndPrepaid(d, l.key),
      ]);
    }
  }
  return csvLines(
    [
      'number',
      'uuid',
      'issue_date',
      'issue_time',
      'branch',
      'unit',
      'icv',
      'document_type',
      'market',
      'state',
      'currency',
      'exchange_rate',
      'buyer_vat',
      'category_key',
      'taxable',
      'vat',
      'taxable_sar',
      'vat_sar',
      'invoice_hash',
      'stated_taxable_sar',
      'stated_vat_sar',
      'prepaid_taxable_sar',
      'prepaid_vat_sar',
    ],
    rows,
  );
}
