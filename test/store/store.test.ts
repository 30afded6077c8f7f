// The fleet store on SQLite (always) and PostgreSQL (FAWTARA_TEST_PG): migrations that re-run
// safely, SQLite durability settings, per-taxpayer scoping, and the constraints the services rely on.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { fleetMigrations } from '../../src/store/migrations.js';
import { openStore, tenants, units, type Store } from '../../src/store/index.js';
import { ENGINES, storeOptions } from '../egs/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'fawtara-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const now = '2026-03-01T08:00:00.000Z';

async function seed(store: Store, vat: string) {
  const taxpayer = await tenants.insertTaxpayer(store.db, {
    id: `tp-${vat}`,
    vat_number: vat,
    name_ar: 'مكلف',
    name_en: null,
    is_vat_group: 0,
    business_category: 'Retail',
    created_at: now,
  });
  const branch = await tenants.insertBranch(store.db, {
    id: `br-${vat}`,
    taxpayer_id: taxpayer.id,
    name: 'Main',
    crn: '1010010000',
    street: 'S',
    building_number: '1234',
    district: 'D',
    city: 'C',
    postal_code: '12345',
    short_address: null,
    created_at: now,
  });
  const unit = await units.insertUnit(store.db, {
    id: `u-${vat}`,
    taxpayer_id: taxpayer.id,
    branch_id: branch.id,
    member_tin: null,
    name: 'POS-1',
    serial: '1-A|2-B|3-C',
    generation: 1,
    title: '1100',
    environment: 'simulation',
    organization_unit: 'Main',
    state: 'new',
    state_changed_at: now,
    icv: 0,
    pih: 'x',
    last_issued_at: null,
    replaces_unit_id: null,
    created_at: now,
    key_provider: 'sealed',
    zatca_base_url: null,
  });
  return { taxpayer, branch, unit };
}

describe.each(ENGINES)('store on %s', (engine) => {
  it('migrates on open, and opening again (or twice at once) is a no-op', async () => {
    const file = join(dir, `${engine}-reopen.db`);
    const { options, drop } = storeOptions(engine, file);
    try {
      const [a, b] = await Promise.all([openStore(options), openStore(options)]);
      await seed(a, '300000000000003');
      await Promise.all([a.close(), b.close()]);
      const again = await openStore(options);
      expect((await tenants.listTaxpayers(again.db)).map((t) => t.vat_number)).toEqual(['300000000000003']);
      const applied = await sql<{ name: string }>`select name from kysely_migration`.execute(again.db);
      // Every migration in the registry, once each, in order (no duplicates from the concurrent opens).
      expect(applied.rows.map((r) => r.name)).toEqual(Object.keys(fleetMigrations('sqlite')));
      expect(applied.rows[0]!.name).toBe('0001_fleet');
      await again.close();
    } finally {
      await drop();
    }
  });

  it('every unit and branch lookup is scoped to its taxpayer', async () => {
    const { options, drop } = storeOptions(engine, join(dir, `${engine}-scope.db`));
    const store = await openStore(options);
    try {
      const a = await seed(store, '300000000000003');
      const b = await seed(store, '311111111111113');
      expect((await units.findUnit(store.db, a.taxpayer.id, 'POS-1'))?.id).toBe(a.unit.id);
      expect((await units.findUnit(store.db, b.taxpayer.id, 'POS-1'))?.id).toBe(b.unit.id);
      // Another taxpayer's unit id, branch id or serial finds nothing.
      expect(await units.findUnit(store.db, a.taxpayer.id, b.unit.id)).toBeUndefined();
      expect(await tenants.findBranch(store.db, a.taxpayer.id, b.branch.id)).toBeUndefined();
      expect(await units.listUnits(store.db, a.taxpayer.id)).toHaveLength(1);
    } finally {
      await store.close();
      await drop();
    }
  });

  it('a serial is unique per taxpayer and generation; transitions are compare-and-set with history', async () => {
    const { options, drop } = storeOptions(engine, join(dir, `${engine}-unique.db`));
    const store = await openStore(options);
    try {
      const a = await seed(store, '300000000000003');
      await expect(units.insertUnit(store.db, { ...a.unit, id: 'dup' })).rejects.toThrow();
      await units.insertUnit(store.db, { ...a.unit, id: 'gen2', generation: 2 });
      expect((await units.findUnit(store.db, a.taxpayer.id, '1-A|2-B|3-C'))?.id).toBe('gen2');
      const t = { to: 'ccsid-issued', actor: 'test', reason: 'r', at: now };
      expect(await units.recordTransition(store.db, a.unit, 'new', t)).toBe(true);
      expect(await units.recordTransition(store.db, a.unit, 'new', t)).toBe(false);
      expect((await units.listTransitions(store.db, a.taxpayer.id, a.unit.id)).map((h) => h.to_state)).toEqual(['ccsid-issued']);
    } finally {
      await store.close();
      await drop();
    }
  });
});

describe('SQLite settings', () => {
  it('WAL, synchronous=FULL, a busy timeout and foreign keys on a file store', async () => {
    const store = await openStore({ dataDir: join(dir, 'pragmas') });
    try {
      const read = async (p: string) => Object.values((await sql.raw(`pragma ${p}`).execute(store.db)).rows[0] as object)[0];
      expect(await read('journal_mode')).toBe('wal');
      expect(await read('synchronous')).toBe(2);
      expect(Number(await read('busy_timeout'))).toBeGreaterThan(0);
      expect(await read('foreign_keys')).toBe(1);
      expect(store.location).toBe(join(dir, 'pragmas', 'fawtara.db'));
    } finally {
      await store.close();
    }
  });
});
