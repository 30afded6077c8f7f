// The archive's on-disk layout and manifest format, shared by export and verify so both read the
// same names; verify needs nothing else (no database, no Fawtara configuration).
export const ARCHIVE_FORMAT = 'fawtara-archive/1';
export const MANIFEST_FILE = 'manifest.json';
/** `sha256sum -c manifest.sha256` checks every file with standard tools. */
export const CHECKSUM_FILE = 'manifest.sha256';
export const INDEX_JSON = 'index.json';
export const INDEX_CSV = 'index.csv';
export const README_FILE = 'README.txt';
/** ZATCA's record-keeping rule as Fawtara enforces it: 6 years after the end of the VAT period. */
export const RETENTION_YEARS = 6;

export interface IndexEntry {
  vatNumber: string;
  branch: string;
  unit: string;
  unitId: string;
  issueDate: string;
  issueTime: string;
  number: string;
  uuid: string;
  icv: number;
  pih: string;
  invoiceHash: string;
  documentType: string;
  kind: string;
  /** Submission state at export time (accepted, rejected, …): facts, not part of the signed record. */
  state: string;
  qr: string;
  /**
   * The document currency (BT-5) and its SAR exchange rate (null for SAR): with the document's
   * amounts they give its SAR figures, as the VAT report computes them (docs/reports.md).
   */
  currency: string;
  exchangeRate: string | null;
  /** Relative paths inside the archive (POSIX separators). */
  file: string;
  clearedFile: string | null;
}

export interface ManifestFile {
  path: string;
  sha256: string;
  bytes: number;
}

export interface ManifestChain {
  unit: string;
  unitId: string;
  firstIcv: number;
  lastIcv: number;
  /** PIH of the first document: the hash of the unit's last document before this period. */
  firstPih: string;
  lastHash: string;
}

export interface Manifest {
  format: typeof ARCHIVE_FORMAT;
  taxpayer: { vatNumber: string; name: string };
  period: { label: string; from: string; to: string };
  createdAt: string;
  retainUntil: string;
  hashAlgorithm: 'SHA-256';
  documents: number;
  files: ManifestFile[];
  chains: ManifestChain[];
}

/** A file or directory name that is safe on every file system and keeps the text recognisable. */
export function safeName(text: string): string {
  const s = text
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '_')
    .replace(/^[._]+/, '')
    .slice(0, 80);
  return s || 'x';
}

export function documentPath(unitDir: string, icv: number, number: string): string {
  return `units/${unitDir}/${String(icv).padStart(10, '0')}_${safeName(number)}.xml`;
}

export function clearedPath(unitDir: string, icv: number, number: string): string {
  return `units/${unitDir}/cleared/${String(icv).padStart(10, '0')}_${safeName(number)}.xml`;
}

/** End of the retention period of a VAT period that ends on `periodTo` (inclusive, YYYY-MM-DD). */
export function retainUntil(periodTo: string): string {
  const [y, m, d] = periodTo.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y + RETENTION_YEARS, m - 1, d + 1)).toISOString().slice(0, 10);
}
