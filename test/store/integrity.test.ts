// Integrity at open and on a schedule (issue 10): pages of the SQLite file overwritten on disk are
// found by quick_check — at open the store refuses to open; while open it refuses every write from
// then on (issuing, the outbox, audit rows) with STORE_DAMAGED and the restore procedure.
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { exitCodeOf } from '../../src/cli/output.js';
import { isStoreFault, openStore, rideAlong, withWriteTransaction, type Store, type StoreIntegrity } from '../../src/store/index.js';
import { toHttpError } from '../../src/server/errors.js';

const root = mkdtempSync(join(tmpdir(), 'fawtara-integrity-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A file store with a few hundred KB of rows, everything checkpointed into the main file. */
async function filledStore(name: string, extra: Parameters<typeof openStore>[0] = {}): Promise<{ dir: string; store: Store }> {
  const dir = join(root, name);
  const store = await openStore({ dataDir: dir, ...extra });
  await withWriteTransaction(store, async (trx) => {
    for (let i = 0; i < 300; i++)
      await trx
        .insertInto('zatca_exchanges')
        .values({
          taxpayer_id: 't',
          unit_id: 'u',
          endpoint: 'reporting',
          request_id: null,
          http_status: 200,
          outcome: 'ok',
          messages: 'm'.repeat(2000),
          duration_ms: 1,
          at: `${i}`,
        })
        .execute();
  });
  await sql`pragma wal_checkpoint(TRUNCATE)`.execute(store.db);
  return { dir, store };
}

/** Overwrite pages in the middle of the file (all in use: nothing was ever deleted) with a fixed pattern. */
function overwritePages(file: string): void {
  const pageSize = 4096;
  const pages = Math.floor(statSync(file).size / pageSize);
  const fd = openSync(file, 'r+');
  try {
    for (let p = Math.floor(pages / 2); p < Math.floor(pages / 2) + 4; p++) writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, p * pageSize);
  } finally {
    closeSync(fd);
  }
}

describe('integrity check', () => {
  it('at open: a file with overwritten pages does not open; STORE_DAMAGED with the restore procedure (exit 3, HTTP 503)', async () => {
    const { dir, store } = await filledStore('at-open');
    await store.close();
    overwritePages(join(dir, 'fawtara.db'));
    const error = await openStore({ dataDir: dir }).catch((e: unknown) => e);
    expect(isStoreFault(error), String(error)).toBe(true);
    expect((error as { code: string }).code).toBe('STORE_DAMAGED');
    expect((error as Error).message).toMatch(/fawtara restore BACKUP_FILE/);
    expect(exitCodeOf(error)).toBe(3);
    expect(toHttpError(error, 'r').status).toBe(503);
  });

  it('while open: the check finds the damage, and every write is refused from then on', async () => {
    const { dir, store } = await filledStore('while-open', { integrityCheckEveryMs: 0 });
    try {
      expect((await store.checkIntegrity()).state).toBe('ok');
      overwritePages(join(dir, 'fawtara.db'));
      const found = await store.checkIntegrity();
      expect(found.state).toBe('damaged');
      expect(found.problems.length).toBeGreaterThan(0);
      expect(store.integrity.state).toBe('damaged');
      let wrote = false;
      const refused = await withWriteTransaction(store, async () => {
        wrote = true;
      }).catch((e: unknown) => e);
      expect(wrote).toBe(false);
      expect(isStoreFault(refused, 'INTEGRITY')).toBe(true);
      expect((refused as Error).message).toMatch(/integrity check of .*fawtara\.db/);
      expect(exitCodeOf(refused)).toBe(3);
      // An audit row riding along is refused too: nothing is appended to a damaged store.
      expect(isStoreFault(await rideAlong(store, async () => undefined).catch((e: unknown) => e), 'INTEGRITY')).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('on a schedule: a long-running process is told without anyone asking (openFleet logs it)', async () => {
    let told: (integrity: StoreIntegrity) => void = () => undefined;
    const failure = new Promise<StoreIntegrity>((resolve) => (told = resolve));
    const { dir, store } = await filledStore('scheduled', { integrityCheckEveryMs: 50, onIntegrityFailure: (i) => told(i) });
    try {
      overwritePages(join(dir, 'fawtara.db'));
      const integrity = await failure;
      expect(integrity.state).toBe('damaged');
      expect(store.integrity.state).toBe('damaged');
    } finally {
      await store.close();
    }
  });
});
