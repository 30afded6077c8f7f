// Issue 7 part 6: archive export → verify passes without the database; a flipped byte, a removed
// file and a broken PIH link each fail it; the 6-year retention refuses a purge; the CLI end to end.
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertRetentionOver, exportArchive, purgeArchive, verifyArchive, type IndexEntry, type Manifest } from '../../src/archive/index.js';
import { main } from '../../src/cli/main.js';
import { issueDocument } from '../../src/issuing/index.js';
import { parsePeriod, ReportError } from '../../src/reports/index.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { ENGINES, startFleetSimulator } from '../egs/helpers.js';
import { drain, issuingFleet, saleJson, type IssuingFleet } from '../issuing/helpers.js';

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

/** Rewrites manifest.json and manifest.sha256 after an edit, as someone covering their tracks would. */
function reseal(dir: string, edit: (m: Manifest, index: { documents: IndexEntry[] }) => void): void {
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { documents: IndexEntry[] };
  edit(m, index);
  const indexBytes = Buffer.from(JSON.stringify(index, null, 2) + '\n');
  writeFileSync(join(dir, 'index.json'), indexBytes);
  m.documents = index.documents.length;
  m.files = m.files
    .filter((f) => existsSync(join(dir, f.path)))
    .map((f) => (f.path === 'index.json' ? { ...f, sha256: sha(indexBytes), bytes: indexBytes.length } : f));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m, null, 2) + '\n');
  writeFileSync(join(dir, 'manifest.sha256'), m.files.map((f) => `${f.sha256}  ${f.path}`).join('\n') + '\n');
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) }, out, err };
}

describe.each(ENGINES)('archive on %s', (engine) => {
  let sim: RunningSimulator;
  let f: IssuingFleet;
  let tmp: string;
  let archive: string;
  let manifestSha256: string;
  const period = parsePeriod({ period: '2026-03' });
  const masterKey = randomBytes(32);

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'fawtara-archive-'));
    mkdirSync(join(tmp, 'data'));
    sim = await startFleetSimulator();
    f = await issuingFleet(engine, sim, 2, {
      kek: { protection: 'master-key', key: masterKey },
      ...(engine === 'sqlite' && { sqliteFile: join(tmp, 'data', 'fawtara.db') }),
    });
    let n = 0;
    const sale = (o: Partial<Parameters<typeof saleJson>[2]> = {}) => saleJson(f.taxpayer, f.branch, { number: `A-${engine}-${++n}`, ...o });
    for (let i = 0; i < 5; i++) await issueDocument(f.ctx, f.taxpayer, 'POS-1', sale());
    await issueDocument(f.ctx, f.taxpayer, 'POS-2', sale({ kind: 'standard' }));
    await issueDocument(f.ctx, f.taxpayer, 'POS-2', sale());
    await drain(f.ctx);
    archive = join(tmp, 'archive');
    const r = await exportArchive(f.ctx.store.db, f.taxpayer, period, archive, { now: f.ctx.clock.now() });
    expect([r.documents, r.cleared, r.units]).toEqual([7, 1, 2]);
    manifestSha256 = r.manifestSha256;
  }, 60_000);
  afterAll(async () => {
    await f?.close();
    await sim?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  const copy = (name: string) => {
    const dir = join(tmp, name);
    cpSync(archive, dir, { recursive: true });
    return dir;
  };

  it('export writes the exact stored bytes per unit, the cleared XML, an index (JSON, CSV) and a manifest; verify passes', async () => {
    const index = JSON.parse(readFileSync(join(archive, 'index.json'), 'utf8')) as { documents: IndexEntry[] };
    const stored = await f.ctx.store.db
      .selectFrom('documents')
      .select(['uuid', 'xml', 'invoice_hash', 'qr'])
      .where('taxpayer_id', '=', f.taxpayer.id)
      .execute();
    for (const d of stored) {
      const e = index.documents.find((x) => x.uuid === d.uuid)!;
      expect(readFileSync(join(archive, e.file)).equals(Buffer.from(d.xml, 'utf8'))).toBe(true);
      expect([e.invoiceHash, e.qr, e.vatNumber]).toEqual([d.invoice_hash, d.qr, f.taxpayer.vat_number]);
      expect(e.file).toMatch(new RegExp(`^units/${e.unit}/\\d{10}_A-${engine}-\\d+\\.xml$`));
    }
    const clearedEntry = index.documents.find((e) => e.clearedFile)!;
    const cleared = await f.ctx.store.db.selectFrom('document_clearances').select('xml').executeTakeFirstOrThrow();
    expect(readFileSync(join(archive, clearedEntry.clearedFile!), 'utf8')).toBe(cleared.xml);
    expect(readFileSync(join(archive, 'index.csv'), 'utf8').split('\r\n')[0]).toMatch(
      /^vat_number,branch,unit,issue_date,issue_time,number,uuid,icv,pih,invoice_hash/,
    );
    const v = verifyArchive(archive, { expectManifestSha256: manifestSha256 });
    expect(v.problems).toEqual([]);
    expect([v.ok, v.documents, v.units]).toEqual([true, 7, 2]);
    // An archive is never written into a directory that holds something.
    await expect(exportArchive(f.ctx.store.db, f.taxpayer, period, archive)).rejects.toMatchObject({ reason: 'ARCHIVE_EXISTS' });
  });

  it('a flipped byte in a document fails: its file hash and its invoice hash', () => {
    const dir = copy('flipped');
    const e = (JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { documents: IndexEntry[] }).documents[2]!;
    const bytes = readFileSync(join(dir, e.file));
    const at = bytes.indexOf('<cbc:IssueDate>') + '<cbc:IssueDate>'.length + 3;
    bytes[at] = bytes[at]! ^ 0x01;
    writeFileSync(join(dir, e.file), bytes);
    const v = verifyArchive(dir);
    expect(v.ok).toBe(false);
    expect(v.problems.map((p) => [p.check, p.path])).toEqual([
      ['file-hash', e.file],
      ['invoice-hash', e.file],
    ]);
  });

  it('a removed file fails', () => {
    const dir = copy('removed');
    const e = (JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { documents: IndexEntry[] }).documents[0]!;
    unlinkSync(join(dir, e.file));
    const v = verifyArchive(dir);
    expect(v.problems.map((p) => p.check)).toEqual(['file-missing']);
  });

  it('a broken PIH link fails even when manifest and index were rewritten to match', () => {
    const dir = copy('unlinked');
    reseal(dir, (m, index) => {
      // Drop ICV 3 of POS-1 from the set: ICV 4's PIH no longer links to the document before it.
      const gone = index.documents.find((e) => e.unit === 'POS-1' && e.icv === 3)!;
      index.documents = index.documents.filter((e) => e !== gone);
      rmSync(join(dir, gone.file));
      void m;
    });
    const v = verifyArchive(dir);
    expect(v.ok).toBe(false);
    expect(v.problems.filter((p) => p.check === 'chain').map((p) => p.message)).toEqual([
      'unit POS-1: ICV 4 follows ICV 2 (gap or repeat)',
      'unit POS-1: the PIH of ICV 4 is not the hash of ICV 2',
    ]);
    // And the manifest no longer has the hash noted at export.
    expect(verifyArchive(dir, { expectManifestSha256: manifestSha256 }).problems.some((p) => p.check === 'manifest')).toBe(true);
  });

  it('retention: nothing younger than 6 years is purged; an archive past it can be', () => {
    const dir = copy('retained');
    expect(() => assertRetentionOver(period.to, new Date('2032-03-31T12:00:00Z'))).toThrow(ReportError);
    try {
      purgeArchive(dir, new Date('2030-01-01T00:00:00Z'));
      throw new Error('expected a refusal');
    } catch (error) {
      expect((error as ReportError).reason).toBe('RETENTION');
      expect((error as ReportError).messageAr).toBeTruthy();
    }
    expect(existsSync(join(dir, 'manifest.json'))).toBe(true);
    expect(purgeArchive(dir, new Date('2032-04-01T00:00:00Z')).retainUntil).toBe('2032-04-01');
    expect(existsSync(dir)).toBe(false);
  });

  it.runIf(engine === 'sqlite')('CLI: report vat (CSV), archive export and verify (exit 0, then 1 after tampering), purge refused', async () => {
    const env = { ...process.env };
    process.env.FAWTARA_MASTER_KEY = masterKey.toString('hex');
    try {
      const data = join(tmp, 'data');
      let c = capture();
      expect(await main(['report', 'vat', '--data', data, '--period', '2026-03', '--format', 'csv'], c.io)).toBe(0);
      expect(c.out.join('\n')).toMatch(/total,total,,,,,,,,7,210\.00,31\.50/);
      c = capture();
      expect(await main(['report', 'vat', '--data', data, '--period', '2026-03', '--by', 'unit'], c.io)).toBe(0);
      expect(c.out.join('\n')).toMatch(/POS-1 +5 +150\.00 +22\.50\n +POS-2 +2 +60\.00 +9\.00\n +total +7 +210\.00 +31\.50/);
      c = capture();
      expect(await main(['report', 'reconcile', '--data', data, '--period', '2026-03', '--simulator-history', sim.url], c.io)).toBe(0);
      expect(c.out.join('\n')).toMatch(/^CLEAN: reconciliation of 310122393500003, period 2026-03, against ZATCA's \(the simulator's\) record/);
      c = capture();
      const out = join(tmp, 'cli-archive');
      expect(await main(['archive', 'export', '--data', data, '--period', '2026-03', '--out', out, '--json'], c.io)).toBe(0);
      const r = JSON.parse(c.out.join('\n')) as { manifestSha256: string; documents: number };
      expect(r.documents).toBe(7);
      c = capture();
      expect(await main(['archive', 'verify', out, '--manifest-sha256', r.manifestSha256], c.io)).toBe(0);
      expect(c.out.join('\n')).toMatch(/^OK: archive of 310122393500003, period 2026-03/);
      writeFileSync(join(out, 'units', 'extra.xml'), '<x/>');
      c = capture();
      expect(await main(['archive', 'verify', out], c.io)).toBe(1);
      expect(c.out.join('\n')).toMatch(/\[file-extra\] units\/extra.xml/);
      c = capture();
      expect(await main(['archive', 'purge', out, '--json'], c.io)).not.toBe(0);
      expect(existsSync(out)).toBe(true);
      c = capture();
      expect(await main(['report', 'vat', '--data', data, '--period', '2026-13'], c.io)).toBe(2);
    } finally {
      process.env = env;
    }
  });
});
