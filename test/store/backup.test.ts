// Backup and restore (issue 10): `fawtara backup` takes a consistent copy while another process keeps
// issuing; `fawtara restore` chain-audits the copy before it replaces anything, refuses a live store
// without --force (and one in use even with it), keeps the replaced files aside, and refuses a
// backup that is not sound or whose chains break.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { backupStore, openStore, storeIdOf } from '../../src/store/index.js';
import { cli } from '../cli/helpers.js';
import { startFleetSimulator, T0 } from '../egs/helpers.js';
import { issuingFleet } from '../issuing/helpers.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const child = join(repoRoot, 'test', 'issuing', 'fixtures', 'issue-child.ts');
const root = mkdtempSync(join(tmpdir(), 'fawtara-backup-'));
const live = join(root, 'live');
const masterKey = randomBytes(32);
const UNITS = ['BK-1', 'BK-2'];

interface Issuer {
  answers: () => number;
  /** Resolves once the child has answered `n` documents in all. */
  reach(n: number): Promise<void>;
  stop(): Promise<void>;
}

/** The crash test's child, issuing on two units as fast as it can until stopped. */
function startIssuer(): Issuer {
  const proc = spawn(process.execPath, ['--import', 'tsx', child], {
    cwd: repoRoot,
    env: {
      ...process.env,
      ISSUE_DB: join(live, 'fawtara.db'),
      ISSUE_MASTER_KEY: masterKey.toString('hex'),
      ISSUE_NOW: new Date(T0.getTime() + 3600_000).toISOString(),
      ISSUE_UNITS: UNITS.join(','),
      ISSUE_ROUND: 'B',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let answered = 0;
  let stderr = '';
  const waiting: Array<{ n: number; resolve: () => void }> = [];
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  proc.stdout.on('data', (d: Buffer) => {
    answered += d
      .toString()
      .split('\n')
      .filter((l) => l.startsWith('ISSUED ')).length;
    for (const w of waiting.splice(0)) (answered >= w.n ? w.resolve : () => waiting.push(w))();
  });
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  return {
    answers: () => answered,
    reach: (n) =>
      new Promise((resolve, reject) => {
        if (answered >= n) return resolve();
        waiting.push({ n, resolve });
        void exited.then(() => reject(new Error(`the issuing child stopped: ${stderr}`)));
      }),
    stop: async () => {
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

describe('backup and restore', () => {
  let sim: RunningSimulator;
  const saved = { ...process.env };
  let storeId: string;

  beforeAll(async () => {
    sim = await startFleetSimulator();
    // The data directory (marker and all), then the onboarded units in that same database file.
    const first = await openStore({ dataDir: live });
    storeId = (await storeIdOf(first.db))!;
    await first.close();
    const f = await issuingFleet('sqlite', sim, UNITS.length, {
      title: '0100',
      prefix: 'BK',
      sqliteFile: join(live, 'fawtara.db'),
      kek: { protection: 'master-key', key: masterKey },
    });
    await f.ctx.store.close();
    process.env.FAWTARA_MASTER_KEY = masterKey.toString('hex');
    delete process.env.FAWTARA_DATABASE_URL;
  });
  afterAll(async () => {
    process.env = saved;
    await sim?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('a backup taken while another process issues is a consistent store: its restore audits clean, with every document answered before it', async () => {
    const issuer = startIssuer();
    const backups: Array<{ file: string; atLeast: number }> = [];
    try {
      await issuer.reach(10);
      backups.push({ file: join(root, 'online-1.db'), atLeast: issuer.answers() });
      const facts = await backupStore(live, backups[0]!.file);
      expect(facts).toMatchObject({ storeId, bytes: statSync(backups[0]!.file).size });
      expect(facts.sha256).toMatch(/^[0-9a-f]{64}$/);
      await issuer.reach(backups[0]!.atLeast + 10);
      backups.push({ file: join(root, 'online-2.db'), atLeast: issuer.answers() });
      const r = await cli('backup', '--data', live, '--out', backups[1]!.file, '--json');
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).backup).toMatchObject({ file: backups[1]!.file, storeId });
    } finally {
      await issuer.stop();
    }
    for (const [i, b] of backups.entries()) {
      expect(statSync(b.file).mode & 0o777).toBe(0o600);
      const target = join(root, `restored-${i}`);
      const r = await cli('restore', b.file, '--data', target, '--json');
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.restored).toBe(true);
      expect(out.audit.breaks).toEqual([]);
      expect(out.audit.documents).toBeGreaterThanOrEqual(b.atLeast);
      expect(out.audit.checked).toBe(out.audit.documents);
      expect(out.audit.heads.map((h: { unit: string }) => h.unit).sort()).toEqual(UNITS);
      expect(out.backup).toMatchObject({ storeId, takenAt: expect.any(String) });
      // The restored directory is a store of its own now: marker, permissions, and it opens.
      expect(JSON.parse(readFileSync(join(target, 'fawtara.store'), 'utf8')).storeId).toBe(storeId);
      expect(statSync(join(target, 'fawtara.db')).mode & 0o777).toBe(0o600);
      const reopened = await openStore({ dataDir: target });
      expect(await storeIdOf(reopened.db)).toBe(storeId);
      await reopened.close();
    }
  });

  it('restore refuses a directory holding a store without --force; with --force the replaced files are kept aside', async () => {
    const backup = join(root, 'online-1.db');
    const target = join(root, 'restored-0');
    const before = readFileSync(join(target, 'fawtara.db'));
    const refused = await cli('restore', backup, '--data', target);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/holds a store; restore replaces it only with --force/);
    expect(readFileSync(join(target, 'fawtara.db')).equals(before)).toBe(true);
    const forced = await cli('restore', backup, '--data', target, '--force', '--json');
    expect(forced.code, forced.stderr).toBe(0);
    const aside = JSON.parse(forced.stdout).backup.keptAside as string;
    expect(readdirSync(aside)).toContain('fawtara.db');
    expect(readFileSync(join(aside, 'fawtara.db')).equals(before)).toBe(true);
    expect(statSync(aside).mode & 0o777).toBe(0o700);
  });

  it('restore --force refuses a store another process has open (a running server would keep writing to the old file)', async () => {
    const target = join(root, 'restored-1');
    const running = await openStore({ dataDir: target });
    try {
      await storeIdOf(running.db);
      const r = await cli('restore', join(root, 'online-1.db'), '--data', target, '--force');
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/in use by another process/);
    } finally {
      await running.close();
    }
  });

  it('a file that is not a sound Fawtara backup is refused and nothing changes', async () => {
    const garbage = join(root, 'garbage.db');
    writeFileSync(garbage, randomBytes(20_000));
    const target = join(root, 'untouched');
    const r = await cli('restore', garbage, '--data', target);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/is not a sound Fawtara backup.*nothing was changed/);
    expect(existsSync(join(target, 'fawtara.db'))).toBe(false);
    expect(readdirSync(target)).toEqual([]);
  });

  it('a backup whose chain audit breaks (a stored document changed behind the guards) is not restored unless accepted', async () => {
    const tampered = join(root, 'tampered.db');
    copyFileSync(join(root, 'online-1.db'), tampered);
    const raw = new BetterSqlite3(tampered);
    // Whoever holds the file can drop a trigger; the hash chain is what still tells.
    raw.exec('DROP TRIGGER documents_no_update');
    raw.exec(`UPDATE documents SET xml = replace(xml, '</cbc:ID>', ' </cbc:ID>') WHERE icv = 2 AND unit_id = (SELECT id FROM egs_units WHERE name = 'BK-1')`);
    raw.close();
    const target = join(root, 'tampered-target');
    const refused = await cli('restore', tampered, '--data', target);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/NOT restored.*nothing was changed/);
    expect(refused.stdout).toMatch(/BREAK BK-1 ICV 2/);
    expect(existsSync(join(target, 'fawtara.db'))).toBe(false);
    const accepted = await cli('restore', tampered, '--data', target, '--accept-breaks', '--json');
    expect(accepted.code).toBe(1);
    expect(JSON.parse(accepted.stdout)).toMatchObject({ ok: false, restored: true });
    expect(existsSync(join(target, 'fawtara.db'))).toBe(true);
  });

  it('backup never overwrites, names a directory without a store, and points PostgreSQL to its own tools', async () => {
    const exists = await cli('backup', '--data', live, '--out', join(root, 'online-1.db'));
    expect([exists.code, exists.stderr]).toEqual([3, expect.stringMatching(/already exists; a backup never overwrites/)]);
    const none = await cli('backup', '--data', join(root, 'nothing-here'), '--out', join(root, 'none.db'));
    expect([none.code, none.stderr]).toEqual([3, expect.stringMatching(/NO_STORE.*no Fawtara store/)]);
    process.env.FAWTARA_DATABASE_URL = 'postgres://fawtara@127.0.0.1:1/fawtara';
    try {
      const pg = await cli('backup', '--data', live, '--out', join(root, 'pg.db'));
      expect([pg.code, pg.stderr]).toEqual([2, expect.stringMatching(/pg_dump/)]);
      const pgRestore = await cli('restore', join(root, 'online-1.db'), '--data', live);
      expect([pgRestore.code, pgRestore.stderr]).toEqual([2, expect.stringMatching(/pg_restore/)]);
    } finally {
      delete process.env.FAWTARA_DATABASE_URL;
    }
  });
});
