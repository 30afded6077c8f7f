// `archive export`: the exact stored bytes of every document of a VAT period (and ZATCA's cleared
// XML), per unit, with an index and a SHA-256 manifest, so the set is checkable without our database.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Kysely } from 'kysely';
import { ReportError } from '../reports/errors.js';
import type { Period } from '../reports/period.js';
import { documentBytes, periodDocuments, type PeriodDocument } from '../reports/queries.js';
import { csvLines } from '../reports/csv.js';
import type { Database, Taxpayer } from '../store/index.js';
import {
  ARCHIVE_FORMAT,
  CHECKSUM_FILE,
  clearedPath,
  documentPath,
  INDEX_CSV,
  INDEX_JSON,
  MANIFEST_FILE,
  README_FILE,
  retainUntil,
  safeName,
  type IndexEntry,
  type Manifest,
  type ManifestChain,
  type ManifestFile,
} from './layout.js';

export interface ExportResult {
  dir: string;
  documents: number;
  cleared: number;
  files: number;
  units: number;
  /** SHA-256 of manifest.json: note it apart from the archive (a receipt, a ticket, a signed mail). */
  manifestSha256: string;
}

const PAGE = 200;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const README = (m: { vat: string; period: string }) => `Fawtara archive of VAT number ${m.vat}, period ${m.period} (format ${ARCHIVE_FORMAT}).

units/<unit>/<ICV>_<number>.xml          the documents exactly as stamped and stored (UTF-8 bytes)
units/<unit>/cleared/<ICV>_<number>.xml  ZATCA's cleared version of standard documents
index.json, index.csv                    VAT number, issue date and time, number, UUID, ICV, PIH, hash, QR,
                                         currency and SAR exchange rate
manifest.json                            SHA-256 of every file, the chain of each unit
manifest.sha256                          the same hashes for "sha256sum -c manifest.sha256"

Checking by hand (docs/reports.md, "Archive"):
 1. sha256sum -c manifest.sha256                 every file is as exported
 2. sha256sum manifest.json                      equals the hash noted at export time
 3. for each document: its invoice hash (C14N 1.1 without UBLExtensions, cac:Signature and the QR
    reference, then SHA-256, base64) equals "invoiceHash" in the index, and its
    cbc:UUID, ICV and PIH equal the index;
 4. per unit, ICVs follow each other without gap and each PIH is the previous document's hash.
"fawtara archive verify <dir>" does all of it and needs no database.
`;

/** Writes the archive of the period into `outDir` (created; must be empty or absent). */
export async function exportArchive(
  db: Kysely<Database>,
  taxpayer: Taxpayer,
  period: Period,
  outDir: string,
  options: { now?: Date } = {},
): Promise<ExportResult> {
  ensureEmptyDir(outDir);
  const docs = await periodDocuments(db, { taxpayerId: taxpayer.id }, period);
  const out = archiveWriter(outDir);
  const { index, chains, cleared } = await writeDocuments(db, taxpayer, docs, out.write);
  out.write(
    INDEX_JSON,
    Buffer.from(JSON.stringify({ format: ARCHIVE_FORMAT, vatNumber: taxpayer.vat_number, period: period.label, documents: index }, null, 2) + '\n', 'utf8'),
  );
  out.write(INDEX_CSV, Buffer.from(indexCsv(index), 'utf8'));
  out.write(README_FILE, Buffer.from(README({ vat: taxpayer.vat_number, period: period.label }), 'utf8'));
  const manifest: Manifest = {
    format: ARCHIVE_FORMAT,
    taxpayer: { vatNumber: taxpayer.vat_number, name: taxpayer.name_en ?? taxpayer.name_ar },
    period: { label: period.label, from: period.from, to: period.to },
    createdAt: (options.now ?? new Date()).toISOString(),
    retainUntil: retainUntil(period.to),
    hashAlgorithm: 'SHA-256',
    documents: index.length,
    files: [...out.files].sort((a, b) => (a.path < b.path ? -1 : 1)),
    chains: [...chains.values()],
  };
  const manifestSha256 = writeManifest(outDir, manifest);
  return { dir: outDir, documents: index.length, cleared, files: out.files.length + 2, units: chains.size, manifestSha256 };
}

/** An archive goes into a new or empty directory, never over an older one. */
function ensureEmptyDir(outDir: string): void {
  let existing: string[] = [];
  try {
    existing = readdirSync(outDir);
  } catch {
    // absent: created below
  }
  if (existing.length > 0) {
    throw new ReportError('ARCHIVE_EXISTS', `${outDir} is not empty: an archive is written into a new or empty directory`, {
      field: '--out',
      messageAr: `المجلد ${outDir} ليس فارغاً: يُكتب الأرشيف في مجلد جديد أو فارغ`,
    });
  }
  mkdirSync(outDir, { recursive: true });
}

type WriteFile = (rel: string, bytes: Uint8Array) => void;

/** Writes each file once (never over another) and records its hash for the manifest. */
function archiveWriter(outDir: string): { files: ManifestFile[]; write: WriteFile } {
  const files: ManifestFile[] = [];
  const write: WriteFile = (rel, bytes) => {
    const abs = join(outDir, ...rel.split('/'));
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, bytes, { flag: 'wx' });
    files.push({ path: rel, sha256: sha256(bytes), bytes: bytes.length });
  };
  return { files, write };
}

/** One directory per unit, named after it (an id suffix if two units share a name). */
function unitDirs(docs: PeriodDocument[]): Map<string, string> {
  const dirs = new Map<string, string>();
  const taken = new Set<string>();
  for (const d of docs) {
    if (dirs.has(d.unit_id)) continue;
    let name = safeName(d.unit_name);
    if (taken.has(name)) name = `${name}_${safeName(d.unit_id).slice(0, 12)}`;
    taken.add(name);
    dirs.set(d.unit_id, name);
  }
  return dirs;
}

/** Writes every document (and its cleared version) page by page; returns the index and each unit's chain. */
async function writeDocuments(
  db: Kysely<Database>,
  taxpayer: Taxpayer,
  docs: PeriodDocument[],
  write: WriteFile,
): Promise<{ index: IndexEntry[]; chains: Map<string, ManifestChain>; cleared: number }> {
  const dirs = unitDirs(docs);
  const index: IndexEntry[] = [];
  const chains = new Map<string, ManifestChain>();
  let cleared = 0;
  for (let i = 0; i < docs.length; i += PAGE) {
    const page = docs.slice(i, i + PAGE);
    const bytes = await documentBytes(
      db,
      taxpayer.id,
      page.map((d) => d.id),
    );
    for (const d of page) {
      const stored = bytes.get(d.id)!;
      const unitDir = dirs.get(d.unit_id)!;
      const file = documentPath(unitDir, d.icv, d.number);
      // The stored text is the document; its UTF-8 encoding is what was hashed, signed and sent.
      write(file, Buffer.from(stored.xml, 'utf8'));
      let clearedFile: string | null = null;
      if (stored.cleared !== null) {
        clearedFile = clearedPath(unitDir, d.icv, d.number);
        write(clearedFile, Buffer.from(stored.cleared, 'utf8'));
        cleared++;
      }
      index.push(entry(taxpayer, d, file, clearedFile));
      const c = chains.get(d.unit_id);
      if (!c) chains.set(d.unit_id, { unit: d.unit_name, unitId: d.unit_id, firstIcv: d.icv, lastIcv: d.icv, firstPih: d.pih, lastHash: d.invoice_hash });
      else Object.assign(c, { lastIcv: d.icv, lastHash: d.invoice_hash });
    }
  }
  return { index, chains, cleared };
}

const INDEX_COLUMNS = [
  'vat_number',
  'branch',
  'unit',
  'issue_date',
  'issue_time',
  'number',
  'uuid',
  'icv',
  'pih',
  'invoice_hash',
  'document_type',
  'kind',
  'state',
  'qr',
  'file',
  'cleared_file',
  'currency',
  'exchange_rate',
];

function indexCsv(index: IndexEntry[]): string {
  return csvLines(
    INDEX_COLUMNS,
    index.map((e) => [
      e.vatNumber,
      e.branch,
      e.unit,
      e.issueDate,
      e.issueTime,
      e.number,
      e.uuid,
      e.icv,
      e.pih,
      e.invoiceHash,
      e.documentType,
      e.kind,
      e.state,
      e.qr,
      e.file,
      e.clearedFile ?? '',
      e.currency,
      e.exchangeRate ?? '',
    ]),
  );
}

/** Writes manifest.json and manifest.sha256 (not themselves in the manifest); returns the manifest's hash. */
function writeManifest(outDir: string, manifest: Manifest): string {
  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8');
  writeFileSync(join(outDir, MANIFEST_FILE), manifestBytes, { flag: 'wx' });
  const sums = manifest.files.map((f) => `${f.sha256}  ${f.path}`).join('\n') + '\n';
  writeFileSync(join(outDir, CHECKSUM_FILE), sums, { flag: 'wx' });
  return sha256(manifestBytes);
}

function entry(taxpayer: Taxpayer, d: PeriodDocument, file: string, clearedFile: string | null): IndexEntry {
  return {
    vatNumber: taxpayer.vat_number,
    branch: d.branch_name,
    unit: d.unit_name,
    unitId: d.unit_id,
    issueDate: d.issue_date,
    issueTime: d.issue_time,
    number: d.number,
    uuid: d.uuid,
    icv: d.icv,
    pih: d.pih,
    invoiceHash: d.invoice_hash,
    documentType: d.document_type,
    kind: d.kind,
    state: d.state ?? 'none',
    qr: d.qr,
    currency: d.currency,
    exchangeRate: d.exchange_rate,
    file,
    clearedFile,
  };
}
