// `archive verify DIR`: re-checks an exported archive with nothing but its files — every file's
// SHA-256, each document's invoice hash from its bytes, UUID/ICV/PIH, and each unit's chain links.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { invoiceHashOf } from '../crypto/hash.js';
import { linkProblems } from '../issuing/chain-link.js';
import { ReportError } from '../reports/errors.js';
import { readChainFacts } from '../stamp/read.js';
import { parseInvoiceXml } from '../xml/parse.js';
import { ARCHIVE_FORMAT, CHECKSUM_FILE, INDEX_JSON, MANIFEST_FILE, type IndexEntry, type Manifest } from './layout.js';

export interface VerifyProblem {
  check: 'manifest' | 'file-hash' | 'file-missing' | 'file-extra' | 'index' | 'invoice-hash' | 'document-facts' | 'chain' | 'cleared';
  path?: string;
  unit?: string;
  icv?: number;
  message: string;
  messageAr: string;
}

export interface VerifyReport {
  ok: boolean;
  format: string;
  vatNumber: string;
  period: string;
  files: number;
  documents: number;
  units: number;
  manifestSha256: string;
  problems: VerifyProblem[];
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const abs = join(d, name);
      if (statSync(abs).isDirectory()) walk(abs);
      else out.push(relative(dir, abs).split(sep).join('/'));
    }
  };
  walk(dir);
  return out;
}

/** UUID, ICV and PIH as written in the document itself (stamp/read.ts). */
function factsOf(bytes: Uint8Array): { uuid: string | null; icv: number | null; pih: string | null } {
  return readChainFacts(parseInvoiceXml(bytes));
}

/**
 * Verifies the archive in `dir`. Problems are collected, not thrown: an auditor gets the whole list.
 * `expectManifestSha256` is the hash noted at export time, which proves the manifest itself.
 */
export function verifyArchive(dir: string, options: { expectManifestSha256?: string } = {}): VerifyReport {
  const { manifest, manifestBytes } = readManifest(dir);
  const problems: VerifyProblem[] = [];
  const problem: Problem = (p) => problems.push(p);
  const manifestSha256 = sha256(manifestBytes);
  if (options.expectManifestSha256 && options.expectManifestSha256.toLowerCase() !== manifestSha256) {
    problem({
      check: 'manifest',
      path: MANIFEST_FILE,
      message: `the manifest's SHA-256 is ${manifestSha256}, not the ${options.expectManifestSha256} noted at export`,
      messageAr: 'بصمة ملف البيان لا تطابق البصمة المسجلة عند التصدير',
    });
  }
  const { bytesOf, listed } = checkFiles(dir, manifest, problem);
  const index = readIndex(manifest, bytesOf, problem);
  for (const e of index) checkDocument(e, bytesOf, listed, problem);
  const units = checkChains(manifest, index, problem);
  return {
    ok: problems.length === 0,
    format: manifest.format,
    vatNumber: manifest.taxpayer?.vatNumber ?? '',
    period: manifest.period?.label ?? '',
    files: manifest.files.length,
    documents: index.length,
    units,
    manifestSha256,
    problems,
  };
}

type Problem = (p: VerifyProblem) => void;

/** The manifest, or a typed error when the directory is not an archive of a format we know. */
function readManifest(dir: string): { manifest: Manifest; manifestBytes: Buffer } {
  let manifestBytes: Buffer;
  let manifest: Manifest;
  try {
    manifestBytes = readFileSync(join(dir, MANIFEST_FILE));
    manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
  } catch (error) {
    throw new ReportError('ARCHIVE_UNREADABLE', `${dir} has no readable ${MANIFEST_FILE}: not a Fawtara archive, or it was damaged`, {
      field: 'DIR',
      messageAr: `لا يحتوي ${dir} على ملف ${MANIFEST_FILE} صالح`,
      cause: error,
    });
  }
  if (manifest.format !== ARCHIVE_FORMAT || !Array.isArray(manifest.files)) {
    throw new ReportError('ARCHIVE_UNREADABLE', `${MANIFEST_FILE} is not of format ${ARCHIVE_FORMAT}`, {
      field: 'DIR',
      messageAr: `صيغة ${MANIFEST_FILE} غير معروفة`,
    });
  }
  return { manifest, manifestBytes };
}

/** 1. Every listed file is present with its hash; nothing unlisted was added. */
function checkFiles(dir: string, manifest: Manifest, problem: Problem): { bytesOf: Map<string, Buffer>; listed: Set<string> } {
  const bytesOf = new Map<string, Buffer>();
  const listed = new Set<string>();
  for (const f of manifest.files) {
    listed.add(f.path);
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(dir, ...f.path.split('/')));
    } catch {
      problem({
        check: 'file-missing',
        path: f.path,
        message: `${f.path} is listed in the manifest but missing`,
        messageAr: `الملف ${f.path} مدرج في البيان ومفقود`,
      });
      continue;
    }
    bytesOf.set(f.path, bytes);
    const got = sha256(bytes);
    if (got !== f.sha256 || bytes.length !== f.bytes) {
      problem({
        check: 'file-hash',
        path: f.path,
        message: `${f.path}: SHA-256 ${got} (${bytes.length} bytes), the manifest says ${f.sha256} (${f.bytes} bytes)`,
        messageAr: `بصمة الملف ${f.path} لا تطابق البيان`,
      });
    }
  }
  for (const path of listFiles(dir)) {
    if (path === MANIFEST_FILE || listed.has(path)) continue;
    if (path === CHECKSUM_FILE) {
      const expected = manifest.files.map((f) => `${f.sha256}  ${f.path}`).join('\n') + '\n';
      if (readFileSync(join(dir, path), 'utf8') !== expected)
        problem({ check: 'manifest', path, message: `${CHECKSUM_FILE} differs from ${MANIFEST_FILE}`, messageAr: `الملف ${CHECKSUM_FILE} يخالف ملف البيان` });
      continue;
    }
    problem({ check: 'file-extra', path, message: `${path} is not listed in the manifest`, messageAr: `الملف ${path} غير مدرج في البيان` });
  }
  return { bytesOf, listed };
}

/** 2. The index, which must list as many documents as the manifest. */
function readIndex(manifest: Manifest, bytesOf: Map<string, Buffer>, problem: Problem): IndexEntry[] {
  let index: IndexEntry[] = [];
  const indexBytes = bytesOf.get(INDEX_JSON);
  if (!indexBytes) problem({ check: 'index', path: INDEX_JSON, message: `${INDEX_JSON} is missing`, messageAr: `الفهرس ${INDEX_JSON} مفقود` });
  else {
    try {
      index = (JSON.parse(indexBytes.toString('utf8')) as { documents: IndexEntry[] }).documents;
    } catch {
      problem({ check: 'index', path: INDEX_JSON, message: `${INDEX_JSON} is not valid JSON`, messageAr: `الفهرس ${INDEX_JSON} ليس JSON صالحاً` });
    }
  }
  if (index.length !== manifest.documents) {
    problem({
      check: 'index',
      path: INDEX_JSON,
      message: `the index lists ${index.length} documents, the manifest ${manifest.documents}`,
      messageAr: 'عدد المستندات في الفهرس يخالف البيان',
    });
  }
  return index;
}

/** 2. Each document against the index: invoice hash recomputed from the bytes, then UUID/ICV/PIH. */
function checkDocument(e: IndexEntry, bytesOf: Map<string, Buffer>, listed: Set<string>, problem: Problem): void {
  const at = { path: e.file, unit: e.unit, icv: e.icv };
  if (!listed.has(e.file))
    problem({ check: 'index', ...at, message: `${e.number}: ${e.file} is not in the manifest`, messageAr: `المستند ${e.number} غير مدرج في البيان` });
  const bytes = bytesOf.get(e.file);
  if (!bytes) return;
  try {
    const hash = invoiceHashOf(bytes).base64;
    if (hash !== e.invoiceHash)
      problem({
        check: 'invoice-hash',
        ...at,
        message: `${e.number}: the invoice hash of the bytes is ${hash}, the index says ${e.invoiceHash}`,
        messageAr: `بصمة المستند ${e.number} المحسوبة تخالف الفهرس`,
      });
    const f = factsOf(bytes);
    if (f.uuid !== e.uuid || f.icv !== e.icv || f.pih !== e.pih) {
      problem({
        check: 'document-facts',
        ...at,
        message: `${e.number}: UUID/ICV/PIH in the document (${f.uuid}, ${f.icv}, ${f.pih}) differ from the index (${e.uuid}, ${e.icv}, ${e.pih})`,
        messageAr: `المعرف أو العداد أو بصمة السابق في ${e.number} تخالف الفهرس`,
      });
    }
  } catch (error) {
    problem({
      check: 'invoice-hash',
      ...at,
      message: `${e.number}: ${e.file} is not a readable invoice (${(error as Error).message})`,
      messageAr: `تعذرت قراءة المستند ${e.number}`,
    });
  }
  if (e.clearedFile) checkCleared(e, e.clearedFile, bytesOf, listed, problem);
}

/** ZATCA's cleared version: listed in the manifest, and of the same invoice hash as the document. */
function checkCleared(e: IndexEntry, clearedFile: string, bytesOf: Map<string, Buffer>, listed: Set<string>, problem: Problem): void {
  const at = { path: clearedFile, unit: e.unit, icv: e.icv };
  const cleared = bytesOf.get(clearedFile);
  if (!listed.has(clearedFile)) {
    problem({
      check: 'index',
      ...at,
      message: `${e.number}: ${clearedFile} is not in the manifest`,
      messageAr: `النسخة المعتمدة من ${e.number} غير مدرجة في البيان`,
    });
    return;
  }
  if (!cleared) return;
  try {
    // ZATCA's clearance adds its stamp outside the hashed part: the hash stays the document's.
    const h = invoiceHashOf(cleared).base64;
    if (h !== e.invoiceHash)
      problem({
        check: 'cleared',
        ...at,
        message: `${e.number}: the cleared document's invoice hash ${h} differs from the document's ${e.invoiceHash}`,
        messageAr: `بصمة النسخة المعتمدة من ${e.number} تخالف بصمة المستند`,
      });
  } catch (error) {
    problem({
      check: 'cleared',
      ...at,
      message: `${e.number}: the cleared document is not readable (${(error as Error).message})`,
      messageAr: `تعذرت قراءة النسخة المعتمدة من ${e.number}`,
    });
  }
}

/** 3. Per unit within the set: ICVs n, n+1, …; each PIH the previous document's hash. Returns the unit count. */
function checkChains(manifest: Manifest, index: IndexEntry[], problem: Problem): number {
  const byUnit = new Map<string, IndexEntry[]>();
  for (const e of index) byUnit.set(e.unitId, [...(byUnit.get(e.unitId) ?? []), e]);
  for (const [unitId, list] of byUnit) {
    list.sort((a, b) => a.icv - b.icv);
    for (let i = 1; i < list.length; i++) checkLink(list[i - 1]!, list[i]!, problem);
    const chain = manifest.chains.find((c) => c.unitId === unitId);
    const first = list[0]!;
    const last = list.at(-1)!;
    if (!chain || chain.firstIcv !== first.icv || chain.lastIcv !== last.icv || chain.firstPih !== first.pih || chain.lastHash !== last.invoiceHash) {
      problem({
        check: 'chain',
        unit: first.unit,
        message: `unit ${first.unit}: the chain in the manifest does not match its documents (ICV ${first.icv}..${last.icv})`,
        messageAr: `الوحدة ${first.unit}: سلسلة البيان لا تطابق مستنداتها`,
      });
    }
  }
  return byUnit.size;
}

function checkLink(prev: IndexEntry, cur: IndexEntry, problem: Problem): void {
  for (const p of linkProblems({ icv: prev.icv, hash: prev.invoiceHash }, { icv: cur.icv, pih: cur.pih }))
    problem({
      check: 'chain',
      unit: cur.unit,
      icv: cur.icv,
      path: cur.file,
      message:
        p.kind === 'fork'
          ? `unit ${cur.unit}: the PIH of ICV ${cur.icv} is not the hash of ICV ${prev.icv}`
          : `unit ${cur.unit}: ICV ${cur.icv} follows ICV ${prev.icv} (gap or repeat)`,
      messageAr:
        p.kind === 'fork'
          ? `الوحدة ${cur.unit}: بصمة السابق في ${cur.icv} ليست بصمة ${prev.icv}`
          : `الوحدة ${cur.unit}: العداد ${cur.icv} يلي ${prev.icv} (فجوة أو تكرار)`,
    });
}
