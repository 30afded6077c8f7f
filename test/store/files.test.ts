// The data directory on disk (issue 10): owner-only permissions whatever existed before, and never a
// silent fresh start — a store whose database went missing or empty is an error with the ways out.
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { saveState, loadState } from '../../src/simulator/state.js';
import { isStoreFault, openStore, storeIdOf } from '../../src/store/index.js';
import { MARKER_FILE } from '../../src/store/files.js';

const root = mkdtempSync(join(tmpdir(), 'fawtara-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const mode = (path: string) => statSync(path).mode & 0o777;

describe('permissions', () => {
  it('a new data directory is 0700 and the database, its -wal/-shm and the marker 0600', async () => {
    const dir = join(root, 'new');
    const store = await openStore({ dataDir: dir });
    try {
      expect(mode(dir)).toBe(0o700);
      for (const f of ['fawtara.db', 'fawtara.db-wal', 'fawtara.db-shm', MARKER_FILE]) expect(mode(join(dir, f)), f).toBe(0o600);
    } finally {
      await store.close();
    }
  });

  it('an existing directory and files with wider modes (0755, 0644) are tightened on open', async () => {
    const dir = join(root, 'loose');
    await (await openStore({ dataDir: dir })).close();
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o755);
    for (const f of ['fawtara.db', MARKER_FILE, 'fawtara.log', 'server.log', 'master.key', 'demo.json']) {
      if (!existsSync(join(dir, f))) writeFileSync(join(dir, f), '');
      chmodSync(join(dir, f), 0o644);
    }
    // Companions left behind by a crash, world-readable.
    writeFileSync(join(dir, 'fawtara.db-wal'), '');
    chmodSync(join(dir, 'fawtara.db-wal'), 0o666);
    const store = await openStore({ dataDir: dir });
    try {
      expect(mode(dir)).toBe(0o700);
      for (const f of ['fawtara.db', 'fawtara.db-wal', 'fawtara.db-shm', MARKER_FILE, 'fawtara.log', 'server.log', 'master.key', 'demo.json'])
        expect(mode(join(dir, f)), f).toBe(0o600);
    } finally {
      await store.close();
    }
  });

  it('a file store outside a data directory is 0600 too, and the folder is left as it is (it is not ours)', async () => {
    const folder = join(root, 'shared');
    mkdirSync(folder, { mode: 0o755 });
    chmodSync(folder, 0o755);
    const store = await openStore({ sqliteFile: join(folder, 'x.db') });
    await store.close();
    expect(mode(join(folder, 'x.db'))).toBe(0o600);
    expect(mode(folder)).toBe(0o755);
  });

  it("the simulator's state (OTPs, its CA's private key) is 0600 in a 0700 folder, whatever existed before", () => {
    const dir = join(root, 'sim');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const state = loadState(dir, 'simulation');
    writeFileSync(join(dir, 'simulation.json.tmp'), 'stale');
    chmodSync(join(dir, 'simulation.json.tmp'), 0o644);
    saveState(dir, state);
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'simulation.json'))).toBe(0o600);
    chmodSync(join(dir, 'simulation.json'), 0o644);
    chmodSync(dir, 0o755);
    loadState(dir, 'simulation');
    expect([mode(dir), mode(join(dir, 'simulation.json'))]).toEqual([0o700, 0o600]);
  });
});

describe('never start over silently', () => {
  const fresh = async (name: string) => {
    const dir = join(root, name);
    const store = await openStore({ dataDir: dir });
    const id = await storeIdOf(store.db);
    await store.close();
    return { dir, id: id! };
  };

  it('the first open writes the marker with the store id also kept in the database', async () => {
    const { dir, id } = await fresh('marker');
    expect(JSON.parse(readFileSync(join(dir, MARKER_FILE), 'utf8'))).toMatchObject({ format: 'fawtara-store', storeId: id, database: 'fawtara.db' });
    // Opening again keeps the same store.
    const again = await openStore({ dataDir: dir });
    expect(await storeIdOf(again.db)).toBe(id);
    await again.close();
  });

  it('a missing database in a directory that held a store is an error with recovery steps; nothing is created', async () => {
    const { dir, id } = await fresh('missing');
    rmSync(join(dir, 'fawtara.db'));
    const error = await openStore({ dataDir: dir }).catch((e: unknown) => e);
    expect(isStoreFault(error, 'MISSING')).toBe(true);
    expect((error as Error).message).toContain(id);
    expect((error as Error).message).toMatch(/is missing; nothing was created.*put it back.*fawtara restore.*move .* aside/s);
    expect((error as { messageAr?: string }).messageAr).toMatch(/مفقود/);
    expect(existsSync(join(dir, 'fawtara.db'))).toBe(false);
  });

  it('a zero-length database is the same error, not an empty store', async () => {
    const { dir } = await fresh('empty');
    writeFileSync(join(dir, 'fawtara.db'), '');
    const error = await openStore({ dataDir: dir }).catch((e: unknown) => e);
    expect(isStoreFault(error, 'MISSING')).toBe(true);
    expect((error as Error).message).toMatch(/is empty \(0 bytes\)/);
    expect(statSync(join(dir, 'fawtara.db')).size).toBe(0);
  });

  it("another store's database swapped into the directory is refused", async () => {
    const a = await fresh('store-a');
    const b = await fresh('store-b');
    copyFileSync(join(b.dir, 'fawtara.db'), join(a.dir, 'fawtara.db'));
    const error = await openStore({ dataDir: a.dir }).catch((e: unknown) => e);
    expect(isStoreFault(error, 'OTHER_STORE')).toBe(true);
    expect((error as Error).message).toContain(b.id);
  });

  it('a store from before the marker existed is adopted on its first open', async () => {
    const { dir, id } = await fresh('legacy');
    rmSync(join(dir, MARKER_FILE));
    await (await openStore({ dataDir: dir })).close();
    expect(JSON.parse(readFileSync(join(dir, MARKER_FILE), 'utf8')).storeId).toBe(id);
  });

  it('create: false refuses a directory without a store (NO_STORE) and creates nothing', async () => {
    const dir = join(root, 'no-store');
    const error = await openStore({ dataDir: dir, create: false }).catch((e: unknown) => e);
    expect(isStoreFault(error, 'NO_STORE')).toBe(true);
    expect(existsSync(join(dir, 'fawtara.db'))).toBe(false);
  });
});
